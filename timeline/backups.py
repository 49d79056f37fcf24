"""Backups of the site's data as JSON Lines, portable between SQLite and PostgreSQL.

A backup is one consistent snapshot of every table (ours, the history tables, users, groups, permissions,
content types, the admin log; not sessions), written in dependency order:

    {"format": "timeline-backup", "version": 1, "migrations": [[app, name], ...], ...}   the header
    {"table": "timeline_speaker", "model": "timeline.speaker", "columns": ["id", "name", ...]}
    [1, "Vladimir Putin", ...]                                                         one line per row
    ...
    {"end": {"timeline_speaker": 6, ...}}                                              rows per table

Restoring writes the rows as they are, ids included, with plain INSERTs: no model is saved, so no signal runs
and simple-history records nothing new. It refuses a database that is not empty, a file that is not a backup,
and a backup from another migration state; it writes everything in one transaction or nothing.
"""

import base64
import datetime as dt
import decimal
import gzip
import io
import json
import os
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import django
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "timeline-backup"
VERSION = 1

# Sessions stay behind: a restored site asks everyone to log in again.
EXCLUDED_APPS = {"sessions"}

# What `migrate` itself writes into a new database: content types and permissions (after every migrate) and
# the Editors group with its permissions (migration timeline.0004). A restore replaces these rows with the
# backup's, ids included, so that everything pointing at them keeps pointing at the same thing.
REPLACED = {"contenttypes.contenttype", "auth.permission", "auth.group", "auth.group_permissions"}

INSERT_BATCH = 500
GZIP_MAGIC = b"\x1f\x8b"


class BackupError(Exception):
    """Why a backup or a restore could not be done, in one line."""


def backed_up_models() -> list[type[Model]]:
    """Every table's model, m2m and history tables included, each after the tables it points at."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in EXCLUDED_APPS and model._meta.managed and not model._meta.proxy
    ]
    return dependency_order(models)


def dependency_order(models: list[type[Model]]) -> list[type[Model]]:
    """`models` with each after the models its foreign keys point at (SQLite's full-text triggers read a
    statement's speaker as the statement goes in). A cycle, if one ever appears, keeps the given order:
    foreign keys are checked at the end of the transaction."""
    included = set(models)
    needs = {
        model: {
            field.related_model
            for field in model._meta.local_concrete_fields
            if field.is_relation and field.related_model in included and field.related_model is not model
        }
        for model in models
    }
    ordered: list[type[Model]] = []
    remaining = list(models)
    while remaining:
        ready = [model for model in remaining if needs[model] <= set(ordered)] or remaining[:1]
        ordered += ready
        remaining = [model for model in remaining if model not in ready]
    return ordered


def applied_migrations(using: str) -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connections[using]).applied_migrations())


# --- Backup ------------------------------------------------------------------------------------------------


def backup(
    stream: IO[str], *, using: str = "default", on_table: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Write every backed-up table to `stream` from one snapshot of the database; return rows per table.

    Called inside a transaction already open, it reads in that one. `on_table(table, rows)` is called as each
    table is done.
    """
    connection = connections[using]
    counts: dict[str, int] = {}
    with read_snapshot(using):
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            "django": django.get_version(),
            "migrations": applied_migrations(using),
        }
        _write_line(stream, header)
        for model in backed_up_models():
            table = model._meta.db_table
            fields = model._meta.local_concrete_fields
            _write_line(
                stream, {"table": table, "model": model._meta.label_lower, "columns": [f.column for f in fields]}
            )
            rows = model._base_manager.using(using).order_by("pk").values_list(*[f.attname for f in fields])
            counts[table] = 0
            for row in rows.iterator(chunk_size=2000):
                _write_line(stream, list(row))
                counts[table] += 1
            if on_table:
                on_table(table, counts[table])
        _write_line(stream, {"end": counts})
    return counts


