"""Parsing figure spans into value, unit and qualifier, and formatting them for exports."""

from __future__ import annotations

import ast
import math
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.text import figures
from annotator.text.figures import format_figure, parse_figure
from db import values
from db.values import Figure

F = Figure

CASES: list[tuple[str, Figure | None]] = [
    # money
    ("$53 billion", F(53_000_000_000, "USD", None)),
    ("$4.2 billion", F(4_200_000_000, "USD", None)),
    ("€1.2bn", F(1_200_000_000, "EUR", None)),
    ("€1.5bn", F(1_500_000_000, "EUR", None)),
    ("£300m", F(300_000_000, "GBP", None)),
    ("53 billion dollars", F(53e9, "USD", None)),
    ("53 million dollars", F(53e6, "USD", None)),
    ("US$ 2.5 million", F(2_500_000, "USD", None)),
    ("US$2.5m", F(2_500_000, "USD", None)),
    ("1.2 trillion euros", F(1.2e12, "EUR", None)),
    ("5 million US dollars", F(5e6, "USD", None)),
    ("USD 5m", F(5e6, "USD", None)),
    ("A$3 billion", F(3e9, "AUD", None)),
    ("5 million pounds", F(5e6, "GBP", None)),
    ("300 pounds", F(300, "pounds", None)),  # no scale word: weight as likely as money
    ("more than $5 billion in aid", F(5e9, "USD", "more than")),
    # qualifiers and counted nouns
    ("over 160,000", F(160_000, None, "over")),
    ("over 160,000 Palestinian casualties", F(160_000, "casualties", "over")),
    ("Over 160,000", F(160_000, None, "over")),
    ("OVER 160,000 PEOPLE", F(160_000, "people", "over")),
    ("more than 14,000 people", F(14_000, "people", "more than")),
    ("nearly 1,900 tonnes", F(1_900, "tonnes", "nearly")),
    ("at least 18 clinics", F(18, "clinics", "at least")),
    ("up to 300 trucks a day", F(300, "trucks", "up to")),
    ("fewer than 20 crossings", F(20, "crossings", "fewer than")),
    ("just over 10%", F(10, "percent", "just over")),
    ("an estimated 5,000 people", F(5_000, "people", "estimated")),
    ("approx. 500", F(500, None, "approximately")),
    ("~5,000", F(5_000, None, "approximately")),
    ("160,000+", F(160_000, None, "more than")),
    ("killed at least 18 people in Gaza", F(18, "people", "at least")),
    ("5 people killed in strikes", F(5, "people", None)),
    ("5 more soldiers", F(5, "soldiers", None)),
    ("1.9 million displaced Palestinians", F(1_900_000, "palestinians", None)),
    # percentages
    ("40 percent", F(40, "percent", None)),
    ("40 per cent", F(40, "percent", None)),
    ("12.5%", F(12.5, "percent", None)),
    ("40-per-cent", F(40, "percent", None)),
    ("2 percentage points", F(2, "percentage point", None)),
    # durations and number words
    ("42 days", F(42, "day", None)),
    ("five-year", F(5, "year", None)),
    ("a five-year plan", F(5, "year", None)),
    ("three weeks", F(3, "week", None)),
    ("about two years", F(2, "year", "about")),
    ("24 hours", F(24, "hour", None)),
    ("six months ago", F(6, "month", None)),
    ("a 30-minute call", F(30, "minute", None)),
    ("two million", F(2_000_000, None, None)),
    ("a dozen", F(12, None, None)),
    ("two dozen eggs", F(24, "eggs", None)),
    ("half a million", F(500_000, None, None)),
    ("twenty-five", F(25, None, None)),
    ("ninety nine", F(99, None, None)),
    ("one hundred and fifty thousand", F(150_000, None, None)),
    ("zero", F(0, None, None)),
    ("dozens", None),
    ("several", None),
    ("dozens of people", None),
    ("tens of thousands", None),
    # ranges
    ("10 to 15", F(10, None, None, 15)),
    ("10-15", F(10, None, None, 15)),
    ("10–15", F(10, None, None, 15)),
    ("10 — 15", F(10, None, None, 15)),
    ("between 10 and 15 crossings", F(10, "crossings", None, 15)),
    ("between ten and fifteen", F(10, None, None, 15)),
    ("roughly between 10 and 15", F(10, None, "roughly", 15)),
    ("from 5 to 10 years", F(5, "year", None, 10)),
    ("$10-15 billion", F(10e9, "USD", None, 15e9)),
    ("between $10 and $15 million", F(10e6, "USD", None, 15e6)),
    ("2 to 3 million people", F(2e6, "people", None, 3e6)),
    ("500 to 1 million", F(500, None, None, 1e6)),
    ("10%-15%", F(10, "percent", None, 15)),
    ("2019-20", F(2019, None, None, 2020)),
    ("3-1", F(3, None, None)),  # a score, not a range
    ("-5 to -3", F(-5, None, None, -3)),
    # plain numbers
    ("160,000", F(160_000, None, None)),
    ("1.5", F(1.5, None, None)),
    ("1\u2009000", F(1_000, None, None)),
    ("1\u00a0000", F(1_000, None, None)),
    ("1\u202f000 people", F(1_000, "people", None)),
    ("2.5m", F(2_500_000, None, None)),
    ("3bn", F(3e9, None, None)),
    ("4k", F(4_000, None, None)),
    ("-3", F(-3, None, None)),
    ("\u22123", F(-3, None, None)),
    (".5", F(0.5, None, None)),
    ("5,000,000", F(5e6, None, None)),
    # no figure
    ("the ministry", None),
    ("", None),
    ("   ", None),
    ("$", None),
    ("COVID-19 deaths", None),
    ("the 1990s", None),
    ("the 12th", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[repr(text) for text, _ in CASES])
def test_parse_figure(text: str, expected: Figure | None) -> None:
    assert parse_figure(text) == expected


def test_value_is_a_float() -> None:
    parsed = parse_figure("$53 billion")
    assert parsed is not None
    assert type(parsed.value) is float
    assert parsed.value == 53_000_000_000.0


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (F(53_000_000_000.0, "USD", None), "53000000000 USD"),
        (F(160_000.0, "casualties", "over"), "160000 casualties [over]"),
        (F(10.0, "crossings", None, 15.0), "10-15 crossings"),
        (F(12.5, "percent", None), "12.5 percent"),
        (F(0.1, None, None), "0.1"),
        (F(-3.0, None, None), "-3"),
        (F(-0.0, None, None), "0"),
        (F(160_000.0, None, "over"), "160000 [over]"),
        (F(2.5, "year", "about", 3.5), "2.5-3.5 year [about]"),
    ],
)
def test_format_figure(figure: Figure, expected: str) -> None:
    assert format_figure(figure) == expected


