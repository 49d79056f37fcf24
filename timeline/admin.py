"""The editors' workbench: curation in the Django admin, with history, live checks and publishing rules."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from . import anchoring, curation, importing, services, suggesting
from .dates import DateSpan, parse_date_span
from .models import Citation, Event, Source, Speaker, Statement, Topic


def with_citation_counts(queryset):
    """Sources or statements with `citation_count` and `unverified_count` (not anchored exactly)."""
    unverified = ~Q(citations__anchoring=Citation.Anchoring.EXACT)
    return queryset.annotate(citation_count=Count("citations"), unverified_count=Count("citations", filter=unverified))


# --- Reference data -------------------------------------------------------------------


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "side", "statement_count"]
    list_filter = ["side"]
    ordering = ["name"]  # explicit: an annotated (GROUP BY) query drops the model's default ordering
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


# --- Sources --------------------------------------------------------------------------


class VerbatimTextField(forms.CharField):
    """A text kept as typed: no stripping, and the CRLF line breaks browsers send read as LF, so offsets stay true."""

    def __init__(self, **kwargs) -> None:
        kwargs["strip"] = False
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


UNCHANGED = "no field of this form (it was saved with the same values)"


class VersionCheckedForm(forms.ModelForm):
    """Optimistic locking: the form carries the version it was opened at, and a save over a change the editor
    has not seen is refused, naming what changed, with the editor's own input kept for a second save."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A revert form shows an old version's values: the version it saves over is the one in the database.
    version_from_database = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.version_from_database:
            model = type(self.instance)
            current = model._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            self.fields["seen_version"].initial = current
        elif self.instance.pk:
            # The version of the very row the form shows (a second query could see a later save).
            self.fields["seen_version"].initial = self.instance.version

    def clean(self) -> dict:
        cleaned = super().clean()
        instance = self.instance
        if not instance.pk:
            return cleaned
        model = type(instance)
        # Locked until the save commits (the admin's change view is one transaction), so no save slips between.
        current = model._base_manager.select_for_update().filter(pk=instance.pk).first()
        seen = cleaned.get("seen_version")
        if current is None or seen == current.version:
            return cleaned
        # The next save is over what the editor now sees: the form shows the current version, and the fields
        # only the other editor changed take their new values; where both edited, this editor's words stay.
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = current.version
        theirs, both = self.merge_changes_since(seen, current, cleaned)
        record = current.history.filter(version=current.version).select_related("history_user").first()
        who = f" by {record.history_user}" if record and record.history_user else ""
        when = f" at {record.history_date:%H:%M:%S}" if record else ""
        message = (
            f"Someone else saved this {model._meta.verbose_name}{who}{when} while you were editing it, so your "
            f"changes were not saved yet. Changed since you opened it: {'; '.join(theirs) or UNCHANGED}."
        )
        if both:
            message += f" You both changed {', '.join(both)}: yours is kept below."
        raise forms.ValidationError(message + " Check the form and save again.")

    def merge_changes_since(self, version: int | None, current, cleaned: dict) -> tuple[list[str], list[str]]:
        """(each field changed since `version`, with its new value; the fields both editors changed), putting
        the new value into the form's data where this editor left the field as it was."""
        seen = current.history.filter(version=version).order_by("-history_id").first() if version else None
        theirs, both = [], []
        for name in self.fields:
            try:
                field = current._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_many:
                continue
            now = getattr(current, field.attname)
            before = getattr(seen, field.attname, None) if seen else None
            if seen is not None and before == now:
                continue
            shown = str(getattr(current, name) or "–")
            theirs.append(f"{field.verbose_name} (now “{shown if len(shown) <= 80 else shown[:79] + '…'}”)")
            mine = cleaned.get(name)
            mine = getattr(mine, "pk", mine)
            if seen is not None and mine == before:
                self.data[self.add_prefix(name)] = "" if now is None else str(now)
            else:
                both.append(str(field.verbose_name))
        return theirs, both


