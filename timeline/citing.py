"""Citing a statement: a formatted citation, schema.org JSON-LD, CSL-JSON and RIS.

Every form points at the highlighted passage on our site (`/sources/<slug>/#s<id>`), the address a reader
can check the words at.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from .dates import parts_at_precision
from .models import Citation, Speaker, Statement

SITE_NAME = "Russia–US relations in their own words"


def is_organization(speaker: Speaker) -> bool:
    """A body rather than a person ("The Kremlin", "Trump's office"): the model has no field for it, and the
    curated bodies are named with an article or described as an office."""
    return speaker.name.lower().startswith("the ") or speaker.role.lower().startswith("office")


def date_parts(statement: Statement) -> list[int]:
    """[year], [year, month] or [year, month, day]: the date at its precision."""
    return parts_at_precision(statement.date, statement.date_precision)


def formatted_citation(statement: Statement, citation: Citation, passage_url: str) -> str:
    """`Vladimir Putin, 23 Dec 2016, quoted in “Title”, Publisher, <passage_url>`."""
    verb = "quoted in" if statement.kind == Statement.Kind.QUOTE else "reported in"
    source = citation.source
    parts = [statement.speaker.name, statement.date_display, f"{verb} “{source.title}”"]
    if source.publisher:
        parts.append(source.publisher)
    return ", ".join([*parts, passage_url])


def json_ld(statement: Statement, *, statement_url: str, passage_urls: list[str]) -> dict:
    """schema.org Quotation; `passage_urls` follow `statement.citations.all()`."""
    speaker = statement.speaker
    creator = {"@type": "Organization" if is_organization(speaker) else "Person", "name": speaker.name}
    if speaker.role and not is_organization(speaker):
        creator["jobTitle"] = speaker.role
    sources = []
    for citation, url in zip(statement.citations.all(), passage_urls, strict=True):
        work = {"@type": "CreativeWork", "name": citation.source.title, "url": url}
        if citation.source.publisher:
            work["publisher"] = {"@type": "Organization", "name": citation.source.publisher}
        if citation.source.published_on:
            work["datePublished"] = citation.source.published_on.isoformat()
        if citation.source.url:
            work["sameAs"] = citation.source.url
        sources.append(work)
    data = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "text": statement.text,
        "abstract": statement.summary,
        "creator": creator,
        "dateCreated": statement.date_iso,
        "url": statement_url,
        "isBasedOn": sources[0] if len(sources) == 1 else sources,
    }
    if statement.event:
        data["about"] = {"@type": "Event", "name": statement.event.name, "startDate": statement.event.date.isoformat()}
    return data


def csl_items(statement: Statement, *, passage_urls: list[str]) -> list[dict]:
    """One CSL-JSON item per citation: the speaker as author, the source as title, its publisher as container."""
    items = []
    for n, (citation, url) in enumerate(zip(statement.citations.all(), passage_urls, strict=True), start=1):
        source = citation.source
        item = {
            "id": f"timeline-s{statement.pk}" + (f"-{n}" if n > 1 else ""),
            "type": "article-newspaper" if source.publisher else "webpage",
            "title": source.title,
            "author": [{"literal": statement.speaker.name}],
            "issued": {"date-parts": [date_parts(statement)]},
            "URL": url,
            "language": source.language,
            "note": f"{statement.get_kind_display().capitalize()}: {' '.join(statement.text.split())}",
        }
        if source.publisher:
            item["container-title"] = source.publisher
            item["publisher"] = source.publisher
        else:
            item["container-title"] = SITE_NAME
        items.append(item)
    return items


def ris_record(statement: Statement, *, passage_urls: list[str]) -> str:
    """RIS, one NEWS record per citation, CRLF line ends as the format has them."""
    year, month, day = [*date_parts(statement), None, None][:3]
    # RIS dates are YYYY/MM/DD/other, with the parts not known left empty.
    ris_date = "/".join([str(year), f"{month:02d}" if month else "", f"{day:02d}" if day else "", ""])
    lines = []
    for citation, url in zip(statement.citations.all(), passage_urls, strict=True):
        source = citation.source
        lines += [
            ("TY", "NEWS"),
            ("AU", statement.speaker.name),
            ("TI", source.title),
            *([("T2", source.publisher), ("PB", source.publisher)] if source.publisher else []),
            ("PY", str(statement.date.year)),
            ("DA", ris_date),
            ("UR", url),
            ("LA", source.language),
            ("N1", f"{statement.get_kind_display().capitalize()}: {' '.join(statement.text.split())}"),
            ("ER", ""),
        ]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def passage_urls(request: HttpRequest, statement: Statement) -> list[str]:
    return [request.build_absolute_uri(citation.get_absolute_url()) for citation in statement.citations.all()]


def visible_statement(request: HttpRequest, pk: int) -> Statement:
    """As the statement page: published for readers, drafts too for editors previewing."""
    statements = Statement.objects.for_listing()
    if not request.user.is_staff:
        statements = statements.published()
    return get_object_or_404(statements, pk=pk)


@require_safe
def statement_csl_json(request: HttpRequest, pk: int) -> HttpResponse:
    statement = visible_statement(request, pk)
    items = csl_items(statement, passage_urls=passage_urls(request, statement))
    response = HttpResponse(
        json.dumps(items, ensure_ascii=False, indent=2), content_type="application/vnd.citationstyles.csl+json"
    )
    response["Content-Disposition"] = f'attachment; filename="statement-{statement.pk}.json"'
    return response


@require_safe
def statement_ris(request: HttpRequest, pk: int) -> HttpResponse:
    statement = visible_statement(request, pk)
    response = HttpResponse(
        ris_record(statement, passage_urls=passage_urls(request, statement)),
        content_type="application/x-research-info-systems; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="statement-{statement.pk}.ris"'
    return response
