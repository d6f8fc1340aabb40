"""The adjudication screen driven by keys; the gold layer is checked in the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from adjudication_helpers import CLAIM, build_attribution_corpus, gold_claim_sources, gold_spans
from review_helpers import build_review_corpus, span
from sqlalchemy import select
from textual.widgets import Input, Static
from tui_helpers import screen_text

from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.versions import AGREED, CONFLICTING
from annotator.tui.dialogs.confirm import ConfirmScreen
from annotator.tui.dialogs.figure_form import FigureFormScreen
from annotator.tui.dialogs.help import HelpScreen
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.dialogs.span_text import SpanTextScreen
from annotator.tui.review_app import AdjudicationApp
from annotator.tui.screens.adjudicate import AdjudicateScreen
from db.annotations import attribute_to_span, ensure_annotator, set_figure
from db.engine import Database, open_database
from db.models import Annotation, Annotator, Link

SIZE = (140, 40)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    opened = open_database(str(tmp_path / "adjudicate.db"))
    build_review_corpus(opened, tmp_path / "in")
    officials = span(opened, "bob", 0, "Officials", "source")
    bob_id = ensure_annotator(opened, "bob")
    claim = _id_of(opened, "bob", "claim", "over 160,000 people fled the city")
    attribute_to_span(opened, bob_id, claim, officials)
    figure = span(opened, "bob", 0, "over 160,000 people", "figure")
    set_figure(opened, bob_id, figure, 16000, "people", None)
    yield opened
    opened.dispose()


def _id_of(database: Database, who: str, label: str, text: str) -> int:
    with database.engine.connect() as connection:
        found = connection.scalar(
            select(Annotation.id).join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotator.name == who, Annotation.label == label, Annotation.text == text))
    assert found is not None
    return found


def gold(database: Database) -> list[tuple[str, str, float | None]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Annotation.label, Annotation.text, Annotation.figure_value)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotator.name == "gold").order_by(Annotation.doc_start, Annotation.label))
        return [tuple(row) for row in rows]


def gold_links(database: Database) -> int:
    with database.engine.connect() as connection:
        gold_ids = select(Annotation.id).join(Annotator, Annotator.id == Annotation.annotator_id)\
            .where(Annotator.name == "gold")
        return len(connection.execute(select(Link.id).where(Link.from_id.in_(gold_ids))).all())


def make_app(database: Database) -> AdjudicationApp:
    return AdjudicationApp(AdjudicationSession(database, "judy", ("ana", "bob")))


def screen(app: AdjudicationApp) -> AdjudicateScreen:
    found = app.screen_stack[0]
    assert isinstance(found, AdjudicateScreen)
    return found


async def highlight(pilot, app: AdjudicationApp, kind: str, annotator: str) -> None:
    """Put the list highlight on ``annotator``'s version in the first group of ``kind``."""
    adjudicate = screen(app)
    for row, slot in enumerate(adjudicate.slots):
        if slot is None:
            continue
        group = adjudicate.groups[slot[0]]
        if group.kind == kind and group.versions[slot[1]].annotator == annotator:
            adjudicate.options.highlighted = row
            await pilot.pause()
            return
    raise AssertionError(f"no {kind} version by {annotator}")


async def test_shows_groups_side_by_side_with_their_kinds(database: Database) -> None:
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        adjudicate = screen(app)
        assert sorted(g.kind for g in adjudicate.groups) == [AGREED, AGREED, CONFLICTING]
        status = adjudicate.query_one("#adjudicate-status", Static).visual.plain
        assert "2 agreed" in status and "1 conflicting" in status
        text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "CONFLICTING" in text
        assert "figure: over 160,000 people (ana) vs 16,000 people (bob)" in text
        assert "16,000 people" in text and "over 160,000 people" in text


async def test_enter_takes_the_highlighted_version_and_t_replaces_it(database) -> None:
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, app, CONFLICTING, "ana")
        await pilot.press("enter")
        await pilot.pause()
        assert gold(database) == [("figure", "over 160,000 people", 160000)]
        await highlight(pilot, app, CONFLICTING, "bob")
        await pilot.press("t")
        await pilot.pause()
        assert gold(database) == [("figure", "over 160,000 people", 16000)]
        group = next(g for g in screen(app).groups if g.kind == CONFLICTING)
        assert group.settled and group.in_gold(group.versions[1])
        await pilot.press("u")
        await pilot.pause()
        assert gold(database) == [("figure", "over 160,000 people", 160000)]


async def test_a_takes_the_agreed_spans_with_their_link_and_u_undoes(database) -> None:
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert gold(database) == [("source", "Officials", None),
                                  ("claim", "over 160,000 people fled the city", None)]
        assert gold_links(database) == 1
        assert "2/3 decided" in screen(app).query_one("#adjudicate-status", Static).visual.plain
        await pilot.press("u")
        await pilot.pause()
        assert gold(database) == []


async def test_A_takes_agreed_spans_everywhere_after_confirmation(database) -> None:
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert gold(database) == []
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert len(gold(database)) == 2


