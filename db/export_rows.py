"""The rows of the table exports (spans, claims, sources), streamed from the database.

Each view is one ordered query read with a server-side cursor, so memory stays
flat however many annotations there are. Formatting belongs to ``annotator/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from db.engine import Database
from db.filters import AnnotationFilter
from db.models import Annotation, Annotator, Document, Link, Sentence, Source, SourceAlias
from db.sources import visible_source
from db.values import Figure, figure_of

STREAM_BATCH = 2_000


@dataclass(frozen=True)
class SpanRow:
    """One annotation: ``start``/``end`` in the sentence, ``doc_start``/``doc_end`` in the document.

    ``attributed_to`` is the source span a claim is attributed to; ``source_name`` and
    ``source_type`` are those of that span's canonical source, else of the annotation's own.
    """

    annotation_id: int
    document_id: int
    document_title: str
    sentence_index: int
    sentence: str
    label: str
    text: str
    start: int
    end: int
    doc_start: int
    doc_end: int
    source_name: str | None
    source_type: str | None
    attributed_to: int | None
    figure: Figure | None
    annotator: str
    status: str
    origin: str
    created_at: datetime | None
    updated_at: datetime | None
    # The reporting cue of a suggested source or claim (kept once accepted): offsets into
    # the document and its text (db.suggestions.CUE*); None when the span has none.
    cue_start: int | None = None
    cue_end: int | None = None
    cue_text: str | None = None


@dataclass(frozen=True)
class FigureCell:
    """A figure that supports a claim: its text, and its value (with the stored ``value_max``
    of a range) when one was set."""

    text: str
    figure: Figure | None


@dataclass(frozen=True)
class ClaimRow:
    """One claim with who it is attributed to and the figures that support it."""

    claim_id: int
    document_id: int
    document_title: str
    sentence_index: int
    claim_text: str
    source_name: str | None
    source_type: str | None
    source_text: str | None
    figures: tuple[FigureCell, ...]
    annotator: str
    status: str


@dataclass(frozen=True)
class SourceRow:
    """One canonical source with its aliases and how often it is used."""

    source_id: int
    name: str
    source_type: str | None
    aliases: tuple[str, ...]
    claims: int
    mentions: int


def attributed_target() -> Any:
    """The source span a claim is attributed to (the lowest id if a file gave several)."""
    return (
        select(func.min(Link.to_id))
        .where(Link.from_id == Annotation.id, Link.type == "attributed_to")
        .correlate(Annotation)
        .scalar_subquery()
    )


def span_query(selection: AnnotationFilter) -> Select[Any]:
    """The spans view as one ordered query; its columns follow :class:`SpanRow`, with the
    figure's value, unit and qualifier in its place."""
    target = aliased(Annotation)
    return (
        select(
            Annotation.id, Annotation.document_id, Document.title, Sentence.index, Sentence.text,
            Annotation.label, Annotation.text, Annotation.start, Annotation.end,
            Annotation.doc_start, Annotation.doc_end, Source.name, Source.source_type,
            target.id, Annotation.figure_value, Annotation.figure_unit,
            Annotation.figure_qualifier, Annotator.name, Annotation.status, Annotation.origin,
            Annotation.created_at, Annotation.updated_at, Annotation.attrs,
        )
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .join(Document, Document.id == Annotation.document_id)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .outerjoin(target, target.id == attributed_target())
        .outerjoin(Source, Source.id == func.coalesce(target.source_id, Annotation.source_id))
        .where(*selection.conditions())
        .order_by(Annotation.document_id, Sentence.index, Annotation.start, Annotation.end,
                  Annotation.id)
    )


def iter_span_rows(database: Database, selection: AnnotationFilter) -> Iterator[SpanRow]:
    """Stream the spans view in document, sentence and offset order."""
    with database.engine.connect() as connection:
        stream = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        for row in stream.execute(span_query(selection)):
            yield SpanRow(*row[:14], figure_of(row[14], row[15], row[16]), *row[17:22],
                          *cue_cells(row[22]))


def cue_cells(attrs: dict[str, Any] | None) -> tuple[int | None, int | None, str | None]:
    """A span's cue as (start, end, text) from its attributes; all three or none."""
    attrs = attrs or {}
    start, end, text = attrs.get("cue_start"), attrs.get("cue_end"), attrs.get("cue")
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(text, str)):
        return None, None, None
    return start, end, text


