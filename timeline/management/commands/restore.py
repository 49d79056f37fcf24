from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from timeline.backups import BackupError, restore_from_file
from timeline.management.commands.backup import summary


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into an empty database migrated to the same state, exactly as it "
        "was (ids and history included, no history added), in one transaction. Refuses any other database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The empty database to restore into.")

    def handle(self, *args, file: Path, database: str, verbosity: int, **options) -> None:
        try:
            counts = restore_from_file(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Restored {summary(counts)} from {file}."))
