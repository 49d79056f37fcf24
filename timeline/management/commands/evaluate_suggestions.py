"""Measure statement suggestions against the curated statements (run after `load_seeds`)."""

from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandParser

from timeline.models import Citation, Source, Statement
from timeline.suggesting import Suggestion, suggest_statements


@dataclass
class Score:
    """One source's (or all sources') counts; the rates are None when there is nothing to divide by."""

    suggestions: int = 0
    right: int = 0
    right_dated: int = 0
    curated: int = 0
    found: int = 0

    def add(self, other: "Score") -> None:
        for field in ("suggestions", "right", "right_dated", "curated", "found"):
            setattr(self, field, getattr(self, field) + getattr(other, field))

    @property
    def recall(self) -> float | None:
        return self.found / self.curated if self.curated else None

    @property
    def precision(self) -> float | None:
        return self.right / self.suggestions if self.suggestions else None

    @property
    def date_accuracy(self) -> float | None:
        return self.right_dated / self.right if self.right else None


def score_source(source: Source, suggestions: list[Suggestion]) -> Score:
    """Compare suggestions with the curated, published statements citing `source`.

    A suggestion is right when its span overlaps a curated citation's span in this
    source and its speaker is that statement's speaker; it is also rightly dated
    when its date and precision are the curated ones.
    """
    citations = list(
        Citation.objects.filter(source=source, statement__status=Statement.Status.PUBLISHED).select_related(
            "statement__speaker"
        )
    )
    score = Score(suggestions=len(suggestions), curated=len({c.statement_id for c in citations}))
    found = set()
    for suggestion in suggestions:
        matches = [
            c
            for c in citations
            if c.start < suggestion.end
            and suggestion.start < c.end
            and c.statement.speaker.slug == suggestion.speaker_slug
        ]
        if not matches:
            continue
        score.right += 1
        found.update(c.statement_id for c in matches)
        if any(
            c.statement.date == suggestion.date and c.statement.date_precision == suggestion.precision for c in matches
        ):
            score.right_dated += 1
    score.found = len(found)
    return score


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


class Command(BaseCommand):
    help = (
        "Run statement suggestions on every source that has curated statements and compare: "
        "suggestions, right, recall, precision, date accuracy. Loads nothing; run load_seeds first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", action="append", default=[], help="Only this source slug (repeatable).")
        parser.add_argument(
            "--keep-lead-ins",
            action="store_true",
            help="Keep paraphrases that lead into a quote of the same speaker (left out by default).",
        )
        parser.add_argument("--show", action="store_true", help="List every suggestion, marked right or wrong.")

    def handle(self, *args, **options) -> None:
        sources = Source.objects.filter(citations__statement__status=Statement.Status.PUBLISHED).distinct()
        if options["source"]:
            sources = sources.filter(slug__in=options["source"])
        total = Score()
        for source in sources.order_by("published_on", "slug"):
            suggestions = suggest_statements(source, drop_lead_ins=not options["keep_lead_ins"])
            score = score_source(source, suggestions)
            total.add(score)
            self.stdout.write(self._line(source.slug, score))
            if options["show"]:
                for suggestion in suggestions:
                    mark = "+" if score_source(source, [suggestion]).right else "-"
                    self.stdout.write(
                        f"    {mark} {suggestion.kind:<10} {suggestion.speaker_slug:<20} "
                        f"{suggestion.date} ({suggestion.precision}) {suggestion.text[:70]!r}"
                    )
        self.stdout.write(self._line("OVERALL", total))

    @staticmethod
    def _line(label: str, score: Score) -> str:
        return (
            f"{label}: suggestions {score.suggestions}, right {score.right} "
            f"(rightly dated {score.right_dated}), curated {score.curated}, found {score.found}; "
            f"recall {_rate(score.recall)}, precision {_rate(score.precision)}, "
            f"date accuracy {_rate(score.date_accuracy)}"
        )
