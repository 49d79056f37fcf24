"""The chronology at `/`: filters that combine, dates at their precision, htmx fragments, constant queries."""

import datetime as dt
import gzip
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from timeline.models import Statement

from .factories import make_event, make_speaker, make_statement, make_topic

HX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


def shown(response) -> list[int]:
    """The ids of the statements listed, in page order, read from their permalinks."""
    return [int(pk) for pk in re.findall(r'class="permalink" href="/statements/(\d+)/"', response.content.decode())]


def ids(**lookups) -> set[int]:
    return set(Statement.objects.published().filter(**lookups).values_list("pk", flat=True))


def html(response) -> str:
    return response.content.decode()


def test_full_page_by_default_with_form_and_result_count(client, seeded):
    response = client.get("/")
    page = html(response)
    assert response.status_code == 200
    assert "<html" in page
    assert '<form id="filters"' in page
    total = Statement.objects.published().count()
    assert re.search(rf'class="result-count">\s*<strong>{total}</strong> statements', page)
    assert f"<strong>{total} statements</strong> from <strong>5 sources</strong>" in page
    assert sorted(shown(response)) == sorted(ids())


def test_oldest_first_by_default(client, seeded):
    listed = shown(client.get("/"))
    assert listed == list(Statement.objects.published().chronological().values_list("pk", flat=True))
    dates = [Statement.objects.get(pk=pk).date for pk in listed]
    assert dates == sorted(dates)


def test_several_speakers_widen_the_selection(client, seeded):
    response = client.get("/", {"speaker": ["sergey-lavrov", "vyacheslav-volodin"]})
    assert set(shown(response)) == ids(speaker__slug__in=["sergey-lavrov", "vyacheslav-volodin"])
    assert len(shown(response)) == 4


def test_side_filter_keeps_one_sides_speakers(client, seeded):
    response = client.get("/", {"side": "us"})
    assert set(shown(response)) == ids(speaker__side="us")
    assert 'class="side-label side-label-ru"' not in html(response)


def test_topic_filter_lists_each_statement_once_even_with_several_matching_topics(client, seeded):
    response = client.get("/", {"topic": ["meeting", "normalization"]})
    listed = shown(response)
    assert len(listed) == len(set(listed))
    assert set(listed) == ids(topics__slug__in=["meeting", "normalization"])
    assert Statement.objects.get(seed_key="putin-2016-12-23-meeting-agenda").pk in listed


def test_event_filter_lists_the_events_statements(client, seeded):
    response = client.get("/", {"event": "putin-trump-call-2016-11-14"})
    assert set(shown(response)) == ids(event__slug="putin-trump-call-2016-11-14")
    assert len(shown(response)) >= 4


@pytest.mark.parametrize(
    ("params", "first", "last"),
    [
        ({"from": "Nov 2016", "to": "Nov 2016"}, dt.date(2016, 11, 1), dt.date(2016, 11, 30)),
        ({"from": "2016-12-01"}, dt.date(2016, 12, 1), None),
        ({"from": "23 декабря 2016", "to": "23 декабря 2016"}, dt.date(2016, 12, 23), dt.date(2016, 12, 23)),
        ({"from": "since 2018"}, dt.date(2018, 1, 1), None),
        ({"to": "before 2018"}, None, dt.date(2017, 12, 31)),
    ],
)
def test_free_text_date_range_keeps_statements_whose_period_overlaps_it(client, seeded, params, first, last):
    expected = Statement.objects.published().between(first, last)
    listed = shown(client.get("/", params))
    assert listed
    assert set(listed) == set(expected.values_list("pk", flat=True))
    for statement in Statement.objects.filter(pk__in=listed):
        assert first is None or statement.date_end >= first
        assert last is None or statement.date <= last


def test_a_date_range_within_a_year_includes_that_years_year_only_statement(client, seeded):
    """The Kremlin's 2016 statement (year precision) overlaps any range inside 2016."""
    kremlin = Statement.objects.get(seed_key="kremlin-2016-no-favourites").pk
    assert kremlin in shown(client.get("/", {"from": "23 Dec 2016", "to": "23 Dec 2016"}))
    assert kremlin not in shown(client.get("/", {"from": "2017"}))


def test_a_month_statement_is_in_a_range_that_overlaps_its_month(client, seeded):
    october = Statement.objects.get(seed_key="putin-2016-10-equal-partner").pk
    assert october in shown(client.get("/", {"from": "31 Oct 2016", "to": "Nov 2016"}))
    assert october not in shown(client.get("/", {"from": "1 Nov 2016"}))


def test_search_finds_words_in_the_statement_and_its_summary(client, seeded):
    assert shown(client.get("/", {"q": "Afghanistan"})) == [
        Statement.objects.get(seed_key="putin-2018-12-20-ready-for-meetings").pk
    ]
    by_summary = Statement.objects.get(seed_key="putin-2018-12-20-disrespect-for-voters")
    assert "establishment" in by_summary.text
    assert by_summary.pk in shown(client.get("/", {"q": "recognise victory"}))