@contextmanager
def read_snapshot(using: str) -> Iterator[None]:
    """One read-only transaction, the whole database as it was when it began, that writers do not wait for:
    REPEATABLE READ, READ ONLY on PostgreSQL (what pg_dump does); on SQLite a deferred transaction, which takes
    no write lock (our settings make transactions IMMEDIATE for editors' saves), and in WAL mode holds back no
    writer. Inside a transaction already open, that one."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    sqlite_mode = getattr(connection, "transaction_mode", None)
    if connection.vendor == "sqlite":
        connection.transaction_mode = "DEFERRED"
    try:
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    finally:
        if connection.vendor == "sqlite":
            connection.transaction_mode = sqlite_mode


def backup_to_file(path: Path, *, using: str = "default", on_table=None) -> dict[str, int]:
    """`backup` into `path`, gzip-compressed when it ends in `.gz`. The file appears whole or not at all,
    readable by its owner only (it holds the users' password hashes)."""
    path = Path(path)
    try:
        descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as error:
        raise BackupError(f"cannot write in {path.parent}: {error.strerror}") from error
    try:
        with os.fdopen(descriptor, "wb") as raw:
            binary = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) if path.suffix == ".gz" else raw
            with io.TextIOWrapper(binary, encoding="utf-8", newline="\n") as stream:
                counts = backup(stream, using=using, on_table=on_table)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return counts


def _write_line(stream: IO[str], value) -> None:
    stream.write(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_value))
    stream.write("\n")


def _json_value(value):
    """Database values JSON has no type for, as text each field's `to_python` reads back exactly."""
    if isinstance(value, dt.date | dt.time):  # datetimes too, with their offset and microseconds
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot back up a {type(value).__name__}")


# --- Restore -----------------------------------------------------------------------------------------------


def restore_from_file(path: Path, *, using: str = "default") -> dict[str, int]:
    """`restore` from `path`, gzip-compressed or not (told by its first bytes, whatever its name)."""
    path = Path(path)
    try:
        raw = path.open("rb")
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from error
    with raw:
        binary = gzip.GzipFile(fileobj=raw, mode="rb") if raw.peek(2)[:2] == GZIP_MAGIC else raw
        stream = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
        try:
            return restore(stream, using=using, name=path.name)
        except (UnicodeDecodeError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise BackupError(f"{path.name} is damaged or not a timeline backup ({error})") from error


def restore(stream: IO[str], *, using: str = "default", name: str = "the file") -> dict[str, int]:
    """Write the backup in `stream` into the empty database `using`, exactly: same rows, same ids, no history
    added; then move each id sequence past the highest id. All of it or, on any refusal, none of it."""
    header = _read_header(stream, name)
    _check_migrations(header, using, name)
    connection = connections[using]
    models = {model._meta.db_table: model for model in backed_up_models()}
    try:
        with transaction.atomic(using=using):
            _check_empty(models.values(), using)
            _delete_replaced(models.values(), using)
            counts = _insert_sections(_lines(stream, name), models, using, name)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
                    cursor.execute(sql)
            connection.check_constraints()
    except (DatabaseError, ValidationError) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error).strip()
        first_line = text.splitlines()[0] if text else type(error).__name__
        raise BackupError(f"{name} could not be restored, nothing was written: {first_line}") from error
    ContentType.objects.clear_cache()  # cached ids of the content types just replaced
    return counts


def _read_header(stream: IO[str], name: str) -> dict:
    not_ours = f"{name} is not a timeline backup"
    try:
        header = json.loads(stream.readline(1_000_000))
    except ValueError:
        raise BackupError(not_ours) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(not_ours)
    if header.get("version") != VERSION:
        raise BackupError(f"{name} is a timeline backup of format version {header.get('version')}, not {VERSION}")
    migrations = header.get("migrations")
    if not isinstance(migrations, list) or not all(
        isinstance(migration, list) and len(migration) == 2 and all(isinstance(part, str) for part in migration)
        for migration in migrations
    ):
        raise BackupError(f"{not_ours} (its header lists no migrations)")
    return header


