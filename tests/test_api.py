"""The JSON API: DESIGN.md's statement shape, the chronology's filters, JSON errors."""

import datetime as dt
import re

import pytest
from openapi_spec_validator import validate

from timeline.models import Source, Statement

from .factories import make_event, make_source, make_speaker, make_statement, make_topic

STATEMENT_KEYS = {
    "id",
    "date",
    "date_precision",
    "speaker",
    "kind",
    "text",
    "summary",
    "topics",
    "event",
    "citations",
    "url",
}


def seed(key: str) -> Statement:
    return Statement.objects.get(seed_key=key)


def results(client, params=None) -> list[dict]:
    response = client.get("/api/statements", params or {})
    assert response.status_code == 200
    return response.json()["results"]


def test_a_statement_has_exactly_the_documented_shape(client, seeded):
    statement = seed("lavrov-2016-11-09-any-us-leader")
    citation = statement.citations.get()
    [item] = [item for item in results(client) if item["id"] == statement.pk]
    assert item == {
        "id": statement.pk,
        "date": "2016-11-09",
        "date_precision": "day",
        "speaker": {"name": "Sergey Lavrov", "slug": "sergey-lavrov", "side": "ru"},
        "kind": "quote",
        "text": "We are ready to work with any US leader elected by the US people",
        "summary": "Lavrov: Russia is ready to work with any US leader the American people elect.",
        "topics": ["normalization"],
        "event": {
            "name": "Moscow reacts to Trump's election victory",
            "slug": "trump-victory-reactions-2016-11-09",
            "date": "2016-11-09",
        },
        "citations": [
            {
                "source": {
                    "slug": "global-research-putin-on-trump-victory",
                    "title": "Putin on Trump Victory: Russia is Ready to Restore Relations with US",
                    "publisher": "Global Research (from RT News)",
                },
                "start": citation.start,
                "end": citation.end,
                "url": f"/sources/global-research-putin-on-trump-victory/#s{statement.pk}",
            }
        ],
        "url": f"/statements/{statement.pk}/",
    }


def test_every_result_has_the_documented_keys(client, seeded):
    for item in results(client):
        assert set(item) == STATEMENT_KEYS
        assert set(item["speaker"]) == {"name", "slug", "side"}
        assert item["citations"]
        for citation in item["citations"]:
            assert set(citation) == {"source", "start", "end", "url"}
            assert set(citation["source"]) == {"slug", "title", "publisher"}
            assert citation["end"] > citation["start"]


@pytest.mark.parametrize(
    ("key", "date", "precision"),
    [
        ("putin-2016-10-equal-partner", "2016-10", "month"),
        ("kremlin-2016-no-favourites", "2016", "year"),
        ("putin-2018-12-20-ready-for-meetings", "2018-12-20", "day"),
    ],
)
def test_date_is_iso_cut_to_its_precision(client, seeded, key, date, precision):
    item = client.get(f"/api/statements/{seed(key).pk}").json()
    assert (item["date"], item["date_precision"]) == (date, precision)


def test_a_statement_without_an_event_has_event_null(client, seeded):
    assert client.get(f"/api/statements/{seed('putin-2016-10-equal-partner').pk}").json()["event"] is None


def test_list_is_oldest_first_with_count_and_no_further_pages(client, seeded):
    data = client.get("/api/statements").json()
    assert data["count"] == Statement.objects.published().count()
    assert data["next"] is None
    assert data["previous"] is None
    assert [item["id"] for item in data["results"]] == list(
        Statement.objects.published().chronological().values_list("pk", flat=True)
    )


def test_order_minus_date_gives_newest_first(client, seeded):
    oldest_first = [item["id"] for item in results(client)]
    assert [item["id"] for item in results(client, {"order": "-date"})] == oldest_first[::-1]


def test_pages_link_to_next_and_previous_keeping_the_filters(client, seeded, settings):
    settings.TIMELINE_PAGE_SIZE = 5
    first = client.get("/api/statements", {"speaker": "vladimir-putin", "q": ""}).json()
    assert len(first["results"]) == 5
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/statements?speaker=vladimir-putin&page=2"
    second = client.get(first["next"]).json()
    assert second["previous"] == "http://testserver/api/statements?speaker=vladimir-putin&page=1"
    assert not {item["id"] for item in first["results"]} & {item["id"] for item in second["results"]}
    assert (
        second["count"]
        == first["count"]
        == Statement.objects.published().filter(speaker__slug="vladimir-putin").count()
    )


