"""Done marks, progress, undo/redo (also across a restart), resuming, show_others."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import ProgressBar
from tui_helpers import (
    SIZE,
    build_database,
    current,
    main_screen,
    make_app,
    only,
    plain,
    stored,
    tag,
)

from annotator.tui.widgets.header import HeaderLine
from annotator.workspace import Workspace
from db.engine import Database, open_database


def bar(app) -> tuple[float, float | None]:  # type: ignore[no-untyped-def]
    """(done, total) as the progress bar shows them."""
    progress = main_screen(app).query_one(ProgressBar)
    return progress.progress, progress.total


async def test_d_toggles_done_and_the_progress_bar(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        assert stored(app).state == "done"
        assert bar(app) == (1, 5)
        assert "done" in plain(main_screen(app).query_one("#position", HeaderLine))
        await pilot.press("d")
        assert stored(app).state is None
        assert bar(app) == (0, 5)


async def test_leaving_an_annotated_sentence_marks_it_done(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "c")
        assert stored(app).state is None
        first = current(app).sentence_id
        await pilot.press("j")
        assert main_screen(app).workspace.view(first).state == "done"
        assert bar(app) == (1, 5)
        # A sentence left with no annotations is not done.
        await pilot.press("j")
        assert bar(app) == (1, 5)


async def test_the_position_is_stored_after_the_frame_and_when_the_app_ends(
    corpus: Database,
) -> None:
    # A move that marks nothing done stores the position just after its frame is
    # painted (off the keypress latency); whatever is still unsaved is stored on exit.
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        workspace = main_screen(app).workspace
        await pilot.press("j")
        await pilot.pause()
        assert workspace.start_position() == current(app).sentence_id
        screen = main_screen(app)
        screen.action_next_sentence()  # called directly: no frame is painted before the exit
        last = current(app).sentence_id
        assert workspace.start_position() != last
        app.exit()  # not through `q`
    assert Workspace(corpus, "alice").start_position() == last
    # Undo right after a move: the position undo jumps to is not overwritten by the
    # move's deferred one.
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        marked = current(app).sentence_id
        await pilot.press("d")
        screen = main_screen(app)
        screen.action_next_sentence()  # both before any frame is painted
        screen.action_undo()
        assert current(app).sentence_id == marked
        await pilot.pause()
        assert main_screen(app).workspace.start_position() == marked


async def test_undo_and_redo_a_tag(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 2, 2, "f")
        assert only(stored(app).annotations).text == "over 160,000"
        await pilot.press("u")
        assert stored(app).annotations == ()
        assert current(app).annotations == ()
        await pilot.press("ctrl+y")
        assert only(current(app).annotations).text == "over 160,000"
        await pilot.press("ctrl+z")
        assert current(app).annotations == ()


async def test_undo_covers_attributes_relabels_and_done_marks(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")  # save the figure form (value empty for "Officials")
        await pilot.press("tab", "c")
        assert only(stored(app).annotations).label == "claim"
        await pilot.press("u")
        assert only(stored(app).annotations).label == "figure"
        await pilot.press("escape", "d")
        assert stored(app).state == "done"
        await pilot.press("u")
        assert stored(app).state is None


async def test_undo_jumps_to_the_sentence_it_changed(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")
        first = current(app).sentence_id
        await pilot.press("J")
        assert current(app).sentence_id != first
        await pilot.press("u")  # undoes the "done" mark made by leaving, on the first sentence
        assert current(app).sentence_id == first
        await pilot.press("u")
        assert current(app).annotations == ()


async def test_nothing_to_undo_is_harmless(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u", "ctrl+y")
        assert current(app).index == 0


async def test_undo_works_after_a_restart(tmp_path: Path) -> None:
    database = build_database(tmp_path, {"a.txt": "Officials said it. Others denied it.\n"})
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")
        await pilot.press("q")
    assert app.return_code == 0
    database.dispose()

    reopened = open_database(str(tmp_path / "t.db"))
    app = make_app(reopened)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert only(current(app).annotations).text == "Officials"
        await pilot.press("u")
        assert stored(app).annotations == ()
        await pilot.press("ctrl+y")
        assert only(stored(app).annotations).text == "Officials"
    reopened.dispose()


async def test_reopening_resumes_at_the_last_position(tmp_path: Path) -> None:
    database = build_database(tmp_path, {"a.txt": "One here. Two here. Three here.\n"})
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        await pilot.press("q")
    database.dispose()

    reopened = open_database(str(tmp_path / "t.db"))
    app = make_app(reopened)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current(app).text == "Three here."
    # Positions are per annotator: bob starts at the beginning.
    app = make_app(reopened, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current(app).text == "One here."
    reopened.dispose()


async def test_others_annotations_show_only_with_show_others(corpus: Database) -> None:
    bob = Workspace(corpus, "bob")
    first = bob.start_position()
    assert first is not None
    bob.tag(first, "claim", 0, 9)
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current(app).annotations == ()
    app = make_app(corpus, show_others=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        claim = only(current(app).annotations)
        assert claim.annotator == "bob"
        rows = [str(option.prompt) for option in main_screen(app).annotation_list.options]
        assert any("by bob" in row for row in rows)
