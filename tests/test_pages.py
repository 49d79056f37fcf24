"""The statement, source, verbatim-text and event pages."""

import re
import tomllib

import pytest

from timeline.models import Citation, Source, Statement

from .factories import make_source, make_statement


def html(response) -> str:
    return response.content.decode()


def seed(key: str) -> Statement:
    return Statement.objects.get(seed_key=key)


# --- statement ---------------------------------------------------------------------


def test_statement_page_shows_the_words_date_and_how_the_date_is_known(client, seeded):
    statement = seed("putin-2016-10-equal-partner")
    page = html(client.get(statement.get_absolute_url()))
    assert "start acting like an equal partner and respect Russia&#x27;s interests" in page
    assert "Putin said last month&quot; in an article of 9 November 2016" in page
    assert '<time datetime="2016-10">Oct 2016</time> (known to the month)' in page
    assert "Vladimir Putin" in page
    assert "Paraphrase: reported speech" in page


def test_statement_page_shows_each_citation_in_context_with_the_passage_marked(client, seeded):
    statement = seed("lavrov-2016-11-09-any-us-leader")
    citation = statement.citations.get()
    page = html(client.get(statement.get_absolute_url()))
    context = re.search(r'<blockquote class="context"><p>(.*?)</p></blockquote>', page, re.DOTALL).group(1)
    before, marked, after = re.match(r"(.*)<mark>(.*)</mark>(.*)", context, re.DOTALL).groups()
    assert marked == "We are ready to work with any US leader elected by the US people"
    assert "US administration by its actions and take appropriate steps in response." in before
    assert "the minister said on Wednesday" in after
    assert f'href="/sources/{citation.source.slug}/#s{statement.pk}"' in page
    assert "Global Research (from RT News)" in page


def test_statement_context_keeps_the_sources_own_spacing_around_the_passage(client, seeded):
    """The context is a quotation: no space may be put between an opening quote mark and the passage."""
    statement = seed("trump-office-2016-11-14-strong-relationship")
    page = html(client.get(statement.get_absolute_url()))
    assert "“<mark>President-elect Trump noted" in page
    assert "people of Russia</mark>,”" in page


def test_statement_page_links_the_statements_just_before_and_after_in_time(client, seeded):
    ordered = list(Statement.objects.published().chronological())
    for index in (0, 10, len(ordered) - 1):
        page = html(client.get(ordered[index].get_absolute_url()))
        previous = re.search(r'href="/statements/(\d+)/" rel="prev"', page)
        following = re.search(r'href="/statements/(\d+)/" rel="next"', page)
        assert (int(previous.group(1)) if previous else None) == (ordered[index - 1].pk if index else None)
        assert (int(following.group(1)) if following else None) == (
            ordered[index + 1].pk if index + 1 < len(ordered) else None
        )


def test_statement_neighbours_skip_drafts(client, seeded):
    ordered = list(Statement.objects.published().chronological())
    middle = ordered[11]
    ordered[10].status = Statement.Status.DRAFT
    ordered[10].save()
    page = html(client.get(middle.get_absolute_url()))
    assert f'href="/statements/{ordered[9].pk}/" rel="prev"' in page


