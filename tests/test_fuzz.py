"""No input reaches a 500: every public URL and every parameter, fuzzed with Hypothesis against the seeded database.

Each test drives the real stack in process (Django's test client: URL routing, middleware, views, templates,
the database) with values a person, a crawler or an attacker might send: control characters and NUL, any
Unicode, bytes that are not UTF-8, huge numbers, very long values, repeated keys, and dates at and past the
ends of the calendar ('0000', 'after 9999', 'before 0001', 'по 0000'). Unreadable filters must come back as a
notice on the page or a 400, never as a server error. The tests run on SQLite and on PostgreSQL.
"""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import dates, suggesting
from timeline.models import Event, Source, Statement

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,  # no example files left in the checkout; a failure prints its own reproduction
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pages and feeds that read the chronology's filters.
FILTERED_PAGES = ["/", "/embed/"]
FILTERED_DATA = ["/export.csv", "/export/timelinejs.json", "/feeds/statements.atom", "/feeds/events.ics"]
PARAMETERS = [
    "q",
    "speaker",
    "side",
    "topic",
    "event",
    "from",
    "to",
    "order",
    "view",
    "page",
    "page_size",
    "theme",
    "compact",
]

DATE_LIKE = [
    "0000",
    "after 9999",
    "before 0001",
    "по 0000",
    "до 0001",
    "после 9999",
    "since 0001",
    "by 9999",
    "31 Dec 9999",
    "after 31 Dec 9999",
    "before 1 Jan 0001",
    "after Dec 9999",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "10000",
    "-1",
    "in 9000 years",
    "9000 years ago",
    "in 100000000 days",
    "1e309",
    "2016",
    "Dec 2016",
    "23 декабря 2016",
    "в октябре 2016",
    "since 2018",
    "yesterday",
    "before yesterday",
]
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "putin\x01",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\t\n\r",
    "\u2028",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
    "%00",
    "%",
    "&",
    "=",
    "'; DROP TABLE timeline_statement; --",
    '"*',
    "NEAR(",
    "a OR b",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "漢字",
    "🙂" * 40,
    "-date",
    "date",
    "lanes",
    "dark",
    "1",
    "0",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢٣",  # Arabic-Indic digits: int() reads them
    "300",
]
REAL = [
    "ru",
    "us",
    "vladimir-putin",
    "donald-trump",
    "sergey-lavrov",
    "meeting",
    "syria",
    "putin-trump-call-2016-11-14",
    "press-conference-2016-12-23",
    "putin",
    "meeting Trump",
]

text_values = st.one_of(
    st.sampled_from(DATE_LIKE + NASTY + REAL),
    st.text(max_size=40),  # any Unicode but surrogates: NUL and control characters included
    st.text(st.characters(max_codepoint=0xA0), max_size=12),  # ASCII and the C0/C1 controls, densely
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),  # digits of any script, '²'
    st.builds(lambda text, n: (text or "x") * n, st.text(min_size=1, max_size=3), st.integers(150, 5000)),
)
# A value is text (sent as UTF-8) or raw bytes, often not UTF-8 at all.
values = st.one_of(text_values, text_values, st.binary(max_size=12))
# Dates often, in the fields that read them; repeated keys and keys nobody expects included.
query_pairs = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["from", "to"]), st.sampled_from(DATE_LIKE) | text_values),
        st.tuples(st.sampled_from(PARAMETERS), values),
        st.tuples(st.text(max_size=8), values),
    ),
    max_size=7,
)


def encoded(value: str | bytes) -> str:
    return quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")


def query_string(pairs: list[tuple[str, str | bytes]]) -> str:
    return "&".join(f"{encoded(name)}={encoded(value)}" for name, value in pairs)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@given(pairs=query_pairs, htmx_target=st.sampled_from([None, "chronology", "results", "timeline", "nonsense"]))
