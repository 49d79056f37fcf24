"""Feeds for any filtered view of the chronology: an Atom feed of statements, an iCalendar feed of events."""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

import icalendar
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_safe

from . import queries
from .exports import valid_filters
from .filters import StatementFilter
from .models import CHRONOLOGICAL, Statement

FEED_LENGTH = 50
PRODID = "-//Russia-US relations in their own words//timeline//EN"


@dataclass
class FilteredView:
    filterset: StatementFilter
    query: str
    request: HttpRequest


class StatementsFeed(Feed):
    """Newly published or updated statements, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, filterset: StatementFilter) -> FilteredView:
        return FilteredView(filterset, queries.canonical_query(request.GET), request)

    def title(self, view: FilteredView) -> str:
        chips = ", ".join(chip.label for chip in queries.active_filter_chips(view.filterset))
        return "Russia–US relations in their own words" + (f": {chips}" if chips else "")

    def subtitle(self, view: FilteredView) -> str:
        return "Statements by Russian and American leaders, each linked to the exact words in its source."

    def link(self, view: FilteredView) -> str:
        chronology = reverse("timeline:chronology")
        return f"{chronology}?{view.query}" if view.query else chronology

    def feed_url(self, view: FilteredView) -> str:
        return view.request.get_full_path()

    def items(self, view: FilteredView) -> list[Statement]:
        statements = list(view.filterset.qs.order_by("-updated_at", "-pk")[:FEED_LENGTH])
        for statement in statements:
            # Entry content links to the passages, and feed readers need them absolute.
            statement.passage_links = [
                (view.request.build_absolute_uri(citation.get_absolute_url()), citation.source.title)
                for citation in statement.citations.all()
            ]
        return statements

    def item_title(self, statement: Statement) -> str:
        return f"{statement.speaker.name}, {statement.date_display}: {statement.summary}"

    def item_description(self, statement: Statement) -> str:
        return format_html(
            "<blockquote><p>{}</p></blockquote><p>{}</p>{}",
            statement.text,
            statement.summary,
            format_html_join("", '<p>Source: <a href="{}">{}</a></p>', statement.passage_links),
        )

    def item_link(self, statement: Statement) -> str:
        return statement.get_absolute_url()

    def item_author_name(self, statement: Statement) -> str:
        return statement.speaker.name

    def item_pubdate(self, statement: Statement) -> dt.datetime:
        return statement.created_at

    def item_updateddate(self, statement: Statement) -> dt.datetime:
        return statement.updated_at

    def item_categories(self, statement: Statement) -> list[str]:
        return [topic.name for topic in statement.topics.all()]


statements_feed = StatementsFeed()


@require_safe
def statements_atom(request: HttpRequest) -> HttpResponse:
    filterset = valid_filters(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    return statements_feed(request, filterset=filterset)


def events_calendar(request: HttpRequest, filterset: StatementFilter) -> icalendar.Calendar:
    """One all-day VEVENT per event with matching published statements, describing who said what."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Russia–US relations: events")
    statements = filterset.qs.filter(event__isnull=False).order_by("event__date", "event__pk", *CHRONOLOGICAL)
    for event, said in groupby(statements, key=lambda statement: statement.event):
        said = list(said)
        vevent = icalendar.Event()
        # The primary key, never the slug: editors may rename an event, and a calendar must not see a new one.
        vevent.add("uid", f"event-{event.pk}@{request.get_host().split(':')[0]}")
        vevent.add("dtstamp", max(statement.updated_at for statement in said))
        vevent.add("dtstart", event.date)
        vevent.add("dtend", event.date + dt.timedelta(days=1))
        vevent.add("summary", event.name)
        vevent.add(
            "description",
            "\n\n".join(f"{s.speaker.name} ({s.get_kind_display()}): “{' '.join(s.text.split())}”" for s in said),
        )
        vevent.add("url", request.build_absolute_uri(event.get_absolute_url()))
        if event.place:
            vevent.add("location", event.place)
        if event.kind:
            vevent.add("categories", [event.kind])
        calendar.add_component(vevent)
    return calendar


@require_safe
def events_ics(request: HttpRequest) -> HttpResponse:
    filterset = valid_filters(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    calendar = events_calendar(request, filterset)
    return HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
