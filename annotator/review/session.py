"""One reviewer's session over the database: what every key of the review screen calls.

No Textual and no SQL here: the screen translates keys into these calls; each
call that changes something is one committed transaction and one undo step of
the reviewer.
"""

from __future__ import annotations

from typing import Any

from annotator.scheme.definition import Scheme, default_scheme
from annotator.text.bounds import check_optional
from db import history, review, sources
from db.annotations import ensure_annotator
from db.engine import Database
from db.filters import unknown_annotators
from db.read_models import (
    AnnotationView,
    HistoryEntry,
    ReviewQuery,
    ReviewRow,
    SentenceContext,
    SourceChoice,
)
from db.retry import WriteRunner, write_action


class ReviewSession:
    """The review actions of ``reviewer``; it is a ``SourceEditor`` and a ``FigureEditor``
    (annotator/tui/dialogs/editors.py), so the annotation screen's dialogs serve it too;
    ``scheme`` (the built-in one when None) gives the source picker its types."""

    def __init__(
        self, database: Database, reviewer: str, scheme: Scheme | None = None
    ) -> None:
        self.database = database
        self._scheme = scheme  # None: the built-in one, read when first used
        self.reviewer = reviewer
        self.annotator = reviewer  # the name the shared dialogs show
        self.writes = WriteRunner()  # every write below goes through it
        self.reviewer_id = self.writes.run(lambda: ensure_annotator(database, reviewer))
        self.page_size = review.PAGE_SIZE

    # --- reading ------------------------------------------------------------------

    @property
    def scheme(self) -> Scheme:
        """The project's scheme, or the built-in one (read on first use, off the first
        frame)."""
        return self._scheme if self._scheme is not None else default_scheme()

    def page(
        self, query: ReviewQuery, after: tuple[Any, ...] | None = None
    ) -> list[ReviewRow]:
        """One page of the listing, after the row whose sort key is ``after``."""
        return review.review_page(self.database, query, after, self.page_size)

    def count(self, query: ReviewQuery) -> int:
        """How many annotations the query lists."""
        return review.count_rows(self.database, query)

    def row(self, annotation_id: int, sort: str = "position") -> ReviewRow | None:
        """One row read again after a change (``None`` once it is gone)."""
        return review.review_row(self.database, annotation_id, sort)

    def context(self, sentence_id: int) -> SentenceContext:
        """The row's sentence with its neighbours."""
        return review.sentence_context(self.database, sentence_id)

    def history(self, annotation_id: int) -> list[HistoryEntry]:
        """Every logged change of an annotation, oldest first."""
        return review.annotation_history(self.database, annotation_id)

    def unknown_annotators(self, names: tuple[str, ...]) -> list[str]:
        """Names in a filter that no annotator has."""
        return unknown_annotators(self.database, names)

    # --- decisions ------------------------------------------------------------------
    @write_action
    def accept(self, annotation_id: int) -> None:
        """Accept one annotation."""
        review.decide(self.database, self.reviewer_id, annotation_id, "accepted")

    @write_action
    def reject(self, annotation_id: int) -> None:
        """Reject one annotation."""
        review.decide(self.database, self.reviewer_id, annotation_id, "rejected")

    @write_action
    def bulk(self, query: ReviewQuery, status: str) -> int:
        """Accept or reject everything the query lists, as one undo step; returns how many."""
        return review.bulk_decide(self.database, self.reviewer_id, query, status)

    def note(self, annotation_id: int, text: str | None) -> None:
        """Set (or with an empty text remove) the reviewer's note; a note neither engine
        would store unchanged (a NUL character) is refused here, the same on both."""
        check_optional(text, "note")
        self._store_note(annotation_id, text)

    @write_action
    def _store_note(self, annotation_id: int, text: str | None) -> None:
        review.set_note(self.database, self.reviewer_id, annotation_id, text)

    @write_action
    def relabel(self, annotation_id: int, label: str) -> None:
        """Change the label (links that no longer fit are removed)."""
        review.relabel(self.database, self.reviewer_id, annotation_id, label)

    @write_action
    def set_source(self, annotation_id: int, source_id: int | None) -> None:
        """Map a span, or a claim directly, to a canonical source (or clear it)."""
        review.set_source(self.database, self.reviewer_id, annotation_id, source_id)

    @write_action
    def set_figure(
        self, annotation_id: int, value: float | None, unit: str | None, qualifier: str | None
    ) -> None:
        """Correct a figure's value, unit and qualifier."""
        review.set_figure(self.database, self.reviewer_id, annotation_id, value, unit, qualifier)

    # --- the shared source registry (for the source picker) --------------------------
    def find_sources(self, query: str, limit: int = 20) -> list[SourceChoice]:
        """Canonical sources whose name or an alias contains ``query``."""
        return sources.find_sources(self.database, query, limit)

    @write_action
    def pick_source_with_alias(
        self, annotation_id: int, source_id: int, alias: str | None
    ) -> None:
        """Map a span to a registered source and record ``alias`` as another name of it,
        in one transaction."""
        review.pick_source_with_alias(self.database, self.reviewer_id, annotation_id,
                                      source_id, alias)

    @write_action
    def create_and_set_source(
        self, annotation_id: int, name: str, source_type: str | None,
        aliases: tuple[str, ...] = (),
    ) -> int:
        """Register a source (or find the one of that name) and map a span to it, in one
        transaction; returns the source's id."""
        return review.create_and_set_source(self.database, self.reviewer_id, annotation_id,
                                            name, source_type, aliases)

    # --- history ----------------------------------------------------------------------
    @write_action
    def undo(self) -> int | None:
        """Undo the reviewer's latest action; returns the sentence it touched, or ``None``."""
        return history.undo(self.database, self.reviewer_id)

    @write_action
    def redo(self) -> int | None:
        """Redo the reviewer's latest undone action."""
        return history.redo(self.database, self.reviewer_id)


def annotation_view(row: ReviewRow) -> AnnotationView:
    """A review row as the shared attribute dialogs expect an annotation."""
    return AnnotationView(
        id=row.id, sentence_id=row.sentence_id, label=row.label, start=row.start, end=row.end,
        text=row.text, status=row.status, origin=row.origin, annotator=row.annotator,
        source_id=row.source_id, source_name=row.source_name, source_type=row.source_type,
        figure=row.figure,
    )
