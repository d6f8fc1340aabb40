"""Reading the corpus one sentence at a time: positions, neighbours, views, progress.

Every function touches a handful of rows through indexes (sentences are
ordered by ``(document_id, index)``, which the unique constraint indexes), so a
move costs the same on a corpus of a hundred sentences or of millions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from db.engine import Database
from db.models import Annotation, Annotator, Document, Link, Sentence, SentenceState, Source
from db.read_models import AnnotationView, DocumentInfo, LinkEnd, SearchHit, SentenceView
from db.text_match import contains
from db.values import figure_of


def _position(session: Session, sentence_id: int) -> tuple[int, int]:
    row = session.execute(
        select(Sentence.document_id, Sentence.index).where(Sentence.id == sentence_id)
    ).one_or_none()
    if row is None:
        raise LookupError(f"no sentence with id {sentence_id}")
    return int(row[0]), int(row[1])


def first_sentence(database: Database) -> int | None:
    """The first sentence of the corpus."""
    with database.sessions() as session:
        return session.scalar(
            select(Sentence.id).order_by(Sentence.document_id, Sentence.index).limit(1)
        )


def _following(session: Session, document_id: int, index: int, *conditions: object) -> int | None:
    """First matching sentence after a position: within its document, then in later ones.

    Two range seeks on the (document_id, index) index; a single OR condition
    would make SQLite walk the index from the start of the corpus.
    """
    same = session.scalar(
        select(Sentence.id).where(Sentence.document_id == document_id, Sentence.index > index,
                                  *conditions)  # type: ignore[arg-type]
        .order_by(Sentence.index).limit(1))
    if same is not None:
        return same
    return session.scalar(
        select(Sentence.id).where(Sentence.document_id > document_id, *conditions)  # type: ignore[arg-type]
        .order_by(Sentence.document_id, Sentence.index).limit(1))


def _preceding(session: Session, document_id: int, index: int) -> int | None:
    same = session.scalar(
        select(Sentence.id).where(Sentence.document_id == document_id, Sentence.index < index)
        .order_by(Sentence.index.desc()).limit(1))
    if same is not None:
        return same
    return session.scalar(
        select(Sentence.id).where(Sentence.document_id < document_id)
        .order_by(Sentence.document_id.desc(), Sentence.index.desc()).limit(1))


def next_sentence(database: Database, sentence_id: int) -> int | None:
    """The sentence after this one, crossing into the next document."""
    with database.sessions() as session:
        return _following(session, *_position(session, sentence_id))


def previous_sentence(database: Database, sentence_id: int) -> int | None:
    """The sentence before this one, crossing into the previous document."""
    with database.sessions() as session:
        return _preceding(session, *_position(session, sentence_id))


def next_document(database: Database, sentence_id: int) -> int | None:
    """First sentence of the next document."""
    with database.sessions() as session:
        document_id, _ = _position(session, sentence_id)
        return session.scalar(select(Sentence.id).where(Sentence.document_id > document_id)
                              .order_by(Sentence.document_id, Sentence.index).limit(1))


def previous_document(database: Database, sentence_id: int) -> int | None:
    """First sentence of the previous document."""
    with database.sessions() as session:
        document_id, _ = _position(session, sentence_id)
        previous = session.scalar(select(func.max(Sentence.document_id))
                                  .where(Sentence.document_id < document_id))
        if previous is None:
            return None
        return session.scalar(select(Sentence.id).where(Sentence.document_id == previous)
                              .order_by(Sentence.index).limit(1))


def next_unfinished(database: Database, annotator_id: int | None, sentence_id: int) -> int | None:
    """The next sentence not marked done by the annotator, wrapping around to the start."""
    with database.sessions() as session:
        document_id, index = _position(session, sentence_id)
        not_done = ~exists().where(SentenceState.sentence_id == Sentence.id,
                                   SentenceState.annotator_id == annotator_id,
                                   SentenceState.state == "done")
        found = _following(session, document_id, index, not_done)
        if found is None:
            found = _following(session, -1, 0, not_done)
        return found


def sentence_at(database: Database, document_number: int, sentence_number: int) -> int | None:
    """Sentence by 1-based document number (in corpus order) and 1-based sentence number."""
    if document_number < 1 or sentence_number < 1:
        return None
    with database.sessions() as session:
        document_id = session.scalar(
            select(Document.id).order_by(Document.id).offset(document_number - 1).limit(1)
        )
        if document_id is None:
            return None
        return session.scalar(select(Sentence.id).where(
            Sentence.document_id == document_id, Sentence.index == sentence_number - 1
        ))


def _document_number(session: Session, document_id: int) -> int:
    return int(session.scalar(select(func.count()).where(Document.id <= document_id)) or 0)


def search_sentences(database: Database, text: str, limit: int = 50) -> list[SearchHit]:
    """Sentences containing ``text`` (case-insensitive), in corpus order."""
    with database.sessions() as session:
        rows = session.execute(
            select(Sentence.id, Sentence.document_id, Sentence.index, Document.title,
                   Sentence.text)
            .join(Document, Document.id == Sentence.document_id)
            .where(contains(Sentence.text, text))
            .order_by(Sentence.document_id, Sentence.index)
            .limit(limit)
        ).all()
        return [SearchHit(row[0], _document_number(session, row[1]), row[2] + 1, row[3], row[4])
                for row in rows]


_REMEMBER_POSITION = (update(Annotator).where(Annotator.id == bindparam("annotator_id"))
                      .values(last_sentence_id=bindparam("sentence_id")))


def remember_position(database: Database, annotator_id: int, sentence_id: int) -> None:
    """Store where the annotator is (not an undoable action)."""
    with database.single_statement() as session:
        session.execute(_REMEMBER_POSITION, {"annotator_id": annotator_id,
                                             "sentence_id": sentence_id})


def last_position(database: Database, annotator_id: int) -> int | None:
    """Where the annotator was last, if that sentence still exists."""
    with database.sessions() as session:
        return session.scalar(select(Annotator.last_sentence_id)
                              .where(Annotator.id == annotator_id))


def first_sentence_of(database: Database, document_id: int) -> int | None:
    """First sentence of a document by its id."""
    with database.sessions() as session:
        return session.scalar(select(Sentence.id).where(Sentence.document_id == document_id)
                              .order_by(Sentence.index).limit(1))


def sentence_state(database: Database, annotator_id: int | None, sentence_id: int) -> str | None:
    """The annotator's state of a sentence ("done", "skipped" or ``None``)."""
    with database.sessions() as session:
        return session.scalar(select(SentenceState.state).where(
            SentenceState.annotator_id == annotator_id, SentenceState.sentence_id == sentence_id
        ))


