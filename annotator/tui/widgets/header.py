"""The top bar: document title, position in it and in the corpus, and overall progress."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import ProgressBar, Static

from annotator.tui.render import verbatim
from db.read_models import Progress, SentenceView


def position_text(view: SentenceView) -> Text:
    """``N/M  document D/T`` plus the done mark of this sentence."""
    text = Text(f"{view.index + 1}/{view.sentence_count}", style="bold", end="")
    text.append(f"  document {view.document_number}/{view.document_total}")
    if view.state == "done":
        text.append("  ✓ done", style="bold green")
    elif view.state:
        text.append_text(verbatim(f"  {view.state}", style="yellow"))
    return text


class HeaderLine(Widget):
    """One line of the header that changes on every move (title, position): its Text is
    painted straight to a strip, cut with an ellipsis when it does not fit. A ``Static``
    converts and lays out its content through Textual's general pipeline, which cost more
    than the rest of the header's drawing per move."""

    DEFAULT_CSS = """
    HeaderLine {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()  # what the line shows (``update`` sets it)

    def update(self, text: Text, *, layout: bool = True) -> None:
        """Show ``text``; ``layout`` when its width can change the line's arrangement."""
        self.text = text
        self.refresh(layout=layout)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.text.cell_len

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        style = self.rich_style
        if y != 0 or width <= 0:
            return Strip.blank(max(width, 0), style)
        text = self.text
        if text.cell_len > width:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        segments = Segment.apply_style(text.render(self.app.console, end=""), style)
        return Strip(segments).adjust_cell_length(width, style)


def _update(static: Static | HeaderLine, text: Text, shown: Text | None) -> Text:
    """Show ``text`` in a one-line ``Static`` of the header, asking for a layout only when
    its width can change: its content width changed and it is sized by it (``auto``)."""
    if (shown is not None and text.plain == shown.plain and text.spans == shown.spans
            and text.style == shown.style):
        return shown
    resized = shown is None or text.cell_len != shown.cell_len
    static.update(text, layout=resized and static.styles.width is not None
                  and static.styles.width.is_auto)
    return text


class AnnotatorHeader(Widget):
    """Title and position on the first line, this annotator's progress bar on the second.

    Its height is fixed (two lines), so a move repaints it without a layout of the
    screen unless a width changes (see ``_update``): a layout re-arranges every
    widget and is most of the cost of a frame.
    """

    def __init__(self, annotator: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.annotator = annotator
        self.shown_title: str | None = None
        self._shown: dict[str, Text] = {}
        self._shown_progress: Progress | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="header-top"):
            yield HeaderLine(id="title")
            yield HeaderLine(id="position")
        with Horizontal(id="header-progress"):
            yield Static(verbatim(f"{self.annotator}: done"), id="progress-label")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=True)
            yield Static(id="progress-count")

    def _set(self, name: str, text: Text) -> None:
        widget = self.query_one(f"#{name}")
        assert isinstance(widget, (Static, HeaderLine))
        self._shown[name] = _update(widget, text, self._shown.get(name))

    def show(self, view: SentenceView, progress: Progress) -> None:
        """Show where ``view`` is and how far this annotator has got."""
        # Most moves stay in the same document: skip redrawing an unchanged title.
        if view.document_title != self.shown_title:
            self.shown_title = view.document_title
            self._set("title", verbatim(view.document_title, style="bold"))
        self._set("position", position_text(view))
        self.show_progress(progress)

    def show_progress(self, progress: Progress) -> None:
        """Update the progress bar alone."""
        if progress == self._shown_progress:
            return
        self._shown_progress = progress
        # A zero total would make the bar indeterminate; an empty corpus shows 0 of 1.
        self.query_one(ProgressBar).update(total=max(progress.total, 1), progress=progress.done)
        self._set("progress-count", Text(f"{progress.done:,}/{progress.total:,} sentences"))

    def show_empty(self, message: str) -> None:
        """No sentence to show."""
        self.shown_title = None
        self._set("title", Text(message))
        self._set("position", Text())
