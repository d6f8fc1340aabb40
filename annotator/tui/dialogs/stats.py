"""The stats screen: the same view as ``annotator stats``, over the annotation screen."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from annotator.reports.stats import StatsReport
from annotator.reports.stats_tables import stats_renderables


class StatsScreen(ModalScreen[None]):
    """Progress and pace per annotator, claims and figures per source and type.

    Counting a large database takes seconds, so ``load`` runs in a thread while the screen
    says so; escape, q or ctrl+s closes it at any time.
    """

    BINDINGS = [
        Binding("escape,q,ctrl+s", "dismiss", "Close stats", key_display="esc"),
    ]

    def __init__(self, load: Callable[[], StatsReport]) -> None:
        super().__init__()
        self.load = load
        self.report: StatsReport | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-body", classes="dialog"):
            yield Static(Text("Statistics", style="bold"), classes="dialog-title")
            yield Static(Text("Counting…", style="dim"), id="stats-tables")
            yield Static(Text("esc, q or ctrl+s closes this view", style="dim"))

    def on_mount(self) -> None:
        self.count()

    @work(thread=True, exclusive=True)
    def count(self) -> None:
        """Read the report off the event loop, then show it (unless closed meanwhile)."""
        report = self.load()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_report, report)

    def show_report(self, report: StatsReport) -> None:
        """Replace the "Counting…" line with the tables."""
        self.report = report
        if self.is_mounted:
            self.query_one("#stats-tables", Static).update(Group(*stats_renderables(report)))
