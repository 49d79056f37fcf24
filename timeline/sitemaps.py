"""sitemap.xml (the chronology and every published page) and robots.txt pointing at it."""

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from .models import Event, Source, Statement


class ChronologySitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["timeline:chronology"]

    def location(self, name: str) -> str:
        return reverse(name)


class StatementSitemap(Sitemap):
    """Published statements only: a draft's page is for editors."""

    changefreq = "monthly"

    def items(self) -> QuerySet:
        return Statement.objects.published().order_by("pk")

    def lastmod(self, statement: Statement) -> dt.datetime:
        return statement.updated_at


class SourceSitemap(Sitemap):
    """Sources that support at least one published statement."""

    changefreq = "yearly"

    def items(self) -> QuerySet:
        published = Statement.Status.PUBLISHED
        return Source.objects.filter(citations__statement__status=published).distinct().order_by("pk")


class EventSitemap(Sitemap):
    """Events with at least one published account."""

    changefreq = "monthly"

    def items(self) -> QuerySet:
        published = Q(statements__status=Statement.Status.PUBLISHED)
        return (
            Event.objects.public()
            .annotate(last_statement=Max("statements__updated_at", filter=published))
            .order_by("pk")
        )

    def lastmod(self, event: Event) -> dt.datetime:
        return event.last_statement


SITEMAPS = {
    "chronology": ChronologySitemap,
    "statements": StatementSitemap,
    "sources": SourceSitemap,
    "events": EventSitemap,
}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "robots.txt", content_type="text/plain; charset=utf-8")