def count_done(database: Database, annotator_id: int | None) -> int:
    """Sentences the annotator marked done."""
    with database.sessions() as session:
        return int(session.scalar(_COUNT_DONE, {"annotator_id": annotator_id}) or 0)


def count_sentences(database: Database, *, one_worker: bool = False) -> int:
    """All sentences of the corpus. ``one_worker``: on PostgreSQL, without parallel
    workers, for a count read in the background: it then takes one core of the server, not
    every core of a machine the server may share with the annotator's own interface."""
    with database.sessions() as session:
        if one_worker and session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        return int(session.scalar(select(func.count()).select_from(Sentence)) or 0)


def count_documents(database: Database) -> int:
    """All documents of the corpus."""
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Document)) or 0)


def document_info(database: Database, document_id: int) -> DocumentInfo:
    """Title, sentence count and corpus position of a document."""
    with database.sessions() as session:
        title = session.scalar(select(Document.title).where(Document.id == document_id))
        if title is None:
            raise LookupError(f"no document with id {document_id}")
        last = session.scalar(select(func.max(Sentence.index))
                              .where(Sentence.document_id == document_id))
        return DocumentInfo(document_id, title, int(last or 0) + 1,
                            _document_number(session, document_id))


# The statements a move runs are built once: on SQLite, building a SQLAlchemy
# statement (coercing every clause) costs several times more than executing it.
_HERE = aliased(Sentence)
_STATE = select(SentenceState.state).where(
    SentenceState.annotator_id == bindparam("annotator_id"),
    SentenceState.sentence_id == _HERE.id,
).scalar_subquery()
_MARKS_DONE_ON_LEAVE = select(
    ~exists().where(SentenceState.annotator_id == bindparam("annotator_id"),
                    SentenceState.sentence_id == bindparam("sentence_id"))
    & exists().where(Annotation.sentence_id == bindparam("sentence_id"),
                     Annotation.annotator_id == bindparam("annotator_id"),
                     Annotation.status == "accepted")
)
_COUNT_DONE = select(func.count()).select_from(SentenceState).where(
    SentenceState.annotator_id == bindparam("annotator_id"), SentenceState.state == "done")
# Whether leaving the sentence the annotator comes from (``left_id``, NULL for none)
# marks it done, with the same rule as _MARKS_DONE_ON_LEAVE.
_LEAVE_MARKS_DONE = (
    ~exists().where(SentenceState.annotator_id == bindparam("annotator_id"),
                    SentenceState.sentence_id == bindparam("left_id"))
    & exists().where(Annotation.sentence_id == bindparam("left_id"),
                     Annotation.annotator_id == bindparam("annotator_id"),
                     Annotation.status == "accepted"))
