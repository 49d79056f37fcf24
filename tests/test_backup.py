"""Backup and restore: one snapshot of every table, restored exactly into an empty database, history included."""

import gzip
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from timeline.models import Statement, Topic

from .factories import admin_form_data, make_editor

pytestmark = pytest.mark.django_db

MANAGE = Path(settings.BASE_DIR) / "manage.py"
# The role .ci/run creates; TIMELINE_TEST_POSTGRES_URL names another server for the cross-database test.
POSTGRES_URL = os.environ.get("TIMELINE_TEST_POSTGRES_URL", "postgres://timeline:timeline@127.0.0.1:5432/postgres")


def every_row() -> dict[str, list[tuple]]:
    """Every row of every table of every installed app but sessions, by table, in primary key order."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label == "sessions" or not model._meta.managed or model._meta.proxy:
            continue
        columns = [field.attname for field in model._meta.local_concrete_fields]
        rows[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list(*columns))
    return rows


def history_counts() -> dict[str, int]:
    return {table: len(rows) for table, rows in every_row().items() if "historical" in table}


@pytest.fixture
def edited(seeded, admin_client) -> None:
    """The seed data after an editor's day in the admin: a statement reworded and given other topics, another
    deleted, a new editor in the Editors group; so there is history, m2m history and an admin log."""
    changed, deleted = Statement.objects.order_by("pk")[:2]
    url = reverse("admin:timeline_statement_change", args=[changed.pk])
    other_topics = [str(pk) for pk in Topic.objects.exclude(statements=changed).values_list("pk", flat=True)[:2]]
    data = admin_form_data(admin_client.get(url)) | {"summary": "Reworded by an editor", "topics": other_topics}
    assert admin_client.post(url, data | {"_save": "Save"}).status_code == 302
    url = reverse("admin:timeline_statement_delete", args=[deleted.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    make_editor()


def empty_database() -> None:
    """`manage.py flush`: every table emptied, then content types and permissions made again, as after
    `migrate`. (Inside the test's transaction PostgreSQL truncates only once pending foreign key checks ran.)"""
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)


def back_up(path: Path) -> Path:
    call_command("backup", str(path), verbosity=0)
    return path


def restore(path: Path) -> None:
    call_command("restore", str(path), verbosity=0)


@pytest.mark.parametrize("name", ["site.jsonl", "site.jsonl.gz"])
def test_restore_into_an_emptied_database_brings_back_every_row_and_adds_no_history(edited, tmp_path, name):
    """Every row of every table (history, m2m history, users, admin log) comes back as it was, ids included;
    simple-history records nothing for the restore itself. A `.gz` name gives a gzipped file."""
    before = every_row()
    deleted = Statement.history.filter(history_type="-").get()
    assert before["timeline_historicalstatement_topics"], "the topic change should have m2m history"
    assert before["django_admin_log"], "the admin edits should be logged"
    path = back_up(tmp_path / name)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")

    empty_database()
    assert not Statement.objects.exists()
    assert not User.objects.exists()
    restore(path)

    assert every_row() == before
    assert Statement.history.filter(history_type="-").get() == deleted
    assert history_counts() == {table: len(rows) for table, rows in before.items() if "historical" in table}


def test_a_restored_site_takes_new_rows_with_fresh_ids(edited, tmp_path, client):
    """After a restore, id sequences continue past the restored rows: the next statement, history record, topic
    and user are inserted with new ids, not ones that collide (PostgreSQL sequences are reset)."""
    path = back_up(tmp_path / "site.jsonl")
    empty_database()
    restore(path)
    highest = {model: model._base_manager.order_by("-pk").values_list("pk", flat=True)[0] for model in (Topic, User)}
    highest_record = Statement.history.order_by("-history_id").values_list("history_id", flat=True)[0]
    statement = Statement.objects.order_by("pk").first()

    client.force_login(User.objects.get(username="admin"))
    url = reverse("admin:timeline_statement_change", args=[statement.pk])
    data = admin_form_data(client.get(url)) | {"summary": "Edited after the restore"}
    assert client.post(url, data | {"_save": "Save"}).status_code == 302
    topic = Topic.objects.create(name="New after restore", slug="new-after-restore")
    user = User.objects.create_user(username="newcomer")

    assert topic.pk > highest[Topic]
    assert user.pk > highest[User]
    assert Statement.history.filter(id=statement.pk).latest().history_id > highest_record


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(edited, tmp_path):
    path = back_up(tmp_path / "site.jsonl")
    before = every_row()

    with pytest.raises(CommandError, match="the database is not empty"):
        restore(path)

    assert every_row() == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is not a timeline backup"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16, "is not a timeline backup"),
        (b'[{"model": "timeline.topic", "pk": 1, "fields": {"name": "Syria", "slug": "syria"}}]\n', "not a timeline"),
        (gzip.compress(b"just some text\n"), "is not a timeline backup"),
        (gzip.compress(bytes(range(256)))[:40], "not a timeline backup"),
    ],
    ids=["empty", "binary", "dumpdata-json", "gzipped-text", "broken-gzip"],
)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, content, reason):
    path = tmp_path / "upload.jsonl"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=reason):
        restore(path)

    assert not User.objects.exists()


