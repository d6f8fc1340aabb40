"""Writing document records back: documents, sentences, sources, annotators, annotations, links.

Annotations keep their notes and review stamps (the reviewer is added as an
annotator when missing); sources and annotators no annotation uses are written
on their own (:meth:`RecordWriter.add_source`, :meth:`RecordWriter.add_annotator`).

One transaction per document, so a document whose annotations do not fit (a span
crossing a sentence boundary, a link to an unknown annotation) is rolled back
whole and nothing of it is half-stored. What is already stored is never
rewritten: an annotation that exists (same annotator, label and offsets) is
matched rather than added, and a difference in its fields is reported as a
conflict; a canonical source's type is never overwritten either. The same holds for
progress: a sentence mark (done or skipped) is added only where the annotator has
none on that sentence here, and a position only for an annotator who has none here
(positions carry no time, so the one already stored is kept). Both are placed on the
sentence with the same offsets; one whose sentence is cut differently here is
reported and left out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from db.annotations import LINK_ENDS
from db.document_records import (
    DocumentRecord,
    Key,
    PositionRecord,
    SourceRecord,
    SpanRecord,
    StateRecord,
)
from db.documents import NewDocument, Segmenter, SentenceSpan, insert_document_rows
from db.engine import Database
from db.models import (
    LABELS,
    ORIGINS,
    SENTENCE_STATES,
    STATUSES,
    Annotation,
    Annotator,
    Document,
    Link,
    Sentence,
    SentenceState,
    Source,
    SourceAlias,
    as_utc,
    utcnow,
)
from db.values import figure_columns


class RestoreError(ValueError):
    """A document that cannot be stored as given; the message is for the user."""


@dataclass(frozen=True)
class RestoreResult:
    """What restoring one document added (``new_document`` is false for a known text)."""

    document_id: int
    new_document: bool
    sentences: int
    annotations: int
    links: int
    sources: int
    conflicts: tuple[str, ...]
    # Source conflicts recur in every document naming the source; callers report them once.
    source_conflicts: tuple[str, ...] = ()
    states: int = 0  # sentence marks (done or skipped) added
    positions: int = 0  # annotators' positions set


@dataclass(frozen=True)
class SourceResult:
    """The stored source a record maps to, and whether it had to be created."""

    source_id: int
    created: bool
    conflicts: tuple[str, ...]


class RecordWriter:
    """Stores document records over one held connection, one transaction per document."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def restore(self, record: DocumentRecord, segment: Segmenter) -> RestoreResult:
        """Store ``record`` (its text, if new, and whatever of its annotations is missing).

        ``segment`` splits a new text into sentences unless the record brings its own.
        Raises :class:`RestoreError` and stores nothing when the record does not fit.
        """
        return self._retrying(lambda: _DocumentRestore(self.connection, record).run(segment))

    def add_source(self, source: SourceRecord) -> SourceResult:
        """Map a source into the registry (creating it if needed) in its own transaction."""
        return self._retrying(lambda: _resolve_source(self.connection, source))

    def add_annotator(self, name: str) -> bool:
        """Add an annotator by name unless one exists, in its own transaction; whether added."""
        if not name.strip():
            raise RestoreError("empty annotator name")
        return bool(self._retrying(lambda: _ensure_annotators(self.connection, [name])[1]))

    def _retrying(self, work: Any) -> Any:
        # Another process may insert the same document, annotator or source between our
        # check and our insert; the unique constraints catch it and one retry sees its rows.
        for attempt in range(2):
            try:
                with self.connection.begin():
                    return work()
            except IntegrityError:
                if attempt:
                    raise RestoreError(
                        "another process changed the same rows at the same moment; try again"
                    ) from None
        raise AssertionError("unreachable")


@contextmanager
def record_writer(database: Database) -> Iterator[RecordWriter]:
    """A :class:`RecordWriter` for a bulk restore."""
    with database.engine.connect() as connection:
        yield RecordWriter(connection)


