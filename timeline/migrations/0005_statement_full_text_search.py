"""Full-text search over a statement's words and summary, indexed on both databases.

SQLite: an FTS5 table (words, summary, speaker's name) kept in step by triggers. PostgreSQL: a GIN index on
the same tsvector expression that `StatementQuerySet.search` queries; speakers' names are matched beside it. (A later migration that makes SQLite
rebuild timeline_statement drops its triggers: recreate them there; the search tests would fail first.)
"""

from django.db import migrations

SQLITE_FORWARD = [
    # Its own copy of the words, the summary and the speaker's name, kept in step by triggers.
    """CREATE VIRTUAL TABLE timeline_statement_fts USING fts5(
        text, summary, speaker, tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER timeline_statement_fts_insert AFTER INSERT ON timeline_statement BEGIN
        INSERT INTO timeline_statement_fts(rowid, text, summary, speaker)
        VALUES (new.id, new.text, new.summary, (SELECT name FROM timeline_speaker WHERE id = new.speaker_id)); END""",
    """CREATE TRIGGER timeline_statement_fts_delete AFTER DELETE ON timeline_statement BEGIN
        DELETE FROM timeline_statement_fts WHERE rowid = old.id; END""",
    """CREATE TRIGGER timeline_statement_fts_update AFTER UPDATE OF text, summary, speaker_id ON timeline_statement
        BEGIN
        DELETE FROM timeline_statement_fts WHERE rowid = old.id;
        INSERT INTO timeline_statement_fts(rowid, text, summary, speaker)
        VALUES (new.id, new.text, new.summary, (SELECT name FROM timeline_speaker WHERE id = new.speaker_id)); END""",
    """CREATE TRIGGER timeline_speaker_fts_update AFTER UPDATE OF name ON timeline_speaker BEGIN
        UPDATE timeline_statement_fts SET speaker = new.name
        WHERE rowid IN (SELECT id FROM timeline_statement WHERE speaker_id = new.id); END""",
    """INSERT INTO timeline_statement_fts(rowid, text, summary, speaker)
        SELECT s.id, s.text, s.summary, p.name FROM timeline_statement s JOIN timeline_speaker p ON p.id = s.speaker_id""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS timeline_statement_fts_insert",
    "DROP TRIGGER IF EXISTS timeline_statement_fts_delete",
    "DROP TRIGGER IF EXISTS timeline_statement_fts_update",
    "DROP TRIGGER IF EXISTS timeline_speaker_fts_update",
    "DROP TABLE IF EXISTS timeline_statement_fts",
]
POSTGRESQL_FORWARD = [
    "CREATE INDEX statement_fulltext ON timeline_statement "
    "USING gin (to_tsvector('simple'::regconfig, text || ' ' || summary))",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS statement_fulltext"]


def run(statements_by_vendor: dict):
    def operation(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("timeline", "0004_editors_group")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        )
    ]
