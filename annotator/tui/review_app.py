"""The Textual application of ``annotator review``: the review table or adjudication."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.session import ReviewSession
from annotator.tui.base import VerbatimApp
from annotator.tui.screens.adjudicate import AdjudicateScreen
from annotator.tui.screens.review import ReviewScreen
from db.read_models import ReviewQuery

STYLES = Path(__file__).parent / "styles"


class ReviewApp(VerbatimApp):
    """Shows :class:`ReviewScreen` over a :class:`ReviewSession`."""

    CSS_PATH = [STYLES / "annotator.tcss", STYLES / "review.tcss"]
    TITLE = "annotator review"

    def __init__(self, session: ReviewSession, query: ReviewQuery | None = None) -> None:
        super().__init__()
        self.session = session
        self.query_start = query

    def get_default_screen(self) -> Screen:
        """The review table with the filter given on the command line."""
        return ReviewScreen(self.session, self.query_start)


class AdjudicationApp(VerbatimApp):
    """Shows :class:`AdjudicateScreen` over an :class:`AdjudicationSession`."""

    CSS_PATH = [STYLES / "annotator.tcss", STYLES / "review.tcss"]
    TITLE = "annotator adjudication"

    def __init__(self, session: AdjudicationSession) -> None:
        super().__init__()
        self.session = session

    def get_default_screen(self) -> Screen:
        """The first sentence to adjudicate."""
        return AdjudicateScreen(self.session)
