"""The review screen: a paged table of annotations, the selected span in context, decisions."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from annotator.review.session import ReviewSession, annotation_view
from annotator.tui import keys
from annotator.tui.dialogs.confirm import ConfirmScreen
from annotator.tui.dialogs.figure_form import FigureFormScreen
from annotator.tui.dialogs.filter import FilterScreen
from annotator.tui.dialogs.help import HelpScreen, Section
from annotator.tui.dialogs.history import HistoryScreen
from annotator.tui.dialogs.note import NoteScreen
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.keys import bindings_for
from annotator.tui.render import label_style, verbatim
from annotator.tui.widgets.review_table import ReviewTable
from annotator.tui.widgets.span_context import SpanContext
from annotator.tui.writes import WritingScreen, survives_database_loss
from db.read_models import REVIEW_SORTS, ReviewQuery, ReviewRow

EMPTY = "No annotations match: press / to change the filter."


class ReviewScreen(WritingScreen):
    """Holds one page of rows and the keys of the pages before it; never the whole listing."""

    BINDINGS = bindings_for(keys.REVIEW_SCREEN)

    def __init__(self, session: ReviewSession, query: ReviewQuery | None = None) -> None:
        super().__init__()
        self.session = session
        self.query_now = query or ReviewQuery()
        self.rows: list[ReviewRow] = []
        # Keys of the rows before each visited page: the last one is this page's start.
        self.page_starts: list[tuple[Any, ...] | None] = [None]
        self.total = 0

    def compose(self) -> ComposeResult:
        yield Static(id="review-status")
        yield ReviewTable(id="review-table")
        yield SpanContext(id="review-context")
        yield Footer(compact=True)

    @property
    def table(self) -> ReviewTable:
        """The table widget."""
        return self.query_one(ReviewTable)

    def on_mount(self) -> None:
        self.attach_writes(self.session.writes, self.session.database.url)
        self.table.focus()
        self.guard(self.reload)()

    # --- pages -----------------------------------------------------------------------
    def reload(self, *, first_page: bool = False, cursor: int | None = None,
               query: ReviewQuery | None = None) -> None:
        """Read the count and the current page again (after a filter or an undo), of
        ``query`` when given (a new filter or sort). Everything is read before anything
        shown changes, so a read that fails (the server gone) leaves the screen as it was."""
        query = self.query_now if query is None else query
        starts = [None] if first_page else self.page_starts
        total = self.session.count(query)
        keep = self.table.cursor_row if cursor is None else cursor
        rows = self.session.page(query, starts[-1])
        if not rows and len(starts) > 1:
            starts, keep = [None], 0
            rows = self.session.page(query, None)
        self.query_now, self.page_starts, self.total = query, starts, total
        self._show(rows, keep)

    def _load(self, after: tuple[Any, ...] | None, cursor: int) -> None:
        self._show(self.session.page(self.query_now, after), cursor)

    def _show(self, rows: list[ReviewRow], cursor: int) -> None:
        self.rows = rows
        self.table.show_rows(self.rows, cursor)
        self._show_status()
        self._show_context()

    def _show_status(self) -> None:
        line = Text("Review", style="bold", end="")
        line.append_text(verbatim(f" · {self.session.reviewer} · ", style="dim"))
        line.append_text(verbatim(self.query_now.describe()))
        if self.rows:
            start = self._offset() + 1
            line.append(f" · rows {start:,}–{start + len(self.rows) - 1:,} of {self.total:,}",
                        style="dim")
        else:
            line.append(" · no rows", style="dim")
        self.query_one("#review-status", Static).update(line)

    def _offset(self) -> int:
        # Every page but the last is full, so a page's place follows from its number.
        return (len(self.page_starts) - 1) * self.session.page_size

    @survives_database_loss
    def on_review_table_page_requested(self, message: ReviewTable.PageRequested) -> None:
        """Next page after the last row, previous page before the first."""
        if message.step > 0:
            if not self.rows or len(self.rows) < self.session.page_size:
                self.notify("This is the last row.", markup=False)
                return
            following = self.session.page(self.query_now, self.rows[-1].sort_key)
            if not following:
                self.notify("This is the last row.", markup=False)
                return
            self.page_starts.append(self.rows[-1].sort_key)
            self.rows = following
            self.table.show_rows(self.rows, 0)
        else:
            if len(self.page_starts) == 1:
                self.notify("This is the first row.", markup=False)
                return
            rows = self.session.page(self.query_now, self.page_starts[-2])
            self.page_starts.pop()
            self._show(rows, self.session.page_size - 1)
            return
        self._show_status()
        self._show_context()

    # --- the selected row --------------------------------------------------------------
    @property
    def selected(self) -> ReviewRow | None:
        """The row under the table cursor."""
        if not self.rows:
            return None
        return self.rows[max(0, min(self.table.cursor_row, len(self.rows) - 1))]

    @survives_database_loss
    def on_data_table_row_highlighted(self, _message: DataTable.RowHighlighted) -> None:
        """The context follows the cursor."""
        self._show_context()

    def _show_context(self) -> None:
        context = self.query_one(SpanContext)
        row = self.selected
        if row is None:
            context.clear_context(EMPTY)
            return
        sentence = self.session.context(row.sentence_id)
        context.show(sentence, [(row.start, row.end, label_style(row.label))], _details(row))
        self.server_back()  # read: a server that was gone is back

    def _refresh_row(self, annotation_id: int) -> ReviewRow | None:
        fresh = self.session.row(annotation_id, self.query_now.sort)
        if fresh is None:
            self.reload()
            return None
        self.rows = [fresh if row.id == annotation_id else row for row in self.rows]
        self.table.replace_row(fresh)
        self._show_context()
        return fresh

    @survives_database_loss
    def writes_settled(self) -> None:
        """Writes that waited for the database are saved (or refused): list what is stored."""
        self.reload()

    # --- decisions -------------------------------------------------------------------------
    @survives_database_loss
    def on_review_table_accept_requested(self, _message: ReviewTable.AcceptRequested) -> None:
        """Enter accepts, like ``y``."""
        self.action_decide("accepted")

    @survives_database_loss
    def action_decide(self, status: str) -> None:
        """Accept or reject the selected row, then move to the next one."""
        row = self.selected
        if row is None:
            return
        decide = self.session.accept if status == "accepted" else self.session.reject
        if self.perform(lambda: decide(row.id)).done:
            self._refresh_row(row.id)
            self.table.action_cursor_down()

    @survives_database_loss
    def action_relabel(self, label: str) -> None:
        """Give the selected row another label."""
        row = self.selected
        if row is not None and self.perform(lambda: self.session.relabel(row.id, label)).done:
            self._refresh_row(row.id)

    def action_edit(self) -> None:
        """Figure: value, unit, qualifier. Source or claim: its canonical source."""
        row = self.selected
        if row is None:
            return
        view = annotation_view(row)
        dialog: FigureFormScreen | SourcePickerScreen = (
            FigureFormScreen(self.session, view) if row.label == "figure"
            else SourcePickerScreen(self.session, view))
        self.app.push_screen(dialog, self.guard(lambda _changed: self._refresh_row(row.id)))

    def action_note(self) -> None:
        """Write a note on the selected row."""
        row = self.selected
        if row is None:
            return

        def written(note: str | None) -> None:
            if note is not None and self.perform(lambda: self.session.note(row.id, note)).done:
                self._refresh_row(row.id)

        self.app.push_screen(NoteScreen(row.text, row.note), self.guard(written))

    @survives_database_loss
    def action_history(self) -> None:
        """Show every change of the selected annotation."""
        row = self.selected
        if row is not None:
            self.app.push_screen(HistoryScreen(row.text, self.session.history(row.id)))

    # --- filter, sort, bulk -------------------------------------------------------------------
    def action_filter(self) -> None:
        """Change the filter and the sort."""
        def chosen(query: ReviewQuery | None) -> None:
            if query is not None:
                self.reload(first_page=True, cursor=0, query=query)

        self.app.push_screen(FilterScreen(self.query_now, self.session.unknown_annotators),
                             self.guard(chosen))

    @survives_database_loss
    def action_cycle_sort(self) -> None:
        """The next sort order."""
        following = REVIEW_SORTS[(REVIEW_SORTS.index(self.query_now.sort) + 1)
                                 % len(REVIEW_SORTS)]
        self.reload(first_page=True, cursor=0, query=ReviewQuery(
            self.query_now.selection, self.query_now.text, self.query_now.reviewed, following))

    @survives_database_loss
    def action_bulk(self, status: str) -> None:
        """Accept or reject every row of the filter, after confirmation."""
        count = self.session.count(self.query_now)
        if not count:
            self.notify("No rows to decide on.", markup=False)
            return
        verb = "Accept" if status == "accepted" else "Reject"
        question = Text(f"{verb} all {count:,} annotations of this filter?\n", style="bold")
        question.append_text(verbatim(self.query_now.describe(), style="dim"))

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            changed = self.perform(lambda: self.session.bulk(self.query_now, status))
            if changed.done:
                self.notify(f"{verb}ed {changed.value:,} annotations (u undoes).", markup=False)
                self.reload()

        self.app.push_screen(ConfirmScreen(question), self.guard(confirmed))

    # --- history, help, quit --------------------------------------------------------------------
    def _show_touched(self, _touched: int) -> None:
        """After an undo or redo: the table as it is now."""
        self.reload()

    @survives_database_loss
    def action_undo(self) -> None:
        """Undo the reviewer's latest decision or edit (also from an earlier session)."""
        self.run_history(self.session.undo, "undo", self._show_touched)

    @survives_database_loss
    def action_redo(self) -> None:
        """Redo the latest undone action."""
        self.run_history(self.session.redo, "redo", self._show_touched)

    def help_sections(self) -> list[Section]:
        """The keys of this screen and its table."""
        return keys.help_sections(keys.REVIEW)

    def action_help(self) -> None:
        """Show every binding."""
        self.app.push_screen(HelpScreen(self.help_sections()))

    def action_quit(self) -> None:
        """Leave (everything is already saved, or is saved first)."""
        self.quit_when_saved()


def _details(row: ReviewRow) -> Text:
    """Who made the span and who decided on it, its source, figure and note (verbatim)."""
    line = verbatim(f"{row.label} by {row.annotator} · {row.status} ({row.origin})")
    if row.reviewed_by is not None and row.reviewed_at is not None:
        line.append_text(verbatim(
            f" · decided by {row.reviewed_by} at {row.reviewed_at:%Y-%m-%d %H:%M} UTC"))
    if row.note:
        line.append("\nnote: ", style="bold")
        line.append_text(verbatim(row.note))
    return line
