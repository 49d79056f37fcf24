"""Editors' writes that span models, and the rule about published data that every write obeys.

The rule: a published statement has at least one citation, and every citation shows its passage, verified,
at its offsets in the source's text. `Statement.save` refuses to publish otherwise; the receivers below keep
it true when a citation or a source's text changes by any way in (forms, admin actions, imports, commands,
reverts, restores): a statement whose citation stops being verified goes back to draft.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import anchoring, reading
from .models import Citation, Source, Statement


@dataclass
class PublishReport:
    published: list[Statement] = field(default_factory=list)
    refused: dict[Statement, list[str]] = field(default_factory=dict)


@transaction.atomic
def publish(*, statements: Iterable[Statement]) -> PublishReport:
    """Publish each statement whose citations are all verified; report the others with the reason."""
    report = PublishReport()
    for statement in statements:
        if problems := statement.publish_problems():
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
class Demotion:
    """A published statement sent back to draft, and why."""

    statement: Statement
    reasons: list[str]

    def __str__(self) -> str:
        return f"“{self.statement.summary}” (#{self.statement.pk}): {'; '.join(self.reasons)}"


def demote_if_unverified(statement_id: int) -> Demotion | None:
    """Send a published statement back to draft when it no longer meets the publishing rule."""
    statement = Statement.objects.filter(pk=statement_id, status=Statement.Status.PUBLISHED).first()
    if statement is None or not (problems := statement.publish_problems()):
        return None
    statement.status = Statement.Status.DRAFT
    statement.save(update_fields=["status", "updated_at"])
    return Demotion(statement, problems)


@dataclass
class ReanchorReport:
    outcomes: Counter = field(default_factory=Counter)  # anchoring kind -> number of citations
    returned_to_draft: list[Demotion] = field(default_factory=list)


@transaction.atomic
def reanchor_source(*, source: Source, old_text: str | None = None) -> ReanchorReport:
    """After `source`'s text changed (from `old_text`, when known): find every citation again at the same
    place, and derive the reading text anew.

    A citation is verified only where its words stand where the edit left them, or in the surroundings it
    was verified in; words found only elsewhere are "moved", words changed approximate or orphan: flagged
    for review, and a published statement citing them goes back to draft, so readers never see words
    attached to the wrong passage.
    """
    text = source.original_text
    # Derived data: updated without a history record of its own (the text change has one).
    source.reading_spans = reading.reading_spans(text, source.title)
    Source.objects.filter(pk=source.pk).update(reading_spans=source.reading_spans)
    report = ReanchorReport()
    touched = set()
    for citation in source.citations.select_related("source"):
        citation.source = source
        match = anchoring.find_passage(
            text,
            citation.passage,
            start=citation.start,
            end=citation.end,
            prefix=citation.prefix,
            suffix=citation.suffix,
            old_text=old_text,
        )
        report.outcomes[match.kind] += 1
        citation.take_match(match)
        citation.save(check_statement=False)
        touched.add(citation.statement_id)
    for statement_id in sorted(touched):
        if demotion := demote_if_unverified(statement_id):
            report.returned_to_draft.append(demotion)
    return report


@transaction.atomic
def restore_deleted_statement(*, record) -> tuple[Statement, list[str]]:
    """Bring back a deleted statement from its deletion record, with its topics and citations as they were.

    `record` is the statement's historical record of type "-" (simple-history). A statement that was
    published is published again only if its citations are still verified; otherwise it comes back as a
    draft, and the reasons are returned.
    """
    statement = record.instance
    was_published = statement.status == Statement.Status.PUBLISHED
    statement.status = Statement.Status.DRAFT
    statement.save()
    # The deletion record's own topic snapshot is empty (the links go first): take the one before it.
    before = record.prev_record
    statement.topics.set([row.topic_id for row in before.topics.all()] if before else [])
    deleted_citations = Citation.history.filter(statement_id=statement.pk, history_type="-")
    for citation_record in deleted_citations.order_by("id", "-history_date").distinct():
        if not Citation.objects.filter(pk=citation_record.id).exists():
            citation = citation_record.instance
            if not citation.is_verified:
                # The source's text may have changed since: find the words again rather than trust old offsets.
                citation.take_match(
                    anchoring.find_passage(
                        citation.source.original_text,
                        citation.passage,
                        start=citation.start,
                        end=citation.end,
                        prefix=citation.prefix,
                        suffix=citation.suffix,
                    )
                )
            citation.save()
    problems = []
    if was_published:
        report = publish(statements=[statement])
        problems = report.refused.get(statement, [])
    return statement, problems


# --- The publishing rule, kept at every write ----------------------------------------------------


@receiver(pre_save, sender=Source)
def _remember_old_text(sender, instance: Source, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    instance._old_text = Source.objects.filter(pk=instance.pk).values_list("original_text", flat=True).first()


@receiver(post_save, sender=Source)
def _reanchor_when_text_changed(sender, instance: Source, created: bool, raw: bool = False, **kwargs) -> None:
    old_text = getattr(instance, "_old_text", None)
    instance._old_text = None
    if raw or created or old_text is None or old_text == instance.original_text:
        return
    instance.reanchor_report = reanchor_source(source=instance, old_text=old_text)


@receiver(post_save, sender=Citation)
def _citation_saved(sender, instance: Citation, raw: bool = False, **kwargs) -> None:
    if not raw and getattr(instance, "_check_statement", True):
        instance.demotion = demote_if_unverified(instance.statement_id)


@receiver(post_delete, sender=Citation)
def _citation_deleted(sender, instance: Citation, origin=None, **kwargs) -> None:
    # Citations deleted with their statement leave nothing to demote (and the statement's history as it was).
    if isinstance(origin, Statement) or getattr(origin, "model", None) is Statement:
        return
    instance.demotion = demote_if_unverified(instance.statement_id)
