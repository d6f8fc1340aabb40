"""The stats screen: ctrl+s and the command palette open it over the annotation screen."""

from __future__ import annotations

import threading

from textual.command import CommandPalette
from tui_helpers import SIZE, current, main_screen, make_app, screen_text, tag, type_text

from annotator.reports.stats import StatsReport
from annotator.tui.dialogs.stats import StatsScreen
from annotator.tui.screens.annotate import AnnotateScreen
from db.engine import Database


def _row(text: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is ``first_cell``."""
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) > 2 and cells[1] == first_cell:
            return cells[1:-1]
    raise AssertionError(f"no row {first_cell!r} in:\n{text}")


async def test_ctrl_s_shows_stats_including_this_session(corpus: Database) -> None:
    app = make_app(corpus, "alice")
    async with app.run_test(size=(130, 50)) as pilot:
        await tag(pilot, 2, 3, "c")
        await pilot.press("d")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, StatsScreen)
        await app.workers.wait_for_complete()  # counting runs in a thread
        await pilot.pause()
        assert app.screen.report is not None
        shown = screen_text(app)
        assert "documents: 2" in shown and "sentences: 5" in shown
        # alice: one sentence done (with its bar), one claim, nothing else.
        cells = _row(shown, "alice")
        assert cells[:6] == ["alice", "1", "██████", "1", "0", "0"]
        assert _row(shown, "claim") == ["claim", "1"]
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("ctrl+s")  # the same key closes it
        assert isinstance(app.screen, AnnotateScreen)


async def test_command_palette_opens_stats(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Statistics")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("q")
        assert isinstance(app.screen, AnnotateScreen)
        assert app.is_running  # q closes the view, not the application


async def test_closing_before_the_count_ends_is_harmless(corpus: Database) -> None:
    app = make_app(corpus)
    release = threading.Event()

    def slow_count() -> StatsReport:
        release.wait(5)
        return main_screen(app).workspace.stats()

    async with app.run_test(size=SIZE) as pilot:
        screen = StatsScreen(slow_count)
        app.push_screen(screen)
        await pilot.pause()
        assert "Counting…" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.report is None  # the result of a closed screen is dropped
        await pilot.press("j")
        assert current(app).index == 1
