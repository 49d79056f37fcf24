"""Open-data exports of any filtered view of the chronology: CSV and TimelineJS JSON.

Each takes the chronology's query parameters; unlike the page, which leaves a filter it cannot read out
and shows the rest, an export refuses it (400 with the reason), so that a file never silently holds more
than was asked for.

Each answer is bounded, whatever the size of the corpus: a part of at most EXPORT_PAGE_SIZE statements, the
`page` parameter choosing which, and a `Link` header (RFC 8288) naming the next and previous parts. Parts are
streamed, so memory stays flat while one is written.
"""

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.views.decorators.http import require_safe

from . import queries
from .dates import parts_at_precision
from .filters import StatementFilter
from .models import Statement

CSV_COLUMNS = (
    "id",
    "date",
    "date_precision",
    "speaker",
    "speaker_slug",
    "side",
    "kind",
    "text",
    "summary",
    "topics",
    "event",
    "event_slug",
    "source_title",
    "publisher",
    "source_url",
    "original_url",
    "start",
    "end",
    "passage",
    "statement_url",
)
# Statements per part of a CSV or TimelineJS export: about half a second and a megabyte of CSV on our machines.
EXPORT_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000
# Statements fetched per round trip while a part streams (prefetches run per chunk).
CHUNK_SIZE = 500
# What makes a spreadsheet read a cell as a formula: OWASP's CSV-injection list, and NUL, which OWASP's ASVS
# (1.2.10) adds. A single quote is escaped too, so that removing the quotes we add gives the words back exactly.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "'")
# Where a spreadsheet may begin a cell in a text of ours: at its start, and, reading the file with another
# separator than the comma (a semicolon in many locales, or a tab), right after one of those or a line break.
CELL_STARTS = re.compile(r"(?:^|(?<=[;\t\r\n]))(?=[=+\-@\t\r\0'])")


def valid_filters(request: HttpRequest) -> StatementFilter | HttpResponse:
    """The filtered statements, or a 400 naming each filter that could not be read, on one line."""
    filterset = queries.filtered_statements(request.GET)
    if filterset.form.errors:
        reasons = "; ".join(
            f"{name}: {' '.join(message.split())}" for name, message in queries.filter_notices(filterset).items()
        )
        return HttpResponseBadRequest(f"Invalid filter: {reasons}\n", content_type="text/plain; charset=utf-8")
    return filterset


@dataclass
class Part:
    """One bounded part of an export: which, the ids of its items in order, and the `Link` header value naming
    its neighbours."""

    number: int
    ids: list[int]
    links: str


def export_part(request: HttpRequest, queryset: QuerySet, *, size: int | None = None) -> Part | HttpResponse:
    """The part of `queryset` (of `size` items, EXPORT_PAGE_SIZE unless given) that the `page` parameter asks
    for, the first unless given, or the 400 or 404 that says why there is none. Costs one query, of ids only,
    before the part's own."""
    size = size or EXPORT_PAGE_SIZE
    text = request.GET.get("page", "").strip() or "1"
    number = int(text) if re.fullmatch(r"[0-9]{1,7}", text) else 0
    if not 1 <= number <= MAX_PAGE:
        return HttpResponseBadRequest(
            f"Invalid parameter: page: a whole number from 1 to {MAX_PAGE:,} is needed.\n",
            content_type="text/plain; charset=utf-8",
        )
    start = (number - 1) * size
    ids = list(queryset.prefetch_related(None).values_list("pk", flat=True)[start : start + size + 1])
    if not ids and number > 1:
        return HttpResponseNotFound(
            f"There is no page {number} of this export.\n", content_type="text/plain; charset=utf-8"
        )
    query = queries.canonical_query(request.GET)

    def url(page: int) -> str:
        return request.build_absolute_uri(f"{request.path}?{query}{'&' if query else ''}page={page}")

    links = [(number + 1, "next")] if len(ids) > size else []
    if number > 1:
        links.append((number - 1, "prev"))
    return Part(number, ids[:size], ", ".join(f'<{url(page)}>; rel="{rel}"' for page, rel in links))


def in_order(queryset: QuerySet, ids: list[int]) -> Iterator:
    """The objects of `queryset` with these ids, in their order, CHUNK_SIZE at a time (prefetches run per chunk):
    by primary key, without running the filters that chose the ids again."""
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        found = queryset.in_bulk(chunk)
        yield from (found[pk] for pk in chunk if pk in found)


def with_links(response: HttpResponse, part: Part) -> HttpResponse:
    if part.links:
        response["Link"] = part.links
    return response


