"""Reviewing annotations: a keyset-paged listing, decisions, edits, bulk decisions, history.

Nothing here reads more than a page: the listing is a keyset query (the sort
columns end with the id, so a page starts strictly after the previous page's
last row) and a bulk decision walks the filtered ids in chunks. Every decision
or edit is one transaction and one change-log group of the *reviewer*, so the
reviewer's undo reverts it through :mod:`db.history`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select, tuple_, update
from sqlalchemy.orm import aliased

from db.annotations import (
    SpanError,
    change_figure,
    change_label,
    change_source,
)
from db.engine import Database
from db.history import ChangeRecorder, Snapshot, annotation_snapshot
from db.models import (
    LABELS,
    Annotation,
    Annotator,
    ChangeLogEntry,
    Document,
    Link,
    Sentence,
    Source,
    utcnow,
)
from db.read_models import (
    REVIEW_SORTS,
    FieldChange,
    HistoryEntry,
    ReviewQuery,
    ReviewRow,
    SentenceContext,
)
from db.sources import register_alias, register_source, rerun_on_conflict
from db.text_match import contains
from db.values import figure_of

PAGE_SIZE = 100
BULK_CHUNK = 1_000
DECISIONS = ("accepted", "rejected")
# Snapshot keys a history line does not show: identity and placement never change.
_FIXED_FIELDS = {"id", "sentence_id", "document_id", "doc_start", "doc_end", "created_at"}

_Reviewer = aliased(Annotator)
_Target = aliased(Annotation)
_TargetSource = aliased(Source)


def _sort_columns(sort: str) -> tuple[Any, ...]:
    if sort not in REVIEW_SORTS:
        raise SpanError(f"unknown sort {sort!r}; expected one of {', '.join(REVIEW_SORTS)}")
    return {
        "position": (Annotation.document_id, Annotation.doc_start, Annotation.id),
        "label": (Annotation.label, Annotation.id),
        "annotator": (Annotator.name, Annotation.id),
        "status": (Annotation.status, Annotation.id),
        "text": (Annotation.text, Annotation.id),
        # Newest first: descending ids, so the keyset compares negated ids.
        "newest": (-Annotation.id,),
    }[sort]


def query_conditions(
    query: ReviewQuery, annotator_ids: list[int] | None = None
) -> list[ColumnElement[bool]]:
    """WHERE conditions on :class:`Annotation` alone (no join), for listing and bulk work.

    With ``annotator_ids`` (the query's annotator names, resolved), the annotator
    condition compares ids directly: for one annotator the planner can then walk the
    (annotator, document) index in order instead of sorting all their rows.
    """
    selection = query.selection
    if annotator_ids is not None:
        selection = replace(selection, annotators=())
    found = selection.conditions()
    if annotator_ids is not None:
        found.append(Annotation.annotator_id.in_(annotator_ids))
    if query.text.strip():
        found.append(contains(Annotation.text, query.text.strip()))
    if query.reviewed == "yes":
        found.append(Annotation.reviewed_by.is_not(None))
    elif query.reviewed == "no":
        found.append(Annotation.reviewed_by.is_(None))
    return found


def _resolved_conditions(connection: Connection, query: ReviewQuery) -> list[ColumnElement[bool]]:
    names = query.selection.annotators
    if not names:
        return query_conditions(query)
    ids = list(connection.scalars(select(Annotator.id).where(Annotator.name.in_(names))))
    return query_conditions(query, ids)


def _attributed(column: Any) -> Any:
    """``column`` of the source span a claim is attributed to (the lowest link id); never a
    rejected span, as in the annotation list: a link to one does not count."""
    return (
        select(column)
        .select_from(Link)
        .join(_Target, _Target.id == Link.to_id)
        .outerjoin(_TargetSource, _TargetSource.id == _Target.source_id)
        .where(Link.from_id == Annotation.id, Link.type == "attributed_to",
               _Target.status != "rejected")
        .order_by(Link.id)
        .limit(1)
        .correlate(Annotation)
        .scalar_subquery()
    )


def _row_query(*sort_key: Any) -> Any:
    """The listing's columns for each annotation, then ``sort_key`` (the keyset columns)."""
    return (
        select(
            Annotation.id, Annotation.document_id, Document.title, Annotation.sentence_id,
            Sentence.index, Annotation.label, Annotation.text, Annotation.start, Annotation.end,
            Annotator.name, Annotation.status, Annotation.origin, Annotation.source_id,
            Source.name, Source.source_type, _attributed(_Target.text),
            _attributed(_TargetSource.name), Annotation.figure_value, Annotation.figure_unit,
            Annotation.figure_qualifier, Annotation.note, _Reviewer.name,
            Annotation.reviewed_at, *sort_key,
        )
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .join(Document, Document.id == Annotation.document_id)
        .outerjoin(Source, Source.id == Annotation.source_id)
        .outerjoin(_Reviewer, _Reviewer.id == Annotation.reviewed_by)
    )


def _review_row(row: Any) -> ReviewRow:
    values = tuple(row)
    (identifier, document_id, document_title, sentence_id, sentence_index, label, text, start,
     end, annotator, status, origin, source_id, source_name, source_type, attributed_text,
     attributed_source, value, unit, qualifier, note, reviewed_by, reviewed_at) = values[:23]
    return ReviewRow(
        id=identifier, document_id=document_id, document_title=document_title,
        sentence_id=sentence_id, sentence_index=sentence_index, label=label, text=text,
        start=start, end=end, annotator=annotator, status=status, origin=origin,
        source_id=source_id, source_name=source_name, source_type=source_type,
        attributed_text=attributed_text, attributed_source=attributed_source,
        figure=figure_of(value, unit, qualifier), note=note, reviewed_by=reviewed_by,
        reviewed_at=reviewed_at, sort_key=values[23:],
    )


def review_page(
    database: Database, query: ReviewQuery, after: tuple[Any, ...] | None = None,
    limit: int = PAGE_SIZE,
) -> list[ReviewRow]:
    """Up to ``limit`` rows of the listing, starting after the row whose key is ``after``.

    The page's ids are chosen from the annotations alone (filter, keyset, order,
    limit); only those rows are then joined with their sentence, document, source
    and reviewer, so a filter matching most of a large corpus still joins one page.
    """
    keys = _sort_columns(query.sort)
    page = select(Annotation.id.label("page_id"),
                  *(key.label(f"key_{n}") for n, key in enumerate(keys)))
    if query.sort == "annotator":
        page = page.join(Annotator, Annotator.id == Annotation.annotator_id)
    if after is not None:
        page = page.where(tuple_(*keys) > tuple_(*after))
    with database.engine.connect() as connection:
        page = page.where(*_resolved_conditions(connection, query))
        chosen = page.order_by(*keys).limit(limit).subquery("page")
        ordered = [chosen.c[f"key_{n}"] for n in range(len(keys))]
        statement = (_row_query(*ordered).join(chosen, chosen.c.page_id == Annotation.id)
                     .order_by(*ordered))
        return [_review_row(row) for row in connection.execute(statement)]


def count_rows(database: Database, query: ReviewQuery) -> int:
    """How many annotations the listing holds (what a bulk decision would touch, at most)."""
    with database.engine.connect() as connection:
        statement = (select(func.count()).select_from(Annotation)
                     .where(*_resolved_conditions(connection, query)))
        return int(connection.scalar(statement) or 0)


def review_row(database: Database, annotation_id: int, sort: str = "position") -> ReviewRow | None:
    """One row of the listing, read again (after a decision or an edit)."""
    statement = _row_query(*_sort_columns(sort)).where(Annotation.id == annotation_id)
    with database.engine.connect() as connection:
        row = connection.execute(statement).first()
    return _review_row(row) if row is not None else None


def sentence_context(database: Database, sentence_id: int) -> SentenceContext:
    """A sentence, its neighbours' texts and its place in the document."""
    with database.engine.connect() as connection:
        row = connection.execute(
            select(Sentence.document_id, Sentence.index, Sentence.text, Document.title)
            .join(Document, Document.id == Sentence.document_id)
            .where(Sentence.id == sentence_id)
        ).first()
        if row is None:
            raise SpanError(f"no sentence with id {sentence_id}")
        document_id, index, text, title = row
        neighbours = dict(connection.execute(
            select(Sentence.index, Sentence.text).where(
                Sentence.document_id == document_id, Sentence.index.in_((index - 1, index + 1))
            )
        ).all())
        count = connection.scalar(
            select(func.count()).select_from(Sentence).where(Sentence.document_id == document_id)
        )
    return SentenceContext(
        sentence_id=sentence_id, document_title=title, index=int(index),
        sentence_count=int(count or 0), text=text, previous_text=neighbours.get(index - 1),
        next_text=neighbours.get(index + 1),
    )


# --- decisions and edits --------------------------------------------------------------------

@contextmanager
def _review_action(
    database: Database, reviewer_id: int, action: str
) -> Iterator[ChangeRecorder]:
    # A busy database propagates: the session's WriteRunner waits it out (db/retry.py).
    with database.transaction() as session:
        yield ChangeRecorder(session, reviewer_id, action)


def _annotation(recorder: ChangeRecorder, annotation_id: int) -> Annotation:
    annotation = recorder.session.get(Annotation, annotation_id)
    if annotation is None:
        raise SpanError(f"no annotation with id {annotation_id}")
    return annotation


def _logged_update(recorder: ChangeRecorder, annotation: Annotation, **values: Any) -> None:
    before = annotation_snapshot(annotation)
    for key, value in values.items():
        setattr(annotation, key, value)
    recorder.session.flush()
    recorder.record("annotation", annotation.id, before, annotation_snapshot(annotation))


def decide(database: Database, reviewer_id: int, annotation_id: int, status: str) -> None:
    """Accept or reject one annotation, stamped with the reviewer and the time."""
    if status not in DECISIONS:
        raise SpanError(f"a decision is one of {', '.join(DECISIONS)}, not {status!r}")
    action = "accept" if status == "accepted" else "reject"
    with _review_action(database, reviewer_id, action) as recorder:
        annotation = _annotation(recorder, annotation_id)
        _logged_update(recorder, annotation, status=status, reviewed_by=recorder.annotator_id,
                       reviewed_at=utcnow())


def set_note(database: Database, reviewer_id: int, annotation_id: int, note: str | None) -> None:
    """Attach a reviewer's note to an annotation (an empty note removes it)."""
    with _review_action(database, reviewer_id, "note") as recorder:
        annotation = _annotation(recorder, annotation_id)
        _logged_update(recorder, annotation, note=(note or "").strip() or None)


def relabel(database: Database, reviewer_id: int, annotation_id: int, label: str) -> None:
    """Change any annotator's label as a reviewer (links that no longer fit are removed)."""
    if label not in LABELS:
        raise SpanError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
    with _review_action(database, reviewer_id, "review_relabel") as recorder:
        change_label(recorder, _annotation(recorder, annotation_id), label)


def set_source(
    database: Database, reviewer_id: int, annotation_id: int, source_id: int | None
) -> None:
    """Map a span (or a claim, directly) to a canonical source as a reviewer."""
    with _review_action(database, reviewer_id, "review_set_source") as recorder:
        change_source(recorder, _annotation(recorder, annotation_id), source_id)


def pick_source_with_alias(
    database: Database, reviewer_id: int, annotation_id: int, source_id: int,
    alias: str | None,
) -> None:
    """Map a span to a registered source and record ``alias`` as another name of it, as a
    reviewer, in one transaction: both are stored or neither."""
    def unit() -> None:
        with _review_action(database, reviewer_id, "review_set_source") as recorder:
            change_source(recorder, _annotation(recorder, annotation_id), source_id)
            register_alias(recorder.session, source_id, alias, recorder)

    rerun_on_conflict(unit)


def create_and_set_source(
    database: Database, reviewer_id: int, annotation_id: int, name: str,
    source_type: str | None, aliases: tuple[str, ...] = (),
) -> int:
    """Register a source (or find the one of that name) and map a span to it, as a
    reviewer, in one transaction: if the span cannot take it, the registry is left as it
    was. Returns the source's id."""
    def unit() -> int:
        with _review_action(database, reviewer_id, "review_set_source") as recorder:
            source_id = register_source(recorder.session, name, source_type, aliases,
                                        recorder=recorder)
            change_source(recorder, _annotation(recorder, annotation_id), source_id)
            return source_id

    return rerun_on_conflict(unit)


def set_figure(
    database: Database, reviewer_id: int, annotation_id: int,
    value: float | None, unit: str | None, qualifier: str | None,
) -> None:
    """Correct a figure's value, unit and qualifier as a reviewer."""
    with _review_action(database, reviewer_id, "review_set_figure") as recorder:
        change_figure(recorder, _annotation(recorder, annotation_id), value, unit, qualifier)


def bulk_decide(database: Database, reviewer_id: int, query: ReviewQuery, status: str) -> int:
    """Accept or reject every annotation the query lists, as one undoable action.

    The matching ids come in id order from one streamed query on a second
    connection (one plan and one sort, whatever the filter); each chunk of them is
    updated with one statement and logged with one entry per annotation, so memory
    stays flat. Rows already carrying this decision are left alone. Returns how
    many annotations changed.
    """
    if status not in DECISIONS:
        raise SpanError(f"a decision is one of {', '.join(DECISIONS)}, not {status!r}")
    action = "bulk_accept" if status == "accepted" else "bulk_reject"
    matching = (
        select(Annotation.id)
        .where(*query_conditions(query),
               or_(Annotation.status != status, Annotation.reviewed_by.is_(None)))
        .order_by(Annotation.id)
    )
    changed = 0
    with database.engine.connect() as reader, \
            _review_action(database, reviewer_id, action) as recorder:
        session = recorder.session
        stamp = {"status": status, "reviewed_by": recorder.annotator_id, "reviewed_at": utcnow()}
        after = {**stamp, "reviewed_at": stamp["reviewed_at"].isoformat()}
        stream = reader.execution_options(stream_results=True, yield_per=BULK_CHUNK)
        for ids in stream.scalars(matching).partitions(BULK_CHUNK):
            befores = [annotation_snapshot(annotation) for annotation in session.scalars(
                select(Annotation).where(Annotation.id.in_(ids)).order_by(Annotation.id))]
            session.expunge_all()
            session.execute(update(Annotation).where(Annotation.id.in_(ids))
                            .values(**stamp, updated_at=utcnow()))
            recorder.record_many("annotation", [(before["id"], before, {**before, **after})
                                                for before in befores])
            changed += len(befores)
    return changed


# --- history --------------------------------------------------------------------------------

def _changes(before: Snapshot | None, after: Snapshot | None) -> tuple[FieldChange, ...]:
    if before is None or after is None:
        return ()
    names = [name for name in after if name not in _FIXED_FIELDS]
    return tuple(FieldChange(name, before.get(name), after.get(name))
                 for name in names if before.get(name) != after.get(name))


def annotation_history(database: Database, annotation_id: int) -> list[HistoryEntry]:
    """Every logged change of an annotation, oldest first, with who made it."""
    statement = (
        select(ChangeLogEntry.at, Annotator.name, ChangeLogEntry.action, ChangeLogEntry.before,
               ChangeLogEntry.after)
        .outerjoin(Annotator, Annotator.id == ChangeLogEntry.annotator_id)
        .where(ChangeLogEntry.entity == "annotation", ChangeLogEntry.entity_id == annotation_id)
        .order_by(ChangeLogEntry.id)
    )
    with database.engine.connect() as connection:
        return [
            HistoryEntry(at=at, who=who, action=action, changes=_changes(before, after),
                         created=before is None and after is not None,
                         deleted=after is None and before is not None)
            for at, who, action, before, after in connection.execute(statement)
        ]
