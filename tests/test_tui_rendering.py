"""Verbatim rendering of hostile text, the shared real article, help, palette and quit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from textual.command import CommandPalette
from tui_helpers import (
    SIZE,
    build_database,
    current,
    main_screen,
    make_app,
    only,
    plain,
    screen_text,
    select_words,
    stored,
    tag,
    type_text,
)

from annotator.tui.dialogs.goto import GotoScreen
from annotator.tui.dialogs.help import HelpScreen
from annotator.tui.render import verbatim, visible
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.annotation_list import AnnotationList
from annotator.tui.widgets.header import HeaderLine
from annotator.tui.widgets.sentence_pane import line_starts
from annotator.workspace import Workspace
from db.engine import Database

SHARED_ARTICLE = (
    Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dayofpal-ceasefire-2025.txt"
)
MARKUP = "Plain [bold]x[/bold] and [link=https://e.org]y[/link] here."
CONTROLS = (
    "A [https://example.org/?p=1](https://example.org/?p=1) link, back\\slash \\n, "
    "\x1b[31mred and bell \x07 end."
)
SCRIPTS = ["العربية نص هنا.", "中文文本在这里。", "Emoji 😀👍🏽 ok."]


@pytest.fixture
def hostile(tmp_path: Path) -> Database:
    """One document of hostile sentences, one with a hostile title (from JSONL)."""
    text = f"{MARKUP}\n{CONTROLS}\n{' '.join(SCRIPTS)}\n"
    titled = json.dumps({"title": "[red]T[/red] \x1b[2J \\ [b]", "text": "Short one. Two."})
    return build_database(tmp_path, {"1-hostile.txt": text, "2-titled.jsonl": titled + "\n"})


# Words, spaces (one of them two cells wide), wide and combined characters, and words
# wider than a line: what word wrapping has to cut.
WRAP_PIECES = st.sampled_from([
    "a", "word", "Al-Qanoua", "160,000", " ", "  ", "\u00a0", "\u3000", "東京", "記者の",
    "😀", "👍🏽", "e\u0301", "x" * 23, "東" * 9,
])


@settings(max_examples=400, deadline=None)
@given(st.lists(WRAP_PIECES, max_size=40).map("".join), st.integers(1, 30))
@example("東京の記者 said the ministry counted more displaced families than last year.", 37)
@example("東", 1)
def test_sentence_lines_break_where_rich_wraps_text(plain: str, width: int) -> None:
    """The area's own wrap (it needs each line's start offset) cuts a sentence into the
    lines Rich's public ``Text.wrap`` gives, trailing spaces aside."""
    starts = line_starts(plain, width)
    assert starts == sorted(starts) and all(0 < start < len(plain) for start in starts)
    lines = Text(plain).divide(starts)
    for line in lines:  # what Text.wrap does to each line after dividing it
        line.rstrip_end(width)
        line.truncate(width, overflow="fold")
    wrapped = Text(plain).wrap(Console(width=width), width, overflow="fold")
    assert [line.plain for line in lines] == [line.plain for line in wrapped]


def test_visible_keeps_one_code_point_per_character() -> None:
    text = "a\x1b[0m\x07\t\x7f\x85\u2028\u202eb"
    shown = visible(text)
    assert len(shown) == len(text)
    assert shown == "a\u241b[0m\u2407\u2409\u2421\ufffd\u2424\u2194b"
    assert verbatim("[bold]x[/bold]").plain == "[bold]x[/bold]"
    assert verbatim("[bold]x[/bold]").spans == []


async def test_markup_in_article_text_is_shown_as_written(hostile: Database) -> None:
    app = make_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = current(app)
        assert view.text == MARKUP
        viewer = main_screen(app).viewer
        assert viewer.area.current.plain == MARKUP
        assert MARKUP in screen_text(app)
        # Tagged text in the list is verbatim too.
        await tag(pilot, 1, 1, "c")
        claim = only(stored(app).annotations)
        assert claim.text == "bold]x[/bold"
        rows = [str(o.prompt) for o in main_screen(app).query_one(AnnotationList).options]
        assert "“bold]x[/bold”" in rows[0]


async def test_links_backslashes_and_control_characters_never_crash(hostile: Database) -> None:
    app = make_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        view = current(app)
        assert view.text == CONTROLS
        rendered = main_screen(app).viewer.area.current.plain
        assert len(rendered) == len(CONTROLS)  # placeholders keep offsets aligned
        assert "[https://example.org/?p=1](https://example.org/?p=1)" in rendered
        assert "back\\slash \\n," in rendered
        assert "\u241b[31mred" in rendered and "bell \u2407 end" in rendered
        drawn = screen_text(app)
        assert "\x1b" not in drawn and "\x07" not in drawn
        assert "\u241b[31mred" in drawn
        # Tag the word holding the escape sequence: offsets still match the stored text.
        words = main_screen(app).viewer.words
        index = next(i for i, (s, _) in enumerate(words) if view.text[s] == "\x1b")
        await tag(pilot, index, 1, "s")
        source = only(stored(app).annotations)
        assert source.text == "\x1b[31mred"
        assert view.text[source.start:source.end] == source.text
        await pilot.press("end", "shift+left", "s", "escape", "g")
        await type_text(pilot, "[31m")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GotoScreen)
        assert "\u241b[31mred" in screen_text(app)
        await pilot.press("escape")


