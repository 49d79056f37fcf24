"""Re-anchoring: when a source's text is corrected, every citation is found again or flagged, never misplaced."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from timeline import curation, reading
from timeline.anchoring import APPROXIMATE_THRESHOLD, closest_match, find_passage, quote_context
from timeline.curation import reanchor_source
from timeline.models import Citation, Statement

from .factories import admin_form_data, make_citation, make_source, make_statement

TEXT = (
    "Moscow, 23 December. The president spoke to reporters after the annual meeting. "
    "It went on for four hours, longer than in any year before.\n\n"
    "He said the two countries would meet soon and talk about the relationship.\n\n"
    "Officials on both sides called the talks useful and said they would continue next year.\n"
)
KEPT = "the two countries would meet soon and talk about the relationship"
EDITED = "Officials on both sides called the talks useful and said they would continue next year."
DELETED = "The president spoke to reporters after the annual meeting"


# --- find_passage and closest_match (pure) ----------------------------------------------------


def test_a_passage_the_edit_did_not_touch_is_exact_at_its_place():
    start = TEXT.index(KEPT)
    text = TEXT.replace("23 December", "24 December")
    match = find_passage(text, KEPT, start=start, end=start + len(KEPT), old_text=TEXT)
    assert (match.kind, match.start, match.similarity) == ("exact", text.index(KEPT), 1.0)


def test_a_passage_moved_by_an_insertion_is_found_exactly_at_its_new_place():
    old_start = TEXT.index(KEPT)
    text = "A new first paragraph, added by the correction.\n\n" + TEXT
    match = find_passage(text, KEPT, start=old_start, end=old_start + len(KEPT), old_text=TEXT)
    assert match.kind == "exact"
    assert match.start != old_start
    assert text[match.start : match.end] == KEPT


def test_without_the_old_text_the_surroundings_recorded_at_verification_decide():
    start = TEXT.index(KEPT)
    prefix, suffix = quote_context(TEXT, start, start + len(KEPT))
    text = "Update. " + TEXT
    assert find_passage(text, KEPT, start=start, prefix=prefix, suffix=suffix).kind == "exact"
    assert find_passage(text, KEPT, start=start).kind == "moved", "no context recorded: nothing to verify against"


def test_of_a_passage_repeated_twice_the_occurrence_in_its_recorded_surroundings_is_chosen():
    passage = "we are ready to talk"
    text = f"In March the minister said: {passage} about trade. In May the president said: {passage} about arms."
    second = text.rindex(passage)
    prefix, suffix = quote_context(text, second, second + len(passage))
    # The text moved, so the old offset no longer holds; only the context tells the repeats apart.
    moved = "Update. " + text
    match = find_passage(moved, passage, start=second, prefix=prefix, suffix=suffix)
    assert (match.kind, match.start) == ("exact", second + len("Update. "))
    first = text.index(passage)
    first_match = find_passage(moved, passage, start=first, prefix=text[:first], suffix=text[first + 20 : first + 60])
    assert first_match.kind == "moved", "a context that reached the text's start no longer does"
    assert find_passage(moved, passage, start=first, old_text=text).kind == "moved", "the edit is too close"


def test_the_same_words_in_other_surroundings_are_moved_never_verified():
    """Putin's paragraph goes; Trump's line repeating his words stays: the words are not Putin's any more."""
    putin = 'Asked about a visit, "If he will invite me, then of course, I will travel," Putin said.\n'
    trump = 'Later "If he will invite me, then of course, I will travel," Trump quipped in reply.\n'
    passage = "If he will invite me, then of course, I will travel"
    old = "Intro.\n" + putin + trump
    start = old.index(passage)
    prefix, suffix = quote_context(old, start, start + len(passage))
    new = "Intro.\n" + trump

    for kwargs in ({"old_text": old}, {}):
        match = find_passage(
            new, passage, start=start, end=start + len(passage), prefix=prefix, suffix=suffix, **kwargs
        )
        assert match.kind == "moved"
        assert match.found, "the editor is shown where the words now stand"


def test_repeats_in_identical_surroundings_are_a_choice_left_to_the_editor():
    paragraph = "He said: we are ready to talk about it, and then he left the room at once.\n"
    passage = "we are ready to talk"
    old = "Intro line.\n" + paragraph + "Middle line of the report goes here, long enough.\n" + paragraph
    start = old.index(passage)
    prefix, suffix = quote_context(old, start, start + len(passage))
    new = old.replace("Intro line.\n", "Intro line,\n")  # both repeats now differ from the recorded prefix alike

    assert find_passage(new, passage, start=start, prefix=prefix, suffix=suffix).kind == "moved"


def test_a_passage_with_one_word_changed_is_approximate_at_the_closest_words():
    text = TEXT.replace("called the talks useful", "called the talks helpful")
    match = find_passage(text, EDITED, start=TEXT.index(EDITED))
    assert match.kind == "approximate"
    assert text[match.start : match.end] == EDITED.replace("useful", "helpful")
    assert match.similarity >= APPROXIMATE_THRESHOLD / 100
    assert match.similarity < 1


def test_a_heavily_changed_passage_is_an_orphan_never_attached_to_other_words():
    text = TEXT.replace(EDITED, "Nothing more was reported about the matter by the end of the day")
    match = find_passage(text, EDITED, start=TEXT.index(EDITED))
    assert match.kind == "orphan"
    assert not match.found
    assert match.similarity < APPROXIMATE_THRESHOLD / 100


