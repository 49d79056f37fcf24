"""Dates as people write them, kept and shown at their true precision."""

import datetime as dt

import pytest

from timeline.dates import (
    DateSpan,
    format_at_precision,
    iso_at_precision,
    parse_date_span,
    parse_range_bound,
    span_end,
    truncate,
)


@pytest.mark.parametrize(
    ("text", "start", "precision"),
    [
        ("Dec 2016", dt.date(2016, 12, 1), "month"),
        ("December 2016", dt.date(2016, 12, 1), "month"),
        ("декабрь 2016", dt.date(2016, 12, 1), "month"),
        ("2016-12-01", dt.date(2016, 12, 1), "day"),
        ("23 декабря 2016", dt.date(2016, 12, 23), "day"),
        ("23 Dec 2016", dt.date(2016, 12, 23), "day"),
        ("  23   Dec\n2016 ", dt.date(2016, 12, 23), "day"),
    ],
)
def test_parse_date_span_reads_dates_at_the_precision_written(text, start, precision):
    span = parse_date_span(text)
    assert span == DateSpan(start, precision)


def test_a_bare_year_means_the_whole_year_not_todays_month():
    """dateparser alone would give today's month and day for '2016'."""
    span = parse_date_span("2016")
    assert span == DateSpan(dt.date(2016, 1, 1), "year")
    assert span.end == dt.date(2016, 12, 31)


@pytest.mark.parametrize("text", ["blah", "", "   ", "not a date at all", "the meeting"])
def test_text_that_is_not_a_date_reads_as_none(text):
    assert parse_date_span(text) is None


def test_relative_phrase_resolves_against_the_articles_date_not_today():
    """'Putin said last month' in a story of 9 Nov 2016 means October 2016, to the month."""
    span = parse_date_span("last month", relative_to=dt.date(2016, 11, 9))
    assert span == DateSpan(dt.date(2016, 10, 1), "month")
    assert span.end == dt.date(2016, 10, 31)


def test_weekday_resolves_against_the_articles_date():
    """'said Friday' in a story of Saturday 24 Dec 2016 is Friday 23 Dec 2016."""
    assert parse_date_span("Friday", relative_to=dt.date(2016, 12, 24)) == DateSpan(dt.date(2016, 12, 23), "day")


@pytest.mark.parametrize(
    ("text", "upper", "expected"),
    [
        ("since 2018", False, dt.date(2018, 1, 1)),
        ("Dec 2016", False, dt.date(2016, 12, 1)),
        ("Dec 2016", True, dt.date(2016, 12, 31)),
        ("2016", True, dt.date(2016, 12, 31)),
        ("2016-12-23", True, dt.date(2016, 12, 23)),
        ("before 2018", True, dt.date(2017, 12, 31)),
        ("after Nov 2016", False, dt.date(2016, 12, 1)),
        ("until Nov 2016", True, dt.date(2016, 11, 30)),
        ("с 2018", False, dt.date(2018, 1, 1)),
        ("до 2018", True, dt.date(2017, 12, 31)),
    ],
)
def test_range_bound_admits_the_whole_period_named(text, upper, expected):
    assert parse_range_bound(text, upper=upper) == expected


def test_range_bound_that_is_not_a_date_is_none():
    assert parse_range_bound("since whenever", upper=False) is None
    assert parse_range_bound("blah", upper=True) is None


@pytest.mark.parametrize(
    ("day", "precision", "shown", "iso"),
    [
        (dt.date(2016, 12, 23), "day", "23 Dec 2016", "2016-12-23"),
        (dt.date(2016, 10, 1), "month", "Oct 2016", "2016-10"),
        (dt.date(2016, 1, 1), "year", "2016", "2016"),
        (dt.date(2016, 3, 5), "day", "5 Mar 2016", "2016-03-05"),
    ],
)
def test_dates_are_shown_and_serialised_at_their_precision(day, precision, shown, iso):
    assert format_at_precision(day, precision) == shown
    assert iso_at_precision(day, precision) == iso
    assert str(DateSpan(day, precision)) == shown
    assert DateSpan(day, precision).iso() == iso


def test_truncate_and_span_end_cover_the_period():
    assert truncate(dt.date(2016, 10, 17), "month") == dt.date(2016, 10, 1)
    assert truncate(dt.date(2016, 10, 17), "year") == dt.date(2016, 1, 1)
    assert truncate(dt.date(2016, 10, 17), "day") == dt.date(2016, 10, 17)
    assert span_end(dt.date(2016, 2, 1), "month") == dt.date(2016, 2, 29)
    assert span_end(dt.date(2016, 1, 1), "year") == dt.date(2016, 12, 31)
    assert span_end(dt.date(2016, 2, 3), "day") == dt.date(2016, 2, 3)
