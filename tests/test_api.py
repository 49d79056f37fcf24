"""The JSON API: DESIGN.md's statement shape, the chronology's filters, JSON errors."""

import datetime as dt
import re

import pytest

from timeline.models import Statement

from .factories import make_statement

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
