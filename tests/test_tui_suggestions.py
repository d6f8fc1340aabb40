"""Suggestions on the annotation screen: shown apart, tab between them, enter / x / A, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import SIZE, build_database, current, main_screen, only, screen_text, stored

from annotator.io.importer import import_paths
from annotator.tui.app import AnnotatorApp
from annotator.tui.dialogs.help import HelpScreen
from annotator.tui.render import label_style
from annotator.tui.widgets.annotation_list import AnnotationList
from annotator.workspace import Workspace
from db.engine import Database, open_database
from db.models import Annotation, ChangeLogEntry
from db.read_models import AnnotationView
from db.suggestions import PROCESSED_ENTITY, ProposedSpan, store_suggestions
from db.values import Figure

# Alpha's first sentence: "Officials said over 160,000 people fled."
OFFICIALS = ProposedSpan(0, "source", 0, 9, source_name="Gaza officials",
                         source_type="government", attrs={"reason": "subject of 'said'"})
FLED = ProposedSpan(0, "claim", 15, 39, attributed_to=0, attrs={"reason": "content of 'said'"})
PEOPLE = ProposedSpan(0, "figure", 15, 34, figure=Figure(160000.0, "people", "over"))


def suggested_app(database: Database, *proposals: ProposedSpan,
                  annotator: str = "alice") -> AnnotatorApp:
    """The app with suggestions on, over these stored suggestions (document 1)."""
    workspace = Workspace(database, annotator, suggestions=True)
    store_suggestions(database, workspace.annotator_id, 1,
                      list(proposals or (OFFICIALS, FLED, PEOPLE)))
    return AnnotatorApp(workspace)


def statuses(database: Database) -> dict[str, str]:
    with database.sessions() as session:
        return {text: status for text, status in session.execute(
            select(Annotation.text, Annotation.status))}


def selected(app: AnnotatorApp) -> str | None:
    viewer = main_screen(app).viewer
    span = viewer.selection
    return viewer.text[span[0]:span[1]] if span is not None else None


def by_text(app: AnnotatorApp) -> dict[str, AnnotationView]:
    return {a.text: a for a in current(app).annotations}


async def test_suggestions_are_drawn_apart_and_listed_as_such(corpus: Database) -> None:
    app = suggested_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")  # the cursor off the first word
        spans = {(s.start, s.end, s.style) for s in main_screen(app).viewer.area.current.spans}
        assert (15, 39, label_style("claim", "suggested")) in spans
        assert (0, 9, label_style("source", "suggested")) in spans
        assert label_style("claim", "suggested") != label_style("claim")
        shown = screen_text(app)
        assert "suggested: content of 'said'" in shown
        assert "Gaza officials (government, new)" in shown
        assert {a.status for a in current(app).annotations} == {"suggested"}


async def test_tab_and_shift_tab_move_between_suggestions(corpus: Database) -> None:
    app = suggested_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        assert selected(app) is None
        await pilot.press("tab")
        assert selected(app) == "Officials"
        await pilot.press("tab")
        assert selected(app) == "over 160,000 people"
        await pilot.press("tab")
        assert selected(app) == "over 160,000 people fled"
        await pilot.press("tab")  # wraps around
        assert selected(app) == "Officials"
        await pilot.press("shift+tab")
        assert selected(app) == "over 160,000 people fled"
        listed = main_screen(app).annotation_list.selected_annotation
        assert listed is not None and listed.text == "over 160,000 people fled"


async def test_enter_accepts_the_suggestion_under_the_cursor(corpus: Database) -> None:
    app = suggested_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab", "tab", "enter")
        assert statuses(corpus)["over 160,000 people fled"] == "accepted"
        assert statuses(corpus)["over 160,000 people"] == "suggested"
        claim = by_text(app)["over 160,000 people fled"]
        assert (claim.status, claim.origin) == ("accepted", "suggested")
        assert [link.text for link in claim.attributed_to] == ["Officials"]
        spans = {(s.start, s.end, s.style) for s in main_screen(app).viewer.area.current.spans}
        assert (15, 39, label_style("claim")) in spans
        # The source's proposed canonical source is registered when it is accepted.
        await pilot.press("home", "enter")
        source = by_text(app)["Officials"]
        assert (source.status, source.source_name, source.source_type) == (
            "accepted", "Gaza officials", "government")


async def test_enter_without_a_suggestion_changes_nothing(corpus: Database) -> None:
    app = suggested_app(corpus, FLED)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # on "Officials": no suggestion there
        assert statuses(corpus) == {"over 160,000 people fled": "suggested"}
        await pilot.press("x")
        assert statuses(corpus) == {"over 160,000 people fled": "suggested"}


async def test_x_rejects_and_the_rejection_stays_hidden(corpus: Database, tmp_path: Path) -> None:
    app = suggested_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "x")
        assert statuses(corpus)["Officials"] == "rejected"
        assert "Officials" not in by_text(app)
    # Reopened, and suggested again: still rejected, still not shown.
    workspace = Workspace(corpus, "alice", suggestions=True)
    assert store_suggestions(corpus, workspace.annotator_id, 1, [OFFICIALS, FLED, PEOPLE]) == 0
    again = AnnotatorApp(workspace)
    async with again.run_test(size=SIZE):
        assert set(by_text(again)) == {"over 160,000 people fled", "over 160,000 people"}


async def test_A_accepts_all_and_u_undoes_them_together(corpus: Database) -> None:
    app = suggested_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        assert set(statuses(corpus).values()) == {"accepted"}
        assert {a.status for a in current(app).annotations} == {"accepted"}
        await pilot.press("u")
        assert set(statuses(corpus).values()) == {"suggested"}
        assert {a.status for a in stored(app).annotations} == {"suggested"}
        await pilot.press("ctrl+y")
        assert set(statuses(corpus).values()) == {"accepted"}


async def test_undo_of_a_rejection_shows_the_suggestion_again(corpus: Database) -> None:
    app = suggested_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "x")
        assert "Officials" not in by_text(app)
        await pilot.press("u")
        assert by_text(app)["Officials"].status == "suggested"


async def test_in_the_list_enter_accepts_and_x_rejects_a_suggestion(corpus: Database) -> None:
    app = suggested_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        annotations = main_screen(app).annotation_list
        assert app.focused is annotations
        first = annotations.selected_annotation
        assert first is not None and first.text == "Officials"
        await pilot.press("enter")
        assert statuses(corpus)["Officials"] == "accepted"
        await pilot.press("down", "x")
        assert statuses(corpus)["over 160,000 people"] == "rejected"  # not deleted
        assert annotations.selected_annotation.text == "Officials"  # type: ignore[union-attr]
        await pilot.press("x")  # not a suggestion any more: x deletes it
        assert statuses(corpus) == {"over 160,000 people": "rejected",
                                    "over 160,000 people fled": "suggested"}


async def test_tab_without_suggestions_goes_to_the_list(corpus: Database) -> None:
    app = AnnotatorApp(Workspace(corpus, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        assert isinstance(app.focused, AnnotationList)


async def test_suggestions_off_hides_stored_ones(corpus: Database) -> None:
    suggested_app(corpus)
    app = AnnotatorApp(Workspace(corpus, "alice", suggestions=False))
    async with app.run_test(size=SIZE) as pilot:
        assert current(app).annotations == ()
        await pilot.press("tab")
        assert isinstance(app.focused, AnnotationList)


async def test_a_document_is_suggested_once_when_first_shown(corpus: Database) -> None:
    app = AnnotatorApp(Workspace(corpus, "alice", suggestions=True))

    def marks() -> list[int | None]:
        with corpus.sessions() as session:
            return list(session.scalars(select(ChangeLogEntry.entity_id).where(
                ChangeLogEntry.entity == PROCESSED_ENTITY).order_by(ChangeLogEntry.id)))

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # computed just after the first frame
        assert marks() == [1]
        assert current(app).annotations, "the engine suggests something for alpha"
        assert {a.origin for a in current(app).annotations} == {"suggested"}
        await pilot.press("j", "j", "k")
        assert marks() == [1]
        await pilot.press("J")
        await pilot.pause()
        assert marks() == [1, 2]
        # Moving on from a sentence with only suggestions does not mark it done.
        assert main_screen(app).workspace.progress().done == 0
    with corpus.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Annotation))
    reopened = AnnotatorApp(Workspace(corpus, "alice", suggestions=True))
    async with reopened.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert marks() == [1, 2]
    with corpus.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Annotation)) == before


async def test_help_lists_the_suggestion_keys(corpus: Database) -> None:
    app = suggested_app(corpus)
    async with app.run_test(size=(120, 80)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for expected in ("Select the next suggestion", "Accept the suggestion under the cursor",
                         "Reject the suggestion under the cursor",
                         "Accept every suggestion of the sentence", "shift+tab"):
            assert expected in shown, expected


async def _accept_first_suggestion(pilot: Pilot, app: AnnotatorApp) -> AnnotationView:
    for _ in range(30):
        if any(a.status == "suggested" for a in current(app).annotations):
            break
        await pilot.press("j")
    await pilot.press("tab")
    chosen = main_screen(app)._suggestion_under_cursor()
    assert chosen is not None
    await pilot.press("enter")
    return chosen


async def test_shared_article_end_to_end(shared_article: Path, tmp_path: Path, runner) -> None:
    from annotator.cli import cli

    database = open_database(str(tmp_path / "shared.db"))
    import_paths(database, [shared_article])
    app = AnnotatorApp(Workspace(database, "maria", suggestions=True))
    async with app.run_test(size=SIZE) as pilot:
        chosen = await _accept_first_suggestion(pilot, app)
        view = current(app)
        accepted = {a.id: a for a in view.annotations}[chosen.id]
        assert accepted.status == "accepted"
        assert view.text[accepted.start:accepted.end] == accepted.text
    with database.sessions() as session:
        pending = session.scalar(select(func.count()).select_from(Annotation)
                                 .where(Annotation.status == "suggested"))
    database.dispose()
    assert pending
    result = runner.invoke(cli, ["export", "--db", str(tmp_path / "shared.db")])
    assert result.exit_code == 0, result.output
    rows = result.stdout.strip().splitlines()[1:]
    assert len(rows) == 1 and ",accepted,suggested," in rows[0]


# --- suggestions follow the live registry (issue 16) ---------------------------------------
TWICE = "Officials said over 160,000 people fled. Officials reported $53 billion in damage.\n"


@pytest.mark.parametrize("keys", [("A",), ("tab", "enter")], ids=["A", "enter"])
async def test_a_source_made_in_the_picker_is_what_later_suggestions_show_and_accept(
    tmp_path: Path, keys: tuple[str, ...],
) -> None:
    database = build_database(tmp_path, {"a.txt": TWICE})
    proposals = [ProposedSpan(index, "source", 0, 9, source_name="Officials",
                              source_type="government") for index in (0, 1)]
    app = suggested_app(database, *proposals)
    async with app.run_test(size=SIZE) as pilot:
        assert "Officials (government, new)" in screen_text(app)
        await pilot.press("home", "s")  # tags the suggested span (accepting it); the picker
        await pilot.pause()
        app.screen.query_one("#source-query", Input).value = ""
        await pilot.press(*"Gaza officials", "ctrl+t", "enter")  # new, "Officials" an alias
        await pilot.pause()
        await pilot.press("enter")  # the first type: government
        await pilot.pause()
        assert only(stored(app).annotations).source_name == "Gaza officials"
        await pilot.press("j")
        await pilot.pause()
        shown = screen_text(app)
        assert "Gaza officials (government)" in shown and "new)" not in shown
        await pilot.press(*keys)
        source = only(stored(app).annotations)
        assert (source.status, source.source_name) == ("accepted", "Gaza officials")
    # The first proposal, mapped elsewhere, is in no picker.
    assert [c.name for c in Workspace(database, "bob").find_sources("officials")] == [
        "Gaza officials"]
    database.dispose()
