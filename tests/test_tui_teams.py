"""The annotation screen among other writers: a locked database, others' work appearing live."""

from __future__ import annotations

import threading

import pytest
from locks import hold_write_lock
from tui_helpers import (
    POLL,
    SIZE,
    current,
    elsewhere,
    interactive_app,
    main_screen,
    screen_text,
    stored,
    tag,
    type_text,
)

from annotator.tui.dialogs.source_picker import SourcePickerScreen
from db.engine import Database
from db.retry import RetryPolicy

# Every test here waits for others' changes: poll often (the fixture is in conftest.py).
pytestmark = pytest.mark.usefixtures("fast_poll")


async def test_an_action_on_a_locked_database_waits_shows_a_notice_and_is_saved(
    corpus: Database,
) -> None:
    app = interactive_app(corpus)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        locked = threading.Event()
        holder = threading.Thread(target=hold_write_lock, args=(corpus.url, 1.5, locked))
        holder.start()
        assert locked.wait(10)
        await pilot.press("d")  # mark done while another process holds the write lock
        holder.join()
        await pilot.pause(0.5)
        shown = screen_text(app)
        assert "Waiting for the database" in shown
        assert "Saved after waiting" in shown
        assert stored(app).state == "done" and current(app).state == "done"
        await pilot.press("u")  # the action is one ordinary undo step
        await pilot.pause()
        assert stored(app).state is None


async def test_another_annotators_span_appears_without_restart(
    corpus: Database,
) -> None:
    app = interactive_app(corpus, show_others=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sentence_id = current(app).sentence_id
        assert current(app).annotations == ()
        ben = elsewhere(corpus, "ben")
        ben.tag(sentence_id, "claim", 0, 9)
        ben.database.dispose()
        await pilot.pause(POLL * 4)
        assert [(a.annotator, a.text) for a in current(app).annotations] == [
            ("ben", "Officials")]
        assert "ben" in screen_text(app)


async def test_the_same_annotator_in_another_terminal_is_followed(
    corpus: Database,
) -> None:
    app = interactive_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await tag(pilot, 0, 1, "c")
        assert len(current(app).annotations) == 1
        second_terminal = elsewhere(corpus, "alice")
        second_terminal.tag(current(app).sentence_id, "source", 0, 9)  # same span, other label
        second_terminal.tag(current(app).sentence_id, "claim", 0, 9)  # already present
        second_terminal.database.dispose()
        await pilot.pause(POLL * 4)
        assert sorted(a.label for a in current(app).annotations) == ["claim", "source"]


async def test_a_source_created_elsewhere_is_offered_in_the_open_picker(
    corpus: Database,
) -> None:
    app = interactive_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await tag(pilot, 0, 1, "s")
        await pilot.press("tab", "e")  # edit the source span: the picker opens
        await pilot.pause()
        assert isinstance(app.screen, SourcePickerScreen)
        ben = elsewhere(corpus, "ben")
        ben.create_source("Officials of the Gaza ministry", "government")
        ben.database.dispose()
        picker = app.screen
        await pilot.press("ctrl+u")  # clear the query
        await type_text(pilot, "gaza min")
        await pilot.pause()
        names = [c.source.name for c in picker.choices if c.source is not None]
        assert names == ["Officials of the Gaza ministry"]
        await pilot.press("enter")
        await pilot.pause()
        assert main_screen(app).current is not None
        assert stored(app).annotations[0].source_name == "Officials of the Gaza ministry"


async def test_a_database_busy_for_too_long_refuses_the_action_in_one_line(
    corpus: Database,
) -> None:
    app = interactive_app(corpus)
    main = app.workspace
    main.writes.policy = RetryPolicy(first_delay=0.02, max_delay=0.05, give_up_after=0.3)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        locked = threading.Event()
        holder = threading.Thread(target=hold_write_lock, args=(corpus.url, 1.5, locked))
        holder.start()
        assert locked.wait(10)
        await pilot.press("d")
        holder.join()
        await pilot.pause(0.5)
        assert "nothing was saved, try again" in screen_text(app)
        assert stored(app).state is None and current(app).state is None
        await pilot.press("d")  # the database is free again: the same key now works
        await pilot.pause()
        assert stored(app).state == "done"
