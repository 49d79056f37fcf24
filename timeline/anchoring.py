"""Finding a quoted passage in a source's original text, whitespace differences aside."""

import bisect
import difflib
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

    kind: str  # "exact", "moved", "approximate" or "orphan": the values of Citation.Anchoring
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


def carried_over(old_text: str, new_text: str, start: int, end: int) -> int | None:
    """Where `old_text[start:end]` stands in `new_text` when an edit left those words in place, else None.

    "In place" means the edit touched neither the words nor their surroundings: they lie, with CONTEXT_CHARS
    to spare on each side, before or after the one stretch that changed, or inside a run of lines the edit
    left whole. (Without the margin, a pasted line that repeats the words could be read as the edit having
    happened after them, and a moved paragraph could leave its speaker's line behind.) Words that merely occur
    again elsewhere never count.
    """
    if old_text == new_text:
        return start
    limit = min(len(old_text), len(new_text))
    head = 0
    while head < limit and old_text[head] == new_text[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_text[-1 - tail] == new_text[-1 - tail]:
        tail += 1
    if end + CONTEXT_CHARS <= head:
        return start
    if start - CONTEXT_CHARS >= len(old_text) - tail:
        return start + len(new_text) - len(old_text)
    # Several edits: a run of lines (an article's paragraphs) that the edit left whole, and that holds the words
    # with the same margin (or reaches the text's start or end in both texts), keeps them where they were.
    old_lines, new_lines = old_text.splitlines(keepends=True), new_text.splitlines(keepends=True)
    old_offsets, new_offsets = _line_offsets(old_lines), _line_offsets(new_lines)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            continue
        first = 0 if i1 == 0 and j1 == 0 else old_offsets[i1] + CONTEXT_CHARS
        last = len(old_text) if i2 == len(old_lines) and j2 == len(new_lines) else old_offsets[i2] - CONTEXT_CHARS
        if first <= start and end <= last:
            return start - old_offsets[i1] + new_offsets[j1]
    return None


def _line_offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


def in_surroundings(text: str, span: tuple[int, int], prefix: str, suffix: str) -> bool:
    """Whether the words at `span` stand between `prefix` and `suffix`, the context recorded when they were
    verified (whitespace differences aside). A context shorter than CONTEXT_CHARS reached the text's edge,
    so the edge must still be there."""

    def folded(value: str) -> str:
        return _fold(value).strip()

    before, after = folded(text[: span[0]]), folded(text[span[1] :])
    prefix_ok = before == folded(prefix) if len(prefix) < CONTEXT_CHARS else before.endswith(folded(prefix))
    if len(suffix) < CONTEXT_CHARS:
        return prefix_ok and after == folded(suffix)
    return prefix_ok and after.startswith(folded(suffix))


def find_passage(
    text: str,
    passage: str,
    *,
    start: int | None = None,
    end: int | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    old_text: str | None = None,
) -> Match:
    """Find a verified passage again in `text` (e.g. after the text was corrected); never at other words.

    Exact only at the same place: where the edit from `old_text` left the words untouched (when the old
    text and offsets are known), or the one occurrence still between the recorded `prefix` and `suffix`.
    The words found only in other surroundings, or in several places alike, are "moved": flagged for an
    editor to review, never taken as verified. Words no longer there at all are approximate (closest words
    above APPROXIMATE_THRESHOLD) or an orphan.
    """
    occurrences = find_occurrences(text, passage) if passage.split() else []
    if occurrences and old_text is not None and start is not None:
        old_end = end if end is not None else start + len(passage)
        place = carried_over(old_text, text, start, old_end)
        for span in occurrences:
            if span[0] == place:
                return Match("exact", *span, 1.0)
    if occurrences and prefix is not None and suffix is not None:
        same_place = [span for span in occurrences if in_surroundings(text, span, prefix, suffix)]
        if len(same_place) == 1:
            return Match("exact", *same_place[0], 1.0)
    if occurrences:
        # Shown to the editor as the likeliest place; the statement stays unpublished until they confirm.
        def context_score(span: tuple[int, int]) -> float:
            before = text[max(0, span[0] - len(prefix or "")) : span[0]]
            after = text[span[1] : span[1] + len(suffix or "")]
            return fuzz.ratio(prefix or "", before) + fuzz.ratio(suffix or "", after)

        return Match("moved", *max(occurrences, key=context_score), 1.0)
    return closest_match(text, passage)


def anchor_choice(text: str, passage: str, *, occurrence: int | None = None) -> Match | list[tuple[int, int]]:
    """An editor's own anchoring of `passage`: the match when it is unambiguous (it occurs once, or the
    editor chose the `occurrence`, counted from 1), else the list of occurrences to choose from."""
    occurrences = find_occurrences(text, passage) if passage.split() else []
    if occurrence is not None and 1 <= occurrence <= len(occurrences):
        return Match("exact", *occurrences[occurrence - 1], 1.0)
    if len(occurrences) == 1:
        return Match("exact", *occurrences[0], 1.0)
    if occurrences:
        return occurrences
    return closest_match(text, passage)
