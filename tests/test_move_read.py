"""A move as one read: the leave check and the done count read with the arriving view."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from tui_helpers import SIZE, current, elsewhere, interactive_app, main_screen
from workspace_helpers import reading_order, tag_words

from annotator.workspace import Workspace
from db.engine import Database
from db.suggestions import ProposedSpan, store_suggestions

# The screen tests here wait for another terminal's changes: poll often (conftest.py).
pytestmark = pytest.mark.usefixtures("fast_poll")


def test_the_leave_check_read_with_the_arriving_view_agrees_with_the_plain_one(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    assert not ana.leaving_marks_done(None, ids[0])
    assert not ana.leaving_marks_done(ids[2], ids[3])  # nothing tagged there
    tag_words(ana, ids[2], "claim", "talks would go on")
    assert ana.leaving_marks_done(ids[2]) and ana.leaving_marks_done(ids[2], ids[3])
    assert not Workspace(talks_corpus, "ben").leaving_marks_done(ids[2], ids[3])  # not ben's span
    assert not ana.leaving_marks_done(ids[2], ids[2])  # staying is not leaving
    ana.toggle_done(ids[2])
    assert not ana.leaving_marks_done(ids[2], ids[3])  # already done


def test_the_view_read_ahead_is_the_fresh_one_and_a_write_drops_it(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    tag_words(ana, ids[2], "claim", "talks would go on")
    assert ana.leaving_marks_done(ids[2], ids[3])
    assert ana.view(ids[3]) == Workspace(talks_corpus, "ana").view(ids[3])
    assert ana.leaving_marks_done(ids[2], ids[3])
    ana.move(ids[2], ids[3])  # the screen writes before drawing: the view is read again
    assert ana.view(ids[2]).state == "done"
    assert ana.progress().done == 1
    assert not ana.leaving_marks_done(ids[2], ids[3])
    ana.toggle_done(ids[3])  # a write between the read ahead and the view
    assert ana.view(ids[3]).state == "done"


def test_progress_read_with_the_view_follows_other_terminals_and_undo(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    ana.view(ids[0])
    assert ana.progress().done == 0
    Workspace(talks_corpus, "ana").toggle_done(ids[4])  # the same annotator in another terminal
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


class Statements:
    """Counts the statements a database's engine sends."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1


def _move(workspace: Workspace, left: int, arriving: int) -> tuple[int, ...]:
    """The move the screen makes; the ids of the annotations it shows."""
    assert not workspace.leaving_marks_done(left, arriving)
    return tuple(a.id for a in workspace.view(arriving).annotations)


