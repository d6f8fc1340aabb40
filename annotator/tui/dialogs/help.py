"""The help screen: every key binding of the annotation screen, grouped by where it works."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

Section = tuple[str, Sequence[BindingType]]


def _bindings(items: Iterable[BindingType]) -> list[Binding]:
    # Not Binding.make_bindings: it splits "j,down" into two rows; help shows one.
    bindings = [item if isinstance(item, Binding) else Binding(*item) for item in items]
    return [binding for binding in bindings if binding.description]


def key_names(binding: Binding) -> str:
    """``j / down`` for a binding with several keys (``shift+j`` aliases of ``J`` left out)."""
    names = []
    for key in binding.key.split(","):
        key = key.strip()
        if key.startswith("shift+") and len(key) == 7:
            continue  # "J,shift+j" is one key, J, for the user
        names.append({"question_mark": "?", "delete": "del"}.get(key, key))
    return " / ".join(names)


def bindings_table(sections: Sequence[Section]) -> Group:
    """Per section, a heading and a two-column table of keys and what they do."""
    parts: list[Text | Table] = []
    for title, items in sections:
        parts.append(Text(f"\n{title}", style="bold underline"))
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column("key", style="bold cyan", no_wrap=True, min_width=14)
        table.add_column("action")
        seen: set[tuple[str, str]] = set()
        for binding in _bindings(items):
            # The tooltip is the longer explanation; the footer keeps the short description.
            row = (key_names(binding), binding.tooltip or binding.description)
            if row not in seen:
                seen.add(row)
                table.add_row(Text(row[0]), Text(row[1]))
        parts.append(table)
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Lists all bindings; any of escape, q, ? or enter closes it."""

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
