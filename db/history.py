"""The append-only change log, and undo/redo built on it.

Every user action writes one *group* of entries, each holding a row's state
before and after. Undo appends a group that puts the ``before`` states back;
redo appends a group that reverts an undo. Nothing in the log is ever edited,
so the history survives restarts and stays a faithful record for review.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Annotation, ChangeLogEntry, Link, SentenceState, Source, utcnow

Snapshot = dict[str, Any]


class HistoryError(ValueError):
    """An undo or redo that cannot be applied; the message is for the user."""


def annotation_snapshot(annotation: Annotation) -> Snapshot:
    """An annotation's columns as JSON-safe values."""
    return {
        "id": annotation.id, "sentence_id": annotation.sentence_id,
        "document_id": annotation.document_id, "annotator_id": annotation.annotator_id,
        "label": annotation.label, "start": annotation.start, "end": annotation.end,
        "doc_start": annotation.doc_start, "doc_end": annotation.doc_end,
        "text": annotation.text, "source_id": annotation.source_id,
        "figure_value": annotation.figure_value, "figure_unit": annotation.figure_unit,
        "figure_qualifier": annotation.figure_qualifier, "attrs": dict(annotation.attrs or {}),
        "status": annotation.status, "origin": annotation.origin,
        "created_at": annotation.created_at.isoformat() if annotation.created_at else None,
        "reviewed_by": annotation.reviewed_by,
        "reviewed_at": annotation.reviewed_at.isoformat() if annotation.reviewed_at else None,
        "note": annotation.note,
    }


def link_snapshot(link: Link) -> Snapshot:
    """A link's columns as JSON-safe values."""
    return {"id": link.id, "from_id": link.from_id, "to_id": link.to_id, "type": link.type,
            "created_at": link.created_at.isoformat() if link.created_at else None}


def state_snapshot(state: SentenceState) -> Snapshot:
    """A sentence state's columns as JSON-safe values."""
    return {"annotator_id": state.annotator_id, "sentence_id": state.sentence_id,
            "state": state.state}


class ChangeRecorder:
    """Writes the entries of one user action, all in the caller's transaction."""

    def __init__(
        self, session: Session, annotator_id: int, action: str,
        reverts_group_id: int | None = None,
    ) -> None:
        self.session = session
        self.annotator_id = annotator_id
        self.action = action
        self.reverts_group_id = reverts_group_id
        self.group_id: int | None = None

    def record(
        self, entity: str, entity_id: int, before: Snapshot | None, after: Snapshot | None
    ) -> None:
        """Append one entry; the first entry's id becomes the group's id."""
        entry = ChangeLogEntry(
            annotator_id=self.annotator_id, group_id=self.group_id, action=self.action,
            entity=entity, entity_id=entity_id, before=before, after=after,
            reverts_group_id=self.reverts_group_id,
        )
        self.session.add(entry)
        self.session.flush()
        if self.group_id is None:
            self.group_id = entry.id
            entry.group_id = entry.id

    def record_many(self, entity: str, changes: list[tuple[int, Snapshot, Snapshot]]) -> None:
        """Append one entry per ``(entity_id, before, after)`` in one statement (bulk work)."""
        if not changes:
            return
        if self.group_id is None:
            first, *changes = changes
            self.record(entity, *first)
            self.session.flush()  # the group id, set after the entry's insert, is stored
        if changes:
            self.session.execute(insert(ChangeLogEntry), [
                {"annotator_id": self.annotator_id, "group_id": self.group_id,
                 "action": self.action, "entity": entity, "entity_id": entity_id,
                 "before": before, "after": after, "reverts_group_id": self.reverts_group_id,
                 "at": utcnow()}
                for entity_id, before, after in changes
            ])


@dataclass(frozen=True)
class _Group:
    group_id: int
    action: str


def _groups_newest_first(session: Session, annotator_id: int) -> Iterator[_Group]:
    query = (
        select(ChangeLogEntry.group_id, ChangeLogEntry.action)
        .where(ChangeLogEntry.annotator_id == annotator_id,
               ChangeLogEntry.id == ChangeLogEntry.group_id)
        .order_by(ChangeLogEntry.group_id.desc())
        .execution_options(yield_per=200)
    )
    for group_id, action in session.execute(query):
        yield _Group(int(group_id), action)


def undo_target(session: Session, annotator_id: int) -> int | None:
    """The group an undo would revert: the newest forward action not yet undone."""
    pending_undos = 0
    for group in _groups_newest_first(session, annotator_id):
        if group.action == "undo":
            pending_undos += 1
        elif pending_undos:
            pending_undos -= 1
        else:
            return group.group_id
    return None


