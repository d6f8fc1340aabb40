"""The stats screen: the same view as ``annotator stats``, over the annotation screen."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.stats_report import StatsReport
from annotator.stats_tables import stats_renderables


class StatsScreen(ModalScreen[None]):
    """Progress and pace per annotator, claims and figures per source and type.

    The report is read once when the screen opens; escape, q or ctrl+s closes it.
    """

    BINDINGS = [
        Binding("escape,q,ctrl+s", "dismiss", "Close stats", key_display="esc"),
    ]

    def __init__(self, report: StatsReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-body", classes="dialog"):
            yield Static(Text("Statistics", style="bold"), classes="dialog-title")
            yield Static(Group(*stats_renderables(self.report)), id="stats-tables")
            yield Static(Text("esc, q or ctrl+s closes this view", style="dim"))
