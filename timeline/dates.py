"""Dates at a precision: reading what people type, and showing dates as precisely as they are known."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from dateparser.date import DateDataParser
from django.db import models

LANGUAGES = ["en", "ru"]


class Precision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


@dataclass(frozen=True)
class DateSpan:
    """A date known to `precision`: `start` is its first day and `end` its last."""

    start: dt.date
    precision: str

    @property
    def end(self) -> dt.date:
        return span_end(self.start, self.precision)

    def iso(self) -> str:
        return iso_at_precision(self.start, self.precision)

    def __str__(self) -> str:
        return format_at_precision(self.start, self.precision)


def span_end(start: dt.date, precision: str) -> dt.date:
    """The last day a date at `precision` covers."""
    if precision == Precision.YEAR:
        return dt.date(start.year, 12, 31)
    if precision == Precision.MONTH:
        return dt.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start


def truncate(day: dt.date, precision: str) -> dt.date:
    """The first day of the period at `precision` that holds `day`."""
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return day.replace(day=1)
    return day


def format_at_precision(day: dt.date, precision: str) -> str:
    """'23 Dec 2016', 'Oct 2016' or '2016'."""
    if precision == Precision.YEAR:
        return str(day.year)
    if precision == Precision.MONTH:
        return f"{day:%b} {day.year}"
    return f"{day.day} {day:%b} {day.year}"


def parts_at_precision(day: dt.date, precision: str) -> list[int]:
    """[year], [year, month] or [year, month, day]: as much of the date as is known."""
    return [day.year, day.month, day.day][: {Precision.YEAR: 1, Precision.MONTH: 2}.get(precision, 3)]


def iso_at_precision(day: dt.date, precision: str) -> str:
    """ISO 8601 cut to the precision: '2016-12-23', '2016-10' or '2016'."""
    year, *rest = parts_at_precision(day, precision)
    return "-".join([f"{year:04d}", *(f"{part:02d}" for part in rest)])


@lru_cache(maxsize=4)
def _parser(relative_base: dt.datetime | None) -> DateDataParser:
    settings = {"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"}
    if relative_base is not None:
        settings["RELATIVE_BASE"] = relative_base
    return DateDataParser(languages=LANGUAGES, settings=settings)


_YEAR_ONLY = re.compile(r"^\s*(\d{4})\s*$")
# "в октябре 2016": dateparser knows the nominative and genitive month names, not the prepositional.
_RU_PREPOSITIONAL_MONTHS = {
    "январе": "январь", "феврале": "февраль", "марте": "март", "апреле": "апрель", "мае": "май",
    "июне": "июнь", "июле": "июль", "августе": "август", "сентябре": "сентябрь", "октябре": "октябрь",
    "ноябре": "ноябрь", "декабре": "декабрь",
}  # fmt: skip
_LEADING_PREPOSITION = re.compile(r"^(in|on|во?)\s+", re.IGNORECASE)


def parse_date_span(text: str, relative_to: dt.date | None = None) -> DateSpan | None:
    """Read a date as a person writes it ('Dec 2016', '2016-12-01', '23 декабря 2016').

    Returns None when the text is not a date, or not one in the years 1 to 9999
    (all a Python date holds: '0000' is not a year). Relative phrases ('last month')
    resolve against `relative_to` (an article's date) when given, else today.
    """
    text = _LEADING_PREPOSITION.sub("", " ".join(text.split()))
    text = " ".join(_RU_PREPOSITIONAL_MONTHS.get(word.lower(), word) for word in text.split())
    if not text:
        return None
    # dateparser fills a bare year with today's month; a year means all of it.
    if match := _YEAR_ONLY.match(text):
        year = int(match[1])
        return DateSpan(dt.date(year, 1, 1), Precision.YEAR) if dt.MINYEAR <= year <= dt.MAXYEAR else None
    base = dt.datetime.combine(relative_to, dt.time()) if relative_to else None
    try:
        data = _parser(base).get_date_data(text)
    except (ValueError, OverflowError):  # dateparser's own arithmetic past the year 9999 ('in 9000 years')
        return None
    if data.date_obj is None:
        return None
    precision = data.period if data.period in Precision.values else Precision.DAY
    return DateSpan(truncate(data.date_obj.date(), precision), precision)


# Words that turn a date into one end of a range, in English and Russian.
_LOWER_WORDS = r"since|from|starting|after|с|со|начиная с|после"
_UPPER_WORDS = r"until|till|to|through|by|before|до|по|перед"
_BOUND = re.compile(rf"^\s*(?P<word>{_LOWER_WORDS}|{_UPPER_WORDS})\s+(?P<rest>.+)$", re.IGNORECASE)


class OutOfRange(ValueError):
    """A range bound that falls outside the years 1 to 9999 ('after 9999', 'before 0001')."""


def parse_range_bound(text: str, *, upper: bool) -> dt.date | None:
    """The first (or, if `upper`, last) day a filter bound such as 'since 2018' admits.

    'Dec 2016' as a lower bound starts on 1 Dec; as an upper bound it runs to
    31 Dec. 'after'/'before' exclude the period named. None when the text is not
    a date; OutOfRange when the bound would lie before the year 1 or after 9999.
    """
    word = ""
    if match := _BOUND.match(text):
        word, text = match["word"].lower(), match["rest"]
    span = parse_date_span(text)
    if span is None:
        if _YEAR_ONLY.match(text):
            raise OutOfRange(text)  # '0000': read as a year, but not one a date can hold
        return None
    try:
        if word in {"after", "после"}:
            return span.end + dt.timedelta(days=1)
        if word in {"before", "до", "перед"}:
            return span.start - dt.timedelta(days=1)
    except OverflowError:
        raise OutOfRange(text) from None
    return span.end if upper else span.start
