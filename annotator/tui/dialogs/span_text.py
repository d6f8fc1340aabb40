"""The edges of a span, edited as its text: one line, prefilled; enter saves, esc cancels.

The adjudication screen takes a version into gold with other edges this way: the text
typed is looked up in the sentence (its occurrence nearest the version), so trimming a
quote or a comma, or typing a word more, moves the edges.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.tui.render import verbatim
from annotator.tui.writes import dialog_write


class SpanTextScreen(ModalScreen[bool]):
    """Returns ``True`` once ``save`` took the text typed, ``False`` when left with escape.

    ``save`` is the one write (it raises ``ValueError`` for a text the sentence lacks,
    shown in the dialog, which stays open)."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel")]

    def __init__(self, sentence: str, text: str, save: Callable[[str], object]) -> None:
        super().__init__()
        self.sentence = sentence
        self.text = text
        self.save = save

    def compose(self) -> ComposeResult:
        title = Text("Edges of the span in ", style="bold", end="")
        title.append_text(verbatim(f"“{self.sentence}”"))
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Input(self.text, placeholder="the span's text, as in the sentence",
                        id="span-text")
            yield Static(id="span-error", classes="error")
            yield Static(Text("enter takes the span with these edges into gold · "
                              "esc cancels", style="dim"), classes="hint")

    @on(Input.Submitted, "#span-text")
    def submitted(self, event: Input.Submitted) -> None:
        """Enter saves the span with the edges of the text typed."""
        def show_error(message: str) -> None:
            self.query_one("#span-error", Static).update(verbatim(message, style="red"))

        if dialog_write(self, lambda: self.save(event.value), show_error=show_error):
            self.dismiss(True)
