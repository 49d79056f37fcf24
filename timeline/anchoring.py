"""Finding a quoted passage in a source's original text, whitespace differences aside."""

import bisect
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

# Characters of context kept on each side of a passage (W3C TextQuoteSelector prefix/suffix).
CONTEXT_CHARS = 40


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    prefix: str
    suffix: str


class PassageNotFound(ValueError):
    pass


def passage_pattern(passage: str) -> re.Pattern[str]:
    """A pattern matching `passage` with any run of whitespace standing for any other."""
    words = passage.split()
    if not words:
        raise PassageNotFound("The passage is empty.")
    return re.compile(r"\s+".join(re.escape(word) for word in words))


def find_occurrences(text: str, passage: str) -> list[tuple[int, int]]:
    """Every (start, end) where `passage` occurs in `text`, whitespace differences aside."""
    return [match.span() for match in passage_pattern(passage).finditer(text)]


def anchor_passage(text: str, passage: str, *, after: str = "") -> Anchor:
    """Anchor `passage` in `text`.

    When the passage occurs more than once, `after` (words that come before it,
    e.g. 'However, he said that') chooses the occurrence; without it the first
    occurrence wins.
    """
    if after:
        pattern = f"{passage_pattern(after).pattern}\\s*({passage_pattern(passage).pattern})"
        occurrences = [match.span(1) for match in re.finditer(pattern, text)]
    else:
        occurrences = find_occurrences(text, passage)
    if not occurrences:
        where = f" right after {after!r}" if after else ""
        raise PassageNotFound(f"The passage does not occur in the source text{where}.")
    start, end = occurrences[0]
    return Anchor(start, end, *quote_context(text, start, end))


def quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix kept with a passage, to find it again if the text changes."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


def words_around(text: str, start: int, end: int, words: int = 12) -> tuple[str, str, str]:
    """(up to `words` words before, the passage, up to `words` words after), each with its
    runs of whitespace folded to one space but the source's own spacing at the passage kept."""
    before, after = text[:start], text[end:]
    word_starts = [match.start() for match in re.finditer(r"\S+", before)]
    word_ends = [match.end() for match in re.finditer(r"\S+", after)]
    before = before[word_starts[-words] if len(word_starts) >= words else 0 :]
    after = after[: word_ends[words - 1] if len(word_ends) >= words else len(after)]
    return _fold(before).lstrip(), _fold(text[start:end]), _fold(after).rstrip()


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# Below this similarity (0–100) an edited passage is an orphan, never attached to other words.
APPROXIMATE_THRESHOLD = 85.0
_NEARBY_WORDS = 3
_OPENERS = "\"'“‘«(["
_CLOSERS = "\"'”’»)],;:"


@dataclass(frozen=True)
class Match:
    """Where a passage was found: exactly, approximately (with a similarity 0–1), or not at all."""

    kind: str  # "exact", "approximate" or "orphan": the values of Citation.Anchoring
    start: int
    end: int
    similarity: float | None = None

    @property
    def found(self) -> bool:
        return self.kind != "orphan"


def closest_match(text: str, passage: str) -> Match:
    """The words of `text` most like `passage`, word-aligned, with their similarity."""
    passage = " ".join(passage.split())
    if not passage or not text.strip():
        return Match("orphan", 0, 0, 0.0)
    alignment = fuzz.partial_ratio_alignment(passage, text)
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    ends = [m.end() for m in re.finditer(r"\S+", text)]
    # Widen the window to whole words nearby, keeping the span whose words read most like the passage.
    first = max(0, bisect.bisect_right(starts, alignment.dest_start) - 1 - _NEARBY_WORDS)
    last = min(len(ends), bisect.bisect_left(ends, alignment.dest_end) + 1 + _NEARBY_WORDS)
    best = (-1.0, alignment.dest_start, alignment.dest_end)
    for start in starts[first:last]:
        for end in ends[first:last]:
            if end > start:
                score = fuzz.ratio(passage, " ".join(text[start:end].split()))
                if score > best[0]:
                    best = (score, start, end)
    score, start, end = best
    # Quotation marks and brackets hugging the words belong to the text, not to the passage.
    while start < end and text[start] in _OPENERS and not passage.startswith(text[start]):
        start += 1
    while end > start and text[end - 1] in _CLOSERS and not passage.endswith(text[end - 1]):
        end -= 1
    kind = "approximate" if score >= APPROXIMATE_THRESHOLD else "orphan"
    return Match(kind, start, end, round(score / 100, 3))


def find_passage(text: str, passage: str, *, start: int | None = None, prefix: str = "", suffix: str = "") -> Match:
    """Find `passage` again in `text` (e.g. after the text was corrected).

    In order: exactly at its old offsets; exactly elsewhere, using the prefix and
    suffix to choose among repeats; approximately above APPROXIMATE_THRESHOLD;
    else an orphan.
    """
    occurrences = find_occurrences(text, passage) if passage.split() else []
    for found_start, found_end in occurrences:
        if found_start == start:
            return Match("exact", found_start, found_end, 1.0)
    if occurrences:

        def context_score(span: tuple[int, int]) -> float:
            before = text[max(0, span[0] - len(prefix)) : span[0]]
            after = text[span[1] : span[1] + len(suffix)]
            return fuzz.ratio(prefix, before) + fuzz.ratio(suffix, after)

        found_start, found_end = max(occurrences, key=context_score)
        return Match("exact", found_start, found_end, 1.0)
    return closest_match(text, passage)
