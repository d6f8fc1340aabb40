"""The top bar: document title, position in it and in the corpus, and overall progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import ProgressBar, Static

from annotator.tui.render import verbatim
from db.views import Progress, SentenceView


def position_text(view: SentenceView) -> Text:
    """``N/M  document D/T`` plus the done mark of this sentence."""
    text = Text(f"{view.index + 1}/{view.sentence_count}", style="bold", end="")
    text.append(f"  document {view.document_number}/{view.document_total}")
    if view.state == "done":
        text.append("  ✓ done", style="bold green")
    elif view.state:
        text.append_text(verbatim(f"  {view.state}", style="yellow"))
    return text


class AnnotatorHeader(Widget):
    """Title and position on the first line, this annotator's progress bar on the second."""

    def __init__(self, annotator: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.annotator = annotator
        self.shown_title: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="header-top"):
            yield Static(id="title")
            yield Static(id="position")
        with Horizontal(id="header-progress"):
            yield Static(verbatim(f"{self.annotator}: done"), id="progress-label")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=True)
            yield Static(id="progress-count")

    def show(self, view: SentenceView, progress: Progress) -> None:
        """Show where ``view`` is and how far this annotator has got."""
        # Most moves stay in the same document: skip redrawing an unchanged title.
        if view.document_title != self.shown_title:
            self.shown_title = view.document_title
            self.query_one("#title", Static).update(verbatim(view.document_title, style="bold"))
        self.query_one("#position", Static).update(position_text(view))
        self.show_progress(progress)

    def show_progress(self, progress: Progress) -> None:
        """Update the progress bar alone."""
        # A zero total would make the bar indeterminate; an empty corpus shows 0 of 1.
        self.query_one(ProgressBar).update(total=max(progress.total, 1), progress=progress.done)
        self.query_one("#progress-count", Static).update(
            Text(f"{progress.done:,}/{progress.total:,} sentences")
        )

    def show_empty(self, message: str) -> None:
        """No sentence to show."""
        self.shown_title = None
        self.query_one("#title", Static).update(Text(message))
        self.query_one("#position", Static).update(Text())
