"""Which annotations an export or a read covers: by annotator, label, status and document."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from db.engine import Database
from db.models import Annotation, Annotator


@dataclass(frozen=True)
class AnnotationFilter:
    """An empty tuple means "all": no filter on that field."""

    annotators: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    document_ids: tuple[int, ...] = ()

    def conditions(self, annotation: Any = Annotation) -> list[ColumnElement[bool]]:
        """WHERE conditions on ``annotation`` (the model or an alias of it)."""
        found: list[ColumnElement[bool]] = []
        if self.annotators:
            found.append(annotation.annotator_id.in_(
                select(Annotator.id).where(Annotator.name.in_(self.annotators))
            ))
        if self.labels:
            found.append(annotation.label.in_(self.labels))
        if self.statuses:
            found.append(annotation.status.in_(self.statuses))
        if self.document_ids:
            found.append(annotation.document_id.in_(self.document_ids))
        return found


def unknown_annotators(database: Database, names: Iterable[str]) -> list[str]:
    """The names among ``names`` that no annotator has."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    with database.engine.connect() as connection:
        known = set(connection.scalars(select(Annotator.name).where(Annotator.name.in_(wanted))))
    return [name for name in wanted if name not in known]
