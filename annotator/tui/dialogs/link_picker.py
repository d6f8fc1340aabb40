"""Pickers that link annotations: a claim to its source, a figure to the claim it supports."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.tui.render import badge, verbatim
from annotator.tui.writes import dialog_write
from annotator.workspace import Workspace
from db.read_models import AnnotationView

Row = tuple[Text, Any]


def _where(annotation: AnnotationView, sentence_id: int) -> Text:
    place = "this sentence" if annotation.sentence_id == sentence_id else "earlier"
    return Text(f"  ({place})", style="dim", end="")


class FilterPicker(ModalScreen[bool]):
    """A type-ahead list: typing filters, ↑/↓ move, enter picks, escape leaves unchanged."""

    BINDINGS = [
        Binding("escape", "dismiss(False)", "Cancel"),
        Binding("down", "move(1)", "Next choice", show=False),
        Binding("up", "move(-1)", "Previous choice", show=False),
    ]

    hint = "type to filter · ↑/↓ choose · enter picks · esc cancels"

    def __init__(self, workspace: Workspace, annotation: AnnotationView, sentence_id: int) -> None:
        super().__init__()
        self.workspace = workspace
        self.annotation = annotation
        self.sentence_id = sentence_id
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text(), classes="dialog-title")
            yield Input(placeholder="filter", id="picker-query")
            yield OptionList(id="picker-choices")
            yield Static(Text(self.hint, style="dim"), classes="hint")

    def on_mount(self) -> None:
        self._refresh("")

    def title_text(self) -> Text:
        """The dialog heading."""
        raise NotImplementedError

    def build_rows(self, query: str) -> list[Row]:
        """The choices matching ``query``."""
        raise NotImplementedError

    def initial_index(self) -> int:
        """Which row starts highlighted (the current link, if shown)."""
        return 0

    def choose(self, payload: Any) -> None:
        """Store the choice through the workspace."""
        raise NotImplementedError

    @on(Input.Changed, "#picker-query")
    def query_changed(self, event: Input.Changed) -> None:
        """Type-ahead filtering."""
        self._refresh(event.value)

    def _refresh(self, query: str) -> None:
        self.rows = self.build_rows(query.strip())
        choices = self.query_one("#picker-choices", OptionList)
        choices.set_options(Option(prompt) for prompt, _ in self.rows)
        if self.rows:
            choices.highlighted = min(self.initial_index() if not query else 0,
                                      len(self.rows) - 1)

    def action_move(self, step: int) -> None:
        """Move the highlight while the filter has focus."""
        choices = self.query_one("#picker-choices", OptionList)
        if self.rows:
            current = choices.highlighted or 0
            choices.highlighted = max(0, min(current + step, len(self.rows) - 1))

    @on(Input.Submitted, "#picker-query")
    def submitted(self) -> None:
        """Enter picks the highlighted row."""
        highlighted = self.query_one("#picker-choices", OptionList).highlighted
        if highlighted is not None and highlighted < len(self.rows):
            self._pick(self.rows[highlighted][1])

    @on(OptionList.OptionSelected, "#picker-choices")
    def selected(self, event: OptionList.OptionSelected) -> None:
        """A click or enter on the list picks that row."""
        self._pick(self.rows[event.option_index][1])

    def _pick(self, payload: Any) -> None:
        if dialog_write(self, lambda: self.choose(payload)):
            self.dismiss(True)


class AttributionPickerScreen(FilterPicker):
    """Attribute a claim to a source span, a canonical source, or to nobody (author's voice)."""

    UNATTRIBUTED = ("none", None)

    def title_text(self) -> Text:
        title = Text("Who says ", style="bold", end="")
        title.append_text(verbatim(f"“{self.annotation.text}”"))
        title.append("?", style="bold")
        return title

    def build_rows(self, query: str) -> list[Row]:
        needle = query.lower()
        rows: list[Row] = []
        for span in self.workspace.attribution_candidates(self.sentence_id):
            names = f"{span.text}\n{span.source_name or ''}".lower()
            if needle and needle not in names:
                continue
            row = badge("source")
            row.append(" ")
            row.append_text(verbatim(f"“{span.text}”"))
            if span.source_name:
                row.append_text(verbatim(f"  = {span.source_name}", style="cyan"))
            row.append_text(_where(span, self.sentence_id))
            rows.append((row, ("span", span.id)))
        for source in self.workspace.find_sources(query, limit=10):
            row = Text(" registry ", style="reverse", end="")
            row.append(" ")
            row.append_text(verbatim(source.name, style="bold"))
            if source.source_type:
                row.append_text(verbatim(f"  ({source.source_type})", style="dim"))
            rows.append((row, ("source", source.id)))
        rows.append((Text("— unattributed / author's voice", style="italic"), self.UNATTRIBUTED))
        return rows

    def initial_index(self) -> int:
        claim = self.annotation
        if claim.attributed_to:
            current: tuple[str, Any] = ("span", claim.attributed_to[0].annotation_id)
        elif claim.source_id is not None:
            current = ("source", claim.source_id)
        elif claim.attribution == "author":
            current = self.UNATTRIBUTED
        else:
            return 0  # the nearest source span, when there is one
        payloads = [payload for _, payload in self.rows]
        return payloads.index(current) if current in payloads else 0

    def choose(self, payload: Any) -> None:
        kind, target = payload
        if kind == "span":
            self.workspace.attribute_to_span(self.annotation.id, target)
        elif kind == "source":
            self.workspace.attribute_to_source(self.annotation.id, target)
        else:
            self.workspace.unattribute(self.annotation.id)


class ClaimPickerScreen(FilterPicker):
    """Link a figure to a claim (in this or an earlier sentence) that it supports."""

    def title_text(self) -> Text:
        title = Text("Which claim does ", style="bold", end="")
        title.append_text(verbatim(f"“{self.annotation.text}”"))
        title.append(" support?", style="bold")
        return title

    def build_rows(self, query: str) -> list[Row]:
        needle = query.lower()
        linked = {end.annotation_id for end in self.annotation.supports}
        rows: list[Row] = []
        for claim in self.workspace.claim_candidates(self.sentence_id):
            if needle and needle not in claim.text.lower():
                continue
            row = badge("claim")
            row.append(" ")
            row.append_text(verbatim(f"“{claim.text}”"))
            row.append_text(_where(claim, self.sentence_id))
            if claim.id in linked:
                row.append("  ← linked", style="green")
            rows.append((row, claim.id))
        return rows

    def choose(self, payload: Any) -> None:
        self.workspace.link_figure(self.annotation.id, payload)
