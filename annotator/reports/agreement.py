"""``annotator agreement``: compare annotators over the sentences they all finished.

Reads the spans sentence by sentence (``db.agreement_data``), feeds the metrics of
``annotator.reports.agreement_metrics`` and returns one :class:`AgreementReport` (plain dataclasses,
JSON-serialisable with :meth:`AgreementReport.to_dict`).

What is compared (the README's "annotator agreement" section says the same):

- spans: per pair of annotators and label (and all labels together), exact and overlap
  matches, precision/recall/F1 of the second annotator against the first;
- ``source_type``: for source spans, the type of the canonical source each annotator mapped
  the span to (a span with no canonical source, or a source with no type, is a missing value);
- ``attribution``: for claims, whom each annotator attributed the claim to: ``source:ID``
  (a canonical source, through a source span mapped to it or directly), ``span:START-END``
  (a source span with no canonical source, by its document offsets), ``author`` (marked as
  the author's own voice) or ``none`` (not attributed);
- figures: for matched figure spans, whether value and unit agree, and the qualifier.

Cohen's kappa is computed per pair over the pair's overlap-matched spans with a value on
both sides; Krippendorff's alpha over all compared annotators at once, a unit being a group
of overlapping spans of one label (``agreement.overlap_units``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

from annotator.reports.agreement_metrics import (
    Coincidences,
    Confusion,
    Span,
    SpanCounts,
    exact_matches,
    figure_qualifiers_agree,
    figure_values_agree,
    overlap_matches,
    overlap_units,
)
from db.agreement_data import (
    AgreementSpan,
    annotator_ids,
    annotators_with_accepted_spans,
    count_compared_sentences,
    iter_sentence_spans,
)
from db.engine import Database
from db.models import LABELS
from db.values import Figure

# The adjudicated layer is built from the others' work: comparing with it by default would
# inflate agreement. Name it explicitly to include it.
EXCLUDED_BY_DEFAULT = ("gold",)
MATCHES = ("exact", "overlap")
# The categorical item compared on matched spans of each label.
CATEGORY_ITEMS = {"source": "source_type", "claim": "attribution"}


class AgreementError(ValueError):
    """The comparison asked for cannot be made; the message is for the user."""


@dataclass(frozen=True)
class SpanScore:
    """Span agreement of ``annotator_b`` against ``annotator_a`` for one label (or ``all``)."""

    annotator_a: str
    annotator_b: str
    label: str
    match: str
    a_spans: int
    b_spans: int
    matched: int
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass(frozen=True)
class PairAgreement:
    """Cohen's kappa of one pair on one categorical item.

    ``matched`` counts the overlap-matched span pairs; ``pairs`` those with a value on both
    sides, which kappa and ``observed`` (the share of equal values) are computed on.
    """

    annotator_a: str
    annotator_b: str
    matched: int
    pairs: int
    observed: float | None
    kappa: float | None


@dataclass(frozen=True)
class CategoryAgreement:
    """Agreement on one categorical item: per pair, and Krippendorff's alpha over all."""

    item: str
    label: str
    pairs: list[PairAgreement]
    units: int
    alpha: float | None


@dataclass(frozen=True)
class FigureAgreement:
    """Agreement on the values of overlap-matched figure spans of one pair.

    ``comparable`` counts matched pairs where both set a value; ``value_unit`` is the share
    of those with the same value and unit; ``qualifier`` the share of all matched pairs with
    the same qualifier (none on both sides counts as the same).
    """

    annotator_a: str
    annotator_b: str
    matched: int
    comparable: int
    value_unit: float | None
    qualifier: float | None


