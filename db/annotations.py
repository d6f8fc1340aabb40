"""Annotations: adding spans with exact offsets, every change written to the change log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import LABELS, Annotation, Annotator, ChangeLogEntry, Sentence


class SpanError(ValueError):
    """A span that does not fit its sentence or uses an unknown label."""


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
    figure_value: float | None = None
    figure_unit: str | None = None
    figure_qualifier: str | None = None


def annotator_id(session: Session, name: str) -> int:
    """The id of the annotator called ``name``, created on first use."""
    found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None:
        return found
    annotator = Annotator(name=name)
    session.add(annotator)
    session.flush()
    return annotator.id


def annotation_snapshot(annotation: Annotation) -> dict[str, Any]:
    """The columns of an annotation as JSON-safe values, for the change log."""
    return {
        "id": annotation.id, "sentence_id": annotation.sentence_id,
        "document_id": annotation.document_id, "annotator_id": annotation.annotator_id,
        "label": annotation.label, "start": annotation.start, "end": annotation.end,
        "doc_start": annotation.doc_start, "doc_end": annotation.doc_end,
        "text": annotation.text, "source_id": annotation.source_id,
        "figure_value": annotation.figure_value, "figure_unit": annotation.figure_unit,
        "figure_qualifier": annotation.figure_qualifier, "attrs": dict(annotation.attrs or {}),
        "status": annotation.status, "origin": annotation.origin,
    }


def add_span(database: Database, annotator: str, span: NewSpan) -> int:
    """Store one span by ``annotator`` in its own transaction and log it; returns its id."""
    if span.label not in LABELS:
        raise SpanError(f"unknown label {span.label!r}; expected one of {', '.join(LABELS)}")
    with database.transaction() as session:
        sentence = session.get(Sentence, span.sentence_id)
        if sentence is None:
            raise SpanError(f"no sentence with id {span.sentence_id}")
        if not 0 <= span.start < span.end <= len(sentence.text):
            raise SpanError(
                f"span {span.start}:{span.end} does not fit sentence {span.sentence_id} "
                f"of length {len(sentence.text)}"
            )
        who = annotator_id(session, annotator)
        annotation = Annotation(
            sentence_id=sentence.id, document_id=sentence.document_id, annotator_id=who,
            label=span.label, start=span.start, end=span.end,
            doc_start=sentence.start + span.start, doc_end=sentence.start + span.end,
            text=sentence.text[span.start : span.end], source_id=span.source_id,
            figure_value=span.figure_value, figure_unit=span.figure_unit,
            figure_qualifier=span.figure_qualifier, attrs={},
            status=span.status, origin=span.origin,
        )
        session.add(annotation)
        session.flush()
        session.add(
            ChangeLogEntry(
                annotator_id=who, action="add", entity="annotation", entity_id=annotation.id,
                before=None, after=annotation_snapshot(annotation),
            )
        )
        return annotation.id
