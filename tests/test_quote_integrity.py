"""A published quote stands on its own words, in its own surroundings, by every way data is written.

The reproductions of issue 7: another speaker's repeat of the words pasted into the source, the quoted
paragraph deleted or changed while the words stand elsewhere, the citation admin as a side door, and two
editors saving the same statement.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from timeline import curation
from timeline.models import Citation, Source, Statement, UnverifiedStatement

from .factories import admin_form_data, make_editor, make_source, make_statement

pytestmark = pytest.mark.django_db

PUTIN_KEY = "putin-2016-12-23-will-travel"
# The source's own characters (a no-break space among them), as the seed statement cites them.
WORDS = "If he will invite [me], then of\xa0course, I will travel [to the United Sates]"
PUTIN_LINE = f'    "{WORDS}," Putin said.\n'
TRUMP_LINE = f'    "{WORDS}," Trump quipped in reply.\n\n'


@pytest.fixture
def putin(seeded) -> Statement:
    statement = Statement.objects.get(seed_key=PUTIN_KEY)
    assert statement.citations.get().passage == WORDS
    return statement


def exported(client) -> str:
    return b"".join(client.get("/export.csv").streaming_content).decode()


def edit_source_text(client, source: Source, text: str):
    url = reverse("admin:timeline_source_change", args=[source.pk])
    return client.post(url, admin_form_data(client.get(url)) | {"original_text": text, "_save": "Save"})


def citation_words(statement: Statement) -> tuple[str, str, str]:
    citation = Citation.objects.select_related("source").get(statement=statement)
    return citation.context


def test_pasting_another_speakers_repeat_right_above_never_moves_the_quote_onto_it(admin_client, putin):
    """Trump's line repeating Putin's words, pasted just above Putin's paragraph: the quote is not verified on
    Trump's words (as it was before). Its surroundings changed, so it goes to review rather than be guessed."""
    source = putin.citations.get().source
    text = source.original_text.replace(PUTIN_LINE, TRUMP_LINE + PUTIN_LINE)
    assert text.count(WORDS) == 2
    trump_start = text.index(TRUMP_LINE) + TRUMP_LINE.index(WORDS)

    response = edit_source_text(admin_client, source, text)

    assert response.status_code == 302
    putin.refresh_from_db()
    citation = putin.citations.get()
    assert not (putin.status == "published" and citation.start == trump_start)
    assert (putin.status, citation.anchoring) == ("draft", "moved")
    assert "went back to draft until reviewed" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_paragraph_pasted_away_from_the_quote_keeps_it_published_on_its_own_words(admin_client, putin):
    source = putin.citations.get().source
    text = source.original_text.replace(
        "Listen Live\n", f"Listen Live\n{TRUMP_LINE}An editor's note added above the article.\n\n", 1
    )
    assert text.count(WORDS) == 2

    assert edit_source_text(admin_client, source, text).status_code == 302

    putin.refresh_from_db()
    citation = putin.citations.get()
    assert (putin.status, citation.anchoring) == ("published", "exact")
    assert citation.start == text.index(PUTIN_LINE) + PUTIN_LINE.index(WORDS)
    assert citation_words(putin)[2].startswith('," Putin said.')


def test_a_transcript_whose_speaker_line_is_replaced_sends_the_quote_to_review():
    """In a transcript the speaker is named on the line above the words: change that line and the words,
    untouched, may no longer be the speaker's."""
    speech = "We are ready to work with the new administration on every question."
    text = f"Question: what next?\n\nVladimir Putin:\n{speech}\n\nQuestion: and trade?\n\nDonald Trump:\nGreat.\n"
    source = make_source(original_text=text)
    statement = make_statement(source=source, text=speech)

    source.original_text = text.replace("Vladimir Putin:", "Donald Trump:").replace("trade?", "trade, then?")
    source.save()

    statement.refresh_from_db()
    assert statement.status == "draft"
    assert statement.citations.get().anchoring == "moved"


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda text: text.replace(PUTIN_LINE, ""), id="paragraph-deleted"),
        pytest.param(lambda text: text.replace(PUTIN_LINE, PUTIN_LINE.replace("will travel", "would go")), id="word"),
        pytest.param(lambda text: text.replace(PUTIN_LINE, "    Putin did not answer.\n"), id="paragraph-replaced"),
    ],
)
def test_when_the_words_stand_only_elsewhere_the_statement_goes_to_draft_and_the_editor_is_told(
    admin_client, putin, edit
):
    source = putin.citations.get().source
    with_trump = source.original_text.replace("Listen Live\n", f"Listen Live\n{TRUMP_LINE}", 1)
    assert edit_source_text(admin_client, source, with_trump).status_code == 302
    assert Statement.objects.get(pk=putin.pk).status == "published", "Trump's line stands far from Putin's"

    response = edit_source_text(admin_client, source, edit(with_trump))

    assert response.status_code == 302
    putin.refresh_from_db()
    assert putin.status == "draft"
    assert putin.citations.get().anchoring == "moved"
    messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert f"“{putin.summary}” (#{putin.pk}): its citation of “{source}” is found only in other surroundings" in (
        messages
    )
    assert putin.pk not in Statement.objects.published().values_list("pk", flat=True)
    assert WORDS not in exported(admin_client)


# --- The citation admin is no side door ----------------------------------------------------------------


@pytest.mark.parametrize(
    "passage",
    ["Putin said he would gladly travel to the United States if invited", "Moscow is the capital of Russia"],
    ids=["paraphrase", "unrelated"],
)
def test_a_published_statements_passage_cannot_be_changed_to_words_not_in_the_source(admin_client, putin, passage):
    citation = putin.citations.get()
    url = reverse("admin:timeline_citation_change", args=[citation.pk])

    response = admin_client.post(url, admin_form_data(admin_client.get(url)) | {"passage": passage, "_save": "Save"})

    assert response.status_code == 200
    assert "is published, and these words are not found exactly" in response.content.decode()
    citation.refresh_from_db()
    assert (citation.passage, citation.anchoring) == (WORDS, "exact")
    csv = exported(admin_client)
    assert passage not in csv


