"""The admin: staff find every model, curate statements with live checks, history and publishing rules."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from timeline import curation
from timeline.anchoring import closest_match
from timeline.models import Citation, Event, Source, Speaker, Statement, Topic

from .factories import admin_form_data, make_editor, make_source, make_speaker, make_statement, make_topic

MODELS = [Speaker, Topic, Event, Source, Statement, Citation]


@pytest.fixture
def staff_client(client, admin_user):
    call_command("load_seeds", verbosity=0)
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_a_working_changelist_and_change_form(staff_client, model):
    changelist = staff_client.get(reverse(f"admin:timeline_{model._meta.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.first()
    change = staff_client.get(reverse(f"admin:timeline_{model._meta.model_name}_change", args=[obj.pk]))
    assert change.status_code == 200


@pytest.mark.django_db
def test_statement_changelist_searches_the_words_and_filters_by_side(staff_client):
    url = reverse("admin:timeline_statement_changelist")
    response = staff_client.get(url, {"q": "inexpedient"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    response = staff_client.get(url, {"speaker__side__exact": "us"})
    assert {s.speaker.side for s in response.context["cl"].result_list} == {"us"}


@pytest.mark.django_db
def test_statement_changelist_queries_do_not_grow_with_rows(staff_client):
    """Guards against N+1 queries on the statement list (speaker and event are joined)."""
    url = reverse("admin:timeline_statement_changelist")
    with CaptureQueriesContext(connection) as before:
        staff_client.get(url)
    template = Statement.objects.select_related("event").first()
    for number in range(30):
        Statement.objects.create(
            speaker=template.speaker, event=template.event, date=template.date, text=f"words {number}", summary="s"
        )
    with CaptureQueriesContext(connection) as after:
        staff_client.get(url)
    assert Statement.objects.count() > 60
    assert len(after) == len(before)


@pytest.mark.django_db
def test_admin_needs_a_login(client):
    response = client.get(reverse("admin:timeline_statement_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- The statement form: typed dates, pasted passages, the publishing rule ------------------------

FRIDAY = dt.date(2016, 12, 23)
ARTICLE = (
    "Moscow, 23 December. The president spoke to reporters after the annual meeting.\n\n"
    "He said the two countries would meet soon and talk about the relationship.\n\n"
    "Officials on both sides called the talks useful and said they would continue next year.\n"
)
PASSAGE = "the two countries would meet soon and talk about the relationship."
EDITED_PASSAGE = "the two countries would gather soon and talk about the relationship."
FOREIGN_PASSAGE = "Sanctions will be lifted by the spring, the minister told parliament."


@pytest.fixture
def article(db) -> Source:
    """A source published on Friday 23 Dec 2016."""
    return make_source(original_text=ARTICLE, published_on=FRIDAY)


def statement_data(source: Source, passage: str = PASSAGE, **fields) -> dict:
    """What the add form posts: the statement's fields and one citation in the inline."""
    return {
        "speaker": make_speaker().pk,
        "kind": "quote",
        "text": passage,
        "summary": "They will meet soon",
        "topics": [],
        "event": "",
        "status": "draft",
        "when": "23 Dec 2016",
        "date_evidence": "The article's date.",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-source": source.pk,
        "citations-0-passage": passage,
        "_save": "Save",
    } | fields


def add_statement(client, data: dict):
    return client.post(reverse("admin:timeline_statement_add"), data)


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("when", "date", "precision"),
    [
        ("23 Dec 2016", dt.date(2016, 12, 23), "day"),
        ("Dec 2016", dt.date(2016, 12, 1), "month"),
        ("2016", dt.date(2016, 1, 1), "year"),
        ("23 декабря 2016", dt.date(2016, 12, 23), "day"),
        # Relative to the source's date (Friday 23 Dec 2016), not to today: the Friday before it.
        ("last Friday", dt.date(2016, 12, 16), "day"),
    ],
)
def test_the_date_is_typed_freely_and_keeps_the_precision_typed(admin_client, article, when, date, precision):
    response = add_statement(admin_client, statement_data(article, when=when))

    assert response.status_code == 302, form_errors(response)
    statement = Statement.objects.get(summary="They will meet soon")
    assert (statement.date, statement.date_precision) == (date, precision)


