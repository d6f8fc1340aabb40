"""The suggester's cheap tests before its searches decide exactly what the searches would.

Each shortcut (a str test, a word-set test, a guard that rules a pattern out) is checked
against the regular expression it stands for, on text built to hit its edge cases: the
characters whose case mapping reaches ASCII letters ("İ", "ı", "ſ", the Kelvin sign), spaces
of every kind, currency signs, digits and the words the patterns look for.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.suggest import Suggester
from annotator.suggest import attribution as attr
from annotator.suggest import figure_spans as figs
from annotator.suggest.patterns import WordRuns
from annotator.text.figures import _DASHES, _TOKEN, _Tok, _tokenize

SUGGESTER = Suggester()

PIECES = [
    "a", "A", "s", "S", "i", "I", "k", "K", "İ", "ı", "ſ", "\u212a", "é", "5", "12", "2019",
    "1,200", " ", "  ", "\u00a0", "\t", "\n", ",", ".", ":", "-", "$", "US$", "€", "£", "USD",
    "usd", "EUR", "NIS ", "that", "That", "thats", "xthat", "_that", "more than", "between",
    "from", "about", "nearly", "at least", "up to", "than", "a.m.", "pm", "GMT", "h", "o'clock",
    "of", "March", "Jan", "said", "told", ", saying", ", adding that", " as ", " while ", "as",
    "Hamas", "hamas", "WHO", "who", "OCHA", "U.N.", "UN", "Reuters", "ministry", "Gaza",
    "Health", "Corp.", "Inc.", "A.B.", "www.", "@", "=", "/", "\\", "**", "CAIRO (Wire) –",
    "Gate", "No.", "people", "percent", "%", "twenty-five", "a million", "“", "”", '"',
    "on Monday", "late on", "earlier", "in a statement", "in an interview with the BBC", "to",
    "told reporters", "today", "again", "the press", "on X", "week",
]
texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
EVERY_CODE_POINT = [chr(code) for code in range(0x110000)]


def _old_words(text: str) -> int:
    return len(text.split())


def test_no_non_word_character_lowers_to_ascii_letters() -> None:
    # The premise of WordRuns and of every word-set pre-test.
    # A character that lowers to itself is a-z only if it is a word character already.
    changed = [char for char in EVERY_CODE_POINT if char.lower() != char]
    word = re.compile(r"\w")
    for char in changed:
        if not word.match(char):
            assert not any("a" <= c <= "z" for c in char.lower()), repr(char)


def test_word_char_and_glued_letter_tests_are_res_classes() -> None:
    word, letter = re.compile(r"\w"), re.compile(r"[^\W\d_]")
    for char in EVERY_CODE_POINT[:0x3000]:
        assert attr._is_word_char(char) == bool(word.match(char))
        assert (char.isalnum() and not char.isdecimal()) == bool(letter.match(char))


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=0, max_value=40))
def test_that_at_is_the_whole_word_search(text: str, position: int) -> None:
    position = min(position, len(text))
    found = re.compile(r"\bthat\b").search(text, position)
    assert attr._that_at(text, position) == (found.start() if found else -1)


@given(texts, st.integers(min_value=0, max_value=12))
def test_word_count_limits(text: str, count: int) -> None:
    assert attr._at_most_words(text, count) == (_old_words(text) <= count)
    assert attr._two_words(text) == (_old_words(text) >= 2)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_clause_start_matches_the_dateline_pattern(text: str) -> None:
    match = attr._DATELINE.match(text)
    start = match.end() if match else 0
    while start < len(text) and text[start] in attr._CLAUSE_OPENING:
        start += 1
    assert attr._clause_start(text) == start


@settings(max_examples=300, deadline=None)
@given(texts)
def test_abbreviation_search_at_the_end_finds_what_the_whole_search_finds(text: str) -> None:
    pattern = attr._ABBREVIATION_END
    assert bool(pattern.search(text, max(0, len(text) - 6))) == bool(pattern.search(text))


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=0, max_value=60))
def test_figure_guards_never_rule_out_a_match(text: str, position: int) -> None:
    position = min(position, len(text))
    if not figs._may_end_currency(text, position):
        end = figs._CURRENCY_END.search(text, max(0, position - 2), position)
        before = figs._CURRENCY_BEFORE.search(text, max(0, position - 6), position)
        assert not (end and before)
    if not figs._may_follow_prefix(text, position):
        head = text[max(0, position - figs._PREFIX_WINDOW) : position]
        words = figs._REVERSED_PREFIX.match(head[::-1])
        assert not (words and words.end())
    after = text[position : position + 20]
    if not figs._may_be_time(after):
        assert not figs._TIME_AFTER.match(after)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=0, max_value=30))
def test_trailer_test_is_the_trailer_pattern(text: str, position: int) -> None:
    position = min(position, len(text))
    found = attr._trailer_at(text, position)
    expected = attr._TRAILER.match(text, position)
    assert (found and found.span()) == (expected and expected.span())


@given(texts)
def test_urlish_is_the_old_pattern(token: str) -> None:
    assert figs._is_urlish(token) == bool(re.search(r"(?:://|www\.|[=@/\\])", token))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_tokenizer_matches_the_match_object_version(text: str) -> None:
    old = [
        _Tok(match.lastindex - 2, match.group(match.lastindex), match.start(1) != match.end(1))
        for match in _TOKEN.finditer(text.translate(_DASHES).lower())
    ]
    assert _tokenize(text) == old


# Any code point, lone surrogates included (str.lower and the UTF-8 encoding must both cope).
any_text = st.text(st.characters(exclude_categories=()), max_size=60)
ascii_text = st.text(st.characters(max_codepoint=127, exclude_categories=()), max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, any_text, ascii_text))
def test_sentence_words_are_the_lowered_a_z_runs(text: str) -> None:
    assert attr.sentence_words(text) == frozenset(re.findall(r"[a-z]+", text.lower()))


def test_sentence_words_of_a_lone_surrogate_and_expanding_lowercase() -> None:
    assert attr.sentence_words("Said\ud800said İSTANBUL \u212aG") == {"said", "i", "stanbul", "kg"}


@settings(max_examples=300, deadline=None)
@given(st.one_of(ascii_text, texts))
def test_ascii_tokens_are_the_pattern_tokens(text: str) -> None:
    # Pieces between spaces tokenized alone give what the pattern gives over the whole text.
    old = [
        _Tok(match.lastindex - 2, match.group(match.lastindex), match.start(1) != match.end(1))
        for match in _TOKEN.finditer(text.translate(_DASHES).lower())
    ]
    assert _tokenize(text) == old


@given(texts)
def test_digit_anchor_finds_the_digit_runs(text: str) -> None:
    spans = [match.span() for match in figs._DIGITS_ANCHOR.finditer(text)]
    assert spans == [match.span() for match in re.finditer(r"[0-9]+", text)]


@settings(max_examples=250, deadline=None)
@given(texts)
def test_word_set_pre_tests_never_skip_a_match(text: str) -> None:
    words = attr.sentence_words(text)
    namer, cues = SUGGESTER.namer, SUGGESTER.cues
    if not namer.may_mention(words):
        assert namer.known_mentions(text) == []
    if cues.participle_words is not None and cues.participle_words.isdisjoint(words):
        assert not list(cues.participles.finditer(text))
    if attr._SUBORDINATE_WORDS.isdisjoint(words):
        assert not attr._SUBORDINATE.search(text)


def test_subordinate_words_are_the_patterns_words() -> None:
    for word in attr._SUBORDINATE_WORDS:
        assert attr._SUBORDINATE.fullmatch(f" {word} ")
    assert not attr._SUBORDINATE.search(" whilst thence ")


def test_word_runs_file_every_spelling() -> None:
    runs = WordRuns(["Health Ministry in Gaza", "U.N.", "WHO"])
    assert runs.may_occur(frozenset({"health", "ministry", "in", "gaza"}))
    assert runs.may_occur(frozenset({"u", "n"}))
    assert runs.may_occur(frozenset({"who"}))
    assert not runs.may_occur(frozenset({"health", "gaza", "un"}))
    assert WordRuns(["42"]).may_occur(frozenset())  # no a-z run: always a candidate
