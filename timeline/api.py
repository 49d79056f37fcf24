"""The read-only JSON API at /api/: the chronology's data in the shape DESIGN.md gives, described by OpenAPI.

Why django-ninja: pydantic schemas give the OpenAPI 3.1 document (/api/openapi.json) and browsable docs
(/api/docs, Swagger UI served from our own static files, so no third-party requests) with little code;
query parameters are typed and validated; and the endpoints stay plain functions beside Django's views,
with no second framework. DRF with drf-spectacular would add a large framework, and a docs UI that loads
from a CDN by default, for an API that only reads.

Statements are filtered by `queries.filtered_statements`, the chronology's own filter, so the API and the
pages cannot disagree; drafts never appear. Every response may be read from any origin (CORS `*`, no
credentials).
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Literal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.renderers import JSONRenderer

from . import queries
from .models import Event, Source, Speaker, Statement, Topic

MAX_PAGE_SIZE = 200
PUBLISHED = Statement.Status.PUBLISHED


def statement_json(statement: Statement) -> dict:
    """One statement; expects `for_listing()` so that nothing here queries."""
    event = statement.event
    return {
        "id": statement.pk,
        "date": statement.date_iso,
        "date_precision": statement.date_precision,
        "speaker": {"name": statement.speaker.name, "slug": statement.speaker.slug, "side": statement.speaker.side},
        "kind": statement.kind,
        "text": statement.text,
        "summary": statement.summary,
        "topics": [topic.slug for topic in statement.topics.all()],
        "event": {"name": event.name, "slug": event.slug, "date": event.date.isoformat()} if event else None,
        "citations": [
            {
                "source": {
                    "slug": citation.source.slug,
                    "title": citation.source.title,
                    "publisher": citation.source.publisher,
                },
                "start": citation.start,
                "end": citation.end,
                "url": citation.get_absolute_url(),
            }
            for citation in statement.citations.all()
        ],
        "url": statement.get_absolute_url(),
    }


# Schemas: what the OpenAPI document promises. Statements keep DESIGN.md's JSON exactly.

SideCode = Literal["ru", "us"]


class SpeakerRef(Schema):
    name: str
    slug: str
    side: SideCode = Field(description="`ru` (Russia) or `us` (United States).")


class EventRef(Schema):
    name: str
    slug: str
    date: dt.date


class SourceRef(Schema):
    slug: str
    title: str
    publisher: str


class CitationOut(Schema):
    source: SourceRef
    start: int = Field(description="Offset of the passage's first character in the source's original text.")
    end: int = Field(description="Offset just after the passage's last character.")
    url: str = Field(description="The source page, landing on the highlighted passage.")


class StatementOut(Schema):
    id: int
    date: str = Field(
        description="When it was said: ISO 8601 cut to its precision.", examples=["2016-12-23", "2016-10", "2016"]
    )
    date_precision: Literal["day", "month", "year"]
    speaker: SpeakerRef
    kind: Literal["quote", "paraphrase", "readout"] = Field(
        description="quote: the speaker's own words; paraphrase: reported speech; readout: an official summary."
    )
    text: str = Field(description="The words exactly as the source gives them.")
    summary: str = Field(description="One line.")
    topics: list[str] = Field(description="Topic slugs.")
    event: EventRef | None
    citations: list[CitationOut]
    url: str = Field(description="The statement's permalink page.")


class StatementPage(Schema):
    count: int
    next: str | None = Field(description="Absolute URL of the next page, or null.")
    previous: str | None = Field(description="Absolute URL of the previous page, or null.")
    results: list[StatementOut]


class SpeakerOut(Schema):
    name: str
    slug: str
    role: str = Field(description="Role at the time, e.g. 'President of Russia'.")
    side: SideCode
    statement_count: int = Field(description="Published statements.")
    url: str = Field(description="The chronology filtered to this speaker.")

    @staticmethod
    def resolve_url(speaker: Speaker) -> str:
        return speaker.get_absolute_url()


class TopicOut(Schema):
    name: str
    slug: str
    statement_count: int = Field(description="Published statements.")
    url: str = Field(description="The chronology filtered to this topic.")

    @staticmethod
    def resolve_url(topic: Topic) -> str:
        return topic.get_absolute_url()


class EventOut(Schema):
    name: str
    slug: str
    date: dt.date
    kind: str
    place: str
    description: str
    statement_count: int = Field(description="Published statements.")
    url: str = Field(description="The event's page, every account of it side by side.")

    @staticmethod
    def resolve_url(event: Event) -> str:
        return event.get_absolute_url()


class SourceOut(Schema):
    slug: str
    title: str
    publisher: str
    original_url: str = Field(description="The original address, or an empty string when not known.")
    published_on: dt.date | None = Field(description="Publication date, when known.")
    language: str = Field(description="ISO 639-1 code.")
    statement_count: int = Field(description="Published statements citing it.")
    url: str = Field(description="The source page: its reading text with each cited passage marked.")
    raw_url: str = Field(description="The verbatim original text as text/plain.")

    @staticmethod
    def resolve_original_url(source: Source) -> str:
        return source.url

    @staticmethod
    def resolve_url(source: Source) -> str:
        return source.get_absolute_url()

    @staticmethod
    def resolve_raw_url(source: Source) -> str:
        return f"{source.get_absolute_url()}raw"


class SourceDetail(SourceOut):
    original_text: str = Field(description="The verbatim original text; citation offsets point into it.")
    original_html: str = Field(description="The verbatim HTML file, when imported from HTML; else empty.")
    statements: list[int] = Field(description="Ids of the published statements citing it, oldest first.")


class SourcePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[SourceOut]


class Errors(Schema):
    errors: dict[str, str] = Field(description="The first problem with each parameter, by parameter name.")


class Detail(Schema):
    detail: str


class Paging(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int | None = Field(
        None, ge=1, le=MAX_PAGE_SIZE, description=f"Results per page, 1–{MAX_PAGE_SIZE}; 50 unless given."
    )


class StatementFilters(Paging):
    """The chronology's query parameters; filters combine (AND), repeated values widen one (OR)."""

    q: str | None = Field(None, description="Full text: every word in the words, summary or speaker's name.")
    speaker: list[str] = Field(default_factory=list, description="Speaker slug; repeat for several.")
    side: list[SideCode] = Field(default_factory=list, description="`ru` or `us`; repeat for both.")
    topic: list[str] = Field(default_factory=list, description="Topic slug; repeat for several.")
    event: str | None = Field(None, description="Event slug.")
    date_from: str | None = Field(
        None, alias="from", description="Free-text date ('Nov 2016', '2016-12-23', 'since 2018', '23 декабря 2016')."
    )
    date_to: str | None = Field(None, alias="to", description="Free-text date; a month or year runs to its end.")
    order: Literal["date", "-date"] = Field("date", description="`date` oldest first, `-date` newest first.")

    def as_query(self) -> QueryDict:
        """The filters as the chronology's form reads them."""
        data = QueryDict(mutable=True)
        for name in ("speaker", "side", "topic"):
            data.setlist(name, [value for value in getattr(self, name) if value.strip()])
        for name, value in (("q", self.q), ("event", self.event), ("from", self.date_from), ("to", self.date_to)):
            if value is not None:
                data[name] = value
        if self.order == "-date":
            data["order"] = self.order
        return data


