"""Entry point of ``annotator annotate``: build the workspace and run the interface."""

from __future__ import annotations

from db.engine import Database


def run_annotator(
    database: Database, annotator: str, *, show_others: bool, document_id: int | None
) -> None:
    """Run the annotation interface for ``annotator`` until they quit."""
    # Imported here so other commands never pay for loading Textual.
    from annotator.tui.app import AnnotatorApp
    from annotator.workspace import Workspace

    workspace = Workspace(database, annotator, show_others=show_others)
    AnnotatorApp(workspace, document_id=document_id).run()
