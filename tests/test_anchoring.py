"""Finding a quoted passage in a source's verbatim text (W3C TextQuoteSelector)."""

import pytest

from timeline.anchoring import CONTEXT_CHARS, PassageNotFound, anchor_passage, find_occurrences, words_around

TEXT = (
    "The minister spoke first.\n"
    "He said that\n   relations   are at\ttheir lowest.\n"
    "Later, however, he said that relations are at their lowest.\n"
)


def test_passage_is_found_despite_whitespace_and_newline_differences():
    anchor = anchor_passage(TEXT, "He said that relations are at their lowest.")
    found = TEXT[anchor.start : anchor.end]
    assert found.startswith("He said")
    assert found.endswith("lowest.")
    assert " ".join(found.split()) == "He said that relations are at their lowest."


def test_passage_not_in_the_text_raises_passage_not_found():
    with pytest.raises(PassageNotFound):
        anchor_passage(TEXT, "relations have never been better")


def test_empty_passage_raises_passage_not_found():
    with pytest.raises(PassageNotFound):
        anchor_passage(TEXT, "   ")


def test_a_passage_is_matched_literally_not_as_a_pattern():
    text = "Prices rose [sharply] (by 5%)."
    anchor = anchor_passage(text, "[sharply] (by 5%)")
    assert text[anchor.start : anchor.end] == "[sharply] (by 5%)"
    with pytest.raises(PassageNotFound):
        anchor_passage("Prices rose sharply by 5%.", "[sharply] (by 5%)")


def test_repeated_passage_without_after_takes_the_first_occurrence():
    passage = "relations are at their lowest."
    occurrences = find_occurrences(TEXT, passage)
    assert len(occurrences) == 2
    assert anchor_passage(TEXT, passage).start == occurrences[0][0]


def test_repeated_passage_takes_the_occurrence_right_after_the_words_given():
    passage = "relations are at their lowest."
    anchor = anchor_passage(TEXT, passage, after="however, he said that")
    assert anchor.start == find_occurrences(TEXT, passage)[1][0]
    assert TEXT[anchor.start : anchor.end] == passage


def test_after_words_not_right_before_the_passage_raise():
    with pytest.raises(PassageNotFound):
        anchor_passage(TEXT, "relations are at their lowest.", after="The minister spoke first.")


def test_prefix_and_suffix_hold_the_text_around_the_passage():
    text = "x" * 100 + "THE PASSAGE" + "y" * 100
    anchor = anchor_passage(text, "THE PASSAGE")
    assert anchor.prefix == "x" * CONTEXT_CHARS
    assert anchor.suffix == "y" * CONTEXT_CHARS
    assert text[anchor.start - len(anchor.prefix) : anchor.start] == anchor.prefix


def test_prefix_and_suffix_stop_at_the_edges_of_the_text():
    anchor = anchor_passage("Short text here.", "Short")
    assert anchor.prefix == ""
    assert anchor.suffix == " text here."


def test_words_around_gives_a_few_words_either_side_with_whitespace_collapsed():
    """Runs of whitespace fold to one space; the space between context and passage is the source's own."""
    text = "one two three four\nfive  six seven eight nine"
    start = text.index("five")
    before, passage, after = words_around(text, start, start + len("five  six"), words=2)
    assert (before, passage, after) == ("three four ", "five six", " seven eight")