@dataclass(frozen=True)
class AgreementReport:
    """Everything ``annotator agreement`` prints."""

    annotators: list[str]
    sentences: int
    all_sentences: bool
    labels: list[str]
    documents: list[int]
    spans: list[SpanScore] = field(default_factory=list)
    categories: list[CategoryAgreement] = field(default_factory=list)
    figures: list[FigureAgreement] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready dictionaries and lists."""
        return asdict(self)

    def empty_hint(self) -> str | None:
        """Why nothing was compared and what to do, when no sentence was; else ``None``."""
        if self.sentences:
            return None
        names = ", ".join(self.annotators)
        if self.all_sentences:
            return f"nothing to compare: {names} have no sentence in the selection"
        return (f"nothing compared: no sentence is marked done by all of {names}, and only "
                "those count. Mark sentences done with `d` in `annotator annotate`, or pass "
                "--all to compare every sentence, done or not")


@dataclass
class _FigureCounts:
    matched: int = 0
    comparable: int = 0
    same_value: int = 0
    same_qualifier: int = 0


def attribution_of(span: AgreementSpan) -> str:
    """The attribution category of a claim (see the module docstring)."""
    if span.attributed_source_id is not None:
        return f"source:{span.attributed_source_id}"
    if span.attributed_span is not None:
        return f"span:{span.attributed_span[0]}-{span.attributed_span[1]}"
    return span.attribution or "none"


_UNSET = Figure(None)


def _as_span(span: AgreementSpan) -> Span:
    if span.label == "claim":
        category: str | None = attribution_of(span)
    else:
        category = span.source_type
    # A figure span left unset still counts as matched; its value is just not comparable.
    figure = (span.figure or _UNSET) if span.label == "figure" else None
    return Span(span.start, span.end, category, figure)


def compared_annotators(database: Database, annotators: Sequence[str] | None) -> list[str]:
    """The annotators to compare: those given (checked), else all with accepted spans
    except ``gold``; at least two."""
    if annotators:
        names = list(dict.fromkeys(name.strip() for name in annotators))
        known = annotator_ids(database, names)
        unknown = [name for name in names if name not in known]
        if unknown:
            raise AgreementError(f"no annotator called {', '.join(map(repr, unknown))}")
    else:
        names = [name for name in annotators_with_accepted_spans(database)
                 if name not in EXCLUDED_BY_DEFAULT]
    if len(names) < 2:
        found = ", ".join(map(repr, names)) or "none"
        raise AgreementError(f"agreement needs at least two annotators (found {found})")
    return names


@dataclass
class _PairTally:
    """Everything counted for one pair of annotators on one label."""

    a: str
    b: str
    label: str
    exact: SpanCounts = field(default_factory=SpanCounts)
    overlap: SpanCounts = field(default_factory=SpanCounts)
    confusion: Confusion[str] = field(default_factory=Confusion)
    figures: _FigureCounts = field(default_factory=_FigureCounts)

    def add(self, mine: list[Span], theirs: list[Span]) -> None:
        """Count one sentence's spans of this label by both."""
        matched = overlap_matches(mine, theirs)
        self.exact.add(len(exact_matches(mine, theirs)), len(mine), len(theirs))
        self.overlap.add(len(matched), len(mine), len(theirs))
        if self.label == "figure":
            _count_figures(self.figures, matched)
            return
        for x, y in matched:
            if x.category is not None and y.category is not None:
                self.confusion.add(x.category, y.category)

    def kappa(self) -> PairAgreement:
        """Cohen's kappa on this label's categorical item."""
        return PairAgreement(self.a, self.b, self.overlap.matched, self.confusion.total,
                             self.confusion.observed, self.confusion.kappa)

    def figure_agreement(self) -> FigureAgreement:
        """Agreement on the values of matched figures."""
        tally = self.figures
        return FigureAgreement(
            self.a, self.b, tally.matched, tally.comparable,
            tally.same_value / tally.comparable if tally.comparable else None,
            tally.same_qualifier / tally.matched if tally.matched else None)


def build_report(
    database: Database, annotators: Sequence[str] | None = None, labels: Sequence[str] = (),
    documents: Sequence[int] = (), all_sentences: bool = False,
) -> AgreementReport:
    """Agreement between ``annotators`` (default: all but ``gold``) on their accepted spans.

    Only sentences every compared annotator marked done count, unless ``all_sentences``.
    """
    unknown_labels = [label for label in labels if label not in LABELS]
    if unknown_labels:
        raise AgreementError(f"unknown label {unknown_labels[0]!r}; expected one of "
                             f"{', '.join(LABELS)}")
    names = compared_annotators(database, annotators)
    ids = annotator_ids(database, names)
    chosen = [label for label in LABELS if not labels or label in labels]
    pairs = list(combinations(names, 2))
    tallies = {label: [_PairTally(a, b, label) for a, b in pairs] for label in chosen}
    coincidences: dict[str, Coincidences[str]] = {
        label: Coincidences() for label in chosen if label in CATEGORY_ITEMS}
    none: list[Span] = []

    for sentence in iter_sentence_spans(database, ids, chosen, documents, all_sentences):
        grouped: dict[tuple[str, str], list[Span]] = {}
        for stored in sentence.spans:
            grouped.setdefault((stored.annotator, stored.label), []).append(_as_span(stored))
        for label in chosen:
            for tally in tallies[label]:
                mine, theirs = grouped.get((tally.a, label), none), grouped.get((tally.b, label),
                                                                                 none)
                if mine or theirs:
                    tally.add(mine, theirs)
            if label in coincidences:
                spans = {name: grouped.get((name, label), none) for name in names}
                for unit in overlap_units(spans):
                    coincidences[label].add_unit(span.category for span in unit.values())

    return AgreementReport(
        annotators=names,
        sentences=count_compared_sentences(database, list(ids.values()), documents,
                                           all_sentences),
        all_sentences=all_sentences, labels=chosen, documents=list(documents),
        spans=_span_scores(pairs, chosen, tallies),
        categories=[
            CategoryAgreement(item=CATEGORY_ITEMS[label], label=label,
                              pairs=[tally.kappa() for tally in tallies[label]],
                              units=coincidences[label].units, alpha=coincidences[label].alpha)
            for label in chosen if label in coincidences
        ],
        figures=[tally.figure_agreement() for tally in tallies.get("figure", [])],
    )


def _count_figures(tally: _FigureCounts, matched: list[tuple[Span, Span]]) -> None:
    for x, y in matched:
        if x.figure is None or y.figure is None:
            continue
        tally.matched += 1
        agree = figure_values_agree(x.figure, y.figure)
        if agree is not None:
            tally.comparable += 1
            tally.same_value += agree
        tally.same_qualifier += figure_qualifiers_agree(x.figure, y.figure)


def _span_scores(
    pairs: list[tuple[str, str]], labels: list[str], tallies: dict[str, list[_PairTally]],
) -> list[SpanScore]:
    scores = []
    for number, (a, b) in enumerate(pairs):
        for match in MATCHES:
            overall = SpanCounts()
            for label in labels:
                counts = getattr(tallies[label][number], match)
                overall.add(counts.matched, counts.a_total, counts.b_total)
                scores.append(_score(a, b, label, match, counts))
            scores.append(_score(a, b, "all", match, overall))
    return scores


def _score(a: str, b: str, label: str, match: str, tally: SpanCounts) -> SpanScore:
    return SpanScore(a, b, label, match, tally.a_total, tally.b_total, tally.matched,
                     tally.precision, tally.recall, tally.f1)
