"""The history of one annotation: every logged change, who made it and when."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.tui.render import verbatim
from db.read_models import HistoryEntry


def _value(value: Any) -> str:
    if value is None or value == {}:
        return "–"
    return str(value)


def change_text(entry: HistoryEntry) -> Text:
    """``status: suggested → accepted; note: – → check`` (verbatim), or created/deleted."""
    if entry.created:
        return Text("created", style="green")
    if entry.deleted:
        return Text("deleted", style="red")
    text = Text(end="")
    for number, change in enumerate(entry.changes):
        if number:
            text.append("; ")
        text.append(f"{change.name}: ", style="bold")
        text.append_text(verbatim(f"{_value(change.before)} → {_value(change.after)}"))
    return text


def history_table(entries: list[HistoryEntry]) -> Table:
    """One row per change: time (UTC), who, action, what changed."""
    table = Table("when (UTC)", "who", "action", "change", box=None, padding=(0, 1))
    for entry in entries:
        table.add_row(Text(entry.at.strftime("%Y-%m-%d %H:%M:%S")), verbatim(entry.who or "?"),
                      Text(entry.action), change_text(entry))
    return table


class HistoryScreen(ModalScreen[None]):
    """Lists an annotation's history; escape, q, h or enter closes it."""

    BINDINGS = [Binding("escape,q,h,enter", "dismiss", "Close", key_display="esc")]

    def __init__(self, span_text: str, entries: list[HistoryEntry]) -> None:
        super().__init__()
        self.span_text = span_text
        self.entries = entries

    def compose(self) -> ComposeResult:
        title = Text("History of ", style="bold", end="")
        title.append_text(verbatim(f"“{self.span_text}”"))
        with VerticalScroll(classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Static(history_table(self.entries), id="history-table")
            yield Static(Text("esc closes", style="dim"))
