"""Running in production: behind an HTTPS proxy, several workers, a health check, `check --deploy` clean.

The production variables are read from the README's "Run in production" section, so what is tested is
what is documented.
"""

import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connections

from timeline.models import Event, Statement

# What a proxy in front sends: the host the browser asked for, and that it asked over HTTPS.
HTTPS_PROXY = {"Host": "testserver", "X-Forwarded-Proto": "https"}
BASE_DIR = Path(settings.BASE_DIR)


def documented_production_environment() -> dict[str, str]:
    """The `export NAME=value` lines of the README's "Run in production" section."""
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("## Run in production", 1)[1].split("\n## ", 1)[0]
    variables = dict(re.findall(r"^export (\w+)=(\S+)$", section, re.MULTILINE))
    assert variables, "the README lists no production variables"
    return variables


def clean_environment(**variables: str) -> dict[str, str]:
    """This process's environment without any Django setting, plus `variables`."""
    names = ("DJANGO_", "DATABASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "TIMELINE_")
    return {k: v for k, v in os.environ.items() if not k.startswith(names)} | variables


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code]
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False, timeout=60)  # noqa: S603


SECRET_KEY_OF = "import timeline.settings as s; print(s.SECRET_KEY)"


# --- Behind an HTTPS proxy --------------------------------------------------------------------------


@pytest.fixture
def behind_https_proxy(settings):
    """Production behind a proxy: DJANGO_SECURE_PROXY_SSL_HEADER=1 and DJANGO_SECURE_SSL_REDIRECT=1."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, "None"), ({"DJANGO_SECURE_PROXY_SSL_HEADER": "1"}, "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_the_proxy_header_is_trusted_only_when_asked(environ, expected, tmp_path):
    """Django believes X-Forwarded-Proto only with DJANGO_SECURE_PROXY_SSL_HEADER: any client can send one."""
    env = clean_environment(DJANGO_SECRET_KEY_FILE=str(tmp_path / "key"), DJANGO_SETTINGS_MODULE="timeline.settings")
    result = run_python("from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)", env | environ)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_behind_an_https_proxy_pages_answer_instead_of_redirecting_to_themselves(client, seeded, behind_https_proxy):
    """With the SSL redirect on, a request the proxy marks as HTTPS is served; a plain HTTP one is sent to HTTPS."""
    response = client.get("/", headers=HTTPS_PROXY)
    assert response.status_code == 200
    redirected = client.get("/statements/1/?a=b")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/statements/1/?a=b"


def absolute_url_pages() -> list[str]:
    statement = Statement.objects.published().filter(citations__isnull=False, event__isnull=False).first()
    source = statement.citations.first().source
    event = Event.objects.filter(statements__status=Statement.Status.PUBLISHED).first()
    return [
        "/",
        statement.get_absolute_url(),
        source.get_absolute_url(),
        event.get_absolute_url(),
        f"/statements/{statement.pk}/cite.json",
        f"/statements/{statement.pk}/cite.ris",
        f"/embed/code/?view={statement.get_absolute_url()}",
        "/embed/code/?view=/%3Fside%3Dru",
        f"/oembed?url=https://testserver{statement.get_absolute_url()}",
        "/oembed?url=https://testserver/",
        "/feeds/statements.atom",
        "/feeds/events.ics",
        "/sitemap.xml",
        "/robots.txt",
        "/export.csv",
        "/export/timelinejs.json",
        "/api/statements?page_size=1",
    ]


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode().replace("\r\n ", "")  # iCalendar folds long lines


def test_behind_an_https_proxy_every_absolute_url_is_https(client, seeded, behind_https_proxy):
    """Embed code, oEmbed, feeds, sitemap, robots.txt, exports, citations, API links, canonical and Open Graph
    links all say https://: an http:// embed is blocked as mixed content on an HTTPS news site."""
    for url in absolute_url_pages():
        response = client.get(url, headers=HTTPS_PROXY)
        assert response.status_code == 200, url
        text = body(response)
        assert "https://testserver/" in text, url
        assert "http://testserver" not in text, url
        assert "testserver:" not in text, url


