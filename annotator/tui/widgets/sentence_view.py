"""The current sentence with its highlights and the word cursor; neighbours dimmed."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from annotator.tui.render import CURSOR_STYLE, SELECTION_STYLE, label_style, verbatim
from annotator.words import word_spans
from db.views import AnnotationView, SentenceView


def _update(static: Static, text: Text) -> None:
    """Show ``text`` in ``static``, asking for a layout of the screen only if its height
    changes (it wraps to another number of lines).

    A layout re-arranges every widget of the screen and costs about as much as
    painting the frame; most moves and every cursor step keep the line counts.
    Wrapping the new text here is not extra work: Textual caches the result for
    the layout or the paint that follows.
    """
    width, height = static.size
    static.update(text, layout=False)
    if not width or static.get_content_height(static.size, static.size, width) != height:
        static.refresh(layout=True)


class SentenceViewer(Widget, can_focus=True):
    """Shows one sentence; owns the word cursor, the selection and the tagging keys."""

    BINDINGS = [
        Binding("left", "cursor_left", "Word ←", show=False, tooltip="Cursor to the previous word"),
        Binding("right", "cursor_right", "Word →", show=False, tooltip="Cursor to the next word"),
        Binding("shift+left", "extend_left", "Extend ←", show=False,
                tooltip="Extend the selection one word to the left"),
        Binding("shift+right", "extend_right", "Extend →", show=False,
                tooltip="Extend the selection one word to the right"),
        Binding("home", "cursor_first", "First word", show=False,
                tooltip="Cursor to the first word"),
        Binding("end", "cursor_last", "Last word", show=False, tooltip="Cursor to the last word"),
        Binding("shift+home", "extend_first", "Extend to first", show=False,
                tooltip="Extend the selection to the first word"),
        Binding("shift+end", "extend_last", "Extend to last", show=False,
                tooltip="Extend the selection to the last word"),
        Binding("escape", "clear_selection", "Clear selection", show=False,
                tooltip="Clear the selection"),
        Binding("c", "tag('claim')", "Claim", tooltip="Tag the selection (or word) as a claim"),
        Binding("s", "tag('source')", "Source",
                tooltip="Tag the selection (or word) as a source, then pick its canonical source"),
        Binding("f", "tag('figure')", "Figure",
                tooltip="Tag the selection (or word) as a figure, then check its value"),
        Binding("tab", "screen.focus_list", "List", show=False,
                tooltip="Focus the annotation list"),
    ]

    class TagRequested(Message):
        """The user tagged ``text[start:end]`` of the current sentence with ``label``."""

        def __init__(self, label: str, start: int, end: int) -> None:
            super().__init__()
            self.label = label
            self.start = start
            self.end = end

    class CursorMoved(Message):
        """The word cursor or the selection changed; ``start:end`` is the span it covers."""

        def __init__(self, start: int, end: int) -> None:
            super().__init__()
            self.start = start
            self.end = end

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.words: list[tuple[int, int]] = []
        self.cursor = 0
        self.anchor_word: int | None = None
        self.annotations: tuple[AnnotationView, ...] = ()
        self.current_annotator: str | None = None
        # The last Text drawn for the current sentence (tests read its plain string).
        self.rendered = Text()

    def compose(self) -> ComposeResult:
        yield Static(id="previous", classes="context")
        yield Static(id="current")
        yield Static(id="next", classes="context")

    # --- state -----------------------------------------------------------------
    def set_sentence(self, view: SentenceView, *, keep_cursor: bool = False) -> None:
        """Show ``view``; the cursor stays on the same word index if ``keep_cursor``."""
        same_text = view.text == self.text
        self.text = view.text
        self.annotations = view.annotations
        self.words = word_spans(view.text)
        if not (keep_cursor and same_text):
            self.cursor = 0
            self.anchor_word = None
        self.cursor = min(self.cursor, max(len(self.words) - 1, 0))
        if self.anchor_word is not None and self.anchor_word >= len(self.words):
            self.anchor_word = None
        _update(self.query_one("#previous", Static), self._context_text(view.previous_text))
        _update(self.query_one("#next", Static), self._context_text(view.next_text))
        self._redraw()

    def clear(self, message: str) -> None:
        """Show ``message`` instead of a sentence (an empty corpus)."""
        self.text = ""
        self.words = []
        self.annotations = ()
        self.anchor_word = None
        self.cursor = 0
        self.query_one("#previous", Static).update(Text())
        self.query_one("#next", Static).update(Text())
        self.rendered = Text(message)
        self.query_one("#current", Static).update(self.rendered)

    @staticmethod
    def _context_text(text: str | None) -> Text:
        return verbatim(text) if text is not None else Text()

    @property
    def selection(self) -> tuple[int, int] | None:
        """The exact span of the selected words, or ``None`` when nothing is selected."""
        if self.anchor_word is None or not self.words:
            return None
        first, last = sorted((self.anchor_word, self.cursor))
        return self.words[first][0], self.words[last][1]

    def target_span(self) -> tuple[int, int] | None:
        """What a tag key applies to: the selection, else the word under the cursor."""
        if not self.words:
            return None
        return self.selection or self.words[self.cursor]

    def cursor_offset(self) -> int | None:
        """Start offset of the word under the cursor."""
        return self.words[self.cursor][0] if self.words else None

    def move_cursor_to_offset(self, offset: int) -> None:
        """Put the cursor on the word containing (or following) ``offset``."""
        for index, (_, end) in enumerate(self.words):
            if offset < end:
                self._move(index, extend=False)
                return
        if self.words:
            self._move(len(self.words) - 1, extend=False)

    # --- drawing -----------------------------------------------------------------
    def _redraw(self) -> None:
        text = verbatim(self.text)
        # Longest first, so a span nested in another stays visible on top of it.
        for annotation in sorted(self.annotations, key=lambda a: a.start - a.end):
            style = label_style(annotation.label, annotation.status)
            if self.current_annotator and annotation.annotator != self.current_annotator:
                style += Style(italic=True)
            text.stylize(style, annotation.start, annotation.end)
        # Each word carries its index so a click can move the cursor there.
        for index, (start, end) in enumerate(self.words):
            text.stylize(Style(meta={"word": index}), start, end)
        if (selection := self.selection) is not None:
            text.stylize(SELECTION_STYLE, *selection)
        if self.words:
            text.stylize(CURSOR_STYLE, *self.words[self.cursor])
        self.rendered = text
        _update(self.query_one("#current", Static), text)

    # --- cursor movement -------------------------------------------------------
    def _move(self, index: int, *, extend: bool) -> None:
        if not self.words:
            return
        if extend and self.anchor_word is None:
            self.anchor_word = self.cursor
        elif not extend:
            self.anchor_word = None
        self.cursor = max(0, min(index, len(self.words) - 1))
        self._redraw()
        if (span := self.target_span()) is not None:
            self.post_message(self.CursorMoved(*span))

    def action_cursor_left(self) -> None:
        """Move to the previous word, dropping the selection."""
        self._move(self.cursor - 1, extend=False)

    def action_cursor_right(self) -> None:
        """Move to the next word, dropping the selection."""
        self._move(self.cursor + 1, extend=False)

    def action_extend_left(self) -> None:
        """Extend (or shrink) the selection by one word to the left."""
        self._move(self.cursor - 1, extend=True)

    def action_extend_right(self) -> None:
        """Extend (or shrink) the selection by one word to the right."""
        self._move(self.cursor + 1, extend=True)

    def action_cursor_first(self) -> None:
        """Move to the first word."""
        self._move(0, extend=False)

    def action_cursor_last(self) -> None:
        """Move to the last word."""
        self._move(len(self.words) - 1, extend=False)

    def action_extend_first(self) -> None:
        """Extend the selection to the first word."""
        self._move(0, extend=True)

    def action_extend_last(self) -> None:
        """Extend the selection to the last word."""
        self._move(len(self.words) - 1, extend=True)

    def action_clear_selection(self) -> None:
        """Drop the selection; the cursor stays."""
        if self.anchor_word is not None:
            self._move(self.cursor, extend=False)

    def clear_selection(self) -> None:
        """Drop the selection without announcing a move (after tagging)."""
        self.anchor_word = None
        self._redraw()

    def action_tag(self, label: str) -> None:
        """Ask the screen to tag the selection (or the word under the cursor)."""
        span = self.target_span()
        if span is None:
            self.notify("No word to tag in this sentence.", severity="warning", markup=False)
            return
        self.post_message(self.TagRequested(label, *span))

    def on_click(self, event: events.Click) -> None:
        """Clicking a word moves the cursor there; shift-click extends the selection."""
        word = event.style.meta.get("word")
        if isinstance(word, int):
            self.focus()
            self._move(word, extend=event.shift)
