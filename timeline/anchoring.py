"""Finding a quoted passage in a source's original text, whitespace differences aside."""

import re
from dataclasses import dataclass

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
    return Anchor(
        start=start,
        end=end,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


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
