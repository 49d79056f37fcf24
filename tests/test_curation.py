"""Publishing: only statements whose every citation is verified reach readers; unpublishing returns them to draft."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from timeline import curation
from timeline.models import Citation, Statement

from .factories import make_statement

pytestmark = pytest.mark.django_db


def draft(**fields) -> Statement:
    return make_statement(status=Statement.Status.DRAFT, **fields)


def flag(statement: Statement, anchoring: str) -> Statement:
    statement.citations.update(anchoring=anchoring)
    return statement


def status_of(statement: Statement) -> str:
    return Statement.objects.values_list("status", flat=True).get(pk=statement.pk)


def test_publish_publishes_statements_whose_citations_are_verified():
    statement = draft()

    report = curation.publish(statements=[statement])

    assert report.published == [statement]
    assert report.refused == {}
    assert status_of(statement) == "published"


@pytest.mark.parametrize(
    ("anchoring", "reason"),
    [
        ("approximate", "is approximate: needs review"),
        ("orphan", "is orphan: passage not found"),
    ],
)
def test_publish_refuses_a_statement_with_an_unverified_citation_and_says_which(anchoring, reason):
    statement = flag(draft(), anchoring)
    source = statement.citations.get().source

    report = curation.publish(statements=[statement])

    assert report.published == []
    assert report.refused == {statement: [f"its citation of “{source}” {reason}"]}
    assert status_of(statement) == "draft"


def test_publish_refuses_a_statement_without_a_citation():
    statement = draft(cite=False)

    report = curation.publish(statements=[statement])

    assert report.refused == {statement: ["it has no citation"]}
    assert status_of(statement) == "draft"


def test_publish_refuses_a_citation_marked_exact_whose_offsets_no_longer_hold_the_passage():
    """`exact` is not trusted blindly: the words must be at the citation's offsets in the current text."""
    statement = draft()
    source = statement.citations.get().source
    # A raw UPDATE is the one write that skips re-anchoring (Source.save never does).
    type(source).objects.filter(pk=source.pk).update(
        original_text="Someone rewrote the whole article without re-anchoring. " + source.original_text
    )

    report = curation.publish(statements=[Statement.objects.get(pk=statement.pk)])

    assert statement in report.refused
    assert status_of(statement) == "draft"


def test_unpublish_returns_published_statements_to_draft_and_counts_only_those():
    published, already_draft = make_statement(), draft()

    count = curation.unpublish(statements=[published, already_draft])

    assert count == 1
    assert status_of(published) == "draft"
    assert status_of(already_draft) == "draft"


# --- the changelist actions ---------------------------------------------------------------------


def run_action(client, action: str, statements: list[Statement]):
    return client.post(
        reverse("admin:timeline_statement_changelist"),
        {"action": action, "_selected_action": [s.pk for s in statements]},
        follow=True,
    )


def test_the_publish_action_publishes_verified_drafts_and_refuses_the_others_with_a_reason(admin_client):
    verified = draft(summary="Verified words")
    approximate = flag(draft(summary="Words to review"), Citation.Anchoring.APPROXIMATE)
    orphan = flag(draft(summary="Lost words"), Citation.Anchoring.ORPHAN)
    uncited = draft(summary="Words from nowhere", cite=False)

    response = run_action(admin_client, "publish_selected", [verified, approximate, orphan, uncited])

    assert response.status_code == 200
    messages = {str(m) for m in get_messages(response.wsgi_request)}
    approximate_source = approximate.citations.get().source
    orphan_source = orphan.citations.get().source
    assert messages == {
        "1 statement(s) published.",
        f"Not published: “Words to review”: its citation of “{approximate_source}” is approximate: needs review.",
        f"Not published: “Lost words”: its citation of “{orphan_source}” is orphan: passage not found.",
        "Not published: “Words from nowhere”: it has no citation.",
    }
    assert [status_of(s) for s in (verified, approximate, orphan, uncited)] == ["published", "draft", "draft", "draft"]


def test_the_unpublish_action_returns_statements_to_draft(admin_client):
    statements = [make_statement(), make_statement()]

    response = run_action(admin_client, "unpublish_selected", statements)

    assert {str(m) for m in get_messages(response.wsgi_request)} == {"2 statement(s) returned to draft."}
    assert {status_of(s) for s in statements} == {"draft"}


def test_published_and_unpublished_statements_show_or_vanish_for_readers(client, admin_client):
    statement = draft()
    assert client.get(statement.get_absolute_url()).status_code == 404
    run_action(admin_client, "publish_selected", [statement])
    assert client.get(statement.get_absolute_url()).status_code == 200
    run_action(admin_client, "unpublish_selected", [statement])
    assert client.get(statement.get_absolute_url()).status_code == 404
