"""Feeds for any filtered view of the chronology: an Atom feed of statements, an iCalendar feed of events."""

import datetime as dt
import re
from dataclasses import dataclass

import icalendar
from django.contrib.syndication.views import Feed
from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_safe

from . import queries
from .exports import export_part, in_order, valid_filters, with_links
from .filters import StatementFilter
from .models import CHRONOLOGICAL, Event, Statement

FEED_LENGTH = 50
PRODID = "-//Russia-US relations in their own words//timeline//EN"
# A calendar part holds at most this many events, newest first (a subscription sees the first part), each
# quoting at most ACCOUNTS_PER_EVENT accounts and linking to the rest.
CALENDAR_EVENTS = 200
ACCOUNTS_PER_EVENT = 10


# What XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets): most C0 controls, surrogates, U+FFFE/U+FFFF.
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value):
    """A string (or a list of them, as categories) without the characters XML 1.0 cannot carry."""
    if isinstance(value, str):
        return XML_INVALID.sub("", value)
    if isinstance(value, list | tuple):
        return [xml_safe(part) for part in value]
    return value


class XMLSafeAtom1Feed(Atom1Feed):
    """Atom without the characters XML 1.0 forbids: a statement's text, a topic's name or a filter echoed in
    the title may hold a control character, and Django's writer raises on it (a reader would reject the feed)."""

    def write(self, outfile, encoding) -> None:
        self.feed = {name: xml_safe(value) for name, value in self.feed.items()}
        self.items = [{name: xml_safe(value) for name, value in item.items()} for item in self.items]
        super().write(outfile, encoding)


@dataclass
class FilteredView:
    filterset: StatementFilter
    query: str
    request: HttpRequest


class StatementsFeed(Feed):
    """Newly published or updated statements, newest first."""

    feed_type = XMLSafeAtom1Feed

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


def calendar_events(filterset: StatementFilter) -> QuerySet:
    """Events with matching published statements, newest first."""
    return Event.objects.filter(Exists(filterset.qs.filter(event=OuterRef("pk")))).order_by("-date", "-pk")


def first_accounts(filterset: StatementFilter, events: list[Event]) -> dict[int, list[Statement]]:
    """The first ACCOUNTS_PER_EVENT matching statements of each event, oldest first, in one query; each carries
    its event's number of matching statements (`accounts`) and when the latest of them changed (`last_updated`)."""
    each_event = F("event")
    statements = (
        filterset.qs.filter(event__in=events)
        .prefetch_related(None)
        .select_related(None)
        .select_related("speaker")
        .only("event", "kind", "text", "speaker__name")
        .annotate(
            rank=Window(RowNumber(), partition_by=each_event, order_by=list(CHRONOLOGICAL)),
            accounts=Window(Count("pk"), partition_by=each_event),
            last_updated=Window(Max("updated_at"), partition_by=each_event),
        )
        .filter(rank__lte=ACCOUNTS_PER_EVENT)
        .order_by("event", *CHRONOLOGICAL)
    )
    accounts: dict[int, list[Statement]] = {event.pk: [] for event in events}
    for statement in statements:
        accounts[statement.event_id].append(statement)
    return accounts


def description(request: HttpRequest, event: Event, said: list[Statement]) -> str:
    """Who said what, and a link to the chronology of this event for accounts beyond the first few."""
    text = "\n\n".join(f"{s.speaker.name} ({s.get_kind_display()}): “{' '.join(s.text.split())}”" for s in said)
    more = said[0].accounts - len(said)
    if more:
        query = QueryDict(queries.canonical_query(request.GET), mutable=True)
        query["event"] = event.slug
        chronology = request.build_absolute_uri(f"{reverse('timeline:chronology')}?{query.urlencode()}")
        text += f"\n\n… and {more} more: {chronology}"
    return text


def events_calendar(request: HttpRequest, filterset: StatementFilter, events: list[Event]) -> icalendar.Calendar:
    """One all-day VEVENT per event of `events`, describing who said what."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Russia–US relations: events")
    accounts = first_accounts(filterset, events)
    for event in events:
        said = accounts[event.pk]
        vevent = icalendar.Event()
        # The primary key, never the slug: editors may rename an event, and a calendar must not see a new one.
        vevent.add("uid", f"event-{event.pk}@{request.get_host().split(':')[0]}")
        vevent.add("dtstamp", said[0].last_updated)
        vevent.add("dtstart", event.date)
        if event.date < dt.date.max:  # without DTEND an all-day event lasts its one day (RFC 5545, 3.6.1)
            vevent.add("dtend", event.date + dt.timedelta(days=1))
        vevent.add("summary", event.name)
        vevent.add("description", description(request, event, said))
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
    part = export_part(request, calendar_events(filterset), size=CALENDAR_EVENTS)
    if isinstance(part, HttpResponse):
        return part
    calendar = events_calendar(request, filterset, list(in_order(Event.objects.all(), part.ids)))
    return with_links(HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8"), part)
