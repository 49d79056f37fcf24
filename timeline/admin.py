"""The editors' admin: every model with useful lists, search and filters."""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.html import format_html

from .models import Citation, Event, Source, Speaker, Statement, Topic


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "side", "statement_count"]
    list_filter = ["side"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_count=Count("statements"))

    @admin.display(ordering="statement_count", description="statements")
    def statement_count(self, speaker: Speaker) -> int:
        return speaker.statement_count


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "kind", "place"]
    list_filter = ["kind"]
    search_fields = ["name", "place", "description"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "language", "citation_count"]
    list_filter = ["publisher", "language"]
    search_fields = ["title", "publisher", "original_text"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["content_hash", "created_at", "view_on_site_link"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(ordering="citation_count", description="citations")
    def citation_count(self, source: Source) -> int:
        return source.citation_count

    @admin.display(description="reading view")
    def view_on_site_link(self, source: Source) -> str:
        return format_html('<a href="{}">{}</a>', source.get_absolute_url(), source.get_absolute_url())


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "passage", "start", "end", "prefix", "suffix"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["summary", "speaker", "date_shown", "kind", "event", "status"]
    list_filter = ["status", "kind", "date_precision", "speaker__side", "speaker", "topics", "event"]
    list_select_related = ["speaker", "event"]
    search_fields = ["text", "summary", "speaker__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["speaker", "event"]
    filter_horizontal = ["topics"]
    inlines = [CitationInline]
    readonly_fields = ["date_end", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["speaker", "kind", "text", "summary", "topics", "event", "status"]}),
        ("Date", {"fields": ["date", "date_precision", "date_end", "date_evidence"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(ordering="date", description="date")
    def date_shown(self, statement: Statement) -> str:
        return statement.date_display


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["statement", "source", "start", "end"]
    list_select_related = ["statement__speaker", "source"]
    list_filter = ["source"]
    search_fields = ["passage", "statement__summary"]
    autocomplete_fields = ["statement", "source"]