def test_deleting_a_published_statements_only_citation_returns_it_to_draft(admin_client, putin):
    citation = putin.citations.get()

    response = admin_client.post(reverse("admin:timeline_citation_delete", args=[citation.pk]), {"post": "yes"})

    assert response.status_code == 302
    putin.refresh_from_db()
    assert putin.status == "draft"
    assert "it has no citation" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert WORDS not in exported(admin_client)


# --- The rule at the model and queryset level -----------------------------------------------------------


def test_no_write_publishes_a_statement_without_a_verified_citation():
    statement = make_statement(cite=False)
    statement.status = Statement.Status.PUBLISHED
    with pytest.raises(UnverifiedStatement, match="it has no citation"):
        statement.save()
    with pytest.raises(UnverifiedStatement):
        Statement.objects.filter(pk=statement.pk).update(status="published")
    with pytest.raises(UnverifiedStatement):
        Statement.objects.create(
            speaker=statement.speaker, date=statement.date, text="x", summary="x", status="published"
        )
    with pytest.raises(UnverifiedStatement):
        Statement.objects.bulk_create([Statement(speaker=statement.speaker, date=statement.date, status="published")])
    assert not Statement.objects.published().exists()


def test_publish_verified_publishes_in_bulk_only_what_is_verified():
    good = make_statement(status="draft")
    bad = make_statement(status="draft")
    bad.citations.update(anchoring="approximate")
    uncited = make_statement(cite=False)

    assert Statement.objects.filter(pk__in=[good.pk, bad.pk, uncited.pk]).publish_verified() == 1

    assert list(Statement.objects.published()) == [good]


def test_restoring_a_deleted_statement_whose_words_are_gone_brings_it_back_as_a_draft(admin_client):
    source = make_source()
    statement = make_statement(source=source, text="The leaders said they would meet soon")
    pk = statement.pk
    statement.delete()
    source.original_text = "The article was replaced by a correction notice."
    source.save()
    record = Statement.history.get(id=pk, history_type="-")

    restored, problems = curation.restore_deleted_statement(record=record)

    assert restored.status == "draft"
    assert problems == [f"its citation of “{source}” is orphan: passage not found"]


# --- Two editors ------------------------------------------------------------------------------------------


def test_a_second_editor_saving_over_a_change_they_have_not_seen_is_refused_and_keeps_their_input(client, putin):
    first, second = make_editor(), make_editor()
    url = reverse("admin:timeline_statement_change", args=[putin.pk])
    client.force_login(first)
    first_form = admin_form_data(client.get(url))
    client.force_login(second)
    second_form = admin_form_data(client.get(url))

    client.force_login(first)
    assert client.post(url, first_form | {"summary": "First editor's summary", "_save": "Save"}).status_code == 302
    client.force_login(second)
    response = client.post(url, second_form | {"date_evidence": "Second editor's evidence", "_save": "Save"})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Someone else saved this statement by {first.username}" in page
    assert "summary (now “First editor&#x27;s summary”)" in page
    assert "Second editor&#x27;s evidence" in page, "the refused editor's input is kept"
    assert Statement.objects.get(pk=putin.pk).summary == "First editor's summary"
    assert Statement.objects.get(pk=putin.pk).date_evidence == putin.date_evidence

    # Having seen the change, the second editor saves again, over the version now shown.
    again = admin_form_data(response) | {"_save": "Save"}
    assert client.post(url, again).status_code == 302
    putin.refresh_from_db()
    assert (putin.summary, putin.date_evidence) == ("First editor's summary", "Second editor's evidence")


def test_when_both_editors_changed_a_field_the_second_is_told_and_their_words_are_kept(client, putin):
    editor = make_editor()
    client.force_login(editor)
    url = reverse("admin:timeline_statement_change", args=[putin.pk])
    stale = admin_form_data(client.get(url))
    assert client.post(url, stale | {"summary": "One", "_save": "Save"}).status_code == 302

    response = client.post(url, stale | {"summary": "Two", "_save": "Save"})

    assert response.status_code == 200
    assert "You both changed summary: yours is kept below." in response.content.decode()
    assert admin_form_data(response)["summary"] == "Two"
    assert Statement.objects.get(pk=putin.pk).summary == "One"


def test_a_save_landing_while_the_form_is_being_drawn_is_not_overwritten(client, putin, monkeypatch):
    """The form carries the version of the very row it shows: a save between reading the row and drawing the
    form (another editor's, committed meanwhile) makes the form stale, never silently overwritten."""
    from timeline.admin import StatementAdmin

    get_object = StatementAdmin.get_object

    def row_then_another_save(self, request, object_id, from_field=None):
        statement = get_object(self, request, object_id, from_field)
        if request.method == "GET":
            other = Statement.objects.get(pk=object_id)
            other.summary = "Another editor's save"
            other.save()
        return statement

    client.force_login(make_editor())
    url = reverse("admin:timeline_statement_change", args=[putin.pk])
    monkeypatch.setattr(StatementAdmin, "get_object", row_then_another_save)
    form = admin_form_data(client.get(url))
    monkeypatch.setattr(StatementAdmin, "get_object", get_object)

    response = client.post(url, form | {"date_evidence": "Mine", "_save": "Save"})

    assert response.status_code == 200
    assert "summary (now “Another editor&#x27;s save”)" in response.content.decode()
    assert Statement.objects.get(pk=putin.pk).summary == "Another editor's save"
