from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from timeline.services import SeedError, load_seeds


class Command(BaseCommand):
    help = "Load the seed articles and the curated statements in seeds/, verifying every citation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=settings.BASE_DIR / "seeds", help="Folder holding statements.toml."
        )

    def handle(self, *args, **options) -> None:
        try:
            report = load_seeds(seed_dir=options["dir"])
        except SeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {report.statements} statements with {report.citations} verified citations "
                f"from {report.sources} sources ({report.speakers} speakers, {report.topics} topics, "
                f"{report.events} events)."
            )
        )
