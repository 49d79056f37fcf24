"""The domain rules the models enforce: dates at a precision, verified citations, published only."""

import datetime as dt
import hashlib

import pytest
from django.db import IntegrityError, transaction

from timeline.models import Citation, Speaker, Statement

from .factories import make_citation, make_source, make_speaker, make_statement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "precision", "date", "date_end", "shown"),
    [
        (dt.date(2016, 12, 23), "day", dt.date(2016, 12, 23), dt.date(2016, 12, 23), "23 Dec 2016"),
        (dt.date(2016, 10, 17), "month", dt.date(2016, 10, 1), dt.date(2016, 10, 31), "Oct 2016"),
        (dt.date(2016, 2, 10), "month", dt.date(2016, 2, 1), dt.date(2016, 2, 29), "Feb 2016"),
        (dt.date(2016, 7, 4), "year", dt.date(2016, 1, 1), dt.date(2016, 12, 31), "2016"),
    ],
)
def test_saving_a_statement_stores_its_period_start_and_end(given, precision, date, date_end, shown):
    statement = make_statement(date=given, date_precision=precision)
    statement.refresh_from_db()
    assert (statement.date, statement.date_end) == (date, date_end)
    assert statement.date_display == shown


def test_changing_the_precision_moves_the_period_on_save():
    statement = make_statement(date=dt.date(2016, 10, 17), date_precision="day")
    statement.date_precision = "year"
    statement.save()
    statement.refresh_from_db()
    assert (statement.date, statement.date_end) == (dt.date(2016, 1, 1), dt.date(2016, 12, 31))


def test_statement_str_and_url_say_who_when_and_where():
    statement = make_statement(
        speaker=make_speaker(name="Vladimir Putin"), date=dt.date(2016, 10, 5), date_precision="month", summary="S"
    )
    assert str(statement) == "Vladimir Putin, Oct 2016: S"
    assert statement.get_absolute_url() == f"/statements/{statement.pk}/"
    assert statement.date_iso == "2016-10"


def _raises_integrity_error(action) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_a_citation_must_end_after_it_starts():
    statement = make_statement(cite=False)
    source = make_source()
    _raises_integrity_error(
        lambda: Citation.objects.create(statement=statement, source=source, passage="x", start=10, end=10)
    )


def test_a_statement_cannot_be_anchored_twice_at_the_same_place():
    statement = make_statement()
    citation = statement.citations.get()
    _raises_integrity_error(
        lambda: Citation.objects.create(
            statement=statement, source=citation.source, passage="x", start=citation.start, end=citation.end + 1
        )
    )


def test_a_statement_period_cannot_end_before_it_starts():
    statement = make_statement()
    _raises_integrity_error(
        lambda: Statement.objects.filter(pk=statement.pk).update(date_end=statement.date - dt.timedelta(days=1))
    )


@pytest.mark.parametrize(("field", "value"), [("date_precision", "week"), ("kind", "rumour"), ("status", "hidden")])
def test_statement_enumerations_are_enforced_by_the_database(field, value):
    statement = make_statement()
    _raises_integrity_error(lambda: Statement.objects.filter(pk=statement.pk).update(**{field: value}))


def test_a_speaker_side_is_russia_or_the_united_states():
    _raises_integrity_error(lambda: Speaker.objects.create(name="X", slug="x", side="fr"))


def test_citation_is_verified_when_its_passage_is_at_its_offsets_whitespace_aside():
    source = make_source(original_text="Intro text.\nHe said\n  we will   meet soon.\nEnd.")
    statement = make_statement(source=source, text="we will meet soon.")
    citation = statement.citations.get()
    assert citation.is_verified
    citation.passage = "we will meet soon."  # whitespace differs from the original's
    assert citation.is_verified
    citation.start += 1
    assert not citation.is_verified
    citation.start -= 1
    citation.passage = "we shall meet soon."
    assert not citation.is_verified


def test_citation_url_lands_on_the_statements_mark_in_the_source():
    statement = make_statement()
    citation = statement.citations.get()
    assert citation.get_absolute_url() == f"/sources/{citation.source.slug}/#s{statement.pk}"


