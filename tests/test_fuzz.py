"""Bounded fuzzing of the two parsers that read untrusted text: the sentence segmenter and
the figure parser. Any text at all (generated from every Unicode category, plus the odd
pieces of hostile articles and number-like fragments) must never raise, and the results
must be consistent. Bounded by example counts, so it runs in seconds in CI.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import ODD_PIECES, odd_documents

from annotator.io.textfile import normalize_newlines
from annotator.text.figures import parse_figure
from annotator.text.segment import split_sentences
from annotator.text.words import word_spans
from db.values import Figure

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NUMBER_PIECES = ["over", "about", "between", "and", "to", "-", "–", "$", "€", "£", "%",
                 "per cent", "billion", "bn", "million", "m", "k", "thousand", "hundred",
                 "a", "half", "dozen", "five-year", "1,000", "12.5", "-3", "+4", ".5", "1e9",
                 "1,2,3", "10-15", "٣", "５", "½", "Ⅻ", "9" * 40, "0.000001", "trucks",
                 "people", "days", "at least", "nearly", "twenty-one", "ninety-nine"]

any_text = st.text(st.characters(codec=None, exclude_categories=["Cs"]), max_size=300)
texts = st.one_of(any_text, odd_documents().map(normalize_newlines),
                  st.lists(st.sampled_from(ODD_PIECES + NUMBER_PIECES), max_size=25)
                  .map(" ".join))
figure_texts = st.one_of(any_text, st.lists(st.sampled_from(NUMBER_PIECES),
                                            min_size=1, max_size=8).map(" ".join))


@FUZZ
@given(text=texts)
def test_segmenter_never_raises_and_its_spans_are_consistent(text: str) -> None:
    spans = split_sentences(text)
    assert spans == split_sentences(text)  # deterministic
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        sentence = text[start:end]
        assert sentence == sentence.strip()  # no surrounding whitespace
        assert "\n" not in sentence  # a line break is always a boundary
        previous_end = end
    # Nothing but whitespace is left outside the sentences.
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@FUZZ
@given(text=figure_texts)
def test_figure_parser_never_raises_and_returns_finite_numbers(text: str) -> None:
    parsed = parse_figure(text)
    assert parsed == parse_figure(text)
    if parsed is not None:
        assert isinstance(parsed, Figure)
        assert math.isfinite(parsed.value)
        assert parsed.value_max is None or math.isfinite(parsed.value_max)
        assert parsed.unit is None or parsed.unit.strip() == parsed.unit != ""
        assert parsed.qualifier is None or parsed.qualifier.strip() == parsed.qualifier != ""


@FUZZ
@given(text=texts)
def test_word_cursor_spans_are_ordered_inside_the_text(text: str) -> None:
    previous_end = 0
    for start, end in word_spans(text):
        assert previous_end <= start < end <= len(text)
        assert not any(char.isspace() for char in text[start:end])
        previous_end = end
