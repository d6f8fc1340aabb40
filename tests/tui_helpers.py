"""Driving the annotation screen in tests: the app over a database file, where the screen
is, what it shows, and keys that select and tag words."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from annotator.io.importer import import_paths
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.header import HeaderLine
from annotator.workspace import Workspace
from db.engine import Database, open_database
from db.read_models import AnnotationView, SentenceView
from db.retry import RetryPolicy

SIZE = (120, 40)
# How often the screen polls for others' changes under the ``fast_poll`` fixture.
POLL = 0.1
ALPHA = (
    "Officials said over 160,000 people fled. "
    "The ministry reported $53 billion in damage. "
    "Nothing happened here.\n"
)
BETA = "A five-year plan was announced. Critics disagreed.\n"


def build_database(tmp_path: Path, texts: dict[str, str], name: str = "t.db") -> Database:
    """A database file holding one document per ``texts`` entry, imported in name order."""
    folder = tmp_path / "input"
    folder.mkdir(exist_ok=True)
    for file_name, text in texts.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    database = open_database(str(tmp_path / name))
    summary = import_paths(database, [folder])
    assert not summary.problems, summary.problems
    return database


def make_app(
    database: Database, annotator: str = "alice", *, show_others: bool = False,
    document_id: int | None = None,
) -> AnnotatorApp:
    """The app over a fresh workspace, as ``run_annotator`` builds it."""
    return AnnotatorApp(Workspace(database, annotator, show_others=show_others),
                        document_id=document_id)


def main_screen(app: AnnotatorApp) -> AnnotateScreen:
    """The annotation screen, even while a dialog is open above it."""
    screen = app.screen_stack[0]
    assert isinstance(screen, AnnotateScreen)
    return screen


def current(app: AnnotatorApp) -> SentenceView:
    """What the screen currently shows."""
    view = main_screen(app).current
    assert view is not None
    return view


def stored(app: AnnotatorApp) -> SentenceView:
    """The current sentence as the database has it now (not the screen's copy)."""
    workspace = main_screen(app).workspace
    return workspace.view(current(app).sentence_id)


def only(annotations: tuple[AnnotationView, ...], label: str | None = None) -> AnnotationView:
    """The single annotation (with ``label``)."""
    matching = [a for a in annotations if label is None or a.label == label]
    assert len(matching) == 1, matching
    return matching[0]


def plain(widget: Static | HeaderLine) -> str:
    """The plain text a Static or a header line shows."""
    if isinstance(widget, HeaderLine):
        return widget.text.plain
    return widget.visual.plain  # type: ignore[attr-defined]


def screen_text(app: AnnotatorApp) -> str:
    """Everything drawn on the terminal, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def select_words(pilot: Pilot, first: int, count: int = 1) -> None:
    """Put the word cursor on word ``first`` and extend the selection over ``count`` words."""
    await pilot.press("home", *["right"] * first, *["shift+right"] * (count - 1))


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key."""
    await pilot.press(*text)


async def tag(pilot: Pilot, first: int, count: int, key: str) -> None:
    """Select words and tag them with ``key``, leaving the dialog with escape."""
    await select_words(pilot, first, count)
    await pilot.press(key)
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()


def interactive_app(database: Database, annotator: str = "alice", *,
                    show_others: bool = False) -> AnnotatorApp:
    """The app as ``run_annotator`` builds it: connections that report a lock quickly."""
    workspace = Workspace(database.with_lock_wait(100), annotator, show_others=show_others,
                          retry_policy=RetryPolicy(first_delay=0.02, max_delay=0.2))
    return AnnotatorApp(workspace)


def elsewhere(database: Database, annotator: str) -> Workspace:
    """Another process's workspace on the same database (its own engine and connections)."""
    return Workspace(open_database(database.url), annotator)
