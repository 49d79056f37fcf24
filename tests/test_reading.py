"""The reading text: the article's own paragraphs, as exact spans of the verbatim original."""

import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from timeline.reading import mark_citations, reading_spans, reading_text

SEEDS = Path(settings.BASE_DIR) / "seeds"
SOURCES = {row["file"]: row for row in tomllib.loads((SEEDS / "statements.toml").read_text("utf-8"))["sources"]}


def _reading(file: str) -> tuple[str, list[tuple[int, int]]]:
    text = (SEEDS / file).read_text(encoding="utf-8")
    return text, reading_spans(text, SOURCES[file]["title"])


def _flat(text: str) -> str:
    """Whitespace (the seeds hold no-break spaces) collapsed to single spaces."""
    return " ".join(text.split())


# (file, furniture left out, article paragraphs kept)
CASES = [
    (
        "000_7e549bf5e29dd1b7.txt",
        [
            "06:45 GMT09 August 2020",
            "Listen Live",
            "Get short URL",
            "Putin's 2016 Annual Year-End Press Conference (72)",
            "Nobody Believed in Trump's Victory",
            "Vladimir Putin, Donald Trump, United States, Russia",
            "Community standards",
        ],
        [
            "Russian President Vladimir Putin said Friday he agreed with US President-elect Donald Trump",
            '"We have a lot of topics for cooperation," Putin assured journalists in Moscow.',
        ],
    ),
    (
        "001_80aa078225307653.txt",
        [
            "00:12 GMT15 April 2021",
            "Listen Live",
            "READ MORE:",
            "Canada’s Trudeau Reveals What He Thinks About Putin and Trump",
            "meeting, Vladimir Putin, Donald Trump, US, Russia",
        ],
        [
            "MOSCOW (Sputnik) - Russian President Vladimir Putin said on Thursday",
            "According to Moscow, the incident was a provocation",
        ],
    ),
    (
        "002_f3bed85b5ad1e11c.txt",
        ["Leave a Reply", "Akismet"],
        [
            "Russian President Vladimir Putin and President-elect Donald Trump have discussed",
            "Throughout the campaign, the Kremlin insisted that it had no favourites",
        ],
    ),
    (
        "003_a5617ab98d66eb2d.txt",
        [
            "Accessibility links",
            "Breaking News",
            "With reporting by Reuters and AP",
            "16x9 Image",
            'RFE/RL has been declared an "undesirable organization"',
            "could face fines or imprisonment",
            "journalists report the news in 27 languages",
            "To find out more, click here.",
        ],
        [
            "Russian President Vladimir Putin has suggested that he is unlikely to meet with Donald Trump",
            'He added that "we understand it will not be a simple task',
        ],
    ),
    (
        "004_52692aa0463685be.txt",
        [
            "By <u>RT News</u> Global Research",
            "Disclaimer: The contents of this article",
            "contains copyrighted material",
            "Comment on Global Research Articles on our Facebook page",
            "Become a Member of Global Research",
            "Articles by:",
            "For media inquiries",
            "The original source of this article is",
        ],
        [
            "Russia is ready and looks forward to restoring bilateral relations with the United States",
            "For things to improve between Moscow and Washington",
        ],
    ),
]


@pytest.mark.parametrize(("file", "furniture", "paragraphs"), CASES, ids=[case[0][:3] for case in CASES])
def test_reading_text_leaves_out_site_furniture_and_keeps_the_article(file, furniture, paragraphs):
    text, spans = _reading(file)
    reading = _flat(reading_text(text, spans))
    for line in furniture:
        assert line in _flat(text), "the case should name furniture that is in the file"
        assert line not in reading
    for paragraph in paragraphs:
        assert paragraph in reading


@pytest.mark.parametrize("file", list(SOURCES))
def test_every_reading_span_maps_back_to_the_original_exactly(file):
    text, spans = _reading(file)
    assert spans
    assert spans == sorted(spans)
    lines = {line.strip() for line in text.splitlines()}
    for start, end in spans:
        paragraph = text[start:end]
        assert paragraph == paragraph.strip()
        assert paragraph in lines
    assert reading_text(text, spans) == "\n\n".join(text[start:end] for start, end in spans)


