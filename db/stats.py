"""Corpus-wide counts for ``annotator stats`` and the stats screen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from db.engine import Database
from db.export_rows import STREAM_BATCH, attributed_target
from db.models import (
    Annotation,
    Annotator,
    ChangeLogEntry,
    Document,
    Link,
    Sentence,
    SentenceState,
    Source,
)


@dataclass(frozen=True)
class CorpusCounts:
    """Documents, sentences and annotation counts by label and by annotator."""

    documents: int
    sentences: int
    by_label: dict[str, int]
    by_annotator: dict[str, dict[str, int]]


def corpus_counts(database: Database) -> CorpusCounts:
    """Count what is stored; suggestions (pending or rejected) are not annotations until
    accepted and are left out."""
    counted = Annotation.status == "accepted"
    with database.engine.connect() as connection:
        documents = connection.scalar(select(func.count()).select_from(Document)) or 0
        sentences = connection.scalar(select(func.count()).select_from(Sentence)) or 0
        by_label = {
            label: count
            for label, count in connection.execute(
                select(Annotation.label, func.count()).where(counted).group_by(Annotation.label)
            )
        }
        by_annotator: dict[str, dict[str, int]] = {}
        rows = connection.execute(
            select(Annotator.name, Annotation.label, func.count())
            .join(Annotation, Annotation.annotator_id == Annotator.id)
            .where(counted)
            .group_by(Annotator.name, Annotation.label)
            .order_by(Annotator.name)
        )
        for name, label, count in rows:
            by_annotator.setdefault(name, {})[label] = count
    return CorpusCounts(int(documents), int(sentences), by_label, by_annotator)


@dataclass(frozen=True)
class SourceUsage:
    """A canonical source and how the annotations use it.

    ``claims``: claims attributed to it (directly or through a source span mapped to it);
    ``figures``: figures that support such a claim (each figure once per source).
    """

    source_id: int
    name: str
    source_type: str | None
    claims: int
    figures: int


def sentences_done(database: Database) -> dict[str, int]:
    """Per annotator name, the sentences they marked done."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Annotator.name, func.count())
            .join(SentenceState, SentenceState.annotator_id == Annotator.id)
            .where(SentenceState.state == "done")
            .group_by(Annotator.name)
        )
        return {name: int(count) for name, count in rows}


def annotations_made_here(database: Database) -> dict[str, int]:
    """Per annotator name, annotations made in the tool: not imported, not rejected."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Annotator.name, func.count())
            .join(Annotation, Annotation.annotator_id == Annotator.id)
            .where(Annotation.status != "rejected", Annotation.origin != "imported")
            .group_by(Annotator.name)
        )
        return {name: int(count) for name, count in rows}


def iter_activity(database: Database) -> Iterator[tuple[str, datetime]]:
    """Every change-log entry's annotator name and time, by annotator and then time, streamed."""
    query = (
        select(Annotator.name, ChangeLogEntry.at)
        .join(Annotator, Annotator.id == ChangeLogEntry.annotator_id)
        .order_by(Annotator.name, ChangeLogEntry.at, ChangeLogEntry.id)
    )
    with database.engine.connect() as connection:
        stream = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        for name, at in stream.execute(query):
            yield str(name), at


def source_usage(database: Database) -> list[SourceUsage]:
    """Every canonical source with at least one claim or figure, most claims first.

    Only accepted annotations count (a suggestion is not an annotation until accepted), and
    a claim counts for the source of a span it is attributed to once that link counts (both
    ends accepted), as in every export.
    """
    target = aliased(Annotation)
    figure = aliased(Annotation)
    resolved = func.coalesce(target.source_id, Annotation.source_id)
    claims = (
        select(resolved.label("source_id"),
               func.count(func.distinct(Annotation.id)).label("claims"),
               func.count(func.distinct(figure.id)).label("figures"))
        .select_from(Annotation)
        .outerjoin(target, target.id == attributed_target())
        .outerjoin(Link, and_(Link.to_id == Annotation.id, Link.type == "supports"))
        .outerjoin(figure, and_(figure.id == Link.from_id, figure.status == "accepted"))
        .where(Annotation.label == "claim", Annotation.status == "accepted",
               resolved.is_not(None))
        .group_by(resolved)
    )
    with database.engine.connect() as connection:
        counts = {source_id: (claims_, figures_)
                  for source_id, claims_, figures_ in connection.execute(claims)}
        sources = connection.execute(
            select(Source.id, Source.name, Source.source_type)
            .where(Source.id.in_(list(counts)))
        ).all() if counts else []
    usage = [SourceUsage(source_id, name, source_type, *counts[source_id])
             for source_id, name, source_type in sources]
    return sorted(usage, key=lambda item: (-item.claims, -item.figures, item.name))