# The API.


class UnescapedJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class SwaggerFromOurFiles(DocsBase):
    """Swagger UI from django-ninja's bundled static files, started by our own script: no inline code (CSP)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        return render(request, "timeline/api-docs.html", {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)})


class ReadOnlyAPI(NinjaAPI):
    def get_content_type(self) -> str:
        return "application/json"  # JSON is UTF-8 by definition (RFC 8259); no charset, as JsonResponse


api = ReadOnlyAPI(
    title="Russia–US relations in their own words: API",
    version="1",
    description=(
        "Read-only JSON: published statements about Russia–US relations, each anchored to its exact passage "
        "in a source, with the chronology's filters. Dates are cut to their precision (`2016-12-23`, "
        "`2016-10`, `2016`). Any origin may read it (CORS `*`). Bad parameters give 400 with "
        '`{"errors": {"parameter": "reason"}}`; an unknown id, slug or page gives 404 with `{"detail": ...}`.'
    ),
    renderer=UnescapedJSONRenderer(),
    docs=SwaggerFromOurFiles(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="timeline",  # the routes join timeline's URL names, e.g. timeline:api-statements
)


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """400 naming each parameter that did not validate (ninja's default is 422 with pydantic's details)."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        name = next((str(part) for part in reversed(error.get("loc", ())) if isinstance(part, str)), "request")
        errors.setdefault(name, error.get("msg", "Invalid value."))
    return api.create_response(request, {"errors": errors}, status=400)


def page_of(request: HttpRequest, queryset: QuerySet, paging: Paging, query: str = "") -> tuple[Page, dict]:
    """The requested page and the list's `count`, `next` and `previous`; 404 past the last page."""
    per_page = paging.page_size or min(settings.TIMELINE_PAGE_SIZE, MAX_PAGE_SIZE)
    paginator = Paginator(queryset, per_page)
    if paging.page > paginator.num_pages:
        raise HttpError(404, f"There is no page {paging.page}; the last is {paginator.num_pages}.")
    page = paginator.page(paging.page)
    if paging.page_size:
        query = f"{query}&page_size={paging.page_size}" if query else f"page_size={paging.page_size}"

    def page_url(number: int) -> str:
        return request.build_absolute_uri(f"{request.path}?{query + '&' if query else ''}page={number}")

    return page, {
        "count": paginator.count,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
    }