def _ensure_annotators(connection: Connection, names: Sequence[str]) -> tuple[dict[str, int], int]:
    """The ids of the annotators called ``names``, adding those missing; and how many were."""
    wanted = sorted(set(names))
    found = dict(connection.execute(
        select(Annotator.name, Annotator.id).where(Annotator.name.in_(wanted))
    ).all()) if wanted else {}
    added = 0
    for name in wanted:
        if name not in found:
            found[name] = int(connection.execute(
                insert(Annotator).values(name=name).returning(Annotator.id)
            ).scalar_one())
            added += 1
    return found, added


# --- sources -------------------------------------------------------------------------------

def _resolve_source(connection: Connection, wanted: SourceRecord) -> SourceResult:
    """The stored source for ``wanted``: by name, else by a unique name/alias match, else new.

    Aliases of ``wanted`` are added to the match, and so is its name when it matched
    under another one; a missing type is filled in, a different one is a conflict.
    """
    conflicts: list[str] = []
    row, candidates = matching_source(connection, wanted.name, wanted.aliases)
    if row is None and candidates:
        matched = ", ".join(repr(candidate[1]) for candidate in candidates)
        conflicts.append(f"source {wanted.name!r} matches several sources by its names or "
                         f"aliases ({matched}); added it as a source of its own")
    if row is None:
        source_id = connection.execute(
            insert(Source).values(name=wanted.name, source_type=wanted.source_type)
            .returning(Source.id)
        ).scalar_one()
        _add_aliases(connection, int(source_id), wanted.name, wanted.aliases)
        return SourceResult(int(source_id), True, tuple(conflicts))
    source_id, name, source_type = int(row[0]), row[1], row[2]
    if wanted.source_type and source_type and wanted.source_type != source_type:
        conflicts.append(f"source {name!r} has type {source_type!r} here but "
                         f"{wanted.source_type!r} in the incoming data; kept {source_type!r}")
    elif wanted.source_type and not source_type:
        connection.execute(update(Source).where(Source.id == source_id)
                           .values(source_type=wanted.source_type))
    _add_aliases(connection, source_id, name, (wanted.name, *wanted.aliases))
    return SourceResult(source_id, False, tuple(conflicts))


def matching_source(
    connection: Connection, name: str, aliases: Sequence[str] = ()
) -> tuple[Row[Any] | None, Sequence[Row[Any]]]:
    """The stored source (id, name, type) a source called ``name`` (also known as
    ``aliases``) is: the one of that name, else the only one whose name or alias is one of
    them; with, when there is none, the several that matched (empty otherwise)."""
    columns = (Source.id, Source.name, Source.source_type)
    row = connection.execute(select(*columns).where(Source.name == name)).first()
    if row is not None:
        return row, ()
    names = {name, *aliases}
    candidates = connection.execute(select(*columns).where(or_(
        Source.name.in_(names),
        Source.id.in_(select(SourceAlias.source_id).where(SourceAlias.alias.in_(names))),
    )).order_by(Source.id)).all()
    if len(candidates) == 1:
        return candidates[0], ()
    return None, candidates


def _add_aliases(connection: Connection, source_id: int, name: str, aliases: Sequence[str]) -> None:
    known = set(connection.scalars(
        select(SourceAlias.alias).where(SourceAlias.source_id == source_id)
    ))
    missing = sorted({alias for alias in aliases if alias and alias != name} - known)
    if missing:
        connection.execute(insert(SourceAlias),
                           [{"source_id": source_id, "alias": alias} for alias in missing])


# --- one document --------------------------------------------------------------------------

@dataclass(frozen=True)
class _StoredSentence:
    id: int
    start: int
    end: int


