"""The review screen driven by keys through Pilot; every check reads the database afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from test_review_db import build_review_corpus
from textual.widgets import Input, Static

from annotator.review.session import ReviewSession
from annotator.tui.dialogs.confirm import ConfirmScreen
from annotator.tui.dialogs.figure_form import FigureFormScreen
from annotator.tui.dialogs.filter import FilterScreen
from annotator.tui.dialogs.help import HelpScreen
from annotator.tui.dialogs.history import HistoryScreen
from annotator.tui.dialogs.note import NoteScreen
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.review_app import ReviewApp
from annotator.tui.screens.review import ReviewScreen
from db.engine import Database, open_database
from db.filters import AnnotationFilter
from db.models import Annotation, Annotator
from db.read_models import ReviewQuery

SIZE = (140, 40)


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[tuple[Database, dict[str, int]]]:
    database = open_database(str(tmp_path / "review.db"))
    ids = build_review_corpus(database, tmp_path / "in")
    yield database, ids
    database.dispose()


def make_app(database: Database, query: ReviewQuery | None = None,
             reviewer: str = "rita") -> ReviewApp:
    return ReviewApp(ReviewSession(database, reviewer), query)


def screen(app: ReviewApp) -> ReviewScreen:
    found = app.screen_stack[0]
    assert isinstance(found, ReviewScreen)
    return found


def stored(database: Database, annotation_id: int) -> Annotation | None:
    with database.transaction() as session:
        return session.get(Annotation, annotation_id)


def reviewer_id(database: Database, name: str = "rita") -> int:
    with database.engine.connect() as connection:
        found = connection.scalar(select(Annotator.id).where(Annotator.name == name))
    assert found is not None
    return found


def screen_text(app: ReviewApp) -> str:
    """Everything drawn on the terminal, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def plain(widget: Static) -> str:
    return widget.visual.plain  # type: ignore[attr-defined]


async def select_row(pilot, app: ReviewApp, annotation_id: int) -> None:
    """Move the table cursor onto the row of ``annotation_id``."""
    rows = [row.id for row in screen(app).rows]
    target = rows.index(annotation_id)
    step = target - screen(app).table.cursor_row
    await pilot.press(*["down" if step > 0 else "up"] * abs(step))
    assert screen(app).selected is not None and screen(app).selected.id == annotation_id


# --- opening ---------------------------------------------------------------------------------
async def test_opens_with_the_first_page_and_the_span_in_context(corpus) -> None:
    database, ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        review = screen(app)
        assert review.table.row_count == len(ids)
        assert "rows 1–7 of 7" in plain(app.screen.query_one("#review-status", Static))
        context = plain(app.screen.query_one("#review-context", Static))
        first = review.selected
        assert first is not None and first.text in context


async def test_markup_in_the_text_is_shown_verbatim(corpus) -> None:
    database, ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await select_row(pilot, app, ids["ana_markup"])
        context = plain(app.screen.query_one("#review-context", Static))
        assert "Hamas denied the [bold]report[/bold] on Monday." in context


# --- decisions ---------------------------------------------------------------------------------
async def test_y_accepts_x_rejects_and_the_cursor_moves_on(corpus) -> None:
    database, _ids = corpus
    query = ReviewQuery(AnnotationFilter(statuses=("suggested",)))
    app = make_app(database, query)
    async with app.run_test(size=SIZE) as pilot:
        first, second = (row.id for row in screen(app).rows)
        await pilot.press("y")
        assert screen(app).selected.id == second
        await pilot.press("x")
        await pilot.pause()
    accepted, rejected = stored(database, first), stored(database, second)
    assert (accepted.status, accepted.reviewed_by) == ("accepted", reviewer_id(database))
    assert (rejected.status, rejected.reviewed_by) == ("rejected", reviewer_id(database))
    assert accepted.reviewed_at is not None


async def test_enter_accepts_and_u_undoes(corpus) -> None:
    database, _ids = corpus
    app = make_app(database, ReviewQuery(AnnotationFilter(statuses=("suggested",))))
    async with app.run_test(size=SIZE) as pilot:
        first = screen(app).selected.id
        await pilot.press("enter")
        await pilot.pause()
        assert stored(database, first).status == "accepted"
        await pilot.press("u")
        await pilot.pause()
        assert stored(database, first).status == "suggested"
        assert stored(database, first).reviewed_by is None
        # The table shows the undone state again.
        assert screen(app).rows[0].status == "suggested"
        await pilot.press("u")
        await pilot.pause()  # nothing left to undo: said, not crashed


async def test_relabel_with_c_s_f(corpus) -> None:
    database, ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await select_row(pilot, app, ids["bob_source"])
        await pilot.press("c")
        await pilot.pause()
        assert stored(database, ids["bob_source"]).label == "claim"
        assert screen(app).selected.label == "claim"
        await pilot.press("f")
        await pilot.pause()
    assert stored(database, ids["bob_source"]).label == "figure"


async def test_e_edits_a_figure_value_through_the_figure_form(corpus) -> None:
    database, ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await select_row(pilot, app, ids["bob_figure"])
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FigureFormScreen)
        app.screen.query_one("#value", Input).value = "53000000000"
        app.screen.query_one("#unit", Input).value = "USD"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        selected = screen(app).selected.figure
        assert selected is not None and selected.unit == "USD"
    figure = stored(database, ids["bob_figure"])
    assert (figure.figure_value, figure.figure_unit) == (53e9, "USD")