def test_an_unreadable_date_is_a_form_error_and_nothing_is_saved(admin_client, article):
    response = add_statement(admin_client, statement_data(article, when="sometime around then"))

    assert response.status_code == 200
    assert "Could not read “sometime around then” as a date" in str(form_errors(response)["when"])
    assert not Statement.objects.exists()


def test_saving_finds_the_pasted_passage_whitespace_aside_and_records_offsets_and_context(admin_client, article):
    pasted = "  the two   countries would\nmeet soon and talk\tabout the relationship. "

    response = add_statement(admin_client, statement_data(article, pasted, status="published"))

    assert response.status_code == 302, form_errors(response)
    citation = Citation.objects.get()
    start = ARTICLE.index(PASSAGE)
    assert (citation.anchoring, citation.start, citation.end) == ("exact", start, start + len(PASSAGE))
    assert citation.passage == PASSAGE
    assert citation.prefix == ARTICLE[start - 40 : start]
    assert citation.suffix == ARTICLE[start + len(PASSAGE) : start + len(PASSAGE) + 40]
    assert citation.statement.status == "published"


@pytest.mark.parametrize("passage", [FOREIGN_PASSAGE, EDITED_PASSAGE], ids=["absent", "edited"])
def test_a_statement_cannot_be_published_with_a_passage_not_found_exactly(admin_client, article, passage):
    response = add_statement(admin_client, statement_data(article, passage, status="published"))

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert "A statement cannot be published with an unverified citation" in str(errors)
    assert not Statement.objects.exists()
    assert not Citation.objects.exists()


@pytest.mark.parametrize(
    ("passage", "anchoring"), [(FOREIGN_PASSAGE, "orphan"), (EDITED_PASSAGE, "approximate")], ids=["absent", "edited"]
)
def test_the_same_passage_saves_as_a_draft_flagged_for_review(admin_client, article, passage, anchoring):
    response = add_statement(admin_client, statement_data(article, passage, status="draft"))

    assert response.status_code == 302
    citation = Citation.objects.get()
    assert citation.anchoring == anchoring
    assert citation.passage == passage, "the editor's words are kept for review"
    assert citation.statement.status == "draft"


def test_a_published_statement_needs_a_citation(admin_client, article):
    data = statement_data(article, status="published") | {"citations-TOTAL_FORMS": "0"}

    response = add_statement(admin_client, data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert "A published statement needs at least one citation." in str(errors)


# --- Live previews -------------------------------------------------------------------------------


def anchor_preview(client, source: Source, passage: str):
    url = reverse("admin:timeline_statement_anchor_preview")
    return client.get(url, {"citations-0-source": source.pk, "citations-0-passage": passage})


def test_anchor_preview_shows_an_exact_passage_marked_in_its_context(admin_client, article):
    content = anchor_preview(admin_client, article, "two countries  would meet soon").content.decode()

    assert "Found exactly" in content
    assert "<mark>two countries would meet soon</mark>" in content
    assert "He said the" in content


def test_anchor_preview_offers_the_source_own_words_for_an_approximate_passage(admin_client, article):
    content = anchor_preview(admin_client, article, EDITED_PASSAGE).content.decode()

    assert "Found only approximately" in content
    match = closest_match(ARTICLE, EDITED_PASSAGE)
    own_words = " ".join(ARTICLE[match.start : match.end].split())
    assert "meet soon" in own_words
    assert "gather" not in own_words
    assert "Use the closest match" in content
    assert f'data-passage="{own_words}"' in content


def test_anchor_preview_says_when_a_passage_is_not_found(admin_client, article):
    content = anchor_preview(admin_client, article, FOREIGN_PASSAGE).content.decode()

    assert "Not found" in content
    assert "<mark>" not in content


def test_date_preview_reads_the_date_at_its_precision_relative_to_the_source(admin_client, article):
    url = reverse("admin:timeline_statement_date_preview")

    content = admin_client.get(url, {"when": "23 Dec 2016"}).content.decode()
    assert "Read as <strong>23 Dec 2016</strong> (day precision)" in content

    content = admin_client.get(url, {"when": "last Friday", "citations-0-source": article.pk}).content.decode()
    assert "Read as <strong>16 Dec 2016</strong> (day precision), relative to 23 Dec 2016." in content

    content = admin_client.get(url, {"when": "whenever"}).content.decode()
    assert "Could not read “whenever” as a date." in content


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["anchor_preview", "date_preview"])
def test_previews_need_a_staff_login(client, name):
    response = client.get(reverse(f"admin:timeline_statement_{name}"), {"when": "2016"})

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- History and revert --------------------------------------------------------------------------


