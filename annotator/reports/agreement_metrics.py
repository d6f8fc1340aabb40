"""Inter-annotator agreement metrics: span matching, P/R/F1, Cohen's kappa, Krippendorff's alpha.

Pure functions over plain values: no database, no Textual. ``agreement_report``
feeds them one sentence at a time, so every accumulator here is additive.

Definitions (the README repeats them for users):

- *Exact match*: two spans with the same label and the same characters (start and end).
- *Overlap match*: a one-to-one pairing of spans with the same label that share at least one
  character, chosen greedily, the pair sharing most characters first (ties: the pair whose
  boundaries differ least, then the leftmost). The rule looks at both spans alike, so swapping
  the annotators gives the same pairs; an exact match is always paired with its twin.
- Precision, recall and F1 of annotator B against annotator A: ``matched / |B|``,
  ``matched / |A|`` and ``2 matched / (|A| + |B|)``; ``None`` when undefined (nothing to divide).
- Cohen's kappa: ``(p_o - p_e) / (1 - p_e)`` from the pairs' confusion counts; ``None`` when
  there are no pairs or ``p_e == 1`` (both used one and the same category only).
- Krippendorff's alpha (nominal): ``1 - D_o / D_e`` from the coincidence matrix of all units
  with at least two values, any number of coders, missing values allowed; ``None`` when no
  unit is pairable or only one category occurs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from db.values import Figure

__all__ = [
    "Coincidences",
    "Confusion",
    "Span",
    "SpanCounts",
    "cohen_kappa",
    "exact_matches",
    "figure_qualifiers_agree",
    "figure_values_agree",
    "krippendorff_alpha",
    "overlap_matches",
    "overlap_units",
]

V = TypeVar("V", bound=Hashable)


@dataclass(frozen=True)
class Span:
    """One annotator's span of one label in one sentence (offsets into the sentence).

    ``category`` is the categorical attribute compared between matched spans: the source
    type of a source span, the attribution of a claim; ``None`` when the annotator left it
    unset (a missing value). ``figure`` is a figure span's value.
    """

    start: int
    end: int
    category: str | None = None
    figure: Figure | None = None

    @property
    def length(self) -> int:
        """Characters covered."""
        return self.end - self.start


# --- span matching -------------------------------------------------------------------------

def exact_matches(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[Span, Span]]:
    """Pairs of spans covering exactly the same characters (each span used once)."""
    if len(a) == 1 and len(b) == 1:  # the common case, without an index
        same = (a[0].start, a[0].end) == (b[0].start, b[0].end)
        return [(a[0], b[0])] if same else []
    by_position: dict[tuple[int, int], list[Span]] = {}
    for span in b:
        by_position.setdefault((span.start, span.end), []).append(span)
    pairs = []
    for span in a:
        twins = by_position.get((span.start, span.end))
        if twins:
            pairs.append((span, twins.pop(0)))
    return pairs


def _shared(x: Span, y: Span) -> int:
    return min(x.end, y.end) - max(x.start, y.start)


def overlap_matches(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[Span, Span]]:
    """A one-to-one pairing of overlapping spans, most shared characters first.

    The sort key treats both sides alike, so ``overlap_matches(b, a)`` pairs the same
    spans (each pair reversed).
    """
    if len(a) == 1 and len(b) == 1:  # the common case, without building candidates
        return [(a[0], b[0])] if _shared(a[0], b[0]) > 0 else []
    candidates = []
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            shared = _shared(x, y)
            if shared > 0:
                distance = abs(x.start - y.start) + abs(x.end - y.end)
                ends = tuple(sorted(((x.start, x.end), (y.start, y.end))))
                candidates.append(((-shared, distance, ends), i, j))
    candidates.sort(key=lambda candidate: candidate[0])
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _key, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    return pairs


def overlap_units(spans: Mapping[str, Sequence[Span]]) -> list[dict[str, Span]]:
    """Units for agreement among any number of annotators: groups of overlapping spans.

    A unit is a connected group of spans (of one label, one sentence) linked by shared
    characters, whoever marked them. Each annotator with a span in the unit is represented
    by one span: their longest there (ties: the leftmost). The grouping does not depend on
    the order of the annotators.
    """
    tagged = sorted(
        ((span.start, span.end, name, span) for name, own in spans.items() for span in own),
        key=lambda item: (item[0], item[1], item[2]),
    )
    units: list[dict[str, Span]] = []
    reach = -1
    group: list[tuple[str, Span]] = []
    for start, end, name, span in tagged:
        if group and start >= reach:
            units.append(_representatives(group))
            group = []
        if not group:
            reach = end
        group.append((name, span))
        reach = max(reach, end)
    if group:
        units.append(_representatives(group))
    return units


def _representatives(group: list[tuple[str, Span]]) -> dict[str, Span]:
    chosen: dict[str, Span] = {}
    for name, span in group:
        best = chosen.get(name)
        if best is None or (span.length, -span.start) > (best.length, -best.start):
            chosen[name] = span
    return chosen


# --- precision, recall, F1 -------------------------------------------------------------------

def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class SpanCounts:
    """Matched spans of annotator B against annotator A, summed over sentences."""

    matched: int = 0
    a_total: int = 0
    b_total: int = 0

    def add(self, matched: int, a_total: int, b_total: int) -> None:
        """Count one sentence (or any other part)."""
        self.matched += matched
        self.a_total += a_total
        self.b_total += b_total

    @property
    def precision(self) -> float | None:
        """Share of B's spans matched in A's."""
        return _ratio(self.matched, self.b_total)

    @property
    def recall(self) -> float | None:
        """Share of A's spans matched in B's."""
        return _ratio(self.matched, self.a_total)

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; the same whichever annotator is A."""
        return _ratio(2 * self.matched, self.a_total + self.b_total)


