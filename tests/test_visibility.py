"""Only what is published is public: a speaker, topic or event that only drafts use appears nowhere a reader,
another site or another program looks (filters, chips, event pages, sitemap, calendar, API, exports, feeds)
until one of its statements is published."""

import datetime as dt
import json
import re

import pytest

from timeline.models import Speaker, Statement
from timeline.suggesting import create_suggested_drafts

from .factories import make_event, make_source, make_speaker, make_statement, make_topic

pytestmark = pytest.mark.django_db

# Every public listing that could name a speaker, topic or event, unfiltered.
PUBLIC_LISTINGS = [
    "/",
    "/embed/",
    "/sitemap.xml",
    "/feeds/events.ics",
    "/feeds/statements.atom",
    "/export.csv",
    "/export/timelinejs.json",
    "/api/speakers",
    "/api/topics",
    "/api/events",
    "/api/statements",
]


def text(response) -> str:
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def public_text(client) -> str:
    return "\n".join(text(client.get(url)) for url in PUBLIC_LISTINGS)


def slugs(client, url: str) -> set[str]:
    return {item["slug"] for item in json.loads(text(client.get(url)))}


@pytest.fixture
def drafted(db) -> dict:
    """A published statement by someone else, and a draft by a speaker, on a topic and at an event that
    nothing published uses."""
    make_statement(speaker=make_speaker(name="Vladimir Putin", slug="vladimir-putin"))
    speaker = make_speaker(name="Zelda Draftwoman", slug="zelda-draftwoman", side="us")
    topic = make_topic(name="Quietly drafted topic", slug="drafted-topic")
    event = make_event(name="Unannounced summit", slug="unannounced-summit", date=dt.date(2017, 3, 1))
    draft = make_statement(speaker=speaker, topics=(topic,), event=event, status=Statement.Status.DRAFT)
    return {"speaker": speaker, "topic": topic, "event": event, "draft": draft}


def publish(statement: Statement) -> None:
    statement.status = Statement.Status.PUBLISHED
    statement.save()


def test_what_only_drafts_use_is_in_no_public_listing(client, drafted):
    """Not a filter choice on the chronology or the embed, not in the sitemap, the calendar, the feed, the
    exports or the API's reference lists."""
    everything = public_text(client)
    for name in ("Zelda Draftwoman", "zelda-draftwoman", "Quietly drafted topic", "drafted-topic"):
        assert name not in everything
    assert "Unannounced summit" not in everything
    assert "unannounced-summit" not in everything
    assert "vladimir-putin" in slugs(client, "/api/speakers")
    assert "zelda-draftwoman" not in slugs(client, "/api/speakers")
    assert slugs(client, "/api/topics") == set()
    assert slugs(client, "/api/events") == set()


def test_an_event_only_drafts_mention_has_no_page(client, drafted):
    """Readers see published statements only, so an occasion no published statement records is not found."""
    assert client.get("/events/unannounced-summit/").status_code == 404


def test_filtering_by_what_only_drafts_use_names_nothing(client, drafted):
    """The page treats the slugs as unknown (a notice by the field, no chip with the name); an export or feed
    refuses them as it refuses any unknown value, so no title or file carries the name."""
    params = {"speaker": "zelda-draftwoman", "topic": "drafted-topic", "event": "unannounced-summit"}
    page = text(client.get("/", params))
    for name in ("Zelda Draftwoman", "Quietly drafted topic", "Unannounced summit"):
        assert name not in page
    for name in params:
        assert re.search(rf'id="{name}-notice"[^>]*>[^<]+</span>', page), name
    for url in ("/export.csv", "/export/timelinejs.json", "/feeds/statements.atom", "/feeds/events.ics"):
        for name, value in params.items():
            response = client.get(url, {name: value})
            assert response.status_code == 400
            assert response.content.decode().startswith(f"Invalid filter: {name}: ")
    assert client.get("/api/statements", {"speaker": "zelda-draftwoman"}).status_code == 400


def test_once_a_statement_is_published_its_speaker_topic_and_event_appear_everywhere(client, drafted):
    """The same rule, the other way: publishing the draft makes them public at once."""
    publish(drafted["draft"])
    everything = public_text(client)
    for name in ("Zelda Draftwoman", "zelda-draftwoman", "Quietly drafted topic", "drafted-topic"):
        assert name in everything
    assert "http://testserver/events/unannounced-summit/" in text(client.get("/sitemap.xml"))
    assert "Unannounced summit" in text(client.get("/feeds/events.ics"))
    assert "zelda-draftwoman" in slugs(client, "/api/speakers")
    assert slugs(client, "/api/topics") == {"drafted-topic"}
    assert slugs(client, "/api/events") == {"unannounced-summit"}
    assert "Unannounced summit" in text(client.get("/events/unannounced-summit/"))
    page = text(client.get("/", {"speaker": "zelda-draftwoman", "event": "unannounced-summit"}))
    assert "Zelda Draftwoman" in page
    assert "Unannounced summit" in page
    assert client.get("/export.csv", {"speaker": "zelda-draftwoman", "topic": "drafted-topic"}).status_code == 200


def test_a_speaker_the_suggester_creates_stays_private_until_a_statement_is_published(client, db):
    """Suggesting statements for an imported article creates speakers it does not know, for their drafts:
    readers must not see them in the filters or the API until an editor publishes one of those statements."""
    make_statement(speaker=make_speaker(name="Vladimir Putin", slug="vladimir-putin"))
    source = make_source(
        original_text="The two governments exchanged messages this week about the state of their relations.\n\n"
        "Kremlin spokesman Dmitry Peskov said that no date for a meeting of the leaders had been set yet.\n\n"
        "Officials on both sides gave no further details about the talks that followed it.\n",
        published_on=dt.date(2016, 11, 9),
    )
    (draft,) = create_suggested_drafts(source=source)
    assert Speaker.objects.filter(slug="dmitry-peskov").exists()
    assert draft.speaker.slug == "dmitry-peskov"
    assert "Dmitry Peskov" not in public_text(client)
    assert "dmitry-peskov" not in slugs(client, "/api/speakers")
    publish(draft)
    assert "dmitry-peskov" in slugs(client, "/api/speakers")
    assert 'value="dmitry-peskov"' in text(client.get("/"))
