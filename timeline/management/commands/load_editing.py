"""Readers browse while editors save statements in the admin, over real HTTP: errors and lost writes.

Starts gunicorn (several workers and threads, as in production) on the database that DATABASE_URL names,
or drives the server given by --url, which must serve that same database: the command creates the
editors' accounts there and reads back what the database holds at the end.

Every save changes a statement's summary to a unique marker. A save acknowledged by the admin (302 to the
list) is lost when the final summaries no longer reflect it: the committed saves of a statement form a
chain, each one based on the summary its editor saw in the form, so walking back from the final summary
through "the summary this save saw" reaches every save whose work survived. An acknowledged save off that
chain was overwritten by an editor who had not seen it (or never reached the database at all).
"""

import contextlib
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from timeline.models import Event, Source, Speaker, Statement, Topic

SAVED = "saved"
CONFLICT = "refused (conflict)"
INVALID = "refused (form error)"
FAILED = "failed"

MARKER = re.compile(r"^\[load [^\]]*\] ")
# How a refusal over a change the editor has not seen reads, whatever its exact wording.
CONFLICT_WORDS = re.compile(r"chang|conflict|modif|someone|another|since you|version|reload", re.IGNORECASE)
LOCKED = "database is locked"
EDITOR_PREFIX = "load-editor-"


@dataclass(frozen=True)
class Save:
    """One POST of a statement's change form: what the editor saw in the form and what it wrote."""

    editor: str
    statement: int
    seen: str
    written: str
    outcome: str


def lost_writes(saves: Iterable[Save], final: dict[int, str]) -> list[Save]:
    """Acknowledged saves whose work the final summaries no longer reflect.

    Walking back from each statement's final summary through the summary each save saw gives the saves
    that built on one another; an acknowledged save outside that chain was silently overwritten (or lost).
    """
    saves = list(saves)
    by_written = {(save.statement, save.written): save for save in saves if save.outcome in {SAVED, FAILED}}
    kept: set[Save] = set()
    for statement, summary in final.items():
        while (save := by_written.get((statement, summary))) is not None and save not in kept:
            kept.add(save)
            summary = save.seen
    return [save for save in saves if save.outcome == SAVED and save not in kept]


@dataclass
class Tally:
    """What one client thread saw."""

    requests: int = 0
    reads: int = 0
    errors: Counter = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    read_times: list[float] = field(default_factory=list)
    save_times: list[float] = field(default_factory=list)
    saves: list[Save] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_examples) < 5:
            self.error_examples.append(f"{kind}: {detail}")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    elapsed: float = 0.0


class Browser:
    """A client with cookies and no redirects followed; one connection per request (no stale keep-alives)."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.origin = parts.hostname, parts.port or 80, f"{parts.scheme}://{parts.netloc}"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | list | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = {"Accept-Encoding": "identity", "Connection": "close", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            }
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(response.status, response.headers, text)


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with the given id, in document order."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self.submit: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind == "submit":
                self.submit = self.submit or (name, attrs.get("value", ""))
            elif kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in {"button", "image", "reset", "file"}:
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            name, parts = self._textarea
            text = "".join(parts)
            # As in a browser, the line break right after <textarea> is not part of the value.
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(html: str, form_id: str) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    parser = FormFields(form_id)
    parser.feed(html)
    parser.close()
    return parser.fields, parser.submit


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise ValueError("no CSRF token in the page")
    return match.group(1)


def refusal_text(html: str) -> str:
    """The error messages of a re-rendered admin form, as one line."""
    errors = re.findall(r'<(?:p|ul) class="(?:errornote|errorlist[^"]*)"[^>]*>(.*?)</(?:p|ul)>', html, re.DOTALL)
    messages = re.findall(r'<li class="error">(.*?)</li>', html, re.DOTALL)
    text = " ".join(re.sub(r"<[^>]+>", " ", part) for part in errors + messages)
    return " ".join(text.split())


class Start:
    """The clock of the run: it starts when every client is ready (editors logged in), whatever that took."""

    def __init__(self, clients: int, seconds: float) -> None:
        self.seconds = seconds
        self.started = self.deadline = 0.0
        self.barrier = threading.Barrier(clients, action=self.go)

    def go(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.seconds

    def wait(self) -> float:
        """Once every client has called it: the moment to stop."""
        self.barrier.wait()
        return self.deadline


def snapshot(statements: Iterable[int]) -> dict[int, tuple]:
    """Every field an editor's form posts back unchanged, citations included: saves must alter only summaries."""
    rows = Statement.objects.filter(pk__in=statements).prefetch_related("topics", "citations")
    return {
        statement.pk: (
            statement.speaker_id,
            statement.event_id,
            statement.kind,
            statement.text,
            statement.status,
            statement.date,
            statement.date_precision,
            statement.date_evidence,
            sorted(topic.pk for topic in statement.topics.all()),
            sorted((c.source_id, c.passage, c.start, c.end) for c in statement.citations.all()),
        )
        for statement in rows
    }