def change_statement(client, statement: Statement, **fields):
    url = reverse("admin:timeline_statement_change", args=[statement.pk])
    return client.post(url, admin_form_data(client.get(url)) | fields | {"_save": "Save"})


def test_editing_a_statement_records_who_changed_what_and_the_history_page_lists_it(admin_client, admin_user):
    statement = make_statement(summary="First wording")

    response = change_statement(admin_client, statement, summary="Second wording")

    assert response.status_code == 302, form_errors(response)
    latest, original = Statement.history.filter(id=statement.pk)[:2]
    assert (latest.summary, latest.history_user) == ("Second wording", admin_user)
    assert original.summary == "First wording"
    page = admin_client.get(reverse("admin:timeline_statement_history", args=[statement.pk])).content.decode()
    assert reverse("admin:timeline_statement_simple_history", args=[statement.pk, latest.history_id]) in page
    assert reverse("admin:timeline_statement_simple_history", args=[statement.pk, original.history_id]) in page
    assert admin_user.username in page


def test_posting_an_older_version_reverts_the_statement(admin_client):
    statement = make_statement(summary="First wording")
    original = Statement.history.filter(id=statement.pk).first()
    change_statement(admin_client, statement, summary="Second wording")
    records = Statement.history.filter(id=statement.pk).count()
    url = reverse("admin:timeline_statement_simple_history", args=[statement.pk, original.history_id])

    response = admin_client.post(url, admin_form_data(admin_client.get(url)) | {"_save": "Save"})

    assert response.status_code == 302, form_errors(response)
    statement.refresh_from_db()
    assert (statement.summary, statement.status) == ("First wording", "published")
    assert Statement.history.filter(id=statement.pk).count() == records + 1


def test_reverting_cannot_republish_a_statement_whose_citation_is_no_longer_verified(admin_client):
    """The publishing rule holds for reverts too: an old published version must not bring back an orphan."""
    statement = make_statement(summary="Published words")
    published_version = Statement.history.filter(id=statement.pk).first()
    source = statement.citations.get().source
    source.original_text = "The article was replaced by a correction notice."
    source.save()
    curation.reanchor_source(source=source)
    assert Statement.objects.get(pk=statement.pk).status == "draft"
    url = reverse("admin:timeline_statement_simple_history", args=[statement.pk, published_version.history_id])

    admin_client.post(url, admin_form_data(admin_client.get(url)) | {"_save": "Save"})

    assert statement.citations.get().anchoring == "orphan"
    assert Statement.objects.get(pk=statement.pk).status == "draft"


