"""Agreement metrics on hand-computed fixtures, against reference implementations, and as
properties (bounds, symmetry, invariance to annotator order)."""

from __future__ import annotations

import math
import warnings
from itertools import pairwise

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotator.reports.agreement_metrics import (
    Coincidences,
    Confusion,
    Span,
    SpanCounts,
    cohen_kappa,
    exact_matches,
    figure_qualifiers_agree,
    figure_values_agree,
    krippendorff_alpha,
    overlap_matches,
    overlap_units,
)
from db.values import Figure

# --- fixtures: (coder A's values, coder B's values), None = missing ------------------------
PERFECT = (["x", "y", "x", "z"], ["x", "y", "x", "z"])
NONE = (["x", "y", "x", "y"], ["y", "x", "y", "x"])
PARTIAL = (["a", "a", "b", "b", "a"], ["a", "b", "b", "b", "a"])
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the nominal example with
# missing data: 4 coders, 12 units; published alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _confusion(a: list[str], b: list[str]) -> Confusion[str]:
    confusion: Confusion[str] = Confusion()
    for x, y in zip(a, b, strict=True):
        confusion.add(x, y)
    return confusion


def _units(coders: list[list[object]]) -> list[list[object]]:
    """Coder-by-unit rows turned into unit-by-coder values."""
    return [list(unit) for unit in zip(*coders, strict=True)]


def _reference_alpha(coders: list[list[object]]) -> float:
    categories = sorted({value for row in coders for value in row if value is not None},
                        key=str)
    codes = {value: float(number) for number, value in enumerate(categories)}
    data = np.array([[np.nan if value is None else codes[value] for value in row]
                     for row in coders])
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _reference_kappa(a: list[str], b: list[str]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns when kappa is undefined
        return float(cohen_kappa_score(a, b))


# --- Cohen's kappa -------------------------------------------------------------------------
def test_kappa_perfect_agreement_is_one() -> None:
    confusion = _confusion(*PERFECT)
    assert confusion.kappa == pytest.approx(1.0)
    assert confusion.observed == 1.0
    assert confusion.kappa == pytest.approx(_reference_kappa(*PERFECT))


def test_kappa_no_agreement_is_minus_one() -> None:
    # p_o = 0; both coders use x and y twice each, so p_e = 0.5 and kappa = -0.5 / 0.5.
    confusion = _confusion(*NONE)
    assert confusion.observed == 0.0
    assert confusion.kappa == pytest.approx(-1.0)
    assert confusion.kappa == pytest.approx(_reference_kappa(*NONE))


def test_kappa_partial_agreement_by_hand() -> None:
    # p_o = 4/5; A: a 3, b 2; B: a 2, b 3; p_e = (3*2 + 2*3) / 25 = 0.48.
    kappa = _confusion(*PARTIAL).kappa
    assert kappa == pytest.approx((0.8 - 0.48) / (1 - 0.48))
    assert kappa == pytest.approx(_reference_kappa(*PARTIAL))


def test_kappa_undefined_cases() -> None:
    assert cohen_kappa({}) is None
    # Both coders used one and the same category only: p_e = 1.
    assert cohen_kappa({("x", "x"): 3}) is None
    assert math.isnan(_reference_kappa(["x", "x", "x"], ["x", "x", "x"]))


# --- Krippendorff's alpha ------------------------------------------------------------------
def test_alpha_perfect_agreement_is_one() -> None:
    coders: list[list[object]] = [list(PERFECT[0]), list(PERFECT[1])]
    assert krippendorff_alpha(_units(coders)) == pytest.approx(1.0)
    assert _reference_alpha(coders) == pytest.approx(1.0)


def test_alpha_no_agreement_by_hand() -> None:
    # o_xy = o_yx = 4, n_x = n_y = 4, n = 8: D_o = 1, D_e = 2*4*4 / (8*7) = 4/7, alpha = -0.75.
    coders: list[list[object]] = [list(NONE[0]), list(NONE[1])]
    assert krippendorff_alpha(_units(coders)) == pytest.approx(-0.75)
    assert _reference_alpha(coders) == pytest.approx(-0.75)


def test_alpha_with_missing_data_matches_the_published_example() -> None:
    alpha = krippendorff_alpha(_units(KRIPPENDORFF_2011))
    assert alpha == pytest.approx(0.743, abs=5e-4)
    assert alpha == pytest.approx(_reference_alpha(KRIPPENDORFF_2011))


def test_alpha_units_with_one_value_are_not_pairable() -> None:
    coincidences: Coincidences[str] = Coincidences()
    coincidences.add_unit(["x", None, None])
    coincidences.add_unit([None, None])
    assert coincidences.units == 0
    assert coincidences.alpha is None
    coincidences.add_unit(["x", "x"])
    assert coincidences.units == 1
    assert coincidences.alpha is None  # one category only: D_e = 0


# --- spans ---------------------------------------------------------------------------------
A_SPANS = [Span(0, 5), Span(10, 20), Span(30, 40)]
B_SPANS = [Span(0, 5), Span(12, 20), Span(50, 55)]


def test_exact_and_overlap_counts_by_hand() -> None:
    exact = SpanCounts()
    exact.add(len(exact_matches(A_SPANS, B_SPANS)), len(A_SPANS), len(B_SPANS))
    overlap = SpanCounts()
    overlap.add(len(overlap_matches(A_SPANS, B_SPANS)), len(A_SPANS), len(B_SPANS))
    assert (exact.matched, exact.precision, exact.recall, exact.f1) == (1, 1 / 3, 1 / 3, 1 / 3)
    assert (overlap.matched, overlap.f1) == (2, pytest.approx(2 / 3))


def test_perfect_and_no_span_agreement() -> None:
    same = SpanCounts()
    same.add(len(exact_matches(A_SPANS, A_SPANS)), 3, 3)
    assert (same.precision, same.recall, same.f1) == (1.0, 1.0, 1.0)
    disjoint = SpanCounts()
    disjoint.add(len(overlap_matches(A_SPANS, [Span(6, 9), Span(45, 60)])), 3, 2)
    assert (disjoint.precision, disjoint.recall, disjoint.f1) == (0.0, 0.0, 0.0)
    assert SpanCounts().f1 is None  # nobody marked anything: undefined, not perfect


def test_overlap_matching_is_one_to_one_and_prefers_the_larger_overlap() -> None:
    wide = Span(0, 20)
    pairs = overlap_matches([wide], [Span(0, 4), Span(2, 18)])
    assert pairs == [(wide, Span(2, 18))]
    # An exact twin wins over a span that overlaps as much.
    pairs = overlap_matches([Span(0, 10)], [Span(0, 20), Span(0, 10)])
    assert pairs == [(Span(0, 10), Span(0, 10))]


def test_overlap_units_group_chains_and_pick_the_longest_span() -> None:
    units = overlap_units({
        "ana": [Span(0, 10, "x"), Span(2, 4, "y")],
        "ben": [Span(8, 20, "x")],
        "cai": [Span(30, 35, "z")],
    })
    assert units == [{"ana": Span(0, 10, "x"), "ben": Span(8, 20, "x")},
                     {"cai": Span(30, 35, "z")}]


def test_figure_value_agreement() -> None:
    assert figure_values_agree(Figure(0.1 + 0.2, "USD"), Figure(0.3, "usd")) is True
    assert figure_values_agree(Figure(160000, "people"), Figure(16000, "people")) \
        is False
    assert figure_values_agree(Figure(5, "year"), Figure(5, None)) is False
    assert figure_values_agree(Figure(None, "USD"), Figure(5, "USD")) is None
    assert figure_qualifiers_agree(Figure(1, qualifier="Over"), Figure(2, None,
                                                                                 "over"))
    assert not figure_qualifiers_agree(Figure(1, qualifier="over"), Figure(1))


# --- properties ----------------------------------------------------------------------------
CATEGORY = st.sampled_from(["x", "y", "z"])
SPAN = st.tuples(st.integers(0, 40), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1]))
SPANS = st.lists(SPAN, max_size=8, unique=True).map(lambda ends: [Span(s, e) for s, e in ends])


