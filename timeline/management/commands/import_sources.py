import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from timeline.importing import ImportRefused, check_size
from timeline.services import ImportResult, import_source

# More files than this, on a terminal, get a progress bar.
PROGRESS_BAR_FROM = 10


class Command(BaseCommand):
    help = (
        "Import article files (UTF-8 text or HTML) as sources, detecting title, publisher, date and language. "
        "Bad files are refused with a reason and the rest still go in; the exit status says if any was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--suggest", action="store_true", help="Also propose draft statements from each newly imported source."
        )

    def handle(self, *args, files: list[Path], suggest: bool, **options) -> None:
        create_suggested_drafts = None
        if suggest:
            try:
                from timeline.suggesting import create_suggested_drafts
            except ImportError as error:
                raise CommandError(f"--suggest is not available: {error}") from error

        show_bar = len(files) > PROGRESS_BAR_FROM and sys.stderr.isatty()
        bar = tqdm(files, unit="file", file=sys.stderr, disable=not show_bar)

        def say(line: str, *, error: bool = False) -> None:
            with tqdm.external_write_mode(file=sys.stderr):  # clears the bar, if any, and redraws it after
                (self.stderr if error else self.stdout).write(line)

        refused = 0
        for path in bar:
            try:
                result = self._import(path)
            except ImportRefused as refusal:
                refused += 1
                say(f"refused {refusal}", error=True)
                continue
            if not result.created:
                say(f"unchanged {path}: {result.summary}")
                continue
            say(f"imported {path} → {result.summary}")
            if create_suggested_drafts is not None:
                drafts = create_suggested_drafts(source=result.source)
                say(f"  proposed {len(drafts)} draft statement{'s' if len(drafts) != 1 else ''}")
        bar.close()
        if refused:
            raise CommandError(f"{refused} of {len(files)} file{'s' if len(files) != 1 else ''} refused.")

    @staticmethod
    def _import(path: Path) -> ImportResult:
        name = str(path)
        try:
            check_size(path.stat().st_size, name=name)  # before reading: a huge file is never loaded
            data = path.read_bytes()
        except FileNotFoundError:
            raise ImportRefused(name, "no such file") from None
        except IsADirectoryError:
            raise ImportRefused(name, "a directory, not a file") from None
        except OSError as error:
            raise ImportRefused(name, f"cannot be read ({error.strerror})") from None
        return import_source(name=name, data=data)
