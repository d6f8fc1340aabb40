"""The annotation interface, driven by keys through Pilot: opening, moving, the word cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import ProgressBar, Static
from tui_helpers import (
    SIZE,
    build_database,
    current,
    main_screen,
    make_app,
    plain,
    select_words,
    tag,
    type_text,
)

from annotator.tui.dialogs.goto import GotoScreen, parse_target
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.annotation_list import AnnotationList
from annotator.tui.widgets.header import HeaderLine
from annotator.tui.widgets.sentence_pane import SentencePane
from annotator.workspace import Workspace
from db.engine import Database, open_database


# --- opening and the header -------------------------------------------------------
async def test_opens_on_the_first_sentence_with_header(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = current(app)
        assert view.text == "Officials said over 160,000 people fled."
        assert plain(app.screen.query_one("#title", HeaderLine)) == "1-alpha"
        position = plain(app.screen.query_one("#position", HeaderLine))
        assert "1/3" in position and "document 1/2" in position
        bar = app.screen.query_one(ProgressBar)
        assert (bar.progress, bar.total) == (0, 5)
        assert "The ministry reported" in main_screen(app).viewer.area.next.plain
        assert app.focused is app.screen.query_one(SentencePane)


async def test_an_empty_database_opens_and_ignores_keys(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "empty.db"))
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "k", "J", "n", "d", "c", "u", "right")
        await pilot.pause()
        assert main_screen(app).current is None
        assert "No sentences yet" in main_screen(app).viewer.area.current.plain
    database.dispose()


async def test_document_id_opens_that_document(corpus: Database) -> None:
    beta = Workspace(corpus, "x").goto(2, 1)
    assert beta is not None
    document_id = Workspace(corpus, "x").view(beta).document_id
    app = make_app(corpus, document_id=document_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current(app).text == "A five-year plan was announced."


# --- moving -----------------------------------------------------------------------
async def test_j_and_k_move_across_documents(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        assert current(app).text.startswith("The ministry")
        await pilot.press("j", "j")
        view = current(app)
        assert (view.document_number, view.index) == (2, 0)
        assert "1/2" in plain(app.screen.query_one("#position", HeaderLine))
        await pilot.press("k")
        assert current(app).text == "Nothing happened here."
        await pilot.press("down", "up", "up")
        assert current(app).text.startswith("The ministry")


async def test_j_at_the_end_and_k_at_the_start_stay(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")
        assert current(app).index == 0 and current(app).document_number == 1
        await pilot.press(*"jjjjjjj")
        assert current(app).text == "Critics disagreed."


async def test_shift_j_and_k_move_by_document(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "J")
        assert (current(app).document_number, current(app).index) == (2, 0)
        await pilot.press("j", "K")
        assert (current(app).document_number, current(app).index) == (1, 0)


async def test_n_goes_to_the_next_sentence_not_done(corpus: Database) -> None:
    workspace = Workspace(corpus, "alice")
    second = workspace.goto(1, 2)
    assert second is not None
    workspace.toggle_done(second)
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert current(app).text == "Nothing happened here."


async def test_g_goes_to_a_document_and_to_a_sentence(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, GotoScreen)
        await pilot.press("2", "enter")
        assert (current(app).document_number, current(app).index) == (2, 0)
        await pilot.press("g", *"1:3", "enter")
        assert current(app).text == "Nothing happened here."
        await pilot.press("g", *":2", "enter")
        assert current(app).text.startswith("The ministry")


async def test_g_with_a_number_out_of_range_says_so_and_stays(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "9", "enter")
        assert isinstance(app.screen, GotoScreen)
        assert "No sentence 1 in document 9" in plain(app.screen.query_one("#goto-message",
                                                                           Static))
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)
        assert current(app).index == 0


async def test_g_searches_text_and_jumps_to_the_picked_hit(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await type_text(pilot, "critics")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GotoScreen)
        assert len(app.screen.hits) == 1
        await pilot.press("enter")
        assert current(app).text == "Critics disagreed."


@pytest.mark.parametrize(
    ("query", "expected"),
    [("12", (12, 1)), ("12:5", (12, 5)), (" 3 : 4 ", (3, 4)), (":7", (4, 7)),
     ("ministry", None), ("12a", None), ("", None)],
)
def test_goto_parses_numbers(query: str, expected: tuple[int, int] | None) -> None:
    assert parse_target(query, current_document=4) == expected


# --- the word cursor ----------------------------------------------------------------
async def test_word_cursor_moves_and_shift_extends_an_exact_span(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        viewer = main_screen(app).viewer
        text = current(app).text
        assert viewer.target_span() == (0, len("Officials"))
        await pilot.press("right", "right")
        start, end = viewer.target_span()  # type: ignore[misc]
        assert text[start:end] == "over"
        assert viewer.selection is None
        await pilot.press("shift+right", "shift+right")
        start, end = viewer.selection  # type: ignore[misc]
        assert text[start:end] == "over 160,000 people"
        await pilot.press("shift+left")
        assert text[slice(*viewer.selection)] == "over 160,000"  # type: ignore[misc]
        await pilot.press("escape")
        assert viewer.selection is None
        assert text[slice(*viewer.target_span())] == "160,000"  # type: ignore[misc]
        await pilot.press("end")
        assert text[slice(*viewer.target_span())] == "fled"  # type: ignore[misc]
        await pilot.press("shift+left", "shift+left")
        assert text[slice(*viewer.selection)] == "160,000 people fled"  # type: ignore[misc]
        await pilot.press("home")
        assert viewer.selection is None
        assert text[slice(*viewer.target_span())] == "Officials"  # type: ignore[misc]


async def test_selection_can_extend_backwards_past_its_anchor(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        viewer = main_screen(app).viewer
        text = current(app).text
        await select_words(pilot, 2)
        await pilot.press("shift+right", "shift+left", "shift+left", "shift+left")
        assert text[slice(*viewer.selection)] == "Officials said over"  # type: ignore[misc]
        await pilot.press("shift+end")
        assert text[slice(*viewer.selection)] == "over 160,000 people fled"  # type: ignore[misc]


async def test_cursor_stops_at_the_edges(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        viewer = main_screen(app).viewer
        await pilot.press("left", "left")
        assert viewer.cursor == 0
        await pilot.press(*["right"] * 20)
        assert viewer.cursor == len(viewer.words) - 1


async def test_clicking_a_word_moves_the_cursor_there(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        viewer = main_screen(app).viewer
        area = viewer.area
        # The sentence starts after the area's left padding; "said" is at column 10.
        left = area.styles.padding.left
        assert await pilot.click(area, offset=(left + 11, 0))
        text = current(app).text
        assert text[slice(*viewer.target_span())] == "said"  # type: ignore[misc]


async def test_moving_to_another_sentence_resets_the_cursor(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        viewer = main_screen(app).viewer
        await pilot.press("right", "shift+right", "j")
        assert viewer.cursor == 0 and viewer.selection is None


async def test_list_highlight_follows_the_word_cursor(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")
        await tag(pilot, 5, 1, "c")
        annotations = app.screen.query_one(AnnotationList)
        await pilot.press("home")
        assert annotations.selected_annotation is not None
        assert annotations.selected_annotation.label == "source"
        await pilot.press("end")
        assert annotations.selected_annotation.label == "claim"


async def test_clicking_a_word_on_a_wrapped_line_after_wide_characters(tmp_path: Path) -> None:
    # Two cells per ideograph: the click's column is not the character's offset.
    database = build_database(tmp_path, {"w.txt": "東京の記者 said the ministry counted more "
                                                    "displaced families than last year.\n"})
    app = make_app(database)
    async with app.run_test(size=(40, 24)) as pilot:
        viewer = main_screen(app).viewer
        area = viewer.area
        left = area.styles.padding.left
        assert await pilot.click(area, offset=(left + 11, 0))  # five ideographs fill cells 0-9
        text = current(app).text
        assert text[slice(*viewer.target_span())] == "said"  # type: ignore[misc]
        rows = area.current.wrap(app.console, area.content_size.width)
        assert len(rows) > 1  # the sentence wraps at this width
        second = rows[1].plain
        word = second.split()[0]
        assert await pilot.click(area, offset=(left + second.index(word), 1))
        assert text[slice(*viewer.target_span())] == word  # type: ignore[misc]
        assert await pilot.click(area, offset=(0, 0))  # the bar in the padding: no word
        assert text[slice(*viewer.target_span())] == word  # type: ignore[misc]
    database.dispose()