def test_a_source_text_correction_is_recorded_in_its_history(admin_client, admin_user, article):
    url = reverse("admin:timeline_source_change", args=[article.pk])
    corrected = "Correction: the meeting was on Thursday.\n\n" + ARTICLE

    response = admin_client.post(url, admin_form_data(admin_client.get(url)) | {"original_text": corrected})

    assert response.status_code == 302
    records = list(Source.history.filter(id=article.pk))
    latest = records[0]
    assert latest.original_text.startswith("Correction: the meeting was on Thursday.")
    assert latest.history_user == admin_user
    assert records[-1].original_text == ARTICLE
    page = admin_client.get(reverse("admin:timeline_source_history", args=[article.pk])).content.decode()
    assert reverse("admin:timeline_source_simple_history", args=[article.pk, latest.history_id]) in page


def test_a_deleted_statement_is_listed_and_restored_with_its_citations_and_topics(admin_client):
    topics = (make_topic(), make_topic())
    statement = make_statement(summary="Deleted by mistake", topics=topics)
    citation = statement.citations.get()
    pk = statement.pk

    response = admin_client.post(reverse("admin:timeline_statement_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Statement.objects.filter(pk=pk).exists()
    assert not Citation.objects.filter(pk=citation.pk).exists()

    deleted_url = reverse("admin:timeline_historicalstatement_changelist")
    assert "Deleted by mistake" in admin_client.get(deleted_url).content.decode()
    record = Statement.history.get(id=pk, history_type="-")
    response = admin_client.post(
        deleted_url, {"action": "restore_selected", "_selected_action": [record.history_id]}, follow=True
    )

    assert "1 statement(s) restored, with their citations." in {str(m) for m in get_messages(response.wsgi_request)}
    restored = Statement.objects.get(pk=pk)
    assert restored.summary == "Deleted by mistake"
    assert list(restored.citations.values_list("pk", "source", "passage", "start", "end", "anchoring")) == [
        (citation.pk, citation.source_id, citation.passage, citation.start, citation.end, "exact")
    ]
    assert set(restored.topics.all()) == set(topics)
    assert "Deleted by mistake" not in admin_client.get(deleted_url).content.decode()


# --- Permissions ----------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client, db):
    client.force_login(make_editor())
    return client


def test_an_editor_adds_statements_and_sees_their_history(editor_client, article):
    assert editor_client.get(reverse("admin:timeline_statement_add")).status_code == 200

    response = add_statement(editor_client, statement_data(article))

    assert response.status_code == 302, form_errors(response)
    statement = Statement.objects.get()
    assert editor_client.get(reverse("admin:timeline_statement_history", args=[statement.pk])).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("admin:auth_user_changelist"),
        lambda: reverse("admin:auth_user_add"),
        lambda: reverse("admin:auth_group_changelist"),
        lambda: reverse("admin:auth_group_add"),
        lambda: reverse("admin:auth_group_change", args=[Group.objects.get(name="Editors").pk]),
    ],
    ids=["user-list", "user-add", "group-list", "group-add", "group-change"],
)
def test_an_editor_cannot_manage_users_or_groups(editor_client, url):
    assert editor_client.get(url()).status_code == 403


@pytest.mark.django_db
def test_the_editors_group_has_curation_permissions_and_none_over_users_or_groups():
    editors = Group.objects.get(name="Editors")

    assert not editors.permissions.exclude(content_type__app_label="timeline").exists()
    assert editors.permissions.filter(codename="add_statement").exists()
    assert not editors.permissions.filter(
        codename__in=["change_historicalstatement", "delete_historicalsource"]
    ).exists()


def test_a_draft_is_hidden_from_readers_and_previewed_for_staff(editor_client):
    statement = make_statement(status=Statement.Status.DRAFT)

    assert Client().get(statement.get_absolute_url()).status_code == 404
    response = editor_client.get(statement.get_absolute_url())
    assert response.status_code == 200
    assert "Draft preview." in response.content.decode()


