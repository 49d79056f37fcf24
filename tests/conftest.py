"""Shared fixtures: static files for the templates, the seed data, Debian's Chromium for browser tests."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

# pytest-django's live_server runs the app in a thread of this process, and Playwright's sync API
# runs an event loop in it, so Django's ORM would otherwise refuse to work (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _static_manifest() -> None:
    """Templates need WhiteNoise's manifest; collected afresh so tests never see stale CSS or JS."""
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture
def seeded(db) -> None:
    """The curated seed data, loaded as `manage.py load_seeds` loads it."""
    call_command("load_seeds", verbosity=0)


@pytest.fixture
def seed_dir() -> Path:
    return Path(settings.BASE_DIR) / "seeds"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, never a browser Playwright downloads itself (that fails here)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (browser tests must not be skipped in CI)", pytrace=False)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, with static files served by WhiteNoise as in production.

    pytest-django wraps the server in staticfiles' handler, which looks files up with the finders
    and so 404s the hashed names that CompressedManifestStaticFilesStorage puts in the pages.
    Without that wrapper, /static/ reaches WhiteNoise's middleware, serving STATIC_ROOT.
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _whitenoise_serves_static
    server.start()
    yield server
    server.stop()


def _whitenoise_serves_static(app: WSGIHandler) -> WSGIHandler:
    return app
