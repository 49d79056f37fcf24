"""Concurrent editors and readers: SQLite's settings, and a load run over real HTTP with lost-write accounting.

The SQLite tests open a file database of their own (never the in-memory test database, where threads share
one connection), so they mean the same under any DATABASE_URL.
"""

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

from timeline import settings as project_settings
from timeline.management.commands.load_editing import CONFLICT, FAILED, SAVED, Save, form_fields, lost_writes

ALIAS = "concurrency"


@contextmanager
def file_database(path: Path, database: dict, django_db_blocker) -> Iterator[str]:
    """`database` (Django settings) opened on the SQLite file `path` as an extra alias, one connection a thread."""
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: {**database, "NAME": str(path)}})
    connections.settings[ALIAS] = configured[DEFAULT_DB_ALIAS]
    try:
        with django_db_blocker.unblock():
            yield ALIAS
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]


def pragma(alias: str, name: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_sqlite_connections_use_wal_a_busy_timeout_and_immediate_transactions(tmp_path, django_db_blocker):
    """A SQLite database from DATABASE_URL is opened in WAL mode, waits 20 s for a lock and begins IMMEDIATE."""
    database = project_settings.database_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with file_database(tmp_path / "db.sqlite3", database, django_db_blocker) as alias:
        assert pragma(alias, "journal_mode") == "wal"
        assert pragma(alias, "busy_timeout") == 20_000
        assert pragma(alias, "synchronous") == 1  # NORMAL
        assert connections[alias].transaction_mode == "IMMEDIATE"


def test_options_in_database_url_win_over_the_defaults(tmp_path, django_db_blocker):
    """`?timeout=5` in DATABASE_URL sets a 5 s busy timeout; the other SQLite options stay."""
    database = project_settings.database_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}?timeout=5")
    with file_database(tmp_path / "db.sqlite3", database, django_db_blocker) as alias:
        assert pragma(alias, "busy_timeout") == 5_000
        assert pragma(alias, "journal_mode") == "wal"


def test_postgresql_gets_none_of_the_sqlite_options():
    """SQLite's options would be refused by psycopg as connection parameters: PostgreSQL gets only its own."""
    database = project_settings.database_settings("postgres://user:secret@127.0.0.1:5432/timeline?sslmode=require")
    assert database["OPTIONS"] == {"sslmode": "require"}


def hammer(alias: str, writers: int = 6, writes: int = 30, readers: int = 4) -> tuple[list[Exception], int, int]:
    """Writers increment a counter (read, then write, in one transaction) while readers keep reading.

    Returns the errors, the counter's final value and how many reads were made.
    """
    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        cursor.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
    errors: list[Exception] = []
    reads = [0] * readers
    writing = threading.Event()
    start = threading.Barrier(writers + readers)

    def write(number: int) -> None:
        try:
            start.wait()
            for i in range(writes):
                try:
                    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                        cursor.execute("SELECT n FROM counter WHERE id = 1")
                        (n,) = cursor.fetchone()
                        time.sleep(0.001)  # an editor's save does work between reading and writing
                        cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
                        cursor.execute("INSERT INTO note (body) VALUES (%s)", [f"{number}-{i}"])
                except OperationalError as error:
                    errors.append(error)
        finally:
            connections[alias].close()

    def read(number: int) -> None:
        try:
            start.wait()
            while writing.is_set():
                try:
                    with connections[alias].cursor() as cursor:
                        cursor.execute("SELECT count(*), sum(length(body)) FROM note")
                        cursor.fetchone()
                    reads[number] += 1
                except OperationalError as error:
                    errors.append(error)
        finally:
            connections[alias].close()

    writing.set()
    threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    writer_threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in writer_threads:
        thread.start()
    for thread in writer_threads:
        thread.join()
    writing.clear()
    for thread in threads:
        thread.join()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT n FROM counter WHERE id = 1")
        (total,) = cursor.fetchone()
    return errors, total, sum(reads)


def test_concurrent_saves_wait_for_each_other_instead_of_failing(tmp_path, django_db_blocker):
    """Six threads saving at once (read, then write, as the admin does) while four read: every save succeeds,
    none is lost, and the readers are never refused."""
    database = project_settings.database_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with file_database(tmp_path / "db.sqlite3", database, django_db_blocker) as alias:
        errors, total, reads = hammer(alias)
    assert errors == []
    assert total == 6 * 30
    assert reads > 0


