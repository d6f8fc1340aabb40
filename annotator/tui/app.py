"""The Textual application: one annotator working through the corpus."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.screen import Screen

from annotator.tui.base import VerbatimApp
from annotator.tui.commands import AnnotatorCommands
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.workspace import Workspace


class AnnotatorApp(VerbatimApp):
    """Shows :class:`AnnotateScreen` over a :class:`Workspace`; all data goes through it."""

    CSS_PATH = Path(__file__).parent / "styles" / "annotator.tcss"
    TITLE = "annotator"
    COMMANDS = App.COMMANDS | {AnnotatorCommands}

    def __init__(self, workspace: Workspace, *, document_id: int | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.document_id = document_id

    def get_default_screen(self) -> Screen:
        """The annotation screen, opened where this annotator left off (or ``document_id``)."""
        return AnnotateScreen(self.workspace, document_id=self.document_id)
