"""The rows of the table exports (spans, claims, figures, sources), streamed from the database.

Each view is one ordered query read with a server-side cursor, so memory stays
flat however many annotations there are. Formatting belongs to ``annotator/``.

The link rule holds in every view: a link (claim ``attributed_to`` source span, figure
``supports`` claim) counts once both its ends are accepted, and a row names the other end's
id only when the export's selection keeps that end too. A claim attributed to a rejected
source span is therefore not attributed (``attribution`` ``none``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from db.engine import Database
from db.filters import AnnotationFilter
from db.models import Annotation, Annotator, Document, Link, Sentence, Source, SourceAlias
from db.sources import visible_source
from db.values import Figure, figure_of

STREAM_BATCH = 2_000


# The kinds of a claim's attribution: to a source (a source span or a canonical source),
# the author's own voice (marked so), or none (not attributed, or attributed through a link
# that does not count).
ATTRIBUTIONS = ("source", "author", "none")


@dataclass(frozen=True)
class SpanRow:
    """One annotation: ``start``/``end`` in the sentence, ``doc_start``/``doc_end`` in the document.

    ``sentence_number`` is 1-based, as the screens show it. ``attribution`` is a claim's kind
    (:data:`ATTRIBUTIONS`; ``None`` for other labels). ``attributed_to`` is the source span a
    claim is attributed to when that link counts and the span is in the same export;
    ``source_id``/``source_name``/``source_type`` are that span's canonical source, else the
    claim's own (or a source span's own).
    """

    annotation_id: int
    document_id: int
    document_title: str
    sentence_number: int
    sentence: str
    label: str
    text: str
    start: int
    end: int
    doc_start: int
    doc_end: int
    attribution: str | None
    source_id: int | None
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
    sentence_number: int
    start: int
    end: int
    doc_start: int
    doc_end: int
    claim_text: str
    annotator: str
    status: str
    attribution: str
    source_id: int | None
    source_name: str | None
    source_type: str | None
    source_span_id: int | None
    source_text: str | None
    figures: tuple[FigureCell, ...]


@dataclass(frozen=True)
class FigureRow:
    """One figure supporting one claim (a figure supporting two claims is two rows)."""

    claim_id: int
    figure_id: int
    document_id: int
    sentence_number: int
    start: int
    end: int
    doc_start: int
    doc_end: int
    text: str
    figure: Figure | None
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


def attributed_target(selection: AnnotationFilter | None = None) -> Any:
    """The source span a claim (``Annotation``) is attributed to, when that link counts.

    A link counts once both its ends are accepted: a claim attributed to a rejected (or
    still suggested) source span is not attributed to it. With ``selection``, the span must
    also be one the selection keeps. The lowest id wins if a file gave several.
    """
    span = aliased(Annotation)
    conditions = [] if selection is None else selection.conditions(span)
    return (
        select(func.min(Link.to_id))
        .join(span, span.id == Link.to_id)
        .where(Link.from_id == Annotation.id, Link.type == "attributed_to",
               Annotation.status == "accepted", span.status == "accepted", *conditions)
        .correlate(Annotation)
        .scalar_subquery()
    )


def attribution_kind(
    label: str, has_source: bool, marked: str | None
) -> str | None:
    """A claim's attribution kind (:data:`ATTRIBUTIONS`); ``None`` for other labels.

    ``has_source``: a counted link to a source span, or a canonical source of its own;
    ``marked``: the claim's ``attribution`` attribute (``"author"`` for the author's voice).
    """
    if label != "claim":
        return None
    if has_source:
        return "source"
    return "author" if marked == "author" else "none"


def _in_selection(selection: AnnotationFilter, annotation: Any) -> Any:
    """``annotation.id`` when the selection keeps it, else NULL: a link's other end is named
    only when it is in the same export."""
    conditions = selection.conditions(annotation)
    if not conditions:
        return annotation.id
    return case((and_(*conditions), annotation.id), else_=None)


def span_query(selection: AnnotationFilter) -> Select[Any]:
    """The spans view as one ordered query; its columns follow :class:`SpanRow`, with the
    figure's value, unit and qualifier in its place and the claim's ``attribution``
    attribute after the timestamps."""
    target = aliased(Annotation)
    return (
        select(
            Annotation.id, Annotation.document_id, Document.title, Sentence.index + 1,
            Sentence.text, Annotation.label, Annotation.text, Annotation.start, Annotation.end,
            Annotation.doc_start, Annotation.doc_end, Source.id, Source.name,
            Source.source_type, _in_selection(selection, target), Annotation.figure_value,
            Annotation.figure_unit, Annotation.figure_qualifier, Annotator.name,
            Annotation.status, Annotation.origin, Annotation.created_at, Annotation.updated_at,
            target.id, Annotation.attrs["attribution"].as_string(), Annotation.attrs,
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
            label = row[5]
            kind = attribution_kind(label, row[23] is not None or row[11] is not None, row[24])
            yield SpanRow(*row[:11], kind, *row[11:15], figure_of(row[15], row[16], row[17]),
                          *row[18:23], *cue_cells(row[25]))


def cue_cells(attrs: dict[str, Any] | None) -> tuple[int | None, int | None, str | None]:
    """A span's cue as (start, end, text) from its attributes; all three or none."""
    attrs = attrs or {}
    start, end, text = attrs.get("cue_start"), attrs.get("cue_end"), attrs.get("cue")
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(text, str)):
        return None, None, None
    return start, end, text