# --- Cohen's kappa ---------------------------------------------------------------------------

@dataclass
class Confusion(Generic[V]):
    """Counts of (A's category, B's category) over paired items."""

    pairs: Counter[tuple[V, V]] = field(default_factory=Counter)

    def add(self, a: V, b: V) -> None:
        """One paired item."""
        self.pairs[(a, b)] += 1

    @property
    def total(self) -> int:
        """Items paired."""
        return sum(self.pairs.values())

    @property
    def observed(self) -> float | None:
        """Share of items both put in the same category."""
        agree = sum(count for (a, b), count in self.pairs.items() if a == b)
        return _ratio(agree, self.total)

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa of the counted pairs (see :func:`cohen_kappa`)."""
        return cohen_kappa(self.pairs)


def cohen_kappa(pairs: Mapping[tuple[V, V], int]) -> float | None:
    """Cohen's kappa from counts of (A's category, B's category); ``None`` if undefined."""
    total = sum(pairs.values())
    if total == 0:
        return None
    rows: Counter[V] = Counter()
    columns: Counter[V] = Counter()
    agree = 0
    for (a, b), count in pairs.items():
        rows[a] += count
        columns[b] += count
        if a == b:
            agree += count
    observed = agree / total
    expected = sum(rows[c] * columns[c] for c in rows) / (total * total)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


# --- Krippendorff's alpha --------------------------------------------------------------------

@dataclass
class Coincidences(Generic[V]):
    """The coincidence matrix of Krippendorff's alpha, built one unit at a time."""

    matrix: Counter[tuple[V, V]] = field(default_factory=Counter)
    units: int = 0

    def add_unit(self, values: Iterable[V | None]) -> None:
        """Add a unit's values (one per coder who gave one; ``None`` is a missing value).

        Each ordered pair of values from different coders adds ``1 / (m - 1)``, where
        ``m`` is the number of values in the unit; units with fewer than two add nothing.
        """
        present: dict[V, int] = {}
        for value in values:
            if value is not None:
                present[value] = present.get(value, 0) + 1
        m = sum(present.values())
        if m < 2:
            return
        self.units += 1
        for c, count_c in present.items():
            for k, count_k in present.items():
                pairs = count_c * (count_k - 1) if c == k else count_c * count_k
                if pairs:
                    self.matrix[(c, k)] += pairs / (m - 1)

    @property
    def alpha(self) -> float | None:
        """Nominal alpha, ``1 - D_o / D_e``; ``None`` if no unit was pairable or all values
        fell in one category."""
        totals: Counter[V] = Counter()
        for (c, _k), weight in self.matrix.items():
            totals[c] += weight
        n = sum(totals.values())
        if n <= 1:
            return None
        disagreeing = sum(weight for (c, k), weight in self.matrix.items() if c != k)
        expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
        if expected == 0:
            return None
        return 1.0 - (n - 1) * disagreeing / expected


def krippendorff_alpha(units: Iterable[Iterable[V | None]]) -> float | None:
    """Nominal Krippendorff's alpha; each unit lists its coders' values (``None``: missing)."""
    coincidences: Coincidences[V] = Coincidences()
    for unit in units:
        coincidences.add_unit(unit)
    return coincidences.alpha


# --- figure values ---------------------------------------------------------------------------

def _folded(text: str | None) -> str | None:
    """Case and surrounding spaces ignored; empty is unset."""
    return text.strip().casefold() or None if text else None


def figure_values_agree(a: Figure, b: Figure) -> bool | None:
    """Whether two figures have the same value and unit (units compared case-insensitively).

    ``None`` (not comparable) when either annotator left the value unset. Values are equal
    when they differ by less than one part in a billion, so ``0.1 + 0.2`` equals ``0.3``.
    """
    if a.value is None or b.value is None:
        return None
    scale = max(abs(a.value), abs(b.value), 1e-300)
    same_value = abs(a.value - b.value) <= 1e-9 * scale
    return same_value and _folded(a.unit) == _folded(b.unit)


def figure_qualifiers_agree(a: Figure, b: Figure) -> bool:
    """Whether two figures have the same qualifier ("over", "about"; case ignored; none on
    both sides is the same)."""
    return _folded(a.qualifier) == _folded(b.qualifier)
