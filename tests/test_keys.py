"""One table of keys: bindings, help, palette and the README's key tables all agree with it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from test_tui import corpus, current, main_screen, make_app
from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.command import Command, CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Static

from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.session import ReviewSession
from annotator.tui import keys
from annotator.tui.dialogs.figure_form import FigureFormScreen
from annotator.tui.dialogs.help import HelpScreen
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.keys import Key
from annotator.tui.review_app import AdjudicationApp, ReviewApp
from annotator.tui.screens.adjudicate import AdjudicateScreen
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.widgets.annotation_list import AnnotationList
from annotator.tui.widgets.review_table import ReviewTable
from annotator.tui.widgets.sentence_pane import SentencePane
from db.engine import Database

__all__ = ["corpus"]  # the fixture, imported so pytest finds it here

README = Path(__file__).resolve().parents[1] / "README.md"
SIZE = (120, 40)

# Where each README key table row ("where" column, or the whole table) is bound.
TABLE_PLACES: dict[tuple[str, str], tuple[Key, ...]] = {
    ("annotate", "sentence"): keys.ANNOTATE_SCREEN + keys.SENTENCE_PANE + keys.ANNOTATE_ANYWHERE,
    ("annotate", "annotation list"): keys.ANNOTATION_LIST,
    ("review", ""): keys.REVIEW,
    ("adjudicate", ""): keys.ADJUDICATE,
}
# The dialogs keep their own bindings; enter submits their text field (Input.Submitted).
DIALOG_PLACES: dict[tuple[str, str], type] = {
    ("annotate", "source picker"): SourcePickerScreen,
    ("annotate", "figure form"): FigureFormScreen,
}
SUBMIT = "enter"


@dataclass(frozen=True)
class Row:
    """One row of a README key table: its keys (the backticked names) and its wording."""

    where: str
    keys: frozenset[str]
    action: str


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def readme_key_tables(text: str) -> dict[str, list[Row]]:
    """The tables under a ``<!-- keys: NAME -->`` line, by NAME; a blank where repeats."""
    tables: dict[str, list[Row]] = {}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        marker = re.match(r"<!-- keys: (\w+)", line)
        if marker is None:
            continue
        header = _cells(lines[index + 1])
        rows: list[Row] = []
        where = ""
        for body in lines[index + 3:]:
            if not body.startswith("|"):
                break
            cells = dict(zip(header, _cells(body), strict=True))
            where = cells.get("where") or where
            names = frozenset(re.findall(r"`([^`]+)`", cells["key"]))
            rows.append(Row(where, names, cells["action"]))
        tables[marker.group(1)] = rows
    return tables


def drift(rows: Iterable[Row], place: tuple[Key, ...]) -> list[str]:
    """How README ``rows`` differ from the keys of ``place`` (nothing when they agree).

    Each row's keys must be exactly the keys of the bindings it names (so no row lists a key
    that is not bound there, or only some keys of a binding), and every key of the place,
    which the help screen shows, must be in exactly one row.
    """
    problems: list[str] = []
    rows = list(rows)
    for row in rows:
        named = [key for key in place if row.keys & set(key.names)]
        bound = {name for key in named for name in key.names}
        if row.keys != bound:
            problems.append(f"README row {sorted(row.keys)} ({row.action!r}) but bound: "
                            f"{sorted(bound)}")
    for key in place:
        holding = [row for row in rows if row.keys & set(key.names)]
        if len(holding) != 1:
            problems.append(f"{key.display} ({key.description!r}) is in {len(holding)} rows")
    return problems


def dialog_keys(screen: type) -> set[str]:
    """The names of a dialog's own bindings, written as the README writes keys."""
    return {Key(binding.key, binding.action, "", "", "").display
            for binding in screen.BINDINGS if isinstance(binding, Binding)}


def by_place(tables: dict[str, list[Row]], table: str, where: str) -> list[Row]:
    return [row for row in tables[table] if row.where == where]


