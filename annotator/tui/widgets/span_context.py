"""A sentence between its neighbours with spans highlighted, drawn verbatim."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from annotator.tui.render import verbatim
from db.read_models import SentenceContext

Highlight = tuple[int, int, Style]


def context_text(context: SentenceContext, highlights: Sequence[Highlight] = ()) -> Text:
    """Previous sentence (dim), the sentence with ``highlights`` (offsets into it), next (dim)."""
    text = Text(end="")
    text.append_text(verbatim(f"{context.document_title}  ·  sentence "
                              f"{context.index + 1}/{context.sentence_count}", style="dim"))
    text.append("\n")
    if context.previous_text is not None:
        text.append_text(verbatim(context.previous_text, style="dim"))
        text.append("\n")
    sentence = verbatim(context.text, style="bold")
    # verbatim() keeps one character per code point, so sentence offsets stay valid.
    for start, end, style in highlights:
        sentence.stylize(style, start, end)
    text.append_text(sentence)
    if context.next_text is not None:
        text.append("\n")
        text.append_text(verbatim(context.next_text, style="dim"))
    return text


class SpanContext(Static):
    """Shows :func:`context_text` plus a details line below it."""

    def show(self, context: SentenceContext, highlights: Sequence[Highlight],
             details: Text | None = None) -> None:
        """Draw the sentence in context (and ``details`` under it)."""
        text = context_text(context, highlights)
        if details is not None:
            text.append("\n\n")
            text.append_text(details)
        self.update(text)

    def clear_context(self, message: str) -> None:
        """Show ``message`` instead of a sentence."""
        self.update(Text(message, style="dim"))
