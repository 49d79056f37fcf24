"""Embeds and oEmbed: only embed views may be framed, they set no cookies, and oEmbed answers as the spec says."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from timeline.models import Statement

pytestmark = pytest.mark.django_db

OEMBED_REQUIRED = {"version", "type", "html", "width", "height"}


def published_statement() -> Statement:
    return Statement.objects.published().order_by("pk").first()


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]+)", response["Content-Security-Policy"])[1].strip()


@pytest.mark.parametrize("path", ["/embed/", "/embed/?speaker=sergey-lavrov&theme=dark&compact=1"])
def test_the_embedded_chronology_may_be_framed_by_any_site_by_default(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 200
    assert frame_ancestors(response) == "*"
    assert "X-Frame-Options" not in response


def test_the_embedded_statement_may_be_framed_and_opens_its_links_top_level(client, seeded):
    statement = published_statement()
    response = client.get(reverse("timeline:embed-statement", args=[statement.pk]))
    assert frame_ancestors(response) == "*"
    html = response.content.decode()
    assert statement.text in html
    for link in re.findall(r'<a [^>]*class="(?:source-link|permalink)"[^>]*>', html):
        assert 'target="_blank"' in link
        assert 'rel="noopener"' in link


def test_frame_ancestors_come_from_the_setting(client, seeded, settings):
    settings.TIMELINE_EMBED_FRAME_ANCESTORS = "https://news.example.org"
    assert frame_ancestors(client.get("/embed/")) == "https://news.example.org"


@pytest.mark.parametrize("path", ["/", "/statements/{pk}/", "/sources/{slug}/", "/embed/code/"])
def test_every_other_page_refuses_framing(client, seeded, path):
    statement = published_statement()
    url = path.format(pk=statement.pk, slug=statement.citations.first().source.slug)
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def test_embeds_set_no_cookies_and_have_no_site_navigation(client, seeded):
    response = client.get("/embed/?topic=meeting")
    assert not response.cookies
    html = response.content.decode()
    assert 'class="site-header"' not in html
    assert "Open in the timeline" in html
    assert 'href="/?topic=meeting"' in html


def test_filtering_inside_the_embed_stays_in_the_embed(client, seeded):
    """The htmx fragment's links and form point at /embed/, and the pushed URL is the embed's own."""
    response = client.get("/embed/?side=us", headers={"HX-Request": "true", "HX-Target": "chronology"})
    html = response.content.decode()
    assert response["HX-Push-Url"] == "/embed/?side=us"
    assert 'action="/embed/"' in html
    assert 'hx-get="/embed/?topic=' in html
    assert 'href="/?topic=' not in html


def test_a_draft_cannot_be_embedded(client, seeded):
    statement = published_statement()
    Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.DRAFT)
    assert client.get(reverse("timeline:embed-statement", args=[statement.pk])).status_code == 404


class _Iframes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.frames.append(dict(attrs))
        if tag == "script":
            self.scripts.append(dict(attrs))


def parse_embed(html: str) -> _Iframes:
    parser = _Iframes()
    parser.feed(html)
    return parser


def test_oembed_for_a_statement_follows_the_spec(client, seeded):
    statement = published_statement()
    response = client.get("/oembed", {"url": f"http://testserver/statements/{statement.pk}/", "format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data.keys() >= OEMBED_REQUIRED
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert isinstance(data["width"], int)
    assert isinstance(data["height"], int)
    assert data["provider_name"]
    assert data["provider_url"] == "http://testserver/"
    assert isinstance(data["cache_age"], int)
    assert statement.speaker.name in data["title"]
    embed = parse_embed(data["html"])
    assert embed.frames[0]["src"] == f"http://testserver/embed/statements/{statement.pk}/"
    assert embed.frames[0]["title"]
    assert "data-timeline-embed" in embed.frames[0]
    assert embed.scripts[0]["src"] == "http://testserver/static/timeline/embed.js"


def test_oembed_for_a_filtered_chronology_keeps_the_filters(client, seeded):
    data = client.get("/oembed", {"url": "http://testserver/?speaker=sergey-lavrov&from=2016"}).json()
    assert parse_embed(data["html"]).frames[0]["src"] == "http://testserver/embed/?speaker=sergey-lavrov&from=2016"


def test_oembed_honours_maxwidth_and_maxheight(client, seeded):
    data = client.get("/oembed", {"url": "http://testserver/", "maxwidth": "300", "maxheight": "400"}).json()
    assert data["width"] <= 300
    assert data["height"] <= 400
    frame = parse_embed(data["html"]).frames[0]
    assert int(frame["width"]) <= 300
    assert int(frame["height"]) <= 400
    assert "data-timeline-embed" not in frame, "a bounded height must not be resized past maxheight"


@pytest.mark.parametrize(
    "url",
    [
        "http://elsewhere.example/statements/1/",
        "http://testserver/no-such-page/",
        "http://testserver/statements/999999/",
        "",
    ],
)
def test_oembed_gives_404_for_urls_it_cannot_embed(client, seeded, url):
    assert client.get("/oembed", {"url": url}).status_code == 404


def test_oembed_gives_501_for_an_unsupported_format(client, seeded):
    assert client.get("/oembed", {"url": "http://testserver/", "format": "xml"}).status_code == 501


@pytest.mark.parametrize("path", ["/", "/statements/{pk}/"])
def test_embeddable_pages_announce_their_oembed(client, seeded, path):
    statement = published_statement()
    html = client.get(path.format(pk=statement.pk)).content.decode()
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html)
    assert link, "no oEmbed discovery link"
    href = link[1].replace("&amp;", "&")
    assert client.get(href).status_code == 200


def test_embed_code_page_gives_the_code_with_the_chosen_options(client, seeded):
    response = client.get("/embed/code/", {"view": "/embed/?side=us", "theme": "dark", "compact": "1"})
    assert response.status_code == 200
    code = response.context["code"]
    frame = parse_embed(code).frames[0]
    assert frame["src"] == "http://testserver/embed/?side=us&theme=dark&compact=1"
    assert frame["title"]
    assert "embed.js" in parse_embed(code).scripts[0]["src"]


def test_embed_code_with_a_fixed_height_needs_no_loader(client, seeded):
    code = client.get("/embed/code/", {"view": "/embed/", "height": "500"}).context["code"]
    embed = parse_embed(code)
    assert embed.frames[0]["height"] == "500"
    assert not embed.scripts


def test_embed_code_refuses_a_view_that_is_not_ours(client, seeded):
    assert client.get("/embed/code/", {"view": "https://elsewhere.example/"}).status_code == 404


def test_chronology_and_statement_link_to_their_embed_code(client, seeded):
    statement = published_statement()
    assert "Embed this view" in client.get("/?side=ru").content.decode()
    assert "Embed this statement" in client.get(statement.get_absolute_url()).content.decode()
