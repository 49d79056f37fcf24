"""Writes that span models: loading the curated seed data, importing article files."""

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction

from . import anchoring, curation, importing
from .dates import Precision
from .models import Citation, Event, Source, Speaker, Statement, Topic, content_hash

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


def _upsert(model, defaults: dict, **lookup):
    """`model.objects.update_or_create`, but saving only what differs: a second load writes nothing, so
    versions and history stay as they were."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        return model.objects.create(**lookup, **defaults)
    changed = [name for name, value in defaults.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, defaults[name])
        instance.save()
    return instance


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
        _upsert(
            Speaker, slug=row["slug"], defaults={"name": row["name"], "role": row.get("role", ""), "side": row["side"]}
        )
        report.speakers += 1
    for row in data.get("topics", []):
        _upsert(Topic, slug=row["slug"], defaults={"name": row["name"]})
        report.topics += 1
    for row in data.get("events", []):
        _upsert(
            Event,
            slug=row["slug"],
            defaults={key: row.get(key, "") for key in ("name", "kind", "place", "description")}
            | {"date": row["date"]},
        )
        report.events += 1

    sources = {}
    for row in data.get("sources", []):
        text = (seed_dir / row["file"]).read_text(encoding="utf-8")
        source = _upsert(
            Source,
            slug=row["slug"],
            defaults={
                "title": row["title"],
                "publisher": row.get("publisher", ""),
                "url": row.get("url", ""),
                "published_on": row.get("published_on"),
                "language": row.get("language", "en"),
                "original_text": text,
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
    wanted = row.get("status", Statement.Status.PUBLISHED)
    existing = Statement.objects.filter(seed_key=row["key"]).first()
    # Published only once its citations are in place and verified (Statement.save refuses otherwise).
    statement = _upsert(
        Statement,
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
            "status": existing.status if existing else Statement.Status.DRAFT,
        },
    )
    statement.topics.set([topics[slug] for slug in row.get("topics", [])])

    kept = []
    for source, anchor in anchors:
        citation = _upsert(
            Citation,
            statement=statement,
            source=source,
            start=anchor.start,
            defaults={
                "passage": source.original_text[anchor.start : anchor.end],
                "end": anchor.end,
                "prefix": anchor.prefix,
                "suffix": anchor.suffix,
                "anchoring": Citation.Anchoring.EXACT,
                "similarity": None,
            },
        )
        kept.append(citation.pk)
    statement.citations.exclude(pk__in=kept).delete()
    statement.refresh_from_db()
    if wanted == Statement.Status.PUBLISHED:
        if problems := curation.publish(statements=[statement]).refused.get(statement):
            raise SeedError(f"Statement {row['key']!r} cannot be published: {'; '.join(problems)}.")
    elif statement.status != wanted:
        curation.unpublish(statements=[statement])
    return statement


@dataclass
class ImportResult:
    source: Source
    created: bool
    summary: str  # one line: 'slug | "Title" | Publisher | 2016-11-09 | en', or 'already imported as slug'


def import_source(*, name: str, data: bytes, url: str = "") -> ImportResult:
    """Import one article file (UTF-8 text or HTML) as a Source, with its detected metadata.

    The verbatim file is kept: a text file as the original text; an HTML file as
    the original HTML, with the text extracted from it as the original text that
    citations anchor into. The same content again changes nothing. Bad input
    (too big, empty, binary, not UTF-8) raises `importing.ImportRefused` and
    writes nothing.
    """
    text = importing.decode(data, name=name)
    existing = Source.objects.filter(content_hash=content_hash(text)).first()
    if existing:
        return ImportResult(existing, created=False, summary=f"already imported as {existing.slug}")
    if importing.looks_like_html(text, name=name):
        page = importing.parse_html(text)
        if not page.text.strip():
            raise importing.ImportRefused(name, "HTML page with no text in it")
        html, original_text = text, page.text
        metadata = importing.detect_html_metadata(page, name=name)
    else:
        html, original_text = "", text
        metadata = importing.detect_text_metadata(text, name=name)
    fields = {
        "title": metadata.title[: Source._meta.get_field("title").max_length],
        "publisher": metadata.publisher[: Source._meta.get_field("publisher").max_length],
        "url": url or metadata.url,
        "published_on": metadata.published_on,
        "language": metadata.language,
        "original_text": original_text,
        "original_html": html,
    }
    try:
        with transaction.atomic():
            slug = _free_slug(importing.slug_base(metadata.title, metadata.publisher))
            source = Source.objects.create(slug=slug, **fields)
    except IntegrityError:
        # Imported at the same moment by another request, or a slug taken meanwhile: report what is there.
        existing = Source.objects.filter(content_hash=content_hash(text)).first()
        if existing is None:
            raise
        return ImportResult(existing, created=False, summary=f"already imported as {existing.slug}")
    return ImportResult(source, created=True, summary=describe_source(source))


def describe_source(source: Source) -> str:
    """'slug | "Title" | Publisher | 2016-11-09 | en', saying so where something was not found."""
    published_on = source.published_on.isoformat() if source.published_on else "no date"
    publisher = source.publisher or "no publisher"
    return f'{source.slug} | "{source.title}" | {publisher} | {published_on} | {source.language}'


def _free_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever no source has yet."""
    taken = set(Source.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
