"""Tests for annotator.text.segment.split_sentences."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.text.segment import split_sentences

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLDEN_RULES = SHARED / "benchmarks" / "segmentation-golden-rules-en.json"
ARTICLE = SHARED / "corpus" / "dayofpal-ceasefire-2025.txt"
GOLD_SET = ROOT / "benchmarks" / "segmentation_gold.jsonl"

# Golden rules this segmenter is known to fail, by index, with the reason. None at present.
GOLDEN_RULES_FAILING: dict[int, str] = {}
# Gold-set cases this segmenter is known to fail, by index, with the reason.
GOLD_SET_FAILING: dict[int, str] = {
    106: "a dotted acronym outside the known list (W.F.P.) before a capitalised word is"
    " ambiguous; blingfire keeps it, as pySBD does, and no rule overrides it",
}


def sentences(text: str) -> list[str]:
    """The sentences of text as strings, stripped (the comparison used everywhere)."""
    return [text[s:e].strip() for s, e in split_sentences(text)]


def assert_well_formed(text: str, spans: list[tuple[int, int]]) -> None:
    """The contract of split_sentences, checked on any input."""
    previous_end = 0
    for start, end in spans:
        assert isinstance(start, int) and isinstance(end, int)
        assert previous_end <= start < end <= len(text), (spans, len(text))
        piece = text[start:end]
        assert piece == piece.strip(), repr(piece)
        assert "\n" not in piece, repr(piece)
        previous_end = end
    covered = [False] * len(text)
    for start, end in spans:
        covered[start:end] = [True] * (end - start)
    lost = [i for i, character in enumerate(text) if not character.isspace() and not covered[i]]
    assert not lost, (text, spans, lost)


def golden_cases() -> list[dict]:
    if not GOLDEN_RULES.exists():
        return []
    return json.loads(GOLDEN_RULES.read_text(encoding="utf-8"))["cases"]


def gold_cases() -> list[dict]:
    return [json.loads(line) for line in GOLD_SET.read_text(encoding="utf-8").splitlines()]


def with_known_failures(cases: list[dict], failing: dict[int, str]) -> list:
    return [
        pytest.param(
            case,
            id=f"{index}",
            marks=[pytest.mark.xfail(strict=True, reason=failing[index])]
            if index in failing
            else [],
        )
        for index, case in enumerate(cases)
    ]


# --- peer suites -------------------------------------------------------------------


@pytest.mark.skipif(not GOLDEN_RULES.exists(), reason="shared golden rules not present")
@pytest.mark.parametrize("case", with_known_failures(golden_cases(), GOLDEN_RULES_FAILING))
def test_golden_rule(case: dict) -> None:
    assert sentences(case["text"]) == case["sentences"]


@pytest.mark.parametrize("case", with_known_failures(gold_cases(), GOLD_SET_FAILING))
def test_gold_set(case: dict) -> None:
    spans = split_sentences(case["text"])
    assert_well_formed(case["text"], spans)
    assert [case["text"][s:e] for s, e in spans] == case["sentences"]


def test_gold_set_is_large_and_well_formed() -> None:
    cases = gold_cases()
    assert len(cases) >= 60
    for case in cases:
        assert case["sentences"] and case["tags"]
        position = 0
        for sentence in case["sentences"]:  # each sentence is text of the case, in order
            position = case["text"].index(sentence, position) + len(sentence)


# --- the shared article ------------------------------------------------------------

# (start, end, opening, closing) of each sentence an editor would draw: one per line,
# except lines 7 and 10, which hold two each. The file has 16 lines (15 newlines; the
# last line has none), so 18 sentences.
ARTICLE_SENTENCES = [
    (0, 262, "**DayofPal**– Hamas confirmed", "for its second phase."),
    (263, 392, "In a statement, Hamas spokesperson", "movement in this direction."),
    (393, 628, "“The efforts of Egyptian", "signs emerging,” Al-Qanoua remarked."),
    (629, 870, "Reaffirming Hamas’ readiness", "the protracted Israeli blockade."),
    (871, 1104, "A high-level Hamas delegation", "Arab summit, Al-Qanoua added."),
    (1105, 1327, "The emergency Arab summit,", "complete withdrawal from Gaza."),
    (1328, 1490, "The summit further endorsed", "its Palestinian inhabitants."),
    (1491, 1661, "However, both Israel and", "proposed by U.S. President Donald Trump."),
    (1662, 1892, "On Friday, Egypt officially", "the agreement’s second phase."),
    (1893, 2166, "Egypt’s State Information Service", "of the ceasefire process."),
    (2167, 2248, "The first phase of the ceasefire,", "concluded in early March."),
    (2249, 2369, "However, Israel has thus far", "cessation of Israeli war."),
    (2370, 2682, "Israeli Prime Minister Benjamin Netanyahu, emboldened by U.S. support,", "deal."),
    (2683, 2928, "Following the cessation", "to coerce Hamas into submission."),
    (2929, 3043, "Simultaneously, Israeli authorities", "renewed military operations."),
    (
        3044,
        3228,
        "Between October 7, 2023, and January 19, 2025, Israel, bolstered by U.S.",
        "genocide.",
    ),
    (3229, 3391, "The offensive resulted in over 160,000", "remain unaccounted for."),
    (3392, 3491, "Shortlink for this post: [https://daysofpalestine.ps/?p=61211]", "?p=61211)"),
]


def test_shared_article_splits_as_an_editor_would() -> None:
    if not ARTICLE.exists():
        pytest.skip("shared article not present")
    text = ARTICLE.read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert spans == [(start, end) for start, end, _, _ in ARTICLE_SENTENCES]
    for start, end, opening, closing in ARTICLE_SENTENCES:
        assert text[start:end].startswith(opening)
        assert text[start:end].endswith(closing)
    assert_well_formed(text, spans)
    # The gaps between sentences are the newlines, and one space inside lines 7 and 10.
    gaps = [text[e:s] for (_, e), (s, _) in itertools.pairwise(spans)]
    assert sorted(set(gaps)) == ["\n", " "] and gaps.count(" ") == 2


# --- behaviour the rest of the project relies on ------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\n", " \t\n\n  \r\n", "\u3000\u2028\xa0"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_every_newline_is_a_boundary() -> None:
    text = "Talks with Sen.\nSmith resumed\nin the U.S.\nPresident Trump said so"
    expected = ["Talks with Sen.", "Smith resumed", "in the U.S.", "President Trump said so"]
    assert sentences(text) == expected


def test_headline_and_dateline_without_final_period() -> None:
    text = "Truce holds in Gaza\n\nGAZA CITY — Residents returned on Sunday. Shops reopened.\n"
    assert sentences(text) == [
        "Truce holds in Gaza",
        "GAZA CITY — Residents returned on Sunday.",
        "Shops reopened.",
    ]


def test_offsets_are_code_points_in_non_ascii_text() -> None:
    text = (
        "😀 Crowds cheered in Zürich. Mr. Müller spoke.\n"
        "الهدنة صامدة. The truce holds.\n"
        "東京で会議。 Talks began. Ce\u0301line wrote with a combining accent. Done."
    )
    assert sentences(text) == [
        "😀 Crowds cheered in Zürich.",
        "Mr. Müller spoke.",
        "الهدنة صامدة.",
        "The truce holds.",
        "東京で会議。",
        "Talks began.",
        "Ce\u0301line wrote with a combining accent.",
        "Done.",
    ]
    assert_well_formed(text, split_sentences(text))


def test_output_is_deterministic() -> None:
    text = "“Will it hold?” Moreno asked. At 5 a.m. Mr. Smith left. See https://x.y/?p=1. Done."
    assert split_sentences(text) == split_sentences(text)
    assert sentences(text) == [
        "“Will it hold?” Moreno asked.",
        "At 5 a.m. Mr. Smith left.",
        "See https://x.y/?p=1.",
        "Done.",
    ]


# --- pathological input --------------------------------------------------------------


def test_one_megabyte_line_without_punctuation() -> None:
    text = "  " + "word " * 200_000
    assert split_sentences(text) == [(2, len(text) - 1)]


def test_one_megabyte_line_without_spaces() -> None:
    text = "x" * 1_000_000
    assert split_sentences(text) == [(0, 1_000_000)]


def test_hundred_thousand_character_sentence() -> None:
    body = ("Alpha beta gamma delta " * 4_348)[:99_990].rstrip() + "."
    text = f"Start here. {body} End."
    assert len(body) > 99_000
    assert sentences(text) == ["Start here.", body, "End."]


def test_dense_punctuation_runs() -> None:
    for text in ("." * 50_000, ". " * 20_000, "Mr. " * 20_000, "a.b.c. " * 10_000, "?!" * 20_000):
        assert_well_formed(text, split_sentences(text))


def test_nul_and_control_characters() -> None:
    text = "Hello\x00 world. Next\x01\x02 one.\x7f\x1b[0m Last \x0b\x0c one.\x00"
    spans = split_sentences(text)
    assert_well_formed(text, spans)
    assert [text[s:e] for s, e in spans] == [
        "Hello\x00 world.",
        "Next\x01\x02 one.\x7f\x1b[0m Last \x0b\x0c one.\x00",
    ]


def test_rtl_text_and_bidi_controls() -> None:
    text = (
        "\u202bقالت الوزارة إن المحادثات مستمرة.\u202c"
        " The ministry said talks continue.\u200f Fine."
    )
    spans = split_sentences(text)
    assert_well_formed(text, spans)
    # Bidi controls are not whitespace: they stay with the sentence they close.
    assert sentences(text) == [
        "\u202bقالت الوزارة إن المحادثات مستمرة.\u202c",
        "The ministry said talks continue.\u200f",
        "Fine.",
    ]


def test_lone_surrogates_do_not_raise() -> None:
    text = "Broken \ud800 text. Another \udfff sentence.\nEnd."
    spans = split_sentences(text)
    assert_well_formed(text, spans)
    assert sentences(text) == ["Broken \ud800 text.", "Another \udfff sentence.", "End."]


# --- properties ------------------------------------------------------------------------

FRAGMENTS = [
    " ", "  ", "\n", "\n\n", "\t", ".", ". ", "!", "?", "...", " . . . ", "…", "“", "”", "\"",
    "'", "’", "(", ")", "[", "]", "U.S. ", "U.K.", "Mr. ", "Dr.", "Sen. ", "p.m. ", "a.m.",
    "No. 5", "1. ", "2. ", "a. ", "b) ", "• ", "⁃9. ", "$1.5", "3.5%", "https://x.y/?p=1.",
    "www.a.b", "[t](https://x.y/?p=1)", "a@b.co", "He said", " she said.", "The", "President",
    "Smith", "😀", "🇵🇸", "e\u0301", "\u0301", "\u200f", "\u202e", "\x00", "\x85", "\u2028",
    "\r", "中文。", "مرحبا.", "ﬁ", "İ", "\ud800",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=300))
def test_any_text_gives_well_formed_spans(text: str) -> None:
    assert_well_formed(text, split_sentences(text))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=60).map("".join))
def test_news_like_fragments_give_well_formed_spans(text: str) -> None:
    spans = split_sentences(text)
    assert_well_formed(text, spans)
    assert spans == split_sentences(text)


def real_paragraphs() -> list[str]:
    """Every line and every expected sentence of the gold set and golden rules."""
    cases = gold_cases() + golden_cases()
    lines = {line for case in cases for line in case["text"].split("\n") if line.strip()}
    return sorted(lines | {sentence for case in cases for sentence in case["sentences"]})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(real_paragraphs()), min_size=2, max_size=8),
    st.sampled_from(["\n", "\n\n", " \n ", "\n\t"]),
)
def test_lines_are_segmented_as_if_alone(lines: list[str], separator: str) -> None:
    # Blingfire reads whole runs of paragraphs at once, so its proposals near a line's
    # edges can depend on the neighbouring line; the repair layer settles them so that
    # real paragraphs segment as they would alone. (Arbitrary junk such as "1. " before
    # "Mr. “" is not covered: there the proposal after "Mr." survives in context.)
    text = separator.join(lines)
    assert sentences(text) == [sentence for line in lines for sentence in sentences(line)]