# The sentence and its two neighbours in one indexed read: the sentence by id, the
# neighbours by ``(document_id, index ± 1)``; with this annotator's state of it, their
# done count (the progress bar) and the leave check of the sentence they come from, so
# a move is one round trip for all of it (each is a server round trip on PostgreSQL).
_SENTENCE_AND_NEIGHBOURS = (
    select(Sentence.id, Sentence.document_id, Sentence.index, Sentence.text, Sentence.start,
           _HERE.index, _STATE, _COUNT_DONE.scalar_subquery(), _LEAVE_MARKS_DONE)
    .join(_HERE, (_HERE.document_id == Sentence.document_id)
          & Sentence.index.between(_HERE.index - 1, _HERE.index + 1))
    .where(_HERE.id == bindparam("sentence_id"))
)


@dataclass(frozen=True)
class Arrival:
    """One read of a move: the sentence shown, the annotator's done count, and whether
    leaving the sentence they come from marks it done."""

    view: SentenceView
    done: int
    leaving_marks_done: bool


def arrival(
    database: Database, sentence_id: int, annotator_id: int | None,
    document_info: Callable[[int], DocumentInfo], document_total: int, *,
    left_id: int | None = None, show_others: bool = False, suggestions: bool = True,
) -> Arrival:
    """Everything the annotation screen shows for one sentence, and the leave check of
    ``left_id`` (the sentence the annotator comes from).

    One read-only unit and two queries on every move (the latency of a keypress): the
    sentence, its neighbours, this annotator's state of it, their done count and the
    leave check, then its annotations (link queries only when it has any).
    ``document_info`` gives the (cached) title, length and position of the document.
    """
    with database.reads() as session:
        rows = session.execute(_SENTENCE_AND_NEIGHBOURS, {
            "sentence_id": sentence_id, "annotator_id": annotator_id,
            "left_id": left_id}).all()
        if not rows:
            raise LookupError(f"no sentence with id {sentence_id}")
        annotations = tuple(_annotations(
            session, _SENTENCE_ANNOTATIONS[show_others, suggestions],
            {"sentence_id": sentence_id, "annotator_id": annotator_id}))
    by_offset = {row[2] - row[5]: row for row in rows}
    sentence = by_offset[0]
    previous, following = by_offset.get(-1), by_offset.get(1)
    document = document_info(sentence[1])
    view = SentenceView(
        sentence_id=sentence[0], document_id=sentence[1], document_title=document.title,
        index=sentence[2], sentence_count=document.sentence_count,
        document_number=document.number, document_total=document_total, text=sentence[3],
        doc_start=sentence[4],
        previous_text=previous[3] if previous is not None else None,
        next_text=following[3] if following is not None else None, state=sentence[6],
        annotations=annotations,
        previous_id=previous[0] if previous is not None else None,
        next_id=following[0] if following is not None else None,
    )
    return Arrival(view, int(sentence[7] or 0), bool(sentence[8]) and left_id != sentence_id)


def marks_done_on_leave(database: Database, annotator_id: int, sentence_id: int) -> bool:
    """Whether leaving the sentence would mark it done (see :func:`db.annotations.move`)."""
    with database.sessions() as session:
        return leaving_marks_done(session, annotator_id, sentence_id)


def leaving_marks_done(session: Session, annotator_id: int, sentence_id: int) -> bool:
    """The rule of :func:`db.annotations.move`, in the caller's session: the annotator has
    an accepted span in the sentence (not a pending or rejected suggestion) and has set
    no state for it."""
    return bool(session.scalar(_MARKS_DONE_ON_LEAVE, {
        "annotator_id": annotator_id, "sentence_id": sentence_id}))


def annotations_in_document(
    database: Database, sentence_id: int, annotator_id: int | None, label: str, *,
    show_others: bool = False,
) -> list[AnnotationView]:
    """Accepted annotations with ``label`` in this and earlier sentences of its document,
    nearest first."""
    with database.sessions() as session:
        document_id, index = _position(session, sentence_id)
        earlier = select(Sentence.id).where(Sentence.document_id == document_id,
                                            Sentence.index <= index)
        query = _annotation_query(Annotation.document_id == document_id,
                                  Annotation.label == label,
                                  Annotation.sentence_id.in_(earlier), show_others=show_others,
                                  suggestions=False)
        views = _annotations(session, query, {"annotator_id": annotator_id})
        return sorted(views, key=lambda view: (-view.sentence_id, -view.start))


