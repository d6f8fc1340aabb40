"""Suggested spans: stored in the layer of the annotator who decides on them.

A suggestion is an annotation with ``status='suggested'`` and ``origin='suggested'``.
Accepting it sets its status to ``accepted`` (the origin stays, so the data says
where it came from), rejecting it to ``rejected``; a rejected row is kept as
negative data, and because storing skips every span the annotator already has
(same sentence, label and offsets, in any status), it is never suggested again.

Storing is one transaction per document with bulk inserts, and leaves a mark in
the change log (``entity='document_suggestions'``, no undo group), so a screen
can tell with one indexed lookup whether a document was already processed for
an annotator. Accepting and rejecting are user actions: logged, undoable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.annotations import (
    PROPOSED_SOURCE,
    Resolver,
    SpanError,
    _action,
    _own,
    _update,
    accept_suggestion,
)
from db.engine import Database
from db.models import LABELS, Annotation, ChangeLogEntry, Document, Link, Sentence, Source
from db.sources import visible_source
from db.values import Figure, figure_columns

# The change-log entity that marks "suggestions were computed for this document".
PROCESSED_ENTITY = "document_suggestions"
# attrs keys of a suggested row: why it was suggested, and (PROPOSED_SOURCE, defined with
# the acceptance rule in db/annotations.py) a proposed canonical source not yet registered.
REASON = "reason"
# attrs keys of a source or claim span the suggester found through a reporting cue: the
# cue's text and its offsets into the *document* text (like doc_start/doc_end), so that
# document.text[attrs[CUE_START]:attrs[CUE_END]] == attrs[CUE]. Accepting keeps them.
CUE, CUE_START, CUE_END = "cue", "cue_start", "cue_end"
DOCUMENT_BATCH = 20


@dataclass(frozen=True)
class ProposedSpan:
    """A span to suggest in a document: offsets into sentence ``sentence_index``'s text.

    ``attributed_to`` is the index (in the same document's list) of the source span a
    claim is attributed to; ``resolved_source`` the canonical name of a claim's source
    when no span of the document names it.
    """

    sentence_index: int
    label: str
    start: int
    end: int
    source_name: str | None = None
    source_type: str | None = None
    figure: Figure | None = None  # its value_max is not stored: ``attrs`` carries that
    attrs: dict[str, Any] = field(default_factory=dict)
    attributed_to: int | None = None
    resolved_source: str | None = None
    # The reporting cue joining a source and its claim ("said"), offsets into the same
    # sentence's text; stored with both spans in document offsets (CUE_START, CUE_END).
    cue: tuple[int, int] | None = None


@dataclass(frozen=True)
class DocumentText:
    """A document's text and its sentences' (start, end) offsets, in order."""

    document_id: int
    text: str
    sentences: tuple[tuple[int, int], ...]


def iter_document_texts(
    database: Database, document_ids: Sequence[int] = ()
) -> Iterator[DocumentText]:
    """Stream documents (all, or ``document_ids``) in id order with their sentence offsets."""
    query = select(Document.id, Document.text).order_by(Document.id)
    if document_ids:
        query = query.where(Document.id.in_(document_ids))
    with database.engine.connect() as documents, database.engine.connect() as details:
        stream = documents.execution_options(stream_results=True, yield_per=DOCUMENT_BATCH)
        for document_id, text in stream.execute(query):
            with details.begin():
                spans = tuple((int(start), int(end)) for start, end in details.execute(
                    select(Sentence.start, Sentence.end)
                    .where(Sentence.document_id == document_id).order_by(Sentence.index)))
            yield DocumentText(int(document_id), text, spans)


def document_text(database: Database, document_id: int) -> DocumentText:
    """One document's text and sentence offsets."""
    for document in iter_document_texts(database, [document_id]):
        return document
    raise LookupError(f"no document with id {document_id}")


_PROCESSED = select(exists().where(
    ChangeLogEntry.entity == PROCESSED_ENTITY,
    ChangeLogEntry.entity_id == bindparam("document_id"),
    ChangeLogEntry.annotator_id == bindparam("annotator_id")))


def is_processed(database: Database, annotator_id: int, document_id: int) -> bool:
    """Whether suggestions were already computed for this document and annotator
    (one lookup on the change log's (entity, entity_id) index)."""
    with database.sessions() as session:
        return bool(session.scalar(_PROCESSED, {"document_id": document_id,
                                                "annotator_id": annotator_id}))


def store_suggestions(
    database: Database, annotator_id: int, document_id: int,
    proposals: Sequence[ProposedSpan],
) -> int:
    """Store the proposals the annotator has no row for yet; returns how many were added.

    One transaction: the rows, their claim -> source links, and the processed mark.
    If another process stores the same document at the same moment, the unique
    constraint stops the second one, which then tries again and adds nothing twice.
    """
    try:
        with database.transaction() as session:
            return _store(session, annotator_id, document_id, proposals)
    except IntegrityError:
        with database.transaction() as session:
            return _store(session, annotator_id, document_id, proposals)


Key = tuple[int, str, int, int]


def _store(
    session: Session, annotator_id: int, document_id: int, proposals: Sequence[ProposedSpan]
) -> int:
    sentences = {int(index): (int(sentence_id), int(start), text) for sentence_id, index, start,
                 text in session.execute(
                     select(Sentence.id, Sentence.index, Sentence.start, Sentence.text)
                     .where(Sentence.document_id == document_id))}
    existing: dict[Key, tuple[int, str]] = {
        (sentence_id, label, start, end): (annotation_id, status)
        for annotation_id, sentence_id, label, start, end, status in session.execute(
            select(Annotation.id, Annotation.sentence_id, Annotation.label, Annotation.start,
                   Annotation.end, Annotation.status)
            .where(Annotation.document_id == document_id,
                   Annotation.annotator_id == annotator_id))}
    names = {name for p in proposals for name in (p.source_name, p.resolved_source) if name}
    registry = {name: int(source_id) for name, source_id in session.execute(
        select(Source.name, Source.id).where(Source.name.in_(names), visible_source()))
    } if names else {}

    keys: list[Key | None] = []
    rows: list[dict[str, Any]] = []
    new_positions: list[int] = []
    for position, proposal in enumerate(proposals):
        key, row = _row(proposal, sentences, registry, annotator_id, document_id)
        keys.append(key)
        if key is None or key in existing or row is None:
            continue
        existing[key] = (-1, "suggested")  # a duplicate proposal later in the list is skipped
        rows.append(row)
        new_positions.append(position)
    ids: dict[int, int] = {}
    if rows:
        # Core, not the ORM's bulk path, and rows matched to ids by their key: asking for
        # ids in parameter order makes SQLite insert one row per statement.
        table = Annotation.__table__
        columns = table.c
        inserted = session.connection().execute(insert(table).returning(
            columns.id, columns.sentence_id, columns.label, columns.start, columns.end), rows)
        new_ids = {(int(sentence_id), label, int(start), int(end)): int(annotation_id)
                   for annotation_id, sentence_id, label, start, end in inserted}
        for position in new_positions:
            key = keys[position]
            assert key is not None
            ids[position] = new_ids[key]
            existing[key] = (new_ids[key], "suggested")
    links = []
    for position, annotation_id in ids.items():
        target = proposals[position].attributed_to
        target_key = keys[target] if target is not None and 0 <= target < len(keys) else None
        if target_key is None:
            continue
        # A claim is linked to its source span unless the annotator rejected that span.
        target_id, status = existing[target_key]
        if status != "rejected" and target_id not in (annotation_id, -1):
            links.append({"from_id": annotation_id, "to_id": target_id, "type": "attributed_to"})
    if links:
        session.connection().execute(insert(Link.__table__), links)
    session.add(ChangeLogEntry(
        annotator_id=annotator_id, action="suggest", entity=PROCESSED_ENTITY,
        entity_id=document_id, after={"added": len(rows), "links": len(links)}))
    return len(rows)


def _row(
    proposal: ProposedSpan, sentences: dict[int, tuple[int, int, str]],
    registry: dict[str, int], annotator_id: int, document_id: int,
) -> tuple[Key | None, dict[str, Any] | None]:
    """The proposal's key and its new row; ``(None, None)`` when it does not fit the text."""
    found = sentences.get(proposal.sentence_index)
    if found is None or proposal.label not in LABELS:
        return None, None
    sentence_id, sentence_start, text = found
    if not 0 <= proposal.start < proposal.end <= len(text):
        return None, None
    attrs = {key: value for key, value in proposal.attrs.items()
             if key not in (CUE_START, CUE_END)}
    attrs.update(_cue_attrs(proposal, sentence_start, text))
    source_id = None
    name = proposal.source_name if proposal.label == "source" else proposal.resolved_source
    if name and proposal.attributed_to is None:
        source_id = registry.get(name)
        if source_id is None:
            attrs[PROPOSED_SOURCE] = {"name": name, "type": proposal.source_type}
    key = (sentence_id, proposal.label, proposal.start, proposal.end)
    return key, {
        "sentence_id": sentence_id, "document_id": document_id, "annotator_id": annotator_id,
        "label": proposal.label, "start": proposal.start, "end": proposal.end,
        "doc_start": sentence_start + proposal.start, "doc_end": sentence_start + proposal.end,
        "text": text[proposal.start : proposal.end], "source_id": source_id,
        **figure_columns(proposal.figure), "attrs": attrs,
        "status": "suggested", "origin": "suggested",
    }


def _cue_attrs(proposal: ProposedSpan, sentence_start: int, text: str) -> dict[str, Any]:
    """The cue's text and document offsets, when the proposal has a cue that fits its
    sentence (offsets are never guessed: one that does not fit is left out)."""
    if proposal.cue is None:
        return {}
    start, end = proposal.cue
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return {}
    return {CUE: text[start:end], CUE_START: sentence_start + start,
            CUE_END: sentence_start + end}


# --- deciding -------------------------------------------------------------------------------
def decide(
    database: Database, annotator_id: int, annotation_ids: Iterable[int], status: str,
    resolve: Resolver | None = None,
) -> int:
    """Accept (``status='accepted'``) or reject (``'rejected'``) suggestions of this
    annotator, as one undoable action; returns how many changed.

    Accepting a source span whose proposed canonical source is not in the registry
    adds it there (or reuses one registered meanwhile under that name). Rows that
    are no longer suggestions are left as they are. Tagging a suggested span accepts
    it the same way (:func:`db.annotations.tag`). With ``resolve``, each accepted
    suggestion's canonical source is the one it resolves to in the registry now (see
    :func:`db.annotations.accept_suggestion`).
    """
    if status not in ("accepted", "rejected"):
        raise SpanError(f"a suggestion is accepted or rejected, not {status!r}")
    changed = 0
    action = "accept" if status == "accepted" else "reject"
    with _action(database, annotator_id, action) as recorder:
        for annotation_id in annotation_ids:
            annotation = _own(recorder, annotation_id)
            if annotation.status != "suggested":
                continue
            if status == "accepted":
                accept_suggestion(recorder, annotation, resolve)
            else:
                _update(recorder, annotation, status="rejected")
            changed += 1
    return changed
