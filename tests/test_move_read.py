"""A move as one read: the leave check and the done count read with the arriving view."""

from __future__ import annotations

from sqlalchemy import event
from test_tui import SIZE, current, main_screen
from test_tui import corpus as tui_corpus  # noqa: F401  (fixture)
from test_tui_teams import elsewhere, fast_poll, interactive_app  # noqa: F401  (fixture)
from test_workspace import (
    _ids,
    _span,
    corpus,  # noqa: F401  (fixture)
)

from annotator.workspace import Arrival, Workspace
from db.engine import Database
from db.suggestions import ProposedSpan, store_suggestions


def test_the_leave_check_read_with_the_arriving_view_agrees_with_the_plain_one(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    assert not ana.arrive(None, ids[0]).marks_done
    assert not ana.arrive(ids[2], ids[3]).marks_done  # nothing tagged there
    _span(ana, ids[2], "claim", "talks would go on")
    assert ana.leaving_marks_done(ids[2]) and ana.arrive(ids[2], ids[3]).marks_done
    assert not Workspace(corpus, "ben").arrive(ids[2], ids[3]).marks_done  # not ben's span
    assert not ana.arrive(ids[2], ids[2]).marks_done  # staying is not leaving
    ana.toggle_done(ids[2])
    assert not ana.arrive(ids[2], ids[3]).marks_done  # already done


def test_the_arrival_is_the_fresh_read_and_a_write_drops_the_read_ahead(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    _span(ana, ids[2], "claim", "talks would go on")
    arrival = ana.arrive(ids[2], ids[3])
    assert arrival.marks_done and arrival.left_id == ids[2]
    assert arrival.view == Workspace(corpus, "ana").view(ids[3])
    assert arrival.ahead_marker is None  # read when asked for: nothing to check after paint
    shown = ana.make_move(arrival)  # the screen writes before drawing
    assert ana.view(ids[2]).state == "done"
    assert shown.progress.done == ana.progress().done == 1
    assert not shown.marks_done and not ana.arrive(ids[2], ids[3]).marks_done
    ana.read_ahead(ana.view(ids[2]))
    ana.toggle_done(ids[3])  # a write between the read ahead and the move
    assert ana.arrive(ids[2], ids[3]).view.state == "done"


def test_progress_read_with_the_arrival_follows_other_terminals_and_undo(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    assert ana.arrive(None, ids[0]).progress.done == 0
    Workspace(corpus, "ana").toggle_done(ids[4])  # the same annotator in another terminal
    assert ana.arrive(None, ids[0]).progress.done == 1
    assert ana.progress().done == 1  # on its own: counted again
    ana.toggle_done(ids[1])
    assert ana.arrive(None, ids[1]).progress.done == 2
    ana.undo()
    arrival = ana.arrive(None, ids[1])
    assert arrival.progress.done == 1
    assert arrival.progress.total == 6


class Statements:
    """Counts the statements a database's engine sends."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1


def _move(workspace: Workspace, left: int, arriving: int) -> Arrival:
    """The read the screen makes for a move that marks nothing done."""
    arrival = workspace.arrive(left, arriving)
    assert not arrival.marks_done
    return arrival


def _shown(arrival: Arrival) -> tuple[int, ...]:
    """The ids of the annotations a move shows."""
    return tuple(a.id for a in arrival.view.annotations)


def test_a_move_read_ahead_reads_nothing_and_is_checked_once_the_frame_is_shown(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana", show_others=True, suggestions=True)
    ids = _ids(ana)
    statements = Statements(corpus)
    ana.read_ahead(ana.view(ids[0]))
    before = statements.count
    arrival = _move(ana, ids[0], ids[1])
    assert _shown(arrival) == ()
    assert statements.count == before  # the keypress waits for no statement
    assert not ana.shown_may_be_stale(arrival)
    assert statements.count - before == 1  # one probe, after the frame
    fresh = ana.arrive(None, ids[1])  # a redraw reads now: nothing to check after it
    before = statements.count
    assert not ana.shown_may_be_stale(fresh)
    assert statements.count == before

    # Another annotator tags the next sentence after it was read ahead: the check after
    # the frame says so, and the sentence read again shows the span.
    ana.read_ahead(ana.view(ids[1]))
    ben = Workspace(corpus, "ben")
    tagged = _span(ben, ids[2], "claim", "talks would go on")
    arrival = _move(ana, ids[1], ids[2])
    assert _shown(arrival) == ()
    assert ana.shown_may_be_stale(arrival)
    assert _shown(ana.arrive(None, ids[2])) == (tagged,)

    # Suggestions stored in bulk (no change-log entry) after the read ahead are noticed too.
    ana.read_ahead(ana.view(ids[2]))
    view = ana.view(ids[3])
    assert store_suggestions(corpus, ana.annotator_id, view.document_id,
                             [ProposedSpan(view.index, "claim", 0, len(view.text))]) == 1
    arrival = _move(ana, ids[2], ids[3])
    assert _shown(arrival) == ()
    assert ana.shown_may_be_stale(arrival)
    assert len(ana.arrive(None, ids[3]).view.annotations) == 1

    # The read ahead serves only the move it was read for, once.
    ana.read_ahead(ana.view(ids[3]))
    before = statements.count
    ana.arrive(ids[3], ids[2])  # not the sentence read ahead
    assert statements.count - before > 1
    before = statements.count
    again = ana.arrive(ids[3], ids[4])  # read ahead, but taken by the move before
    assert statements.count - before > 1
    assert again.view == Workspace(corpus, "ana", show_others=True,
                                   suggestions=True).view(ids[4])


def test_an_own_write_drops_the_read_ahead_and_leaving_then_marks_done(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    ana.read_ahead(ana.view(ids[2]))
    _span(ana, ids[2], "claim", "talks would go on")  # after the read ahead
    arrival = ana.arrive(ids[2], ids[3])
    assert arrival.marks_done
    shown = ana.make_move(arrival)
    assert shown.view.index == Workspace(corpus, "ana").view(ids[3]).index
    assert shown.progress.done == ana.progress().done == 1
    ana.read_ahead(ana.view(ids[5]))  # the last sentence: nothing ahead
    assert ana.arrive(ids[5], ids[4]).marks_done is False


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


async def test_the_screen_moves_on_what_it_read_ahead_then_shows_others_new_spans(
    tui_corpus: Database,  # noqa: F811
) -> None:
    app = interactive_app(tui_corpus, show_others=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause(0.2)  # the after-paint work: position, suggestions, read ahead
        screen = main_screen(app)
        following = current(app).next_id
        assert following is not None
        ben = elsewhere(tui_corpus, "ben")  # tags the next sentence after it was read ahead
        text = ben.view(following).text
        tagged = ben.tag(following, "source", 0, text.index(" reported"))
        ben.database.dispose()
        await pilot.press("j")
        await pilot.pause()
        assert current(app).sentence_id == following
        await pilot.pause(0.2)  # the check made once the frame is shown: drawn again
        assert [a.id for a in current(app).annotations] == [tagged]
        assert "ben" in screen.annotation_list.options[0].prompt.plain
        await pilot.pause(0.2)
        assert Workspace(tui_corpus, "alice").start_position() == following
        await pilot.press("k")  # backwards, what the last move read ahead is not used
        await pilot.pause()
        assert current(app).next_id == following


def test_a_move_that_marks_done_shows_the_arrival_without_reading_it_again(
    corpus: Database,  # noqa: F811
) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    _span(ana, ids[2], "claim", "talks would go on")
    _span(ana, ids[3], "source", ana.view(ids[3]).text.split()[0])
    ana.progress()  # the corpus total: counted once, not with each move
    sent: list[str] = []
    event.listen(corpus.engine, "before_cursor_execute",
                 lambda _c, _cursor, statement, *_rest: sent.append(statement))
    for left, arriving, marked_elsewhere in ((ids[2], ids[3], False), (ids[3], ids[4], True)):
        arrival = ana.arrive(left, arriving)
        assert arrival.marks_done
        if marked_elsewhere:  # another terminal marks it done between the check and the move
            Workspace(corpus, "ana").toggle_done(left)
        sent.clear()
        shown = ana.make_move(arrival)
        # Only the move's write: neither the sentence nor the done count is read again.
        assert sent and not any("FROM sentences" in statement or "count(" in statement
                                for statement in sent)
        fresh = Workspace(corpus, "ana")
        assert shown.view == fresh.view(arriving)
        assert shown.progress == fresh.progress()
        assert fresh.view(left).state == "done"