@api.get(
    "/statements",
    response={200: StatementPage, 400: Errors, 404: Detail},
    url_name="api-statements",
    tags=["statements"],
    summary="Published statements, filtered as the chronology filters",
)
def statement_list(request: HttpRequest, filters: Query[StatementFilters]):
    """Oldest first unless `order=-date`; `count`, absolute `next`/`previous` links keeping the filters."""
    data = filters.as_query()
    filterset = queries.filtered_statements(data)
    if filterset.form.errors:
        return Status(400, {"errors": queries.filter_notices(filterset)})
    page, links = page_of(request, filterset.qs, filters, queries.canonical_query(data))
    return {**links, "results": [statement_json(statement) for statement in page.object_list]}


@api.get(
    "/statements/{id}",
    response={200: StatementOut, 400: Errors, 404: Detail},
    url_name="api-statement",
    tags=["statements"],
    summary="One published statement",
)
def statement_detail(request: HttpRequest, id: int):
    statement = Statement.objects.published().for_listing().filter(pk=id).first()
    if statement is None:
        return Status(404, {"detail": "No published statement has this id."})
    return statement_json(statement)


def published_count(relation: str) -> Count:
    return Count(relation, filter=Q(**{f"{relation}__status": PUBLISHED}), distinct=True)


@api.get("/speakers", response=list[SpeakerOut], url_name="api-speakers", tags=["reference"], summary="Speakers")
def speaker_list(request: HttpRequest):
    """Every speaker with a published statement, by name, with their number (the `speaker` filter's values)."""
    return Speaker.objects.public().annotate(statement_count=published_count("statements")).order_by("name", "slug")


@api.get("/topics", response=list[TopicOut], url_name="api-topics", tags=["reference"], summary="Topics")
def topic_list(request: HttpRequest):
    """Every topic with a published statement, by name, with their number (the `topic` filter's values)."""
    return Topic.objects.public().annotate(statement_count=published_count("statements")).order_by("name", "slug")


@api.get("/events", response=list[EventOut], url_name="api-events", tags=["reference"], summary="Events")
def event_list(request: HttpRequest):
    """Every event with a published statement, by date, with their number (the `event` filter's values)."""
    return (
        Event.objects.public().annotate(statement_count=published_count("statements")).order_by("date", "name", "slug")
    )


def sources_with_counts() -> QuerySet:
    return Source.objects.annotate(
        statement_count=Count("citations__statement", filter=Q(citations__statement__status=PUBLISHED), distinct=True)
    ).order_by(F("published_on").asc(nulls_last=True), "title", "pk")  # undated last on every database


@api.get(
    "/sources",
    response={200: SourcePage, 400: Errors, 404: Detail},
    url_name="api-sources",
    tags=["sources"],
    summary="Sources, with their metadata",
)
def source_list(request: HttpRequest, paging: Query[Paging]):
    """By publication date; the texts themselves are in each source's own resource."""
    queryset = sources_with_counts().defer("original_text", "original_html", "reading_spans")
    page, links = page_of(request, queryset, paging)
    return {**links, "results": list(page.object_list)}


@api.get(
    "/sources/{slug}",
    response={200: SourceDetail, 404: Detail},
    url_name="api-source",
    tags=["sources"],
    summary="One source, with its verbatim text",
)
def source_detail(request: HttpRequest, slug: str):
    # No slug holds NUL, and PostgreSQL refuses it in a query: not found, never an error.
    source = sources_with_counts().filter(slug=slug).first() if "\x00" not in slug else None
    if source is None:
        return Status(404, {"detail": "No source has this slug."})
    source.statements = list(
        Statement.objects.published()
        .filter(citations__source=source)
        .chronological()
        .distinct()
        .values_list("pk", flat=True)
    )
    return source


# CORS (any origin may GET, no credentials) is django-cors-headers', for every URL under /api/: see the settings.


def head_as_get(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """HEAD answered as GET (ninja's routes take GET only); the server sends the headers without the body."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "HEAD":
            request.method = "GET"
        return view(request, *args, **kwargs)

    return wrapped


def api_home(request: HttpRequest, **kwargs) -> HttpResponse:
    return redirect("timeline:openapi-view")


def with_head(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if pattern.name == "api-root":  # ninja's is a 404 kept only so it can reverse its own prefix
            pattern.callback = api_home
        pattern.callback = head_as_get(pattern.callback)
    return patterns


urlpatterns = with_head(api.urls[0])