def test_a_removed_passage_is_an_orphan():
    text = TEXT.replace(DELETED, "")
    assert find_passage(text, DELETED, start=TEXT.index(DELETED)).kind == "orphan"


def test_closest_match_leaves_the_quotation_marks_around_the_words_to_the_text():
    text = "He said: “they would meet soon and talk” about it, and «we shall see» later."
    match = closest_match(text, "they would meet soon and talk")
    assert text[match.start : match.end] == "they would meet soon and talk"
    match = closest_match(text, "we shall see")
    assert text[match.start : match.end] == "we shall see"


# --- curation.reanchor_source ------------------------------------------------------------------


@pytest.fixture
def cited_source(db):
    """A source with three published statements citing it: one passage to keep, one to edit, one to delete."""
    source = make_source(original_text=TEXT, published_on=None)
    statements = {}
    for name, passage in [("kept", KEPT), ("edited", EDITED), ("deleted", DELETED)]:
        statements[name] = make_statement(cite=False, text=passage)
        make_citation(statement=statements[name], source=source, passage=passage)
    curation.publish(statements=statements.values())
    return source, statements


def corrected(text: str) -> str:
    """The text after an editor's correction: a paragraph inserted on top, a word changed, a sentence deleted."""
    text = text.replace("called the talks useful", "called the talks helpful").replace(DELETED, "")
    return "Editor's note: this report was corrected on 24 December to fix a transcription error.\n\n" + text


def test_after_a_correction_each_citation_points_at_the_same_words_or_is_flagged(cited_source):
    source, statements = cited_source
    source.original_text = corrected(source.original_text)
    source.save()  # every save of a changed text anchors the citations again

    report = source.reanchor_report

    assert report.outcomes == {"exact": 1, "approximate": 1, "orphan": 1}
    kept, edited, deleted = (statements[name].citations.get() for name in ("kept", "edited", "deleted"))
    text = source.original_text
    assert kept.anchoring == "exact"
    assert text[kept.start : kept.end] == kept.passage == KEPT
    assert kept.prefix == text[max(0, kept.start - 40) : kept.start]
    assert kept.suffix == text[kept.end : kept.end + 40]
    assert kept.is_verified
    assert edited.anchoring == "approximate"
    assert text[edited.start : edited.end] == EDITED.replace("useful", "helpful")
    assert edited.similarity >= APPROXIMATE_THRESHOLD / 100
    assert deleted.anchoring == "orphan"
    assert not edited.is_verified
    assert not deleted.is_verified


def test_a_published_statement_whose_citation_is_no_longer_exact_goes_back_to_draft(cited_source):
    source, statements = cited_source
    source.original_text = corrected(source.original_text)
    source.save()

    report = source.reanchor_report

    assert {d.statement.pk for d in report.returned_to_draft} == {statements["edited"].pk, statements["deleted"].pk}
    status = dict(Statement.objects.values_list("pk", "status"))
    assert status[statements["kept"].pk] == "published"
    assert status[statements["edited"].pk] == "draft"
    assert status[statements["deleted"].pk] == "draft"


def test_reanchoring_derives_the_reading_paragraphs_from_the_new_text(cited_source):
    source, _ = cited_source
    old_spans = source.reading_spans
    source.original_text = corrected(source.original_text)
    source.save()

    reanchor_source(source=source)

    source.refresh_from_db()
    assert source.reading_spans == [list(span) for span in reading.reading_spans(source.original_text, source.title)]
    assert source.reading_spans != old_spans
    assert source.reading_text.startswith("Editor's note")


# --- through the admin's source form -----------------------------------------------------------


@pytest.mark.django_db
def test_correcting_a_source_text_in_the_admin_reanchors_its_citations_and_says_so(client, admin_user, cited_source):
    source, statements = cited_source
    client.force_login(admin_user)
    url = reverse("admin:timeline_source_change", args=[source.pk])
    data = admin_form_data(client.get(url)) | {"original_text": corrected(TEXT), "_save": "Save"}

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    edited, deleted = statements["edited"], statements["deleted"]
    assert (
        "The text changed, so every citation was anchored again: 1 approximate, 1 exact, 1 orphan. "
        f"2 statement(s) went back to draft until reviewed: “{edited.summary}” (#{edited.pk}): its citation of "
        f"“{source}” is approximate: needs review — “{deleted.summary}” (#{deleted.pk}): its citation of "
        f"“{source}” is orphan: passage not found." in messages
    )
    source.refresh_from_db()
    kept = Citation.objects.get(statement=statements["kept"])
    assert source.original_text[kept.start : kept.end] == KEPT
    assert dict(Citation.objects.values_list("statement_id", "anchoring")) == {
        statements["kept"].pk: "exact",
        statements["edited"].pk: "approximate",
        statements["deleted"].pk: "orphan",
    }


@pytest.mark.django_db
def test_saving_another_field_of_a_source_keeps_its_text_verbatim_and_citations_alone(client, admin_user, cited_source):
    source, _ = cited_source
    client.force_login(admin_user)
    url = reverse("admin:timeline_source_change", args=[source.pk])
    # A browser sends a textarea's lines back separated by CR LF, and the text as it was otherwise.
    browser_text = source.original_text.replace("\n", "\r\n")
    data = admin_form_data(client.get(url)) | {
        "publisher": "Another Wire",
        "original_text": browser_text,
        "_save": "Save",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.publisher == "Another Wire"
    assert source.original_text == TEXT, "the verbatim text must survive a save of another field"
    assert not any("anchored again" in str(m) for m in get_messages(response.wsgi_request))
    assert set(Statement.objects.values_list("status", flat=True)) == {"published"}