def _check_migrations(header: dict, using: str, name: str) -> None:
    """The backup's tables must be this database's tables: the same migrations applied, no more, no fewer."""
    ours = {tuple(migration) for migration in applied_migrations(using)}
    theirs = {tuple(migration) for migration in header["migrations"]}
    if ours == theirs:
        return
    differences = []
    for label, migrations in (("only in the backup", theirs - ours), ("only in this database", ours - theirs)):
        if migrations:
            listed = ", ".join(f"{app}.{migration}" for app, migration in sorted(migrations)[:3])
            more = f" and {len(migrations) - 3} more" if len(migrations) > 3 else ""
            differences.append(f"{label}: {listed}{more}")
    raise BackupError(
        f"{name} comes from a different migration state ({'; '.join(differences)}); "
        "restore it into a database migrated to the same state, then migrate"
    )


def _check_empty(models: Iterable[type[Model]], using: str) -> None:
    filled = [
        model._meta.db_table
        for model in models
        if model._meta.label_lower not in REPLACED and model._base_manager.using(using).exists()
    ]
    if filled:
        more = f" and {len(filled) - 3} more tables" if len(filled) > 3 else ""
        raise BackupError(
            f"the database is not empty ({', '.join(filled[:3])}{more} hold rows); "
            "restore into an empty database that `manage.py migrate` has just created"
        )


def _delete_replaced(models: Iterable[type[Model]], using: str) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        for model in reversed(list(models)):
            if model._meta.label_lower in REPLACED:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def _lines(stream: IO[str], name: str) -> Iterator:
    for number, line in enumerate(stream, start=2):
        try:
            yield json.loads(line)
        except ValueError:
            raise BackupError(f"{name} is damaged: line {number} is not JSON") from None


def _insert_sections(lines: Iterator, models: dict[str, type[Model]], using: str, name: str) -> dict[str, int]:
    """Insert each table's rows as the file gives them; check the closing line's counts."""
    connection = connections[using]
    counts: dict[str, int] = {}
    model, batch, sql, fields = None, [], "", []

    def flush() -> None:
        if batch:
            with connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch.clear()

    for line in lines:
        if isinstance(line, list):
            if model is None or len(line) != len(fields):
                raise BackupError(f"{name} is damaged: a row does not fit its table")
            pairs = zip(fields, line, strict=True)
            batch.append([field.get_db_prep_save(field.to_python(value), connection) for field, value in pairs])
            counts[model._meta.db_table] += 1
            if len(batch) >= INSERT_BATCH:
                flush()
        elif isinstance(line, dict) and "table" in line:
            flush()
            model = _table_of(line, models, name)
            fields = _fields_of(model, line.get("columns"), name)
            counts[model._meta.db_table] = 0
            quote = connection.ops.quote_name
            columns = ", ".join(quote(field.column) for field in fields)
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        elif isinstance(line, dict) and "end" in line:
            flush()
            if line["end"] != counts:
                raise BackupError(f"{name} is damaged: its rows do not add up to the counts it ends with")
            return counts
        else:
            raise BackupError(f"{name} is damaged: a line is neither a table, a row nor the end")
    raise BackupError(f"{name} is incomplete: it ends before its last line (a backup cut short?)")


def _table_of(line: dict, models: dict[str, type[Model]], name: str) -> type[Model]:
    model = models.get(line["table"]) if isinstance(line["table"], str) else None
    if model is None:
        raise BackupError(f"{name} holds a table this database does not have: {line['table']}")
    return model


def _fields_of(model: type[Model], columns, name: str) -> list:
    fields = model._meta.local_concrete_fields
    if columns != [field.column for field in fields]:
        raise BackupError(f"{name}: the columns of {model._meta.db_table} differ from this database's")
    return list(fields)