def test_behind_an_https_proxy_a_statement_page_names_its_https_address(client, seeded, behind_https_proxy):
    """The canonical link, og:url and the JSON-LD's url are the page's https:// address."""
    statement = Statement.objects.published().first()
    address = f"https://testserver{statement.get_absolute_url()}"
    page = client.get(statement.get_absolute_url(), headers=HTTPS_PROXY).content.decode()
    assert f'<link rel="canonical" href="{address}">' in page
    assert f'<meta property="og:url" content="{address}">' in page
    assert f'"url": "{address}"' in page


# --- The secret key ---------------------------------------------------------------------------------


def test_workers_started_without_a_secret_key_share_one_kept_in_a_private_file(tmp_path):
    """Workers starting at once without DJANGO_SECRET_KEY agree on one key (else each signs sessions its own way
    and editors are logged out whenever another worker answers), kept in a file only its owner can read."""
    key_file = tmp_path / "secret_key"
    env = clean_environment(DJANGO_SECRET_KEY_FILE=str(key_file))
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", SECRET_KEY_OF], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
    assert all(worker.returncode == 0 for worker in workers)
    assert len(keys) == 1
    (key,) = keys
    assert len(key) >= 50
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"], "a temporary file was left behind"
    restarted = run_python(SECRET_KEY_OF, env)
    assert restarted.stdout.strip() == key, "a restart made a new key"


def test_django_secret_key_wins_over_the_file(tmp_path):
    key_file = tmp_path / "secret_key"
    env = clean_environment(DJANGO_SECRET_KEY_FILE=str(key_file), DJANGO_SECRET_KEY="k" * 30 + "from-the-environment")
    result = run_python(SECRET_KEY_OF, env)
    assert result.stdout.strip() == "k" * 30 + "from-the-environment"
    assert not key_file.exists()


def test_an_unwritable_key_file_place_stops_with_a_reason(tmp_path):
    """A key that cannot be kept is an error naming the way out, never a silent key per process."""
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    result = run_python(SECRET_KEY_OF, clean_environment(DJANGO_SECRET_KEY_FILE=str(blocked / "secret_key")))
    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY" in result.stderr


def test_the_default_key_file_is_not_tracked_by_git():
    """The key file sits in the checkout (beside db.sqlite3) but must never be committed."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    command = [git, "check-ignore", "--quiet", "secret_key"]
    result = subprocess.run(command, cwd=BASE_DIR, capture_output=True, check=False)  # noqa: S603
    if result.returncode == 128:
        pytest.skip("not a git checkout")
    assert result.returncode == 0, "secret_key is not git-ignored"


# --- check --deploy ---------------------------------------------------------------------------------


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path):
    env = clean_environment(DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"), **documented_production_environment())
    result = check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_them(tmp_path):
    """The check above is not vacuous: a laptop's settings are not production's."""
    result = check_deploy(clean_environment(DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key")))
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, warning


# --- /healthz ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_check_is_ok_when_the_database_answers(client, django_assert_num_queries):
    """200, plain text, one trivial query; no session, no cookie, nothing for a cache to vary on or keep."""
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"ok\n"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_check_is_503_when_the_database_does_not_answer(client):
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
    assert not response.cookies


@pytest.mark.django_db
def test_health_check_answers_plain_http_with_the_ssl_redirect_on(client, behind_https_proxy):
    """A supervisor asks the application server directly, without the proxy's header: no redirect for it."""
    assert client.get("/healthz").status_code == 200


# --- The README's production command ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    """GET without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (a local URL)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_the_site_with_the_documented_production_variables(tmp_path):
    """`gunicorn timeline.wsgi` with several workers and the README's variables: the health check answers,
    and a plain HTTP request (no proxy header) is redirected to HTTPS once, not forever."""
    production = documented_production_environment()
    host = production["ALLOWED_HOSTS"].split(",")[0]
    port = free_port()
    env = clean_environment(
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **production,
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603
        [str(gunicorn), "timeline.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, content = fetch(f"http://127.0.0.1:{port}/healthz", {"Host": host})
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        assert (status, content) == (200, b"ok\n")
        status, headers, _ = fetch(f"http://127.0.0.1:{port}/", {"Host": host})
        assert (status, headers["Location"]) == (301, f"https://{host}/")
        status, _, _ = fetch(f"http://127.0.0.1:{port}/healthz", {**HTTPS_PROXY, "Host": host})
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
