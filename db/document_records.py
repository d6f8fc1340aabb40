"""Whole documents with their annotations, links and sources, one document at a time.

This is the portable shape of the data: the native JSONL, Prodigy, doccano and
brat exports are written from it, ``merge`` reads another database through it,
and :mod:`db.restore` writes it back. Offsets are into the document text;
annotations are named by ``key`` (a database id here, a file's own id on import)
and links refer to those keys. Read with ``with_progress``, a record also carries
each annotator's done (or skipped) marks on its sentences and where an annotator last
was, both named by the sentence's offsets so they survive any renumbering.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, select
from sqlalchemy.orm import aliased

from db.engine import Database
from db.filters import AnnotationFilter
from db.models import (
    Annotation,
    Annotator,
    Document,
    Link,
    Sentence,
    SentenceState,
    Source,
    SourceAlias,
)
from db.sources import visible_source
from db.values import Figure, figure_of

# Documents carry their whole text; a small batch keeps the cursor's buffer small.
DOCUMENT_BATCH = 50
Key = str | int


@dataclass(frozen=True)
class SourceRecord:
    """A canonical source of the registry: its name is its identity."""

    name: str
    source_type: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpanRecord:
    """An annotation with document offsets; ``source`` names a :class:`SourceRecord`."""

    key: Key
    annotator: str
    label: str
    doc_start: int
    doc_end: int
    text: str
    status: str = "accepted"
    origin: str = "imported"
    source: str | None = None
    figure: Figure | None = None  # its ``value_max``, if any, stays in ``attrs``
    attrs: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    note: str | None = None
    reviewed_by: str | None = None  # the reviewer's name
    reviewed_at: datetime | None = None


@dataclass(frozen=True)
class LinkRecord:
    """A link between two annotations of the same document, by their keys."""

    from_key: Key
    to_key: Key
    type: str


@dataclass(frozen=True)
class StateRecord:
    """An annotator's mark on the sentence at ``start:end`` of the document (done/skipped)."""

    annotator: str
    start: int
    end: int
    state: str = "done"
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PositionRecord:
    """Where an annotator last was: the sentence at ``start:end`` of the document."""

    annotator: str
    start: int
    end: int


@dataclass(frozen=True)
class DocumentRecord:
    """A document and everything annotated in it.

    ``sentences`` (start, end pairs) is given when read from a database, so a
    merge copies the other database's segmentation; ``None`` means "segment it".
    """

    title: str
    text: str
    content_hash: str
    origin: str | None = None
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: tuple[SpanRecord, ...] = ()
    links: tuple[LinkRecord, ...] = ()
    sources: tuple[SourceRecord, ...] = ()
    sentences: tuple[tuple[int, int], ...] | None = None
    document_id: int | None = None
    states: tuple[StateRecord, ...] = ()
    positions: tuple[PositionRecord, ...] = ()


def iter_document_records(
    database: Database, selection: AnnotationFilter, *, with_sentences: bool = False,
    with_progress: bool = False,
) -> Iterator[DocumentRecord]:
    """Stream documents in id order, each with the annotations the filter keeps.

    A link is kept when both its ends are. ``with_progress`` adds the sentence marks
    and positions (of the filter's annotators, when it names some). Documents are streamed over one
    connection while each one's details are read over a second.
    """
    query = select(
        Document.id, Document.title, Document.text, Document.content_hash, Document.origin,
        Document.external_id, Document.meta,
    ).order_by(Document.id)
    if selection.document_ids:
        query = query.where(Document.id.in_(selection.document_ids))
    with database.engine.connect() as documents, database.engine.connect() as details:
        stream = documents.execution_options(stream_results=True, yield_per=DOCUMENT_BATCH)
        for row in stream.execute(query):
            # Each document is one consistent read, ended before the consumer gets it.
            with details.begin():
                record = _record(details, row, selection, with_sentences)
                if with_progress:
                    record = _with_progress(details, record, selection)
            yield record