async def test_e_maps_a_source_span_to_a_new_canonical_source(corpus) -> None:
    database, ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await select_row(pilot, app, ids["bob_source"])
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, SourcePickerScreen)
        # The scheme's known source "Hamas", not in the registry yet: picking it adds it
        # with the scheme's type (a name the scheme does not know goes through the type
        # step: tests/test_config.py).
        await pilot.press("enter")  # "+ known source Hamas (party_or_armed_group)"
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert screen(app).selected.source_name == "Hamas"
        assert screen(app).selected.source_type == "party_or_armed_group"
    assert stored(database, ids["bob_source"]).source_id is not None


async def test_m_writes_a_note_and_h_shows_the_history(corpus) -> None:
    database, ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await select_row(pilot, app, ids["ana_figure"])
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"check [red]it[/red]", "enter")
        await pilot.pause()
        assert stored(database, ids["ana_figure"]).note == "check [red]it[/red]"
        assert "check [red]it[/red]" in plain(app.screen.query_one("#review-context", Static))
        await pilot.press("x")
        await select_row(pilot, app, ids["ana_figure"])
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert [(entry.who, entry.action) for entry in app.screen.entries] == [
            ("ana", "tag"), ("ana", "set_figure"), ("rita", "note"), ("rita", "reject")]
        shown = screen_text(app)
        assert "status: accepted → rejected" in shown
        assert "note: – → check [red]it[/red]" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_filter_dialog_applies_and_refuses_unknown_names(corpus) -> None:
    database, ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#filter-annotators", Input).value = "nobody"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)  # refused, with the reason shown
        assert "nobody" in plain(app.screen.query_one("#filter-error", Static))
        app.screen.query_one("#filter-annotators", Input).value = "bob"
        app.screen.query_one("#filter-labels", Input).value = "source, figure"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert {row.id for row in screen(app).rows} == {ids["bob_figure"], ids["bob_source"]}
        await pilot.press("slash")
        await pilot.pause()
        app.screen.query_one("#filter-labels", Input).value = "quote"
        await pilot.press("enter")
        await pilot.pause()
        assert "quote" in plain(app.screen.query_one("#filter-error", Static))
        await pilot.press("escape")
        assert len(screen(app).rows) == 2


async def test_bulk_accept_asks_first_and_is_one_undo(corpus) -> None:
    database, ids = corpus
    app = make_app(database, ReviewQuery(AnnotationFilter(annotators=("bob",))))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert stored(database, ids["bob_figure"]).status == "suggested"
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        for name in ("bob_claim", "bob_figure", "bob_source"):
            assert stored(database, ids[name]).status == "accepted"
            assert stored(database, ids[name]).reviewed_by == reviewer_id(database)
        assert stored(database, ids["ana_claim"]).reviewed_by is None
        await pilot.press("u")
        await pilot.pause()
    assert stored(database, ids["bob_figure"]).status == "suggested"
    assert stored(database, ids["bob_claim"]).reviewed_by is None


async def test_paging_moves_past_the_last_row_and_back(corpus) -> None:
    database, ids = corpus
    session = ReviewSession(database, "rita")
    session.page_size = 3
    app = ReviewApp(session)
    async with app.run_test(size=SIZE) as pilot:
        seen = [row.id for row in screen(app).rows]
        await pilot.press("down", "down", "down")  # past the last row: the next page
        seen += [row.id for row in screen(app).rows]
        assert screen(app).table.cursor_row == 0
        assert "rows 4–6 of 7" in plain(app.screen.query_one("#review-status", Static))
        await pilot.press("right_square_bracket")
        seen += [row.id for row in screen(app).rows]
        assert sorted(seen) == sorted(ids.values())
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert "rows 1–3 of 7" in plain(app.screen.query_one("#review-status", Static))
        await pilot.press("up")  # before the first row: stays, says so
        assert "rows 1–3" in plain(app.screen.query_one("#review-status", Static))


async def test_o_cycles_the_sort_and_help_lists_the_keys(corpus) -> None:
    database, _ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        assert screen(app).query_now.sort == "label"
        labels = [row.label for row in screen(app).rows]
        assert labels == sorted(labels)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("q")
    assert app.return_code == 0


async def test_an_edit_refused_is_shown_not_raised(corpus) -> None:
    database, ids = corpus
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await select_row(pilot, app, ids["ana_claim"])
        # Someone deletes the span meanwhile; a decision on it is refused politely.
        with database.transaction() as session:
            session.delete(session.get(Annotation, ids["ana_claim"]))
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        messages = [notification.message for notification in app._notifications]
        assert any(f"no annotation with id {ids['ana_claim']}" in m for m in messages)


async def test_a_mouse_click_moves_the_cursor_but_decides_nothing(corpus) -> None:
    database, ids = corpus
    app = make_app(database, ReviewQuery(AnnotationFilter(statuses=("suggested",))))
    async with app.run_test(size=SIZE) as pilot:
        table = screen(app).table
        for _ in range(2):  # a second click on the same row would "select" it
            await pilot.click(table, offset=(5, 2))
            await pilot.pause()
        assert screen(app).selected is not None
        assert screen(app).selected.id == screen(app).rows[1].id
    assert stored(database, ids["bob_figure"]).status == "suggested"
    assert stored(database, ids["bob_source"]).status == "suggested"