def server_errors(log: str) -> Counter:
    """The errors Django logged: how many, and how many of them were "database is locked"."""
    records = log.split("Internal Server Error:")[1:]
    return Counter(LOCKED if LOCKED in record else "other" for record in records)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Command(BaseCommand):
    help = (
        "Drive the chronology with concurrent readers while editors save statements through the admin over "
        "real HTTP; print requests served, errors and lost writes. Writes to the database: use a scratch one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=60, help="How long to run (default 60).")
        parser.add_argument("--readers", type=int, default=8, help="Concurrent readers (default 8).")
        parser.add_argument("--editors", type=int, default=4, help="Concurrent editors (default 4).")
        parser.add_argument(
            "--statements",
            type=int,
            default=4,
            help="How many statements the editors share (default 4: they often edit the same one at once).",
        )
        parser.add_argument(
            "--think",
            type=float,
            default=0.2,
            help="Most seconds an editor spends between opening the form and saving it (default 0.2).",
        )
        parser.add_argument(
            "--url", help="A running server on this same database; by default the command starts gunicorn."
        )
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers when started here (default 3).")
        parser.add_argument("--threads", type=int, default=2, help="Threads per gunicorn worker (default 2).")

    def handle(self, *args, **options) -> None:
        statements = list(Statement.objects.published().order_by("pk")[: options["statements"]])
        if not statements:
            raise CommandError("No published statement to edit: run `manage.py load_seeds` on this database first.")
        originals = {statement.pk: MARKER.sub("", statement.summary) for statement in statements}
        before = snapshot(originals)
        accounts = self.editor_accounts(options["editors"])
        reads = self.read_paths()

        with self.server(options) as (base_url, server_log, description):
            self.stdout.write(
                f"load_editing: {options['seconds']:g} s, {options['readers']} readers, {options['editors']} "
                f"editors on {len(statements)} shared statements, {description}, database "
                f"{connection.vendor} ({settings.DATABASES['default']['NAME']})"
            )
            start = Start(options["readers"] + options["editors"], options["seconds"])
            tallies = [Tally() for _ in range(options["readers"] + options["editors"])]
            threads = [
                threading.Thread(target=self.read, args=(base_url, reads, start, tally), daemon=True)
                for tally in tallies[: options["readers"]]
            ] + [
                threading.Thread(
                    target=self.edit,
                    args=(base_url, account, list(originals), start, options["think"], tally),
                    daemon=True,
                )
                for account, tally in zip(accounts, tallies[options["readers"] :], strict=True)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - start.started
            logged = server_errors(server_log()) if server_log else Counter()

        final = dict(Statement.objects.filter(pk__in=originals).values_list("pk", "summary"))
        saves = [save for tally in tallies for save in tally.saves]
        lost = lost_writes(saves, final)
        altered = sorted(pk for pk, fields in snapshot(originals).items() if fields != before[pk])
        self.report(tallies, saves, lost, elapsed, logged)
        if altered:
            self.stdout.write(f"saves changed more than the summary of statement(s) {altered}")
        self.restore(originals)
        User.objects.filter(username__startswith=EDITOR_PREFIX).update(is_active=False)

        errors = sum(sum(tally.errors.values()) for tally in tallies)
        if errors or lost or logged or altered:
            raise CommandError(
                f"{errors} error(s), {len(lost)} lost write(s), {logged.total()} in the server's log, "
                f"{len(altered)} statement(s) changed beyond their summary"
            )

    # --- setting up ---------------------------------------------------------------------

    def editor_accounts(self, count: int) -> list[tuple[str, str]]:
        """Staff users in the Editors group, with a fresh random password for this run only."""
        editors = Group.objects.filter(name="Editors").first()
        accounts = []
        for number in range(1, count + 1):
            username, password = f"{EDITOR_PREFIX}{number}", secrets.token_urlsafe(16)
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = user.is_active = True
            user.is_superuser = editors is None
            user.set_password(password)
            user.save()
            if editors:
                user.groups.add(editors)
            accounts.append((username, password))
        return accounts

    def read_paths(self) -> list[tuple[str, dict]]:
        """What readers ask for: the chronology with and without filters, its fragment, pages and the API."""
        published = Statement.objects.published()
        ids = list(published.values_list("pk", flat=True)[:20])
        paths = ["/", "/?order=-date", "/?side=ru", "/?side=us", "/?q=meeting", "/?from=2016&to=2017"]
        paths += [f"/?speaker={slug}" for slug in Speaker.objects.values_list("slug", flat=True)[:4]]
        paths += [f"/?topic={slug}" for slug in Topic.objects.values_list("slug", flat=True)[:4]]
        paths += [f"/statements/{pk}/" for pk in ids[:8]]
        paths += [f"/sources/{slug}/" for slug in Source.objects.values_list("slug", flat=True)[:3]]
        paths += [f"/events/{slug}/" for slug in Event.objects.values_list("slug", flat=True)[:3]]
        paths += ["/api/statements", "/api/statements?side=us&order=-date"]
        paths += [f"/api/statements/{pk}" for pk in ids[:4]]
        requests = [(path, {}) for path in paths]
        requests.append(("/?side=ru", {"HX-Request": "true", "HX-Target": "results"}))
        return requests

    @contextlib.contextmanager
    def server(self, options: dict) -> Iterator[tuple[str, object, str]]:
        if options["url"]:
            yield options["url"].rstrip("/"), None, f"server {options['url']}"
            return
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)}
        # The same DATABASE_URL as this process (inherited), so both see one database.
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "timeline.wsgi",
            f"--workers={options['workers']}",
            f"--threads={options['threads']}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
            # gunicorn 27 opens a control socket at one fixed path per user; several servers would share it.
            "--no-control-socket",
        ]
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log)  # noqa: S603
            base_url = f"http://127.0.0.1:{port}"
            try:
                self.wait_until_up(base_url, process, log)

                def server_log() -> str:
                    log.flush()
                    log.seek(0)
                    return log.read()

                yield (
                    base_url,
                    server_log,
                    f"gunicorn --workers {options['workers']} --threads {options['threads']} at {base_url}",
                )
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def wait_until_up(self, base_url: str, process: subprocess.Popen, log) -> None:
        browser = Browser(base_url, timeout=5)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log.seek(0)
                raise CommandError(f"gunicorn exited with status {process.returncode}:\n{log.read()[-2000:]}")
            with contextlib.suppress(OSError):
                if browser.request("GET", "/admin/login/").status == 200:
                    return
            time.sleep(0.2)
        raise CommandError(f"gunicorn did not answer {base_url}/admin/login/ within 30 s")

    # --- the clients ----------------------------------------------------------------------

    def checked(self, tally: Tally, browser: Browser, method: str, path: str, expect: set[int], **kwargs):
        """One request, counted; None (and an error counted) when it failed."""
        started = time.monotonic()
        try:
            response = browser.request(method, path, **kwargs)
            response.elapsed = time.monotonic() - started
        except (OSError, http.client.HTTPException) as exc:
            tally.error("connection", f"{method} {path}: {exc!r}")
            return None
        tally.requests += 1
        if LOCKED in response.body:
            tally.error(LOCKED, f"{method} {path}: {response.status}")
        elif response.status >= 500:
            tally.error("5xx", f"{method} {path}: {response.status}")
        elif response.status not in expect:
            tally.error("unexpected status", f"{method} {path}: {response.status}")
        else:
            return response
        return None

    def read(self, base_url: str, paths: list, start: "Start", tally: Tally) -> None:
        browser = Browser(base_url)
        deadline = start.wait()
        while time.monotonic() < deadline:
            path, headers = random.choice(paths)  # noqa: S311
            response = self.checked(tally, browser, "GET", path, {200}, headers=headers)
            if response:
                tally.reads += 1
                tally.read_times.append(response.elapsed)

    def log_in(self, browser: Browser, username: str, password: str, tally: Tally) -> bool:
        page = self.checked(tally, browser, "GET", "/admin/login/?next=/admin/", {200})
        if page is None:
            return False
        login = {"username": username, "password": password, "next": "/admin/"}
        login["csrfmiddlewaretoken"] = csrf_token(page.body)
        done = self.checked(tally, browser, "POST", "/admin/login/?next=/admin/", {302}, data=login)
        if done is None or "sessionid" not in browser.cookies:
            tally.error("login", f"{username} could not log in")
            return False
        return True

    def edit(self, base_url: str, account: tuple, statements: list, start: "Start", think: float, tally) -> None:
        username, password = account
        browser = Browser(base_url)
        try:
            logged_in = self.log_in(browser, username, password, tally)
        except ValueError as error:
            tally.error("login", f"{username}: {error}")
            logged_in = False
        deadline = start.wait()
        if not logged_in:
            return
        number = 0
        while time.monotonic() < deadline:
            number += 1
            statement = random.choice(statements)  # noqa: S311
            path = f"/admin/timeline/statement/{statement}/change/"
            form = self.checked(tally, browser, "GET", path, {200})
            if form is None:
                continue
            fields, submit = form_fields(form.body, "statement_form")
            seen = next((value for name, value in fields if name == "summary"), None)
            if seen is None:
                tally.error("form", f"{path}: no summary field in the change form")
                continue
            written = f"[load {username[len(EDITOR_PREFIX) :]}-{number}-{secrets.token_hex(3)}] {MARKER.sub('', seen)}"
            written = written[:300]
            data = [(name, written if name == "summary" else value) for name, value in fields]
            if submit:
                data.append(submit)
            time.sleep(random.uniform(0, think))  # noqa: S311
            started = time.monotonic()
            try:
                response = browser.request("POST", path, data=data)
            except (OSError, http.client.HTTPException) as exc:
                tally.error("connection", f"POST {path}: {exc!r}")
                tally.saves.append(Save(username, statement, seen, written, FAILED))
                continue
            tally.requests += 1
            outcome = self.save_outcome(response, tally, path)
            if outcome == SAVED:
                tally.save_times.append(time.monotonic() - started)
            tally.saves.append(Save(username, statement, seen, written, outcome))

    def save_outcome(self, response: Response, tally: Tally, path: str) -> str:
        if LOCKED in response.body:
            tally.error(LOCKED, f"POST {path}: {response.status}")
            return FAILED
        if response.status == 302 and urlsplit(response.headers.get("Location", "")).path == (
            "/admin/timeline/statement/"
        ):
            return SAVED
        if response.status == 200 and 'class="errornote"' in response.body:
            text = refusal_text(response.body)
            tally.refusals.append(text)
            if CONFLICT_WORDS.search(text):
                return CONFLICT
            tally.error(INVALID, f"POST {path}: {text[:300]}")
            return INVALID
        kind = "5xx" if response.status >= 500 else "unexpected status"
        tally.error(kind, f"POST {path}: {response.status} {response.headers.get('Location', '')}")
        return FAILED

    # --- the outcome ----------------------------------------------------------------------

    def report(self, tallies: list[Tally], saves: list[Save], lost: list, elapsed: float, logged: Counter) -> None:
        requests = sum(tally.requests for tally in tallies)
        reads = sum(tally.reads for tally in tallies)
        errors = sum((tally.errors for tally in tallies), Counter())
        outcomes = Counter(save.outcome for save in saves)
        read_times = [t for tally in tallies for t in tally.read_times]
        save_times = [t for tally in tallies for t in tally.save_times]
        ms = 1000
        self.stdout.write(f"requests served: {requests} in {elapsed:.1f} s ({requests / elapsed:.0f}/s), {reads} reads")
        if read_times:
            self.stdout.write(
                f"read time: median {statistics.median(read_times) * ms:.0f} ms, "
                f"p95 {percentile(read_times, 0.95) * ms:.0f} ms, max {max(read_times) * ms:.0f} ms"
            )
        if save_times:
            self.stdout.write(
                f"save time: median {statistics.median(save_times) * ms:.0f} ms, "
                f"p95 {percentile(save_times, 0.95) * ms:.0f} ms, max {max(save_times) * ms:.0f} ms"
            )
        self.stdout.write(
            f"saves: {len(saves)} posted, {outcomes[SAVED]} acknowledged, {outcomes[CONFLICT]} {CONFLICT}, "
            f"{outcomes[INVALID]} {INVALID}, {outcomes[FAILED]} failed"
        )
        detail = ", ".join(f"{kind} {count}" for kind, count in sorted(errors.items())) or "none"
        self.stdout.write(f"errors: {sum(errors.values())} ({detail})")
        self.stdout.write(f"server's log: {logged.total()} internal server errors, {logged[LOCKED]} of them '{LOCKED}'")
        for example in [example for tally in tallies for example in tally.error_examples][:5]:
            self.stdout.write(f"  e.g. {example}")
        refusals = Counter(text for tally in tallies for text in tally.refusals)
        for text, count in refusals.most_common(2):
            self.stdout.write(f"  refused {count}x: {text[:200]}")
        self.stdout.write(f"lost writes: {len(lost)}")
        for save in lost[:5]:
            self.stdout.write(
                f"  e.g. statement {save.statement}: {save.editor} saved {save.written[:40]!r}, acknowledged, "
                "but the final summary does not build on it (overwritten unseen)"
            )

    def restore(self, originals: dict[int, str]) -> None:
        """The summaries as they were before the run (saved, so the history shows it)."""
        with transaction.atomic():
            for statement in Statement.objects.filter(pk__in=originals):
                if statement.summary != originals[statement.pk]:
                    statement.summary = originals[statement.pk]
                    statement.save()