def iter_claim_rows(database: Database, selection: AnnotationFilter) -> Iterator[ClaimRow]:
    """Stream one row per claim; supporting figures pass the same status filter.

    The query yields one row per (claim, figure) pair in claim order, folded here,
    so a claim's figures are never gathered beyond the claim itself.
    """
    target = aliased(Annotation)
    figure = aliased(Annotation)
    supports = aliased(Link)
    figure_conditions = [figure.status.in_(selection.statuses)] if selection.statuses else []
    query = (
        select(
            Annotation.id, Annotation.document_id, Document.title, Sentence.index,
            Annotation.text, Source.name, Source.source_type, target.text, Annotator.name,
            Annotation.status, figure.id, figure.figure_value, figure.figure_unit,
            figure.figure_qualifier, figure.text, figure.attrs,
        )
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .join(Document, Document.id == Annotation.document_id)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .outerjoin(target, target.id == attributed_target())
        .outerjoin(Source, Source.id == func.coalesce(target.source_id, Annotation.source_id))
        .outerjoin(supports, and_(supports.to_id == Annotation.id, supports.type == "supports"))
        .outerjoin(figure, and_(figure.id == supports.from_id, *figure_conditions))
        .where(Annotation.label == "claim", *selection.conditions())
        .order_by(Annotation.document_id, Sentence.index, Annotation.start, Annotation.end,
                  Annotation.id, figure.doc_start, figure.doc_end, figure.id)
    )
    with database.engine.connect() as connection:
        stream = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        current: tuple[Any, ...] | None = None
        figures: list[FigureCell] = []
        for row in stream.execute(query):
            if current is None or row[0] != current[0]:
                if current is not None:
                    yield _claim(current, figures)
                current, figures = tuple(row), []
            if row[10] is not None:
                figures.append(_figure_cell(row))
        if current is not None:
            yield _claim(current, figures)


def _figure_cell(row: Any) -> FigureCell:
    value, unit, qualifier, text, attrs = row[11:16]
    figure = figure_of(value, unit, qualifier)
    high = (attrs or {}).get("value_max")
    if figure is not None and isinstance(high, int | float) and not isinstance(high, bool):
        figure = Figure(value, unit, qualifier, float(high))
    return FigureCell(text, figure)


def _claim(row: tuple[Any, ...], figures: list[FigureCell]) -> ClaimRow:
    return ClaimRow(*row[:8], figures=tuple(figures), annotator=row[8], status=row[9])


def iter_source_rows(database: Database, selection: AnnotationFilter) -> Iterator[SourceRow]:
    """Stream every canonical source by name; counts cover the annotations the filter keeps.

    A claim counts for a source when it is attributed to the source directly or
    to a span mapped to it; a mention is a source span mapped to it.
    """
    mention = aliased(Annotation)
    claim = aliased(Annotation)
    span = aliased(Annotation)
    mentions = (
        select(func.count()).select_from(mention)
        .where(mention.source_id == Source.id, mention.label == "source",
               *selection.conditions(mention))
        .correlate(Source).scalar_subquery()
    )
    via_span = (
        select(Link.from_id).join(span, span.id == Link.to_id)
        .where(Link.type == "attributed_to", span.source_id == Source.id)
        .correlate(Source)
    )
    claims = (
        select(func.count()).select_from(claim)
        .where(claim.label == "claim", or_(claim.source_id == Source.id, claim.id.in_(via_span)),
               *selection.conditions(claim))
        .correlate(Source).scalar_subquery()
    )
    counted = select(
        Source.id, Source.name, Source.source_type,
        claims.label("claims"), mentions.label("mentions"),
    ).where(visible_source()).subquery()
    query = (
        select(counted, SourceAlias.alias)
        .outerjoin(SourceAlias, SourceAlias.source_id == counted.c.id)
        .order_by(counted.c.name, counted.c.id, SourceAlias.alias)
    )
    with database.engine.connect() as connection:
        stream = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        current: tuple[Any, ...] | None = None
        aliases: list[str] = []
        for row in stream.execute(query):
            if current is None or row[0] != current[0]:
                if current is not None:
                    yield _source(current, aliases)
                current, aliases = tuple(row), []
            if row[5] is not None:
                aliases.append(row[5])
        if current is not None:
            yield _source(current, aliases)


def _source(row: tuple[Any, ...], aliases: list[str]) -> SourceRow:
    return SourceRow(row[0], row[1], row[2], tuple(aliases), int(row[3] or 0), int(row[4] or 0))
