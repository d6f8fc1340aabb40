"""Importing articles: read, normalize, segment, store one document per transaction.

Native JSONL lines (documents with annotations and links) go through
:mod:`db.restore`, in one transaction per document as well; so do its registry
lines (a source or an annotator no annotation uses), one transaction each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.io.reader import (
    NativeDocument,
    NativeRegistry,
    RawDocument,
    ReadProblem,
    expand_inputs,
    read_documents,
)
from annotator.io.textfile import content_hash
from annotator.text.segment import split_sentences
from db.documents import NewDocument, SentenceSpan, document_writer
from db.engine import Database
from db.restore import RecordWriter, RestoreError


@dataclass
class ImportSummary:
    """What an import did; ``problems`` lists every skipped file or line."""

    documents: int = 0
    sentences: int = 0
    duplicates: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    # Filled by native JSONL lines only.
    native: bool = False
    annotations: int = 0
    links: int = 0
    sources: int = 0  # added by registry lines (those of annotations are not counted)
    annotators: int = 0  # added by registry lines
    states: int = 0  # done (or skipped) marks
    positions: int = 0
    conflicts: list[ReadProblem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """How many inputs (files or lines) were skipped for an error."""
        return len(self.problems)

    def describe(self) -> str:
        """The one-line summary printed after an import."""
        parts = [
            f"imported {self.documents} document{'s' * (self.documents != 1)} "
            f"({self.sentences} sentence{'s' * (self.sentences != 1)})"
        ]
        if self.native:
            parts[0] += (f", {self.annotations} annotation{'s' * (self.annotations != 1)}, "
                         f"{self.links} link{'s' * (self.links != 1)}")
            if self.states or self.positions:
                parts[0] += (f", {self.states} done mark{'s' * (self.states != 1)}, "
                             f"{self.positions} position{'s' * (self.positions != 1)}")
        if self.duplicates:
            nothing = not (self.annotations or self.links)
            parts.append(f"{self.duplicates} already present"
                         + (", nothing added for them" if nothing else ""))
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflict{'s' * (len(self.conflicts) != 1)} "
                         "(stored values kept)")
        parts.append(f"{self.skipped} skipped")
        return "; ".join(parts)


def segment_document(text: str) -> list[SentenceSpan]:
    """Sentence spans of a normalized document text."""
    return [SentenceSpan(start, end) for start, end in split_sentences(text)]


def new_document(raw: RawDocument) -> NewDocument:
    """The stored form of a raw document: its text's hash is its identity."""
    return NewDocument(
        title=raw.title, text=raw.text, content_hash=content_hash(raw.text), origin=raw.origin,
        external_id=raw.external_id, meta=raw.meta,
    )


def import_paths(
    database: Database,
    paths: Iterable[Path],
    *,
    on_file: Callable[[Path], None] | None = None,
) -> ImportSummary:
    """Import every file under ``paths``; bad files and lines are recorded, not fatal.

    ``on_file`` is called after each input file, for progress display.
    """
    summary = ImportSummary()
    with document_writer(database) as writer:
        restorer = RecordWriter(writer.connection)
        for item in expand_inputs(paths):
            if isinstance(item, ReadProblem):
                summary.problems.append(item)
                continue
            for entry in read_documents(item):
                if isinstance(entry, ReadProblem):
                    summary.problems.append(entry)
                    continue
                if isinstance(entry, NativeDocument):
                    _restore(restorer, entry, summary)
                    continue
                if isinstance(entry, NativeRegistry):
                    _register(restorer, entry, summary)
                    continue
                document_id, count = writer.add(new_document(entry), segment_document)
                if document_id is None:
                    summary.duplicates += 1
                else:
                    summary.documents += 1
                    summary.sentences += count
                    summary.document_ids.append(document_id)
            if on_file is not None:
                on_file(item)
    return summary


def _restore(writer: RecordWriter, entry: NativeDocument, summary: ImportSummary) -> None:
    """Store a native document with its annotations; a failure stores nothing of it."""
    summary.native = True
    where = entry.where
    try:
        result = writer.restore(entry.record, segment_document)
    except RestoreError as error:
        summary.problems.append(ReadProblem(where, str(error)))
        return
    if result.new_document:
        summary.documents += 1
        summary.sentences += result.sentences
        summary.document_ids.append(result.document_id)
    else:
        summary.duplicates += 1
    summary.annotations += result.annotations
    summary.links += result.links
    summary.states += result.states
    summary.positions += result.positions
    summary.conflicts.extend(ReadProblem(where, conflict) for conflict in result.conflicts)
    known = {problem.message for problem in summary.conflicts}
    for conflict in result.source_conflicts:
        if conflict not in known:  # a source conflict is reported where it first shows
            known.add(conflict)
            summary.conflicts.append(ReadProblem(where, conflict))


def _register(writer: RecordWriter, entry: NativeRegistry, summary: ImportSummary) -> None:
    """Store a source or annotator no annotation uses; what exists already is kept."""
    summary.native = True
    try:
        if isinstance(entry.entry, str):
            summary.annotators += writer.add_annotator(entry.entry)
            return
        result = writer.add_source(entry.entry)
    except RestoreError as error:
        summary.problems.append(ReadProblem(entry.where, str(error)))
        return
    summary.sources += result.created
    known = {problem.message for problem in summary.conflicts}
    summary.conflicts.extend(ReadProblem(entry.where, conflict)
                             for conflict in result.conflicts if conflict not in known)


def count_input_files(paths: Iterable[Path]) -> int:
    """How many files an import of ``paths`` will read (for sizing a progress bar)."""
    return sum(1 for item in expand_inputs(paths) if isinstance(item, Path))
