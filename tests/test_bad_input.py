"""Inputs that once gave a 500, each kept as a regression test: now a notice on the page, a 400 or a 404.

Found by fuzzing (284 of 24,000 requests were server errors): dates outside the years 1 to 9999 and bounds that
step past them, a control character echoed into the Atom feed, NUL in a path on PostgreSQL, '0000' typed as a
statement's date in the admin, a superscript digit as an embed height, and date arithmetic at the ends of the
calendar (an event on 31 Dec 9999, an article dated 1 Jan 0001).
"""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.urls import reverse

from timeline.models import Event, Source, Statement

from .factories import admin_form_data

pytestmark = pytest.mark.django_db

# Every view that reads the chronology's filters.
PAGES = ["/", "/embed/"]
DATA = ["/export.csv", "/export/timelinejs.json", "/feeds/statements.atom", "/feeds/events.ics", "/api/statements"]
PAST_THE_CALENDAR = [("from", "0000"), ("to", "after 9999"), ("from", "before 0001"), ("to", "по 0000")]


def notice(page: str, name: str) -> str:
    return re.search(rf'id="{name}-notice"[^>]*>(.*?)</span>', page, re.DOTALL).group(1)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("name", "value"), PAST_THE_CALENDAR)
def test_a_date_past_the_calendar_is_a_notice_by_its_field_and_the_other_filters_apply(
    client, seeded, path, name, value
):
    """'0000', 'after 9999', 'before 0001', 'по 0000': the page says the date is out of range and shows the rest."""
    response = client.get(path, {name: value, "speaker": "sergey-lavrov"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"“{value}” lies outside the years 1 to 9999" in notice(page, name)
    shown = {statement.pk for statement in response.context["page"].object_list}
    lavrov = Statement.objects.published().filter(speaker__slug="sergey-lavrov")
    assert shown == set(lavrov.values_list("pk", flat=True))


@pytest.mark.parametrize("path", DATA)
@pytest.mark.parametrize(("name", "value"), PAST_THE_CALENDAR)
def test_a_date_past_the_calendar_is_refused_by_exports_feeds_and_the_api(client, seeded, path, name, value):
    """The files and the API refuse such a date with a 400 that names the parameter."""
    response = client.get(path, {name: value})
    assert response.status_code == 400
    assert name in body(response).decode()
    assert "outside the years 1 to 9999" in body(response).decode()


@pytest.mark.parametrize(("name", "value", "first_day"), [("from", "31 Dec 9999", dt.date.max), ("to", "0001", None)])
def test_the_last_and_first_years_are_still_dates(client, seeded, name, value, first_day):
    """The calendar's own ends are fine: 'from 31 Dec 9999' matches nothing, 'to 0001' matches nothing, no notice."""
    response = client.get("/", {name: value})
    assert response.status_code == 200
    assert notice(response.content.decode(), name) == ""
    assert response.context["page"].paginator.count == 0


def test_a_control_character_in_the_search_is_a_notice_on_the_page_and_a_400_for_the_feed(client, seeded):
    """q=putin%01 once crashed the Atom feed (XML 1.0 cannot hold it): the page notes it, the feed refuses it."""
    page = client.get("/", {"q": "putin\x01"})
    assert page.status_code == 200
    assert "Control characters" in notice(page.content.decode(), "q")
    assert page.context["page"].paginator.count == Statement.objects.published().count()

    feed = client.get("/feeds/statements.atom", {"q": "putin\x01"})
    assert feed.status_code == 400
    assert "q: Control characters" in feed.content.decode()


def test_the_atom_feed_stays_well_formed_xml_when_a_statement_holds_a_control_character(client, seeded):
    """A form feed pasted from a PDF into a statement: the feed leaves the character out, and is still XML."""
    statement = Statement.objects.published().first()
    Statement.objects.filter(pk=statement.pk).update(text="Peace\x0c and \x01quiet\ufffe.", summary="A\x0bB")
    response = client.get("/feeds/statements.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = list(feed.iter(f"{atom}entry"))
    titles = [entry.findtext(f"{atom}title") for entry in entries]
    contents = [entry.findtext(f"{atom}summary") or entry.findtext(f"{atom}content") for entry in entries]
    assert any(title.endswith(": AB") for title in titles)
    assert any("Peace and quiet." in content for content in contents)


@pytest.mark.parametrize("path", ["/api/sources/%00", "/api/sources/a%00b", "/sources/%00/", "/events/%00/"])
def test_nul_in_a_slug_is_not_found(client, seeded, path):
    """NUL in a path once reached PostgreSQL (which refuses it in any query) and gave a 500: now a 404."""
    assert client.get(path).status_code == 404


def test_the_api_documents_the_400_it_gives_for_an_id_that_is_not_a_number(client, seeded):
    """/api/statements/abc is a 400 with the JSON errors, and the OpenAPI document says so."""
    response = client.get("/api/statements/abc")
    assert response.status_code == 400
    assert "id" in response.json()["errors"]
    document = client.get("/api/openapi.json").json()
    assert "400" in document["paths"]["/api/statements/{id}"]["get"]["responses"]


def test_the_embed_code_page_takes_a_superscript_digit_for_a_bad_height(client, seeded):
    """'²' passed str.isdigit() but not int(): a 500 once, now the page with its note on the height."""
    response = client.get("/embed/code/", {"height": "²"})
    assert response.status_code == 200
    assert "“²” is not a height from 100 to 5000" in response.content.decode()


def test_an_event_on_the_last_day_of_the_calendar_is_in_the_calendar_feed(client, seeded):
    """An event on 31 Dec 9999 has no next day for DTEND: the feed leaves DTEND out (one all-day event)."""
    event = Event.objects.filter(statements__status=Statement.Status.PUBLISHED).first()
    Event.objects.filter(pk=event.pk).update(date=dt.date.max)
    response = client.get("/feeds/events.ics")
    assert response.status_code == 200
    vevent = next(
        component
        for component in icalendar.Calendar.from_ical(body(response)).walk("VEVENT")
        if component["uid"].startswith(f"event-{event.pk}@")
    )
    assert vevent.decoded("dtstart") == dt.date.max
    assert "dtend" not in vevent


def test_0000_typed_as_a_statements_date_in_the_admin_is_a_form_error(admin_client, seeded):
    """'0000' in the statement form's Date field once crashed (year 0): now the form says it cannot read it."""
    statement = Statement.objects.published().first()
    url = reverse("admin:timeline_statement_change", args=[statement.pk])
    data = admin_form_data(admin_client.get(url)) | {"when": "0000"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Could not read “0000” as a date" in str(response.context["adminform"].form.errors["when"])
    statement.refresh_from_db()
    assert statement.date.year > 1

    preview = admin_client.get(reverse("admin:timeline_statement_date_preview"), {"when": "0000"})
    assert preview.status_code == 200


@pytest.mark.parametrize("published_on", [dt.date.min, dt.date(1, 1, 3), dt.date.max])
def test_suggesting_statements_from_an_article_dated_at_an_end_of_the_calendar(admin_client, seeded, published_on):
    """'on Friday' or 'last week' in an article dated 1 Jan 0001 or 31 Dec 9999 steps past the calendar: no 500."""
    source = Source.objects.first()
    Source.objects.filter(pk=source.pk).update(published_on=published_on)
    response = admin_client.post(reverse("admin:timeline_source_suggest", args=[source.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("timeline_statement_date_preview", {"when": "23 Dec 2016", "citations-0-source": "²"}),
        ("timeline_statement_anchor_preview", {"citations-0-source": "²", "citations-0-passage": "Trump"}),
    ],
)
def test_the_admins_live_previews_take_a_superscript_digit_for_a_source_id(admin_client, seeded, name, params):
    """'²' passed str.isdigit() but not int(): the statement form's previews (and its Date field) once gave a 500."""
    assert admin_client.get(reverse(f"admin:{name}"), params).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/autocomplete/?term=%00&app_label=timeline&model_name=statement&field_name=speaker",
        "/admin/timeline/statement/?q=putin%00",
        "/admin/auth/user/?q=%00",
    ],
)
def test_nul_in_an_admin_search_is_a_400_not_a_server_error(admin_client, seeded, url):
    """The admin searches with the raw query value; PostgreSQL refuses NUL in text, so it is refused first."""
    response = admin_client.get(url)

    assert response.status_code == 400
    assert admin_client.get(url.replace("%00", "")).status_code == 200
