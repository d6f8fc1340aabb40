"""The review table: one page of annotations at a time, asking for the next at its ends."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from annotator.tui import keys
from annotator.tui.keys import bindings_for
from annotator.tui.render import badge, figure_summary, verbatim
from db.read_models import ReviewRow

TEXT_WIDTH = 48
COLUMNS = (("label", "label"), ("text", "text"), ("source", "source (type)"),
           ("figure", "figure"), ("annotator", "annotator"), ("status", "status"),
           ("document", "doc"), ("sentence", "sent"), ("note", "note"))
STATUS_STYLES = {"accepted": "green", "rejected": "red", "suggested": "yellow italic"}


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def source_cell(row: ReviewRow) -> Text:
    """The canonical source and type, or the source span a claim is attributed to."""
    if row.source_name is not None:
        cell = verbatim(_short(row.source_name, 28))
        if row.source_type:
            cell.append_text(verbatim(f" ({row.source_type})", style="dim"))
        return cell
    if row.attributed_text is not None:
        cell = verbatim("→ " + _short(row.attributed_text, 24))
        if row.attributed_source:
            cell.append_text(verbatim(f" = {_short(row.attributed_source, 20)}", style="dim"))
        return cell
    return Text("")


def figure_cell(row: ReviewRow) -> Text:
    """``over 160,000 people`` from the stored value, unit and qualifier."""
    figure = figure_summary(row.figure)
    return Text("") if figure is None else verbatim(figure)


def row_cells(row: ReviewRow) -> tuple[Text, ...]:
    """The cells of one row, in :data:`COLUMNS` order (all verbatim, never markup)."""
    status = Text(row.status, style=STATUS_STYLES.get(row.status, ""))
    if row.reviewed_by is not None:
        status.append_text(verbatim(f" ✓{row.reviewed_by}", style="dim"))
    return (
        badge(row.label, row.status), verbatim(_short(row.text, TEXT_WIDTH)), source_cell(row),
        figure_cell(row), verbatim(row.annotator), status, Text(str(row.document_id)),
        Text(str(row.sentence_index + 1)), Text("✎" if row.note else ""),
    )


class ReviewTable(DataTable[Text]):
    """A DataTable holding one page; moving past either end asks the screen for a page."""

    BINDINGS = bindings_for(keys.REVIEW_TABLE)

    class PageRequested(Message):
        """The user moved past the first (``step`` -1) or last (``step`` 1) row."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class AcceptRequested(Message):
        """Enter on a row: accept it."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        for key, title in COLUMNS:
            self.add_column(title, key=key)

    def show_rows(self, rows: list[ReviewRow], cursor: int = 0) -> None:
        """Replace the rows with one page, the cursor on row ``cursor``."""
        self.clear()
        for row in rows:
            self.add_row(*row_cells(row), key=str(row.id))
        if rows:
            self.move_cursor(row=max(0, min(cursor, len(rows) - 1)), animate=False)

    def replace_row(self, row: ReviewRow) -> None:
        """Redraw one row in place after a change."""
        for (key, _title), cell in zip(COLUMNS, row_cells(row), strict=True):
            self.update_cell(str(row.id), key, cell)

    def action_cursor_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.PageRequested(1))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.row_count and self.cursor_row <= 0:
            self.post_message(self.PageRequested(-1))
            return
        super().action_cursor_up()

    def action_accept(self) -> None:
        """Ask the screen to accept the row under the cursor."""
        self.post_message(self.AcceptRequested())

    def action_next_page(self) -> None:
        """Ask for the next page."""
        self.post_message(self.PageRequested(1))

    def action_previous_page(self) -> None:
        """Ask for the previous page."""
        self.post_message(self.PageRequested(-1))
