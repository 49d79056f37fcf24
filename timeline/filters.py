"""The chronology's filters, shared by the pages and the JSON API."""

import datetime as dt
import re

import django_filters
from django import forms
from django.db.models import QuerySet

from .dates import OutOfRange, parse_range_bound
from .models import Event, Side, Speaker, Statement, Topic

# C0 and C1 control characters (tab, line feed and carriage return aside): nothing a person types into a
# filter, and XML 1.0 (the Atom feed that echoes the filters) cannot carry most of them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def refuse_control_characters(value: str) -> None:
    if CONTROL_CHARACTERS.search(value):
        raise forms.ValidationError("Control characters cannot be part of a filter.", code="control_characters")


class FuzzyDateField(forms.Field):
    """A date typed freely ('Dec 2016', 'since 2018', '23 декабря 2016'), read by dateparser.

    Cleans to the first day the text admits, or with `upper` the last day.
    """

    MAX_LENGTH = 100

    def __init__(self, *args, upper: bool = False, **kwargs) -> None:
        self.upper = upper
        super().__init__(*args, **kwargs)

    def to_python(self, value: str | None) -> dt.date | None:
        text = (value or "").strip()
        if not text:
            return None
        if len(text) > self.MAX_LENGTH:
            raise forms.ValidationError("That is too long to be a date.", code="max_length")
        refuse_control_characters(text)
        try:
            day = parse_range_bound(text, upper=self.upper)
        except OutOfRange:
            raise forms.ValidationError(
                "“%(text)s” lies outside the years 1 to 9999 that dates here can take.",
                code="out_of_range",
                params={"text": text},
            ) from None
        if day is None:
            raise forms.ValidationError(
                "Could not read “%(text)s” as a date. Try “Dec 2016”, “2016-12-23” or “since 2018”.",
                code="invalid_date",
                params={"text": text},
            )
        return day


class FuzzyDateFilter(django_filters.Filter):
    field_class = FuzzyDateField


class StatementFilter(django_filters.FilterSet):
    """Filters that combine (AND); several values of one filter widen it (OR).

    A field that does not validate is left out and the rest still apply.
    """

    q = django_filters.CharFilter(
        method="filter_search", label="Search", max_length=200, validators=[refuse_control_characters]
    )
    # A statement has one speaker, so these never repeat a row: no DISTINCT (costly on large tables).
    speaker = django_filters.ModelMultipleChoiceFilter(
        field_name="speaker__slug",
        queryset=Speaker.objects.public(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    side = django_filters.MultipleChoiceFilter(
        field_name="speaker__side", choices=Side.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    topic = django_filters.ModelMultipleChoiceFilter(
        method="filter_topics",
        queryset=Topic.objects.public(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    event = django_filters.ModelChoiceFilter(
        field_name="event", queryset=Event.objects.public(), to_field_name="slug", empty_label="Any event"
    )
    date_from = FuzzyDateFilter(method="filter_from", label="From")
    date_to = FuzzyDateFilter(method="filter_to", label="To", upper=True)

    class Meta:
        model = Statement
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_topics(self, queryset: QuerySet, name: str, value: QuerySet) -> QuerySet:
        # A subquery rather than a join: a statement with two of the topics still appears once, without DISTINCT.
        if not value:
            return queryset
        tagged = Statement.topics.through.objects.filter(topic__in=value).values("statement_id")
        return queryset.filter(pk__in=tagged)

    def filter_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.between(value, None)

    def filter_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.between(None, value)


# The URL contract names these parameters `from` and `to`, which Python cannot use as names.
StatementFilter.base_filters["from"] = StatementFilter.base_filters.pop("date_from")
StatementFilter.base_filters["to"] = StatementFilter.base_filters.pop("date_to")