@FUZZ
def test_the_chronology_and_its_embed_render_whatever_the_filters(client, seeded, pairs, htmx_target):
    """The chronology and its embed answer any query string with a page (unreadable filters become notices)."""
    query = query_string(pairs)
    headers = {"HX-Request": "true", "HX-Target": htmx_target} if htmx_target else {}
    for path in FILTERED_PAGES:
        response = client.get(f"{path}?{query}", headers=headers)
        assert response.status_code == 200, (path, query, response.status_code)
        page = response.content.decode()
        if htmx_target in (None, "nonsense"):
            assert 'id="results"' in page, (path, query)


@given(pairs=query_pairs)
@FUZZ
def test_exports_feeds_and_the_api_answer_any_filters_with_data_or_a_400(client, seeded, pairs):
    """CSV, TimelineJS, Atom, iCalendar and the JSON list: a well-formed file, a 400 for filters they cannot read."""
    query = query_string(pairs)
    for path in FILTERED_DATA:
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400, 404), (path, query, response.status_code)  # 404: a page past the end
        content = body(response)
        if response.status_code == 200 and path.endswith(".atom"):
            ET.fromstring(content)  # noqa: S314 (our own feed) well-formed XML 1.0: no control characters slipped in
        if response.status_code == 200 and path.endswith(".json"):
            json.loads(content)
    response = client.get(f"/api/statements?{query}")
    assert response.status_code in (200, 400, 404), (query, response.status_code)
    assert isinstance(response.json(), dict)


def path_values(real: list[str]) -> st.SearchStrategy:
    """What may stand in a path: real ids and slugs, and anything else, percent-encoded."""
    return st.one_of(
        st.sampled_from(real),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        text_values.filter(bool).map(encoded),
        st.binary(min_size=1, max_size=8).map(lambda raw: quote_from_bytes(raw, safe="")),
    )


ID_PATHS = [
    "/statements/{}/",
    "/statements/{}/cite.json",
    "/statements/{}/cite.ris",
    "/embed/statements/{}/",
    "/api/statements/{}",
]
SLUG_PATHS = ["/sources/{}/", "/sources/{}/raw", "/events/{}/", "/api/sources/{}"]


@given(data=st.data())
@FUZZ
def test_ids_and_slugs_in_paths_are_found_or_not_found(client, seeded, data):
    """A path with any id or slug (NUL, huge numbers, non-UTF-8 bytes) is a page, a 404 or a 400, never a 500."""
    ids = [str(pk) for pk in Statement.objects.values_list("pk", flat=True)]
    slugs = [*Source.objects.values_list("slug", flat=True), *Event.objects.values_list("slug", flat=True)]
    template = data.draw(st.sampled_from(ID_PATHS + SLUG_PATHS))
    value = data.draw(path_values(ids if template in ID_PATHS else slugs))
    response = client.get(template.format(value))
    assert response.status_code in (200, 301, 400, 404), (template, value, response.status_code)


OUR_URLS = st.one_of(
    st.sampled_from(["http://testserver/", "https://testserver/embed/", "http://evil.example/", "", "javascript:1"]),
    st.builds(
        lambda scheme, path, pairs: f"{scheme}://testserver{path}?{query_string(pairs)}",
        st.sampled_from(["http", "https", "ftp"]),
        st.sampled_from(["/", "/embed/", "/statements/1/", "/embed/statements/99999999999999999999/", "/x"]),
        query_pairs,
    ),
    text_values,
)


@given(
    url=OUR_URLS,
    format_=st.sampled_from(["json", "xml", ""]) | text_values,
    maxwidth=values,
    maxheight=values,
    repeat=st.booleans(),
)
@FUZZ
def test_oembed_answers_any_url_and_size(client, seeded, url, format_, maxwidth, maxheight, repeat):
    """oEmbed: JSON for an embeddable page of ours, 404 for anything else, 501 for a format it does not speak."""
    pairs = [("url", url), ("format", format_), ("maxwidth", maxwidth), ("maxheight", maxheight)]
    response = client.get(f"/oembed?{query_string(pairs * (2 if repeat else 1))}")
    assert response.status_code in (200, 404, 501), (pairs, response.status_code)


