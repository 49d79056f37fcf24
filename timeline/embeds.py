"""Embedding: the framable chronology and statement, the embed-code page, and oEmbed 1.0.

The iframe reports its height to the page around it with postMessage (static/timeline/embed-frame.js);
our loader (static/timeline/embed.js) resizes the iframe. The message, sent on load and whenever the
content or the window size changes:

    {"type": "timeline:resize", "height": <CSS pixels, a number>, "href": "<the embed's current URL>"}

and the loader may send the frame the page's own colour scheme, for theme=page:

    {"type": "timeline:theme", "scheme": "light" | "dark"}
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from . import queries
from .middleware import embeddable
from .models import Statement
from .views import render_chronology

THEMES = {"light": "Light", "dark": "Dark", "system": "Follow the reader's system setting", "page": "Follow the page"}
DEFAULT_WIDTH, DEFAULT_HEIGHT = 640, 720
STATEMENT_HEIGHT = 360
OEMBED_CACHE_AGE = 3600


def embed_options(request: HttpRequest) -> dict:
    """Display options an embed URL carries besides the filters."""
    theme = request.GET.get("theme", "light")
    return {"embed": True, "theme": theme if theme in THEMES else "light", "compact": request.GET.get("compact") == "1"}


@require_safe
@embeddable
@vary_on_headers("HX-Request", "HX-Target")
def embed_chronology(request: HttpRequest) -> HttpResponse:
    options = embed_options(request)
    query = queries.canonical_query(request.GET)
    full_view = reverse("timeline:chronology") + (f"?{query}" if query else "")
    return render_chronology(
        request,
        template_name="timeline/embed-chronology.html",
        chronology_url=request.path,
        extra_context={**options, "full_view_url": full_view},
    )


@require_safe
@embeddable
def embed_statement(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.published().for_listing(), pk=pk)
    context = {**embed_options(request), "statement": statement, "full_view_url": statement.get_absolute_url()}
    return TemplateResponse(request, "timeline/embed-statement.html", context)


@dataclass(frozen=True)
class Embed:
    """What a page of ours embeds as: the framable URL, a title and a default height."""

    src: str
    title: str
    height: int


def embed_for(path_and_query: str) -> Embed | None:
    """The embed for one of our pages (chronology, statement, or an embed URL itself), or None."""
    parts = urlsplit(path_and_query)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    query = QueryDict(parts.query)
    filters = queries.canonical_query(query)
    extra = {name: query[name] for name in ("theme", "compact") if query.get(name)}
    if match.view_name in {"timeline:chronology", "timeline:embed"}:
        params = "&".join(filter(None, [filters, urlencode(extra)]))
        title = "Russia–US relations in their own words: " + ("filtered chronology" if filters else "the chronology")
        return Embed(reverse("timeline:embed") + (f"?{params}" if params else ""), title, DEFAULT_HEIGHT)
    if match.view_name in {"timeline:statement", "timeline:embed-statement"}:
        statement = Statement.objects.published().select_related("speaker").filter(pk=match.kwargs["pk"]).first()
        if statement is None:
            return None
        src = reverse("timeline:embed-statement", args=[statement.pk]) + (f"?{urlencode(extra)}" if extra else "")
        return Embed(src, f"{statement.speaker.name}, {statement.date_display}: {statement.summary}", STATEMENT_HEIGHT)
    return None


def embed_html(
    request: HttpRequest, embed: Embed, *, width: str = "100%", height: int | None = None, styled: bool = True
) -> str:
    """The code to paste: the iframe, and our loader that sizes it to its content (unless a height is fixed).

    `styled=False` leaves out the inline style, for showing the frame on our own pages (CSP).
    """
    src = request.build_absolute_uri(embed.src)
    style = format_html(' style="{}"', "border:0;max-width:100%") if styled else ""
    frame = format_html(
        '<iframe src="{}" title="{}" width="{}" height="{}"{} loading="lazy"{}></iframe>',
        src,
        embed.title,
        width,
        height or embed.height,
        style,
        "" if height else " data-timeline-embed",
    )
    if height:
        return frame
    # The loader's stable, unhashed address: pasted code must keep working after we deploy a new version.
    loader = request.build_absolute_uri(settings.STATIC_URL + "timeline/embed.js")
    return format_html('{}\n<script src="{}" async></script>', frame, loader)


@require_safe
def embed_code(request: HttpRequest) -> HttpResponse:
    """Ready-to-paste code for a view, with the options a newsroom needs; a plain GET form, no JavaScript needed."""
    view = request.GET.get("view", reverse("timeline:embed"))
    embed = embed_for(view) if view.startswith("/") else None
    if embed is None:
        raise Http404("There is nothing to embed at that address.")
    theme = request.GET.get("theme", "light")
    theme = theme if theme in THEMES else "light"
    compact = request.GET.get("compact") == "1"
    height_text = request.GET.get("height", "").strip()
    # ASCII digits only: str.isdigit() also admits '²', which int() refuses.
    height = int(height_text) if re.fullmatch(r"[0-9]{1,4}", height_text) and 100 <= int(height_text) <= 5000 else None
    options = {"theme": theme} | ({"compact": "1"} if compact else {})
    separator = "&" if "?" in embed.src else "?"
    embed = Embed(embed.src + separator + urlencode(options), embed.title, embed.height)
    context = {
        "view": view,
        "embed": embed,
        "code": embed_html(request, embed, height=height),
        "preview": embed_html(request, embed, height=height, styled=False),
        "themes": THEMES,
        "theme": theme,
        "compact": compact,
        "height": height_text,
        "height_invalid": bool(height_text) and height is None,
    }
    return TemplateResponse(request, "timeline/embed-code.html", context)


def _our_path(request: HttpRequest, url: str) -> str | None:
    """The path and query of `url` when it points at this site, else None."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    allowed = {request.get_host().split(":")[0], *settings.ALLOWED_HOSTS}
    if parts.hostname not in allowed and "*" not in allowed:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _bounded(value: str | None, default: int) -> int:
    return min(default, int(value)) if value and re.fullmatch(r"\d{1,5}", value) and int(value) > 0 else default


@require_safe
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed 1.0 (https://oembed.com/): type "rich" for the chronology and for statements."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only format=json is supported.", status=501, content_type="text/plain")
    path = _our_path(request, request.GET.get("url", ""))
    embed = embed_for(path) if path else None
    if embed is None:
        return JsonResponse({"error": "No embeddable page of this site at that URL."}, status=404)
    width = _bounded(request.GET.get("maxwidth"), DEFAULT_WIDTH)
    height = _bounded(request.GET.get("maxheight"), embed.height)
    # Any origin may read it: CORS_URLS_REGEX in the settings.
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": embed.title,
            "provider_name": "Russia–US relations in their own words",
            "provider_url": request.build_absolute_uri("/"),
            "cache_age": OEMBED_CACHE_AGE,
            "width": width,
            "height": height,
            # A smaller maxheight than the content wants fixes the height (the frame scrolls inside).
            "html": embed_html(request, embed, width=str(width), height=None if height == embed.height else height),
        },
        json_dumps_params={"ensure_ascii": False},
    )