def test_without_these_options_the_same_load_fails(tmp_path, django_db_blocker):
    """The load above is strong enough to matter: with Django's default SQLite options it ends in
    "database is locked" errors (the failure editors saw)."""
    database = {"ENGINE": "django.db.backends.sqlite3"}
    with file_database(tmp_path / "db.sqlite3", database, django_db_blocker) as alias:
        errors, total, _ = hammer(alias)
    assert errors
    assert all("database is locked" in str(error) for error in errors)
    assert total == 6 * 30 - len(errors)


# --- the load run's accounting ------------------------------------------------------------


def test_saves_that_each_built_on_the_last_are_all_kept():
    """Editors who each saw the previous save before saving lose nothing."""
    saves = [Save("a", 1, "original", "A", SAVED), Save("b", 1, "A", "B", SAVED), Save("a", 1, "B", "C", SAVED)]
    assert lost_writes(saves, {1: "C"}) == []


def test_a_save_overwritten_by_an_editor_who_had_not_seen_it_is_a_lost_write():
    """Two editors open the same form; both saves are acknowledged; the first one's work is gone: lost."""
    first, second = Save("a", 1, "original", "A", SAVED), Save("b", 1, "original", "B", SAVED)
    assert lost_writes([first, second], {1: "B"}) == [first]


def test_a_save_refused_as_a_conflict_is_not_a_lost_write():
    """The optimistic lock's refusal is the editor being told, not a silent loss."""
    saves = [Save("a", 1, "original", "A", SAVED), Save("b", 1, "original", "B", CONFLICT)]
    assert lost_writes(saves, {1: "A"}) == []


def test_an_acknowledged_save_missing_from_the_database_is_a_lost_write():
    """A 302 whose summary the database never shows (nothing built on it either) is lost."""
    save = Save("a", 1, "original", "A", SAVED)
    assert lost_writes([save], {1: "original"}) == [save]


def test_a_failed_save_that_reached_the_database_still_links_the_chain():
    """A save whose response failed but which committed, and was built on, keeps the save it built on."""
    saves = [Save("a", 1, "original", "A", SAVED), Save("b", 1, "A", "B", FAILED), Save("c", 1, "B", "C", SAVED)]
    assert lost_writes(saves, {1: "C"}) == []


def test_the_change_form_is_posted_back_as_a_browser_would():
    """Hidden inputs, selected options, textareas without the line break after the tag, ticked boxes only,
    the first submit button, and nothing from other forms on the page."""
    html = """
        <form id="logout-form"><input type="hidden" name="csrfmiddlewaretoken" value="other"></form>
        <form id="statement_form" method="post">
          <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
          <input type="hidden" name="version" value="7">
          <input type="text" name="summary" value="Says &quot;yes&quot;">
          <select name="topics" multiple><option value="1" selected>a</option><option value="2">b</option>
            <option value="3" selected>c</option></select>
          <textarea name="text">
Line one
line two</textarea>
          <input type="checkbox" name="citations-0-DELETE">
          <input type="checkbox" name="shown" checked>
          <input type="submit" name="_save" value="Save"><input type="submit" name="_continue" value="Go on">
        </form>"""
    fields, submit = form_fields(html, "statement_form")
    assert fields == [
        ("csrfmiddlewaretoken", "tok&en"),
        ("version", "7"),
        ("summary", 'Says "yes"'),
        ("topics", "1"),
        ("topics", "3"),
        ("text", "Line one\nline two"),
        ("shown", "on"),
    ]
    assert submit == ("_save", "Save")


def test_a_short_load_run_on_sqlite_under_gunicorn_has_no_errors_and_no_lost_writes(tmp_path):
    """`manage.py load_editing` for a few seconds against gunicorn (2 workers, 2 threads) on a SQLite file:
    readers and editors sharing statements get no error, every acknowledged save is in the database, and
    saves over a change the editor had not seen are refused (conflict), never silently applied."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'load.sqlite3'}", "DJANGO_SECRET_KEY": "load-run"}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [*manage, *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
        )

    for setup in (["migrate", "-v0"], ["load_seeds", "-v0"]):
        assert run(*setup).returncode == 0
    result = run(
        "load_editing", "--seconds", "3", "--readers", "2", "--editors", "3", "--statements", "2", "--workers", "2"
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"^errors: 0 ", report, re.MULTILINE), report
    assert re.search(r"^lost writes: 0$", report, re.MULTILINE), report
    acknowledged = int(re.search(r"(\d+) acknowledged", report).group(1))
    assert acknowledged > 0, report
