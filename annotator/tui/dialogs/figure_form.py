"""Value, unit and qualifier of a figure, prefilled from the figure parser."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from annotator.text.bounds import QUALIFIER_MAX, UNIT_MAX, check_optional, finite_number
from annotator.tui.dialogs.editors import FigureEditor
from annotator.tui.render import plain_number, verbatim
from annotator.tui.writes import dialog_write
from db.read_models import AnnotationView


def parsed_figure(text: str) -> tuple[float | None, str | None, str | None]:
    """``(value, unit, qualifier)`` read from ``text`` by ``annotator.text.figures``, if it can."""
    try:
        from annotator.text.figures import parse_figure
    except ImportError:  # the parser is optional: without it the form starts empty
        return None, None, None
    try:
        parsed = parse_figure(text)
    except Exception:  # a parser slip must not stop the annotator; the form is just empty
        return None, None, None
    if parsed is None:
        return None, None, None
    return parsed.value, parsed.unit, parsed.qualifier


def read_value(text: str) -> float | None:
    """The number typed in the value field: ``53000000000``, ``53,000``, or ``$53 billion``.

    Raises ``ValueError`` when it is neither a number nor a figure the parser reads.
    """
    cleaned = text.strip().replace(",", "").replace("_", "").replace("\u00a0", "")
    if not cleaned:
        return None
    try:
        number = float(cleaned)  # "nan", "inf" and 400 digits parse too: bounded below
    except ValueError:
        value, _, _ = parsed_figure(text)
        if value is None:
            shown = text.strip()
            shown = shown if len(shown) <= 40 else shown[:40] + "…"
            raise ValueError(f"not a number: {shown!r}") from None
        number = value
    return finite_number(number, "value")


def read_words(text: str, what: str, limit: int) -> str | None:
    """A unit or qualifier as typed: stripped, empty as nothing; ``ValueError`` (one line)
    for text no database column holds the same way on both engines."""
    return check_optional(text.strip() or None, what, limit)


class FigureFormScreen(ModalScreen[bool]):
    """Returns ``True`` when saved, ``False`` when left with escape (the span stays)."""

    BINDINGS = [
        Binding("escape", "dismiss(False)", "Keep span, no value"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, workspace: FigureEditor, annotation: AnnotationView) -> None:
        super().__init__()
        self.workspace = workspace
        self.annotation = annotation
        figure = annotation.figure
        if figure is not None and figure.known:
            self.initial = (figure.value, figure.unit, figure.qualifier)
        else:
            self.initial = parsed_figure(annotation.text)

    def compose(self) -> ComposeResult:
        value, unit, qualifier = self.initial
        title = Text("Figure ", style="bold", end="")
        title.append_text(verbatim(f"“{self.annotation.text}”"))
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title")
            with Horizontal(classes="field"):
                yield Label("value")
                yield Input(plain_number(value), placeholder="e.g. 53000000000", id="value")
            with Horizontal(classes="field"):
                yield Label("unit")
                yield Input(unit or "", placeholder="e.g. USD, people, year", id="unit")
            with Horizontal(classes="field"):
                yield Label("qualifier")
                yield Input(qualifier or "", placeholder="e.g. over, about, up to",
                            id="qualifier")
            yield Static(id="figure-error", classes="error")
            yield Static(Text("enter saves · tab next field · esc keeps the span without value",
                              style="dim"), classes="hint")

    @on(Input.Submitted)
    def submitted(self) -> None:
        """Enter in any field saves."""
        self.action_save()

    def action_save(self) -> None:
        """Store the three fields (empty ones as nothing) and close."""
        fields = {name: self.query_one(f"#{name}", Input).value for name in
                  ("value", "unit", "qualifier")}
        def save() -> None:
            value = read_value(fields["value"])
            unit = read_words(fields["unit"], "unit", UNIT_MAX)
            qualifier = read_words(fields["qualifier"], "qualifier", QUALIFIER_MAX)
            self.workspace.set_figure(self.annotation.id, value, unit, qualifier)

        def show_error(message: str) -> None:
            self.query_one("#figure-error", Static).update(verbatim(message, style="red"))

        if dialog_write(self, save, show_error=show_error):
            self.dismiss(True)