def test_format_of_parsed_spans() -> None:
    spans = ["$53 billion", "over 160,000 Palestinian casualties", "between 10 and 15 crossings"]
    formatted = [format_figure(p) for p in map(parse_figure, spans) if p is not None]
    assert formatted == ["53000000000 USD", "160000 casualties [over]", "10-15 crossings"]


@given(st.text())
def test_never_raises_and_values_are_finite(text: str) -> None:
    parsed = parse_figure(text)
    if parsed is not None:
        assert math.isfinite(parsed.value)
        assert parsed.value_max is None or math.isfinite(parsed.value_max)
        assert parsed.value_max is None or parsed.value_max >= parsed.value
        format_figure(parsed)


_FIGURE_ALPHABET = st.sampled_from(
    [*"0123456789 ,.-–+%$€£~k", "m", "bn", " million", " to ", " and ", "between ", "over "]
)


@given(st.lists(_FIGURE_ALPHABET, max_size=20).map("".join))
def test_never_raises_on_figure_like_text(text: str) -> None:
    parsed = parse_figure(text)
    if parsed is not None:
        assert math.isfinite(parsed.value)


# Floats hold every integer up to 2**53 exactly; beyond that "== n" cannot hold for any parser.
@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_integer_digits_round_trip(n: int) -> None:
    parsed = parse_figure(str(n))
    assert parsed is not None
    assert parsed.value == n
    assert parsed.unit is None and parsed.qualifier is None and parsed.value_max is None


@given(st.integers(min_value=0, max_value=2**53))
def test_integer_with_thousands_commas_round_trips(n: int) -> None:
    parsed = parse_figure(f"{n:,}")
    assert parsed is not None
    assert parsed.value == n


@pytest.mark.parametrize("digits", [400, 10_000, 100_000])
def test_huge_digit_strings_are_not_figures(digits: int) -> None:
    # Too big for a float: dropped rather than returned as infinity.
    assert parse_figure("9" * digits) is None
    assert parse_figure("9" * digits + " or 5 people") == F(5, "people", None)


def test_fast_on_long_text() -> None:
    sentence = "Over 160,000 Palestinian casualties were reported, the ministry said. " * 2_000
    started = time.perf_counter()
    assert parse_figure(sentence) == F(160_000, "casualties", "over")
    assert parse_figure("the ministry said " * 10_000) is None
    assert time.perf_counter() - started < 2


def _imported_modules(path: str) -> set[str]:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_module_imports_only_the_standard_library() -> None:
    # The parser's one import outside the standard library is the shared Figure value, whose
    # module imports only the standard library itself: the parser still needs nothing else.
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    names = _imported_modules(figures.__file__)
    assert {name.split(".")[0] for name in names - {"db.values"}} <= stdlib
    assert {name.split(".")[0] for name in _imported_modules(values.__file__)} <= stdlib