async def test_j_and_k_move_between_sentences_with_annotations(database) -> None:
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        first = screen(app).sentence_id
        await pilot.press("j")
        second = screen(app).sentence_id
        assert second != first
        # bob's span in the second sentence is only a suggestion, nobody's version: the next
        # sentence to adjudicate is the third, with ana's claim
        assert [g.versions[0].annotator for g in screen(app).groups] == ["ana"]
        assert "report" in screen(app).groups[0].text
        await pilot.press("j")  # the end: said, stays
        assert screen(app).sentence_id == second
        await pilot.press("k")
        assert screen(app).sentence_id == first
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_an_empty_database_says_so(tmp_path: Path) -> None:
    empty = open_database(str(tmp_path / "empty.db"))
    try:
        app = make_app(empty)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            text = screen(app).query_one("#adjudicate-context", Static).visual.plain
            assert "None of these annotators" in text
            await pilot.press("j", "a", "t")
    finally:
        empty.dispose()


# --- issue 15, item 4: agreed only when attributes and links agree; edit, reject both ------

@pytest.fixture
def attributed(tmp_path: Path) -> Iterator[Database]:
    """ana and bob attribute the same claim to different sources (adjudication_helpers)."""
    opened = open_database(str(tmp_path / "attributed.db"))
    build_attribution_corpus(opened, tmp_path / "in")
    yield opened
    opened.dispose()


async def highlight_version(pilot, app: AdjudicationApp, label: str, text: str,
                            annotator: str) -> None:
    """Put the list highlight on ``annotator``'s version in the row of ``label``, ``text``."""
    adjudicate = screen(app)
    for row, slot in enumerate(adjudicate.slots):
        if slot is None:
            continue
        group = adjudicate.groups[slot[0]]
        version = group.versions[slot[1]]
        if (version.label, group.text, version.annotator) == (label, text, annotator):
            adjudicate.options.highlighted = row
            await pilot.pause()
            return
    raise AssertionError(f"no {label} {text!r} by {annotator}")


async def test_the_screen_says_what_differs_and_A_takes_only_agreed_rows(attributed) -> None:
    app = make_app(attributed)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "source: Hamas (ana) vs Israeli army (bob)" in text
        assert "span: «“Hamas”» (ana) vs «Hamas» (bob)" in text
        assert "→ Israeli army" in text
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    # The claims attributed differently stay undecided; the agreed figure and claim go in.
    assert gold_claim_sources(attributed) == {"Talks resumed in Cairo": None}
    assert [label for label, _text, _status in gold_spans(attributed)] == ["figure", "claim"]


async def test_t_on_a_claim_brings_its_source_into_gold(attributed) -> None:
    app = make_app(attributed)
    async with app.run_test(size=SIZE) as pilot:
        await highlight_version(pilot, app, "claim", CLAIM, "bob")
        await pilot.press("t")
        await pilot.pause()
        assert gold_claim_sources(attributed) == {CLAIM: "Israeli army"}
        assert "✓ in gold" in screen_text(app)


async def test_x_rejects_both_and_u_undoes(attributed) -> None:
    app = make_app(attributed)
    async with app.run_test(size=SIZE) as pilot:
        await highlight_version(pilot, app, "claim", CLAIM, "ana")
        await pilot.press("x")
        await pilot.pause()
        assert ("claim", CLAIM, "rejected") in gold_spans(attributed)
        assert "decided: neither" in screen_text(app)
        assert "1/4 decided" in screen(app).query_one("#adjudicate-status", Static).visual.plain
        group = next(g for g in screen(app).groups if g.versions[0].label == "claim")
        assert group.settled
        await pilot.press("u")
        await pilot.pause()
        assert gold_spans(attributed) == []
        assert "decided: neither" not in screen_text(app)


async def test_e_edits_a_figure_on_its_way_into_gold(attributed) -> None:
    app = make_app(attributed)
    async with app.run_test(size=SIZE) as pilot:
        await highlight_version(pilot, app, "figure", "160,000 people", "bob")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FigureFormScreen)
        await pilot.press("escape")  # leaving takes nothing
        await pilot.pause()
        assert gold_spans(attributed) == []
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#value", Input).value = "150000"
        app.screen.query_one("#qualifier", Input).value = "about"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AdjudicateScreen)
        assert gold_figures(attributed) == [(150000, "people", "about")]
        assert "gold holds an edited version" in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert gold_spans(attributed) == []


async def test_e_on_a_claim_picks_the_source_it_is_attributed_to_in_gold(attributed) -> None:
    app = make_app(attributed)
    async with app.run_test(size=SIZE) as pilot:
        await highlight_version(pilot, app, "claim", CLAIM, "ana")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, SourcePickerScreen)
        query = app.screen.query_one("#source-query", Input)
        assert query.value == "Hamas"  # what ana attributed it to
        query.value = "Israeli army"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AdjudicateScreen)
    assert gold_claim_sources(attributed) == {CLAIM: "Israeli army"}


async def test_E_edits_the_edges_on_the_way_into_gold(attributed) -> None:
    app = make_app(attributed)
    async with app.run_test(size=SIZE) as pilot:
        await highlight_version(pilot, app, "source", "Hamas", "ana")
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, SpanTextScreen)
        field = app.screen.query_one("#span-text", Input)
        assert field.value == "“Hamas”"
        field.value = "Hamas said it"  # not in the sentence: said, and the dialog stays
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SpanTextScreen)
        assert "no 'Hamas said it'" in app.screen.query_one("#span-error", Static).visual.plain
        field.value = "Hamas"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AdjudicateScreen)
    assert gold_spans(attributed) == [("source", "Hamas", "accepted")]


def gold_figures(database: Database) -> list[tuple[float | None, str | None, str | None]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Annotation.figure_value, Annotation.figure_unit, Annotation.figure_qualifier)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotator.name == "gold", Annotation.label == "figure"))
        return [tuple(row) for row in rows]
