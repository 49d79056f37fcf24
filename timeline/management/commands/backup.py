from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from timeline.backups import BackupError, backup_to_file


class Command(BaseCommand):
    help = (
        "Back up every table (history, users and the admin log included) from one consistent snapshot, "
        "while the site serves, as JSON Lines that `restore` reads on SQLite or PostgreSQL; gzipped when FILE "
        "ends in .gz."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to back up.")

    def handle(self, *args, file: Path, database: str, verbosity: int, **options) -> None:
        def on_table(table: str, rows: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"{table}: {rows} rows")

        try:
            counts = backup_to_file(file, using=database, on_table=on_table)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Backed up {summary(counts)} to {file}."))


def summary(counts: dict[str, int]) -> str:
    """'1234 rows (timeline_statement 40, ...)': the tables that have rows."""
    tables = ", ".join(f"{table} {rows}" for table, rows in counts.items() if rows)
    return f"{sum(counts.values())} rows ({tables or 'no tables with rows'})"