# --- the README -----------------------------------------------------------------------
def test_the_readme_has_one_key_table_per_screen() -> None:
    text = README.read_text(encoding="utf-8")
    tables = readme_key_tables(text)
    assert set(tables) == {"annotate", "review", "adjudicate"}
    assert {(name, row.where) for name, rows in tables.items() for row in rows} == (
        set(TABLE_PLACES) | set(DIALOG_PLACES))
    # Every table of keys and actions is one of them, so none is left unchecked.
    key_tables = [line for line in text.splitlines()
                  if re.fullmatch(r"\|( where \|)? key \| action \|", line)]
    assert len(key_tables) == len(tables)


@pytest.mark.parametrize(("table", "where"), sorted(TABLE_PLACES))
def test_readme_key_table_matches_the_bindings(table: str, where: str) -> None:
    rows = by_place(readme_key_tables(README.read_text(encoding="utf-8")), table, where)
    assert rows
    assert drift(rows, TABLE_PLACES[table, where]) == []


@pytest.mark.parametrize(("table", "where"), sorted(DIALOG_PLACES))
def test_readme_dialog_keys_match_the_dialog_bindings(table: str, where: str) -> None:
    rows = by_place(readme_key_tables(README.read_text(encoding="utf-8")), table, where)
    listed = {name for row in rows for name in row.keys}
    assert listed == dialog_keys(DIALOG_PLACES[table, where]) | {SUBMIT}


def test_drift_is_found() -> None:
    """The check fails on each way the README can go wrong."""
    rows = by_place(readme_key_tables(README.read_text(encoding="utf-8")), "review", "")
    place = TABLE_PLACES["review", ""]
    undo = next(row for row in rows if "ctrl+y" in row.keys)
    assert drift([row for row in rows if row is not undo], place)  # a key left out
    extra = Row("", frozenset({"ctrl+q"}), "not bound")
    assert drift([*rows, extra], place)  # a key that is not bound
    half = Row("", frozenset({"u", "ctrl+y"}), "undo without ctrl+z")
    assert drift([half if row is undo else row for row in rows], place)  # part of a binding
    assert drift([*rows, undo], place)  # a key in two rows


# --- the table and the bindings built from it --------------------------------------------
WIDGETS: list[tuple[type, tuple[Key, ...]]] = [
    (AnnotateScreen, keys.ANNOTATE_SCREEN), (SentencePane, keys.SENTENCE_PANE),
    (AnnotationList, keys.ANNOTATION_LIST), (ReviewScreen, keys.REVIEW_SCREEN),
    (ReviewTable, keys.REVIEW_TABLE), (AdjudicateScreen, keys.ADJUDICATE_SCREEN),
]


@pytest.mark.parametrize(("owner", "table"), WIDGETS, ids=lambda value: getattr(
    value, "__name__", ""))
def test_bindings_come_from_the_table(owner: type, table: tuple[Key, ...]) -> None:
    bound = [(b.key, b.action, b.description, b.tooltip, b.id) for b in owner.BINDINGS
             if isinstance(b, Binding)]
    assert bound == [(k.keys, k.action, k.footer, k.description, k.id) for k in table]


def test_key_ids_are_unique_and_every_key_is_described() -> None:
    everything = keys.ANNOTATE + keys.REVIEW + keys.ADJUDICATE
    ids = [key.id for key in everything]
    assert len(ids) == len(set(ids))
    assert all(key.description and key.footer and key.group for key in everything)


def test_key_names_are_written_for_people() -> None:
    everything = {key.id: key for key in keys.ANNOTATE + keys.REVIEW + keys.ADJUDICATE}
    assert everything["annotate.next_document"].display == "J"  # J,shift+j
    assert everything["annotate.next_sentence"].display == "j / down"
    assert everything["list.delete"].display == "x / del"
    assert everything["review_table.next_page"].display == "pagedown / ]"
    assert everything["review.filter"].display == "/"
    assert everything["review.help"].display == "?"