@pytest.mark.parametrize(("name", "reason"), [("site.jsonl", "is incomplete"), ("site.jsonl.gz", "is damaged")])
def test_restore_of_a_backup_cut_short_writes_nothing(edited, tmp_path, name, reason):
    """All or nothing: a file that ends early (a copy interrupted, a full disk) is refused after its first
    tables went in, and those are rolled back."""
    whole = back_up(tmp_path / name).read_bytes()
    if name.endswith(".gz"):
        cut = whole[: len(whole) * 2 // 3]
    else:
        lines = whole.splitlines(keepends=True)
        cut = b"".join(lines[: len(lines) * 2 // 3])
    (tmp_path / name).write_bytes(cut)
    empty_database()
    emptied = every_row()

    with pytest.raises(CommandError, match=reason):
        restore(tmp_path / name)

    assert every_row() == emptied


def test_restore_refuses_a_backup_from_another_migration_state_and_names_the_difference(seeded, tmp_path):
    path = back_up(tmp_path / "site.jsonl")
    header, rest = path.read_text().split("\n", 1)
    header = json.loads(header)
    header["migrations"].append(["timeline", "9999_from_the_future"])
    path.write_text(json.dumps(header) + "\n" + rest)
    empty_database()

    with pytest.raises(CommandError, match=r"different migration state \(only in the backup: timeline.9999_from"):
        restore(path)

    assert not Statement.objects.exists()


def run_python(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """Python in a process of its own, with the site's settings for `database_url`."""
    env = os.environ | {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_SETTINGS_MODULE": "timeline.settings",
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def run_manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    return run_python(str(MANAGE), *args, database_url=database_url)


def test_the_command_refuses_in_one_line_with_a_non_zero_exit_status(tmp_path):
    garbage = tmp_path / "garbage.jsonl.gz"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))

    result = run_manage("restore", str(garbage), database_url=f"sqlite:///{tmp_path / 'never-opened.sqlite3'}")

    assert result.returncode != 0
    assert result.stderr.strip() == "CommandError: garbage.jsonl.gz is not a timeline backup"


@contextmanager
def new_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, unmigrated database: a SQLite file, or a PostgreSQL database dropped afterwards (on the
    test database's server, else TIMELINE_TEST_POSTGRES_URL's or CI's; skipped when none answers, outside CI)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.sqlite3'}"
        return
    import psycopg

    server = POSTGRES_URL
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        server = f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{db['HOST']}:{db['PORT'] or 5432}/postgres"
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL is not reachable (TIMELINE_TEST_POSTGRES_URL or the CI default): {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    name = f"timeline_backup_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows_of(path: Path) -> list:
    """A backup's tables and rows, its header (when and where it was made) left out."""
    with path.open("rb") as file:
        return [json.loads(line) for line in gzip.open(file, "rt", encoding="utf-8")][1:]


def test_a_backup_moves_between_sqlite_and_postgresql_row_for_row(edited, tmp_path):
    """The site can move to the other kind of database: restored there and backed up again, the backup holds
    the same rows as the original, in the same tables, with the same ids."""
    original = back_up(tmp_path / "here.jsonl.gz")
    other_kind = "sqlite" if connection.vendor == "postgresql" else "postgresql"

    with new_database(other_kind, tmp_path) as other:
        for args in (["migrate", "-v0"], ["restore", str(original)], ["backup", str(tmp_path / "there.jsonl.gz")]):
            result = run_manage(*args, database_url=other)
            assert result.returncode == 0, result.stderr

    assert rows_of(tmp_path / "there.jsonl.gz") == rows_of(original)


SNAPSHOT_SCRIPT = """
import sys, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from timeline import backups
from timeline.models import Statement

call_command("migrate", verbosity=0)
call_command("load_seeds", verbosity=0)
pk = Statement.objects.order_by("pk").values_list("pk", flat=True)[0]
first_table = backups.backed_up_models()[0]._meta.db_table

def edit():
    try:
        statement = Statement.objects.get(pk=pk)
        statement.summary = "Edited during the backup"
        statement.save()
    finally:
        connections.close_all()

def edit_meanwhile(table, rows):
    if table == first_table:  # the snapshot has begun; the statements and their history are still to come
        thread = threading.Thread(target=edit)
        thread.start()
        thread.join()

with open(sys.argv[1], "w", encoding="utf-8") as stream:
    backups.backup(stream, on_table=edit_meanwhile)
print(pk, Statement.objects.get(pk=pk).summary, Statement.history.filter(id=pk).count(), sep="|")
"""


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_editors_keep_saving_during_a_backup_which_keeps_the_state_it_began_with(tmp_path, kind):
    """A backup is one snapshot that takes no write lock, with the site's own settings (on SQLite: WAL, saves in
    IMMEDIATE transactions): an editor saves while it runs, and the backup holds the statement and its history
    as they were when it began, not half of the change."""
    with new_database(kind, tmp_path) as database:
        result = run_python("-c", SNAPSHOT_SCRIPT, str(tmp_path / "site.jsonl"), database_url=database)
    assert result.returncode == 0, result.stderr
    pk, summary_now, records_now = result.stdout.strip().splitlines()[-1].split("|")

    with (tmp_path / "site.jsonl").open(encoding="utf-8") as stream:
        tables = rows_by_table(stream)
    statements = tables["timeline_statement"]
    backed_up = {row[0]: row[statements["columns"].index("summary")] for row in statements["rows"]}
    history = tables["timeline_historicalstatement"]
    records = [row for row in history["rows"] if row[history["columns"].index("id")] == int(pk)]
    assert summary_now == "Edited during the backup"
    assert backed_up[int(pk)] != summary_now
    assert len(records) == int(records_now) - 1


def rows_by_table(stream) -> dict[str, dict]:
    tables, current = {}, None
    for line in map(json.loads, list(stream)[1:]):
        if isinstance(line, dict) and "table" in line:
            current = tables[line["table"]] = {"columns": line["columns"], "rows": []}
        elif isinstance(line, list):
            current["rows"].append(line)
    return tables