@pytest.mark.parametrize(
    "params",
    [
        {"speaker": ["sergey-lavrov", "vyacheslav-volodin"]},
        {"side": "us"},
        {"topic": "syria"},
        {"from": "Nov 2016", "to": "Nov 2016"},
        {"from": "since 2018", "q": "bottom"},
        {"q": "Afghanistan"},
    ],
)
def test_api_takes_the_same_filters_as_the_page(client, seeded, params):
    listed = [item["id"] for item in results(client, params)]
    assert listed
    page = client.get("/", params).content.decode()
    assert listed == [int(pk) for pk in re.findall(r'class="permalink" href="/statements/(\d+)/"', page)]


def test_api_event_filter_lists_the_events_statements(client, seeded):
    listed = {item["id"] for item in results(client, {"event": "putin-trump-call-2016-11-14"})}
    expected = set(Statement.objects.filter(event__slug="putin-trump-call-2016-11-14").values_list("pk", flat=True))
    assert expected
    assert listed == expected


def test_a_month_statement_is_in_a_range_that_overlaps_its_month(client, seeded):
    listed = {item["id"] for item in results(client, {"from": "2016-10-31", "to": "2016-10-31"})}
    assert seed("putin-2016-10-equal-partner").pk in listed


def test_an_unreadable_date_is_a_400_with_the_reason(client, seeded):
    response = client.get("/api/statements", {"from": "blah", "speaker": "vladimir-putin"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert list(errors) == ["from"]
    assert "blah" in errors["from"]


@pytest.mark.django_db
def test_drafts_are_never_in_the_api(client):
    published = make_statement(date=dt.date(2016, 11, 9))
    draft = make_statement(status=Statement.Status.DRAFT)
    data = client.get("/api/statements").json()
    assert [item["id"] for item in data["results"]] == [published.pk]
    assert data["count"] == 1
    response = client.get(f"/api/statements/{draft.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_one_statement_and_404_json_for_an_unknown_id(client):
    statement = make_statement()
    item = client.get(f"/api/statements/{statement.pk}").json()
    assert item["id"] == statement.pk
    assert set(item) == STATEMENT_KEYS
    response = client.get("/api/statements/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No published statement has this id."}


@pytest.mark.django_db
def test_non_ascii_text_comes_through_unescaped(client):
    statement = make_statement(text="Мы готовы к встрече", summary="Путин готов")
    response = client.get(f"/api/statements/{statement.pk}")
    assert "Мы готовы к встрече".encode() in response.content
    assert response.json()["text"] == "Мы готовы к встрече"


# The documented API (django-ninja): filters, paging, errors, reference data, CORS, OpenAPI, docs.


def test_a_statement_in_the_list_equals_the_statement_on_its_own(client, seeded):
    """List and detail give one and the same JSON for a statement."""
    for item in results(client)[:5]:
        assert client.get(f"/api/statements/{item['id']}").json() == item


@pytest.mark.parametrize(
    "params",
    [
        {"event": "putin-trump-call-2016-11-14"},
        {"side": ["ru", "us"]},
        {"topic": ["syria", "normalization"]},
        {"speaker": "vladimir-putin", "topic": "normalization", "from": "Nov 2016", "to": "Dec 2016"},
        {"side": "ru", "q": "relations", "order": "-date"},
        {"speaker": ["sergey-lavrov", "donald-trump"], "side": "us"},
    ],
)
def test_api_filters_and_combinations_list_what_the_page_lists(client, seeded, params):
    """Each filter, repeated and combined, selects exactly the chronology page's statements, in its order."""
    listed = [item["id"] for item in results(client, params)]
    assert listed
    page = client.get("/", params).content.decode()
    assert listed == [int(pk) for pk in re.findall(r'class="permalink" href="/statements/(\d+)/"', page)]


def test_page_size_sets_the_page_and_is_kept_in_the_links(client, seeded):
    """`page_size` picks the page's length; next/previous are absolute and keep it with the filters."""
    first = client.get("/api/statements", {"side": "ru", "page_size": 3}).json()
    assert len(first["results"]) == 3
    assert first["next"] == "http://testserver/api/statements?side=ru&page_size=3&page=2"
    last_number = -(-first["count"] // 3)
    last = client.get("/api/statements", {"side": "ru", "page_size": 3, "page": last_number}).json()
    assert last["next"] is None
    assert last["previous"] == f"http://testserver/api/statements?side=ru&page_size=3&page={last_number - 1}"
    every = client.get("/api/statements", {"side": "ru", "page_size": 200}).json()
    assert len(every["results"]) == every["count"] == Statement.objects.published().filter(speaker__side="ru").count()


def test_page_size_defaults_to_50(client, db):
    """Without `page_size` a page holds 50 statements."""
    speaker = make_speaker()
    for _ in range(51):
        make_statement(speaker=speaker)
    data = client.get("/api/statements").json()
    assert (data["count"], len(data["results"])) == (51, 50)
    assert data["next"] == "http://testserver/api/statements?page=2"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page_size": 201}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"side": "fr"}, "side"),
        ({"order": "speaker"}, "order"),
        ({"speaker": "nobody-at-all"}, "speaker"),
        ({"topic": "no-such-topic"}, "topic"),
        ({"event": "no-such-event"}, "event"),
        ({"to": "whenever"}, "to"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, seeded, params, parameter):
    """Out-of-bounds paging, unknown values and unreadable dates: 400 JSON `{"errors": {name: reason}}`."""
    response = client.get("/api/statements", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert list(errors) == [parameter]
    assert errors[parameter]


def test_a_page_past_the_last_and_a_non_numeric_id(client, seeded):
    """Past the last page is a 404 with a detail; an id that is not a number is a 400 naming `id`."""
    response = client.get("/api/statements", {"page": 99})
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no page 99; the last is 1."}
    response = client.get("/api/statements/twelve")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["id"]


@pytest.mark.django_db
def test_an_empty_list_is_one_empty_page(client):
    """No statements: count 0, no links, page 1 exists."""
    assert client.get("/api/statements").json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.django_db
def test_speakers_with_their_published_statement_counts(client):
    """Every speaker with a published statement, by name, counting published statements only; a speaker with
    none, or with drafts only, is not public."""
    putin = make_speaker(name="Vladimir Putin", slug="vladimir-putin", role="President of Russia")
    make_speaker(name="Donald Trump", slug="donald-trump", side="us")
    make_statement(speaker=make_speaker(name="Sergey Lavrov", slug="sergey-lavrov"))
    make_statement(speaker=make_speaker(name="Aaron Draft", slug="aaron-draft"), status=Statement.Status.DRAFT)
    make_statement(speaker=putin)
    make_statement(speaker=putin, status=Statement.Status.DRAFT)
    assert client.get("/api/speakers").json() == [
        {
            "name": "Sergey Lavrov",
            "slug": "sergey-lavrov",
            "role": "",
            "side": "ru",
            "statement_count": 1,
            "url": "/?speaker=sergey-lavrov",
        },
        {
            "name": "Vladimir Putin",
            "slug": "vladimir-putin",
            "role": "President of Russia",
            "side": "ru",
            "statement_count": 1,
            "url": "/?speaker=vladimir-putin",
        },
    ]


@pytest.mark.django_db
def test_topics_with_their_published_statement_counts(client):
    """Every topic with a published statement, by name, counting published statements only; a topic with
    none, or with drafts only, is not public."""
    syria = make_topic(name="Syria", slug="syria")
    make_topic(name="Trade", slug="trade")
    ukraine = make_topic(name="Ukraine", slug="ukraine")
    make_statement(topics=(syria, ukraine))
    make_statement(topics=(syria,))
    make_statement(topics=(syria, make_topic(name="Arms", slug="arms")), status=Statement.Status.DRAFT)
    assert client.get("/api/topics").json() == [
        {"name": "Syria", "slug": "syria", "statement_count": 2, "url": "/?topic=syria"},
        {"name": "Ukraine", "slug": "ukraine", "statement_count": 1, "url": "/?topic=ukraine"},
    ]


@pytest.mark.django_db
def test_events_by_date_with_their_dates(client):
    """Every event with a published statement, oldest first, with its date, kind, place and page; an event
    with none, or with drafts only, is not public."""
    later = make_event(name="Press conference", slug="presser", date=dt.date(2016, 12, 23), kind="press conference")
    call = make_event(name="Phone call", slug="call", date=dt.date(2016, 11, 14), kind="phone call", place="by phone")
    make_event(name="Summit", slug="summit", date=dt.date(2016, 10, 1))
    make_statement(event=later)
    make_statement(event=call)
    make_statement(event=call, status=Statement.Status.DRAFT)
    make_statement(event=make_event(name="Draft only", date=dt.date(2016, 1, 1)), status=Statement.Status.DRAFT)
    assert client.get("/api/events").json() == [
        {
            "name": "Phone call",
            "slug": "call",
            "date": "2016-11-14",
            "kind": "phone call",
            "place": "by phone",
            "description": "",
            "statement_count": 1,
            "url": "/events/call/",
        },
        {
            "name": "Press conference",
            "slug": "presser",
            "date": "2016-12-23",
            "kind": "press conference",
            "place": "",
            "description": "",
            "statement_count": 1,
            "url": "/events/presser/",
        },
    ]


SOURCE_KEYS = {
    "slug",
    "title",
    "publisher",
    "original_url",
    "published_on",
    "language",
    "statement_count",
    "url",
    "raw_url",
}


def test_sources_are_a_paginated_list_of_metadata(client, seeded):
    """Sources page like statements; each gives its metadata, not its text."""
    first = client.get("/api/sources", {"page_size": 2}).json()
    assert first["count"] == Source.objects.count()
    assert first["next"] == "http://testserver/api/sources?page_size=2&page=2"
    assert first["previous"] is None
    assert len(first["results"]) == 2
    every = client.get("/api/sources").json()["results"]
    assert len(every) == first["count"]
    for item in every:
        assert set(item) == SOURCE_KEYS
        assert item["url"] == f"/sources/{item['slug']}/"
        assert item["raw_url"] == f"/sources/{item['slug']}/raw"
    assert client.get("/api/sources", {"page_size": 500}).status_code == 400


@pytest.mark.django_db
def test_a_source_gives_its_verbatim_text_and_published_statements(client):
    """The original text comes through verbatim (whitespace, non-ASCII); drafts are not among its statements."""
    text = "Путин сказал:\n\n  «Мы готовы»  \r\nand then\tmore.\n\nThe leaders said they would meet soon.\n"
    source = make_source(
        slug="kremlin-readout",
        title="Readout",
        publisher="Kremlin",
        url="http://kremlin.ru/events/president/news/53251",
        language="ru",
        original_text=text,
        original_html="<p>Путин сказал</p>",
    )
    published = make_statement(source=source)
    make_statement(source=source, status=Statement.Status.DRAFT)
    item = client.get("/api/sources/kremlin-readout").json()
    assert item == {
        "slug": "kremlin-readout",
        "title": "Readout",
        "publisher": "Kremlin",
        "original_url": "http://kremlin.ru/events/president/news/53251",
        "published_on": "2016-11-09",
        "language": "ru",
        "statement_count": 1,
        "url": "/sources/kremlin-readout/",
        "raw_url": "/sources/kremlin-readout/raw",
        "original_text": text,
        "original_html": "<p>Путин сказал</p>",
        "statements": [published.pk],
    }
    response = client.get("/api/sources/no-such-source")
    assert response.status_code == 404
    assert response.json() == {"detail": "No source has this slug."}


@pytest.mark.parametrize(
    "url",
    ["/api/statements", "/api/statements/999999", "/api/statements?from=blah", "/api/speakers", "/api/openapi.json"],
)
def test_any_origin_may_read_the_api(client, seeded, url):
    """CORS: `Access-Control-Allow-Origin: *` on every API response, errors included; no credentials."""
    response = client.get(url, headers={"Origin": "https://news.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert not response.cookies


def test_a_cors_preflight_is_answered_for_get(client, seeded):
    """OPTIONS (a browser's preflight) gets an OK status (any 2xx, as Fetch asks) allowing GET from any origin."""
    response = client.options(
        "/api/statements",
        headers={"Origin": "https://news.example", "Access-Control-Request-Method": "GET"},
    )
    assert 200 <= response.status_code < 300
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_the_api_is_read_only(client, seeded):
    """Writing methods are refused."""
    for method in (client.post, client.put, client.delete):
        assert method("/api/statements").status_code == 405


def test_pages_without_the_api_send_no_cors_header(client, seeded):
    """Only /api/ is opened to other origins."""
    assert "Access-Control-Allow-Origin" not in client.get("/")


ENDPOINTS = {
    "/api/statements": {"page", "page_size", "q", "speaker", "side", "topic", "event", "from", "to", "order"},
    "/api/statements/{id}": {"id"},
    "/api/speakers": set(),
    "/api/topics": set(),
    "/api/events": set(),
    "/api/sources": {"page", "page_size"},
    "/api/sources/{slug}": {"slug"},
}


def test_the_openapi_document_is_valid_and_lists_every_endpoint_and_parameter(client, db):
    """/api/openapi.json is a valid OpenAPI 3.1 document naming each GET endpoint and its parameters."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == set(ENDPOINTS)
    for path, parameters in ENDPOINTS.items():
        assert set(spec["paths"][path]) == {"get"}, path
        assert {p["name"] for p in spec["paths"][path]["get"].get("parameters", [])} == parameters, path
    listed = {p["name"]: p for p in spec["paths"]["/api/statements"]["get"]["parameters"]}
    for repeatable in ("speaker", "side", "topic"):
        assert listed[repeatable]["schema"]["type"] == "array", repeatable
    assert listed["page_size"]["schema"]["anyOf"][0]["maximum"] == 200
    statement = spec["components"]["schemas"]["StatementOut"]
    assert set(statement["properties"]) == STATEMENT_KEYS


def test_the_docs_page_runs_only_our_own_script_files(client, db):
    """/api/docs: Swagger UI from our static files, every script external (src=), under the strict CSP."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.DOTALL | re.IGNORECASE)
    assert len(scripts) == 2
    for attributes, body in scripts:
        assert re.search(r'\bsrc="/static/', attributes), attributes
        assert body.strip() == ""
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", page)
    assert not re.search(r'(src|href)="(https?:)?//', page), "a third-party request"
    assert re.search(r"(^|;) *script-src 'self' *(;|$)", response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert 'data-openapi-url="/api/openapi.json"' in page


def test_the_api_root_leads_to_the_docs(client, db):
    assert client.get("/api/").url == "/api/docs"


def many_statements(n: int) -> None:
    """n published statements, each with its own speaker, event, two topics and a cited source."""
    for i in range(n):
        make_statement(event=make_event(), topics=(make_topic(), make_topic()), date=dt.date(2016, 1, 1 + i % 28))
    make_statement(status=Statement.Status.DRAFT)


@pytest.mark.parametrize("n", [5, 60])
def test_a_page_of_statements_takes_a_constant_number_of_queries(client, db, django_assert_num_queries, n):
    """Guards against N+1: count, page, topics and citations (with sources) whatever the page holds."""
    many_statements(n)
    with django_assert_num_queries(4):
        assert len(client.get("/api/statements", {"page_size": 200}).json()["results"]) == n
    with django_assert_num_queries(4):
        assert len(client.get("/api/statements", {"order": "-date"}).json()["results"]) == min(n, 50)


@pytest.mark.parametrize("n", [5, 60])
def test_filtered_pages_take_a_constant_number_of_queries(client, db, django_assert_num_queries, n):
    """Guards against N+1 with filters too: one more query per slug filter, to check its values."""
    many_statements(n)
    speaker = Statement.objects.published().first().speaker
    with django_assert_num_queries(5):
        client.get("/api/statements", {"speaker": speaker.slug, "from": "2016"})


@pytest.mark.parametrize("n", [5, 60])
def test_reference_lists_take_one_query_and_sources_two(client, db, django_assert_num_queries, n):
    """Guards against N+1: speakers, topics and events in one query each; a page of sources in two."""
    many_statements(n)
    for url in ("/api/speakers", "/api/topics", "/api/events"):
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200
    with django_assert_num_queries(2):
        assert client.get("/api/sources", {"page_size": 200}).json()["count"] == n + 1
    slug = Source.objects.first().slug
    with django_assert_num_queries(2):
        assert client.get(f"/api/sources/{slug}").status_code == 200


@pytest.mark.browser
def test_the_docs_work_in_a_browser_under_the_csp(live_server, page):
    """Swagger UI shows every endpoint with no CSP violation and no request to another host."""
    problems, hosts = [], set()
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server.url + "/api/docs")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for()
    assert sorted(operations.all_inner_texts()) == sorted(ENDPOINTS)
    assert problems == []
    assert hosts == {live_server.url.split("/")[2]}
