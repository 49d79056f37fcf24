"""Sharing and citing: JSON-LD, Open Graph and Twitter tags, citations (text, CSL-JSON, RIS), sitemap, robots.txt."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from timeline.models import Statement

from .factories import make_citation, make_source, make_speaker, make_statement

LD_BLOCK = re.compile(r'<script id="statement-ld" type="application/ld\+json">(.*?)</script>', re.DOTALL)


def seed(key: str) -> Statement:
    return Statement.objects.get(seed_key=key)


class HeadTags(HTMLParser):
    """The page's <meta> tags by property or name, and every <script> tag's attributes."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.scripts: list[dict] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        if tag == "script":
            self.scripts.append(attrs)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def json_ld(client, statement: Statement) -> dict:
    (block,) = LD_BLOCK.findall(page(client, statement.get_absolute_url()))
    return json.loads(block)


# --- JSON-LD -------------------------------------------------------------------


def test_statement_page_describes_the_statement_as_a_schema_org_quotation(client, seeded):
    """Search engines read a Quotation: the words, who said them, when (at its precision), and the source."""
    statement = seed("putin-2016-11-09-campaign-rhetoric")
    data = json_ld(client, statement)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Quotation"
    assert data["text"] == statement.text
    assert data["creator"] == {"@type": "Person", "name": "Vladimir Putin", "jobTitle": "President of Russia"}
    assert data["dateCreated"] == "2016-11-09"
    assert data["url"] == f"http://testserver/statements/{statement.pk}/"
    citation = statement.citations.get()
    source = data["isBasedOn"]
    assert source["@type"] == "CreativeWork"
    assert source["name"] == citation.source.title
    assert source["publisher"] == {"@type": "Organization", "name": citation.source.publisher}
    assert source["url"] == f"http://testserver{citation.get_absolute_url()}"


@pytest.mark.parametrize(
    ("key", "creator_type", "date"),
    [
        ("kremlin-2016-no-favourites", "Organization", "2016"),
        ("trump-2016-10-meet-before-inauguration", "Person", "2016-10"),
        ("trump-office-2016-11-14-strong-relationship", "Organization", "2016-11-14"),
    ],
)
def test_json_ld_creator_is_a_person_or_a_body_and_the_date_is_at_its_precision(
    client, seeded, key, creator_type, date
):
    """The Kremlin and Trump's office are organisations; a month-only date is not given a day."""
    data = json_ld(client, seed(key))
    assert data["creator"]["@type"] == creator_type
    assert data["dateCreated"] == date


def test_json_ld_cannot_be_broken_out_of_and_no_inline_script_runs(client, db):
    """Words that look like markup stay data: the block cannot be closed early, and every other script on the
    page is a file of our own (our CSP forbids inline scripts)."""
    words = "It is over </script><script>alert('x')</script> & done"
    statement = make_statement(text=words)
    html = page(client, statement.get_absolute_url())
    (block,) = LD_BLOCK.findall(html)
    assert json.loads(block)["text"] == words
    assert "</script><script>" not in block
    for script in HeadTags(html).scripts:
        assert script.get("src") or script.get("type") == "application/ld+json", script


def test_a_statement_with_two_sources_is_based_on_both(client, db):
    """Corroborated statements list every source they are based on."""
    statement = make_statement(text="The leaders said they would meet soon")
    first = statement.citations.get().source
    make_citation(statement=statement, source=make_source(title="Second"), passage=statement.text)
    based_on = json_ld(client, statement)["isBasedOn"]
    assert sorted(work["name"] for work in based_on) == sorted([first.title, "Second"])


# --- Open Graph and Twitter -----------------------------------------------------


def test_statement_page_has_open_graph_and_twitter_card_tags(client, seeded):
    """A shared link previews as an article: title, description, absolute URL and site name; a summary card."""
    statement = seed("lavrov-2016-11-09-any-us-leader")
    meta = HeadTags(page(client, statement.get_absolute_url())).meta
    assert meta["og:type"] == "article"
    assert meta["og:title"] == f"Sergey Lavrov, 9 Nov 2016: {statement.summary}"
    assert statement.text[:50] in meta["og:description"]
    assert meta["og:url"] == f"http://testserver/statements/{statement.pk}/"
    assert meta["og:site_name"] == "Russia–US relations in their own words"
    assert meta["twitter:card"] == "summary"
    assert meta["twitter:title"] == meta["og:title"]
    assert meta["twitter:description"]


def test_chronology_has_open_graph_and_twitter_card_tags(client, seeded):
    """The chronology previews as the site, its URL keeping the filters that were shared."""
    meta = HeadTags(page(client, "/?speaker=donald-trump")).meta
    assert meta["og:type"] == "website"
    assert meta["og:title"]
    assert meta["og:description"]
    assert meta["og:url"] == "http://testserver/?speaker=donald-trump"
    assert meta["og:site_name"] == "Russia–US relations in their own words"
    assert meta["twitter:card"] == "summary"


# --- citations -----------------------------------------------------------------