def redo_target(session: Session, annotator_id: int) -> int | None:
    """The undo group a redo would revert, or ``None`` once a new action has been taken."""
    pending_redos = 0
    for group in _groups_newest_first(session, annotator_id):
        if group.action == "redo":
            pending_redos += 1
        elif group.action == "undo":
            if not pending_redos:
                return group.group_id
            pending_redos -= 1
        else:
            return None
    return None


def revert_group(session: Session, annotator_id: int, group_id: int, action: str) -> int | None:
    """Put back the ``before`` state of every entry of a group, newest entry first.

    Logs the reversal as a new group (``action`` is "undo" or "redo") and returns
    the sentence it touched. Entries are read in chunks; a run of updates to
    distinct annotations (what a bulk decision writes) is put back with one
    statement per chunk instead of one round trip per row.
    """
    recorder = ChangeRecorder(session, annotator_id, action, reverts_group_id=group_id)
    sentence_id: int | None = None
    try:
        for chunk in _entries_newest_first(session, annotator_id, group_id):
            run: list[ChangeLogEntry] = []
            in_run: set[int | None] = set()
            for entry in chunk:
                if _is_update(entry) and entry.entity_id not in in_run:
                    run.append(entry)
                    in_run.add(entry.entity_id)
                    continue
                sentence_id = _restore_updates(session, recorder, run) or sentence_id
                run = [entry] if _is_update(entry) else []
                in_run = {entry.entity_id} if run else set()
                if not run:
                    touched = _restore(session, recorder, entry.entity, entry.entity_id,
                                       entry.before)
                    sentence_id = touched if touched is not None else sentence_id
                    session.flush()
            sentence_id = _restore_updates(session, recorder, run) or sentence_id
    except IntegrityError:
        raise HistoryError(f"cannot {action}: the change conflicts with a later one") from None
    return sentence_id


REVERT_CHUNK = 1_000


def _entries_newest_first(
    session: Session, annotator_id: int, group_id: int
) -> Iterator[list[ChangeLogEntry]]:
    # A group is written by one annotator: naming them lets the (annotator, group)
    # index find the entries instead of a scan of the whole log.
    last: int | None = None
    while True:
        query = select(ChangeLogEntry).where(ChangeLogEntry.annotator_id == annotator_id,
                                             ChangeLogEntry.group_id == group_id)
        if last is not None:
            query = query.where(ChangeLogEntry.id < last)
        chunk = list(session.scalars(query.order_by(ChangeLogEntry.id.desc())
                                     .limit(REVERT_CHUNK)))
        if not chunk:
            return
        last = chunk[-1].id
        yield chunk


def _is_update(entry: ChangeLogEntry) -> bool:
    return entry.entity == "annotation" and bool(entry.before) and bool(entry.after)


def _restore_updates(
    session: Session, recorder: ChangeRecorder, run: list[ChangeLogEntry]
) -> int | None:
    """Put back the ``before`` of updates to distinct annotations, all at once."""
    if len(run) <= 1:
        if run:
            touched = _restore(session, recorder, "annotation", run[0].entity_id, run[0].before)
            session.flush()
            return touched
        return None
    ids = [int(entry.entity_id or 0) for entry in run]
    session.flush()
    current = {annotation.id: annotation_snapshot(annotation) for annotation in
               session.scalars(select(Annotation).where(Annotation.id.in_(ids)))}
    # The rows are written below with Core; no stale copy may stay in the session.
    session.expunge_all()
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    changes: list[tuple[int, Snapshot, Snapshot]] = []
    for entry in run:
        annotation_id = int(entry.entity_id or 0)
        if annotation_id not in current:
            raise HistoryError(f"cannot {recorder.action}: annotation {annotation_id} it "
                               "changed has been deleted since")
        target = dict(entry.before or {})
        values = {key: value for key, value in target.items() if key not in ("id", "created_at")}
        if values.get("reviewed_at"):
            values["reviewed_at"] = datetime.fromisoformat(values["reviewed_at"])
        by_columns.setdefault(tuple(sorted(values)), []).append(
            {"target_id": annotation_id, **values, "updated_at": utcnow()})
        changes.append((annotation_id, current[annotation_id], target))
    table = Annotation.__table__
    for columns, rows in by_columns.items():
        session.execute(
            update(table).where(table.c.id == bindparam("target_id"))
            .values({name: bindparam(name) for name in (*columns, "updated_at")}), rows)
    recorder.record_many("annotation", changes)
    return int(run[0].before["sentence_id"]) if run[0].before else None


