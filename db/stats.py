"""Corpus-wide counts for ``annotator stats``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from db.engine import Database
from db.models import Annotation, Annotator, Document, Sentence


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
