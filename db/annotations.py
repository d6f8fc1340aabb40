"""Annotation actions: each is one transaction and one change-log group (one undo step)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.history import (
    ChangeRecorder,
    annotation_snapshot,
    link_snapshot,
    write_sentence_state,
)
from db.models import LABELS, Annotation, Annotator, Link, Sentence, SentenceState, Source
from db.navigation import leaving_marks_done
from db.values import Figure, figure_columns


class SpanError(ValueError):
    """An action that does not fit the data (bad offsets, label, owner or link)."""


class DuplicateSpanError(SpanError):
    """The annotator already has a span with this label and these offsets."""


@dataclass(frozen=True)
class NewSpan:
    """A span to add: offsets are relative to the sentence text."""

    sentence_id: int
    label: str
    start: int
    end: int
    status: str = "accepted"
    origin: str = "manual"
    source_id: int | None = None
    figure: Figure | None = None


# Which labels each link type joins: (from, to).
LINK_ENDS = {"attributed_to": ("claim", "source"), "supports": ("figure", "claim")}


def annotator_id(session: Session, name: str) -> int:
    """The id of the annotator called ``name``, created on first use."""
    found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None:
        return found
    annotator = Annotator(name=name)
    session.add(annotator)
    session.flush()
    return annotator.id


def ensure_annotator(database: Database, name: str) -> int:
    """The id of the annotator called ``name``, registered in its own transaction if new."""
    name = name.strip()
    if not name:
        raise SpanError("an annotator needs a name")
    with database.reads() as session:  # known already (every start but the first): no write
        found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None:
        return found
    try:
        with database.transaction() as session:
            return annotator_id(session, name)
    except IntegrityError:  # registered by another process at the same moment
        with database.transaction() as session:
            return annotator_id(session, name)


@contextmanager
def _action(database: Database, annotator: str, action: str) -> Iterator[ChangeRecorder]:
    with database.transaction() as session:
        yield ChangeRecorder(session, annotator_id(session, annotator), action)


def _own(recorder: ChangeRecorder, annotation_id: int) -> Annotation:
    annotation = recorder.session.get(Annotation, annotation_id)
    if annotation is None:
        raise SpanError(f"no annotation with id {annotation_id}")
    if annotation.annotator_id != recorder.annotator_id:
        raise SpanError(f"annotation {annotation_id} belongs to another annotator")
    return annotation


def _flush_span(recorder: ChangeRecorder, annotation: Annotation) -> None:
    """Write the span; one with the same annotator, label and offsets is a user error."""
    try:
        recorder.session.flush()
    except IntegrityError:
        raise DuplicateSpanError(
            f"“{annotation.text}” is already tagged as {annotation.label}") from None


def _update(recorder: ChangeRecorder, annotation: Annotation, **values: Any) -> None:
    before = annotation_snapshot(annotation)
    for key, value in values.items():
        setattr(annotation, key, value)
    _flush_span(recorder, annotation)
    recorder.record("annotation", annotation.id, before, annotation_snapshot(annotation))


def _remove_links(recorder: ChangeRecorder, *conditions: Any) -> None:
    for link in recorder.session.scalars(select(Link).where(*conditions)):
        recorder.record("link", link.id, link_snapshot(link), None)
        recorder.session.delete(link)
    recorder.session.flush()


def add_span(database: Database, annotator: str, span: NewSpan) -> int:
    """Store one span by ``annotator``; returns its id."""
    if span.label not in LABELS:
        raise SpanError(f"unknown label {span.label!r}; expected one of {', '.join(LABELS)}")
    with _action(database, annotator, "tag") as recorder:
        sentence = recorder.session.get(Sentence, span.sentence_id)
        if sentence is None:
            raise SpanError(f"no sentence with id {span.sentence_id}")
        if not 0 <= span.start < span.end <= len(sentence.text):
            raise SpanError(
                f"span {span.start}:{span.end} does not fit sentence {span.sentence_id} "
                f"of length {len(sentence.text)}"
            )
        annotation = Annotation(
            sentence_id=sentence.id, document_id=sentence.document_id,
            annotator_id=recorder.annotator_id, label=span.label, start=span.start,
            end=span.end, doc_start=sentence.start + span.start,
            doc_end=sentence.start + span.end, text=sentence.text[span.start : span.end],
            source_id=span.source_id, **figure_columns(span.figure), attrs={},
            status=span.status, origin=span.origin,
        )
        recorder.session.add(annotation)
        _flush_span(recorder, annotation)
        recorder.record("annotation", annotation.id, None, annotation_snapshot(annotation))
        return annotation.id


def add_or_find_span(database: Database, annotator: str, span: NewSpan) -> int:
    """:func:`add_span`, except that a span this annotator already has (same sentence,
    label and offsets, perhaps just stored from another terminal) is returned, not refused."""
    try:
        return add_span(database, annotator, span)
    except DuplicateSpanError:
        with database.sessions() as session:
            found = session.scalar(
                select(Annotation.id).join(Annotator, Annotator.id == Annotation.annotator_id)
                .where(Annotator.name == annotator,
                       Annotation.sentence_id == span.sentence_id,
                       Annotation.label == span.label, Annotation.start == span.start,
                       Annotation.end == span.end))
        if found is None:
            raise
        return found


def delete_annotation(database: Database, annotator: str, annotation_id: int) -> int:
    """Delete an annotation and its links; returns its sentence id."""
    with _action(database, annotator, "delete") as recorder:
        annotation = _own(recorder, annotation_id)
        _remove_links(recorder, (Link.from_id == annotation_id) | (Link.to_id == annotation_id))
        before = annotation_snapshot(annotation)
        recorder.session.delete(annotation)
        recorder.record("annotation", annotation_id, before, None)
        return annotation.sentence_id


def relabel(database: Database, annotator: str, annotation_id: int, label: str) -> None:
    """Change the label; links whose ends no longer fit are removed (and logged)."""
    if label not in LABELS:
        raise SpanError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
    with _action(database, annotator, "relabel") as recorder:
        change_label(recorder, _own(recorder, annotation_id), label)


def change_label(recorder: ChangeRecorder, annotation: Annotation, label: str) -> None:
    """Relabel inside the recorder's transaction, dropping (and logging) links that no
    longer fit and figure fields a non-figure cannot have."""
    if annotation.label == label:
        return
    for link_type, (from_label, to_label) in LINK_ENDS.items():
        if label != from_label:
            _remove_links(recorder, Link.from_id == annotation.id, Link.type == link_type)
        if label != to_label:
            _remove_links(recorder, Link.to_id == annotation.id, Link.type == link_type)
    values: dict[str, Any] = {"label": label}
    if label != "figure":
        values.update(figure_value=None, figure_unit=None, figure_qualifier=None)
    _update(recorder, annotation, **values)


def set_source(
    database: Database, annotator: str, annotation_id: int, source_id: int | None
) -> None:
    """Map a span to a canonical source (or clear the mapping)."""
    with _action(database, annotator, "set_source") as recorder:
        change_source(recorder, _own(recorder, annotation_id), source_id)


def change_source(recorder: ChangeRecorder, annotation: Annotation, source_id: int | None) -> None:
    """Set the canonical source inside the recorder's transaction (checked, logged)."""
    if source_id is not None and recorder.session.get(Source, source_id) is None:
        raise SpanError(f"no canonical source with id {source_id}")
    _update(recorder, annotation, source_id=source_id)


