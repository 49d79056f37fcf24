"""The domain: who said what, when, and where exactly it is written."""

import datetime as dt
import hashlib
import re
from functools import cached_property
from urllib.parse import quote

from django.db import connections, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.urls import reverse
from simple_history.models import HistoricalRecords

from . import anchoring, dates, reading
from .dates import Precision


class Side(models.TextChoices):
    RUSSIA = "ru", "Russia"
    UNITED_STATES = "us", "United States"


class PublicQuerySet(models.QuerySet):
    """For speakers, topics and events: readers see only those that a published statement uses."""

    def public(self) -> "PublicQuerySet":
        """Those with at least one published statement (one subquery, on the statement indexes)."""
        # `statements` is the related name on Speaker, Topic and Event alike; its field is the one on Statement.
        field = self.model.statements.field.name
        published = Statement.objects.published().filter(**{field: models.OuterRef("pk")})
        return self.filter(models.Exists(published))


class Speaker(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    role = models.CharField(max_length=200, blank=True, help_text="Role at the time, e.g. 'President of Russia'.")
    side = models.CharField(max_length=2, choices=Side.choices)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="speaker_side_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('timeline:chronology')}?speaker={self.slug}"


class Topic(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('timeline:chronology')}?topic={self.slug}"


class Event(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    date = models.DateField()
    kind = models.CharField(max_length=100, blank=True, help_text="e.g. 'phone call', 'press conference'.")
    place = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["date", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("timeline:event", args=[self.slug])


class Versioned(models.Model):
    """A row whose every save raises its version, so that an editor's form that started from an older version
    can be refused instead of silently overwriting a change the editor has not seen."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every save; a form begun at an older version is refused."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            # Read under a row lock, so two concurrent saves never both write the same version.
            rows = type(self)._base_manager.select_for_update().filter(pk=self.pk)
            self.version = (rows.values_list("version", flat=True).first() or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


class Source(Versioned):
    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True, help_text="The original address, when known.")
    published_on = models.DateField(null=True, blank=True, help_text="Publication date, when known.")
    language = models.CharField(max_length=10, default="en", help_text="ISO 639-1 code.")
    original_text = models.TextField(
        help_text="The verbatim original text (for an HTML import, the text of the page): citations point into it. "
        "Correcting it re-anchors every citation."
    )
    original_html = models.TextField(
        blank=True, help_text="The verbatim file, when the source was imported from HTML; never altered."
    )
    reading_spans = models.JSONField(
        default=list,
        blank=True,
        help_text="The reading text's paragraphs as [start, end] spans of the original text.",
    )
    content_hash = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        help_text="SHA-256 of the imported file: the same file twice is one source.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["published_on", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.original_html or self.original_text)
        if not self.reading_spans:
            self.reading_spans = reading.reading_spans(self.original_text, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("timeline:source", args=[self.slug])

    @property
    def reading_text(self) -> str:
        return reading.reading_text(self.original_text, self.reading_spans)


class UnverifiedStatement(ValueError):
    """A write that would publish a statement whose words are not verified in its sources."""


CHRONOLOGICAL = ("date", "-date_end", "pk")
MAX_SEARCH_WORDS = 10


class StatementQuerySet(models.QuerySet):
    def published(self) -> "StatementQuerySet":
        return self.filter(status=Statement.Status.PUBLISHED)

    def verified(self) -> "StatementQuerySet":
        """Statements that may be published: at least one citation, and every citation anchored exactly with
        its passage at its offsets in the source's text (checked in the database, for any number at once; the
        passage must be the very text there, as anchoring saves it, so this is never looser than `is_verified`)."""
        unverified = Citation.objects.filter(statement=models.OuterRef("pk")).exclude(
            anchoring=Citation.Anchoring.EXACT,
            passage=Substr("source__original_text", models.F("start") + 1, models.F("end") - models.F("start")),
        )
        return self.filter(models.Exists(Citation.objects.filter(statement=models.OuterRef("pk")))).exclude(
            models.Exists(unverified)
        )

    def publish_verified(self) -> int:
        """Publish, in one statement, those of these statements that are verified; the others stay as they are.
        The one way to publish in bulk (`update(status="published")` is refused)."""
        verified = Statement.objects.filter(pk__in=self.verified().values("pk")).exclude(
            status=Statement.Status.PUBLISHED
        )
        return super(StatementQuerySet, verified).update(status=Statement.Status.PUBLISHED)

    def update(self, **kwargs) -> int:
        if kwargs.get("status") == Statement.Status.PUBLISHED:
            raise UnverifiedStatement("Publish through publish_verified(), which checks every citation.")
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(obj.status == Statement.Status.PUBLISHED for obj in objs):
            raise UnverifiedStatement("Create statements as drafts, cite them, then publish_verified().")
        return super().bulk_create(objs, *args, **kwargs)

    def between(self, start: dt.date | None, end: dt.date | None) -> "StatementQuerySet":
        """Statements whose date, at its precision, overlaps [start, end]."""
        qs = self
        if start:
            qs = qs.filter(date_end__gte=start)
        if end:
            qs = qs.filter(date__lte=end)
        return qs

    def search(self, query: str) -> "StatementQuerySet":
        """Every word of `query`, as a word or the start of one, in the words, the summary or the speaker's
        name. Indexed full-text search on SQLite (FTS5) and PostgreSQL (GIN), see migration 0005."""
        words = re.findall(r"\w+", query)[:MAX_SEARCH_WORDS]
        if not words:
            return self
        # Constant SQL with bound parameters; the words are \w+ only, so they cannot break the query syntax.
        vendor = connections[self.db].vendor
        if vendor == "sqlite":
            sql = "SELECT rowid FROM timeline_statement_fts WHERE timeline_statement_fts MATCH %s"
            return self.filter(pk__in=RawSQL(sql, [" ".join(f'"{word}"*' for word in words)]))  # noqa: S611
        qs = self
        for word in words:
            if vendor == "postgresql":
                sql = (
                    "SELECT id FROM timeline_statement "
                    "WHERE to_tsvector('simple'::regconfig, text || ' ' || summary) @@ to_tsquery('simple', %s)"
                )
                in_words = Q(pk__in=RawSQL(sql, [f"{word}:*"]))  # noqa: S611
            else:
                in_words = Q(text__icontains=word) | Q(summary__icontains=word)
            qs = qs.filter(in_words | Q(speaker__in=Speaker.objects.filter(name__icontains=word)))
        return qs

    def chronological(self) -> "StatementQuerySet":
        """Oldest first; of periods starting on one day the longest first, so a year-only
        date heads its year and a month-only date its month."""
        return self.order_by(*CHRONOLOGICAL)

    def for_listing(self, *, with_texts: bool = False) -> "StatementQuerySet":
        """Everything an entry shows, in a fixed number of queries.

        Sources come without their texts (a long article per citation would dominate a page of 50)
        unless `with_texts`, for pages that quote the words around a passage.
        """
        citations = Citation.objects.select_related("source")
        if not with_texts:
            citations = citations.defer("source__original_text", "source__original_html", "source__reading_spans")
        return self.select_related("speaker", "event").prefetch_related(
            "topics", models.Prefetch("citations", citations)
        )


class Statement(Versioned):
    class Kind(models.TextChoices):
        QUOTE = "quote", "quote"
        PARAPHRASE = "paraphrase", "paraphrase"
        READOUT = "readout", "readout"

    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="statements")
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements")
    date = models.DateField(help_text="When it was said: the first day of the period at its precision.")
    date_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    date_end = models.DateField(editable=False, help_text="The last day the date covers, kept for range filters.")
    date_evidence = models.TextField(blank=True, help_text="How the date was established.")
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.QUOTE,
        help_text="quote: the speaker's own words; paraphrase: reported speech; readout: an official summary.",
    )
    text = models.TextField(help_text="The words as the source gives them.")
    summary = models.CharField(max_length=300, help_text="One line.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="statements")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    seed_key = models.SlugField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The statement's key in the curated seed file, if it came from there.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StatementQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[topics])

    class Meta:
        ordering = list(CHRONOLOGICAL)
        constraints = [
            models.CheckConstraint(condition=Q(date_end__gte=models.F("date")), name="statement_date_end_after_date"),
            models.CheckConstraint(condition=Q(date_precision__in=Precision.values), name="statement_precision_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=["quote", "paraphrase", "readout"]), name="statement_kind_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="statement_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "date", "date_end"], name="statement_status_date"),
            models.Index(fields=["status", "date_end"], name="statement_status_date_end"),
            models.Index(fields=["speaker", "status", "date"], name="statement_speaker_date"),
            models.Index(fields=["event", "status", "date"], name="statement_event_date"),
        ]

    def __str__(self) -> str:
        return f"{self.speaker}, {self.date_display}: {self.summary}"

    def save(self, *args, **kwargs) -> None:
        self.date = dates.truncate(self.date, self.date_precision)
        self.date_end = dates.span_end(self.date, self.date_precision)
        if self.status == self.Status.PUBLISHED and (problems := self.publish_problems()):
            raise UnverifiedStatement(f"“{self.summary}” cannot be published: {'; '.join(problems)}.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("timeline:statement", args=[self.pk])

    def publish_problems(self) -> list[str]:
        """Why this statement may not be published (as saved in the database); empty when it may."""
        citations = list(self.citations.select_related("source")) if self.pk else []
        if not citations:
            return ["it has no citation"]
        return [
            f"its citation of “{citation.source}” is {citation.get_anchoring_display()}"
            for citation in citations
            if not citation.is_verified
        ]

    @property
    def date_display(self) -> str:
        return dates.format_at_precision(self.date, self.date_precision)

    @property
    def date_iso(self) -> str:
        return dates.iso_at_precision(self.date, self.date_precision)


class Citation(models.Model):
    """A statement's anchor in a source, after the W3C Web Annotation TextQuoteSelector."""

    class Anchoring(models.TextChoices):
        EXACT = "exact", "verified"
        MOVED = "moved", "found only in other surroundings: needs review"
        APPROXIMATE = "approximate", "approximate: needs review"
        ORPHAN = "orphan", "orphan: passage not found"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    passage = models.TextField(help_text="The exact words in the source's original text.")
    start = models.PositiveIntegerField(help_text="Offset of the passage's first character in the original text.")
    end = models.PositiveIntegerField(help_text="Offset just after the passage's last character.")
    prefix = models.CharField(max_length=100, blank=True, help_text="Text just before the passage.")
    suffix = models.CharField(max_length=100, blank=True, help_text="Text just after the passage.")
    anchoring = models.CharField(
        max_length=11,
        choices=Anchoring.choices,
        default=Anchoring.EXACT,
        help_text="How the passage was last found in the source's text; only verified citations can be published.",
    )
    similarity = models.FloatField(
        null=True,
        blank=True,
        help_text="For an approximate anchor, how close (0–1) the words found are to the passage.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "source", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="citation_end_after_start"),
            models.UniqueConstraint(fields=["statement", "source", "start"], name="citation_unique_anchor"),
            models.CheckConstraint(
                condition=Q(anchoring__in=["exact", "moved", "approximate", "orphan"]), name="citation_anchoring_valid"
            ),
        ]
        indexes = [models.Index(fields=["anchoring"], name="citation_anchoring")]

    def __str__(self) -> str:
        return f"{self.source} [{self.start}:{self.end}]"

    def save(self, *args, check_statement: bool = True, **kwargs) -> None:
        """Saved; then, unless `check_statement` is off (a caller checking many at once), a published statement
        that this citation leaves unverified goes back to draft (see `curation`)."""
        self._check_statement = check_statement
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.source.get_absolute_url()}#s{self.statement_id}"

    @property
    def is_verified(self) -> bool:
        """Anchored exactly, and the passage is at its offsets in the text, whitespace differences aside."""
        found = self.source.original_text[self.start : self.end]
        return self.anchoring == self.Anchoring.EXACT and found.split() == self.passage.split()

    def take_match(self, match: "anchoring.Match") -> None:
        """Point at the words `match` found; found exactly, they become the passage itself.

        An orphan keeps its old offsets (or, new, a placeholder span): readers never see it.
        """
        text = self.source.original_text
        self.anchoring, self.similarity = match.kind, match.similarity
        if match.found:
            self.start, self.end = match.start, match.end
            self.prefix, self.suffix = anchoring.quote_context(text, match.start, match.end)
        elif self.start is None or self.end is None:
            self.start, self.end = 0, max(1, len(self.passage))
        if match.kind == self.Anchoring.EXACT:
            self.passage = text[match.start : match.end]

    @property
    def text_fragment(self) -> str:
        """A URL text fragment (`#:~:text=` value) that finds the passage on the original page."""

        def term(words: list[str]) -> str:
            # '-' must be escaped too: a term starting or ending with it reads as a prefix or suffix.
            return quote(" ".join(words), safe="").replace("-", "%2D")

        words = self.passage.split()
        if len(words) <= 8:
            return term(words)
        return f"{term(words[:4])},{term(words[-4:])}"

    @cached_property
    def context(self) -> tuple[str, str, str]:
        """(words before, the passage, words after) in the original text."""
        return anchoring.words_around(self.source.original_text, self.start, self.end)
