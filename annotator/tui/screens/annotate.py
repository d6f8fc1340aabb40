"""The main screen: one sentence at a time, its annotations, and every annotation key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from textual import constants
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Footer

from annotator.tui import keys
from annotator.tui.keys import bindings_for
from annotator.tui.screens.annotate_suggestions import SuggestionKeys
from annotator.tui.widgets.annotation_list import AnnotationList
from annotator.tui.widgets.header import AnnotatorHeader
from annotator.tui.widgets.sentence_pane import SentencePane
from annotator.tui.writes import WritingScreen, survives_database_loss
from annotator.workspace import Arrival, SpanEdit, Workspace, edit_notice
from db.read_models import AnnotationView, Progress, SentenceView
from db.retry import WriteDeferred
from db.write_errors import server_lost

if TYPE_CHECKING:
    from annotator.tui.dialogs.help import Section

# The dialogs (pickers, forms, help, statistics) are imported when first opened: loading
# them and the Textual widgets they use cost every start about 45 ms.
T = TypeVar("T")
# Two frame periods: Textual paints a change on its next frame tick (TEXTUAL_FPS).
AFTER_PAINT_SECONDS = 2 / constants.MAX_FPS
EMPTY_CORPUS = "No sentences yet: import articles first (annotator import FILES)."
P = ParamSpec("P")


def survives_lost_server(
    method: Callable[Concatenate[AnnotateScreen, P], None],
) -> Callable[Concatenate[AnnotateScreen, P], None]:
    """Run a key, poll or after-paint step; if the PostgreSQL server stopped or restarted
    under it, the screen says so once and keeps showing what it showed (the next step
    connects afresh) instead of the error ending the application; a damaged SQLite file
    likewise (annotator/tui/writes.py, shared with the review and adjudication screens)."""
    return survives_database_loss(method)


class AnnotateScreen(SuggestionKeys, WritingScreen):
    """Reads a sentence from the workspace on every move; never holds the corpus."""

    BINDINGS = bindings_for(keys.ANNOTATE_SCREEN)

    # How often the screen looks for what other annotators (or terminals) changed.
    POLL_SECONDS = 1.5

    def __init__(self, workspace: Workspace, *, document_id: int | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.document_id = document_id
        self.sentence_id: int | None = None
        self.current: SentenceView | None = None
        # Where this annotator is, not yet stored: written just after the frame that
        # shows the move is painted (see ``_arrive``).
        self._unsaved_position: int | None = None
        self._position_refused = False
        self._progress: Progress | None = None  # as the header shows it
        # The direction of the last move: the next one is read ahead that way.
        self._forward = True
        # What is shown, when it came from the read ahead: checked once painted.
        self._unchecked: Arrival | None = None
        self._after_paint_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield AnnotatorHeader(self.workspace.annotator, id="header")
        with Vertical(id="sentence-scroll"):
            yield SentencePane(id="sentence")
        yield AnnotationList(id="annotations")
        yield Footer(compact=True)

    @property
    def viewer(self) -> SentencePane:
        """The sentence widget."""
        return self.query_one(SentencePane)

    @property
    def annotation_list(self) -> AnnotationList:
        """The annotation list widget."""
        return self.query_one(AnnotationList)

    def on_mount(self) -> None:
        self.attach_writes(self.workspace.writes, self.workspace.database.url)
        self.set_interval(self.POLL_SECONDS, self.poll_changes)
        self.viewer.current_annotator = self.workspace.annotator
        self.viewer.focus()
        start = self.workspace.start_position(self.document_id)
        if start is None:
            self.viewer.clear(EMPTY_CORPUS)
            self.query_one(AnnotatorHeader).show_empty("annotator")
            self.query_one(AnnotatorHeader).show_progress(self.workspace.progress())
            self.annotation_list.show((), show_annotator=False)
            return
        self._arrive(start)

    # --- showing ---------------------------------------------------------------
    @survives_lost_server
    def writes_settled(self) -> None:
        """Writes that waited for the database are saved (or refused): draw what is stored."""
        self.redraw()

    @survives_lost_server
    def poll_changes(self) -> None:
        """Show what others changed (their spans with --show-others, this annotator's from
        another terminal, new canonical sources) without a restart: a cheap marker first.
        While the server is gone, each poll is also the attempt to reach it again."""
        if self.sentence_id is None:
            return
        changed = self.workspace.changed_since_last_asked()
        self.server_back()
        if not changed:
            return
        arrival = self.workspace.arrive(None, self.sentence_id)
        if arrival.view != self.current or arrival.progress != self._progress:
            self.redraw(arrival=arrival)
        else:  # what was read ahead may be stale now
            self._defer()

    def _arrive(self, sentence_id: int) -> None:
        """Make ``sentence_id`` current: leave the old one, remember the new one, draw it.

        Leaving a sentence this annotator tagged marks it done: that is shown (the
        progress bar, the ✓ when coming back), so it is committed before anything is
        drawn, in one transaction with the new position. Otherwise leaving changes
        nothing, and the position (which nothing on screen shows) is written right
        after the frame is painted, off the keypress's latency. A crash in between
        (a few milliseconds) only reopens one sentence back; quitting writes it.
        """
        left, unsaved = self.sentence_id, self._unsaved_position
        self.sentence_id = sentence_id
        try:
            arrival = self.workspace.arrive(left, sentence_id)
            if arrival.marks_done:
                self._unsaved_position = None
                # Refused (read-only, disk full): the user is told, and reading goes on.
                moved = self.perform(lambda: self.workspace.make_move(arrival))
                if moved.done and moved.value is not None:
                    arrival = moved.value
            else:
                self._unsaved_position = sentence_id
            self.redraw(keep_cursor=False, arrival=arrival)
        except Exception:  # not read (the server is gone): still on the sentence shown
            self.sentence_id, self._unsaved_position = left, unsaved
            raise

    def save_position(self) -> None:
        """Store the position not yet stored, if any (after a paint, on quit, on unmount)."""
        if self._unsaved_position is not None:
            position, self._unsaved_position = self._unsaved_position, None
            try:
                self.workspace.remember_position(position)
            except WriteDeferred:  # queued behind another program's lock: saved later
                pass
            except ValueError as error:  # not stored (read-only, disk full): say so once
                if not self._position_refused:
                    self._position_refused = True
                    self.notify(str(error), title="Position not saved", severity="warning",
                                markup=False)
            except Exception as error:  # the server is gone: stored after a later move
                if server_lost(error) is None:
                    raise
                self._unsaved_position = position
                raise

    @survives_lost_server
    def on_unmount(self) -> None:
        """However the app ends, the position is stored."""
        self.save_position()

    def redraw(self, *, keep_cursor: bool = True, arrival: Arrival | None = None) -> None:
        """Show ``arrival``, else read the current sentence again and show it (after any
        change)."""
        if self.sentence_id is None:
            return
        if arrival is None:
            arrival = self.workspace.arrive(None, self.sentence_id)
        view = arrival.view
        self.current = view
        self._progress = arrival.progress
        self._unchecked = arrival if arrival.ahead_marker is not None else None
        self.query_one(AnnotatorHeader).show(view, self._progress)
        self.viewer.set_sentence(view, keep_cursor=keep_cursor)
        self.annotation_list.show(view.annotations, show_annotator=self.workspace.show_others)
        if not keep_cursor:
            self._follow_cursor()
        self._defer()

    def _defer(self) -> None:
        """Run :meth:`after_paint` once the frame being prepared is on the screen.

        Textual paints on its next frame tick; ``call_after_refresh`` callbacks of the
        screen itself can run before that paint, so they would delay the frame they
        follow. A timer of two frame periods fires after it (asyncio runs the earlier
        deadline first); during a burst of moves one pending timer serves them all.
        """
        if self._after_paint_timer is None:
            self._after_paint_timer = self.set_timer(AFTER_PAINT_SECONDS, self.after_paint)

    @survives_lost_server
    def after_paint(self) -> None:
        """The work a move leaves until its frame is shown: store the position, check
        that what was shown from the read ahead is still current (else draw it again),
        suggest for a document shown for the first time, and read the next move ahead."""
        self._after_paint_timer = None
        self.save_position()
        if self.current is None:
            return
        shown, self._unchecked = self._unchecked, None
        if shown is not None and self.workspace.shown_may_be_stale(shown):
            self.redraw()  # read again; this work runs again after that frame
            return
        if self.workspace.needs_suggestions(self.current.document_id):
            self._suggest(self.current.document_id)  # redraws, never clears, the sentence
        self.workspace.read_ahead(self.current, forward=self._forward)

    def _suggest(self, document_id: int) -> None:
        """Compute the document's suggestions (first show only) and show them if added."""
        try:
            added = self.workspace.suggest(document_id)
        except WriteDeferred:  # stored once the database is free; writes_settled draws them
            return
        except Exception as error:  # a suggester bug must never cost the annotator their work
            self.notify(f"No suggestions for this document: {error}", severity="warning",
                        markup=False)
            return
        if added and self.current is not None and self.current.document_id == document_id:
            self.redraw()

    def _move(self, target: int | None, message: str) -> None:
        """Leave the current sentence (marking it done if annotated) and go to ``target``."""
        if self.sentence_id is None:
            return
        if target is None or target == self.sentence_id:
            self.notify(message, markup=False)
            return
        self._arrive(target)

    # --- moving ------------------------------------------------------------------
    @survives_lost_server
    def action_next_sentence(self) -> None:
        """Next sentence (into the next document at the end of this one)."""
        if self.current is not None:
            self._forward = True
            self._move(self.workspace.following(self.current), "This is the last sentence.")

    @survives_lost_server
    def action_previous_sentence(self) -> None:
        """Previous sentence."""
        if self.current is not None:
            self._forward = False
            self._move(self.workspace.preceding(self.current), "This is the first sentence.")

    @survives_lost_server
    def action_next_document(self) -> None:
        """First sentence of the next document."""
        if self.sentence_id is not None:
            self._move(self.workspace.next_document(self.sentence_id),
                       "This is the last document.")

    @survives_lost_server
    def action_previous_document(self) -> None:
        """First sentence of the previous document."""
        if self.sentence_id is not None:
            self._move(self.workspace.previous_document(self.sentence_id),
                       "This is the first document.")

    @survives_lost_server
    def action_next_unfinished(self) -> None:
        """Next sentence not yet marked done by this annotator."""
        if self.sentence_id is not None:
            self._move(self.workspace.next_unfinished(self.sentence_id),
                       "No other sentence is left to do.")

    @survives_lost_server
    def action_goto(self) -> None:
        """Ask for a document/sentence number or a text to search."""
        if self.current is None:
            return

        def chosen(sentence_id: int | None) -> None:
            if sentence_id is not None:
                self._move(sentence_id, "Already here.")

        from annotator.tui.dialogs.goto import GotoScreen

        self.app.push_screen(GotoScreen(self.workspace, self.current.document_number), chosen)

    # --- sentence state and history ---------------------------------------------
    @survives_lost_server
    def action_toggle_done(self) -> None:
        """Mark the sentence done (even with nothing to tag), or unmark it."""
        if self.sentence_id is None:
            return
        sentence_id = self.sentence_id
        if self.perform(lambda: self.workspace.toggle_done(sentence_id)).done:
            self.redraw()

    def _show_touched(self, touched: int) -> None:
        """Go to the sentence an undo or redo touched."""
        same = touched == self.sentence_id
        self.sentence_id = touched
        self._unsaved_position = None  # superseded: a later deferred write must not undo this
        self.perform(lambda: self.workspace.remember_position(touched))
        self.redraw(keep_cursor=same)

    @survives_lost_server
    def action_undo(self) -> None:
        """Undo the latest action (any kind, even from an earlier session)."""
        self.run_history(self.workspace.undo, "undo", self._show_touched)

    @survives_lost_server
    def action_redo(self) -> None:
        """Redo the latest undone action."""
        self.run_history(self.workspace.redo, "redo", self._show_touched)

    # --- tagging and editing -------------------------------------------------------
    @survives_lost_server
    def on_sentence_pane_tag_requested(self, message: SentencePane.TagRequested) -> None:
        """Store the span at once, then open its attribute dialog."""
        if self.sentence_id is None:
            return
        sentence_id = self.sentence_id
        existing = self._own_span(message.label, message.start, message.end)
        if existing is not None:
            # Tagging it again is a no-op the annotator should hear about (the store would
            # hand back the same annotation, as it does for a second terminal).
            self.notify(f"“{existing.text}” is already tagged as {existing.label}",
                        markup=False)
            self.annotation_list.highlight_annotation(existing.id)
            return
        outcome = self.perform(
            lambda: self.workspace.tag(sentence_id, message.label, message.start, message.end)
        )
        if outcome.waiting:
            self.viewer.clear_selection()  # tagged once the database is free, then drawn
        if outcome.value is None:
            return
        new_id = outcome.value
        self.viewer.clear_selection()
        self.redraw()
        self.annotation_list.highlight_annotation(new_id)
        self.edit_annotation(new_id)

    def _own_span(self, label: str, start: int, end: int) -> AnnotationView | None:
        """This annotator's accepted span with this label and these offsets, if shown."""
        if self.current is None:
            return None
        return next((a for a in self.current.annotations
                     if a.annotator == self.workspace.annotator and a.status == "accepted"
                     and (a.label, a.start, a.end) == (label, start, end)), None)

    def _annotation(self, annotation_id: int) -> AnnotationView | None:
        if self.current is None:
            return None
        return next((a for a in self.current.annotations if a.id == annotation_id), None)

    def edit_annotation(self, annotation_id: int) -> None:
        """Open the attribute dialog that fits the annotation's label."""
        annotation = self._annotation(annotation_id)
        if annotation is None or self.sentence_id is None:
            return
        from annotator.tui.dialogs.figure_form import FigureFormScreen
        from annotator.tui.dialogs.link_picker import AttributionPickerScreen
        from annotator.tui.dialogs.source_picker import SourcePickerScreen

        if annotation.label == "source":
            self.app.push_screen(SourcePickerScreen(self.workspace, annotation), self._edited)
        elif annotation.label == "figure":
            self.app.push_screen(FigureFormScreen(self.workspace, annotation), self._edited)
        else:
            self.app.push_screen(
                AttributionPickerScreen(self.workspace, annotation, self.sentence_id),
                self._edited,
            )

    @survives_lost_server
    def _edited(self, _changed: bool | None) -> None:
        # Escape keeps the span, so the sentence is redrawn either way.
        self.redraw()

    @survives_lost_server
    def on_annotation_list_requested(self, message: AnnotationList.Requested) -> None:
        """Delete, edit or relabel the annotation highlighted in the list."""
        annotation_id = message.annotation_id
        if message.action == "edit":
            self.edit_annotation(annotation_id)
            return
        annotation = self._annotation(annotation_id)
        if message.action == "accept" or (message.action == "delete" and annotation is not None
                                          and annotation.status == "suggested"):
            # A suggestion is never deleted: rejecting keeps it as negative data.
            decide = self.workspace.accept if message.action == "accept" else self.workspace.reject
            result = self.perform(lambda: decide([annotation_id]))
        elif message.action == "delete":
            result = self.perform(lambda: self.workspace.delete(annotation_id))
        else:
            label = message.label or "claim"
            result = self.perform(lambda: self.workspace.relabel(annotation_id, label))
        if result.done:
            self.redraw()
            if isinstance(result.value, SpanEdit):
                self.notify(edit_notice(result.value), markup=False)

    def _annotation_for(self, label: str) -> AnnotationView | None:
        """The annotation an action on ``label`` means: the list's, under the cursor, or the
        only one of that label in the sentence."""
        if self.current is None:
            return None
        if self.annotation_list.has_focus:
            chosen = self.annotation_list.selected_annotation
            return chosen if chosen is not None and chosen.label == label else None
        candidates = [a for a in self.current.annotations if a.label == label]
        if (under := self._under_cursor(candidates)) is not None:
            return under
        return candidates[0] if len(candidates) == 1 else None

    @survives_lost_server
    def action_attribute(self) -> None:
        """Attribute the claim under the cursor (or highlighted in the list) to a source."""
        claim = self._annotation_for("claim")
        if claim is None or self.sentence_id is None:
            self.notify("Put the cursor on a claim (or highlight one in the list) first.",
                        markup=False)
            return
        from annotator.tui.dialogs.link_picker import AttributionPickerScreen

        self.app.push_screen(
            AttributionPickerScreen(self.workspace, claim, self.sentence_id), self._edited
        )

    @survives_lost_server
    def action_link_figure(self) -> None:
        """Link the figure under the cursor (or highlighted) to a claim it supports."""
        figure = self._annotation_for("figure")
        if figure is None or self.sentence_id is None:
            self.notify("Put the cursor on a figure (or highlight one in the list) first.",
                        markup=False)
            return
        if not self.workspace.claim_candidates(self.sentence_id):
            self.notify("No claim in this or an earlier sentence to link to.", markup=False)
            return
        from annotator.tui.dialogs.link_picker import ClaimPickerScreen

        self.app.push_screen(
            ClaimPickerScreen(self.workspace, figure, self.sentence_id), self._edited
        )

    def action_tag(self, label: str) -> None:
        """Tag the selection with ``label`` (for the command palette)."""
        self.viewer.action_tag(label)

    # --- focus, cursor, help ------------------------------------------------------
    def action_focus_list(self) -> None:
        """Move focus to the annotation list."""
        self.annotation_list.focus()

    def action_focus_sentence(self) -> None:
        """Move focus back to the sentence."""
        self.viewer.focus()

    def on_sentence_pane_cursor_moved(self, _message: SentencePane.CursorMoved) -> None:
        """The list highlight follows the annotation under the word cursor."""
        self._follow_cursor()

    def _follow_cursor(self) -> None:
        if self.current is not None and (under := self._under_cursor(self.current.annotations)):
            self.annotation_list.highlight_annotation(under.id)

    def help_sections(self) -> list[Section]:
        """The keys of this screen and its widgets, as the help screen lists them."""
        return keys.help_sections(keys.ANNOTATE)

    def action_help(self) -> None:
        """Show every binding."""
        from annotator.tui.dialogs.help import HelpScreen

        self.app.push_screen(HelpScreen(self.help_sections()))

    @survives_lost_server
    def action_stats(self) -> None:
        """Show the statistics of the whole database."""
        from annotator.tui.dialogs.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.workspace.stats))

    def action_quit(self) -> None:
        """Leave the application (everything is already saved, or is saved first)."""
        try:
            self.save_position()
        except Exception as error:  # the server is gone: only the position is not stored
            if not self.database_failed(error):
                raise
        self.quit_when_saved()
