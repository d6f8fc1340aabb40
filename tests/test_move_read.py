"""A move as one read: the leave check and the done count read with the arriving view."""

from __future__ import annotations

from test_tui import SIZE, current, main_screen
from test_tui import corpus as tui_corpus  # noqa: F401  (fixture)
from test_tui_teams import elsewhere, fast_poll, interactive_app  # noqa: F401  (fixture)
from test_workspace import (
    _ids,
    _span,
    corpus,  # noqa: F401  (fixture)
)

from annotator.workspace import Workspace
from db.engine import Database


def test_the_leave_check_read_with_the_arriving_view_agrees_with_the_plain_one(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    assert not ana.leaving_marks_done(None, ids[0])
    assert not ana.leaving_marks_done(ids[2], ids[3])  # nothing tagged there
    _span(ana, ids[2], "claim", "talks would go on")
    assert ana.leaving_marks_done(ids[2]) and ana.leaving_marks_done(ids[2], ids[3])
    assert not Workspace(corpus, "ben").leaving_marks_done(ids[2], ids[3])  # not ben's span
    assert not ana.leaving_marks_done(ids[2], ids[2])  # staying is not leaving
    ana.toggle_done(ids[2])
    assert not ana.leaving_marks_done(ids[2], ids[3])  # already done


def test_the_view_read_ahead_is_the_fresh_one_and_a_write_drops_it(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    _span(ana, ids[2], "claim", "talks would go on")
    assert ana.leaving_marks_done(ids[2], ids[3])
    assert ana.view(ids[3]) == Workspace(corpus, "ana").view(ids[3])
    assert ana.leaving_marks_done(ids[2], ids[3])
    ana.move(ids[2], ids[3])  # the screen writes before drawing: the view is read again
    assert ana.view(ids[2]).state == "done"
    assert ana.progress().done == 1
    assert not ana.leaving_marks_done(ids[2], ids[3])
    ana.toggle_done(ids[3])  # a write between the read ahead and the view
    assert ana.view(ids[3]).state == "done"


def test_progress_read_with_the_view_follows_other_terminals_and_undo(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    ana.view(ids[0])
    assert ana.progress().done == 0
    Workspace(corpus, "ana").toggle_done(ids[4])  # the same annotator in another terminal
    ana.view(ids[0])
    assert ana.progress().done == 1
    assert ana.progress().done == 1  # without a view in between: counted again
    ana.toggle_done(ids[1])
    ana.view(ids[1])
    assert ana.progress().done == 2
    ana.undo()
    ana.view(ids[1])
    assert ana.progress().done == 1
    assert ana.progress().total == 6


def test_remember_position_is_stored_in_its_own_statement(corpus: Database) -> None:  # noqa: F811
    interactive = corpus.with_lock_wait(500)
    try:
        ana = Workspace(interactive, "ana")
        ids = _ids(ana)
        ana.remember_position(ids[4])
        assert Workspace(corpus, "ana").start_position() == ids[4]
    finally:
        interactive.dispose()


async def test_the_header_shows_a_sentence_marked_done_in_another_terminal(
    tui_corpus: Database,  # noqa: F811
) -> None:
    app = interactive_app(tui_corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert main_screen(app)._progress is not None
        assert main_screen(app)._progress.done == 0
        second_terminal = elsewhere(tui_corpus, "alice")
        second_terminal.toggle_done(second_terminal.goto(2, 1) or 0)  # not the shown sentence
        second_terminal.database.dispose()
        await pilot.pause(0.5)
        assert current(app).state is None
        assert main_screen(app)._progress.done == 1
        await pilot.press("u")  # alice's latest action, from either terminal, is undone
        await pilot.pause()
        assert main_screen(app)._progress.done == 0
