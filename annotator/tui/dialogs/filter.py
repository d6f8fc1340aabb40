"""The review filter dialog: annotators, labels, statuses, documents, text, reviewed, sort."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from annotator.review.filter import FilterFields, filter_fields, parse_filter
from annotator.tui.render import verbatim
from db.models import LABELS, STATUSES
from db.read_models import REVIEW_SORTS, REVIEWED_CHOICES, ReviewQuery

FIELDS = (
    ("annotators", "annotators", "names, comma-separated"),
    ("labels", "labels", ", ".join(LABELS)),
    ("statuses", "statuses", ", ".join(STATUSES)),
    ("documents", "documents", "ids, comma-separated"),
    ("text", "text", "part of the span's text"),
    ("reviewed", "reviewed", " / ".join(REVIEWED_CHOICES)),
    ("sort", "sort", " / ".join(REVIEW_SORTS)),
)


class FilterScreen(ModalScreen[ReviewQuery | None]):
    """Returns the new query, or ``None`` when left with escape."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "apply", "Apply"),
        Binding("ctrl+r", "reset", "Clear all"),
    ]

    def __init__(self, query: ReviewQuery, unknown: Callable[[tuple[str, ...]], list[str]]):
        super().__init__()
        self.query_now = query
        self.unknown = unknown

    def compose(self) -> ComposeResult:
        values = filter_fields(self.query_now)
        with Vertical(classes="dialog"):
            yield Static(Text("Filter and sort the review table", style="bold"),
                         classes="dialog-title")
            for name, title, placeholder in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(title)
                    yield Input(getattr(values, name), placeholder=placeholder,
                                id=f"filter-{name}")
            yield Static(id="filter-error", classes="error")
            yield Static(Text("enter applies · tab next field · ctrl+r clears · esc cancels",
                              style="dim"), classes="hint")

    def _fields(self) -> FilterFields:
        return FilterFields(**{name: self.query_one(f"#filter-{name}", Input).value
                               for name, _title, _placeholder in FIELDS})

    @on(Input.Submitted)
    def submitted(self) -> None:
        """Enter in any field applies."""
        self.action_apply()

    def action_apply(self) -> None:
        """Check the fields and return the query, or say what is wrong."""
        try:
            query = parse_filter(self._fields())
            unknown = self.unknown(query.selection.annotators)
            if unknown:
                raise ValueError(f"no annotator called {', '.join(map(repr, unknown))}")
        except ValueError as error:
            self.query_one("#filter-error", Static).update(verbatim(str(error), style="red"))
            return
        self.dismiss(query)

    def action_reset(self) -> None:
        """Empty every filter field (the sort stays)."""
        for name, _title, _placeholder in FIELDS:
            if name not in ("sort", "reviewed"):
                self.query_one(f"#filter-{name}", Input).value = ""
        self.query_one("#filter-reviewed", Input).value = "any"
