"""The current sentence's annotations, one row each, with their attributes."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotator.tui.render import badge, figure_summary, verbatim
from db.views import AnnotationView, LinkEnd

EMPTY_ID = "empty"


def _ends(links: tuple[LinkEnd, ...]) -> Text:
    text = Text(end="")
    for number, link in enumerate(links):
        if number:
            text.append("; ")
        text.append(f"{link.label} ")
        text.append_text(verbatim(f"“{link.text}”"))
    return text


def describe(annotation: AnnotationView, *, show_annotator: bool = False) -> Text:
    """One list row: label, quoted text, then every attribute that is set (all verbatim)."""
    row = Text(end="")
    row.append_text(badge(annotation.label, annotation.status))
    row.append(" ")
    row.append_text(verbatim(f"“{annotation.text}”", style="bold"))
    details: list[Text] = []
    is_claim = annotation.label == "claim"
    if annotation.source_name is not None:
        # A claim mapped straight to a canonical source is attributed to it.
        canonical = Text("said by " if is_claim else "= ", end="")
        canonical.append_text(verbatim(annotation.source_name))
        if annotation.source_type:
            canonical.append_text(verbatim(f" ({annotation.source_type})", style="dim"))
        details.append(canonical)
    if (figure := figure_summary(annotation)) is not None:
        details.append(Text("= ", end="") + verbatim(figure))
    if annotation.attributed_to:
        details.append(Text("said by ", end="") + _ends(annotation.attributed_to))
    elif is_claim and annotation.attribution == "author":
        details.append(Text("unattributed / author's voice", end=""))
    elif is_claim and annotation.source_name is None and annotation.proposed_source is None:
        details.append(Text("not attributed yet", style="dim", end=""))
    if annotation.supports:
        verb = "supports " if annotation.label == "figure" else "backed by "
        details.append(Text(verb, end="") + _ends(annotation.supports))
    if annotation.claims:
        details.append(Text("source of ", end="") + _ends(annotation.claims))
    if annotation.source_name is None and annotation.proposed_source is not None:
        name, source_type = annotation.proposed_source
        proposed = Text("said by " if is_claim else "= ", end="") + verbatim(name)
        proposed.append_text(verbatim(f" ({source_type or 'no type'}, new)", style="dim"))
        details.append(proposed)
    if annotation.status == "suggested":
        suggested = Text("suggested", style="italic", end="")
        if annotation.reason:
            suggested.append_text(verbatim(f": {annotation.reason}", style="italic dim"))
        details.append(suggested)
    if show_annotator:
        details.append(verbatim(f"by {annotation.annotator}", style="dim"))
    for detail in details:
        row.append("  ·  ", style="dim")
        row.append_text(detail)
    return row


class AnnotationList(OptionList):
    """Lists annotations; owns the keys that act on the highlighted one."""

    BINDINGS = [
        Binding("x,delete", "request('delete')", "Delete",
                tooltip="Delete the annotation (a suggestion is rejected instead)"),
        Binding("enter", "accept", "Accept", show=False, tooltip="Accept the suggestion"),
        Binding("e", "request('edit')", "Edit",
                tooltip="Edit its attributes (source, figure value, attribution)"),
        Binding("c", "request('relabel', 'claim')", "→claim", tooltip="Relabel as claim"),
        Binding("s", "request('relabel', 'source')", "→source", tooltip="Relabel as source"),
        Binding("f", "request('relabel', 'figure')", "→figure", tooltip="Relabel as figure"),
        Binding("tab,escape", "screen.focus_sentence", "Sentence",
                tooltip="Back to the sentence"),
    ]

    class Requested(Message):
        """The user asked for ``action`` on annotation ``annotation_id``."""

        def __init__(self, action: str, annotation_id: int, label: str | None) -> None:
            super().__init__()
            self.action = action
            self.annotation_id = annotation_id
            self.label = label

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.annotations: tuple[AnnotationView, ...] = ()
        self._shown: tuple[tuple[AnnotationView, ...], bool] | None = None

    def show(self, annotations: tuple[AnnotationView, ...], *, show_annotator: bool) -> None:
        """Replace the rows, keeping the highlighted annotation if it is still there."""
        # Most sentences have no annotations: moving between two of them changes nothing
        # here, and replacing the rows would cost a layout of the screen (height: auto).
        if self._shown == (annotations, show_annotator):
            return
        self._shown = (annotations, show_annotator)
        kept = self.selected_annotation
        self.annotations = annotations
        if not annotations:
            self.set_options(
                [Option(Text("no annotations yet", style="dim"), id=EMPTY_ID, disabled=True)]
            )
            return
        self.set_options(
            Option(describe(annotation, show_annotator=show_annotator), id=str(annotation.id))
            for annotation in annotations
        )
        ids = [annotation.id for annotation in annotations]
        self.highlighted = ids.index(kept.id) if kept is not None and kept.id in ids else 0

    @property
    def selected_annotation(self) -> AnnotationView | None:
        """The highlighted annotation, if any."""
        if self.highlighted is None or not self.annotations:
            return None
        if self.highlighted >= len(self.annotations):
            return None
        return self.annotations[self.highlighted]

    def highlight_annotation(self, annotation_id: int) -> None:
        """Highlight the row of ``annotation_id`` (following the word cursor)."""
        for index, annotation in enumerate(self.annotations):
            if annotation.id == annotation_id:
                self.highlighted = index
                return

    def action_accept(self) -> None:
        """Accept the highlighted suggestion."""
        annotation = self.selected_annotation
        if annotation is None or annotation.status != "suggested":
            self.notify("Not a suggestion: nothing to accept.", markup=False)
            return
        self.post_message(self.Requested("accept", annotation.id, None))

    def action_request(self, action: str, label: str | None = None) -> None:
        """Hand the action to the screen, which does it through the workspace."""
        annotation = self.selected_annotation
        if annotation is None:
            self.notify("No annotation selected.", severity="warning", markup=False)
            return
        self.post_message(self.Requested(action, annotation.id, label))