def set_figure(
    database: Database, annotator: str, annotation_id: int,
    value: float | None, unit: str | None, qualifier: str | None,
) -> None:
    """Set a figure's normalized value, unit and qualifier."""
    with _action(database, annotator, "set_figure") as recorder:
        change_figure(recorder, _own(recorder, annotation_id), value, unit, qualifier)


def change_figure(
    recorder: ChangeRecorder, annotation: Annotation,
    value: float | None, unit: str | None, qualifier: str | None,
) -> None:
    """Set a figure's fields inside the recorder's transaction (checked, logged)."""
    if annotation.label != "figure":
        raise SpanError(f"annotation {annotation.id} is a {annotation.label}, not a figure")
    _update(recorder, annotation, figure_value=value, figure_unit=unit or None,
            figure_qualifier=qualifier or None)


def _claim(recorder: ChangeRecorder, claim_id: int) -> Annotation:
    claim = _own(recorder, claim_id)
    if claim.label != "claim":
        raise SpanError(f"annotation {claim_id} is a {claim.label}, not a claim")
    return claim


def _set_attribution(
    recorder: ChangeRecorder, claim: Annotation, source_id: int | None, attribution: str | None
) -> None:
    """Drop earlier attributions, then record the claim's own source fields."""
    _remove_links(recorder, Link.from_id == claim.id, Link.type == "attributed_to")
    attrs = {k: v for k, v in (claim.attrs or {}).items() if k != "attribution"}
    if attribution is not None:
        attrs["attribution"] = attribution
    if claim.source_id != source_id or attrs != (claim.attrs or {}):
        _update(recorder, claim, source_id=source_id, attrs=attrs)