def test_filters_combine(client, seeded):
    response = client.get(
        "/", {"speaker": "vladimir-putin", "topic": "meeting", "from": "Dec 2016", "to": "Dec 2016", "q": "meeting"}
    )
    expected = (
        Statement.objects.published()
        .filter(speaker__slug="vladimir-putin", topics__slug="meeting")
        .between(dt.date(2016, 12, 1), dt.date(2016, 12, 31))
        .search("meeting")
    )
    assert set(shown(response)) == set(expected.values_list("pk", flat=True))
    assert 1 <= len(shown(response)) < len(shown(client.get("/", {"speaker": "vladimir-putin"})))


def test_drafts_are_never_shown(client, seeded):
    draft = Statement.objects.get(seed_key="putin-2018-12-20-ready-for-meetings")
    draft.status = Statement.Status.DRAFT
    draft.save()
    for params in ({}, {"q": "Afghanistan"}, {"speaker": "vladimir-putin"}, {"from": "2018"}):
        response = client.get("/", params)
        assert draft.pk not in shown(response)
        assert "Afghanistan, and many other issues" not in html(response)
    assert f"<strong>{Statement.objects.published().count()} statements</strong>" in html(client.get("/"))


def test_year_and_month_headings_in_order_oldest_first(client, seeded):
    page = html(client.get("/"))
    assert re.findall(r'<h2 class="year-heading">(.*?)</h2>', page) == ["2016", "2018"]
    assert re.findall(r'<h3 class="month-heading">(.*?)</h3>', page) == [
        "2016, date within the year unknown",
        "October 2016",
        "November 2016",
        "December 2016",
        "November 2018",
        "December 2018",
    ]


def test_dates_are_shown_at_their_precision(client, seeded):
    page = html(client.get("/"))
    assert '<time datetime="2016-12-23" class="entry-date">23 Dec 2016</time>' in page
    assert '<time datetime="2016-10" class="entry-date">Oct 2016</time>' in page
    assert '<time datetime="2016" class="entry-date">2016</time>' in page
    assert "1 Oct 2016" not in page
    assert "1 Jan 2016" not in page


def test_an_unreadable_date_gives_a_notice_by_its_field_and_the_other_filters_still_apply(client, seeded):
    response = client.get("/", {"from": "blah", "speaker": "sergey-lavrov"})
    page = html(response)
    assert response.status_code == 200
    field = re.search(r'<input[^>]*name="from".*?</p>', page, re.DOTALL).group()
    assert "Could not read “blah” as a date" in field
    assert set(shown(response)) == ids(speaker__slug="sergey-lavrov")


def test_an_unknown_speaker_gives_a_notice_not_an_error(client, seeded):
    response = client.get("/", {"speaker": "nobody"})
    assert response.status_code == 200
    notice = re.search(r'id="speaker-notice"[^>]*>(.*?)</span>', html(response)).group(1)
    assert "nobody" in notice
    assert set(shown(response)) == ids()


def test_a_too_long_date_gives_a_notice(client, seeded):
    response = client.get("/", {"to": "x" * 500})
    assert response.status_code == 200
    assert re.search(r'id="to-notice"[^>]*>[^<]+</span>', html(response))


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client, seeded):
    response = client.get("/", {"q": "zzzxqy", "speaker": "sergey-lavrov"})
    page = html(response)
    assert shown(response) == []
    assert "No statements match these filters." in page
    assert re.search(r'<a href="/"[^>]*>Clear the filters</a>', page)


def test_active_filters_are_chips_that_remove_themselves(client, seeded):
    page = html(client.get("/", {"speaker": ["sergey-lavrov", "vyacheslav-volodin"], "side": "ru"}))
    chips = dict(
        (label.strip(), href.replace("&amp;", "&"))
        for href, label in re.findall(r'<a class="chip" href="([^"]*)"[^>]*>([^<]*)<', page)
    )
    assert chips["Sergey Lavrov"] == "/?speaker=vyacheslav-volodin&side=ru"
    assert chips["Russia"] == "/?speaker=sergey-lavrov&speaker=vyacheslav-volodin"


def test_htmx_results_request_gets_only_the_results_and_pushes_the_canonical_url(client, seeded):
    response = client.get("/?speaker=sergey-lavrov&q=&from=&to=&topic=", headers=HX_RESULTS)
    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert "<form" not in page
    assert page.lstrip().startswith('<section id="results"')
    assert set(shown(response)) == ids(speaker__slug="sergey-lavrov")
    assert response["HX-Push-Url"] == "/?speaker=sergey-lavrov"


def test_htmx_results_request_without_filters_pushes_the_bare_path(client, seeded):
    response = client.get("/?q=&from=", headers=HX_RESULTS)
    assert response["HX-Push-Url"] == "/"


