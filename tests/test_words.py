"""Word segmentation for the word cursor: examples of the rule and its invariants."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.text.words import word_spans


def words(text: str) -> list[str]:
    return [text[start:end] for start, end in word_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hamas spokesperson Abdul Latif Al-Qanoua said.", ["Hamas", "spokesperson", "Abdul",
                                                           "Latif", "Al-Qanoua", "said"]),
        ("underscored “positive indicators” here", ["underscored", "positive", "indicators",
                                                   "here"]),
        ("Reaffirming Hamas’ readiness", ["Reaffirming", "Hamas’", "readiness"]),
        ("Jones' car and Hamas's", ["Jones'", "car", "and", "Hamas's"]),
        ("Gaza’s crisis", ["Gaza’s", "crisis"]),
        # A closing quote after "s" ends the quotation; it is not a possessive.
        ("‘the talks’ went on", ["the", "talks", "went", "on"]),
        ("'its' fine", ["its", "fine"]),
        ("a five-year, $53 billion plan", ["a", "five-year", "$53", "billion", "plan"]),
        ("over 160,000 people (40%).", ["over", "160,000", "people", "40%"]),
        ("the U.S. and example.org. too", ["the", "U.S.", "and", "example.org", "too"]),
        ("rose to 3.5. Then -5 and .5", ["rose", "to", "3.5", "Then", "-5", "and", ".5"]),
        ("#Gaza @UN ...", ["#Gaza", "@UN"]),
        ("— … !? ,", []),
        ("", []),
        ("中文句子。", ["中", "文", "句", "子"]),
        ("قال المتحدث، إن", ["قال", "المتحدث", "إن"]),
        ("[bold]x[/bold]", ["bold]x[/bold"]),
    ],
)
def test_examples(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_offsets_are_code_points() -> None:
    text = "😀 Al-Qanoua"
    assert word_spans(text) == [(0, 1), (2, 11)]


texts = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list(" \t\n'’‘“”\"-.,;:!?%$#@()[]—…sS中a1")),
    ),
    max_size=80,
)


@given(texts)
def test_spans_are_ordered_non_empty_and_in_bounds(text: str) -> None:
    previous_end = 0
    for start, end in word_spans(text):
        assert 0 <= previous_end <= start < end <= len(text)
        assert text[start:end]
        previous_end = end


@given(texts)
def test_no_whitespace_inside_a_word(text: str) -> None:
    for start, end in word_spans(text):
        assert not any(char.isspace() for char in text[start:end])


@given(texts)
def test_letters_and_digits_are_never_lost(text: str) -> None:
    covered = {index for start, end in word_spans(text) for index in range(start, end)}
    for index, char in enumerate(text):
        if char.isalnum():
            assert index in covered, (text, index)


@given(texts)
def test_a_word_is_never_only_punctuation(text: str) -> None:
    for start, end in word_spans(text):
        assert not all(unicodedata.category(c).startswith("P") for c in text[start:end])


@given(st.lists(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9'-]{0,8}[A-Za-z0-9]", fullmatch=True),
                max_size=10))
def test_plain_words_separated_by_spaces_come_back(items: list[str]) -> None:
    assert words(" ".join(items)) == items