class _DocumentRestore:
    """The work of restoring one record, inside the caller's transaction."""

    def __init__(self, connection: Connection, record: DocumentRecord) -> None:
        self.connection = connection
        self.record = record
        self.conflicts: list[str] = []
        self.source_conflicts: list[str] = []
        self.sources_created = 0

    def run(self, segment: Segmenter) -> RestoreResult:
        record = self.record
        _check_record(record)
        document_id = self.connection.scalar(
            select(Document.id).where(Document.content_hash == record.content_hash)
        )
        new_document = document_id is None
        sentence_count = 0
        if document_id is None:
            spans = ([SentenceSpan(start, end) for start, end in record.sentences]
                     if record.sentences is not None else list(segment(record.text)))
            document = NewDocument(
                title=record.title, text=record.text, content_hash=record.content_hash,
                origin=record.origin, external_id=record.external_id, meta=dict(record.meta),
            )
            document_id = insert_document_rows(self.connection, document, spans)
            sentence_count = len(spans)
        sentences = self._sentences(int(document_id))
        annotators = self._annotator_ids()
        ids, added = self._annotations(int(document_id), sentences, annotators)
        links = self._links(int(document_id), ids)
        by_bounds = {(sentence.start, sentence.end): sentence.id for sentence in sentences}
        states = self._states(record.states, by_bounds, annotators)
        positions = self._positions(record.positions, by_bounds, annotators)
        return RestoreResult(int(document_id), new_document, sentence_count, added, links,
                             self.sources_created, tuple(self.conflicts),
                             tuple(self.source_conflicts), states, positions)

    def _placed(
        self, what: str, item: StateRecord | PositionRecord, by_bounds: dict[tuple[int, int], int]
    ) -> int | None:
        sentence_id = by_bounds.get((item.start, item.end))
        if sentence_id is None:
            self.conflicts.append(f"{item.annotator}'s {what} on the sentence at {item.start}:"
                                  f"{item.end}: no sentence here has those offsets; left out")
        return sentence_id

    def _states(
        self, states: Sequence[StateRecord], by_bounds: dict[tuple[int, int], int],
        annotators: dict[str, int],
    ) -> int:
        """Add the marks the annotators do not have here yet; returns how many."""
        if not states:
            return 0
        stored = {(int(annotator), int(sentence)): state for annotator, sentence, state in
                  self.connection.execute(
                      select(SentenceState.annotator_id, SentenceState.sentence_id,
                             SentenceState.state)
                      .where(SentenceState.sentence_id.in_(list(by_bounds.values()))))}
        rows = []
        now = utcnow()
        for item in states:
            sentence_id = self._placed(f"{item.state} mark", item, by_bounds)
            if sentence_id is None:
                continue
            pair = (annotators[item.annotator], sentence_id)
            if pair in stored:
                if stored[pair] != item.state:
                    self.conflicts.append(
                        f"{item.annotator}'s sentence at {item.start}:{item.end} is "
                        f"{stored[pair]} here but {item.state} in the incoming data; kept "
                        f"{stored[pair]}")
                continue
            stored[pair] = item.state
            rows.append({"annotator_id": pair[0], "sentence_id": sentence_id,
                         "state": item.state, "updated_at": _utc(item.updated_at) or now})
        if rows:
            self.connection.execute(insert(SentenceState), rows)
        return len(rows)

    def _positions(
        self, positions: Sequence[PositionRecord], by_bounds: dict[tuple[int, int], int],
        annotators: dict[str, int],
    ) -> int:
        """Set the positions of annotators who have none here; returns how many."""
        added = 0
        for item in positions:
            sentence_id = self._placed("position", item, by_bounds)
            if sentence_id is None:
                continue
            added += self.connection.execute(
                update(Annotator)
                .where(Annotator.id == annotators[item.annotator],
                       Annotator.last_sentence_id.is_(None))
                .values(last_sentence_id=sentence_id)
            ).rowcount
        return added

    def _sentences(self, document_id: int) -> list[_StoredSentence]:
        return [
            _StoredSentence(int(row[0]), int(row[1]), int(row[2]))
            for row in self.connection.execute(
                select(Sentence.id, Sentence.start, Sentence.end)
                .where(Sentence.document_id == document_id).order_by(Sentence.start)
            )
        ]

    def _annotator_ids(self) -> dict[str, int]:
        """Owners and reviewers of the record's annotations, and the annotators of its marks
        and positions, added when missing."""
        names = [span.annotator for span in self.record.annotations]
        names += [span.reviewed_by for span in self.record.annotations
                  if span.reviewed_by is not None]
        names += [item.annotator for item in (*self.record.states, *self.record.positions)]
        return _ensure_annotators(self.connection, names)[0]

    def _source_ids(self) -> dict[str, int]:
        described = {source.name: source for source in self.record.sources}
        found: dict[str, int] = {}
        for name in sorted({s.source for s in self.record.annotations if s.source is not None}):
            result = _resolve_source(self.connection, described.get(name, SourceRecord(name)))
            found[name] = result.source_id
            self.sources_created += result.created
            self.source_conflicts.extend(result.conflicts)
        return found

    def _annotations(
        self, document_id: int, sentences: list[_StoredSentence], annotators: dict[str, int]
    ) -> tuple[dict[Key, int], int]:
        """Match or insert every annotation; returns record key -> stored id, and how many added."""
        starts = [sentence.start for sentence in sentences]
        sources = self._source_ids()
        existing = self._existing(document_id)
        ids: dict[Key, int] = {}
        pending: dict[tuple[int, int, str, int, int], list[Key]] = {}
        rows: list[dict[str, Any]] = []
        now = utcnow()
        for span in self.record.annotations:
            sentence = _containing(sentences, starts, span)
            identity = (sentence.id, annotators[span.annotator], span.label,
                        span.doc_start - sentence.start, span.doc_end - sentence.start)
            source_id = sources.get(span.source) if span.source is not None else None
            reviewer_id = annotators[span.reviewed_by] if span.reviewed_by is not None else None
            if identity in existing:
                stored_id, stored = existing[identity]
                ids[span.key] = stored_id
                self._compare(span, stored, source_id, reviewer_id)
                continue
            if identity in pending:
                pending[identity].append(span.key)
                continue
            pending[identity] = [span.key]
            rows.append({
                "sentence_id": sentence.id, "document_id": document_id,
                "annotator_id": identity[1], "label": span.label, "start": identity[3],
                "end": identity[4], "doc_start": span.doc_start, "doc_end": span.doc_end,
                "text": span.text, "source_id": source_id, **figure_columns(span.figure),
                "attrs": dict(span.attrs), "status": span.status, "origin": span.origin,
                "created_at": _utc(span.created_at) or now,
                "updated_at": _utc(span.updated_at) or now,
                "note": span.note, "reviewed_by": reviewer_id,
                "reviewed_at": _utc(span.reviewed_at),
            })
        if rows:
            new_ids = self.connection.execute(
                insert(Annotation).returning(Annotation.id, sort_by_parameter_order=True), rows
            ).scalars().all()
            for keys, new_id in zip(pending.values(), new_ids, strict=True):
                for key in keys:
                    ids[key] = int(new_id)
        return ids, len(rows)

    def _existing(self, document_id: int) -> dict[tuple[int, int, str, int, int], tuple[int, Any]]:
        query = (
            select(Annotation.sentence_id, Annotation.annotator_id, Annotation.label,
                   Annotation.start, Annotation.end, Annotation.id, Annotation.status,
                   Annotation.source_id, Annotation.figure_value, Annotation.figure_unit,
                   Annotation.figure_qualifier, Annotation.attrs, Annotation.note,
                   Annotation.reviewed_by)
            .where(Annotation.document_id == document_id)
        )
        return {tuple(row[:5]): (int(row[5]), row) for row in self.connection.execute(query)}

    def _compare(
        self, span: SpanRecord, stored: Any, source_id: int | None, reviewer_id: int | None
    ) -> None:
        differences = []
        figure = figure_columns(span.figure)
        pairs = (
            ("status", stored.status, span.status),
            ("source", stored.source_id, source_id),
            ("figure value", stored.figure_value, figure["figure_value"]),
            ("figure unit", stored.figure_unit, figure["figure_unit"]),
            ("figure qualifier", stored.figure_qualifier, figure["figure_qualifier"]),
            ("attributes", dict(stored.attrs or {}), dict(span.attrs)),
            ("note", stored.note, span.note),
            ("reviewer", stored.reviewed_by, reviewer_id),
        )
        for name, here, incoming in pairs:
            if here != incoming:
                differences.append(name)
        if differences:
            self.conflicts.append(
                f"{span.annotator}'s {span.label} {_short(span.text)} at {span.doc_start}:"
                f"{span.doc_end} differs in {', '.join(differences)}; kept the stored one"
            )

    def _links(self, document_id: int, ids: dict[Key, int]) -> int:
        labels = {span.key: span.label for span in self.record.annotations}
        stored = set(self.connection.execute(
            select(Link.from_id, Link.to_id, Link.type)
            .join(Annotation, Annotation.id == Link.from_id)
            .where(Annotation.document_id == document_id)
        ).all())
        rows = []
        for link in self.record.links:
            if link.from_key not in ids or link.to_key not in ids:
                missing = link.from_key if link.from_key not in ids else link.to_key
                raise RestoreError(f"link {link.type} refers to unknown annotation {missing!r}")
            ends = LINK_ENDS.get(link.type)
            if ends is None or (labels[link.from_key], labels[link.to_key]) != ends:
                raise RestoreError(
                    f"link {link.type} from {labels[link.from_key]} {link.from_key!r} to "
                    f"{labels[link.to_key]} {link.to_key!r} does not fit "
                    "(claim attributed_to source, figure supports claim)"
                )
            triple = (ids[link.from_key], ids[link.to_key], link.type)
            if triple[0] == triple[1]:
                raise RestoreError(f"link {link.type} from {link.from_key!r} to itself")
            if triple not in stored:
                stored.add(triple)
                rows.append({"from_id": triple[0], "to_id": triple[1], "type": triple[2]})
        if rows:
            self.connection.execute(insert(Link), rows)
        return len(rows)


