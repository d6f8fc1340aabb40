"""Tagging with c/s/f and the attribute dialogs: sources, figures, attribution, links, list."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from tui_helpers import (
    SIZE,
    current,
    main_screen,
    make_app,
    only,
    select_words,
    stored,
    tag,
    type_text,
)

from annotator.tui.app import AnnotatorApp
from annotator.tui.dialogs.figure_form import FigureFormScreen, read_value
from annotator.tui.dialogs.link_picker import AttributionPickerScreen, ClaimPickerScreen
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.annotation_list import AnnotationList
from annotator.tui.widgets.sentence_pane import SentencePane
from annotator.workspace import Workspace
from db.engine import Database
from db.values import Figure


# --- c / s / f and escape -----------------------------------------------------------
async def test_c_tags_at_once_and_escape_keeps_the_span(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await select_words(pilot, 2, 3)
        await pilot.press("c")
        await pilot.pause()
        # Saved before the dialog shows, so it is there whatever happens next.
        claim = only(stored(app).annotations)
        assert (claim.label, claim.text) == ("claim", "over 160,000 people")
        assert isinstance(app.screen, AttributionPickerScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)
        assert only(current(app).annotations).text == "over 160,000 people"
        assert main_screen(app).viewer.selection is None


async def test_a_tag_key_without_selection_tags_the_word_under_the_cursor(
    corpus: Database,
) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "f")
        await pilot.pause()
        assert isinstance(app.screen, FigureFormScreen)
        await pilot.press("escape")
        figure = only(stored(app).annotations)
        assert (figure.label, figure.text, figure.figure) == ("figure", "said", None)


async def test_s_then_escape_keeps_a_source_span_without_canonical_source(
    corpus: Database,
) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SourcePickerScreen)
        await pilot.press("escape")
        source = only(stored(app).annotations)
        assert (source.label, source.text, source.source_id) == ("source", "Officials", None)


# --- the source picker -----------------------------------------------------------------
async def test_source_picker_creates_a_new_source_with_a_type(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.query_one("#source-query", Input).value == "Officials"
        await pilot.press("enter")  # the only choice: + new source "Officials"
        types = app.screen.query_one("#source-types", OptionList)
        assert types.display and app.focused is types
        await pilot.press("down", "enter")  # government, then military
        assert isinstance(app.screen, AnnotateScreen)
        source = only(stored(app).annotations)
        assert (source.source_name, source.source_type) == ("Officials", "military")
        assert Workspace(corpus, "bob").find_sources("officials")[0].name == "Officials"


async def test_source_picker_escape_from_the_type_step_goes_back(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter", "escape")
        assert isinstance(app.screen, SourcePickerScreen)
        assert app.screen.query_one("#source-query", Input).display
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)
        assert only(stored(app).annotations).source_id is None
        assert Workspace(corpus, "bob").find_sources("") == []


async def test_source_picker_renames_the_new_source_and_records_the_alias(
    corpus: Database,
) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        query = app.screen.query_one("#source-query", Input)
        query.value = ""
        await type_text(pilot, "Gaza officials")
        await pilot.press("ctrl+t", "enter")
        await pilot.pause()
        await pilot.press("end", "enter")  # the last row: no type
        source = only(stored(app).annotations)
        assert (source.source_name, source.source_type) == ("Gaza officials", None)
        choice = Workspace(corpus, "bob").find_sources("Gaza officials")[0]
        assert choice.aliases == ("Officials",)


async def test_source_picker_finds_an_existing_source_by_alias(corpus: Database) -> None:
    workspace = Workspace(corpus, "alice")
    health = workspace.create_source("Palestinian health authorities", "government",
                                     ("the ministry",))
    workspace.create_source("Ministerial council", "government")
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await tag_without_escape(pilot, 0, 2, "s")  # "The ministry"
        picker = app.screen
        assert isinstance(picker, SourcePickerScreen)
        assert [choice.kind for choice in picker.choices] == ["source", "new"]
        assert picker.choices[0].source is not None
        assert picker.choices[0].source.id == health
        await pilot.press("enter")
        source = only(stored(app).annotations)
        assert source.source_id == health
        assert source.source_name == "Palestinian health authorities"


async def test_source_picker_type_ahead_narrows_and_adds_an_alias(corpus: Database) -> None:
    workspace = Workspace(corpus, "alice")
    workspace.create_source("Ministerial council", "government")
    health = workspace.create_source("Ministry of Health", "government")
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await tag_without_escape(pilot, 0, 2, "s")
        app.screen.query_one("#source-query", Input).value = ""
        await type_text(pilot, "minist")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, SourcePickerScreen)
        names = [choice.source.name for choice in picker.choices if choice.source]
        assert names == ["Ministerial council", "Ministry of Health"]
        await pilot.press("down", "ctrl+t", "enter")
        assert only(stored(app).annotations).source_id == health
        aliases = Workspace(corpus, "bob").find_sources("Ministry of Health")[0].aliases
        assert aliases == ("The ministry",)


async def tag_without_escape(pilot, first: int, count: int, key: str) -> None:  # type: ignore[no-untyped-def]
    """Select and tag, leaving the dialog open."""
    await select_words(pilot, first, count)
    await pilot.press(key)
    await pilot.pause()


# --- the figure form ---------------------------------------------------------------------
async def test_figure_form_is_prefilled_from_the_parser_and_saved(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await tag_without_escape(pilot, 3, 2, "f")  # "$53 billion"
        form = app.screen
        assert isinstance(form, FigureFormScreen)
        values = {name: form.query_one(f"#{name}", Input).value
                  for name in ("value", "unit", "qualifier")}
        assert values == {"value": "53000000000", "unit": "USD", "qualifier": ""}
        form.query_one("#qualifier", Input).value = "about"
        await pilot.press("enter")
        assert isinstance(app.screen, AnnotateScreen)
        figure = only(stored(app).annotations)
        assert (figure.text, figure.figure) \
            == ("$53 billion", Figure(53_000_000_000, "USD", "about"))


async def test_figure_form_reads_qualifiers_and_words(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag_without_escape(pilot, 2, 2, "f")  # "over 160,000"
        await pilot.press("enter")
        figure = only(stored(app).annotations)
        assert figure.figure is not None
        assert (figure.figure.value, figure.figure.qualifier) == (160_000, "over")
        await pilot.press("J")
        await tag_without_escape(pilot, 1, 1, "f")  # "five-year"
        await pilot.press("enter")
        figure = only(stored(app).annotations)
        assert figure.figure is not None
        assert (figure.text, figure.figure.value, figure.figure.unit) == ("five-year", 5, "year")


async def test_figure_form_refuses_a_value_that_is_not_a_number(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag_without_escape(pilot, 0, 1, "f")
        form = app.screen
        form.query_one("#value", Input).value = "lots"
        await pilot.press("enter")
        assert app.screen is form
        await pilot.press("escape")
        figure = only(stored(app).annotations)
        assert figure.text == "Officials"
        assert figure.figure is None or figure.figure.value is None


def test_figure_values_accept_grouping_and_words() -> None:
    assert read_value("160,000") == 160_000
    assert read_value(" ") is None
    assert read_value("2.5") == 2.5


async def test_e_edits_a_figure_prefilled_with_its_stored_value(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag_without_escape(pilot, 3, 1, "f")  # "160,000"
        app.screen.query_one("#unit", Input).value = "people"
        await pilot.press("enter", "tab", "e")
        form = app.screen
        assert isinstance(form, FigureFormScreen)
        assert form.query_one("#value", Input).value == "160000"
        assert form.query_one("#unit", Input).value == "people"


# --- attribution (a) and figure links (F) ---------------------------------------------
async def test_a_attributes_a_claim_to_a_source_span(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")  # "Officials"
        await tag(pilot, 2, 4, "c")  # "over 160,000 people fled"
        await pilot.press("end", "a")
        picker = app.screen
        assert isinstance(picker, AttributionPickerScreen)
        # The nearest source span is offered first.
        assert picker.rows[0][1][0] == "span"
        await pilot.press("enter")
        view = stored(app)
        claim, source = only(view.annotations, "claim"), only(view.annotations, "source")
        assert [end.annotation_id for end in claim.attributed_to] == [source.id]
        assert [end.annotation_id for end in source.claims] == [claim.id]


async def test_a_attributes_to_a_span_in_an_earlier_sentence(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")
        await pilot.press("j")
        await tag_without_escape(pilot, 2, 1, "c")  # "reported"; the picker opens itself
        picker = app.screen
        assert isinstance(picker, AttributionPickerScreen)
        await pilot.press("enter")
        claim = only(stored(app).annotations)
        assert [end.text for end in claim.attributed_to] == ["Officials"]


async def test_a_attributes_a_claim_to_a_canonical_source(corpus: Database) -> None:
    source_id = Workspace(corpus, "alice").create_source("UN OCHA", "intergovernmental")
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 5, 1, "c")
        await pilot.press("a")
        await type_text(pilot, "ocha")
        await pilot.pause()
        await pilot.press("enter")
        claim = only(stored(app).annotations)
        assert (claim.source_id, claim.source_name) == (source_id, "UN OCHA")


async def test_a_marks_a_claim_unattributed(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")
        await tag(pilot, 5, 1, "c")
        await pilot.press("a")
        picker = app.screen
        assert isinstance(picker, AttributionPickerScreen)
        await pilot.press(*["down"] * len(picker.rows), "enter")
        claim = only(stored(app).annotations, "claim")
        assert (claim.attribution, claim.attributed_to) == ("author", ())


async def test_a_without_a_claim_only_explains(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, AnnotateScreen)


async def test_shift_f_links_a_figure_to_a_claim(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 5, 1, "c")  # "fled"
        await tag(pilot, 3, 2, "f")  # "160,000 people"
        await pilot.press("left", "F")
        assert isinstance(app.screen, ClaimPickerScreen)
        await pilot.press("enter")
        view = stored(app)
        figure, claim = only(view.annotations, "figure"), only(view.annotations, "claim")
        assert [end.annotation_id for end in figure.supports] == [claim.id]


async def test_shift_f_without_claims_does_not_open_a_picker(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 3, 1, "f")
        await pilot.press("F")
        assert isinstance(app.screen, AnnotateScreen)


# --- the annotation list ---------------------------------------------------------------
async def test_annotation_list_relabels_edits_and_deletes(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")
        await tag(pilot, 5, 1, "c")
        await pilot.press("tab")
        annotations = app.screen.query_one(AnnotationList)
        assert app.focused is annotations
        await pilot.press("home")  # the first row: the source "Officials"
        await pilot.press("c")
        labels = sorted(a.label for a in stored(app).annotations)
        assert labels == ["claim", "claim"]
        await pilot.press("f")
        assert sorted(a.label for a in stored(app).annotations) == ["claim", "figure"]
        await pilot.press("e")
        assert isinstance(app.screen, FigureFormScreen)
        await pilot.press("escape")
        assert app.focused is annotations
        await pilot.press("x")
        assert [a.text for a in stored(app).annotations] == ["fled"]
        await pilot.press("delete")
        assert stored(app).annotations == ()
        await pilot.press("escape")
        assert isinstance(app.focused, SentencePane)
        await pilot.press("tab", "tab")
        assert isinstance(app.focused, SentencePane)


async def test_a_in_the_list_uses_the_highlighted_claim(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "c")
        await tag(pilot, 5, 1, "c")
        await pilot.press("tab", "end", "a")
        picker = app.screen
        assert isinstance(picker, AttributionPickerScreen)
        assert picker.annotation.text == "fled"


async def test_the_list_shows_attributes(corpus: Database) -> None:
    workspace = Workspace(corpus, "alice")
    source_id = workspace.create_source("Gaza officials", "government")
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")
        await tag(pilot, 3, 2, "f")
        view = stored(app)
        workspace.set_source(only(view.annotations, "source").id, source_id)
        figure = only(view.annotations, "figure")
        workspace.set_figure(figure.id, 160_000, "people", "over")
        main_screen(app).redraw()
        rows = [str(option.prompt) for option in
                app.screen.query_one(AnnotationList).options]
        assert any("Gaza officials (government)" in row for row in rows)
        assert any("over 160,000 people" in row and "FIGURE" in row for row in rows)


# --- deleting or relabelling a linked span says what went with it (issue 15, item 10) ---
def _notices(app: AnnotatorApp) -> list[str]:
    return [notice.message for notice in app._notifications]


async def _source_with_two_claims(pilot: Pilot[None], app: AnnotatorApp) -> None:
    await tag(pilot, 0, 1, "s")  # "Officials"
    for first in (5, 2):  # "fled", then "over": each claim attributed to "Officials"
        await tag(pilot, first, 1, "c")
        await pilot.press("home", *["right"] * first, "a")
        assert isinstance(app.screen, AttributionPickerScreen)
        await pilot.press("enter")
    source = only(stored(app).annotations, "source")
    assert len(source.claims) == 2


async def test_deleting_a_linked_source_names_its_links_and_undo_brings_them_back(
    corpus: Database,
) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _source_with_two_claims(pilot, app)
        await pilot.press("tab", "home", "x")  # the first row: the source "Officials"
        assert "deleted source 'Officials' and its 2 links (u to undo)" in _notices(app)
        assert [a.label for a in stored(app).annotations] == ["claim", "claim"]
        assert all(a.attributed_to == () for a in stored(app).annotations)
        await pilot.press("escape", "u")
        source = only(stored(app).annotations, "source")
        assert sorted(end.text for end in source.claims) == ["fled", "over"]
        assert all(len(a.attributed_to) == 1 for a in stored(app).annotations
                   if a.label == "claim")


async def test_relabelling_a_linked_source_names_its_links_and_undo_brings_them_back(
    corpus: Database,
) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _source_with_two_claims(pilot, app)
        await pilot.press("tab", "home", "f")  # the source "Officials" becomes a figure
        assert ("relabelled source 'Officials' as figure, removing its 2 links that no "
                "longer fit (u to undo)") in _notices(app)
        assert all(a.attributed_to == () for a in stored(app).annotations)
        await pilot.press("escape", "u")
        source = only(stored(app).annotations, "source")
        assert sorted(end.text for end in source.claims) == ["fled", "over"]


async def test_deleting_an_unlinked_span_says_so_without_links(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await tag(pilot, 3, 1, "f")
        await pilot.press("tab", "home", "x")
        assert "deleted figure '160,000' (u to undo)" in _notices(app)