async def test_arabic_cjk_and_emoji_are_shown(hostile: Database) -> None:
    app = make_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        for expected in SCRIPTS:
            assert main_screen(app).viewer.area.current.plain == expected
            await tag(pilot, 1, 1, "c")
            claim = only(stored(app).annotations)
            assert claim.text == expected[claim.start:claim.end]
            await pilot.press("j")


async def test_a_hostile_title_is_shown_as_written(hostile: Database) -> None:
    app = make_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("J")
        title = plain(main_screen(app).query_one("#title", HeaderLine))
        assert title == "[red]T[/red] \u241b[2J \\ [b]"


async def test_shared_article_source_selected_by_keyboard(tmp_path: Path) -> None:
    if not SHARED_ARTICLE.is_file():
        pytest.skip(f"shared article not present at {SHARED_ARTICLE}")
    database = open_article(tmp_path)
    wanted = "Hamas spokesperson Abdul Latif Al-Qanoua"
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        view = current(app)
        assert view.index == 1 and wanted in view.text
        # In, a, statement, | Hamas, spokesperson, Abdul, Latif, Al-Qanoua
        await pilot.press("right", "right", "right")
        await pilot.press("shift+right", "shift+right", "shift+right", "shift+right")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("escape")
        workspace = main_screen(app).workspace
        stored_view = workspace.view(view.sentence_id)
        source = only(stored_view.annotations)
        assert (source.label, source.text) == ("source", wanted)
        assert stored_view.text[source.start:source.end] == wanted
    database.dispose()


def open_article(tmp_path: Path) -> Database:
    """The shared article imported into a fresh database."""
    from annotator.io.importer import import_paths
    from db.engine import open_database

    database = open_database(str(tmp_path / "article.db"))
    import_paths(database, [SHARED_ARTICLE])
    return database


async def test_shared_article_renders_curly_quotes_and_possessives(tmp_path: Path) -> None:
    if not SHARED_ARTICLE.is_file():
        pytest.skip(f"shared article not present at {SHARED_ARTICLE}")
    database = open_article(tmp_path)
    app = make_app(database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j")
        view = current(app)
        assert main_screen(app).viewer.area.current.plain == view.text
        words = [view.text[s:e] for s, e in main_screen(app).viewer.words]
        assert "Hamas’" in words
        assert "Gaza’s" in words
    database.dispose()


# --- help, palette, quit ---------------------------------------------------------------
async def test_question_mark_shows_every_binding(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=(120, 80)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for expected in ("j / down", "shift+right", "ctrl+y", "x / del", "Attribute the claim",
                         "Extend the selection", "Relabel as figure", "Command palette"):
            assert expected in shown, expected
        await pilot.press("question_mark")
        assert isinstance(app.screen, AnnotateScreen)
        await pilot.press("question_mark", "escape")
        assert isinstance(app.screen, AnnotateScreen)


async def test_footer_shows_the_main_keys(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        for expected in ("Claim", "Source", "Figure", "Next", "Done", "Undo", "Help", "Quit"):
            assert expected in footer, expected


async def test_command_palette_runs_the_main_actions(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Next document")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, AnnotateScreen)
        assert current(app).document_number == 2
        await pilot.press("ctrl+p")
        await type_text(pilot, "Mark sentence done")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert stored(app).state == "done"


async def test_q_quits(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await select_words(pilot, 1)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running


def test_run_annotator_builds_the_app(monkeypatch: pytest.MonkeyPatch, corpus: Database) -> None:
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.launch import run_annotator

    ran: list[AnnotatorApp] = []
    monkeypatch.setattr(AnnotatorApp, "run", lambda self: ran.append(self))
    run_annotator(corpus, "alice", show_others=True, document_id=2)
    (app,) = ran
    assert isinstance(app.workspace, Workspace)
    assert (app.workspace.annotator, app.workspace.show_others, app.document_id) == (
        "alice", True, 2)


# --- highlight styles --------------------------------------------------------------------
def test_labels_and_suggestions_have_distinct_styles() -> None:
    from annotator.tui.render import label_style

    styles = [label_style(label, status) for label in ("claim", "source", "figure")
              for status in ("accepted", "suggested")]
    assert len(set(styles)) == len(styles)


async def test_annotations_are_highlighted_at_their_offsets(corpus: Database) -> None:
    from annotator.tui.render import label_style

    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await tag(pilot, 0, 1, "s")
        await tag(pilot, 2, 2, "f")
        await pilot.press("end")
        rendered = main_screen(app).viewer.area.current
        spans = {(span.start, span.end, span.style) for span in rendered.spans}
        assert (0, 9, label_style("source")) in spans
        figure = only(current(app).annotations, "figure")
        assert (figure.start, figure.end, label_style("figure")) in spans