def test_a_move_read_ahead_reads_nothing_and_is_checked_once_the_frame_is_shown(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana", show_others=True, suggestions=True)
    ids = reading_order(ana)
    statements = Statements(talks_corpus)
    ana.read_ahead(ana.view(ids[0]))
    before = statements.count
    assert _move(ana, ids[0], ids[1]) == ()
    assert statements.count == before  # the keypress waits for no statement
    assert not ana.shown_may_be_stale()
    assert statements.count - before == 1  # one probe, after the frame
    assert not ana.shown_may_be_stale()
    assert statements.count - before == 1  # and only once

    # Another annotator tags the next sentence after it was read ahead: the check after
    # the frame says so, and the sentence read again shows the span.
    ana.read_ahead(ana.view(ids[1]))
    ben = Workspace(talks_corpus, "ben")
    tagged = tag_words(ben, ids[2], "claim", "talks would go on")
    assert _move(ana, ids[1], ids[2]) == ()
    assert ana.shown_may_be_stale()
    assert [a.id for a in ana.view(ids[2]).annotations] == [tagged]

    # Suggestions stored in bulk (no change-log entry) after the read ahead are noticed too.
    ana.read_ahead(ana.view(ids[2]))
    document = ana.view(ids[3]).document_id
    index = ana.view(ids[3]).index
    text = ana.view(ids[3]).text
    assert store_suggestions(talks_corpus, ana.annotator_id, document,
                             [ProposedSpan(index, "claim", 0, len(text))]) == 1
    assert _move(ana, ids[2], ids[3]) == ()
    assert ana.shown_may_be_stale()
    assert len(ana.view(ids[3]).annotations) == 1

    # The read ahead serves only the move it was read for, once.
    ana.read_ahead(ana.view(ids[3]))
    before = statements.count
    ana.view(ids[2])  # not the sentence read ahead
    assert statements.count - before > 1
    assert ana.view(ids[3]) == Workspace(talks_corpus, "ana", show_others=True,
                                         suggestions=True).view(ids[3])


def test_an_own_write_drops_the_read_ahead_and_leaving_then_marks_done(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    ana.read_ahead(ana.view(ids[2]))
    tag_words(ana, ids[2], "claim", "talks would go on")  # after the read ahead
    assert ana.leaving_marks_done(ids[2], ids[3])
    ana.move(ids[2], ids[3])
    assert ana.view(ids[3]).index == Workspace(talks_corpus, "ana").view(ids[3]).index
    assert ana.progress().done == 1
    ana.read_ahead(ana.view(ids[5]))  # the last sentence: nothing ahead
    assert ana.leaving_marks_done(ids[5], ids[4]) is False


def test_remember_position_is_stored_in_its_own_statement(talks_corpus: Database) -> None:
    interactive = talks_corpus.with_lock_wait(500)
    try:
        ana = Workspace(interactive, "ana")
        ids = reading_order(ana)
        ana.remember_position(ids[4])
        assert Workspace(talks_corpus, "ana").start_position() == ids[4]
    finally:
        interactive.dispose()


async def test_the_header_shows_a_sentence_marked_done_in_another_terminal(
    corpus: Database,
) -> None:
    app = interactive_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert main_screen(app)._progress is not None
        assert main_screen(app)._progress.done == 0
        second_terminal = elsewhere(corpus, "alice")
        second_terminal.toggle_done(second_terminal.goto(2, 1) or 0)  # not the shown sentence
        second_terminal.database.dispose()
        await pilot.pause(0.5)
        assert current(app).state is None
        assert main_screen(app)._progress.done == 1
        await pilot.press("u")  # alice's latest action, from either terminal, is undone
        await pilot.pause()
        assert main_screen(app)._progress.done == 0


async def test_the_screen_moves_on_what_it_read_ahead_then_shows_others_new_spans(
    corpus: Database,
) -> None:
    app = interactive_app(corpus, show_others=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause(0.2)  # the after-paint work: position, suggestions, read ahead
        screen = main_screen(app)
        following = current(app).next_id
        assert following is not None
        ben = elsewhere(corpus, "ben")  # tags the next sentence after it was read ahead
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
        assert Workspace(corpus, "alice").start_position() == following
        await pilot.press("k")  # backwards, what the last move read ahead is not used
        await pilot.pause()
        assert current(app).next_id == following


def test_a_move_that_marks_done_shows_the_arrival_without_reading_it_again(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    tag_words(ana, ids[2], "claim", "talks would go on")
    tag_words(ana, ids[3], "source", ana.view(ids[3]).text.split()[0])
    ana.progress()  # the talks_corpus total: counted once, not with each move
    statements = Statements(talks_corpus)
    for left, arriving, marked_elsewhere in ((ids[2], ids[3], False), (ids[3], ids[4], True)):
        assert ana.leaving_marks_done(left, arriving)
        if marked_elsewhere:  # another terminal marks it done between the check and the move
            Workspace(talks_corpus, "ana").toggle_done(left)
        ana.move(left, arriving)
        before = statements.count
        view, progress = ana.view(arriving), ana.progress()
        assert statements.count == before  # shown from the arrival read with the leave check
        fresh = Workspace(talks_corpus, "ana")
        assert view == fresh.view(arriving)
        assert progress == fresh.progress()
        assert fresh.view(left).state == "done"
