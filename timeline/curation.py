"""Editors' writes that span models: publishing, and re-anchoring citations when a text is corrected."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from . import anchoring, reading
from .models import Citation, Source, Statement


def publish_problems(statement: Statement) -> list[str]:
    """Why `statement` may not be published yet; empty when it may."""
    citations = list(statement.citations.select_related("source"))
    if not citations:
        return ["it has no citation"]
    return [
        f"its citation of “{citation.source}” is {citation.get_anchoring_display()}"
        for citation in citations
        if not citation.is_verified
    ]


@dataclass
class PublishReport:
    published: list[Statement] = field(default_factory=list)
    refused: dict[Statement, list[str]] = field(default_factory=dict)


@transaction.atomic
def publish(*, statements: Iterable[Statement]) -> PublishReport:
    """Publish each statement whose citations are all verified; report the others with the reason."""
    report = PublishReport()
    for statement in statements:
        if problems := publish_problems(statement):
            report.refused[statement] = problems
            continue
        if statement.status != Statement.Status.PUBLISHED:
            statement.status = Statement.Status.PUBLISHED
            statement.save(update_fields=["status", "updated_at"])
        report.published.append(statement)
    return report


@transaction.atomic
def unpublish(*, statements: Iterable[Statement]) -> int:
    count = 0
    for statement in statements:
        if statement.status != Statement.Status.DRAFT:
            statement.status = Statement.Status.DRAFT
            statement.save(update_fields=["status", "updated_at"])
            count += 1
    return count


@dataclass
class ReanchorReport:
    outcomes: Counter = field(default_factory=Counter)  # anchoring kind -> number of citations
    returned_to_draft: list[Statement] = field(default_factory=list)


@transaction.atomic
def reanchor_source(*, source: Source) -> ReanchorReport:
    """After `source`'s text was corrected: find every citation again and derive the reading text anew.

    A citation found approximately is flagged for review, one not found becomes
    an orphan; a published statement whose citation is no longer verified goes
    back to draft, so readers never see words attached to the wrong passage.
    """
    text = source.original_text
    # Derived data: updated without a history record of its own (the text change has one).
    source.reading_spans = reading.reading_spans(text, source.title)
    Source.objects.filter(pk=source.pk).update(reading_spans=source.reading_spans)
    report = ReanchorReport()
    for citation in source.citations.select_related("statement"):
        match = anchoring.find_passage(
            text, citation.passage, start=citation.start, prefix=citation.prefix, suffix=citation.suffix
        )
        report.outcomes[match.kind] += 1
        citation.take_match(match)
        citation.save()
        statement = citation.statement
        if match.kind != Citation.Anchoring.EXACT and statement.status == Statement.Status.PUBLISHED:
            statement.status = Statement.Status.DRAFT
            statement.save(update_fields=["status", "updated_at"])
            report.returned_to_draft.append(statement)
    return report


@transaction.atomic
def restore_deleted_statement(*, record) -> Statement:
    """Bring back a deleted statement from its deletion record, with its topics and citations as they were.

    `record` is the statement's historical record of type "-" (simple-history).
    """
    statement = record.instance
    statement.save()
    # The deletion record's own topic snapshot is empty (the links go first): take the one before it.
    before = record.prev_record
    statement.topics.set([row.topic_id for row in before.topics.all()] if before else [])
    deleted_citations = Citation.history.filter(statement_id=statement.pk, history_type="-")
    for citation_record in deleted_citations.order_by("id", "-history_date").distinct():
        if not Citation.objects.filter(pk=citation_record.id).exists():
            citation_record.instance.save()
    return statement
