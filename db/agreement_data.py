"""What agreement is computed on: the compared annotators' accepted spans, sentence by sentence.

Only sentences that every compared annotator marked done are read (unless
``all_sentences``), streamed in sentence order with one cursor, so
memory holds one sentence's spans at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from db.engine import Database
from db.export_rows import STREAM_BATCH, attributed_target
from db.models import Annotation, Annotator, Sentence, SentenceState, Source
from db.values import Figure, figure_of


@dataclass(frozen=True)
class AgreementSpan:
    """One accepted span with the attributes agreement compares.

    ``source_type`` is the type of a source span's own canonical source. For a claim,
    ``attributed_source_id`` is the canonical source it is attributed to (through a
    source span, or directly), ``attributed_span`` the document offsets of a source span
    it is attributed to that has no canonical source, ``attribution`` its explicit
    attribution attribute (``"author"``: the author's own voice).
    """

    annotator: str
    label: str
    start: int
    end: int
    source_type: str | None
    attributed_source_id: int | None
    attributed_span: tuple[int, int] | None
    attribution: str | None
    figure: Figure | None


@dataclass(frozen=True)
class SentenceSpans:
    """The compared annotators' spans in one counted sentence."""

    document_id: int
    sentence_id: int
    spans: tuple[AgreementSpan, ...]


def annotator_ids(database: Database, names: Sequence[str]) -> dict[str, int]:
    """Ids of the annotators called ``names`` (unknown names are left out)."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Annotator.name, Annotator.id).where(Annotator.name.in_(list(names)))
        )
        return {name: identifier for name, identifier in rows}


def annotators_with_accepted_spans(database: Database) -> list[str]:
    """Names of every annotator with at least one accepted annotation, sorted."""
    has_spans = (
        select(Annotation.id)
        .where(Annotation.annotator_id == Annotator.id, Annotation.status == "accepted")
        .exists()
    )
    with database.engine.connect() as connection:
        return list(connection.scalars(
            select(Annotator.name).where(has_spans).order_by(Annotator.name)
        ))


def _done_by_all(ids: Sequence[int]) -> Select[Any]:
    """Ids of sentences every annotator of ``ids`` marked done."""
    return (
        select(SentenceState.sentence_id)
        .where(SentenceState.annotator_id.in_(ids), SentenceState.state == "done")
        .group_by(SentenceState.sentence_id)
        .having(func.count() == len(set(ids)))
    )


def count_compared_sentences(
    database: Database, ids: Sequence[int], documents: Sequence[int] = (),
    all_sentences: bool = False,
) -> int:
    """How many sentences agreement counts: done by all of ``ids``, or every sentence."""
    query = select(func.count()).select_from(Sentence)
    if not all_sentences:
        query = query.where(Sentence.id.in_(_done_by_all(ids)))
    if documents:
        query = query.where(Sentence.document_id.in_(list(documents)))
    with database.engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def iter_sentence_spans(
    database: Database, ids: Mapping[str, int], labels: Sequence[str] = (),
    documents: Sequence[int] = (), all_sentences: bool = False,
) -> Iterator[SentenceSpans]:
    """Stream the counted sentences that hold spans, each with all compared annotators' spans.

    ``ids`` maps annotator names to ids. Only accepted annotations count; sentences
    without any span of the compared annotators are not yielded (they still count).
    """
    names = {identifier: name for name, identifier in ids.items()}
    target = aliased(Annotation)
    own_source = aliased(Source)
    query = (
        select(
            Annotation.document_id, Annotation.sentence_id, Annotation.annotator_id,
            Annotation.label, Annotation.start, Annotation.end, own_source.source_type,
            func.coalesce(target.source_id, Annotation.source_id), target.id,
            target.doc_start, target.doc_end,
            # Read in SQL: decoding every row's JSON in Python costs more than the matching.
            Annotation.attrs["attribution"].as_string(), Annotation.figure_value,
            Annotation.figure_unit, Annotation.figure_qualifier,
        )
        .select_from(Annotation)
        .outerjoin(target, target.id == attributed_target())
        .outerjoin(own_source, own_source.id == Annotation.source_id)
        .where(Annotation.annotator_id.in_(list(names)), Annotation.status == "accepted")
        # By sentence alone: the unique (sentence, annotator, label, ...) index then gives the
        # order without a sort, and a sentence's rows still come together.
        .order_by(Annotation.sentence_id)
    )
    if labels:
        query = query.where(Annotation.label.in_(list(labels)))
    if documents:
        query = query.where(Annotation.document_id.in_(list(documents)))
    if not all_sentences:
        query = query.where(Annotation.sentence_id.in_(_done_by_all(list(names))))
    with database.engine.connect() as connection:
        stream = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        current: tuple[int, int] | None = None
        spans: list[AgreementSpan] = []
        for row in stream.execute(query):
            key = (row[0], row[1])
            if key != current:
                if current is not None:
                    yield SentenceSpans(current[0], current[1], tuple(spans))
                current, spans = key, []
            spans.append(_span(row, names))
        if current is not None:
            yield SentenceSpans(current[0], current[1], tuple(spans))



def _span(row: Any, names: dict[int, str]) -> AgreementSpan:
    label = row[3]
    is_claim = label == "claim"
    # A claim attributed to a source span with no canonical source is told apart by the span.
    unmapped_span = (row[9], row[10]) if is_claim and row[8] is not None and row[7] is None \
        else None
    return AgreementSpan(
        annotator=names[row[2]], label=label, start=row[4], end=row[5],
        source_type=row[6] if label == "source" else None,
        attributed_source_id=row[7] if is_claim else None,
        attributed_span=unmapped_span,
        attribution=row[11] if is_claim else None,
        figure=figure_of(row[12], row[13], row[14]),
    )
