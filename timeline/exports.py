"""Open-data exports of any filtered view of the chronology: CSV and TimelineJS JSON.

Each takes the chronology's query parameters; unlike the page, which leaves a filter it cannot read out
and shows the rest, an export refuses it (400 with the reason), so that a file never silently holds more
than was asked for.
"""

import csv
import json
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
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
# Statements fetched per round trip when streaming a large export (prefetches run per chunk).
CHUNK_SIZE = 500


def valid_filters(request: HttpRequest) -> StatementFilter | HttpResponse:
    """The filtered statements, or a 400 naming each filter that could not be read, on one line."""
    filterset = queries.filtered_statements(request.GET)
    if filterset.form.errors:
        reasons = "; ".join(
            f"{name}: {' '.join(message.split())}" for name, message in queries.filter_notices(filterset).items()
        )
        return HttpResponseBadRequest(f"Invalid filter: {reasons}\n", content_type="text/plain; charset=utf-8")
    return filterset


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
    writer = csv.writer(_Echo())
    statements = filterset.qs.iterator(chunk_size=CHUNK_SIZE)
    lines = (writer.writerow(row) for row in _with_header(csv_rows(request, statements)))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="timeline.csv"'
    return response


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


def timelinejs(request: HttpRequest, statements: Iterator[Statement]) -> dict:
    """The TimelineJS JSON format: https://timeline.knightlab.com/docs/json-format.html"""
    chronology = request.build_absolute_uri(reverse("timeline:chronology"))
    return {
        "title": {
            "text": {
                "headline": "What leaders said about Russia–US relations",
                "text": str(
                    format_html(
                        "<p>Statements by Russian and American leaders, each linked to its source. From {}.</p>",
                        format_html('<a href="{}">{}</a>', chronology, chronology),
                    )
                ),
            }
        },
        "events": [timelinejs_event(request, statement) for statement in statements],
    }


@require_safe
def export_timelinejs(request: HttpRequest) -> HttpResponse:
    filterset = valid_filters(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    data = timelinejs(request, filterset.qs.iterator(chunk_size=CHUNK_SIZE))
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/json")
    # TimelineJS fetches the JSON from the page that shows the timeline, usually another site.
    response["Access-Control-Allow-Origin"] = "*"
    return response