def spreadsheet_safe(value: object) -> object:
    """Text with a single quote, which spreadsheets read as "this is text", wherever a cell could begin with a
    formula (`=HYPERLINK(…)`); numbers, which are ours, and other text unchanged. OWASP's CSV-injection rule,
    https://owasp.org/www-community/attacks/CSV_Injection, applied after other separators too, as it advises."""
    return CELL_STARTS.sub("'", value) if isinstance(value, str) else value


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_rows(request: HttpRequest, statements: Iterator[Statement]) -> Iterator[list]:
    """One row per statement and citation (a statement without citations still gets one row)."""
    absolute = request.build_absolute_uri
    for statement in statements:
        event = statement.event
        common = [
            statement.pk,
            statement.date_iso,
            statement.date_precision,
            statement.speaker.name,
            statement.speaker.slug,
            statement.speaker.side,
            statement.kind,
            statement.text,
            statement.summary,
            "; ".join(topic.slug for topic in statement.topics.all()),
            event.name if event else "",
            event.slug if event else "",
        ]
        citations = list(statement.citations.all())
        if not citations:
            yield [*common, "", "", "", "", "", "", "", absolute(statement.get_absolute_url())]
        for citation in citations:
            yield [
                *common,
                citation.source.title,
                citation.source.publisher,
                absolute(citation.get_absolute_url()),
                citation.source.url,
                citation.start,
                citation.end,
                citation.passage,
                absolute(statement.get_absolute_url()),
            ]


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    filterset = valid_filters(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    part = export_part(request, filterset.qs)
    if isinstance(part, HttpResponse):
        return part
    # Every text cell quoted, so that a separator inside one (a comma, or the semicolon some spreadsheets
    # split on) never starts a new cell, which a formula could then begin.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC)
    statements = in_order(Statement.objects.for_listing(), part.ids)
    rows = _with_header(csv_rows(request, statements))
    lines = (writer.writerow([spreadsheet_safe(value) for value in row]) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = "timeline.csv" if part.number == 1 else f"timeline-page-{part.number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return with_links(response, part)


def _with_header(rows: Iterator[list]) -> Iterator[list]:
    yield list(CSV_COLUMNS)
    yield from rows


def timelinejs_date(statement: Statement) -> dict:
    """TimelineJS's date object, with month and day only as far as the date is known."""
    parts = parts_at_precision(statement.date, statement.date_precision)
    date = {name: str(part) for name, part in zip(("year", "month", "day"), parts, strict=False)}
    return date | {"display_date": statement.date_display}


def timelinejs_event(request: HttpRequest, statement: Statement) -> dict:
    """One slide: the words, the summary and a link to each passage they come from (all HTML-escaped)."""
    links = format_html_join(
        "",
        '<p class="source"><a href="{}">{}</a>{}</p>',
        (
            (
                request.build_absolute_uri(citation.get_absolute_url()),
                citation.source.title,
                f", {citation.source.publisher}" if citation.source.publisher else "",
            )
            for citation in statement.citations.all()
        ),
    )
    text = format_html(
        '<blockquote>{}</blockquote><p>{}</p>{}<p><a href="{}">Permalink</a></p>',
        statement.text,
        statement.summary,
        links,
        request.build_absolute_uri(statement.get_absolute_url()),
    )
    return {
        "start_date": timelinejs_date(statement),
        "text": {"headline": escape(f"{statement.speaker.name}, {statement.date_display}"), "text": str(text)},
        "group": statement.speaker.name,
        "unique_id": f"s{statement.pk}",
    }


def timelinejs_title(request: HttpRequest) -> dict:
    chronology = request.build_absolute_uri(reverse("timeline:chronology"))
    return {
        "text": {
            "headline": "What leaders said about Russia–US relations",
            "text": str(
                format_html(
                    "<p>Statements by Russian and American leaders, each linked to its source. From {}.</p>",
                    format_html('<a href="{}">{}</a>', chronology, chronology),
                )
            ),
        }
    }


def timelinejs(request: HttpRequest, statements: Iterable[Statement]) -> Iterator[str]:
    """The TimelineJS JSON format (https://timeline.knightlab.com/docs/json-format.html), written one slide at
    a time so that a part streams."""
    yield f'{{"title": {json.dumps(timelinejs_title(request), ensure_ascii=False)}, "events": ['
    for n, statement in enumerate(statements):
        yield ("," if n else "") + json.dumps(timelinejs_event(request, statement), ensure_ascii=False)
    yield "]}"


@require_safe
def export_timelinejs(request: HttpRequest) -> HttpResponse:
    filterset = valid_filters(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    part = export_part(request, filterset.qs)
    if isinstance(part, HttpResponse):
        return part
    statements = in_order(Statement.objects.for_listing(), part.ids)
    response = with_links(StreamingHttpResponse(timelinejs(request, statements), content_type="application/json"), part)
    # TimelineJS fetches the JSON from the page that shows the timeline, usually another site.
    response["Access-Control-Allow-Origin"] = "*"
    return response