@given(
    view=st.one_of(OUR_URLS.map(lambda url: url.removeprefix("http://testserver")), st.just("/embed/?from=0000")),
    pairs=st.lists(st.tuples(st.sampled_from(["theme", "compact", "height", "view"]), values), max_size=5),
)
@FUZZ
def test_the_embed_code_page_answers_any_view_and_options(client, seeded, view, pairs):
    """The embed-code page: the code for a view of ours, or a 404 for a view there is nothing to embed of."""
    response = client.get(f"/embed/code/?{query_string([('view', view), *pairs])}")
    assert response.status_code in (200, 404), (view, pairs, response.status_code)


LISTS = ["/sources/", "/events/", "/api/sources", "/api/speakers", "/api/topics", "/api/events", "/sitemap.xml"]


@given(path=st.sampled_from(LISTS), pairs=query_pairs)
@FUZZ
def test_lists_answer_any_paging(client, seeded, path, pairs):
    """Lists and the sitemap ignore what they do not read; the API refuses bad paging with a 400 or 404."""
    response = client.get(f"{path}?{query_string(pairs)}")
    assert response.status_code in (200, 400, 404), (path, pairs, response.status_code)


# The date arithmetic itself, without HTTP: every date ± a day or a week at the ends of the calendar.

EDGE_DATES = st.one_of(
    st.sampled_from([dt.date.min, dt.date(1, 1, 5), dt.date(1, 1, 10), dt.date(9999, 12, 30), dt.date.max]),
    st.dates(),
    st.dates(max_value=dt.date(1, 1, 31)),
    st.dates(min_value=dt.date(9999, 12, 1)),
)
PHRASES = st.one_of(
    st.sampled_from(
        [
            "on Friday",
            "last week",
            "last month",
            "today",
            "earlier today",
            "in December",
            "December 13",
            "next year",
            "tomorrow",
            "yesterday",
            "в прошлую пятницу",
            "на прошлой неделе",
            "сегодня",
            "23 декабря",
            "in 2016",
        ]
    ),
    st.sampled_from(DATE_LIKE),
    text_values,
)


@given(text=st.one_of(st.sampled_from(DATE_LIKE), text_values), upper=st.booleans())
@FUZZ
def test_a_range_bound_is_a_date_none_or_out_of_range(text, upper):
    """parse_range_bound reads a bound, says it is not a date (None) or past the calendar (OutOfRange): nothing else."""
    try:
        day = dates.parse_range_bound(text, upper=upper)
    except dates.OutOfRange:
        return
    assert day is None or dt.date.min <= day <= dt.date.max


@given(text=st.one_of(st.sampled_from(DATE_LIKE), PHRASES), relative_to=st.none() | EDGE_DATES)
@FUZZ
def test_a_typed_date_relative_to_any_day_is_a_span_or_none(text, relative_to):
    """The admin's Date field reads any text against any article date (even 31 Dec 9999) without an error."""
    span = dates.parse_date_span(text, relative_to=relative_to)
    if span is not None:
        assert span.start <= span.end


@given(phrase=PHRASES, article_date=st.none() | EDGE_DATES)
@FUZZ
def test_a_time_phrase_in_an_article_of_any_date_resolves_or_not(phrase, article_date):
    """Suggestions read 'on Friday' or 'last week' against the article's date, even at the ends of the calendar."""
    resolved = suggesting.resolve_time_phrase(phrase, article_date)
    if resolved is not None and article_date is not None:
        assert resolved.date <= article_date


@given(article_date=EDGE_DATES)
@settings(FUZZ, max_examples=30)
def test_time_phrases_are_found_in_an_article_of_any_date(article_date):
    """Finding the time phrases of an article dated at either end of the calendar (an editor may type 0001 or 9999)."""
    text = "Putin said on Friday that last week, tomorrow and next year the talks of December 13 would go on. Вчера."
    assert ("said on Friday", "on Friday") in suggesting.time_phrases(text, article_date)