# --- Changelists at scale -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changelist",
    [
        "timeline_statement_changelist",
        "timeline_source_changelist",
        "timeline_citation_changelist",
        "timeline_historicalstatement_changelist",
    ],
)
def test_changelists_run_the_same_queries_for_forty_more_rows(staff_client, changelist):
    """Guards against N+1 queries: the seed data and forty more statements, citations, sources and deletions."""
    Statement.objects.first().delete()
    url = reverse(f"admin:{changelist}")
    with CaptureQueriesContext(connection) as before:
        assert staff_client.get(url).status_code == 200
    for _ in range(40):
        make_statement(topics=(make_topic(),))
        make_statement(status=Statement.Status.DRAFT).delete()

    with CaptureQueriesContext(connection) as after:
        response = staff_client.get(url)

    assert response.context["cl"].result_count > 40
    assert len(after) == len(before), [q["sql"] for q in after]


# --- Importing and suggesting from the admin ------------------------------------------------

IMPORT_URL = "admin:timeline_source_import"
PASTED = """Lavrov: Moscow open to talks

MOSCOW, 3 March 2017 - Russian Foreign Minister Sergey Lavrov said on Friday that Moscow was ready to talk.

"We are open to a dialogue on strategic stability with the new administration," Lavrov told reporters.
"""


def test_pasting_an_article_imports_it_with_its_detected_metadata(editor_client):
    response = editor_client.post(reverse(IMPORT_URL), {"text": PASTED, "url": "https://example.org/lavrov"})
    source = Source.objects.get(title="Lavrov: Moscow open to talks")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:timeline_source_change", args=[source.pk])
    assert source.published_on == dt.date(2017, 3, 3)
    assert source.url == "https://example.org/lavrov"
    assert source.original_text == PASTED


def test_uploading_the_same_article_twice_makes_one_source_and_says_so(editor_client):
    upload = SimpleUploadedFile("lavrov.txt", PASTED.encode(), content_type="text/plain")
    editor_client.post(reverse(IMPORT_URL), {"file": upload})
    again = SimpleUploadedFile("lavrov.txt", PASTED.encode(), content_type="text/plain")
    response = editor_client.post(reverse(IMPORT_URL), {"file": again}, follow=True)
    assert Source.objects.filter(title="Lavrov: Moscow open to talks").count() == 1
    assert "already imported" in response.content.decode()


def test_a_file_that_is_not_utf8_is_refused_on_the_import_page_with_its_reason(editor_client):
    upload = SimpleUploadedFile("cyrillic.txt", "Путин сказал".encode("cp1251"), content_type="text/plain")
    response = editor_client.post(reverse(IMPORT_URL), {"file": upload})
    assert response.status_code == 200
    assert "cyrillic.txt: not valid UTF-8" in response.content.decode()
    assert not Source.objects.filter(title__icontains="cyrillic").exists()


def test_import_needs_a_file_or_text_but_not_both(editor_client):
    response = editor_client.post(reverse(IMPORT_URL), {})
    assert "Give either a file or pasted text" in response.content.decode()


def test_suggest_button_proposes_drafts_and_lists_them(editor_client):
    call_command("load_seeds", verbosity=0)
    editor_client.post(reverse(IMPORT_URL), {"text": PASTED, "suggest": ""})
    source = Source.objects.get(title="Lavrov: Moscow open to talks")
    assert not source.citations.exists()

    response = editor_client.post(reverse("admin:timeline_source_suggest", args=[source.pk]))

    drafts = Statement.objects.filter(citations__source=source)
    assert drafts.exists()
    assert set(drafts.values_list("status", flat=True)) == {"draft"}
    assert drafts.filter(speaker__slug="sergey-lavrov").exists()
    assert response.status_code == 302
    listing = editor_client.get(response["Location"])
    assert listing.context["cl"].result_count == drafts.count()


def test_suggest_button_only_answers_a_post(editor_client, article):
    response = editor_client.get(reverse("admin:timeline_source_suggest", args=[article.pk]))
    assert response.status_code == 405
