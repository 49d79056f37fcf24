"""Reader-facing pages. Each is one view and one template; htmx requests get a named partial."""

from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from . import queries
from .models import Citation, Event, Side, Source, Statement
from .reading import mark_citations

# Which partial of chronology.html answers an htmx request, by the id it targets.
CHRONOLOGY_PARTIALS = {"chronology": "chronology", "results": "results", "timeline": "timeline-page"}


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def chronology(request: HttpRequest) -> HttpResponse:
    return render_chronology(
        request,
        template_name="timeline/chronology.html",
        chronology_url=request.path,
        extra_context={"oembed_url": oembed_url(request)},
    )


def oembed_url(request: HttpRequest) -> str:
    """oEmbed discovery for this page: where a CMS given our address asks for the embed code."""
    return f"{reverse('timeline:oembed')}?{urlencode({'url': request.build_absolute_uri(), 'format': 'json'})}"


def render_chronology(
    request: HttpRequest, *, template_name: str, chronology_url: str, extra_context: dict | None = None
) -> TemplateResponse:
    """The filtered chronology as a full page in `template_name`, or, for htmx, the partial of chronology.html
    that the request targets. Shared by the site and its embed."""
    filterset = queries.filtered_statements(request.GET)
    page = queries.paginate(filterset, request.GET)
    statements = list(page.object_list)
    # Headings the previous page already showed are not repeated.
    previous = filterset.qs[page.start_index() - 2] if page.number > 1 and statements else None
    query = queries.canonical_query(request.GET)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "groups": queries.group_by_month(statements, after=previous),
        "chips": queries.active_filter_chips(filterset),
        "notices": queries.filter_notices(filterset),
        "query": query,
        "chronology_url": chronology_url,
        "next_query": _with_page(query, page.next_page_number()) if page.has_next() else None,
        "totals": SiteTotals(),
        **(extra_context or {}),
    }
    htmx = request.htmx
    if htmx and not htmx.history_restore_request and htmx.target in CHRONOLOGY_PARTIALS:
        partial = "timeline/chronology.html#" + CHRONOLOGY_PARTIALS[htmx.target]
        response = TemplateResponse(request, partial, context)
        if htmx.target != "timeline":
            # The address bar holds the filters, without empty fields.
            response = push_url(response, f"{request.path}?{query}" if query else request.path)
        return response
    return TemplateResponse(request, template_name, context)


class SiteTotals:
    """What the timeline holds, for the page header; counted only when a full page shows it (not for fragments)."""

    @cached_property
    def statements(self) -> int:
        return Statement.objects.published().count()

    @cached_property
    def sources(self) -> int:
        published_citations = Citation.objects.filter(
            source=OuterRef("pk"), statement__status=Statement.Status.PUBLISHED
        )
        return Source.objects.filter(Exists(published_citations)).count()


def _with_page(query: str, number: int) -> str:
    return f"{query}&page={number}" if query else f"page={number}"


@require_safe
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Neighbours show only date, speaker and summary: no prefetching for them.
    published = Statement.objects.published().select_related("speaker").chronological()
    # Editors preview drafts as readers will see them; readers see published statements only.
    statements = Statement.objects.for_listing(with_texts=True)
    visible = statements if request.user.is_staff else statements.published()
    statement = get_object_or_404(visible, pk=pk)
    # Neighbours in the chronology's own order: date, then the longer period first, then id.
    same_period = Q(date=statement.date, date_end=statement.date_end)
    earlier = Q(date__lt=statement.date) | Q(date=statement.date, date_end__gt=statement.date_end)
    later = Q(date__gt=statement.date) | Q(date=statement.date, date_end__lt=statement.date_end)
    context = {
        "statement": statement,
        "oembed_url": oembed_url(request),
        "previous": published.filter(earlier | (same_period & Q(pk__lt=pk))).reverse().first(),
        "next": published.filter(later | (same_period & Q(pk__gt=pk))).first(),
    }
    return TemplateResponse(request, "timeline/statement.html", context)


@require_safe
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    citations = list(
        Citation.objects.filter(source=source, statement__status=Statement.Status.PUBLISHED)
        .select_related("statement__speaker")
        .order_by("start", "-end")
    )
    context = {
        "source": source,
        "paragraphs": mark_citations(source.original_text, source.reading_spans, citations),
        "citations": citations,
    }
    return TemplateResponse(request, "timeline/source.html", context)


@require_safe
def source_raw(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    return HttpResponse(source.original_text, content_type="text/plain; charset=utf-8")


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # An event that only drafts mention is not public yet.
    event = get_object_or_404(Event.objects.public(), slug=slug)
    statements = list(Statement.objects.published().for_listing().filter(event=event).chronological())
    columns = [(label, [s for s in statements if s.speaker.side == side]) for side, label in Side.choices]
    context = {"event": event, "columns": [(label, items) for label, items in columns if items]}
    return TemplateResponse(request, "timeline/event.html", context)
