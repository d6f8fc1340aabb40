"""The current sentence with its highlights and the word cursor; neighbours dimmed."""

from __future__ import annotations

from rich._wrap import divide_line
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget
from textual.widgets import Static

from annotator.text.words import word_spans
from annotator.tui import keys
from annotator.tui.keys import bindings_for
from annotator.tui.render import CURSOR_STYLE, SELECTION_STYLE, label_style, verbatim
from db.read_models import AnnotationView, SentenceView


class NeighbourText(Static):
    """A neighbour's text, not displayed (the sentence area draws it): kept for
    whoever reads it (tests), set without any refresh."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.shown = Text()

    @property
    def visual(self) -> Visual:
        return visualize(self, self.shown, markup=False)


class SentenceArea(Static):
    """The whole sentence area: previous sentence (dimmed), the current sentence with
    its highlights and cursor, next sentence (dimmed), drawn by one widget.

    Its size does not depend on the sentences (it fills the region it is given), so
    a move never needs a layout of the screen, only a repaint of this widget. It
    wraps the lines itself and, when they do not fit, shows the current sentence
    centred, or for a sentence taller than the area, the lines around the cursor.

    Its ``visual`` is the current sentence only (``update`` keeps it), so the
    sentence text starts at the left padding, where a bar marks it.
    """

    COMPONENT_CLASSES = {"sentence-area--context", "sentence-area--bar"}

    DEFAULT_CSS = """
    SentenceArea {
        height: 1fr;
        padding: 0 0 0 3;
    }
    SentenceArea > .sentence-area--context {
        color: $text-muted;
        text-style: dim;
    }
    SentenceArea > .sentence-area--bar {
        color: $accent;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.previous = Text()
        self.next = Text()
        self.current = Text()
        self.cursor_offset: int | None = None
        # (width, height) -> drawn strips and which of them belong to the current sentence.
        self._drawn: tuple[tuple[int, int], list[Strip], range] | None = None
        self._top = 0
        # Drawn row -> (offset of its first character in the current sentence, its text).
        self._sentence_rows: dict[int, tuple[int, str]] = {}

    @property
    def visual(self) -> Visual:
        """The current sentence (what ``update`` would have set)."""
        return visualize(self, self.current, markup=False)

    def show(self, previous: Text, current: Text, following: Text,
             cursor_offset: int | None) -> None:
        """Draw these sentences: a repaint of the lines that change, never a layout.

        Most of the area is blank lines below the sentences; repainting only the
        changed lines spares Textual rendering and writing the rest.
        """
        self.previous, self.current, self.next = previous, current, following
        self.cursor_offset = cursor_offset
        old = self._drawn
        self._drawn = None
        if old is None or not self.is_mounted or old[0] != tuple(self.content_size):
            self.refresh()
            return
        _, old_strips, old_shown = old
        strips, shown = self._draw()
        left = self.styles.padding.left
        for y in range(max(len(strips), len(old_strips))):
            if (y >= len(strips) or y >= len(old_strips) or strips[y] != old_strips[y]
                    or (y in shown) != (y in old_shown)):
                # Content coordinates: the row starts in the left padding (the bar) and
                # spans the whole widget, padding included.
                self.refresh(Region(-left, y, left + self.content_size.width, 1))

    def _on_resize(self, event: events.Resize) -> None:
        self._drawn = None

    @staticmethod
    def _wrap(text: Text, width: int) -> tuple[list[Text], list[int]]:
        """``text`` cut into lines of at most ``width`` cells, and each line's start."""
        if not text.plain:
            return [Text()], [0]
        offsets = divide_line(text.plain, width, fold=True)
        return list(text.divide(offsets)), [0, *offsets]

    def _draw(self) -> tuple[list[Strip], range]:
        width, height = self.content_size
        if self._drawn is not None and self._drawn[0] == (width, height):
            return self._drawn[1], self._drawn[2]
        console = self.app.console
        width = max(width, 1)
        context_style = self.get_component_rich_style("sentence-area--context", partial=True)
        lines: list[Text] = []
        if self.previous.plain:
            previous, _ = self._wrap(self.previous, width)
            lines += previous
            lines.append(Text())
        current, starts = self._wrap(self.current, width)
        first = len(lines)
        lines += current
        current_lines = range(first, len(lines))
        if self.next.plain:
            lines.append(Text())
            lines += self._wrap(self.next, width)[0]

        # Which lines to show: all that fit; else the current sentence centred; else
        # (a sentence taller than the area) keep the cursor's line in view.
        top = 0
        if len(lines) > height > 0:
            if len(current_lines) <= height:
                top = first - (height - len(current_lines)) // 2
            else:
                cursor_line = first
                if self.cursor_offset is not None:
                    cursor_line += max(
                        i for i, start in enumerate(starts) if start <= self.cursor_offset)
                top = min(max(self._top, cursor_line - height + 1, first), cursor_line,
                          current_lines.stop - height)
            top = max(0, min(top, len(lines) - height))
        self._top = top

        strips: list[Strip] = []
        current_style = Style(bold=True)
        for index in range(top, min(len(lines), top + height)):
            line = lines[index]
            style = current_style if index in current_lines else context_style
            segments = Segment.apply_style(line.render(console, end=""), style)
            strips.append(Strip(segments).adjust_cell_length(width))
        shown = range(current_lines.start - top, current_lines.stop - top)
        self._sentence_rows = {
            first + number - top: (start, line.plain)
            for number, (line, start) in enumerate(zip(current, starts, strict=True))
            if top <= first + number < top + height}
        self._drawn = ((width, height), strips, shown)
        return strips, shown

    def offset_at(self, x: int, y: int) -> int | None:
        """The offset in the current sentence of the character drawn at content cell
        (``x``, ``y``), or ``None`` when that cell shows none of it."""
        self._draw()
        row = self._sentence_rows.get(y)
        if row is None or x < 0:
            return None
        start, plain = row
        cells = 0
        for index, character in enumerate(plain):
            cells += cell_len(character)  # a wide character covers two cells
            if x < cells:
                return start + index
        return None

    def render_line(self, y: int) -> Strip:
        strips, _ = self._draw()
        if 0 <= y < len(strips):
            return strips[y]
        return Strip.blank(self.content_size.width)

    def render_lines(self, crop: Region) -> list[Strip]:
        strips = super().render_lines(crop)
        if crop.x != 0 or self.styles.padding.left < 1:
            return strips
        _, shown = self._draw()
        top = self.styles.padding.top
        bar = Strip([Segment("\u258c", self.get_component_rich_style("sentence-area--bar"))], 1)
        for index, y in enumerate(range(crop.y, crop.bottom)):
            if y - top in shown:
                strips[index] = Strip.join([bar, strips[index].crop(1)])
        return strips


class SentencePane(Widget, can_focus=True):
    """Shows one sentence; owns the word cursor, the selection and the tagging keys."""

    BINDINGS = bindings_for(keys.SENTENCE_PANE)

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
        self._previous = Text()
        self._next = Text()

    def compose(self) -> ComposeResult:
        # The neighbours' texts, not shown (the area draws them; tests read them).
        yield NeighbourText(id="previous", classes="context")
        yield SentenceArea(id="current")
        yield NeighbourText(id="next", classes="context")

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
        self._previous = self._context_text(view.previous_text)
        self._next = self._context_text(view.next_text)
        self.query_one("#previous", NeighbourText).shown = self._previous
        self.query_one("#next", NeighbourText).shown = self._next
        self._redraw()

    def clear(self, message: str) -> None:
        """Show ``message`` instead of a sentence (an empty corpus)."""
        self.text = ""
        self.words = []
        self.annotations = ()
        self.anchor_word = None
        self.cursor = 0
        self._previous = self._next = Text()
        self.query_one("#previous", NeighbourText).shown = Text()
        self.query_one("#next", NeighbourText).shown = Text()
        self.rendered = Text(message)
        self.query_one(SentenceArea).show(Text(), self.rendered, Text(), None)

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

    def select_span(self, start: int, end: int) -> None:
        """Select the words that ``start:end`` covers (the cursor on the last one)."""
        covered = [index for index, (word_start, word_end) in enumerate(self.words)
                   if word_start < end and start < word_end]
        if not covered:
            return
        self.anchor_word = covered[0]
        self._move(covered[-1], extend=True)

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
        if (selection := self.selection) is not None:
            text.stylize(SELECTION_STYLE, *selection)
        if self.words:
            text.stylize(CURSOR_STYLE, *self.words[self.cursor])
        self.rendered = text
        self.query_one(SentenceArea).show(self._previous, text, self._next, self.cursor_offset())

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
        # The word is found from where the click landed, not from a style on every word:
        # a style per word cost more to build and paint than the rest of a move's drawing.
        area = self.query_one(SentenceArea)
        at = event.get_content_offset(area)
        offset = area.offset_at(at.x, at.y) if at is not None else None
        word = next((index for index, (start, end) in enumerate(self.words)
                     if start <= offset < end), None) if offset is not None else None
        if word is not None:
            self.focus()
            self._move(word, extend=event.shift)
