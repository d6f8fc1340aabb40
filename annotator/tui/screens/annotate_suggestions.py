"""The suggestion keys of the annotation screen: tab / shift+tab, enter, x, A.

A mixin of :class:`~annotator.tui.screens.annotate.AnnotateScreen` (the keys are bound on
the sentence widget, which forwards them to the screen): it reads the shown sentence and
acts through the workspace, one undoable transaction per key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from db.read_models import AnnotationView, SentenceView

if TYPE_CHECKING:
    from annotator.tui.widgets.annotation_list import AnnotationList
    from annotator.tui.widgets.sentence_pane import SentencePane
    from annotator.tui.writes import Outcome
    from annotator.workspace import Workspace


class SuggestionKeys:
    """Selecting, accepting and rejecting this annotator's suggestions in the sentence."""

    current: SentenceView | None
    workspace: Workspace
    if TYPE_CHECKING:
        viewer: SentencePane
        annotation_list: AnnotationList

        def perform(self, call: Callable[[], Any]) -> Outcome[Any]: ...
        def redraw(self, *, keep_cursor: bool = True) -> None: ...
        def _follow_cursor(self) -> None: ...
        def action_focus_list(self) -> None: ...
        def notify(self, message: str, *, markup: bool = True) -> None: ...

    def _pending(self) -> list[AnnotationView]:
        """This annotator's suggestions in the sentence, in reading order."""
        if self.current is None:
            return []
        return sorted((a for a in self.current.annotations if a.status == "suggested"
                       and a.annotator == self.workspace.annotator),
                      key=lambda a: (a.start, a.end, a.label, a.id))

    def _under_cursor(self, annotations: Iterable[AnnotationView]) -> AnnotationView | None:
        """Of ``annotations``, the one the selection (or the word under the cursor) covers
        most; the shorter one on a tie, so a figure inside a claim can be picked."""
        span = self.viewer.target_span()
        if span is None:
            return None
        under = [a for a in annotations if a.start < span[1] and span[0] < a.end]
        if not under:
            return None
        return max(under, key=lambda a: (min(a.end, span[1]) - max(a.start, span[0]),
                                         a.start - a.end))

    def _suggestion_under_cursor(self) -> AnnotationView | None:
        return self._under_cursor(self._pending())

    def _select_suggestion(self, step: int) -> None:
        pending = self._pending()
        if not pending:
            if step > 0:
                self.action_focus_list()  # what tab did before there were suggestions
            else:
                self.notify("No suggestion in this sentence.", markup=False)
            return
        # With nothing selected, the first tab selects the suggestion under the cursor.
        here = self._suggestion_under_cursor() if self.viewer.selection is not None else None
        if here is not None:
            target = pending[(pending.index(here) + step) % len(pending)]
        else:
            offset = self.viewer.cursor_offset() or 0
            after = [a for a in pending if a.end > offset]
            before = [a for a in pending if a.start <= offset]
            if step > 0:
                target = after[0] if after else pending[0]
            else:
                target = before[-1] if before else pending[-1]
        self.viewer.select_span(target.start, target.end)
        self.annotation_list.highlight_annotation(target.id)

    def action_next_suggestion(self) -> None:
        """Select the next suggestion of the sentence (wrapping around)."""
        self._select_suggestion(1)

    def action_previous_suggestion(self) -> None:
        """Select the previous suggestion of the sentence (wrapping around)."""
        self._select_suggestion(-1)

    def _decide(self, status: str, annotations: list[AnnotationView]) -> None:
        if not annotations:
            self.notify("No suggestion under the cursor (tab selects the next one).",
                        markup=False)
            return
        decide = self.workspace.accept if status == "accepted" else self.workspace.reject
        if self.perform(lambda: decide([a.id for a in annotations])).done:
            self.redraw()
            self._follow_cursor()

    def action_accept_suggestion(self) -> None:
        """Accept the suggestion under the cursor: it becomes an annotation."""
        chosen = self._suggestion_under_cursor()
        self._decide("accepted", [chosen] if chosen is not None else [])

    def action_reject_suggestion(self) -> None:
        """Reject the suggestion under the cursor: kept as rejected, never shown again."""
        chosen = self._suggestion_under_cursor()
        self._decide("rejected", [chosen] if chosen is not None else [])

    def action_accept_all_suggestions(self) -> None:
        """Accept every suggestion of the sentence, as one undo step."""
        pending = self._pending()
        if not pending:
            self.notify("No suggestion in this sentence.", markup=False)
            return
        self._decide("accepted", pending)
