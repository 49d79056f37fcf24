"""Security headers on every page, no inline scripts (CSP), DEBUG off unless asked for."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

PAGES = ["/", "/statements/{pk}/", "/sources/{slug}/", "/events/putin-trump-call-2016-11-14/"]


def _urls() -> list[str]:
    from timeline.models import Source, Statement

    statement = Statement.objects.published().first()
    source = Source.objects.first()
    return [url.format(pk=statement.pk, slug=source.slug) for url in PAGES]


def _directives(policy: str) -> dict[str, list[str]]:
    return {parts[0]: parts[1:] for parts in (directive.split() for directive in policy.split(";")) if parts}


def test_chronology_has_a_strict_content_security_policy(client, seeded):
    policy = _directives(client.get("/")["Content-Security-Policy"])
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("style-src", policy["default-src"])
    assert "'unsafe-eval'" not in script_src
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_every_reader_page_sends_the_security_headers(client, seeded):
    for url in [*_urls(), "/api/statements", "/sources/trump-and-putin-agree-to-work-to-improve-ties/raw"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url


def test_no_inline_scripts_or_style_attributes_on_reader_pages(client, seeded):
    """The CSP forbids inline script and style, so the pages must not need them."""
    for url in _urls():
        page = client.get(url).content.decode()
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.DOTALL | re.IGNORECASE)
        assert scripts, url
        for attributes, body in scripts:
            if re.search(r'\btype="application/ld\+json"', attributes):
                json.loads(body)  # A JSON-LD data block: never executed, so the CSP allows it.
                continue
            assert re.search(r'\bsrc="/static/', attributes), (url, attributes)
            assert body.strip() == "", url
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url
        assert "<style" not in page, url


def test_no_third_party_requests_from_the_chronology(client, seeded):
    page = client.get("/").content.decode()
    for url in re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http:", "https:", "//")), url


def test_htmx_fragment_also_has_the_headers(client, seeded):
    response = client.get("/", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


def _debug_setting(environ: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | environ
    result = subprocess.run(
        [sys.executable, "-c", "import timeline.settings as s; print(s.DEBUG)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("environ", "expected"), [({}, "False"), ({"DJANGO_DEBUG": "0"}, "False"), ({"DJANGO_DEBUG": "1"}, "True")]
)
def test_debug_is_off_unless_django_debug_is_set(environ, expected):
    assert _debug_setting(environ) == expected


def test_reader_pages_set_no_cookies(client, seeded):
    """Readers (and, later, embeds) get pages without a session or CSRF cookie."""
    for url in _urls():
        assert not client.get(url).cookies, url


def test_unknown_page_is_a_friendly_404(client, seeded):
    response = client.get("/statements/999999/")
    assert response.status_code == 404
    assert b"Back to the chronology" in response.content
