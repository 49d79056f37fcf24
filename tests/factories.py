"""Plain factories for test data: each takes keyword overrides and saves a valid row."""

import datetime as dt
import itertools

from django.contrib.auth.models import Group, User

from timeline import anchoring
from timeline.models import Citation, Event, Source, Speaker, Statement, Topic

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def make_speaker(**fields) -> Speaker:
    n = _n()
    defaults = {"name": f"Speaker {n}", "slug": f"speaker-{n}", "role": "", "side": "ru"}
    return Speaker.objects.create(**(defaults | fields))


def make_topic(**fields) -> Topic:
    n = _n()
    return Topic.objects.create(**({"name": f"Topic {n}", "slug": f"topic-{n}"} | fields))


def make_event(**fields) -> Event:
    n = _n()
    defaults = {"name": f"Event {n}", "slug": f"event-{n}", "date": dt.date(2016, 11, 14)}
    return Event.objects.create(**(defaults | fields))


def make_source(**fields) -> Source:
    n = _n()
    defaults = {
        "slug": f"source-{n}",
        "title": f"Source {n}",
        "publisher": "Test Wire",
        "published_on": dt.date(2016, 11, 9),
        "original_text": (
            f"Article number {n} begins with a full sentence of ordinary reporting here.\n\n"
            "The leaders said they would meet soon and talk about the relationship between the countries.\n\n"
            "Officials on both sides said the talks were useful and would continue next year.\n"
        ),
    }
    return Source.objects.create(**(defaults | fields))


def make_statement(
    *,
    speaker: Speaker | None = None,
    source: Source | None = None,
    passage: str | None = None,
    topics: tuple[Topic, ...] = (),
    cite: bool = True,
    **fields,
) -> Statement:
    """A published statement (unless told otherwise) with one verified citation of its words; without a
    citation (`cite=False`) a draft, since only a cited statement can be published."""
    n = _n()
    defaults = {
        "date": dt.date(2016, 11, 14),
        "date_precision": "day",
        "kind": "quote",
        "text": "The leaders said they would meet soon",
        "summary": f"Summary {n}",
        "status": Statement.Status.PUBLISHED,
        "date_evidence": "Test evidence.",
    }
    values = defaults | fields
    # Created as a draft and published once cited, as Statement.save requires.
    status = values.pop("status") if cite else values.pop("status", None) and Statement.Status.DRAFT
    statement = Statement.objects.create(speaker=speaker or make_speaker(), status=Statement.Status.DRAFT, **values)
    if topics:
        statement.topics.set(topics)
    if cite:
        if source is None:
            source = make_source(
                original_text=f"Article {n} opens with a full sentence of ordinary reporting here.\n\n"
                f"{values['text']}\n\nThe article ends with one more sentence of reporting.\n"
            )
        make_citation(statement=statement, source=source, passage=passage or values["text"])
    if status == Statement.Status.PUBLISHED:
        statement.status = status
        statement.save()
    return statement


def make_citation(*, statement: Statement, source: Source, passage: str) -> Citation:
    anchor = anchoring.anchor_passage(source.original_text, passage)
    return Citation.objects.create(
        statement=statement,
        source=source,
        passage=source.original_text[anchor.start : anchor.end],
        start=anchor.start,
        end=anchor.end,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
    )


def make_editor(**fields) -> User:
    """A staff user in the "Editors" group, which the migration creates with the curation permissions."""
    n = _n()
    user = User.objects.create_user(**({"username": f"editor-{n}", "is_staff": True} | fields))
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def admin_form_data(response) -> dict:
    """The POST data an admin change (or history) form would send back unchanged, inlines included."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data
