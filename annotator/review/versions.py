"""Comparing annotators' spans in one sentence: agreed, only one annotator, or conflicting.

Pure functions over :class:`SpanVersion` values (no database, no Textual). Versions of
different annotators are *one row* (one span to decide) when their offsets are equal once
edge punctuation, quotes and spaces are stripped (``db.adjudication.core_offsets``:
“Hamas” and Hamas, are one row). They *agree* when everything adjudication decides is
equal: the very offsets, the label, a source span's canonical source, a claim's
attribution (the canonical source of the source span it is attributed to, or the one it
is attributed to directly; a source span with no canonical source; the author's voice;
not attributed: what ``annotator agreement`` compares as a claim's attribution), a
figure's value, unit and qualifier, and the linked spans (the figures supporting a claim,
the claims a figure supports). A row is

* ``agreed`` when every adjudicated annotator has it, all alike;
* ``partial`` when several (not all) have it, all alike (only with three or more);
* ``only-one`` when a single annotator has it;
* ``conflicting`` when several have it and they differ in any of those
  (:meth:`SpanGroup.differences` says in what, and how).

An annotator who marked one span with two labels (a figure that is also a claim) meant
two spans: such rows are compared label by label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from db.adjudication import EDITED, NONE, core_offsets
from db.read_models import SpanVersion
from db.values import Figure

AGREED = "agreed"
PARTIAL = "partial"
ONLY_ONE = "only-one"
CONFLICTING = "conflicting"
KINDS = (CONFLICTING, ONLY_ONE, PARTIAL, AGREED)
GOLD = "gold"
# What a row's versions can differ in, in the order the screen says it.
FIELDS = ("span", "label", "source", "figure", "links")

Signature = tuple[Hashable, ...]


def own_source(version: SpanVersion) -> str | None:
    """The canonical source a non-claim span is mapped to (a claim's is its attribution)."""
    return None if version.label == "claim" else version.source_name


def signature(version: SpanVersion) -> Signature:
    """What must be equal for two versions of one row to agree."""
    return (version.start, version.end, version.label, own_source(version),
            version.attribution, version.figure, version.linked)


def _field(version: SpanVersion, name: str) -> Hashable:
    """The value of one of :data:`FIELDS` that versions are compared on."""
    if name == "span":
        return (version.start, version.end)
    if name == "label":
        return version.label
    if name == "source":  # a claim not attributed is like a span without source
        if version.label == "claim":
            return None if version.attribution == "none" else version.attribution
        return version.source_name
    if name == "figure":
        return version.figure
    return version.linked


def shown_value(version: SpanVersion, name: str) -> str | Figure | None:
    """How the screen says one field of a version (a figure is formatted by the screen)."""
    if name == "span":  # «» since the edges compared are often quotes themselves
        return f"«{version.text}»"
    if name == "label":
        return version.label
    if name == "source":
        if version.label == "claim":
            return version.attribution_text
        return version.source_name or "no source"
    if name == "figure":
        return version.figure
    linked = ", ".join(f"“{text}”" for text in version.linked_text)
    what = "figures" if version.label == "claim" else "claims"
    return f"{what} {linked}" if linked else f"no {what}"


@dataclass(frozen=True)
class Difference:
    """One field the versions of a row differ in: each value with who gave it."""

    field: str
    values: tuple[tuple[str | Figure | None, tuple[str, ...]], ...]


@dataclass(frozen=True)
class SpanGroup:
    """The versions of one span across annotators, and what the gold layer has there.

    ``start``/``end``/``text`` are the span with edge punctuation, quotes and spaces
    stripped (what its versions share).
    """

    kind: str
    start: int
    end: int
    text: str
    versions: tuple[SpanVersion, ...]  # in the order the annotators were given
    gold: tuple[SpanVersion, ...] = ()  # gold's spans of the same row (any decision)
    # Core document offsets of the spans gold holds nothing for (rows decided "neither"):
    # a version's link to one of them cannot be in gold.
    absent: frozenset[tuple[int, int]] = frozenset()

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels the versions use (what taking one version replaces in gold)."""
        return tuple(sorted({version.label for version in self.versions}))

    def in_gold(self, version: SpanVersion) -> bool:
        """Whether the gold layer holds exactly this version (with its links, but for
        those to spans gold holds nothing for)."""
        wanted = signature(version)
        if self.absent and version.linked:
            kept = tuple(key for key in version.linked if key not in self.absent)
            wanted = (*wanted[:-1], kept)
        return any(gold.decision != NONE and gold.status != "rejected"
                   and signature(gold) == wanted for gold in self.gold)

    @property
    def rejected(self) -> bool:
        """Whether the adjudicator decided that gold holds nothing for this row."""
        return bool(self.gold) and all(gold.status == "rejected" for gold in self.gold)

    @property
    def edited(self) -> bool:
        """Whether gold holds a version the adjudicator changed on its way in."""
        return any(gold.decision == EDITED and gold.status != "rejected"
                   for gold in self.gold)

    @property
    def settled(self) -> bool:
        """Whether the row is decided: gold holds one of the versions, an edited one, or
        nothing by the adjudicator's decision."""
        return (any(self.in_gold(version) for version in self.versions)
                or self.edited or self.rejected)

    def differences(self) -> tuple[str, ...]:
        """What the versions disagree on, a subset of :data:`FIELDS` in that order."""
        return tuple(difference.field for difference in self.described_differences())

    def described_differences(self) -> tuple[Difference, ...]:
        """Each field the versions disagree on, with each value and who gave it."""
        found: list[Difference] = []
        for name in FIELDS:
            keys: dict[Hashable, tuple[str | Figure | None, list[str]]] = {}
            for version in self.versions:
                key = _field(version, name)
                if key not in keys:
                    keys[key] = (shown_value(version, name), [])
                keys[key][1].append(version.annotator)
            if len(keys) > 1:
                found.append(Difference(name, tuple(
                    (shown, tuple(who)) for shown, who in keys.values())))
        return tuple(found)


def _kind(versions: Sequence[SpanVersion], annotator_count: int) -> str:
    who = {version.annotator for version in versions}
    if len(who) == 1:
        return ONLY_ONE
    if len({signature(version) for version in versions}) > 1:
        return CONFLICTING
    return AGREED if len(who) >= annotator_count else PARTIAL


def _split(versions: list[SpanVersion]) -> list[list[SpanVersion]]:
    """One bucket per span meant: per label when an annotator used several labels here,
    and per exact offsets when one still has several versions of a label."""
    if _one_each(versions):
        return [versions]
    by_label: dict[str, list[SpanVersion]] = defaultdict(list)
    for version in versions:
        by_label[version.label].append(version)
    parts: list[list[SpanVersion]] = []
    for label in sorted(by_label):
        bucket = by_label[label]
        if _one_each(bucket):
            parts.append(bucket)
            continue
        by_offsets: dict[tuple[int, int], list[SpanVersion]] = defaultdict(list)
        for version in bucket:
            by_offsets[(version.start, version.end)].append(version)
        parts.extend(by_offsets[offsets] for offsets in sorted(by_offsets))
    return parts


def _one_each(versions: Sequence[SpanVersion]) -> bool:
    annotators = [version.annotator for version in versions]
    return len(annotators) == len(set(annotators))


def row_key(version: SpanVersion) -> tuple[int, int]:
    """The sentence offsets a version is grouped by: its own, edges stripped."""
    return core_offsets(version.text, version.start, version.end)


def classify(
    versions: Iterable[SpanVersion], annotators: Sequence[str],
    gold: Iterable[SpanVersion] = (),
) -> list[SpanGroup]:
    """Group one sentence's versions into rows and classify each, in text order.

    ``versions`` from annotators not in ``annotators`` are ignored; ``gold`` are the
    gold layer's spans in the sentence (shown beside the row they belong to).
    """
    order = {name: rank for rank, name in enumerate(annotators)}
    buckets: dict[tuple[int, int], list[SpanVersion]] = defaultdict(list)
    for version in versions:
        if version.annotator in order:
            buckets[row_key(version)].append(version)
    gold_at: dict[tuple[int, int], list[SpanVersion]] = defaultdict(list)
    absent: set[tuple[int, int]] = set()
    for version in gold:
        gold_at[row_key(version)].append(version)
        if version.status == "rejected":
            absent.add(core_offsets(version.text, version.doc_start,
                                    version.doc_start + len(version.text)))
    groups: list[SpanGroup] = []
    for (start, end), bucket in sorted(buckets.items()):
        bucket.sort(key=lambda v: (order[v.annotator], v.label, v.start, v.end))
        parts = _split(bucket)
        for part in parts:
            lead = start - part[0].start
            groups.append(SpanGroup(
                kind=_kind(part, len(annotators)), start=start, end=end,
                text=part[0].text[lead:lead + end - start], versions=tuple(part),
                gold=tuple(g for g in gold_at[(start, end)]
                           if len(parts) == 1 or _gold_belongs(g, part, bucket)),
                absent=frozenset(absent)))
    return groups


def _gold_belongs(gold: SpanVersion, part: Sequence[SpanVersion],
                  bucket: Sequence[SpanVersion]) -> bool:
    """Whether a gold span of a row split by label (and offsets) is this part's."""
    if gold.label not in {version.label for version in part}:
        return False
    if _one_each([version for version in bucket if version.label == gold.label]):
        return True  # split by label only
    return gold.status == "rejected" or any(
        (gold.start, gold.end) == (version.start, version.end) for version in part)


def agreed_to_take(groups: Iterable[SpanGroup]) -> list[SpanVersion]:
    """One version of every agreed row that is not decided yet (gold holds none of it,
    nor an edited version, nor the adjudicator's "neither")."""
    return [group.versions[0] for group in groups
            if group.kind == AGREED and not group.settled]


def count_kinds(groups: Iterable[SpanGroup]) -> dict[str, int]:
    """How many groups of each kind (every kind present, zero if none)."""
    counts = dict.fromkeys(KINDS, 0)
    for group in groups:
        counts[group.kind] += 1
    return counts
