"""Go to a document or sentence by number, or find sentences by their text."""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.text.bounds import ID_MAX, check_string
from annotator.tui.render import verbatim
from annotator.workspace import Workspace
from db.read_models import SearchHit

# "12" is document 12; "12:5" is sentence 5 of document 12; ":5" is sentence 5 of this one.
_NUMBERS = re.compile(r"^\s*(\d*)\s*(?::\s*(\d+))?\s*$")


def parse_target(query: str, current_document: int) -> tuple[int, int] | None:
    """``(document, sentence)`` numbers for a number query, or ``None`` for a text search."""
    match = _NUMBERS.match(query)
    if not match or not (match.group(1) or match.group(2)):
        return None
    document = _number(match.group(1)) if match.group(1) else current_document
    sentence = _number(match.group(2)) if match.group(2) else 1
    return document, sentence


def _number(digits: str) -> int:
    # Past ID_MAX no document or sentence can exist (and neither the drivers nor int() of
    # thousands of digits would take it): any longer number stands as ID_MAX + 1.
    return int(digits) if len(digits) <= len(str(ID_MAX)) else ID_MAX + 1


def hit_row(hit: SearchHit, query: str) -> Text:
    """``12:5  title — sentence`` with the matched text emphasized."""
    row = Text(f"{hit.document_number}:{hit.sentence_number}  ", style="bold", end="")
    row.append_text(verbatim(hit.document_title, style="dim"))
    row.append(" — ", style="dim")
    sentence = verbatim(hit.text)
    lowered, needle = hit.text.lower(), query.strip().lower()
    # Offsets match because verbatim() keeps one character per code point.
    if needle and len(lowered) == len(hit.text):
        start = lowered.find(needle)
        while start != -1:
            sentence.stylize("reverse", start, start + len(needle))
            start = lowered.find(needle, start + len(needle))
    row.append_text(sentence)
    return row


class GotoScreen(ModalScreen[int | None]):
    """Returns the chosen sentence id, or ``None`` when cancelled."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self, workspace: Workspace, current_document: int) -> None:
        super().__init__()
        self.workspace = workspace
        self.current_document = current_document
        self.hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Go to", style="bold"), classes="dialog-title")
            yield Input(placeholder="12 = document 12 · 12:5 = its sentence 5 · text = search",
                        id="goto-input")
            yield Static(id="goto-message")
            yield OptionList(id="goto-hits")

    def on_mount(self) -> None:
        self.query_one("#goto-hits", OptionList).display = False

    def _message(self, text: str) -> None:
        self.query_one("#goto-message", Static).update(verbatim(text))

    @on(Input.Submitted, "#goto-input")
    def submitted(self, event: Input.Submitted) -> None:
        """A number jumps at once; anything else lists the matching sentences."""
        query = event.value
        if not query.strip():
            return
        target = parse_target(query, self.current_document)
        if target is not None:
            if max(target) > ID_MAX:  # cannot exist, on either engine: not asked
                self._message(f"No such document or sentence: numbers go up to {ID_MAX}.")
                return
            sentence_id = self.workspace.goto(*target)
            if sentence_id is None:
                self._message(f"No sentence {target[1]} in document {target[0]}.")
                return
            self.dismiss(sentence_id)
            return
        try:
            check_string(query, "the search text")  # PostgreSQL refuses a NUL in a query
        except ValueError as error:
            self._message(f"{error}.")
            return
        self.hits = self.workspace.search(query)
        hits = self.query_one("#goto-hits", OptionList)
        hits.set_options(Option(hit_row(hit, query)) for hit in self.hits)
        hits.display = bool(self.hits)
        if not self.hits:
            self._message("No sentence contains that text.")
            return
        self._message(f"{len(self.hits)} found; enter picks, tab returns to the search.")
        hits.highlighted = 0
        hits.focus()

    @on(OptionList.OptionSelected, "#goto-hits")
    def picked(self, event: OptionList.OptionSelected) -> None:
        """Jump to the chosen hit."""
        self.dismiss(self.hits[event.option_index].sentence_id)