def _containing(
    sentences: list[_StoredSentence], starts: list[int], span: SpanRecord
) -> _StoredSentence:
    """The sentence holding the whole span; a span across a boundary is an error."""
    position = bisect_right(starts, span.doc_start) - 1
    if position >= 0:
        sentence = sentences[position]
        if sentence.start <= span.doc_start and span.doc_end <= sentence.end:
            return sentence
    raise RestoreError(
        f"annotation {span.key!r} ({span.label} {span.doc_start}:{span.doc_end} "
        f"{_short(span.text)}) is not inside one sentence"
    )


def _check_record(record: DocumentRecord) -> None:
    """Refuse values the schema would reject, with a message instead of a constraint error."""
    for span in record.annotations:
        where = f"annotation {span.key!r}"
        if span.label not in LABELS:
            raise RestoreError(f"{where}: unknown label {span.label!r}")
        if span.status not in STATUSES:
            raise RestoreError(f"{where}: unknown status {span.status!r}")
        if span.origin not in ORIGINS:
            raise RestoreError(f"{where}: unknown origin {span.origin!r}")
        if not 0 <= span.doc_start < span.doc_end <= len(record.text):
            raise RestoreError(f"{where}: offsets {span.doc_start}:{span.doc_end} do not fit "
                               f"the text of length {len(record.text)}")
        if record.text[span.doc_start : span.doc_end] != span.text:
            raise RestoreError(f"{where}: text {_short(span.text)} is not what the document "
                               f"has at {span.doc_start}:{span.doc_end}")
        if not span.annotator.strip():
            raise RestoreError(f"{where}: empty annotator name")
    for item in (*record.states, *record.positions):
        where = f"{item.annotator!r}'s mark on the sentence at {item.start}:{item.end}"
        if isinstance(item, StateRecord) and item.state not in SENTENCE_STATES:
            raise RestoreError(f"{where}: unknown state {item.state!r}")
        if not item.annotator.strip():
            raise RestoreError(f"{where}: empty annotator name")


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes that are UTC; say so before another engine reads them."""
    return None if value is None else as_utc(value)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