def test_the_rferl_photo_caption_given_twice_is_left_out_but_the_sentence_kept():
    text, spans = _reading("003_a5617ab98d66eb2d.txt")
    caption = 'Russian President Vladimir Putin said that "it seems to me'
    paragraphs = [text[start:end] for start, end in spans]
    assert text.count(caption) == 2
    assert not any(p.startswith(caption) for p in paragraphs)
    assert any(p.startswith('However, he said that "it seems to me') for p in paragraphs)


def test_the_title_repeated_in_the_text_is_not_a_paragraph():
    text, spans = _reading("003_a5617ab98d66eb2d.txt")
    assert "Putin Signals No Meeting With Trump Before Inauguration" not in reading_text(text, spans)


# --- mark_citations -------------------------------------------------------------

TEXT = "First paragraph has words.\n\nSecond paragraph has more words here."
SPANS = [(0, 26), (28, len(TEXT))]


def cite(start: int, end: int, statement_id: int) -> SimpleNamespace:
    return SimpleNamespace(start=start, end=end, statement_id=statement_id)


def _at(word: str, occurrence: int = 0) -> int:
    index = -1
    for _ in range(occurrence + 1):
        index = TEXT.index(word, index + 1)
    return index


def test_pieces_rebuild_each_paragraph_and_cover_the_citation():
    citation = cite(_at("has"), _at("has") + len("has words"), 1)
    paragraphs = mark_citations(TEXT, SPANS, [citation])
    assert ["".join(piece.text for piece in paragraph) for paragraph in paragraphs] == [
        "First paragraph has words.",
        "Second paragraph has more words here.",
    ]
    first = paragraphs[0]
    assert [piece.text for piece in first] == ["First paragraph ", "has words", "."]
    assert [piece.citations for piece in first] == [[], [citation], []]
    assert first[1].anchors == [citation]
    assert first[1].ends == [citation]
    assert all(piece.citations == [] for piece in paragraphs[1])


def test_each_statement_is_anchored_only_once():
    """`#s<id>` must have exactly one target even when a statement cites two passages."""
    first = cite(_at("First"), _at("First") + 5, 7)
    second = cite(_at("Second"), _at("Second") + 6, 7)
    pieces = [piece for paragraph in mark_citations(TEXT, SPANS, [first, second]) for piece in paragraph]
    anchored = [piece for piece in pieces if piece.anchors]
    assert len(anchored) == 1
    assert anchored[0].text == "First"
    assert [piece.text for piece in pieces if piece.ends] == ["First", "Second"]


def test_overlapping_citations_are_both_marked_outermost_first():
    outer = cite(_at("paragraph"), _at("words"), 1)  # "paragraph has "
    inner = cite(_at("has"), _at("words") + len("words"), 2)  # "has words"
    first = mark_citations(TEXT, SPANS, [outer, inner])[0]
    assert [piece.text for piece in first] == ["First ", "paragraph ", "has ", "words", "."]
    assert [[c.statement_id for c in piece.citations] for piece in first] == [[], [1], [1, 2], [2], []]
    assert [[c.statement_id for c in piece.anchors] for piece in first] == [[], [1], [2], [], []]
    assert [[c.statement_id for c in piece.ends] for piece in first] == [[], [], [1], [2], []]


def test_a_citation_across_paragraphs_is_anchored_at_its_start_and_linked_at_its_end():
    citation = cite(_at("words"), _at("more") + len("more"), 3)
    paragraphs = mark_citations(TEXT, SPANS, [citation])
    marked = [piece for paragraph in paragraphs for piece in paragraph if piece.citations]
    assert [piece.text for piece in marked] == ["words.", "Second paragraph has more"]
    assert marked[0].anchors == [citation]
    assert marked[-1].ends == [citation]


def test_a_citation_outside_the_reading_text_is_not_marked():
    text = "Caption words\n\nThe article paragraph itself."
    citation = cite(0, len("Caption words"), 4)
    paragraphs = mark_citations(text, [(15, len(text))], [citation])
    assert all(not piece.citations and not piece.anchors for paragraph in paragraphs for piece in paragraph)