def test_citation_text_fragment_finds_the_passage_on_the_original_page():
    short = make_statement(text="The leaders said they would meet soon").citations.get()
    assert short.text_fragment == "The%20leaders%20said%20they%20would%20meet%20soon"
    long_text = "one two three four five six seven eight nine, ten"
    long = make_statement(text=long_text).citations.get()
    assert long.text_fragment == "one%20two%20three%20four,seven%20eight%20nine%2C%20ten"


def test_citation_text_fragment_escapes_hyphens_so_they_are_not_read_as_prefix_or_suffix():
    """In `#:~:text=` a term starting or ending with '-' is a prefix/suffix; '-' in words must be %2D."""
    citation = make_statement(text="one two three four five six seven - eight nine ten").citations.get()
    end = citation.text_fragment.split(",")[-1]
    assert not end.startswith("-")
    assert "%2D" in end


def test_source_save_hashes_the_text_and_derives_reading_spans():
    text = "Listen Live\n\nThe leaders met today and agreed to talk again next month in Moscow.\n"
    source = make_source(original_text=text)
    assert source.content_hash == hashlib.sha256(text.encode()).hexdigest()
    assert source.reading_text == "The leaders met today and agreed to talk again next month in Moscow."


def test_published_leaves_out_drafts():
    published = make_statement()
    make_statement(status=Statement.Status.DRAFT)
    assert list(Statement.objects.published()) == [published]


@pytest.mark.parametrize(
    ("start", "end", "included"),
    [
        (dt.date(2016, 10, 31), dt.date(2016, 11, 30), True),  # overlaps the month's last day
        (dt.date(2016, 9, 1), dt.date(2016, 10, 1), True),  # overlaps the month's first day
        (dt.date(2016, 10, 10), dt.date(2016, 10, 12), True),  # inside the month
        (dt.date(2016, 11, 1), None, False),
        (None, dt.date(2016, 9, 30), False),
        (None, None, True),
    ],
)
def test_between_includes_a_month_statement_when_the_month_overlaps_the_range(start, end, included):
    statement = make_statement(date=dt.date(2016, 10, 1), date_precision="month")
    assert (statement in Statement.objects.between(start, end)) is included


def test_between_includes_a_year_statement_in_any_range_within_the_year():
    statement = make_statement(date=dt.date(2016, 1, 1), date_precision="year")
    assert statement in Statement.objects.between(dt.date(2016, 12, 1), dt.date(2016, 12, 31))
    assert statement not in Statement.objects.between(dt.date(2017, 1, 1), None)


def test_search_matches_every_word_in_the_text_summary_or_speaker():
    putin = make_speaker(name="Vladimir Putin")
    meeting = make_statement(speaker=putin, text="We are ready to meet", summary="Putin on a summit")
    other = make_statement(text="Sanctions will stay", summary="On trade")
    assert list(Statement.objects.search("ready")) == [meeting]
    assert list(Statement.objects.search("SUMMIT")) == [meeting]
    assert list(Statement.objects.search("vladimir ready")) == [meeting]
    assert list(Statement.objects.search("ready trade")) == []
    assert list(Statement.objects.search("sanctions")) == [other]


def test_chronological_orders_by_date_then_longer_period_first():
    """A year-only date heads its year and a month-only date its month, so their headings stay together."""
    year = make_statement(date=dt.date(2016, 1, 1), date_precision="year")
    day = make_statement(date=dt.date(2016, 1, 1), date_precision="day")
    month = make_statement(date=dt.date(2016, 1, 1), date_precision="month")
    earlier = make_statement(date=dt.date(2015, 12, 31))
    assert list(Statement.objects.chronological()) == [earlier, year, month, day]


def test_citation_context_gives_words_around_the_passage():
    source = make_source(original_text="Before words here. The passage itself. After words there.")
    statement = make_statement(source=source, text="The passage itself.")
    make_citation(statement=make_statement(cite=False), source=source, passage="After words")
    assert statement.citations.get().context == ("Before words here. ", "The passage itself.", " After words there.")