async def test_a_keymap_rebinds_a_key_by_its_id(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"annotate.next_sentence": "ctrl+n"})
        first = current(app).sentence_id
        await pilot.press("ctrl+n")
        assert current(app).sentence_id != first
        await pilot.press("k")
        await pilot.press("j")  # rebound away
        assert current(app).sentence_id == first


# --- the help screen ------------------------------------------------------------------
def help_lines(app: App[None]) -> list[str]:
    """The help table as plain lines, wide enough that no description wraps."""
    assert isinstance(app.screen, HelpScreen)
    table = app.screen.query_one("#help-table", Static).content
    console = Console(file=io.StringIO(), width=300, color_system=None)
    with console.capture() as captured:
        console.print(table)
    return [line.rstrip() for line in captured.get().splitlines()]


def assert_help_lists(lines: list[str], table: tuple[Key, ...]) -> None:
    """Every key of ``table`` once, under its heading, in table order, and nothing else."""
    expected = []
    for title, section in keys.help_sections(table):
        expected.append(title)
        expected.extend(f"{key.display}  {key.description}" for key in section)
    shown = [re.sub(r"\s{2,}", "  ", line.strip()) for line in lines if line.strip()]
    assert shown == expected


async def test_help_lists_every_annotation_key(corpus: Database) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert_help_lists(help_lines(app), keys.ANNOTATE)


async def test_help_lists_every_review_key(corpus: Database) -> None:
    app = ReviewApp(ReviewSession(corpus, "rita"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert_help_lists(help_lines(app), keys.REVIEW)


async def test_help_lists_every_adjudication_key(corpus: Database) -> None:
    app = AdjudicationApp(AdjudicationSession(corpus, "judy", ("ana", "bob")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert_help_lists(help_lines(app), keys.ADJUDICATE)


# --- the command palette --------------------------------------------------------------
def palette_hits(app: App[None]) -> list[tuple[str | None, str | None]]:
    """(title, help) of each entry the palette lists that came from the keys table."""
    return [(option.hit.text, option.hit.help) for option in app.screen.query_one(
        CommandList).options if isinstance(option, Command)
        and (option.hit.help or "").startswith("key: ")]


async def test_palette_lists_exactly_the_palette_keys(corpus: Database) -> None:
    app = make_app(corpus)
    expected = sorted((key.description, f"key: {key.display}") for key in keys.PALETTE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        for _ in range(100):  # discovery fills the list in batches
            await pilot.pause(0.05)
            if len(palette_hits(app)) >= len(expected):
                break
        assert sorted(palette_hits(app)) == expected


def _recorder(calls: list[tuple[str, tuple[Any, ...]]], name: str) -> Callable[..., None]:
    def record(*args: Any) -> None:
        calls.append((name, args))
    return record


async def top_hit(pilot: Pilot[None], app: App[None], expected: str) -> str | None:
    """The palette's first hit, once it is ``expected`` or after 5 s of searching."""
    commands = app.screen.query_one(CommandList)
    top = None
    for _ in range(100):
        await pilot.pause(0.05)
        if commands.option_count:
            option = commands.get_option_at_index(0)
            top = option.hit.text if isinstance(option, Command) else None
            if top == expected:
                break
    return top


async def test_each_palette_entry_runs_its_action(corpus: Database) -> None:
    app = make_app(corpus)
    calls: list[tuple[str, tuple[Any, ...]]] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        for key in keys.PALETTE:  # record instead of acting: quit would end the test
            name = parse(key.screen_action)[1]
            setattr(screen, f"action_{name}", _recorder(calls, name))
        for key in keys.PALETTE:
            await pilot.press("ctrl+p")
            # The whole title at once: typed key by key, each letter searches again (slow).
            app.screen.query_one(CommandInput).value = key.description
            assert await top_hit(pilot, app, key.description) == key.description
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is screen
            _namespace, name, args = parse(key.screen_action)
            assert calls[-1] == (name, args), key.id
    assert len(calls) == len(keys.PALETTE)
