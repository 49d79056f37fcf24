"""The reader's pages in a real browser: Debian's Chromium driven by Playwright against the live server.

These guard what only a browser shows: htmx swapping results in place and keeping the address bar
and Back in step, the :target highlight of a cited passage, the pages working without JavaScript,
and the layout at a phone's width.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import QuerySet
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from timeline.models import Statement

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
RESULT_COUNT = ".result-count"
ENTRY = "#timeline article.entry"


@pytest.fixture
def site(live_server: LiveServer) -> str:
    """The live server's address, its (per-test, transactional) database holding the seed data."""
    call_command("load_seeds", verbosity=0)
    return live_server.url


def published() -> QuerySet[Statement]:
    return Statement.objects.published()


def count_text(n: int) -> re.Pattern:
    """The result count line, e.g. '36 statements' or '2 statements match'."""
    return re.compile(rf"^\s*{n} statements?\b")


def test_ticking_a_speaker_swaps_results_in_place_and_updates_the_address(site: str, page: Page) -> None:
    """Filtering is an htmx swap, not a page load, and the address bar carries the filter."""
    total = published().count()
    lavrov = published().filter(speaker__slug="sergey-lavrov").count()
    assert 0 < lavrov < total

    page.goto(site + "/")
    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(total))
    page.evaluate("window.__marker = 1")

    page.get_by_label("Sergey Lavrov", exact=True).check()

    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(lavrov))
    expect(page).to_have_url(re.compile(r"[?&]speaker=sergey-lavrov(&|$)"))
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapped"
    expect(page.locator(ENTRY)).to_have_count(lavrov)
    expect(page.locator(f"{ENTRY} .entry-speaker")).to_have_text(["Sergey Lavrov"] * lavrov)


def test_typing_a_date_in_from_and_pressing_enter_filters(site: str, page: Page) -> None:
    """'Dec 2016' in From, then Enter: only statements from December 2016 on, swapped in place."""
    since = published().between(dt.date(2016, 12, 1), None).count()
    total = published().count()
    assert 0 < since < total

    page.goto(site + "/")
    page.evaluate("window.__marker = 1")
    page.get_by_label("From", exact=True).fill("Dec 2016")
    page.get_by_label("From", exact=True).press("Enter")

    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(since))
    expect(page).to_have_url(re.compile(r"[?&]from=Dec(\+|%20)2016(&|$)"))
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapped"
    expect(page.locator(ENTRY)).to_have_count(since)
    dates = page.locator(f"{ENTRY} time.entry-date").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    # A month- or year-precision date is listed when its period overlaps the range: compare period ends.
    period_ends = [d + "-12-31"[len(d) - 4 :] for d in dates]
    assert all(end >= "2016-12-01" for end in period_ends), dates


def test_back_and_forward_restore_the_results_and_the_form(site: str, page: Page) -> None:
    """Back returns to '/', every statement listed and the checkbox unticked; Forward brings the filter back."""
    total = published().count()
    lavrov = published().filter(speaker__slug="sergey-lavrov").count()

    page.goto(site + "/")
    checkbox = page.get_by_label("Sergey Lavrov", exact=True)
    checkbox.check()
    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(lavrov))
    expect(page).to_have_url(re.compile(r"speaker=sergey-lavrov"))

    page.go_back()

    expect(page).to_have_url(site + "/")
    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(total))
    expect(page.locator(ENTRY)).to_have_count(total)
    expect(page.get_by_label("Sergey Lavrov", exact=True)).not_to_be_checked()

    page.go_forward()

    expect(page).to_have_url(re.compile(r"speaker=sergey-lavrov"))
    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(lavrov))
    expect(page.get_by_label("Sergey Lavrov", exact=True)).to_be_checked()


def test_source_link_lands_on_the_highlighted_passage(site: str, page: Page) -> None:
    """An entry's Source link opens the source at #s<id>: a <mark>, scrolled into view, highlighted by :target."""
    page.goto(site + "/")
    page.locator(f"{ENTRY} a.source-link").first.click()

    expect(page).to_have_url(re.compile(r"/sources/[\w-]+/#s\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    target = page.locator(f"#{anchor}")
    expect(target).to_have_count(1)
    assert target.evaluate("el => el.tagName") == "MARK"
    expect(target).to_be_in_viewport()

    colours = page.evaluate(
        """() => {
            const target = document.querySelector(':target');
            const other = [...document.querySelectorAll('mark')].find(
                m => m !== target && !m.contains(target) && !target.contains(m));
            return {
                target: target && getComputedStyle(target).backgroundColor,
                other: other && getComputedStyle(other).backgroundColor,
            };
        }"""
    )
    assert colours["target"], "no element matches :target"
    assert colours["other"], "the source has only one marked passage; the test needs another to compare"
    assert colours["target"] != colours["other"], f"the :target passage is not highlighted differently: {colours}"


def test_filter_form_works_without_javascript(site: str, browser: Browser) -> None:
    """With JavaScript off the form is a plain GET: Apply filters navigates to /?...speaker=..."""
    lavrov = published().filter(speaker__slug="sergey-lavrov").count()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/")
        page.get_by_label("Sergey Lavrov", exact=True).check()
        page.get_by_role("button", name="Apply filters").click()

        expect(page).to_have_url(re.compile(r"/\?(.*&)?speaker=sergey-lavrov(&|$)"))
        expect(page.locator(RESULT_COUNT)).to_have_text(count_text(lavrov))
        expect(page.locator(f"{ENTRY} .entry-speaker")).to_have_text(["Sergey Lavrov"] * lavrov)
        expect(page.get_by_label("Sergey Lavrov", exact=True)).to_be_checked()
    finally:
        context.close()


def test_unreadable_date_shows_a_notice_beside_the_field_with_javascript(site: str, page: Page) -> None:
    """'blah' in From: a notice beside the field (swapped out of band), the other filters still apply."""
    lavrov = published().filter(speaker__slug="sergey-lavrov").count()

    page.goto(site + "/")
    page.evaluate("window.__marker = 1")
    page.get_by_label("Sergey Lavrov", exact=True).check()
    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(lavrov))
    page.get_by_label("From", exact=True).fill("blah")
    page.get_by_label("From", exact=True).press("Enter")

    expect(page.locator("#from-notice")).to_contain_text("Could not read")
    expect(page.locator("#from-notice")).to_contain_text("blah")
    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(lavrov))
    expect(page.locator(ENTRY)).to_have_count(lavrov)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapped"
    # The notice sits with its field, inside the form, not only in the results.
    expect(page.locator("#filters #from-notice")).to_have_count(1)
    expect(page.locator("#to-notice")).to_have_text("")


