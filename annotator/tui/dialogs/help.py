"""The help screen: every key of a screen (from :mod:`annotator.tui.keys`), by where it works."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.tui.keys import Section

__all__ = ["HelpScreen", "Section", "bindings_table"]


def bindings_table(sections: Sequence[Section]) -> Group:
    """Per section, a heading and a two-column table: the keys, and what they do."""
    parts: list[Text | Table] = []
    for title, keys in sections:
        parts.append(Text(f"\n{title}", style="bold underline"))
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column("key", style="bold cyan", no_wrap=True, min_width=14)
        table.add_column("action")
        for key in keys:
            table.add_row(Text(key.display), Text(key.description))
        parts.append(table)
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Lists all keys; any of escape, q, ? or enter closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,enter", "dismiss", "Close help", key_display="esc"),
    ]

    def __init__(self, sections: Sequence[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="dialog"):
            yield Static(Text("Keys", style="bold"), classes="dialog-title")
            yield Static(bindings_table(self.sections), id="help-table")
            yield Static(Text("esc, q or ? closes this help", style="dim"))
