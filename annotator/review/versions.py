"""Comparing annotators' spans in one sentence: agreed, only one annotator, or conflicting.

Pure functions over :class:`SpanVersion` values (no database, no Textual). Two
versions are *the same span* when their offsets are equal; they *agree* when
label, canonical source and figure value, unit and qualifier are equal too.
A span is

* ``agreed`` when every adjudicated annotator has it, all alike;
* ``partial`` when several (not all) have it, all alike (only with three or more);
* ``only-one`` when a single annotator has it;
* ``conflicting`` when several have it and they differ in label, source or figure.

An annotator who marked the same offsets with two labels (a figure that is also
a claim) meant two spans: such offsets are compared label by label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from db.read_models import SpanVersion
from db.values import Figure

AGREED = "agreed"
PARTIAL = "partial"
ONLY_ONE = "only-one"
CONFLICTING = "conflicting"
KINDS = (CONFLICTING, ONLY_ONE, PARTIAL, AGREED)
GOLD = "gold"

Signature = tuple[str, str | None, Figure | None]


def signature(version: SpanVersion) -> Signature:
    """What must be equal for two versions of the same offsets to agree."""
    return (version.label, version.source_name, version.figure)


@dataclass(frozen=True)
class SpanGroup:
    """The versions of one span across annotators, and what the gold layer has there."""

    kind: str
    start: int
    end: int
    text: str
    versions: tuple[SpanVersion, ...]  # in the order the annotators were given
    gold: tuple[SpanVersion, ...] = ()  # gold spans at the same offsets

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels the versions use (what taking one version replaces in gold)."""
        return tuple(sorted({version.label for version in self.versions}))

    def in_gold(self, version: SpanVersion) -> bool:
        """Whether the gold layer already holds exactly this version."""
        return any(signature(gold) == signature(version) for gold in self.gold)

    @property
    def settled(self) -> bool:
        """Whether the gold layer holds one of the versions."""
        return any(self.in_gold(version) for version in self.versions)

    def differences(self) -> tuple[str, ...]:
        """What the versions disagree on: ``label``, ``source``, ``figure``."""
        found: list[str] = []
        if len({v.label for v in self.versions}) > 1:
            found.append("label")
        if len({v.source_name for v in self.versions}) > 1:
            found.append("source")
        figures = {v.figure for v in self.versions}
        if len(figures) > 1:
            found.append("figure")
        return tuple(found)


def _kind(versions: Sequence[SpanVersion], annotator_count: int) -> str:
    who = {version.annotator for version in versions}
    if len(who) == 1:
        return ONLY_ONE
    if len({signature(version) for version in versions}) > 1:
        return CONFLICTING
    return AGREED if len(who) >= annotator_count else PARTIAL


def _split(versions: list[SpanVersion]) -> list[list[SpanVersion]]:
    """One bucket per span meant: per label when an annotator used several labels here."""
    annotators = [version.annotator for version in versions]
    if len(annotators) == len(set(annotators)):
        return [versions]
    by_label: dict[str, list[SpanVersion]] = defaultdict(list)
    for version in versions:
        by_label[version.label].append(version)
    return [by_label[label] for label in sorted(by_label)]


def classify(
    versions: Iterable[SpanVersion], annotators: Sequence[str],
    gold: Iterable[SpanVersion] = (),
) -> list[SpanGroup]:
    """Group one sentence's versions by span and classify each group, in text order.

    ``versions`` from annotators not in ``annotators`` are ignored; ``gold`` are the
    gold layer's spans in the sentence (shown beside the group at the same offsets).
    """
    order = {name: rank for rank, name in enumerate(annotators)}
    buckets: dict[tuple[int, int], list[SpanVersion]] = defaultdict(list)
    for version in versions:
        if version.annotator in order:
            buckets[(version.start, version.end)].append(version)
    gold_at: dict[tuple[int, int], list[SpanVersion]] = defaultdict(list)
    for version in gold:
        gold_at[(version.start, version.end)].append(version)
    groups: list[SpanGroup] = []
    for (start, end), bucket in sorted(buckets.items()):
        bucket.sort(key=lambda version: (order[version.annotator], version.label))
        for part in _split(bucket):
            labels = {version.label for version in part}
            groups.append(SpanGroup(
                kind=_kind(part, len(annotators)), start=start, end=end, text=part[0].text,
                versions=tuple(part),
                gold=tuple(g for g in gold_at[(start, end)]
                           if len(part) == len(bucket) or g.label in labels),
            ))
    return groups


def agreed_to_take(groups: Iterable[SpanGroup]) -> list[SpanVersion]:
    """One version of every agreed group whose version the gold layer does not hold yet."""
    return [group.versions[0] for group in groups
            if group.kind == AGREED and not group.in_gold(group.versions[0])]


def count_kinds(groups: Iterable[SpanGroup]) -> dict[str, int]:
    """How many groups of each kind (every kind present, zero if none)."""
    counts = dict.fromkeys(KINDS, 0)
    for group in groups:
        counts[group.kind] += 1
    return counts