def _record(
    connection: Connection, row: Any, selection: AnnotationFilter, with_sentences: bool
) -> DocumentRecord:
    document_id = int(row[0])
    reviewer = aliased(Annotator)
    spans = [
        SpanRecord(
            key=int(key), annotator=name, label=label, doc_start=doc_start, doc_end=doc_end,
            text=text, status=status, origin=origin, source=source,
            figure=figure_of(value, unit, qualifier), attrs=dict(attrs or {}),
            created_at=created_at, updated_at=updated_at, note=note, reviewed_by=reviewed_by,
            reviewed_at=reviewed_at,
        )
        for (key, name, label, doc_start, doc_end, text, status, origin, source, value, unit,
             qualifier, attrs, created_at, updated_at, note, reviewed_by, reviewed_at)
        in connection.execute(
            select(Annotation.id, Annotator.name, Annotation.label, Annotation.doc_start,
                   Annotation.doc_end, Annotation.text, Annotation.status, Annotation.origin,
                   Source.name, Annotation.figure_value, Annotation.figure_unit,
                   Annotation.figure_qualifier, Annotation.attrs, Annotation.created_at,
                   Annotation.updated_at, Annotation.note, reviewer.name,
                   Annotation.reviewed_at)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .outerjoin(Source, Source.id == Annotation.source_id)
            .outerjoin(reviewer, reviewer.id == Annotation.reviewed_by)
            .where(Annotation.document_id == document_id, *selection.conditions())
        )
    ]
    # Sorted here, not in SQL: collations differ between engines, and an export of the
    # same data must not.
    spans.sort(key=lambda s: (s.doc_start, s.doc_end, s.label, s.annotator, s.key))
    kept = {span.key for span in spans}
    links = [
        LinkRecord(int(from_id), int(to_id), kind)
        for from_id, to_id, kind in connection.execute(
            select(Link.from_id, Link.to_id, Link.type)
            .join(Annotation, Annotation.id == Link.from_id)
            .where(Annotation.document_id == document_id)
            .order_by(Link.from_id, Link.to_id, Link.type)
        )
        if from_id in kept and to_id in kept
    ]
    names = sorted({span.source for span in spans if span.source is not None})
    sentences = None
    if with_sentences:
        sentences = tuple(
            (int(start), int(end)) for start, end in connection.execute(
                select(Sentence.start, Sentence.end)
                .where(Sentence.document_id == document_id).order_by(Sentence.index)
            )
        )
    return DocumentRecord(
        title=row[1], text=row[2], content_hash=row[3], origin=row[4], external_id=row[5],
        meta=dict(row[6] or {}), annotations=tuple(spans), links=tuple(links),
        sources=tuple(_sources(connection, names)), sentences=sentences,
        document_id=document_id,
    )


def _with_progress(
    connection: Connection, record: DocumentRecord, selection: AnnotationFilter
) -> DocumentRecord:
    """``record`` with its sentences' marks and the positions in it, in offset order."""
    mine = [Annotator.name.in_(selection.annotators)] if selection.annotators else []
    states = [
        StateRecord(name, int(start), int(end), state, updated_at)
        for name, start, end, state, updated_at in connection.execute(
            select(Annotator.name, Sentence.start, Sentence.end, SentenceState.state,
                   SentenceState.updated_at)
            .join(Sentence, Sentence.id == SentenceState.sentence_id)
            .join(Annotator, Annotator.id == SentenceState.annotator_id)
            .where(Sentence.document_id == record.document_id, *mine)
        )
    ]
    positions = [
        PositionRecord(name, int(start), int(end))
        for name, start, end in connection.execute(
            select(Annotator.name, Sentence.start, Sentence.end)
            .join(Sentence, Sentence.id == Annotator.last_sentence_id)
            .where(Sentence.document_id == record.document_id, *mine)
        )
    ]
    # Sorted here, not in SQL, as the spans are: the same data exports alike on both engines.
    states.sort(key=lambda s: (s.start, s.end, s.annotator))
    positions.sort(key=lambda p: (p.annotator, p.start))
    return replace(record, states=tuple(states), positions=tuple(positions))


def _sources(connection: Connection, names: list[str]) -> Iterator[SourceRecord]:
    if not names:
        return
    aliases: dict[int, list[str]] = {}
    rows = connection.execute(
        select(Source.id, Source.name, Source.source_type).where(Source.name.in_(names))
    ).all()
    for source_id, alias in connection.execute(
        select(SourceAlias.source_id, SourceAlias.alias)
        .where(SourceAlias.source_id.in_([row[0] for row in rows]))
    ):
        aliases.setdefault(source_id, []).append(alias)
    for source_id, name, source_type in sorted(rows, key=lambda row: row[1]):
        yield SourceRecord(name, source_type, tuple(sorted(aliases.get(source_id, ()))))


def iter_source_records(database: Database, *, unused: bool = False) -> Iterator[SourceRecord]:
    """Every canonical source of the registry people see (:func:`db.sources.visible_source`)
    with its aliases, by name; with ``unused``, only those no annotation is mapped to (the
    document records carry the others)."""
    query = (
        select(Source.id, Source.name, Source.source_type, SourceAlias.alias)
        .outerjoin(SourceAlias, SourceAlias.source_id == Source.id)
        .order_by(Source.name, Source.id, SourceAlias.alias)
    )
    query = query.where(visible_source())
    if unused:
        query = query.where(~exists().where(Annotation.source_id == Source.id))
    with database.engine.connect() as connection:
        stream = connection.execution_options(stream_results=True, yield_per=1_000)
        current: tuple[int, str, str | None] | None = None
        aliases: list[str] = []
        for source_id, name, source_type, alias in stream.execute(query):
            if current is None or current[0] != source_id:
                if current is not None:
                    yield SourceRecord(current[1], current[2], tuple(aliases))
                current, aliases = (source_id, name, source_type), []
            if alias is not None:
                aliases.append(alias)
        if current is not None:
            yield SourceRecord(current[1], current[2], tuple(aliases))


def iter_unused_annotators(database: Database) -> Iterator[str]:
    """Names of the annotators who neither own nor reviewed an annotation, by name (the
    document records name all the others)."""
    query = (
        select(Annotator.name)
        .where(~exists().where(Annotation.annotator_id == Annotator.id),
               ~exists().where(Annotation.reviewed_by == Annotator.id))
        .order_by(Annotator.name)
    )
    with database.engine.connect() as connection:
        stream = connection.execution_options(stream_results=True, yield_per=1_000)
        yield from stream.scalars(query)