def _annotation_query(
    *conditions: Any, show_others: bool, suggestions: bool = True
) -> Select[Any]:
    """Annotations matching ``conditions`` (only bound ``annotator_id``'s unless
    ``show_others``), with their annotator and canonical source, as plain columns.

    Rejected suggestions are never shown, pending ones only the annotator's own (and
    only with ``suggestions``); other annotators' rows only once accepted.
    """
    own_statuses = ("accepted", "suggested") if suggestions else ("accepted",)
    own = (Annotation.annotator_id == bindparam("annotator_id")) & Annotation.status.in_(
        own_statuses)
    query = (
        select(*_VIEW_COLUMNS)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .outerjoin(Source, Source.id == Annotation.source_id)
        .where(*conditions, or_(own, Annotation.status == "accepted") if show_others else own)
        .order_by(Annotation.sentence_id, Annotation.start, Annotation.end, Annotation.id)
    )
    return query


# Columns, not ORM entities: a move reads a few rows, and building mapped objects (identity
# map, instance state) cost more than the statement itself.
_VIEW_COLUMNS = (
    Annotation.id, Annotation.sentence_id, Annotation.label, Annotation.start, Annotation.end,
    Annotation.text, Annotation.status, Annotation.origin, Annotator.name.label("annotator"),
    Annotation.source_id, Source.name.label("source_name"), Source.source_type,
    Annotation.figure_value, Annotation.figure_unit, Annotation.figure_qualifier,
    Annotation.attrs,
)
_SENTENCE_ANNOTATIONS = {
    (show_others, suggestions): _annotation_query(
        Annotation.sentence_id == bindparam("sentence_id"), show_others=show_others,
        suggestions=suggestions)
    for show_others in (False, True) for suggestions in (False, True)
}
_OTHER_END = aliased(Annotation)
# Both directions in one statement (one round trip on PostgreSQL): the shown annotation's
# id, whether it is the link's origin, the link type, and the other end. A rejected end is
# never shown: a link counts once both its ends are accepted (as in every export), and one
# to a rejected span never will.
_LINK_ENDS = union_all(
    select(Link.from_id, literal(True), Link.type, _OTHER_END.id, _OTHER_END.label,
           _OTHER_END.text, _OTHER_END.status, _OTHER_END.annotator_id)
    .join(_OTHER_END, _OTHER_END.id == Link.to_id)
    .where(Link.from_id.in_(bindparam("ids", expanding=True)),
           _OTHER_END.status != "rejected"),
    select(Link.to_id, literal(False), Link.type, _OTHER_END.id, _OTHER_END.label,
           _OTHER_END.text, _OTHER_END.status, _OTHER_END.annotator_id)
    .join(_OTHER_END, _OTHER_END.id == Link.from_id)
    .where(Link.to_id.in_(bindparam("ids", expanding=True)),
           _OTHER_END.status != "rejected"),
)


def _annotations(
    session: Session, query: Select[Any], params: dict[str, Any]
) -> list[AnnotationView]:
    rows = session.execute(query, params).all()
    outgoing: dict[int, list[tuple[str, LinkEnd]]] = {}
    incoming: dict[int, list[tuple[str, LinkEnd]]] = {}
    if rows:  # most sentences have no annotations: no link query for them
        viewer = params.get("annotator_id")
        for shown, origin, kind, end_id, end_label, end_text, status, owner in session.execute(
                _LINK_ENDS, {"ids": [row.id for row in rows]}):
            if status != "accepted" and owner != viewer:
                continue  # another annotator's pending suggestion is theirs alone
            (outgoing if origin else incoming).setdefault(shown, []).append(
                (kind, LinkEnd(end_id, end_label, end_text, status)))
    views = []
    for row in rows:
        out = outgoing.get(row.id, [])
        into = incoming.get(row.id, [])
        attrs = row.attrs or {}
        views.append(AnnotationView(
            id=row.id, sentence_id=row.sentence_id, label=row.label,
            start=row.start, end=row.end, text=row.text,
            status=row.status, origin=row.origin, annotator=row.annotator,
            source_id=row.source_id, source_name=row.source_name, source_type=row.source_type,
            figure=figure_of(row.figure_value, row.figure_unit, row.figure_qualifier),
            attributed_to=tuple(end for kind, end in out if kind == "attributed_to"),
            supports=tuple(end for kind, end in out + into if kind == "supports"),
            claims=tuple(end for kind, end in into if kind == "attributed_to"),
            attribution=attrs.get("attribution"),
            **_suggestion_fields(attrs),
        ))
    return views


def _suggestion_fields(attrs: dict[str, Any]) -> dict[str, Any]:
    """The view fields a suggestion keeps in ``attrs`` (see :mod:`db.suggestions`)."""
    if not attrs:
        return {}
    proposed = attrs.get("suggested_source")
    return {
        "reason": attrs.get("reason"),
        "proposed_source": (str(proposed.get("name")), proposed.get("type"))
        if isinstance(proposed, dict) and proposed.get("name") else None,
    }