def _restore(
    session: Session, recorder: ChangeRecorder, entity: str, entity_id: int | None,
    target: Snapshot | None,
) -> int | None:
    if entity == "annotation":
        return _restore_annotation(session, recorder, int(entity_id or 0), target)
    if entity == "link":
        return _restore_link(session, recorder, int(entity_id or 0), target)
    if entity == "sentence_state":
        return _restore_state(session, recorder, int(entity_id or 0), target)
    if entity == "source":
        _restore_source_origin(session, recorder, int(entity_id or 0), target)
        return None
    raise HistoryError(f"cannot revert a change to {entity!r}")


def _restore_annotation(
    session: Session, recorder: ChangeRecorder, annotation_id: int, target: Snapshot | None
) -> int | None:
    current = session.get(Annotation, annotation_id)
    before = annotation_snapshot(current) if current is not None else None
    if target is None:
        if current is not None:
            for link in session.scalars(select(Link).where(
                (Link.from_id == annotation_id) | (Link.to_id == annotation_id)
            )):
                recorder.record("link", link.id, link_snapshot(link), None)
                session.delete(link)
            session.flush()
            session.delete(current)
        recorder.record("annotation", annotation_id, before, None)
        return before["sentence_id"] if before else None
    values = dict(target)
    created = values.pop("created_at", None)
    if values.get("reviewed_at"):
        values["reviewed_at"] = datetime.fromisoformat(values["reviewed_at"])
    if current is None:
        current = Annotation(**values)
        if created:
            current.created_at = datetime.fromisoformat(created)
        session.add(current)
    else:
        for key, value in values.items():
            setattr(current, key, value)
    session.flush()
    recorder.record("annotation", annotation_id, before, annotation_snapshot(current))
    return int(target["sentence_id"])


def _restore_link(
    session: Session, recorder: ChangeRecorder, link_id: int, target: Snapshot | None
) -> int | None:
    current = session.get(Link, link_id)
    before = link_snapshot(current) if current is not None else None
    if target is None:
        if current is not None:
            session.delete(current)
    elif current is None:
        values = dict(target)
        created = values.pop("created_at", None)  # absent from entries of older versions
        link = Link(**values)
        if created:
            link.created_at = datetime.fromisoformat(created)
        session.add(link)
    recorder.record("link", link_id, before, target)
    end = target or before
    if end is None:
        return None
    source = session.get(Annotation, end["from_id"])
    return source.sentence_id if source is not None else None


def _restore_source_origin(
    session: Session, recorder: ChangeRecorder, source_id: int, target: Snapshot | None
) -> None:
    """Put back who a source is registered by (see db.sources.adopt_source); the source
    itself is never removed by an undo, the registry being shared."""
    source = session.get(Source, source_id)
    if source is None or target is None:
        return
    before = {"id": source.id, "origin": source.origin}
    source.origin = str(target.get("origin") or source.origin)
    session.flush()
    recorder.record("source", source_id, before, {"id": source.id, "origin": source.origin})


def _restore_state(
    session: Session, recorder: ChangeRecorder, sentence_id: int, target: Snapshot | None
) -> int:
    write_sentence_state(session, recorder, sentence_id, target["state"] if target else None)
    return sentence_id


def write_sentence_state(
    session: Session, recorder: ChangeRecorder, sentence_id: int, state: str | None, *,
    had_state: bool = True,
) -> None:
    """Set (``None``: clear) the recorder's annotator's state of a sentence, and log it.

    ``had_state=False`` tells that the caller checked, in this transaction, that the
    annotator has no state for it (no read to find the current one)."""
    annotator_id = recorder.annotator_id
    current = session.get(SentenceState, (annotator_id, sentence_id)) if had_state else None
    before = state_snapshot(current) if current is not None else None
    if state is None:
        session.execute(delete(SentenceState).where(
            SentenceState.annotator_id == annotator_id, SentenceState.sentence_id == sentence_id
        ))
    elif current is None:
        session.add(SentenceState(annotator_id=annotator_id, sentence_id=sentence_id,
                                  state=state))
    else:
        current.state = state
    after = None if state is None else {
        "annotator_id": annotator_id, "sentence_id": sentence_id, "state": state}
    recorder.record("sentence_state", sentence_id, before, after)


def undo(database: Database, annotator_id: int) -> int | None:
    """Undo the annotator's latest action; returns the sentence touched, ``None`` if none."""
    return _step(database, annotator_id, "undo")


def redo(database: Database, annotator_id: int) -> int | None:
    """Redo the annotator's latest undone action; returns the sentence touched."""
    return _step(database, annotator_id, "redo")


def _step(database: Database, annotator_id: int, action: str) -> int | None:
    with database.transaction() as session:
        find = undo_target if action == "undo" else redo_target
        group_id = find(session, annotator_id)
        if group_id is None:
            return None
        return revert_group(session, annotator_id, group_id, action)
