"""What ``annotator stats`` and the stats screen show: per annotator, per source, per type.

Active time: an annotator's actions are the entries of the change log they made (every
tag, edit, link, done mark, undo and redo). Sorted by time, the gap between two consecutive
actions counts as active when it is at most five minutes; a longer gap is a break and counts
for nothing (not even its first five minutes). A single isolated action adds no time.
Annotations per active hour divides the annotations made in the tool (not imported, not
rejected) by the active time, and is given from one minute of active time on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from db.engine import Database
from db.stats import (
    SourceUsage,
    annotations_made_here,
    corpus_counts,
    iter_activity,
    sentences_done,
    source_usage,
)

IDLE_GAP = timedelta(minutes=5)
# Below a minute of activity a rate per hour says nothing (two quick actions would read as
# thousands per hour), so none is given.
MIN_ACTIVE_SECONDS = 60.0


@dataclass(frozen=True)
class AnnotatorStats:
    """One annotator's progress and pace.

    ``annotations`` counts per label (rejected suggestions left out); ``made_here`` those
    made in the tool (not imported); ``per_hour`` is ``made_here`` per active hour, ``None``
    with less than a minute of active time.
    """

    name: str
    sentences_done: int
    annotations: dict[str, int]
    made_here: int
    active_seconds: float
    per_hour: float | None


@dataclass(frozen=True)
class TypeUsage:
    """A source type: how many canonical sources of it are used, their claims and figures."""

    source_type: str | None
    sources: int
    claims: int
    figures: int


@dataclass(frozen=True)
class StatsReport:
    """Everything the stats view shows."""

    documents: int
    sentences: int
    by_label: dict[str, int]
    annotators: list[AnnotatorStats]
    sources: list[SourceUsage]
    types: list[TypeUsage]


def active_time(times: Iterable[datetime], idle_gap: timedelta = IDLE_GAP) -> timedelta:
    """Sum of the gaps between consecutive ``times`` (sorted here) that are at most
    ``idle_gap``; longer gaps are breaks and excluded whole."""
    total = timedelta()
    previous: datetime | None = None
    for moment in sorted(times):
        if previous is not None and moment - previous <= idle_gap:
            total += moment - previous
        previous = moment
    return total


def _active_seconds(database: Database) -> dict[str, float]:
    # The log arrives ordered by annotator and time, so one annotator's times are held at once.
    return {
        name: active_time(at for _name, at in entries).total_seconds()
        for name, entries in groupby(iter_activity(database), key=lambda entry: entry[0])
    }


def by_type(sources: Iterable[SourceUsage]) -> list[TypeUsage]:
    """Sources summed per type, most claims first (a figure citing sources of one type
    through two claims counts for each source)."""
    totals: dict[str | None, list[int]] = {}
    for source in sources:
        row = totals.setdefault(source.source_type, [0, 0, 0])
        row[0] += 1
        row[1] += source.claims
        row[2] += source.figures
    usage = [TypeUsage(kind, *row) for kind, row in totals.items()]
    return sorted(usage, key=lambda item: (-item.claims, -item.figures, item.source_type or ""))


def build_stats(database: Database) -> StatsReport:
    """Read the counts and compute the pace of every annotator."""
    counts = corpus_counts(database)
    done = sentences_done(database)
    made = annotations_made_here(database)
    active = _active_seconds(database)
    names = sorted(set(counts.by_annotator) | set(done) | set(made))
    annotators = []
    for name in names:
        seconds = active.get(name, 0.0)
        annotators.append(AnnotatorStats(
            name=name, sentences_done=done.get(name, 0),
            annotations=counts.by_annotator.get(name, {}), made_here=made.get(name, 0),
            active_seconds=seconds,
            per_hour=made.get(name, 0) * 3600 / seconds
            if seconds >= MIN_ACTIVE_SECONDS else None,
        ))
    sources = source_usage(database)
    return StatsReport(counts.documents, counts.sentences, counts.by_label, annotators,
                       sources, by_type(sources))