@pytest.mark.django_db
def test_a_draft_statement_has_no_public_page(client):
    draft = make_statement(status=Statement.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/statements/999999/").status_code == 404


# --- source ------------------------------------------------------------------------


def test_source_page_marks_every_published_citation_and_links_it_back(client, seeded):
    for source in Source.objects.all():
        page = html(client.get(source.get_absolute_url()))
        citations = Citation.objects.filter(source=source, statement__status="published")
        assert citations.exists()
        for citation in citations:
            assert page.count(f'id="s{citation.statement_id}"') == 1, (source.slug, citation.statement_id)
            assert re.search(rf'<mark class="cited" id="s{citation.statement_id}">', page)
            assert f'class="mark-link" href="/statements/{citation.statement_id}/"' in page


def test_source_mark_holds_the_cited_words(client, seeded):
    statement = seed("putin-2016-12-23-will-travel")
    source = statement.citations.get().source
    page = html(client.get(source.get_absolute_url()))
    marked = re.search(rf'<mark class="cited" id="s{statement.pk}">(.*?)</mark>', page).group(1)
    assert " ".join(marked.split()) == "If he will invite [me], then of course, I will travel [to the United Sates]"


def test_source_page_leaves_out_furniture_and_draft_citations(client, seeded):
    draft = seed("putin-2016-12-23-will-travel")
    draft.status = Statement.Status.DRAFT
    draft.save()
    source = draft.citations.get().source
    page = html(client.get(source.get_absolute_url()))
    assert f'id="s{draft.pk}"' not in page
    assert f"/statements/{draft.pk}/" not in page
    assert "I will travel [to the United Sates]" in page  # the article's words are still there
    reading = page.split('class="reading"', 1)[1]
    assert "Listen Live" not in reading
    assert "GMT09 August 2020" not in reading


def test_source_page_shows_title_publisher_date_and_links_to_the_verbatim_text(client, seeded):
    source = Source.objects.get(slug="sputnik-putin-2016-year-end-press-conference")
    page = html(client.get(source.get_absolute_url()))
    assert "<h1>Putin agrees with Trump that ties must be normalised" in page
    assert "Sputnik" in page
    assert '<time datetime="2016-12-23">23 Dec 2016</time>' in page
    assert f'href="/sources/{source.slug}/raw"' in page


def test_source_page_lists_the_statements_it_supports(client, seeded):
    source = Source.objects.get(slug="trump-and-putin-agree-to-work-to-improve-ties")
    page = html(client.get(source.get_absolute_url()))
    supports = page.split('id="supports-heading"', 1)[1]
    for citation in source.citations.all():
        assert f'<a href="#s{citation.statement_id}">' in supports


@pytest.mark.django_db
def test_source_without_an_original_url_has_no_original_link_and_with_one_links_the_passage(client):
    statement = make_statement(text="The leaders said they would meet soon")
    source = statement.citations.get().source
    assert "Original page" not in html(client.get(source.get_absolute_url()))
    source.url = "https://example.org/story"
    source.save()
    page = html(client.get(source.get_absolute_url()))
    assert 'href="https://example.org/story"' in page
    assert "https://example.org/story#:~:text=The%20leaders%20said%20they%20would%20meet%20soon" in page


@pytest.mark.django_db
def test_unknown_source_is_404(client):
    assert client.get("/sources/nothing-here/").status_code == 404
    assert client.get("/sources/nothing-here/raw").status_code == 404


# --- raw ---------------------------------------------------------------------------


def test_raw_text_is_the_seed_file_byte_for_byte(client, seeded, seed_dir):
    files = {
        row["slug"]: row["file"] for row in tomllib.loads((seed_dir / "statements.toml").read_text("utf-8"))["sources"]
    }
    for slug, file in files.items():
        response = client.get(f"/sources/{slug}/raw")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content == (seed_dir / file).read_bytes()


@pytest.mark.django_db
def test_raw_text_keeps_non_ascii_and_markup_verbatim(client):
    text = "Путин сказал: «<b>мы готовы</b>» — 23 декабря 2016.\n"
    source = make_source(original_text=text)
    response = client.get(f"/sources/{source.slug}/raw")
    assert response.content == text.encode("utf-8")


# --- event -------------------------------------------------------------------------


def test_event_page_shows_both_sides_accounts(client, seeded):
    response = client.get("/events/putin-trump-call-2016-11-14/")
    page = html(response)
    assert response.status_code == 200
    assert "<h1>Putin–Trump phone call</h1>" in page
    russia, united_states = page.split('<h2 id="account-1">Russia</h2>', 1)[1].split(
        '<h2 id="account-2">United States</h2>', 1
    )
    assert "The Kremlin said that Putin congratulated Trump" in russia
    assert "President-elect Trump noted to President Putin" not in russia
    assert "President-elect Trump noted to President Putin" in united_states
    for statement in Statement.objects.filter(event__slug="putin-trump-call-2016-11-14"):
        assert f'href="/statements/{statement.pk}/"' in page


def test_event_page_leaves_out_drafts(client, seeded):
    draft = seed("trump-office-2016-11-14-strong-relationship")
    draft.status = Statement.Status.DRAFT
    draft.save()
    page = html(client.get("/events/putin-trump-call-2016-11-14/"))
    assert f'href="/statements/{draft.pk}/"' not in page


def test_unknown_event_is_404(client, db):
    assert client.get("/events/no-such-event/").status_code == 404