def test_unreadable_date_shows_a_notice_beside_the_field_without_javascript(site: str, browser: Browser) -> None:
    """The same with JavaScript off: a full page with the notice, not an error page."""
    lavrov = published().filter(speaker__slug="sergey-lavrov").count()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/")
        page.get_by_label("Sergey Lavrov", exact=True).check()
        page.get_by_label("From", exact=True).fill("blah")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Apply filters").click()
        assert navigation.value.status == 200

        expect(page).to_have_url(re.compile(r"from=blah"))
        expect(page.locator("#filters #from-notice")).to_contain_text("Could not read")
        expect(page.get_by_label("From", exact=True)).to_have_value("blah")
        expect(page.locator(RESULT_COUNT)).to_have_text(count_text(lavrov))
        expect(page.locator(ENTRY)).to_have_count(lavrov)
    finally:
        context.close()


def test_more_statements_loads_the_next_page_in_place(site: str, page: Page, settings) -> None:
    """'More statements' appends the next page to the list without a reload, until none are left.

    A month split across pages keeps a single heading.
    """
    settings.TIMELINE_PAGE_SIZE = 10
    total = published().count()
    assert total > 20

    page.goto(site + "/")
    page.evaluate("window.__marker = 1")
    expect(page.locator(ENTRY)).to_have_count(10)
    more = page.get_by_role("link", name="More statements")

    shown = 10
    while shown < total:
        more.click()
        shown = min(shown + 10, total)
        expect(page.locator(ENTRY)).to_have_count(shown)

    expect(more).to_have_count(0)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of loading more in place"
    expect(page.locator(RESULT_COUNT)).to_have_text(count_text(total))
    ids = page.locator(f"{ENTRY} a.permalink").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(set(ids)) == total, "an entry was listed twice"
    months = page.locator("#timeline .month-heading").all_inner_texts()
    assert len(months) == len(set(months)), f"a month heading is repeated: {months}"
    years = page.locator("#timeline .year-heading").all_inner_texts()
    assert len(years) == len(set(years)), f"a year heading is repeated: {years}"


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_and_no_horizontal_overflow(site: str, browser: Browser, width: int) -> None:
    """Screenshots of the chronology, a statement and a source (into screenshots/); nothing wider than a phone."""
    statement = published().order_by("date", "pk").first()
    source = statement.citations.first().source
    pages = {
        "chronology": "/",
        "statement": statement.get_absolute_url(),
        "source": source.get_absolute_url(),
    }
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900})
    try:
        page = context.new_page()
        for name, path in pages.items():
            response = page.goto(site + path)
            assert response.status == 200, path
            expect(page.locator("h1")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{path} overflows horizontally at {width}px: {scroll_width}px wide"
    finally:
        context.close()


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def test_pages_have_no_accessibility_violations(site: str, browser: Browser) -> None:
    """axe-core finds no violations on the chronology (plain, filtered, with a bad date, empty) or any other page."""
    if not AXE.exists():
        reason = f"{AXE} is missing: npm ci"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (accessibility checks must not be skipped in CI)", pytrace=False)
        pytest.skip(reason)
    statement = published().order_by("date", "pk").first()
    citation = statement.citations.first()
    paths = [
        "/",
        "/?speaker=sergey-lavrov&topic=normalization",
        "/?from=blah",
        "/?q=no+such+words+anywhere",
        statement.get_absolute_url(),
        citation.get_absolute_url(),
        statement.event.get_absolute_url(),
        "/embed/?theme=dark",
        f"/embed/statements/{statement.pk}/?compact=1",
        "/embed/code/?view=/embed/%3Fside%3Dus",
    ]
    # Our CSP forbids injected scripts, as it should; axe is injected by the test only.
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        for path in paths:
            page.goto(site + path)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "async () => (await axe.run()).violations.map(v => `${v.id}: ${v.nodes[0].html}`)"
            )
            assert violations == [], f"{path}: {violations}"
    finally:
        context.close()


def test_on_a_phone_the_filters_unfold_when_one_could_not_be_read(site: str, browser: Browser) -> None:
    """The line "see the notes beside them" must not point into a folded box: a notice keeps the filters open."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site + "/")
        expect(page.locator(".filters-fold")).not_to_have_attribute("open", "")
        page.goto(site + "/?from=0000")
        expect(page.locator("#from-notice")).to_be_visible()
        expect(page.locator("#from-notice")).to_contain_text("outside the years 1 to 9999")
    finally:
        context.close()