@settings(max_examples=150, deadline=None)
@given(SPANS, SPANS)
def test_span_scores_are_bounded_and_f1_is_symmetric(a: list[Span], b: list[Span]) -> None:
    for match in (exact_matches, overlap_matches):
        forward, backward = SpanCounts(), SpanCounts()
        forward.add(len(match(a, b)), len(a), len(b))
        backward.add(len(match(b, a)), len(b), len(a))
        assert forward.f1 == backward.f1
        assert (forward.precision, forward.recall) == (backward.recall, backward.precision)
        for value in (forward.precision, forward.recall, forward.f1):
            assert value is None or 0.0 <= value <= 1.0
    pairs = overlap_matches(a, b)
    assert len({id(x) for x, _ in pairs}) == len(pairs) == len({id(y) for _, y in pairs})
    assert all(min(x.end, y.end) > max(x.start, y.start) for x, y in pairs)
    assert len(pairs) >= len(exact_matches(a, b))
    # Swapping the annotators pairs the same spans.
    assert {(x.start, x.end, y.start, y.end) for x, y in pairs} == \
        {(x.start, x.end, y.start, y.end) for y, x in overlap_matches(b, a)}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(CATEGORY, CATEGORY), min_size=1, max_size=30))
def test_kappa_is_bounded_symmetric_and_matches_sklearn(pairs: list[tuple[str, str]]) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    kappa = _confusion(a, b).kappa
    assert kappa == _confusion(b, a).kappa or kappa == pytest.approx(_confusion(b, a).kappa)
    reference = _reference_kappa(a, b)
    if kappa is None:
        assert math.isnan(reference)
    else:
        assert -1.0 <= kappa <= 1.0
        assert kappa == pytest.approx(reference)


CODERS = st.integers(2, 4).flatmap(lambda coders: st.lists(
    st.lists(st.one_of(st.none(), CATEGORY), min_size=coders, max_size=coders),
    min_size=1, max_size=15))


@settings(max_examples=150, deadline=None)
@given(CODERS, st.randoms(use_true_random=False))
def test_alpha_is_bounded_order_free_and_matches_krippendorff(
    units: list[list[str | None]], random: object
) -> None:
    alpha = krippendorff_alpha(units)
    order = list(range(len(units[0])))
    random.shuffle(order)  # type: ignore[attr-defined]
    shuffled = [[unit[i] for i in order] for unit in units]
    other = krippendorff_alpha(shuffled)
    assert (alpha is None) == (other is None)
    if alpha is None:
        return
    assert other == pytest.approx(alpha)
    assert -1.0 <= alpha <= 1.0
    coders = [list(row) for row in zip(*units, strict=True)]
    assert alpha == pytest.approx(_reference_alpha(coders))


@settings(max_examples=100, deadline=None)
@given(SPANS, SPANS, SPANS)
def test_overlap_units_do_not_depend_on_annotator_order(
    a: list[Span], b: list[Span], c: list[Span]
) -> None:
    forward = overlap_units({"a": a, "b": b, "c": c})
    backward = overlap_units({"c": c, "b": b, "a": a})
    assert forward == backward
    # Every span is in exactly one unit's reach, and units do not overlap one another.
    reaches = [(min(s.start for s in unit.values()), max(s.end for s in unit.values()))
               for unit in forward]
    assert all(left[1] <= right[0] for left, right in pairwise(reaches))