class VersionedAdmin(SimpleHistoryAdmin):
    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("_simple_history"):
            form = type(form.__name__, (form,), {"version_from_database": True})
        return form


class ImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A UTF-8 text or HTML file.")
    text = VerbatimTextField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "vLargeTextField"}),
        label="Or paste the article",
        help_text="Plain text or HTML, kept as pasted.",
    )
    url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Original address",
        help_text="Where the article was published, if known.",
    )
    suggest = forms.BooleanField(
        required=False,
        initial=True,
        label="Suggest statements",
        help_text="Propose draft statements from its quoted and reported speech.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool(cleaned.get("text", "").strip()):
            raise forms.ValidationError("Give either a file or pasted text (one of the two).")
        return cleaned


class SourceForm(VersionCheckedForm):
    original_text = VerbatimTextField(help_text=Source._meta.get_field("original_text").help_text)
    url = forms.URLField(
        required=False,
        max_length=1000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        help_text=Source._meta.get_field("url").help_text,
    )

    class Meta:
        model = Source
        fields = ["title", "slug", "publisher", "url", "published_on", "language", "original_text"]


@admin.register(Source)
class SourceAdmin(VersionedAdmin):
    form = SourceForm

    class Media:
        css = {"all": ["timeline/admin.css"]}

    list_display = ["title", "publisher", "published_on", "language", "citation_count", "needs_review"]
    list_filter = ["language", "publisher"]
    search_fields = ["title", "publisher", "original_text"]
    date_hierarchy = "published_on"
    ordering = ["-published_on", "title"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["original_html", "content_hash", "created_at", "reading_view"]
    fields = [
        "title",
        "slug",
        "publisher",
        "url",
        "published_on",
        "language",
        "original_text",
        "seen_version",
        "original_html",
        "reading_view",
        "content_hash",
        "created_at",
    ]

    def get_queryset(self, request):
        return with_citation_counts(super().get_queryset(request))

    @admin.display(ordering="citation_count", description="citations")
    def citation_count(self, source: Source) -> int:
        return source.citation_count

    @admin.display(ordering="unverified_count", description="citations to review")
    def needs_review(self, source: Source) -> int:
        return source.unverified_count

    @admin.display(description="reading view")
    def reading_view(self, source: Source) -> str:
        url = source.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url) if source.pk else "–"

    def get_urls(self):
        tools = [
            path("import/", self.admin_site.admin_view(self.import_view), name="timeline_source_import"),
            path("<int:pk>/suggest/", self.admin_site.admin_view(self.suggest_view), name="timeline_source_suggest"),
        ]
        return tools + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload or paste an article: the same import as `manage.py import_sources`."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            name = upload.name if upload else "pasted text"
            data = upload.read() if upload else form.cleaned_data["text"].encode()
            try:
                result = services.import_source(name=name, data=data, url=form.cleaned_data["url"])
            except importing.ImportRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                source = result.source
                if result.created:
                    self.message_user(request, f"Imported: {result.summary}.", messages.SUCCESS)
                else:
                    self.message_user(request, f"Nothing new: {result.summary}.", messages.INFO)
                if form.cleaned_data["suggest"]:
                    self._suggest(request, source)
                return redirect("admin:timeline_source_change", source.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Import an article",
        }
        return TemplateResponse(request, "admin/timeline/source/import.html", context)

    def suggest_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("timeline.add_statement"):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=pk)
        self._suggest(request, source)
        return redirect(
            f"{reverse('admin:timeline_statement_changelist')}?status__exact=draft&citations__source__id__exact={pk}"
        )

    def _suggest(self, request: HttpRequest, source: Source) -> None:
        drafts = suggesting.create_suggested_drafts(source=source)
        self.message_user(
            request,
            f"{len(drafts)} draft statement(s) proposed from “{source}”: review, date and publish them.",
            messages.SUCCESS if drafts else messages.INFO,
        )

    def save_model(self, request: HttpRequest, obj: Source, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A changed text re-anchors every citation as it is saved (curation's receivers): say what came of it.
        report = getattr(obj, "reanchor_report", None)
        if report is None:
            return
        outcome = ", ".join(f"{number} {kind}" for kind, number in sorted(report.outcomes.items())) or "none"
        level = messages.WARNING if report.returned_to_draft or set(report.outcomes) - {"exact"} else messages.INFO
        message = f"The text changed, so every citation was anchored again: {outcome}."
        if report.returned_to_draft:
            message += (
                f" {len(report.returned_to_draft)} statement(s) went back to draft until reviewed: "
                + " — ".join(str(demotion) for demotion in report.returned_to_draft)
                + "."
            )
        self.message_user(request, message, level)


# --- Statements and their citations ---------------------------------------------------


class PassageWidget(forms.Textarea):
    """The passage box, checked live against the chosen source (htmx) as the editor types.

    `include` selects what holds the source field: the inline's own box on a
    statement, the whole form on a citation.
    """

    def __init__(self, include: str = "closest .inline-related") -> None:
        super().__init__(attrs={"rows": 3, "class": "vLargeTextField passage-input"})
        self.include = include

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "hx-get": reverse("admin:timeline_statement_anchor_preview"),
                "hx-trigger": "load, input changed delay:400ms, change",
                "hx-include": self.include,
                "hx-target": "next .anchor-preview",
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<div class="anchor-preview" aria-live="polite"></div>', box)


class CitationForm(forms.ModelForm):
    """The editor gives source and passage; offsets, context and anchoring state are found, not typed.

    Words the editor gives anew are anchored where they occur, or, when they occur several times, at the
    occurrence the editor picks. A saved passage is found again only at the same place (`find_passage`).
    """

    occurrence = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="Only when the passage occurs more than once in the source: which occurrence (1 = the first).",
    )

    class Meta:
        model = Citation
        fields = ["source", "passage"]
        widgets = {"passage": PassageWidget()}

    def clean(self) -> dict:
        cleaned = super().clean()
        source, passage = cleaned.get("source"), cleaned.get("passage", "")
        if not (source and passage):
            return cleaned
        instance, occurrence = self.instance, cleaned.get("occurrence")
        text = source.original_text
        unchanged = instance.pk and instance.source_id == source.pk and passage == instance.passage
        if unchanged and occurrence is None:
            self.match = anchoring.find_passage(
                text, passage, start=instance.start, end=instance.end, prefix=instance.prefix, suffix=instance.suffix
            )
            return cleaned
        choice = anchoring.anchor_choice(text, passage, occurrence=occurrence)
        if isinstance(choice, list):
            places = "; ".join(
                f"{number}: after “…{anchoring.words_around(text, start, end, words=5)[0]}”"
                for number, (start, end) in enumerate(choice, start=1)
            )
            raise forms.ValidationError(
                f"The passage occurs {len(choice)} times in “{source}” ({places}). "
                "Say which in “occurrence”, or give a few more words to make it unique."
            )
        self.match = choice
        return cleaned

    def save(self, commit: bool = True) -> Citation:
        citation = super().save(commit=False)
        match = getattr(self, "match", None)
        if match is not None:
            citation.take_match(match)
        if commit:
            citation.save()
        return citation


class CitationFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.status != Statement.Status.PUBLISHED:
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError("A published statement needs at least one citation.")
        for form in kept:
            match = getattr(form, "match", None)
            if match is None or match.kind != Citation.Anchoring.EXACT:
                raise forms.ValidationError(
                    "A statement cannot be published with an unverified citation: "
                    "every passage must be found exactly, at its place, in its source. "
                    "Save it as a draft, or fix the passage."
                )


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationForm
    formset = CitationFormSet
    extra = 0
    min_num = 0
    autocomplete_fields = ["source"]
    fields = ["source", "passage", "occurrence", "anchoring", "similarity", "start", "end"]
    readonly_fields = ["anchoring", "similarity", "start", "end"]


class WhenWidget(forms.TextInput):
    """A date typed freely, read back live (htmx) before saving."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "hx-get": reverse("admin:timeline_statement_date_preview"),
                "hx-trigger": "load, input changed delay:300ms",
                "hx-include": "#citations-group",
                "hx-target": "#when-preview",
                "autocomplete": "off",
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<output id="when-preview" class="when-preview" for="id_{}"></output>', box, name)


def relative_base(source_id: str | None) -> "Source | None":
    if source_id and source_id.isascii() and source_id.isdigit():  # not '²': a digit to isdigit(), not to int()
        return Source.objects.filter(pk=source_id).only("published_on").first()
    return None


class StatementForm(VersionCheckedForm):
    when = forms.CharField(
        label="Date",
        max_length=100,
        widget=WhenWidget(attrs={"class": "vTextField"}),
        help_text="Type it as you would write it: “23 Dec 2016”, “Dec 2016”, “2016”, “23 декабря 2016”, or "
        "“last Friday” (read relative to the first citation's source date). Its precision is what you typed.",
    )

    class Meta:
        model = Statement
        fields = ["speaker", "kind", "text", "summary", "topics", "event", "status", "date_evidence"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.date:
            self.fields["when"].initial = self.instance.date_display

    def clean(self) -> dict:
        cleaned = super().clean()
        # Without the citations inline (e.g. reverting to an earlier version), the saved citations decide.
        inline_absent = "citations-TOTAL_FORMS" not in self.data
        publishing = cleaned.get("status") == Statement.Status.PUBLISHED
        if inline_absent and publishing and self.instance.pk and (problems := self.instance.publish_problems()):
            raise forms.ValidationError(f"It cannot be published: {'; '.join(problems)}. Keep it as a draft.")
        return cleaned

    def clean_when(self) -> DateSpan:
        text = self.cleaned_data["when"]
        source = relative_base(self.data.get("citations-0-source"))
        if source is None and self.instance.pk:
            first = self.instance.citations.select_related("source").first()
            source = first.source if first else None
        span = parse_date_span(text, relative_to=source.published_on if source else None)
        if span is None:
            raise forms.ValidationError(f"Could not read “{text}” as a date. Try “23 Dec 2016”, “Dec 2016” or “2016”.")
        self.instance.date, self.instance.date_precision = span.start, span.precision
        return span


class VerificationFilter(admin.SimpleListFilter):
    title = "citations"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [
            ("verified", "all verified"),
            ("review", "approximate: needs review"),
            ("orphan", "orphan: passage not found"),
            ("none", "no citation"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "verified":
            return queryset.filter(citations__isnull=False).exclude(
                citations__anchoring__in=[Citation.Anchoring.APPROXIMATE, Citation.Anchoring.ORPHAN]
            )
        if value == "review":
            return queryset.filter(citations__anchoring=Citation.Anchoring.APPROXIMATE).distinct()
        if value == "orphan":
            return queryset.filter(citations__anchoring=Citation.Anchoring.ORPHAN).distinct()
        if value == "none":
            return queryset.filter(citations__isnull=True)
        return queryset


@admin.register(Statement)
class StatementAdmin(VersionedAdmin):
    form = StatementForm
    inlines = [CitationInline]
    list_display = ["summary", "speaker", "date_shown", "kind", "event", "status", "verification"]
    list_filter = [
        "status",
        VerificationFilter,
        ("citations__source", admin.RelatedOnlyFieldListFilter),
        "speaker__side",
        "speaker",
        "topics",
        "kind",
        "date_precision",
        "event",
    ]
    list_select_related = ["speaker", "event"]
    search_fields = ["text", "summary", "speaker__name", "citations__passage"]
    date_hierarchy = "date"
    ordering = ["-date", "-pk"]
    autocomplete_fields = ["speaker", "event"]
    filter_horizontal = ["topics"]
    actions = ["publish_selected", "unpublish_selected"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["speaker", "kind", "text", "summary", "topics", "event", "status", "seen_version"]}),
        ("Date", {"fields": ["when", "date_evidence"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["timeline/admin.css"]}
        js = ["django_htmx/htmx-2.min.js", "timeline/admin.js"]

    def get_queryset(self, request):
        return with_citation_counts(super().get_queryset(request))

    def save_model(self, request: HttpRequest, obj: Statement, form: forms.ModelForm, change: bool) -> None:
        # Published only once its citations (saved after it, in save_related) are in place and verified.
        obj._publish = obj.status == Statement.Status.PUBLISHED
        if obj._publish and obj.publish_problems():
            obj.status = Statement.Status.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        statement = form.instance
        if getattr(statement, "_publish", False):
            statement.refresh_from_db()  # saving citations may have sent it back to draft meanwhile
            report = curation.publish(statements=[statement])
            for problems in report.refused.values():
                self.message_user(request, f"Saved as a draft, not published: {'; '.join(problems)}.", messages.WARNING)

    @admin.display(ordering="date", description="date")
    def date_shown(self, statement: Statement) -> str:
        return statement.date_display

    @admin.display(description="citations")
    def verification(self, statement: Statement) -> str:
        if not statement.citation_count:
            return "none"
        if statement.unverified_count:
            return f"{statement.unverified_count} to review"
        return "verified"

    @admin.action(description="Publish selected statements", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset) -> None:
        report = curation.publish(statements=queryset)
        if report.published:
            self.message_user(request, f"{len(report.published)} statement(s) published.", messages.SUCCESS)
        for statement, problems in report.refused.items():
            self.message_user(
                request, f"Not published: “{statement.summary}”: {'; '.join(problems)}.", messages.WARNING
            )

    @admin.action(description="Unpublish selected statements (back to draft)", permissions=["change"])
    def unpublish_selected(self, request: HttpRequest, queryset) -> None:
        count = curation.unpublish(statements=queryset)
        self.message_user(request, f"{count} statement(s) returned to draft.", messages.SUCCESS)

    def get_urls(self):
        preview = [
            path(
                "anchor-preview/",
                self.admin_site.admin_view(self.anchor_preview),
                name="timeline_statement_anchor_preview",
            ),
            path(
                "date-preview/",
                self.admin_site.admin_view(self.date_preview),
                name="timeline_statement_date_preview",
            ),
        ]
        return preview + super().get_urls()

    def anchor_preview(self, request: HttpRequest) -> HttpResponse:
        """The passage as found in the chosen source: exactly, approximately (closest match offered), or not."""
        if not self.has_view_or_change_permission(request):
            return HttpResponse(status=403)
        source_id = next((v for k, v in request.GET.items() if k == "source" or k.endswith("-source")), "")
        passage = next((v for k, v in request.GET.items() if k == "passage" or k.endswith("-passage")), "")
        source = Source.objects.filter(pk=source_id).first() if source_id.isascii() and source_id.isdigit() else None
        context = {"source": source, "passage": passage.strip()}
        if source and passage.strip():
            text = source.original_text
            choice = anchoring.anchor_choice(text, passage)
            if isinstance(choice, list):
                context |= {
                    "places": [anchoring.words_around(text, start, end, words=8) for start, end in choice],
                    "occurrences": len(choice),
                }
            else:
                found = choice.end > choice.start
                context |= {
                    "match": choice,
                    "context": anchoring.words_around(text, choice.start, choice.end) if found else None,
                    "found_words": " ".join(text[choice.start : choice.end].split()),
                    "occurrences": 1 if choice.kind == "exact" else 0,
                }
        return TemplateResponse(request, "admin/timeline/anchor-preview.html", context)

    def date_preview(self, request: HttpRequest) -> HttpResponse:
        """How the typed date will be read, before saving."""
        if not self.has_view_or_change_permission(request):
            return HttpResponse(status=403)
        text = request.GET.get("when", "").strip()
        source = relative_base(request.GET.get("citations-0-source"))
        span = parse_date_span(text, relative_to=source.published_on if source else None) if text else None
        return TemplateResponse(
            request, "admin/timeline/date-preview.html", {"text": text, "span": span, "source": source}
        )


class StandaloneCitationForm(CitationForm):
    class Meta(CitationForm.Meta):
        fields = ["statement", "source", "passage"]
        widgets = {"passage": PassageWidget(include="closest form")}

    def clean(self) -> dict:
        cleaned = super().clean()
        statement, match = cleaned.get("statement"), getattr(self, "match", None)
        if statement and statement.status == Statement.Status.PUBLISHED and match and match.kind != "exact":
            raise forms.ValidationError(
                f"“{statement.summary}” is published, and these words are not found exactly at one place in the "
                f"source ({match.kind}). Give the source's exact words, or unpublish the statement first."
            )
        return cleaned


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["statement", "source", "anchoring", "similarity", "start", "end"]
    list_select_related = ["statement__speaker", "source"]
    list_filter = ["anchoring", "source"]
    search_fields = ["passage", "statement__summary"]
    autocomplete_fields = ["statement", "source"]
    form = StandaloneCitationForm
    fields = [
        "statement",
        "source",
        "passage",
        "occurrence",
        "anchoring",
        "similarity",
        "start",
        "end",
        "prefix",
        "suffix",
    ]
    readonly_fields = ["anchoring", "similarity", "start", "end", "prefix", "suffix"]

    class Media:
        css = {"all": ["timeline/admin.css"]}
        js = ["django_htmx/htmx-2.min.js", "timeline/admin.js"]

    def save_model(self, request: HttpRequest, obj: Citation, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._report_demotion(request, obj)

    def delete_model(self, request: HttpRequest, obj: Citation) -> None:
        super().delete_model(request, obj)
        self._report_demotion(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for citation in queryset:
            self.delete_model(request, citation)

    def _report_demotion(self, request: HttpRequest, citation: Citation) -> None:
        if demotion := getattr(citation, "demotion", None):
            self.message_user(request, f"Back to draft until reviewed: {demotion}.", messages.WARNING)


# --- Deleted statements, restorable from their history ----------------------------------


@admin.register(Statement.history.model)
class DeletedStatementAdmin(admin.ModelAdmin):
    """Statements that were deleted, from their last historical record; "Restore" brings them back."""

    list_display = ["summary", "speaker", "date", "history_date", "history_user"]
    list_select_related = ["speaker", "history_user"]
    search_fields = ["summary", "text"]
    actions = ["restore_selected"]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Deleted statements: select and restore", **(extra_context or {})}
        )

    def get_queryset(self, request):
        deleted = super().get_queryset(request).filter(history_type="-")
        return deleted.exclude(id__in=Statement.objects.values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))  # as Django's own
    def action_checkbox(self, record) -> str:
        # Labelled with the summary: str() of a historical record would load its speaker, a query per row.
        checkbox = forms.CheckboxInput({"class": "action-select", "aria-label": f"Select “{record.summary}”"})
        return checkbox.render(admin.helpers.ACTION_CHECKBOX_NAME, str(record.pk))

    def has_delete_permission(self, request, obj=None):
        return False

    def has_restore_permission(self, request) -> bool:
        return request.user.has_perm("timeline.add_statement")

    @admin.action(description="Restore selected statements", permissions=["restore"])
    def restore_selected(self, request: HttpRequest, queryset) -> None:
        restored = [curation.restore_deleted_statement(record=record) for record in queryset]
        self.message_user(request, f"{len(restored)} statement(s) restored, with their citations.", messages.SUCCESS)
        for statement, problems in restored:
            if problems:
                self.message_user(
                    request,
                    f"“{statement.summary}” was published but comes back as a draft: {'; '.join(problems)}.",
                    messages.WARNING,
                )