def iter_claim_rows(database: Database, selection: AnnotationFilter) -> Iterator[ClaimRow]:
    """Stream one row per claim with the figures that support it.

    A figure is listed when the link counts (claim and figure accepted) and the selection
    keeps the figure too. The query yields one row per (claim, figure) pair in claim order,
    folded here, so a claim's figures are never gathered beyond the claim itself.
    """
    target = aliased(Annotation)
    figure = aliased(Annotation)
    supports = aliased(Link)
    query = (
        select(
            Annotation.id, Annotation.document_id, Document.title, Sentence.index + 1,
            Annotation.start, Annotation.end, Annotation.doc_start, Annotation.doc_end,
            Annotation.text, Annotator.name, Annotation.status,
            Annotation.attrs["attribution"].as_string(), Source.id, Source.name,
            Source.source_type, _in_selection(selection, target), target.id, target.text,
            figure.id, figure.figure_value, figure.figure_unit, figure.figure_qualifier,
            figure.text, figure.attrs,
        )
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .join(Document, Document.id == Annotation.document_id)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .outerjoin(target, target.id == attributed_target())
        .outerjoin(Source, Source.id == func.coalesce(target.source_id, Annotation.source_id))
        .outerjoin(supports, and_(supports.to_id == Annotation.id, supports.type == "supports"))
        .outerjoin(figure, and_(figure.id == supports.from_id, *_counted_figure(selection, figure)))
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
            if row[18] is not None:
                figures.append(_figure_cell(row[19:24], row[22]))
        if current is not None:
            yield _claim(current, figures)


def _counted_figure(selection: AnnotationFilter, figure: Any) -> list[Any]:
    """The conditions under which a supporting figure's link counts in an export."""
    return [Annotation.status == "accepted", figure.status == "accepted",
            *selection.conditions(figure)]


def _figure(values: Any) -> Figure | None:
    """The figure of (value, unit, qualifier, text, attrs), with a range's ``value_max``."""
    value, unit, qualifier, _text, attrs = values
    figure = figure_of(value, unit, qualifier)
    high = (attrs or {}).get("value_max")
    if figure is not None and isinstance(high, int | float) and not isinstance(high, bool):
        figure = Figure(value, unit, qualifier, float(high))
    return figure


def _figure_cell(values: Any, text: str) -> FigureCell:
    return FigureCell(text, _figure(values))


def _claim(row: tuple[Any, ...], figures: list[FigureCell]) -> ClaimRow:
    has_source = row[16] is not None or row[12] is not None
    return ClaimRow(
        *row[:11], attribution=attribution_kind("claim", has_source, row[11]) or "none",
        source_id=row[12], source_name=row[13], source_type=row[14], source_span_id=row[15],
        source_text=row[17] if row[15] is not None else None, figures=tuple(figures),
    )


def iter_figure_rows(database: Database, selection: AnnotationFilter) -> Iterator[FigureRow]:
    """Stream one row per (claim, supporting figure) whose link counts, in claim order."""
    figure = aliased(Annotation)
    figure_sentence = aliased(Sentence)
    query = (
        select(
            Annotation.id, figure.id, figure.document_id, figure_sentence.index + 1,
            figure.start, figure.end, figure.doc_start, figure.doc_end, figure.text,
            figure.figure_value, figure.figure_unit, figure.figure_qualifier, figure.text,
            figure.attrs, Annotator.name, figure.status,
        )
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .join(Link, and_(Link.to_id == Annotation.id, Link.type == "supports"))
        .join(figure, and_(figure.id == Link.from_id, *_counted_figure(selection, figure)))
        .join(figure_sentence, figure_sentence.id == figure.sentence_id)
        .join(Annotator, Annotator.id == figure.annotator_id)
        .where(Annotation.label == "claim", *selection.conditions())
        .order_by(Annotation.document_id, Sentence.index, Annotation.start, Annotation.end,
                  Annotation.id, figure.doc_start, figure.doc_end, figure.id)
    )
    with database.engine.connect() as connection:
        stream = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        for row in stream.execute(query):
            yield FigureRow(*row[:9], _figure(row[9:14]), row[14], row[15])


def iter_source_rows(database: Database, selection: AnnotationFilter) -> Iterator[SourceRow]:
    """Stream every canonical source by name; counts cover the annotations the filter keeps.

    A claim counts for a source when it is attributed to the source directly or to a span
    mapped to it, that link counting (claim and span accepted); a mention is a source span
    mapped to it.
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
        .where(Link.type == "attributed_to", span.source_id == Source.id,
               span.status == "accepted")
        .correlate(Source)
    )
    claims = (
        select(func.count()).select_from(claim)
        .where(claim.label == "claim",
               or_(claim.source_id == Source.id,
                   and_(claim.status == "accepted", claim.id.in_(via_span))),
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


def annotators_in(database: Database, selection: AnnotationFilter) -> list[str]:
    """The names of the annotators owning an annotation the selection keeps, by name."""
    query = (
        select(Annotator.name)
        .where(exists().where(Annotation.annotator_id == Annotator.id,
                              *selection.conditions()))
        .order_by(Annotator.name)
    )
    with database.engine.connect() as connection:
        return list(connection.scalars(query))
