"""Entry point of ``annotator annotate``: build the workspace and run the interface."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.config import prepare_textual
from db.engine import Database

if TYPE_CHECKING:
    from annotator.scheme.definition import Scheme
    from db.read_models import ReviewQuery

# Textual reads its frame rate (annotator/config.py says why 240) when it is first
# imported, hence set here, before the imports below; a user's own setting wins.
prepare_textual()
# A statement waits this long for another writer's lock before the engine says "busy";
# then the session's WriteRunner queues the write on a worker thread, retried with backoff,
# and the screen shows a notice and keeps painting, instead of freezing silently for
# SQLite's default 10 s (or forever on PostgreSQL). Every screen opens with it.
INTERACTIVE_LOCK_WAIT_MS = 500


def run_annotator(
    database: Database, annotator: str, *, show_others: bool, document_id: int | None,
    suggestions: bool = False, scheme: Scheme | None = None,
) -> int:
    """Run the annotation interface for ``annotator`` until they quit, on ``database``
    opened with ``lock_wait_ms=INTERACTIVE_LOCK_WAIT_MS`` and ``pre_ping=False`` (see
    :meth:`db.engine.Database.with_lock_wait`), with ``scheme`` (the built-in one when
    None); returns the exit status (non-zero when the app stopped on an error, or was
    left after the database file turned out damaged)."""
    from annotator.workspace import Workspace

    workspace = Workspace(database, annotator, show_others=show_others,
                          suggestions=suggestions, scheme=scheme)
    # The corpus count (a scan of every sentence on PostgreSQL) runs on the server while
    # Textual loads. Imported here so other commands never pay for Textual.
    workspace.count_in_background()
    from annotator.tui.app import AnnotatorApp

    app = AnnotatorApp(workspace, document_id=document_id)
    app.run()
    return app.return_code or 0


def run_review(
    database: Database, reviewer: str, query: ReviewQuery, scheme: Scheme | None = None,
) -> int:
    """Run the review table for ``reviewer``, opened on ``query``, with ``scheme`` (the
    built-in one when None), until they quit; returns the exit status."""
    from annotator.review.session import ReviewSession
    from annotator.tui.review_app import ReviewApp

    app = ReviewApp(ReviewSession(database, reviewer, scheme), query)
    app.run()
    return app.return_code or 0


def run_adjudication(
    database: Database, adjudicator: str, annotators: tuple[str, ...],
    scheme: Scheme | None = None,
) -> int:
    """Run adjudication of ``annotators`` into the gold layer until the user quits; the
    source picker offers ``scheme``'s types (the built-in one when None). Returns the exit
    status."""
    from annotator.review.adjudication_session import AdjudicationSession
    from annotator.tui.review_app import AdjudicationApp

    app = AdjudicationApp(AdjudicationSession(database, adjudicator, annotators, scheme))
    app.run()
    return app.return_code or 0
