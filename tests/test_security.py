"""Security headers on every page (CSP, Permissions-Policy, CORS only for open data), no inline scripts, DEBUG off
unless asked for, repeated failed admin logins locked out."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from timeline.models import Source, Statement

PAGES = ["/", "/statements/{pk}/", "/sources/{slug}/", "/events/putin-trump-call-2016-11-14/"]


def _urls() -> list[str]:
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


# --- The Content-Security-Policy, exactly --------------------------------------------------------------

STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def test_reader_pages_have_exactly_the_strict_policy(client, seeded):
    """Our own files only: nothing inline, nothing from elsewhere, no plugins, no <base>, no framing."""
    for url in [*_urls(), "/api/docs", "/embed/code/"]:
        assert _directives(client.get(url)["Content-Security-Policy"]) == STRICT_POLICY, url


def test_embeds_differ_only_in_who_may_frame_them(client, seeded, settings):
    settings.TIMELINE_EMBED_FRAME_ANCESTORS = "https://news.example https://other.example"
    policy = _directives(client.get("/embed/")["Content-Security-Policy"])
    assert policy == STRICT_POLICY | {"frame-ancestors": ["https://news.example", "https://other.example"]}


def test_the_admin_differs_only_in_allowing_inline_styles(client, db):
    """Django's admin templates carry inline styles; its scripts stay our own files only."""
    policy = _directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert policy == STRICT_POLICY | {"style-src": ["'self'", "'unsafe-inline'"]}


# --- Permissions-Policy ------------------------------------------------------------------------------


def _permissions(header: str) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in header.split(","))


@pytest.mark.parametrize("url", ["/", "/embed/", "/api/statements", "/admin/login/", "/healthz"])
def test_powerful_browser_features_are_refused_everywhere(client, seeded, url):
    """Camera, microphone, geolocation and the like: the site uses none, so neither it nor anything it
    frames may ask for them."""
    features = _permissions(client.get(url)["Permissions-Policy"])
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
    assert set(features.values()) == {"()"}
    assert "clipboard-write" not in features, "the embed-code page's Copy button needs the clipboard"


# --- CORS --------------------------------------------------------------------------------------------

ORIGIN = {"Origin": "https://news.example"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/statements",
        "/export.csv",
        "/export/timelinejs.json",
        "/feeds/statements.atom",
        "/feeds/events.ics",
        "/oembed?url=http://testserver/",
    ],
)
def test_open_data_may_be_read_from_any_origin_without_credentials(client, seeded, url):
    response = client.get(url, headers=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("url", ["/", "/statements/{pk}/", "/sources/{slug}/", "/embed/", "/admin/login/"])
def test_pages_are_not_opened_to_other_origins(client, seeded, url):
    url = url.format(pk=Statement.objects.published().first().pk, slug=Source.objects.first().slug)
    assert "Access-Control-Allow-Origin" not in client.get(url, headers=ORIGIN)


def test_a_preflight_allows_reading_only(client, seeded):
    response = client.options("/api/statements", headers={**ORIGIN, "Access-Control-Request-Method": "GET"})
    assert 200 <= response.status_code < 300
    assert set(response["Access-Control-Allow-Methods"].replace(" ", "").split(",")) <= {"GET", "HEAD", "OPTIONS"}


# --- Failed admin logins -----------------------------------------------------------------------------

LOGIN = "/admin/login/?next=/admin/"


def _log_in(client, username: str, password: str, **headers: str):
    return client.post(LOGIN, {"username": username, "password": password}, headers=headers)


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password="right horse battery", is_staff=True)


def test_a_few_wrong_passwords_are_forgiven(client, editor):
    """Below the limit a mistyped password costs nothing: the right one still logs in."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, "editor", "wrong").status_code == 200
    assert _logged_in(_log_in(client, "editor", "right horse battery"))


def test_repeated_wrong_passwords_lock_out_even_the_right_one_with_a_clear_message(client, editor):
    """After AXES_FAILURE_LIMIT wrong passwords the right one is refused too, and the page says why and for how long."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "editor", "wrong")
    response = _log_in(client, "editor", "right horse battery")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins for “editor”" in page
    assert "for 15 minutes" in page
    assert client.get("/admin/").status_code == 302, "logged in after all"


def test_a_lockout_leaves_other_users_alone(client, editor, django_user_model):
    django_user_model.objects.create_user("colleague", password="another good phrase", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "editor", "wrong")
    assert _logged_in(_log_in(client, "colleague", "another good phrase"))


def test_a_forged_forwarded_address_does_not_escape_a_lockout(client, editor, settings):
    """Without a proxy configured, X-Forwarded-For is the client's own word: a new one each try changes nothing."""
    settings.TIMELINE_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "editor", "wrong", **{"X-Forwarded-For": f"203.0.113.{n}"})
    assert _log_in(client, "editor", "right horse battery", **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429


def test_behind_a_proxy_the_lockout_is_per_client_address(client, editor, settings):
    """With one proxy in front, the address it appends is the client's: another client may still log in as
    that user, while the locked-out one cannot escape by prepending addresses of its own."""
    settings.TIMELINE_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "editor", "wrong", **{"X-Forwarded-For": "203.0.113.9"})
    forged = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    assert _log_in(client, "editor", "right horse battery", **forged).status_code == 429
    assert _logged_in(_log_in(client, "editor", "right horse battery", **{"X-Forwarded-For": "198.51.100.7"}))
