"""The JSON API: the chronology's data in the shape DESIGN.md gives."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from . import queries
from .models import Statement


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


@require_GET
def statement_list(request: HttpRequest) -> JsonResponse:
    filterset = queries.filtered_statements(request.GET)
    if filterset.form.errors:
        return JsonResponse({"errors": queries.filter_notices(filterset)}, status=400)
    page = queries.paginate(filterset, request.GET)
    query = queries.canonical_query(request.GET)

    def page_url(number: int) -> str:
        return request.build_absolute_uri(f"{request.path}?{query + '&' if query else ''}page={number}")

    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": [statement_json(statement) for statement in page.object_list],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def statement_detail(request: HttpRequest, pk: int) -> JsonResponse:
    statement = Statement.objects.published().for_listing().filter(pk=pk).first()
    if statement is None:
        return JsonResponse({"detail": "No published statement has this id."}, status=404)
    return JsonResponse(statement_json(statement), json_dumps_params={"ensure_ascii": False})