def test_statement_page_shows_a_formatted_citation_with_a_copy_button(client, seeded):
    """Readers copy a ready-made citation that links to the highlighted passage."""
    statement = seed("putin-2016-11-09-campaign-rhetoric")
    citation = statement.citations.get()
    url = f"http://testserver{citation.get_absolute_url()}"
    html = page(client, statement.get_absolute_url())
    text = re.search(r'<p class="cite-text" id="cite-1">(.*?)</p>', html, re.DOTALL).group(1)
    assert text == (
        f"Vladimir Putin, 9 Nov 2016, quoted in “{citation.source.title}”, {citation.source.publisher}, "
        f'<a href="{url}">{url}</a>'
    )
    button = re.search(r'<p class="cite-copy">(.*?)</p>', html, re.DOTALL).group(1)
    assert 'data-copy="#cite-1"' in button
    assert "Copy citation" in button
    assert 'class="copy-status"' in button
    assert f'href="/statements/{statement.pk}/cite.json"' in html
    assert f'href="/statements/{statement.pk}/cite.ris"' in html
    assert "Embed this statement" in html


def test_reported_speech_is_cited_as_reported_not_quoted(client, seeded):
    """A paraphrase is not the speaker's words, so the citation does not say "quoted"."""
    html = page(client, seed("putin-2016-10-equal-partner").get_absolute_url())
    assert "Vladimir Putin, Oct 2016, reported in “" in html


def test_csl_json_is_an_item_array_for_reference_managers(client, seeded):
    """CSL-JSON (Zotero, Pandoc): an array of items with type, title, author, issued at precision, URL and
    the publisher as container."""
    statement = seed("trump-2016-10-meet-before-inauguration")
    response = client.get(f"/statements/{statement.pk}/cite.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json"
    items = json.loads(response.content)
    assert isinstance(items, list)
    (item,) = items
    citation = statement.citations.get()
    assert item["id"]
    assert item["type"] in {"article-newspaper", "webpage"}
    assert item["title"] == citation.source.title
    assert item["author"] == [{"literal": "Donald Trump"}]
    assert item["issued"] == {"date-parts": [[2016, 10]]}
    assert item["URL"] == f"http://testserver{citation.get_absolute_url()}"
    assert item["container-title"] == citation.source.publisher == "RFE/RL"


def test_csl_json_year_only_date_and_source_without_publisher(client, seeded):
    """A year-only date is one date part; a source with no publisher is a web page in our site."""
    statement = seed("kremlin-2016-no-favourites")
    (item,) = json.loads(client.get(f"/statements/{statement.pk}/cite.json").content)
    assert item["issued"] == {"date-parts": [[2016]]}
    assert item["type"] == "webpage"
    assert item["container-title"]


def test_ris_is_a_news_record_with_the_passage_link(client, seeded):
    """RIS (EndNote, Zotero): TY first, ER last, every line `XX  - value`, the date at precision."""
    statement = seed("putin-2016-11-09-campaign-rhetoric")
    response = client.get(f"/statements/{statement.pk}/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    text = response.content.decode()
    lines = text.split("\r\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert lines[0] == "TY  - NEWS"
    assert lines[-1] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    fields = dict(line.split("  - ", 1) for line in lines)
    citation = statement.citations.get()
    assert fields["AU"] == "Vladimir Putin"
    assert fields["TI"] == citation.source.title
    assert fields["T2"] == citation.source.publisher
    assert fields["PY"] == "2016"
    assert fields["DA"] == "2016/11/09/"
    assert fields["UR"] == f"http://testserver{citation.get_absolute_url()}"


def test_ris_month_date_leaves_the_day_empty(client, seeded):
    statement = seed("trump-2016-10-meet-before-inauguration")
    assert "DA  - 2016/10//\r\n" in client.get(f"/statements/{statement.pk}/cite.ris").content.decode()


def test_citations_of_a_draft_are_not_public(client, db):
    """Readers never see drafts, in a citation download either."""
    draft = make_statement(status=Statement.Status.DRAFT)
    assert client.get(f"/statements/{draft.pk}/cite.json").status_code == 404
    assert client.get(f"/statements/{draft.pk}/cite.ris").status_code == 404


def test_cyrillic_survives_the_citation_downloads(client, db):
    statement = make_statement(text="Мы готовы", speaker=make_speaker(name="Владимир Путин"))
    (item,) = json.loads(client.get(f"/statements/{statement.pk}/cite.json").content.decode("utf-8"))
    assert item["author"] == [{"literal": "Владимир Путин"}]
    assert "AU  - Владимир Путин" in client.get(f"/statements/{statement.pk}/cite.ris").content.decode("utf-8")


# --- sitemap and robots ----------------------------------------------------------


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [loc.text for loc in root.findall("s:url/s:loc", namespace)]


def test_sitemap_lists_the_chronology_and_published_pages_never_drafts(client, seeded):
    """Search engines are pointed at every published statement, its sources and events; never at a draft."""
    draft = make_statement(status=Statement.Status.DRAFT)
    draft_only_source = draft.citations.get().source
    locations = sitemap_locations(client)
    assert "http://testserver/" in locations
    published = {f"http://testserver{s.get_absolute_url()}" for s in Statement.objects.published()}
    statements = {loc for loc in locations if "/statements/" in loc}
    assert statements == published
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert f"http://testserver{draft_only_source.get_absolute_url()}" not in locations
    for statement in Statement.objects.published().select_related("event"):
        for citation in statement.citations.all():
            assert f"http://testserver{citation.source.get_absolute_url()}" in locations
        if statement.event:
            assert f"http://testserver{statement.event.get_absolute_url()}" in locations
    assert len(locations) == len(set(locations))


def test_robots_txt_allows_all_but_the_admin_and_embed_code_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /embed/code/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines
