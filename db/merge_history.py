"""Carrying another database's change log into this one, for ``merge``.

The change log is what undo, redo and the review screen's history (``h``) read. Its
entries name rows by id (the entry's ``entity_id``, the ids inside its ``before`` and
``after`` snapshots, its group and the group it reverts), and ids differ between two
databases; so every entry is written here with each id mapped to this database's row:

- annotators by name, documents by their text's hash, sentences by their offsets in
  the document (a snapshot's sentence, by the sentence here that holds its span);
- an annotation by its identity as merge matches annotations (document, annotator,
  label, document offsets): the annotation's current row in the other database, or
  the entry's own snapshot for one deleted since;
- a link by its two mapped ends and its type; a source by name, then by a unique alias;
- a group (and the group an undo reverts) by the entry that opened it.

An id with no counterpart here (an annotation deleted in the other database and never
merged) becomes ``None``: the entry still tells what happened, and an undo of it
creates a new row rather than touching an unrelated one.

An entry already here (same annotator, time, action, entity and mapped entity id) is
not added again, so merging twice adds nothing. Entries are read in id order and
written in batches, one transaction each: a merge stopped midway is finished by
running it again.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update

from db.engine import Database
from db.models import (
    Annotation,
    Annotator,
    ChangeLogEntry,
    Document,
    Link,
    Sentence,
    Source,
    as_utc,
)
from db.restore import matching_source

HISTORY_BATCH = 500
# The entity of the entry a suggestion run leaves per document (db/suggestions.py).
_DOCUMENT_ENTITIES = frozenset({"document_suggestions"})
Snapshot = dict[str, Any]
_Identity = tuple[int, int, str, int, int]  # document, annotator, label, doc_start, doc_end


@dataclass(frozen=True)
class HistoryResult:
    """What merging a change log added: entries, and those of them naming no row here."""

    added: int = 0
    unmapped: int = 0


class _Mapper:
    """Ids of the other database (``theirs``) as ids of this one (``ours``), looked up in
    bulk per batch and remembered."""

    def __init__(self, theirs: Connection, ours: Connection) -> None:
        self.theirs = theirs
        self.ours = ours
        self.annotators: dict[int, int] = {}
        self.documents: dict[int, int] = {}
        self.sentences: dict[int, int | None] = {}
        self.links: dict[int, int | None] = {}
        self.sources: dict[int, int | None] = {}
        # This database's sentences and annotations of a document, read once each.
        self._our_sentences: dict[int, tuple[list[int], list[tuple[int, int, int]]]] = {}
        self._our_annotations: dict[int, dict[tuple[int, str, int, int], int]] = {}
        # The other database's live rows: sentence -> (document, start, end), annotation ->
        # identity, link -> (from, to, type).
        self._their_sentences: dict[int, tuple[int, int, int] | None] = {}
        self._their_annotations: dict[int, tuple[_Identity, datetime | None] | None] = {}

    # --- whole tables, once ------------------------------------------------------------

    def load_fixed(self) -> None:
        """Annotators (by name) and documents (by their text's hash)."""
        annotator_ids = dict(self.ours.execute(select(Annotator.name, Annotator.id)).all())
        for their_id, name in self.theirs.execute(select(Annotator.id, Annotator.name)):
            if name in annotator_ids:
                self.annotators[int(their_id)] = int(annotator_ids[name])
        ours = dict(self.ours.execute(select(Document.content_hash, Document.id)).all())
        for their_id, digest in self.theirs.execute(select(Document.id, Document.content_hash)):
            if digest in ours:
                self.documents[int(their_id)] = int(ours[digest])

    # --- sentences ----------------------------------------------------------------------

    def _our_document(self, document_id: int) -> tuple[list[int], list[tuple[int, int, int]]]:
        found = self._our_sentences.get(document_id)
        if found is None:
            rows = [(int(start), int(end), int(sentence_id)) for sentence_id, start, end in
                    self.ours.execute(select(Sentence.id, Sentence.start, Sentence.end)
                                      .where(Sentence.document_id == document_id)
                                      .order_by(Sentence.start))]
            found = ([row[0] for row in rows], rows)
            self._our_sentences[document_id] = found
        return found

    def our_sentence(self, document_id: int | None, start: int, end: int) -> tuple[int, int] | None:
        """Our sentence holding ``start:end`` of our document: its id and start offset."""
        if document_id is None:
            return None
        starts, rows = self._our_document(document_id)
        position = bisect_right(starts, start) - 1
        if position >= 0 and rows[position][0] <= start and end <= rows[position][1]:
            return rows[position][2], rows[position][0]
        return None

    def prepare_sentences(self, ids: Iterable[int]) -> None:
        wanted = sorted({i for i in ids if i not in self.sentences})
        for chunk in _chunks(wanted):
            for sentence_id, document_id, start, end in self.theirs.execute(
                select(Sentence.id, Sentence.document_id, Sentence.start, Sentence.end)
                .where(Sentence.id.in_(chunk))
            ):
                self._their_sentences[int(sentence_id)] = (int(document_id), int(start),
                                                           int(end))
        for sentence_id in wanted:
            their = self._their_sentences.get(sentence_id)
            mapped = None
            if their is not None:
                document = self.documents.get(their[0])
                if document is not None:
                    _starts, rows = self._our_document(document)
                    mapped = next((row[2] for row in rows
                                   if (row[0], row[1]) == (their[1], their[2])), None)
            self.sentences[sentence_id] = mapped

    # --- annotations and links ------------------------------------------------------------

    def _our_annotation(self, identity: _Identity) -> int | None:
        document = self.documents.get(identity[0])
        annotator = self.annotators.get(identity[1])
        if document is None or annotator is None:
            return None
        known = self._our_annotations.get(document)
        if known is None:
            known = {
                (int(a), label, int(s), int(e)): int(i) for i, a, label, s, e in
                self.ours.execute(select(Annotation.id, Annotation.annotator_id,
                                         Annotation.label, Annotation.doc_start,
                                         Annotation.doc_end)
                                  .where(Annotation.document_id == document))
            }
            self._our_annotations[document] = known
        return known.get((annotator, identity[2], identity[3], identity[4]))

    def load_annotations(self, ids: Iterable[int]) -> None:
        """Read the other database's rows of these annotations (those still there)."""
        missing = sorted({i for i in ids if i not in self._their_annotations})
        for chunk in _chunks(missing):
            for row in self.theirs.execute(
                select(Annotation.id, Annotation.document_id, Annotation.annotator_id,
                       Annotation.label, Annotation.doc_start, Annotation.doc_end,
                       Annotation.created_at)
                .where(Annotation.id.in_(chunk))
            ):
                self._their_annotations[int(row[0])] = (
                    (int(row[1]), int(row[2]), row[3], int(row[4]), int(row[5])),
                    as_utc(row[6]) if row[6] is not None else None)
        for annotation_id in missing:
            self._their_annotations.setdefault(annotation_id, None)

    def annotation(self, their_id: int, snapshots: list[Snapshot]) -> int | None:
        """Our annotation for theirs, as an entry with ``snapshots`` (its after, then its
        before) names it. The row still there is it unless the snapshot was taken of an
        annotation created at another time (SQLite reuses the id of a deleted row); then,
        and for an annotation deleted since, the snapshot tells its identity."""
        live = self._their_annotations.get(their_id)
        created = next((_time(s.get("created_at")) for s in snapshots
                        if _time(s.get("created_at")) is not None), None)
        if live is not None and (created is None or live[1] is None or created == live[1]):
            return self._our_annotation(live[0])
        for snapshot in snapshots:
            identity = _snapshot_identity(snapshot)
            found = None if identity is None else self._our_annotation(identity)
            if found is not None:
                return found
        return None

    def live_annotation(self, their_id: int) -> int | None:
        """Our annotation for theirs by its row there (a link's end)."""
        live = self._their_annotations.get(their_id)
        return None if live is None else self._our_annotation(live[0])

    def prepare_links(self, wanted: dict[int, tuple[int, int, str] | None]) -> None:
        missing = sorted(i for i in wanted if i not in self.links)
        live: dict[int, tuple[int, int, str]] = {}
        for chunk in _chunks(missing):
            for link_id, from_id, to_id, kind in self.theirs.execute(
                select(Link.id, Link.from_id, Link.to_id, Link.type).where(Link.id.in_(chunk))
            ):
                live[int(link_id)] = (int(from_id), int(to_id), kind)
        ends = {i: live.get(i) or wanted[i] for i in missing}
        self.load_annotations(end for triple in ends.values() if triple is not None
                              for end in triple[:2])
        mapped: dict[int, tuple[int, int, str]] = {}
        for link_id, triple in ends.items():
            if triple is None:
                continue
            from_id = self.live_annotation(triple[0])
            to_id = self.live_annotation(triple[1])
            if from_id is not None and to_id is not None:
                mapped[link_id] = (from_id, to_id, triple[2])
        ours: dict[tuple[int, int, str], int] = {}
        froms = sorted({triple[0] for triple in mapped.values()})
        for chunk in _chunks(froms):
            for link_id, from_id, to_id, kind in self.ours.execute(
                select(Link.id, Link.from_id, Link.to_id, Link.type)
                .where(Link.from_id.in_(chunk))
            ):
                ours[(int(from_id), int(to_id), kind)] = int(link_id)
        for link_id in missing:
            triple = mapped.get(link_id)
            self.links[link_id] = None if triple is None else ours.get(triple)

    def prepare_sources(self, ids: Iterable[int]) -> None:
        missing = sorted({i for i in ids if i not in self.sources})
        names: dict[int, str] = {}
        for chunk in _chunks(missing):
            names.update((int(i), n) for i, n in self.theirs.execute(
                select(Source.id, Source.name).where(Source.id.in_(chunk))))
        for source_id in missing:
            name = names.get(source_id)
            # The source merge mapped it to (db.restore, which made their name an alias of it)
            found = None if name is None else matching_source(self.ours, name)[0]
            self.sources[source_id] = None if found is None else int(found[0])


def _chunks(values: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _snapshot_identity(snapshot: Snapshot | None) -> _Identity | None:
    """The annotation identity an annotation snapshot tells, in the other database's ids."""
    if not snapshot:
        return None
    values = [_int(snapshot.get(key)) for key in ("document_id", "annotator_id", "doc_start",
                                                  "doc_end")]
    label = snapshot.get("label")
    if None in values or not isinstance(label, str):
        return None
    document, annotator, start, end = (int(v or 0) for v in values)
    return document, annotator, label, start, end


def _time(value: Any) -> datetime | None:
    """A snapshot's ISO time as an aware UTC time (SQLite's are naive and UTC)."""
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def _link_ends(snapshot: Snapshot | None) -> tuple[int, int, str] | None:
    if not snapshot:
        return None
    from_id, to_id, kind = _int(snapshot.get("from_id")), _int(snapshot.get("to_id")), \
        snapshot.get("type")
    if from_id is None or to_id is None or not isinstance(kind, str):
        return None
    return from_id, to_id, kind


class _Entry:
    """One entry of the other database, as read."""

    def __init__(self, row: Any) -> None:
        (self.id, self.at, self.annotator_id, self.group_id, self.action, self.entity,
         self.entity_id, self.before, self.after, self.reverts_group_id) = row
        self.at = as_utc(self.at)


def _prepare(mapper: _Mapper, entries: list[_Entry]) -> None:
    """Look up, in bulk, every id the batch's entries name."""
    annotations: set[int] = set()
    links: dict[int, tuple[int, int, str] | None] = {}
    sentences: set[int] = set()
    sources: set[int] = set()
    for entry in entries:
        snapshots = [s for s in (entry.before, entry.after) if isinstance(s, dict)]
        if entry.entity == "annotation":
            if _int(entry.entity_id) is not None:
                annotations.add(int(entry.entity_id))
            for snapshot in snapshots:
                if _int(snapshot.get("source_id")) is not None:
                    sources.add(int(snapshot["source_id"]))
        elif entry.entity == "link":
            if _int(entry.entity_id) is not None:
                ends = next((e for e in map(_link_ends, snapshots) if e is not None), None)
                links[int(entry.entity_id)] = ends
        elif entry.entity == "sentence_state" and _int(entry.entity_id) is not None:
            sentences.add(int(entry.entity_id))
    mapper.load_annotations(annotations)
    mapper.prepare_links(links)
    for entry in entries:  # a link snapshot's ends
        if entry.entity == "link":
            mapper.load_annotations(
                int(s[key]) for s in (entry.before, entry.after) if isinstance(s, dict)
                for key in ("from_id", "to_id") if _int(s.get(key)) is not None)
    mapper.prepare_sentences(sentences)
    mapper.prepare_sources(sources)


def _map_annotation(mapper: _Mapper, snapshot: Snapshot, entity_id: int | None) -> Snapshot:
    mapped = dict(snapshot)
    document = mapper.documents.get(_int(snapshot.get("document_id")) or 0)
    mapped["id"] = entity_id
    mapped["document_id"] = document
    for key in ("annotator_id", "reviewed_by"):
        value = _int(snapshot.get(key))
        mapped[key] = None if value is None else mapper.annotators.get(value)
    source = _int(snapshot.get("source_id"))
    mapped["source_id"] = None if source is None else mapper.sources.get(source)
    start, end = _int(snapshot.get("doc_start")), _int(snapshot.get("doc_end"))
    sentence = None if start is None or end is None else \
        mapper.our_sentence(document, start, end)
    if "sentence_id" in snapshot:
        mapped["sentence_id"] = None if sentence is None else sentence[0]
    if sentence is not None and start is not None and end is not None:
        # Offsets into our sentence, which may start elsewhere than theirs.
        mapped["start"], mapped["end"] = start - sentence[1], end - sentence[1]
    return mapped


def _map_snapshot(
    mapper: _Mapper, entity: str, snapshot: Any, entity_id: int | None
) -> Any:
    if not isinstance(snapshot, dict):
        return snapshot
    if entity == "annotation":
        return _map_annotation(mapper, snapshot, entity_id)
    mapped = dict(snapshot)
    if entity == "link":
        mapped["id"] = entity_id
        for key in ("from_id", "to_id"):
            value = _int(snapshot.get(key))
            mapped[key] = None if value is None else mapper.live_annotation(value)
    elif entity == "sentence_state":
        annotator = _int(snapshot.get("annotator_id"))
        mapped["annotator_id"] = None if annotator is None else mapper.annotators.get(annotator)
        mapped["sentence_id"] = entity_id
    return mapped


def _entity_id(mapper: _Mapper, entry: _Entry) -> int | None:
    their = _int(entry.entity_id)
    if their is None:
        return None
    if entry.entity == "annotation":
        snapshots = [s for s in (entry.after, entry.before) if isinstance(s, dict)]
        return mapper.annotation(their, snapshots)
    if entry.entity == "link":
        return mapper.links.get(their)
    if entry.entity == "sentence_state":
        return mapper.sentences.get(their)
    if entry.entity in _DOCUMENT_ENTITIES:
        return mapper.documents.get(their)
    return None


_Key = tuple[int | None, datetime, str, str, int | None]

_COLUMNS = (ChangeLogEntry.id, ChangeLogEntry.at, ChangeLogEntry.annotator_id,
            ChangeLogEntry.group_id, ChangeLogEntry.action, ChangeLogEntry.entity,
            ChangeLogEntry.entity_id, ChangeLogEntry.before, ChangeLogEntry.after,
            ChangeLogEntry.reverts_group_id)


def _ours_like(ours: Connection, keys: list[_Key]) -> dict[_Key, list[int]]:
    """This database's entries with one of ``keys``, each key's ids in order. Found through
    the (entity, entity_id) index; an entry naming no row, through its annotator's."""
    conditions = []
    by_entity: dict[str, set[int]] = {}
    unnamed: set[int | None] = set()
    for annotator, _at, _action, entity, entity_id in keys:
        if entity_id is None:
            unnamed.add(annotator)
        else:
            by_entity.setdefault(entity, set()).add(entity_id)
    for entity, ids in sorted(by_entity.items()):
        conditions.append(and_(ChangeLogEntry.entity == entity,
                               ChangeLogEntry.entity_id.in_(sorted(ids))))
    if unnamed:
        annotators = sorted(a for a in unnamed if a is not None)
        who = ChangeLogEntry.annotator_id.in_(annotators)
        if None in unnamed:
            who = or_(who, ChangeLogEntry.annotator_id.is_(None))
        times = sorted({key[1] for key in keys if key[4] is None})
        conditions.append(and_(ChangeLogEntry.entity_id.is_(None), who,
                               ChangeLogEntry.at.in_(times)))
    wanted = set(keys)
    found: dict[_Key, list[int]] = {}
    for entry_id, at, annotator, action, entity, entity_id in ours.execute(
        select(ChangeLogEntry.id, ChangeLogEntry.at, ChangeLogEntry.annotator_id,
               ChangeLogEntry.action, ChangeLogEntry.entity, ChangeLogEntry.entity_id)
        .where(or_(*conditions))
        .order_by(ChangeLogEntry.id)
    ):
        key = (annotator, as_utc(at), action, entity, entity_id)
        if key in wanted:
            found.setdefault(key, []).append(int(entry_id))
    return found


_SET_GROUPS = (
    update(ChangeLogEntry)
    .where(ChangeLogEntry.id == bindparam("entry_id"))
    .values(group_id=bindparam("new_group"), reverts_group_id=bindparam("new_reverts"))
)


def merge_history(target: Database, other: Database) -> HistoryResult:
    """Append the change log of ``other`` to ``target``'s, every id mapped (module docstring).

    Call it once the documents, annotations and annotators of ``other`` are merged: an
    entry is only tied to rows that are here.
    """
    added = unmapped = 0
    # Their entry id -> ours (added or found here), for groups and the groups undone.
    entries: dict[int, int] = {}
    claimed: set[int] = set()
    with other.engine.connect() as theirs, target.engine.connect() as ours:
        mapper = _Mapper(theirs, ours)
        with ours.begin():
            mapper.load_fixed()
        theirs.rollback()  # each read of theirs ends its (autobegun) read transaction
        last = 0
        while True:
            batch = [_Entry(row) for row in theirs.execute(
                select(*_COLUMNS).where(ChangeLogEntry.id > last)
                .order_by(ChangeLogEntry.id).limit(HISTORY_BATCH))]
            if not batch:
                theirs.rollback()
                break
            last = int(batch[-1].id)
            with ours.begin():
                _prepare(mapper, batch)
                keyed = [(entry, _key(mapper, entry)) for entry in batch]
                present = _ours_like(ours, [key for _entry, key in keyed])
                rows: list[dict[str, Any]] = []
                sources: list[_Entry] = []
                for entry, key in keyed:
                    annotator, entity_id = key[0], key[4]
                    match = next((i for i in present.get(key, ()) if i not in claimed), None)
                    if match is not None:
                        claimed.add(match)
                        entries[int(entry.id)] = match
                        continue
                    if entity_id is None and entry.entity_id is not None:
                        unmapped += 1
                    rows.append({
                        "at": entry.at, "annotator_id": annotator, "action": entry.action,
                        "entity": entry.entity, "entity_id": entity_id,
                        "before": _map_snapshot(mapper, entry.entity, entry.before, entity_id),
                        "after": _map_snapshot(mapper, entry.entity, entry.after, entity_id),
                        "group_id": None, "reverts_group_id": None,
                    })
                    sources.append(entry)
                if not rows:
                    continue
                new_ids = ours.execute(
                    insert(ChangeLogEntry).returning(ChangeLogEntry.id,
                                                     sort_by_parameter_order=True), rows
                ).scalars().all()
                for entry, new_id in zip(sources, new_ids, strict=True):
                    entries[int(entry.id)] = int(new_id)
                    claimed.add(int(new_id))
                groups = [
                    {"entry_id": int(new_id),
                     "new_group": _group(entries, entry.group_id),
                     "new_reverts": _group(entries, entry.reverts_group_id)}
                    for entry, new_id in zip(sources, new_ids, strict=True)
                    if entry.group_id is not None or entry.reverts_group_id is not None
                ]
                if groups:
                    ours.execute(_SET_GROUPS, groups)
                added += len(rows)
            theirs.rollback()
    return HistoryResult(added, unmapped)


def _key(mapper: _Mapper, entry: _Entry) -> _Key:
    """What identifies an entry across databases: who, when, what, and the row (our id)."""
    annotator = None if entry.annotator_id is None \
        else mapper.annotators.get(int(entry.annotator_id))
    return (annotator, entry.at, entry.action, entry.entity, _entity_id(mapper, entry))


def _group(entries: dict[int, int], group_id: int | None) -> int | None:
    return None if group_id is None else entries.get(int(group_id))
