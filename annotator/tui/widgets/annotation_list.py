"""The current sentence's annotations, one row each, with their attributes."""

from __future__ import annotations

from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from annotator.tui import keys
from annotator.tui.keys import bindings_for
from annotator.tui.render import badge, figure_summary, verbatim
from db.read_models import AnnotationView, LinkEnd

EMPTY_ID = "empty"


def _ends(links: tuple[LinkEnd, ...]) -> Text:
    text = Text(end="")
    for number, link in enumerate(links):
        if number:
            text.append("; ")
        text.append(f"{link.label} ")
        text.append_text(verbatim(f"“{link.text}”"))
        if link.status == "suggested":  # a proposal: the link counts once it is accepted
            text.append(" (suggested)", style="italic dim")
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
    if (figure := figure_summary(annotation.figure)) is not None:
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


class ListRow(NamedTuple):
    """One row of the list: what it shows and the annotation id it stands for."""

    prompt: Text
    id: str


class AnnotationList(Widget, can_focus=True):
    """Lists annotations; owns the keys that act on the highlighted one.

    Its size comes from the stylesheet, never from its rows: it wraps and scrolls
    them itself, so showing another sentence's annotations repaints this widget
    without a layout of the screen (an OptionList's height and virtual size follow
    its rows, and every change of them lays out the whole screen).
    """

    COMPONENT_CLASSES = {"annotation-list--highlight", "annotation-list--highlight-blurred"}

    DEFAULT_CSS = """
    AnnotationList > .annotation-list--highlight {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    AnnotationList > .annotation-list--highlight-blurred {
        background: $block-cursor-blurred-background;
    }
    """

    BINDINGS = bindings_for(keys.ANNOTATION_LIST)

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
        self.options: list[ListRow] = []
        self._highlighted: int | None = None
        self._shown: tuple[tuple[AnnotationView, ...], bool] | None = None
        self._top = 0
        # width -> the wrapped lines and, per line, the row it belongs to.
        self._wrapped: tuple[int, list[Text], list[int]] | None = None
        self._paint_styles: tuple[Style, Style] | None = None  # during render_lines

    def show(self, annotations: tuple[AnnotationView, ...], *, show_annotator: bool) -> None:
        """Replace the rows, keeping the highlighted annotation if it is still there."""
        if self._shown == (annotations, show_annotator):
            return
        self._shown = (annotations, show_annotator)
        kept = self.selected_annotation
        self.annotations = annotations
        self._wrapped = None
        self._top = 0
        if not annotations:
            self.options = [ListRow(Text("no annotations yet", style="dim"), EMPTY_ID)]
            self._highlighted = None
            self.refresh()
            return
        self.options = [
            ListRow(describe(annotation, show_annotator=show_annotator), str(annotation.id))
            for annotation in annotations
        ]
        ids = [annotation.id for annotation in annotations]
        self.highlighted = ids.index(kept.id) if kept is not None and kept.id in ids else 0

    @property
    def highlighted(self) -> int | None:
        """Index of the highlighted row (``None`` when there are no annotations)."""
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if index is not None and self.annotations:
            index = max(0, min(index, len(self.annotations) - 1))
        else:
            index = None
        self._highlighted = index
        self._scroll_to_highlight()
        self.refresh()

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

    # --- drawing -------------------------------------------------------------------
    def _lines(self) -> tuple[list[Text], list[int]]:
        width = max(self.content_size.width, 1)
        if self._wrapped is None or self._wrapped[0] != width:
            console = self.app.console
            lines: list[Text] = []
            owners: list[int] = []
            for index, row in enumerate(self.options):
                # Most rows fit on one line: wrapping (splitting and re-joining the Text)
                # is only paid by the long ones.
                if row.prompt.cell_len <= width and "\n" not in row.prompt.plain:
                    lines.append(row.prompt)
                    owners.append(index)
                    continue
                wrapped = row.prompt.wrap(console, width, overflow="fold")
                lines.extend(wrapped)
                owners.extend([index] * len(wrapped))
            self._wrapped = (width, lines, owners)
        return self._wrapped[1], self._wrapped[2]

    def _scroll_to_highlight(self) -> None:
        if self._highlighted is None or not self.is_mounted:
            return
        _, owners = self._lines()
        rows = [y for y, owner in enumerate(owners) if owner == self._highlighted]
        height = max(self.content_size.height, 1)
        if not rows:
            return
        if rows[0] < self._top:
            self._top = rows[0]
        elif rows[-1] >= self._top + height:
            # A row taller than the list shows its first lines.
            self._top = min(rows[0], rows[-1] - height + 1)

    def _on_resize(self, event: events.Resize) -> None:
        self._wrapped = None
        self._scroll_to_highlight()

    def _styles(self) -> tuple[Style, Style]:
        """The base style of a line and that of the highlighted row (focused or not)."""
        name = ("annotation-list--highlight" if self.has_focus
                else "annotation-list--highlight-blurred")
        return self.rich_style, self.get_component_rich_style(name)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles are the same for every line of one paint; each costs a walk up the
        # widget tree, so they are looked up once here, not once per line.
        self._paint_styles = self._styles()
        try:
            return super().render_lines(crop)
        finally:
            self._paint_styles = None

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        style, highlight = self._paint_styles or self._styles()
        lines, owners = self._lines()
        index = self._top + y
        if index >= len(lines):
            return Strip.blank(width, style)
        segments = list(lines[index].render(self.app.console, end=""))
        if self.annotations and owners[index] == self._highlighted:
            segments = list(Segment.apply_style(segments, post_style=highlight))
            return Strip(segments).adjust_cell_length(width, highlight)
        return Strip(segments).adjust_cell_length(width, style)

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    async def _on_click(self, event: events.Click) -> None:
        _, owners = self._lines()
        index = self._top + event.y - self.styles.gutter.top
        if self.annotations and 0 <= index < len(owners):
            self.highlighted = owners[index]

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.action_move(1)

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.action_move(-1)

    # --- keys ----------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        """Highlight the next (``step`` 1) or previous (-1) annotation."""
        if self.annotations and self.highlighted is not None:
            self.highlighted = self.highlighted + step

    def action_move_to(self, index: int) -> None:
        """Highlight the first (0) or last (-1) annotation."""
        if self.annotations:
            self.highlighted = index % len(self.annotations)

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
