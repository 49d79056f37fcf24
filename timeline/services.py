"""Writes that span models: loading the curated seed data."""

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from . import anchoring
from .dates import Precision
from .models import Citation, Event, Source, Speaker, Statement, Topic

SEED_FILE = "statements.toml"


class SeedError(Exception):
    """The curated data is wrong; the message names what and where."""


@dataclass
class SeedReport:
    speakers: int = 0
    topics: int = 0
    events: int = 0
    sources: int = 0
    statements: int = 0
    citations: int = 0


def date_and_precision(value: str) -> tuple[dt.date, str]:
    """'2016-12-23' → day, '2016-10' → month, '2016' → year precision."""
    parts = [int(part) for part in str(value).split("-")]
    precision = [Precision.YEAR, Precision.MONTH, Precision.DAY][len(parts) - 1]
    return dt.date(*(parts + [1] * (3 - len(parts)))), precision


@transaction.atomic
def load_seeds(*, seed_dir: Path) -> SeedReport:
    """Load the curated seed file and the articles it names; run twice, same database.

    Every citation is verified against its source's original text first; a
    passage that is not there fails the whole load, naming its statement.
    """
    try:
        data = tomllib.loads((seed_dir / SEED_FILE).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SeedError(f"{seed_dir / SEED_FILE}: {error}") from error
    report = SeedReport()

    for row in data.get("speakers", []):
        Speaker.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "role": row.get("role", ""), "side": row["side"]}
        )
        report.speakers += 1
    for row in data.get("topics", []):
        Topic.objects.update_or_create(slug=row["slug"], defaults={"name": row["name"]})
        report.topics += 1
    for row in data.get("events", []):
        Event.objects.update_or_create(
            slug=row["slug"],
            defaults={key: row.get(key, "") for key in ("name", "kind", "place", "description")}
            | {"date": row["date"]},
        )
        report.events += 1

    sources = {}
    for row in data.get("sources", []):
        text = (seed_dir / row["file"]).read_text(encoding="utf-8")
        source, _ = Source.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "title": row["title"],
                "publisher": row.get("publisher", ""),
                "url": row.get("url", ""),
                "published_on": row.get("published_on"),
                "language": row.get("language", "en"),
                "original_text": text,
                "reading_spans": [],  # derived again from the text on save
            },
        )
        sources[row["slug"]] = source
        report.sources += 1

    speakers = {speaker.slug: speaker for speaker in Speaker.objects.all()}
    events = {event.slug: event for event in Event.objects.all()}
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    for row in data.get("statements", []):
        key = row.get("key", "?")
        try:
            statement = _load_statement(row, sources=sources, speakers=speakers, events=events, topics=topics)
        except anchoring.PassageNotFound as error:
            raise SeedError(f"Statement {key!r}: {error}") from error
        except KeyError as error:
            raise SeedError(f"Statement {key!r}: unknown or missing {error}.") from error
        report.statements += 1
        report.citations += statement.citations.count()
    return report


def _load_statement(row: dict, *, sources: dict, speakers: dict, events: dict, topics: dict) -> Statement:
    anchors = []
    for cite in row["citations"]:
        source = sources[cite["source"]]
        passage = cite.get("passage", row["text"])
        try:
            anchor = anchoring.anchor_passage(source.original_text, passage, after=cite.get("after", ""))
        except anchoring.PassageNotFound as error:
            raise anchoring.PassageNotFound(f"{error} Source {source.slug!r}, passage {passage!r}.") from error
        anchors.append((source, anchor))

    day, precision = date_and_precision(row["date"])
    statement, _ = Statement.objects.update_or_create(
        seed_key=row["key"],
        defaults={
            "speaker": speakers[row["speaker"]],
            "event": events[row["event"]] if row.get("event") else None,
            "date": day,
            "date_precision": precision,
            "date_evidence": row["evidence"],
            "kind": row["kind"],
            "text": row["text"],
            "summary": row["summary"],
            "status": row.get("status", Statement.Status.PUBLISHED),
        },
    )
    statement.topics.set([topics[slug] for slug in row.get("topics", [])])

    kept = []
    for source, anchor in anchors:
        citation, _ = Citation.objects.update_or_create(
            statement=statement,
            source=source,
            start=anchor.start,
            defaults={
                "passage": source.original_text[anchor.start : anchor.end],
                "end": anchor.end,
                "prefix": anchor.prefix,
                "suffix": anchor.suffix,
            },
        )
        kept.append(citation.pk)
    statement.citations.exclude(pk__in=kept).delete()
    return statement
