"""The reading text of a source: its paragraphs without site furniture, as spans of the original.

Each paragraph is a (start, end) span of the verbatim original text, so the
reading text maps back to the original exactly and citation offsets (which
point into the original) can be marked in it.
"""

import re
from dataclasses import dataclass, field
from itertools import pairwise

# Lines that belong to the page, not the article: stamps, widgets, share and
# comment prompts, legal footers. The seed articles show each kind.
FURNITURE = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^\d{1,2}:\d{2}\s*GMT\s*\d{1,2}\s+\w+\s+\d{4}$",  # render stamp: "06:45 GMT09 August 2020"
        r"^(listen live|get short url|leave a reply|accessibility links|breaking news)$",
        r"^read more:",
        r"^community standards",
        r"akismet",
        r"^disclaimer:",
        r"copyright ©",
        r"contains copyrighted material",
        r"^comment on .*\b(facebook|twitter)\b",
        r"^become a member",
        r"^articles by:",
        r"^for media inquiries",
        r"^to find out more, click here",
        r"journalists report the news in \d+\s+languages",
        r"declared an \"undesirable organization\"",
        r"could face fines or imprisonment",
        r"^with reporting by ",
        r"^\W*\d+x\d+ image$",
        r"^[\d\s]+$",
        r"^(xs|sm|md|lg|xl)$",
        r"\(\d+\)$",  # story-series widget with its counter: "Putin's 2016 ... Conference (72)"
        r"^by\s.*[^.!?\"”»']$",  # byline
        # Widgets and notices of other sites and of HTML pages, in English and Russian.
        r"^(last\s+)?updated\b",
        r"^(skip to (main )?content|back to top|share (this|on)\b|follow us\b|sign up\b|subscribe\b)",
        r"^(related (articles|stories|news)|more (from|on) |advertisement$|sponsored\b)",
        r"\b(this|our) (site|website) uses cookies\b|\bwe use cookies\b",
        r"\ball rights reserved\b",
        r"^(читайте также|поделиться|подписывайтесь|реклама|обновлено)\b",
        r"\bвсе права защищены\b",
    )
]
SENTENCE_END = (".", "!", "?", '"', "”", "»", "'", "’", ":")
SHORT_LINE_WORDS = 6
BODY_LINE_WORDS = 8


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, trimmed of surrounding whitespace."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            start = match.start() + len(line) - len(line.lstrip())
            spans.append((start, start + len(stripped)))
    return spans


def is_furniture(line: str, title: str = "") -> bool:
    if title and line.casefold() == title.strip().casefold():
        return True
    if len(line.split()) <= SHORT_LINE_WORDS and not line.endswith(SENTENCE_END):
        return True  # labels, captions and widgets: "Listen Live", "Breaking News"
    return any(pattern.search(line) for pattern in FURNITURE)


def reading_spans(text: str, title: str = "") -> list[tuple[int, int]]:
    """The article's paragraphs as spans of `text`, furniture left out."""
    lines = _lines(text)
    words = [text[start:end] for start, end in lines]
    kept = []
    for index, (span, line) in enumerate(zip(lines, words, strict=True)):
        repeated = (index > 0 and words[index - 1] == line) or (index + 1 < len(words) and words[index + 1] == line)
        if repeated or is_furniture(line, title):
            continue  # a line given twice in a row is an image's alt text and caption
        kept.append(span)
    # Related-story lists and tag lines trail the last real paragraph.
    body = [
        i
        for i, (start, end) in enumerate(kept)
        if len(text[start:end].split()) >= BODY_LINE_WORDS and text[start:end].endswith(SENTENCE_END)
    ]
    return kept[: body[-1] + 1] if body else kept


def reading_text(text: str, spans: list[tuple[int, int]]) -> str:
    return "\n\n".join(text[start:end] for start, end in spans)


@dataclass
class Piece:
    """A run of a paragraph covered by the same citations (outermost first)."""

    text: str
    citations: list = field(default_factory=list)
    anchors: list = field(default_factory=list)  # citations whose passage starts here: they carry the id
    ends: list = field(default_factory=list)  # citations whose passage ends here: they carry the link


def mark_citations(text: str, spans: list[tuple[int, int]], citations: list) -> list[list[Piece]]:
    """The reading paragraphs cut into pieces at every citation boundary.

    Citations (objects with `start`, `end` and `statement_id`) may overlap or
    cross paragraphs; each statement's first passage gets the anchor, so that
    `#s<statement id>` has exactly one target.
    """
    paragraphs = []
    for para_start, para_end in spans:
        inside = [c for c in citations if c.start < para_end and c.end > para_start]
        cuts = sorted(
            {para_start, para_end} | {min(max(x, para_start), para_end) for c in inside for x in (c.start, c.end)}
        )
        pieces = []
        for a, b in pairwise(cuts):
            covering = [c for c in inside if c.start <= a and c.end >= b]
            pieces.append(Piece(text[a:b], sorted(covering, key=lambda c: c.start - c.end)))
        paragraphs.append(pieces)
    anchored = set()
    pieces = [piece for paragraph in paragraphs for piece in paragraph]
    for citation in citations:
        covered = [piece for piece in pieces if citation in piece.citations]
        if not covered:
            continue  # not in the reading text (e.g. in a caption left out as furniture)
        if citation.statement_id not in anchored:
            covered[0].anchors.append(citation)
            anchored.add(citation.statement_id)
        covered[-1].ends.append(citation)
    return paragraphs
