"""Importing article files: verbatim originals, clean reading text, detected metadata, bad input refused whole."""

import datetime as dt
import importlib.util
import io
import shutil
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from timeline import anchoring, importing, reading
from timeline.models import Source, content_hash
from timeline.services import import_source

SEEDS = Path(settings.BASE_DIR) / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"


def _seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def _metadata(path: Path) -> importing.Metadata:
    return importing.detect_text_metadata(path.read_text("utf-8"), name=str(path))


def _run(*files: Path | str, **options) -> tuple[str, str, CommandError | None]:
    """Run import_sources; (stdout, stderr, the CommandError it ended with or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_sources", *map(str, files), stdout=out, stderr=err, **options)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


# --- Metadata of the seed articles ----------------------------------------------------

SEED_METADATA = [
    # (seed, title, publisher, date): titles only where the text has a headline line.
    ("000", None, "Sputnik", None),
    ("001", None, "Sputnik", None),
    ("002", "Trump and Putin agree to work to improve ties", "", None),
    ("003", "Putin Signals No Meeting With Trump Before Inauguration", "RFE/RL", None),
    (
        "004",
        "Putin on Trump Victory: Russia is Ready to Restore Relations with US",
        "Global Research",
        dt.date(2016, 11, 9),
    ),
]


@pytest.mark.parametrize(
    ("seed", "title", "publisher", "published_on"), SEED_METADATA, ids=[c[0] for c in SEED_METADATA]
)
def test_seed_metadata_is_read_from_the_text_itself(seed, title, publisher, published_on):
    """Title from the first headline-like line (else the file name), publisher from the text's own clues
    ("MOSCOW (Sputnik) —", "RFE/RL journalists report ...", "Global Research, November 09, 2016"), date from a
    dateline or byline, or none rather than a guess."""
    path = _seed(seed)
    metadata = _metadata(path)
    assert metadata.title == (title or path.stem)
    assert metadata.publisher == publisher
    assert metadata.published_on == published_on
    assert metadata.language == "en"


@pytest.mark.parametrize(("seed", "stamp"), [("000", dt.date(2020, 8, 9)), ("001", dt.date(2021, 4, 15))])
def test_a_render_stamp_is_never_the_publication_date(seed, stamp):
    """'06:45 GMT09 August 2020' is when the page was rendered, years after the article."""
    path = _seed(seed)
    assert stamp.strftime("%B %Y") in path.read_text("utf-8")
    assert _metadata(path).published_on != stamp


def test_a_real_dateline_wins_over_a_render_stamp_and_an_update_note():
    text = (
        "06:45 GMT09 August 2020\n"
        "Last updated 10 August 2020\n"
        "Putin Says He Is Ready to Meet Trump\n"
        "Moscow Herald, December 23, 2016\n"
        "Russian President Vladimir Putin said on Friday that he was ready to meet Donald Trump.\n"
    )
    metadata = importing.detect_text_metadata(text, name="x.txt")
    assert metadata.published_on == dt.date(2016, 12, 23)
    assert metadata.publisher == "Moscow Herald"
    assert metadata.title == "Putin Says He Is Ready to Meet Trump"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published: 09.11.2016", dt.date(2016, 11, 9)),  # dotted dates are day first
        ("Опубликовано 23 декабря 2016 г.", dt.date(2016, 12, 23)),
        ("Posted on Dec. 23, 2016", dt.date(2016, 12, 23)),
        ("2016-12-23", dt.date(2016, 12, 23)),
        ("December 2016", None),  # not a day: no publication date rather than a guessed day
        ("Published 23 December 2099", None),  # in the future: not a publication date
    ],
)
def test_publication_dates_in_english_and_russian_forms(line, expected):
    text = (
        f"Putin Talks About Trump\n{line}\nPutin said on Friday that he was ready to meet the new US president soon.\n"
    )
    assert importing.date_from_text(text) == expected


def test_a_date_in_the_body_is_not_taken_for_the_publication_date():
    """Dates inside the story are what it reports, not when it was published."""
    text = (
        "Putin and Trump Spoke by Phone\n\n"
        "The two leaders spoke by phone and agreed to work together to improve relations between their countries.\n\n"
        "They first met on 7 July 2017 in Hamburg at the G20 summit, the Kremlin said on Monday afternoon.\n"
    )
    assert importing.detect_text_metadata(text, name="x.txt").published_on is None


def test_a_russian_text_is_russian_and_its_russian_date_and_agency_are_read():
    metadata = _metadata(FIXTURES / "russian.txt")
    assert metadata.language == "ru"
    assert metadata.published_on == dt.date(2016, 12, 23)  # "ТАСС, 23 декабря 2016"
    assert metadata.publisher == "ТАСС"  # "МОСКВА, 23 декабря. /ТАСС/."
    assert metadata.title == "Путин: Россия готова нормализовать отношения с США"


def test_html_metadata_comes_from_the_markup():
    """og:title, og:site_name, article:published_time (not modified_time), the canonical address, <html lang>."""
    page = importing.parse_html((FIXTURES / "article.html").read_text("utf-8"))
    metadata = importing.detect_html_metadata(page, name="article.html")
    assert metadata.title == "Lavrov: Moscow will judge Washington by its deeds"
    assert metadata.publisher == "World Desk Daily"
    assert metadata.published_on == dt.date(2016, 11, 10)
    assert metadata.language == "en"
    assert metadata.url == "https://worlddesk.example/2016/11/10/lavrov-deeds"


def test_html_title_without_og_title_drops_the_site_suffix():
    html = "<html><head><title>Putin ready to meet Trump | Daily Wire Service</title></head><body><p>Text.</p></body>"
    metadata = importing.detect_html_metadata(importing.parse_html(html), name="x.html")
    assert metadata.title == "Putin ready to meet Trump"


def test_language_is_told_by_script_and_a_consistent_declaration_is_kept():
    assert importing.detect_language("Президент России Владимир Путин заявил") == "ru"
    assert importing.detect_language("Russian President Vladimir Putin said") == "en"
    assert importing.detect_language("Le président russe a dit", declared="fr-FR") == "fr"
    assert importing.detect_language("Президент России заявил", declared="en") == "ru", "a wrong declaration loses"


# --- HTML to text -------------------------------------------------------------------------


def test_html_to_text_keeps_article_paragraphs_and_drops_scripts_styles_nav_footer_aside_and_widgets():
    text = importing.html_to_text((FIXTURES / "article.html").read_text("utf-8"))
    assert "“We will judge them by their deeds,” Lavrov told reporters in Moscow," in text  # entities decoded
    assert "by its actions & take appropriate steps" in text
    for furniture in ("dataLayer", "font-family", "Politics", "Copyright", "Related stories", "Share on Facebook"):
        assert furniture not in text
    assert "Leave a comment" not in text
    assert "Listen Live" not in text


def test_html_to_text_is_deterministic_blocks_become_paragraphs_and_br_a_line_break():
    html = "<div><p>One  two\n three</p><p>Four<br>five</p><ul><li>six</li><li>seven</li></ul></div>"
    assert importing.html_to_text(html) == "One two three\n\nFour\nfive\n\nsix\n\nseven\n"
    assert importing.html_to_text(html) == importing.html_to_text(html)


def test_html_reading_text_leaves_out_the_furniture_that_survives_extraction():
    """The byline, the date line, the caption and the site name are text, but not reading paragraphs."""
    page = importing.parse_html((FIXTURES / "article.html").read_text("utf-8"))
    spans = reading.reading_spans(page.text, "Lavrov: Moscow will judge Washington by its deeds")
    paragraphs = [page.text[start:end] for start, end in spans]
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Russian Foreign Minister Sergey Lavrov said on Thursday")
    assert paragraphs[-1].startswith("He said Moscow was ready to work")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.html", "Plain words", True),
        ("a.txt", "<html><body>x</body></html>", False),
        ("pasted", "<!DOCTYPE html><html></html>", True),
        ("pasted", "\n\nBy <u>RT News</u> Global Research", False),
    ],
)
def test_html_is_told_by_the_suffix_then_by_a_leading_tag(name, text, expected):
    """A text file with a stray <u> (as seed 004 has) stays text."""
    assert importing.looks_like_html(text, name=name) is expected


# --- Cleaning of each seed kind ---------------------------------------------------------

SEED_FURNITURE = [
    ("000", ["06:45 GMT09 August 2020", "Listen Live", "Get short URL", "Community standards"]),
    ("001", ["00:12 GMT15 April 2021", "READ MORE:", "meeting, Vladimir Putin, Donald Trump, US, Russia"]),
    ("002", ["Leave a Reply", "Akismet"]),
    ("003", ["Accessibility links", "16x9 Image", "could face fines or imprisonment", "To find out more"]),
    ("004", ["By <u>RT News</u>", "Disclaimer:", "contains copyrighted material", "For media inquiries"]),
]


@pytest.mark.parametrize(("seed", "furniture"), SEED_FURNITURE, ids=[c[0] for c in SEED_FURNITURE])
def test_an_imported_seed_reads_without_its_site_furniture(db, seed, furniture):
    """Each seed kind (Sputnik, a blog repost, RFE/RL, Global Research) imports with a clean reading text."""
    path = _seed(seed)
    source = import_source(name=str(path), data=path.read_bytes()).source
    assert source.original_text == path.read_text("utf-8")
    assert source.original_html == ""
    for line in furniture:
        assert line in source.original_text
        assert line not in source.reading_text
    assert len(source.reading_spans) >= 5


def test_russian_furniture_is_left_out_of_the_reading_text(db):
    source = import_source(name="russian.txt", data=(FIXTURES / "russian.txt").read_bytes()).source
    assert "Президент России Владимир Путин заявил" in source.reading_text
    for line in ("Читайте также", "Поделиться", "ТАСС, 23 декабря 2016"):
        assert line not in source.reading_text


# --- The service ---------------------------------------------------------------------------------


def test_import_source_writes_a_source_with_what_it_detected(db):
    path = _seed("004")
    result = import_source(name=str(path), data=path.read_bytes(), url="https://www.globalresearch.ca/x")
    source = result.source
    assert result.created
    assert source.slug == "global-research-putin-on-trump-victory-russia-is-ready-to-restore-relations-with"
    assert (source.title, source.publisher, source.published_on, source.language) == (
        "Putin on Trump Victory: Russia is Ready to Restore Relations with US",
        "Global Research",
        dt.date(2016, 11, 9),
        "en",
    )
    assert source.url == "https://www.globalresearch.ca/x"
    assert source.content_hash == content_hash(path.read_text("utf-8"))
    assert result.summary == (
        f'{source.slug} | "Putin on Trump Victory: Russia is Ready to Restore Relations with US" | '
        "Global Research | 2016-11-09 | en"
    )


def test_importing_the_same_content_twice_changes_nothing(db):
    path = _seed("002")
    first = import_source(name=str(path), data=path.read_bytes())
    second = import_source(name="renamed.txt", data=path.read_bytes())
    assert first.created
    assert not second.created
    assert second.source == first.source
    assert second.summary == f"already imported as {first.source.slug}"
    assert Source.objects.count() == 1


def test_a_file_loaded_by_load_seeds_is_already_imported(seeded):
    path = _seed("003")
    result = import_source(name=str(path), data=path.read_bytes())
    assert not result.created
    assert result.summary == "already imported as rferl-putin-signals-no-meeting-before-inauguration"


def test_slugs_are_unique_a_number_is_added_when_taken(db):
    text = "Putin Meets Trump\n\nThe two presidents met for the first time and talked for more than two hours.\n"
    slugs = [import_source(name=f"{n}.txt", data=(text + "x" * n).encode()).source.slug for n in range(1, 4)]
    assert slugs == ["putin-meets-trump", "putin-meets-trump-2", "putin-meets-trump-3"]


def test_a_russian_title_gets_a_latin_slug(db):
    source = import_source(name="russian.txt", data=(FIXTURES / "russian.txt").read_bytes()).source
    assert source.slug == "tass-putin-rossiya-gotova-normalizovat-otnosheniya-s-ssha"
    assert source.language == "ru"


def test_html_import_keeps_the_verbatim_html_and_anchors_into_its_text(db):
    data = (FIXTURES / "article.html").read_bytes()
    source = import_source(name="article.html", data=data).source
    assert source.original_html == data.decode("utf-8")
    assert source.original_text == importing.html_to_text(source.original_html)
    assert source.content_hash == content_hash(source.original_html)
    assert source.url == "https://worlddesk.example/2016/11/10/lavrov-deeds"
    passage = "“We will judge them by their deeds,” Lavrov told reporters in Moscow"
    anchor = anchoring.anchor_passage(source.original_text, passage)
    assert source.original_text[anchor.start : anchor.end] == passage
    # the anchored passage is in the reading text too, so the source page can mark it
    assert any(start <= anchor.start and anchor.end <= end for start, end in source.reading_spans)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\n\t\n", "empty file (only whitespace)"),
        ("image.png", (FIXTURES / "image.png").read_bytes(), "binary file (contains NUL bytes), not text"),
        ("noise.bin", bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 20, "binary file (mostly control characters)"),
        ("windows-1251.txt", (FIXTURES / "windows-1251.txt").read_bytes(), "looks like Windows-1251 Cyrillic"),
        ("utf16.txt", "Путин".encode("utf-16"), "UTF-16 text; only UTF-8 is accepted"),
    ],
)
def test_bad_input_is_refused_with_a_one_line_reason_naming_the_file(db, name, data, reason):
    with pytest.raises(importing.ImportRefused) as refusal:
        import_source(name=name, data=data)
    message = str(refusal.value)
    assert message.startswith(f"{name}: ")
    assert reason in message
    assert "\n" not in message
    assert not Source.objects.exists()


def test_a_file_above_the_size_limit_is_refused_whole(db, settings):
    settings.TIMELINE_IMPORT_MAX_BYTES = 100
    data = _seed("002").read_bytes()
    with pytest.raises(importing.ImportRefused, match=r"^big\.txt: too big \([\d,]+ bytes; the limit is 100 bytes\)$"):
        import_source(name="big.txt", data=data)
    assert not Source.objects.exists()


def test_the_size_limit_defaults_to_two_megabytes(settings):
    del settings.TIMELINE_IMPORT_MAX_BYTES
    assert importing.max_bytes() == importing.DEFAULT_MAX_BYTES == 2 * 1024 * 1024


# --- The command ---------------------------------------------------------------------------------


def test_import_sources_prints_one_line_per_file_with_what_it_found(db):
    out, err, error = _run(_seed("004"), _seed("003"))
    assert error is None
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        f"imported {_seed('004')} → global-research-putin-on-trump-victory-russia-is-ready-to-restore-relations-with"
        ' | "Putin on Trump Victory: Russia is Ready to Restore Relations with US" | Global Research | 2016-11-09 | en'
    )
    assert lines[1].startswith(
        f"imported {_seed('003')} → rferl-putin-signals-no-meeting-with-trump-before-inauguration"
    )
    assert lines[1].endswith("| RFE/RL | no date | en")


def test_import_sources_refuses_bad_files_keeps_going_and_exits_non_zero(db, tmp_path, settings):
    """Empty, binary, Windows-1251, oversize and missing files are refused on stderr; the good ones still go in."""
    settings.TIMELINE_IMPORT_MAX_BYTES = 10_000
    big = tmp_path / "big.txt"
    big.write_text("word " * 3000)
    bad = [FIXTURES / "empty.txt", FIXTURES / "image.png", FIXTURES / "windows-1251.txt", big, tmp_path / "nope.txt"]
    good = [_seed("002"), FIXTURES / "russian.txt", FIXTURES / "article.html"]
    out, err, error = _run(good[0], *bad, *good[1:])
    assert error is not None
    assert str(error) == "5 of 8 files refused."
    refusals = err.splitlines()
    assert len(refusals) == 5
    for path, line in zip(bad, refusals, strict=True):
        assert line.startswith(f"refused {path}: ")
    assert "too big" in refusals[3]
    assert "no such file" in refusals[4]
    assert [line.split(" → ")[0] for line in out.splitlines()] == [f"imported {path}" for path in good]
    assert Source.objects.count() == 3


def test_import_sources_twice_says_already_imported_and_changes_nothing(db):
    _run(_seed("001"))
    before = list(Source.objects.values())
    out, _, error = _run(_seed("001"))
    assert error is None
    assert out == f"unchanged {_seed('001')}: already imported as sputnik-001_80aa078225307653\n"
    assert list(Source.objects.values()) == before


def test_import_sources_shows_no_progress_bar_when_stderr_is_not_a_terminal(db, tmp_path):
    files = []
    for n in range(12):
        path = tmp_path / f"{n}.txt"
        path.write_text(
            f"Story Number {n}\n\nThe leaders met and talked about the relations between their countries.\n"
        )
        files.append(path)
    out, err, error = _run(*files)
    assert error is None
    assert err == ""
    assert len(out.splitlines()) == 12


def test_import_sources_shows_a_progress_bar_for_many_files_on_a_terminal(db, tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    files = []
    for n in range(12):
        path = tmp_path / f"{n}.txt"
        path.write_text(
            f"Story Number {n}\n\nThe leaders met and talked about the relations between their countries.\n"
        )
        files.append(path)
    out, _, error = _run(*files)
    assert error is None
    assert "12/12" in terminal.getvalue()
    assert len(out.splitlines()) == 12


@pytest.mark.skipif(importlib.util.find_spec("timeline.suggesting") is None, reason="timeline.suggesting not there yet")
def test_import_sources_suggest_proposes_drafts_for_each_new_source(db, tmp_path):
    path = tmp_path / "004.txt"
    shutil.copy(_seed("004"), path)
    out, _, error = _run(path, suggest=True)
    assert error is None
    lines = out.splitlines()
    assert lines[0].startswith(f"imported {path} → ")
    assert lines[1].startswith("  proposed ")
    assert "draft statement" in lines[1]