def attribute_to_span(
    database: Database, annotator: str, claim_id: int, source_annotation_id: int
) -> None:
    """Attribute a claim to a source span of the same document."""
    with _action(database, annotator, "attribute") as recorder:
        claim = _claim(recorder, claim_id)
        source = recorder.session.get(Annotation, source_annotation_id)
        if source is None or source.label != "source":
            raise SpanError(f"annotation {source_annotation_id} is not a source span")
        if source.document_id != claim.document_id:
            raise SpanError("a claim can only be attributed to a source in the same document")
        _set_attribution(recorder, claim, None, None)
        link = Link(from_id=claim.id, to_id=source.id, type="attributed_to")
        recorder.session.add(link)
        recorder.session.flush()
        recorder.record("link", link.id, None, link_snapshot(link))


def attribute_to_source(
    database: Database, annotator: str, claim_id: int, source_id: int
) -> None:
    """Attribute a claim directly to a canonical source, with no source span."""
    with _action(database, annotator, "attribute") as recorder:
        claim = _claim(recorder, claim_id)
        if recorder.session.get(Source, source_id) is None:
            raise SpanError(f"no canonical source with id {source_id}")
        _set_attribution(recorder, claim, source_id, None)


def unattribute(database: Database, annotator: str, claim_id: int) -> None:
    """Mark a claim as the author's own voice (explicitly unattributed)."""
    with _action(database, annotator, "attribute") as recorder:
        _set_attribution(recorder, _claim(recorder, claim_id), None, "author")


def link_figure(database: Database, annotator: str, figure_id: int, claim_id: int) -> None:
    """Record that a figure supports a claim of the same document."""
    with _action(database, annotator, "link_figure") as recorder:
        figure = _own(recorder, figure_id)
        claim = recorder.session.get(Annotation, claim_id)
        if figure.label != "figure":
            raise SpanError(f"annotation {figure_id} is a {figure.label}, not a figure")
        if claim is None or claim.label != "claim":
            raise SpanError(f"annotation {claim_id} is not a claim")
        if claim.document_id != figure.document_id:
            raise SpanError("a figure can only support a claim in the same document")
        exists = recorder.session.scalar(select(Link.id).where(
            Link.from_id == figure_id, Link.to_id == claim_id, Link.type == "supports"
        ))
        if exists is not None:
            return
        link = Link(from_id=figure_id, to_id=claim_id, type="supports")
        recorder.session.add(link)
        recorder.session.flush()
        recorder.record("link", link.id, None, link_snapshot(link))


def set_sentence_state(
    database: Database, annotator: str, sentence_id: int, state: str | None
) -> None:
    """Set (or with ``None`` clear) this annotator's state of a sentence; logged for undo."""
    with _action(database, annotator, "state") as recorder:
        current = recorder.session.get(SentenceState, (recorder.annotator_id, sentence_id))
        if (current.state if current else None) != state:
            write_sentence_state(recorder.session, recorder, sentence_id, state)


def move(
    database: Database, who: int, left_id: int | None, arrived_id: int | None
) -> None:
    """Leave one sentence for another in one transaction, as annotator ``who`` (an id:
    every move would otherwise look the name up).

    The sentence left becomes done if this annotator annotated it and had not set
    its state (an undoable change, logged); the one arrived at (if any) is
    remembered so that reopening resumes there.
    """
    with database.transaction() as session:
        if (left_id is not None and left_id != arrived_id
                and leaving_marks_done(session, who, left_id)):
            write_sentence_state(session, ChangeRecorder(session, who, "state"), left_id, "done",
                                 had_state=False)
        if arrived_id is not None:
            session.execute(update(Annotator).where(Annotator.id == who)
                            .values(last_sentence_id=arrived_id))
