import os
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
from tests.test_browser import *  # noqa
def test_dbg(site, page):
    page.on("console", lambda m: print("CONSOLE", m.type, m.text))
    page.on("request", lambda r: print("REQ", r.method, r.url, r.headers.get("hx-request")))
    page.on("response", lambda r: print("RESP", r.status, r.url))
    page.goto(site + "/")
    print(page.evaluate("typeof htmx"))
    page.get_by_label("Sergey Lavrov", exact=True).check()
    page.wait_for_timeout(1500)
    print(page.url, page.locator(RESULT_COUNT).inner_text())
