"""A reviewer's note on an annotation: one line, enter saves, an empty note removes it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.text.bounds import BoundsError, check_string
from annotator.tui.render import verbatim


class NoteScreen(ModalScreen[str | None]):
    """Returns the note typed (``""`` removes it), or ``None`` when left with escape."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, span_text: str, note: str | None) -> None:
        super().__init__()
        self.span_text = span_text
        self.note = note

    def compose(self) -> ComposeResult:
        title = Text("Note on ", style="bold", end="")
        title.append_text(verbatim(f"“{self.span_text}”"))
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Input(self.note or "", placeholder="why, what to check", id="note")
            yield Static(Text("enter saves (empty removes the note) · esc cancels",
                              style="dim"), classes="hint")

    @on(Input.Submitted, "#note")
    def submitted(self, event: Input.Submitted) -> None:
        """Enter returns the note; one the database would not store unchanged (a NUL
        character, pasted) is refused in one line, and the dialog stays open to fix it."""
        try:
            check_string(event.value, "note")
        except BoundsError as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        self.dismiss(event.value)