def test_htmx_results_swap_the_date_notice_out_of_band(client, seeded):
    page = html(client.get("/", {"from": "blah"}, headers=HX_RESULTS))
    assert re.search(r'id="from-notice"[^>]*hx-swap-oob="true"[^>]*>Could not read', page)


def test_htmx_chronology_request_gets_form_and_results_without_the_page(client, seeded):
    response = client.get("/", {"side": "us"}, headers={"HX-Request": "true", "HX-Target": "chronology"})
    page = html(response)
    assert "<html" not in page
    assert '<form id="filters"' in page
    assert '<section id="results"' in page
    assert set(shown(response)) == ids(speaker__side="us")
    assert response["HX-Push-Url"] == "/?side=us"


def test_history_restore_gets_the_full_page(client, seeded):
    response = client.get("/", {"side": "us"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    page = html(response)
    assert "<html" in page
    assert '<form id="filters"' in page
    assert "HX-Push-Url" not in response


def test_responses_vary_on_the_htmx_headers(client, seeded):
    vary = client.get("/")["Vary"]
    assert "HX-Request" in vary


@pytest.fixture
def small_pages(settings):
    settings.TIMELINE_PAGE_SIZE = 5


def test_pages_hold_page_size_entries_and_link_to_more(client, seeded, small_pages):
    response = client.get("/", {"speaker": "vladimir-putin"})
    page = html(response)
    assert len(shown(response)) == 5
    link = re.search(r'<a href="\?([^"]*)"[^>]*>More statements</a>', page)
    assert link
    assert link.group(1).replace("&amp;", "&") == "speaker=vladimir-putin&page=2"


def test_following_more_statements_lists_every_statement_once(client, seeded, small_pages):
    listed, query = [], "speaker=vladimir-putin"
    while query:
        page = html(response := client.get(f"/?{query}"))
        listed += shown(response)
        link = re.search(r'<a href="\?([^"]*)"[^>]*>More statements</a>', page)
        query = link.group(1).replace("&amp;", "&") if link else None
    assert listed == list(
        Statement.objects.published()
        .filter(speaker__slug="vladimir-putin")
        .chronological()
        .values_list("pk", flat=True)
    )


def test_the_last_page_has_no_more_link(client, seeded, small_pages):
    count = len(ids())
    last = (count + 4) // 5
    assert "More statements" not in html(client.get("/", {"page": last}))


def test_htmx_more_statements_appends_entries_and_replaces_the_link(client, seeded, small_pages):
    response = client.get("/", {"page": 2}, headers={"HX-Request": "true", "HX-Target": "timeline"})
    page = html(response)
    assert "<html" not in page
    assert '<section id="results"' not in page
    assert len(shown(response)) == 5
    assert re.search(r'id="load-more"[^>]*hx-swap-oob="true"', page)
    assert "page=3" in page
    assert "HX-Push-Url" not in response


def test_a_month_continued_on_the_next_page_is_not_headed_again(client, seeded, small_pages):
    first = html(client.get("/"))
    second = html(client.get("/", {"page": 2}, headers={"HX-Request": "true", "HX-Target": "timeline"}))
    last_heading = re.findall(r'<h3 class="month-heading">(.*?)</h3>', first)[-1]
    assert last_heading == "November 2016"
    assert "November 2016</h3>" not in second


@pytest.mark.django_db
def test_each_month_is_headed_once_even_around_a_year_only_statement(client):
    """A year-only date sorts on 1 Jan; January's other statements must still sit under one heading."""
    make_statement(date=dt.date(2016, 1, 1))
    make_statement(date=dt.date(2016, 1, 1), date_precision="year")
    make_statement(date=dt.date(2016, 1, 5))
    headings = re.findall(r'<h3 class="month-heading">(.*?)</h3>', html(client.get("/")))
    assert len(headings) == len(set(headings)), headings
    assert "2016, date within the year unknown" in headings
    assert "January 2016" in headings


def _create_statements(count: int) -> None:
    topics = [make_topic(), make_topic()]
    event = make_event()
    for i in range(count):
        make_statement(
            speaker=make_speaker(side="ru" if i % 2 else "us"),
            topics=topics,
            event=event,
            date=dt.date(2016, 1, 1) + dt.timedelta(days=i),
        )


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "leaders", "side": "us", "from": "2016"}])
def test_query_count_is_constant_whatever_the_number_of_statements(client, db, params):
    """Guards against N+1: 5 statements and 60 (a full page of 50) cost the same number of queries."""
    _create_statements(5)
    few = _queries(client, **params)
    assert len(shown(client.get("/", params))) >= 1
    _create_statements(55)
    many = _queries(client, **params)
    assert len(shown(client.get("/", params))) > 5
    assert many == few


def test_first_view_is_compressed_and_small(client, seeded):
    """The chronology is sent gzip-compressed to browsers that accept it, well inside the 50 KB first-view budget."""
    response = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(response.content).decode()
    assert len(response.content) < 20_000
