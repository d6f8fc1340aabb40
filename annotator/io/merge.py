"""Merging other annotator databases into this one (annotators working offline, combined later).

Sources come first, every one of the registry with its aliases, used or not
(matched by name, then by a unique name/alias match, created otherwise), then
every document in its own transaction: matched by content
hash or copied with the other database's sentences, then its annotations (an
annotation already here, same annotator, label and offsets, is not added again)
and its links (notes and review stamps with them), then the annotators who own
no annotation. With each document come its annotators' progress: their done (and
skipped) marks on its sentences, and where each annotator last was. Last comes the
change log (undo, redo and the review screen's history), every id in it mapped to this
database's rows (db/merge_history.py).

Nothing stored here is overwritten: a differing source type or annotation is reported
as a conflict; a sentence an annotator already marked here keeps its mark, and an
annotator who already has a position here keeps it (positions carry no time to tell
which is newer). Merging the same database twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.io.importer import segment_document
from db.document_records import (
    iter_document_records,
    iter_source_records,
    iter_unused_annotators,
)
from db.engine import Database
from db.filters import AnnotationFilter
from db.merge_history import merge_history
from db.portable import annotator_problem, document_problem, source_problem
from db.restore import RestoreError, record_writer


@dataclass
class MergeSummary:
    """What merging one other database added, and what it could not."""

    name: str
    documents_added: int = 0
    documents_present: int = 0
    sentences: int = 0
    annotations: int = 0
    links: int = 0
    sources: int = 0
    states: int = 0  # done (or skipped) marks
    positions: int = 0
    history: int = 0  # change-log entries
    conflicts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Sources and idle annotators (among the problems) whose values do not fit.
    refused: int = 0

    def describe(self) -> str:
        """The one-line summary printed after merging this database."""
        def plural(count: int, word: str) -> str:
            if count == 1:
                return f"{count} {word}"
            return f"{count} {word[:-1]}ies" if word.endswith("y") else f"{count} {word}s"

        parts = [
            f"merged {self.name}: {plural(self.documents_added, 'new document')} "
            f"({plural(self.sentences, 'sentence')}), "
            f"{self.documents_present} already present",
            f"added {plural(self.annotations, 'annotation')}, {plural(self.links, 'link')}, "
            f"{plural(self.sources, 'source')}, {plural(self.states, 'done mark')}, "
            f"{plural(self.positions, 'position')}, {plural(self.history, 'history entry')}",
        ]
        if self.conflicts:
            parts.append(f"{plural(len(self.conflicts), 'conflict')} (kept this database's)")
        if len(self.problems) > self.refused:
            parts.append(f"{plural(len(self.problems) - self.refused, 'document')} not merged")
        if self.refused:
            which = "source or annotator" if self.refused == 1 else "sources or annotators"
            parts.append(f"{self.refused} {which} not merged")
        return "; ".join(parts)


def merge_database(target: Database, other: Database, name: str) -> MergeSummary:
    """Bring the sources, documents, annotations, links, progress and history of ``other``
    into ``target``.

    ``name`` is how messages refer to ``other``.
    """
    summary = MergeSummary(name)
    seen: set[str] = set()

    def source_conflicts(conflicts: tuple[str, ...]) -> None:
        for conflict in conflicts:
            if conflict not in seen:
                seen.add(conflict)
                summary.conflicts.append(f"{name}: {conflict}")

    with record_writer(target) as writer:
        for source in iter_source_records(other):
            if (problem := source_problem(source)) is not None:  # left by an earlier version
                summary.problems.append(f"{name}: {problem}")
                summary.refused += 1
                continue
            result = writer.add_source(source)
            summary.sources += result.created
            source_conflicts(result.conflicts)
        for record in iter_document_records(other, AnnotationFilter(), with_sentences=True,
                                            with_progress=True):
            try:
                if (problem := document_problem(record)) is not None:
                    raise RestoreError(problem)  # a value an earlier version let in
                restored = writer.restore(record, segment_document)
            except RestoreError as error:
                summary.problems.append(
                    f"{name}: document {record.document_id} ({record.title!r}): {error}")
                continue
            if restored.new_document:
                summary.documents_added += 1
                summary.sentences += restored.sentences
            else:
                summary.documents_present += 1
            summary.annotations += restored.annotations
            summary.links += restored.links
            summary.states += restored.states
            summary.positions += restored.positions
            summary.sources += restored.sources
            source_conflicts(restored.source_conflicts)
            summary.conflicts.extend(f"{name}: document {record.document_id}: {conflict}"
                                     for conflict in restored.conflicts)
        # Owners and reviewers come with their annotations; these are the others.
        for annotator in iter_unused_annotators(other):
            if (problem := annotator_problem(annotator)) is not None:
                summary.problems.append(f"{name}: {problem}")
                summary.refused += 1
                continue
            writer.add_annotator(annotator)
    summary.history = merge_history(target, other).added
    return summary
