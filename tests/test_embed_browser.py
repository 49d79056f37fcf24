"""Embeds in a real browser, framed by a page from another origin: the iframe sizes itself, filters work
inside it, and pages that are not embeds refuse to be framed."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from playwright.sync_api import Frame, Page, expect

from timeline.models import Statement

pytestmark = pytest.mark.browser


class HostSite:
    """Another origin (127.0.0.1 on its own port; the live server is at localhost) serving one article page."""

    def __init__(self) -> None:
        self.body = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = f"<!doctype html><html lang=en><title>News</title><body>{site.body}</body></html>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/article"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def host_site(live_server) -> Iterator[HostSite]:
    call_command("load_seeds", verbosity=0)
    site = HostSite()
    yield site
    site.server.shutdown()


def embed_code(page: Page, live_server, path: str) -> str:
    """The code a newsroom pastes, as our oEmbed endpoint gives it."""
    response = page.request.get(f"{live_server.url}/oembed", params={"url": live_server.url + path})
    assert response.ok
    return response.json()["html"]


def frame_height(page: Page) -> float:
    return page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")


def content_height(frame: Frame) -> float:
    return frame.evaluate("document.documentElement.getBoundingClientRect().height")


def the_frame(page: Page) -> Frame:
    page.wait_for_function("document.querySelector('iframe') && document.querySelector('iframe').contentWindow")
    return next(frame for frame in page.frames if frame != page.main_frame)


def test_the_embed_sizes_itself_and_resizes_when_a_filter_changes_inside_it(host_site, live_server, page: Page):
    host_site.body = (
        "<h1>An article</h1><p>Before the timeline.</p>" + embed_code(page, live_server, "/") + "<p>After.</p>"
    )
    page.set_viewport_size({"width": 340, "height": 800})  # the frame gets a 320 px column
    page.goto(host_site.url)
    frame = the_frame(page)
    expect(frame.locator(".result-count")).to_contain_text("36 statements")
    page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height > 1000")
    full = frame_height(page)
    assert abs(full - content_height(frame)) <= 2, "the iframe is not the height of its content"
    assert frame.evaluate("document.documentElement.scrollWidth <= innerWidth"), "the embed overflows its column"

    frame.locator(".filters-fold summary").click()
    frame.get_by_label("Vyacheslav Volodin", exact=True).check()
    expect(frame.locator(".result-count")).to_contain_text("2 statements")
    page.wait_for_function(f"document.querySelector('iframe').getBoundingClientRect().height < {full}")
    assert abs(frame_height(page) - content_height(frame)) <= 2
    assert "speaker=vyacheslav-volodin" in frame.url, "the view inside the iframe is a link of its own"
    assert frame.url.startswith(live_server.url + "/embed/")
    source_link = frame.locator("a.source-link").first
    assert source_link.get_attribute("target") == "_blank"


def test_a_statement_embed_fits_its_content(host_site, live_server, page: Page):
    statement = Statement.objects.published().order_by("pk").first()
    host_site.body = embed_code(page, live_server, statement.get_absolute_url())
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(host_site.url)
    frame = the_frame(page)
    expect(frame.locator("blockquote")).to_contain_text(statement.text[:40])
    page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height !== 360")
    assert abs(frame_height(page) - content_height(frame)) <= 2
    assert frame.evaluate("document.documentElement.scrollWidth") <= 320


def test_a_page_that_is_not_an_embed_refuses_to_be_framed(host_site, live_server, page: Page):
    host_site.body = f'<iframe src="{live_server.url}/" title="not an embed" width="400" height="300"></iframe>'
    refusals = []
    page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(host_site.url)
    frame = the_frame(page)
    page.wait_for_timeout(500)
    assert not frame.url.startswith(live_server.url), f"our chronology was framed at {frame.url}"
    assert refusals, "the browser did not report the frame-ancestors refusal"
