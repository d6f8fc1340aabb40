"""Hostile values at the boundary: accepted or refused the same way on SQLite and PostgreSQL.

Each refused case is one line naming the file, line and field (or the option and value),
exit code 1, no traceback; everything stored before is intact and the other files and
lines of the same import still arrive. Each accepted case at a limit is stored on both
engines alike. Covers issue 21's "Crashes and one-line errors", and its CSV and brat
"Data loss" items.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SAMPLE
from sqlalchemy import select, update
from table_snapshot import table_snapshot
from textual.pilot import Pilot
from textual.widgets import Input, Static

from annotator.cli import cli
from annotator.io.brat import BratSpanError, text_bound
from annotator.io.importer import import_paths
from annotator.review.session import ReviewSession
from annotator.text.bounds import ID_MAX
from annotator.tui.app import AnnotatorApp
from annotator.tui.dialogs.figure_form import FigureFormScreen
from annotator.tui.dialogs.filter import FilterScreen
from annotator.tui.dialogs.goto import GotoScreen
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.review_app import ReviewApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.workspace import Workspace
from db.document_records import SpanRecord
from db.engine import Database, open_database
from db.models import Annotation, Annotator, Document, Source

SIZE = (120, 40)
HUGE = "99999999999999999999"  # past 2**63 - 1, where even the sqlite3 driver gives up


@pytest.fixture
def stocked(db_url: str) -> Iterator[Database]:
    """A database that already holds work: the sample with its reference labels."""
    result = CliRunner().invoke(cli, ["import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"),
                                      "--db", db_url])
    assert result.exit_code == 0, result.output
    database = open_database(db_url)
    yield database
    database.dispose()


def run(*args: str) -> tuple[int, str, str]:
    """The CLI in-process: exit code, standard output, standard error; never a traceback."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def one_error(stderr: str) -> str:
    """The single line of a one-line error."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def titles(database: Database) -> set[str]:
    with database.reads() as session:
        return set(session.scalars(select(Document.title)))


# --- import: each bad line is one line naming file, line and field ----------------------

def _native(text: str, annotation: dict[str, object], **extra: object) -> str:
    """A native JSONL line with one annotation over the first word of ``text``."""
    span = {"annotator": "ana", "label": "figure", "start": 0, "end": text.index(" "),
            **annotation}
    return json.dumps({"text": text, "annotations": [span], **extra})


def _nested(depth: int) -> str:
    return '{"text": "Deep doc.", "meta": {"a": ' + "[" * depth + "]" * depth + "}}"


DEEP_PATH = "meta" + ".a" * 64  # the first place past 64 levels in _deep_objects
JSONL_REFUSED: dict[str, tuple[str, str]] = {
    "10,000 levels of nesting": (_nested(10_000), "nested more than 64 levels deep"),
    "past 64 levels of objects": (
        '{"text": "Deep doc.", "meta": ' + '{"a": ' * 70 + "1" + "}" * 70 + "}",
        f"{DEEP_PATH}: nested more than 64 levels deep"),
    "NaN in metadata": ('{"text": "NaN doc.", "meta": {"x": NaN}}',
                        "meta.x: NaN is not a number JSON allows"),
    "Infinity in metadata": ('{"text": "Inf doc.", "meta": {"x": [1, Infinity]}}',
                             "meta.x[2]: Infinity is not a number JSON allows"),
    "-Infinity as a figure value": (
        '{"text": "Minus inf doc.", "annotations": [{"annotator": "ana", "label": "figure", '
        '"start": 0, "end": 5, "attrs": {"value": -Infinity}}]}',
        "annotations[1].attrs.value: -Infinity is not a number JSON allows"),
    "a float past the float range": ('{"text": "Float doc.", "meta": {"x": 1e400}}',
                                     "meta.x: 1e400 is out of range"),
    "an integer past the float range as a figure value": (
        _native("Big figure doc.", {"attrs": {"value": 10**400}}),
        "annotation '#1': \"value\" is too large (401 digits; a figure holds at most about "
        "1.8e+308)"),
    "an integer of 5,000 digits": ('{"text": "Digits doc.", "meta": {"n": ' + "7" * 5000 + "}}",
                                   "meta.n: an integer of 5,000 digits (at most 4,300)"),
    "NUL in a title": (json.dumps({"text": "Title doc.", "title": "a\x00b"}),
                       "title contains a NUL character at offset 1"),
    "NUL in a metadata value": (json.dumps({"text": "Meta doc.", "meta": {"k": ["x\x00"]}}),
                                "meta.k[1] contains a NUL character at offset 1"),
    "NUL in a metadata key": (json.dumps({"text": "Key doc.", "meta": {"k\x00": 1}}),
                              "meta.k␀ (the key) contains a NUL character at offset 1"),
    "NUL in an annotator name": (
        _native("Named doc here.", {"annotator": "an\x00a", "label": "claim"}),
        "annotations[1].annotator contains a NUL character at offset 2"),
    "NUL in an external id": (json.dumps({"text": "Id doc.", "id": "\x00"}),
                              "id contains a NUL character at offset 0"),
    "an unpaired surrogate in a title": ('{"text": "Surrogate doc.", "title": "x\\udc00"}',
                                         "title contains an unpaired surrogate at offset 1"),
    "an annotator name of 201 characters": (
        _native("Long name doc.", {"annotator": "a" * 201, "label": "claim"}),
        "annotation '#1': \"annotator\" is 201 characters long; at most 200"),
    "a source name of 501 characters": (
        _native("Long source doc.", {"label": "source", "attrs": {"source_name": "s" * 501}}),
        "annotation '#1': \"source_name\" is 501 characters long; at most 500"),
    "a source type of 101 characters": (
        _native("Long type doc.", {"label": "source",
                                   "attrs": {"source_name": "S", "source_type": "t" * 101}}),
        "annotation '#1': \"source_type\" is 101 characters long; at most 100"),
    "an alias of 501 characters": (
        _native("Long alias doc.", {"label": "claim"},
                sources=[{"name": "S", "aliases": ["x" * 501]}]),
        "source 1: alias is 501 characters long; at most 500"),
    "a unit of 101 characters": (_native("Long unit doc.", {"attrs": {"unit": "u" * 101}}),
                                 "annotation '#1': \"unit\" is 101 characters long; at most 100"),
    "a qualifier of 101 characters": (
        _native("Long qualifier doc.", {"attrs": {"qualifier": "q" * 101}}),
        "annotation '#1': \"qualifier\" is 101 characters long; at most 100"),
}


@pytest.mark.parametrize("case", list(JSONL_REFUSED))
def test_a_refused_jsonl_line_is_one_line_and_the_rest_imports(
    stocked: Database, tmp_path: Path, case: str
) -> None:
    line, message = JSONL_REFUSED[case]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "First line stays"}) + "\n" + line + "\n"
                   + json.dumps({"text": "Third line stays"}) + "\n", encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("Another file still imports\n", encoding="utf-8")
    before = table_snapshot(stocked.engine)
    code, out, err = run("import", str(bad), str(other), "--db", stocked.url)
    assert code == 1
    assert one_error(err) == f"skipped: {bad}:2: {message}"
    assert out == "imported 3 documents (3 sentences); 1 skipped\n"
    after = table_snapshot(stocked.engine)
    assert {table: rows[:len(before[table])] for table, rows in after.items()} == before
    assert {"First line stays", "Third line stays", "Another file still imports"} \
        <= titles(stocked)


def test_values_at_the_column_limits_are_stored_alike_on_both_engines(
    stocked: Database, tmp_path: Path
) -> None:
    text = "Limits doc here."
    line = _native(text, {"annotator": "a" * 200, "label": "source",
                          "attrs": {"source_name": "s" * 500, "source_type": "t" * 100}},
                   sources=[{"name": "s" * 500, "aliases": ["x" * 500]}])
    figure = _native("Limits figure doc.", {"annotator": "b" * 200, "attrs": {
        "value": 10**308, "unit": "u" * 100, "qualifier": "q" * 100}})
    path = tmp_path / "limits.jsonl"
    path.write_text(line + "\n" + figure + "\n", encoding="utf-8")
    code, out, err = run("import", str(path), "--db", stocked.url)
    assert (code, err) == (0, "")
    assert out.startswith("imported 2 documents")
    with stocked.reads() as session:
        assert session.scalar(select(Source.name).where(Source.source_type == "t" * 100)) \
            == "s" * 500
        stored = session.execute(select(Annotation.figure_value, Annotation.figure_unit,
                                        Annotation.figure_qualifier)
                                 .join(Annotator, Annotator.id == Annotation.annotator_id)
                                 .where(Annotator.name == "b" * 200)).one()
    assert tuple(stored) == (1e308, "u" * 100, "q" * 100)


# --- CSV: ragged rows, duplicate headers, unterminated quotes ----------------------------

CSV_REFUSED: dict[str, tuple[str, list[str], list[str]]] = {
    # name: (file content, error lines as "LINE: message", titles that still import)
    "an extra cell": ('text,title\n"Row one.",One\n"Row two.",Two,extra\n"Row three.",Three\n',
                      ["3: row has 3 cells but the header has 2"], ["One", "Three"]),
    "a missing cell": ("text,title\nRow one.,One\nRow two.\nRow three.,Three\n",
                       ["3: row has 1 cell but the header has 2"], ["One", "Three"]),
    "a quoted cell over lines, then a ragged row": (
        'text,title\n"Row\none.",One\n"Row two.",Two,x,y\n',
        ["4: row has 4 cells but the header has 2"], ["One"]),
    "a duplicate header name": ("text,title,text\nA.,B,C.\n",
                                ["1: the header names column 'text' twice"], []),
    "an unterminated quote": ('text,title\nRow one.,One\n"Row two,Two\nRow three.,Three\n',
                              ["3: unterminated quote: the quoted cell that starts in this row "
                               "never ends"], ["One"]),
    "NUL in a title cell": ("text,title\nRow one.,O\x00ne\nRow two.,Two\n",
                            [" row 1: column 'title' contains a NUL character at offset 1"],
                            ["Two"]),
}


@pytest.mark.parametrize("case", list(CSV_REFUSED))
def test_a_bad_csv_row_is_an_error_naming_its_line(
    stocked: Database, tmp_path: Path, case: str
) -> None:
    content, errors, kept = CSV_REFUSED[case]
    path = tmp_path / "rows.csv"
    path.write_text(content, encoding="utf-8", newline="")
    other = tmp_path / "other.md"
    other.write_text("# Other file\n\nIt still imports.\n", encoding="utf-8")
    before = table_snapshot(stocked.engine)
    code, out, err = run("import", str(path), str(other), "--db", stocked.url)
    assert code == 1
    expected = [f"skipped: {path}{':' if not e.startswith(' ') else ''}{e}" for e in errors]
    assert err.splitlines() == expected
    assert f"{len(errors)} skipped" in out
    after = table_snapshot(stocked.engine)
    assert {table: rows[:len(before[table])] for table, rows in after.items()} == before
    assert titles(stocked) - {row["title"] for row in before["documents"]} \
        == {*kept, "Other file"}


# --- paths the user may not read ----------------------------------------------------------

@contextmanager
def _as_another_user() -> Iterator[None]:
    """Act as an unprivileged user when this one is root (root reads every folder)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_unreadable_paths_and_folders_are_one_line_each(stocked: Database) -> None:
    shared = Path(tempfile.mkdtemp(prefix="annotator-perm-"))
    database = stocked
    try:
        shared.chmod(0o777)
        locked = shared / "locked"
        locked.mkdir()
        (locked / "inside.txt").write_text("Hidden inside\n", encoding="utf-8")
        tree = shared / "tree"
        (tree / "private").mkdir(parents=True)
        (tree / "private" / "secret.txt").write_text("Secret\n", encoding="utf-8")
        (tree / "open.txt").write_text("An open file imports\n", encoding="utf-8")
        locked.chmod(0)
        (tree / "private").chmod(0)
        if stocked.engine.dialect.name == "sqlite":  # a copy the other user may write
            stocked.dispose()
            copy = shared / "work.db"
            shutil.copy(stocked.url.removeprefix("sqlite:///"), copy)
            if os.geteuid() == 0:
                os.chown(copy, 65534, 65534)
            database = open_database(f"sqlite:///{copy}")
            database.dispose()  # the other user opens it afresh
        before = table_snapshot(database.engine)
        database.dispose()
        with _as_another_user():
            code, out, err = run("import", str(locked / "inside.txt"), str(tree),
                                 "--db", database.url)
        assert code == 1
        assert err.splitlines() == [
            f"skipped: {locked / 'inside.txt'}: cannot read: Permission denied",
            f"skipped: {tree / 'private'}: cannot read folder: Permission denied",
        ]
        assert out == "imported 1 document (1 sentence); 2 skipped\n"
        after = table_snapshot(database.engine)
        assert {table: rows[:len(before[table])] for table, rows in after.items()} == before
        assert "An open file imports" in titles(database)
    finally:
        database.dispose()
        for folder in (shared / "locked", shared / "tree" / "private"):
            if folder.exists():
                folder.chmod(0o755)
        shutil.rmtree(shared)


def test_a_file_name_that_is_not_utf8_is_one_line(stocked: Database, tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    bad = Path(os.fsdecode(bytes(folder) + b"/bad\xff.txt"))
    bad.write_text("Its name cannot be stored\n", encoding="utf-8")
    (folder / "good.txt").write_text("A good name is stored\n", encoding="utf-8")
    before = table_snapshot(stocked.engine)
    code, out, err = run("import", str(folder), "--db", stocked.url)
    assert code == 1
    assert one_error(err) == (f"skipped: {folder}/bad\\udcff.txt: file name is not valid "
                              "UTF-8; rename the file to import it")
    assert out == "imported 1 document (1 sentence); 1 skipped\n"
    after = table_snapshot(stocked.engine)
    assert {table: rows[:len(before[table])] for table, rows in after.items()} == before
    assert "A good name is stored" in titles(stocked)


# --- command-line options -------------------------------------------------------------

BAD_URLS = {
    "mysql://user@host/db": "Error: not a supported database URL: 'mysql://user@host/db': "
    "annotator stores its data in SQLite (a path, or sqlite:///PATH) or PostgreSQL "
    "(postgresql+psycopg://USER@HOST/NAME)",
    "postgres://user:secret@host/db": "Error: not a supported database URL: "
    "'postgres://user:***@host/db': annotator stores its data in SQLite (a path, or "
    "sqlite:///PATH) or PostgreSQL (postgresql+psycopg://USER@HOST/NAME); write "
    "postgresql+psycopg://",
    "sqlite://a.db": "Error: not a valid database URL: 'sqlite://a.db': a SQLite URL has three "
    "slashes before a path (sqlite:///a.db)",
    "postgresql+psycopg2://user@host/db": "Error: cannot open database "
    "'postgresql+psycopg2://user@host/db': its driver (psycopg2) is not installed; for "
    "PostgreSQL install claim-annotator[postgres] and use postgresql+psycopg://",
    "postgresql+nodriver://user@host/db": "Error: not a supported database URL: "
    "'postgresql+nodriver://user@host/db': no driver 'nodriver' for postgresql",
}


@pytest.mark.parametrize("url", list(BAD_URLS))
@pytest.mark.parametrize("command", [["stats"], ["export"], ["import", "x.txt"]])
def test_a_db_url_with_an_unknown_scheme_or_driver_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*command, "--db", url)
    assert (code, out) == (1, "")
    assert one_error(err) == BAD_URLS[url]
    assert list(tmp_path.iterdir()) == []  # no file was created for the URL


def test_copy_and_merge_name_a_bad_url_in_one_line(stocked: Database) -> None:
    code, _out, err = run("copy", "mysql://user@host/db", "--db", stocked.url)
    assert code == 1
    assert one_error(err) == "Error: " + BAD_URLS["mysql://user@host/db"].removeprefix("Error: ")
    code, _out, err = run("merge", "sqlite://a.db", "--db", stocked.url)
    assert code == 1
    assert one_error(err).startswith("error: sqlite://a.db: not a valid database URL")


DOCUMENT_COMMANDS = [["export"], ["suggest", "--annotator", "ana"], ["agreement"],
                     ["annotate"], ["review"]]


@pytest.mark.parametrize("number", [HUGE, str(ID_MAX + 1), "9" * 5000, "0", "-3"])
@pytest.mark.parametrize("command", DOCUMENT_COMMANDS, ids=lambda c: c[0])
def test_document_option_out_of_range_is_one_line_on_both_engines(
    stocked: Database, command: list[str], number: str
) -> None:
    before = table_snapshot(stocked.engine)
    code, out, err = run(*command, "--document", number, "--db", stocked.url)
    assert (code, out) == (1, "")
    shown = number if len(number) <= 40 else number[:40] + "…"
    assert one_error(err) == (f"Error: --document {shown}: not a document id (ids are 1 to "
                              f"{ID_MAX})")
    assert table_snapshot(stocked.engine) == before


def test_the_largest_id_is_simply_not_there_on_both_engines(stocked: Database) -> None:
    code, out, err = run("export", "--document", str(ID_MAX), "--db", stocked.url)
    assert (code, out) == (1, "")
    assert one_error(err) == f"Error: no document with id {ID_MAX}"


NAMES_REFUSED = {
    "a" * 201: "is 201 characters long; at most 200",
    "an\x00a": "contains a NUL character at offset 2",
}


@pytest.mark.parametrize("name", list(NAMES_REFUSED), ids=["201 characters", "NUL"])
@pytest.mark.parametrize("option", [["suggest", "--annotator"], ["annotate", "--annotator"],
                                    ["review", "--reviewer"], ["export", "--annotator"]],
                         ids=lambda c: "-".join(c))
def test_annotator_option_is_checked_at_the_boundary(
    stocked: Database, option: list[str], name: str
) -> None:
    before = table_snapshot(stocked.engine)
    code, out, err = run(*option, name, "--db", stocked.url)
    assert (code, out) == (1, "")
    quoted = repr(name if len(name) <= 40 else name[:40] + "…").replace("\x00", "␀")
    assert one_error(err) == f"Error: {option[-1]} {quoted} {NAMES_REFUSED[name]}"
    assert table_snapshot(stocked.engine) == before


def test_an_annotator_name_of_200_characters_is_stored_on_both_engines(
    stocked: Database
) -> None:
    name = "n" * 200
    code, _out, err = run("suggest", "--annotator", name, "--db", stocked.url)
    assert (code, err) == (0, "")
    with stocked.reads() as session:
        assert session.scalar(select(Annotator.name).where(Annotator.name == name)) == name


def test_annotator_name_from_the_environment_is_checked_too(
    stocked: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANNOTATOR_NAME", "e" * 300)
    code, _out, err = run("suggest", "--db", stocked.url)
    assert code == 1
    assert one_error(err) == (f"Error: --annotator {('e' * 40 + '…')!r} is 300 characters "
                              "long; at most 200")


# --- the scheme file ----------------------------------------------------------------------

@pytest.mark.parametrize("body", ["x = " + "[" * 10_000 + "]" * 10_000,
                                  "x = " + "{a = " * 3000 + "1" + "}" * 3000],
                         ids=["arrays", "inline tables"])
def test_a_deeply_nested_scheme_file_is_one_line(tmp_path: Path, body: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(body + "\n", encoding="utf-8")
    code, out, err = run("labels", "--scheme", str(path))
    assert (code, out) == (1, "")
    assert one_error(err) == f"Error: {path}: not a valid TOML scheme (nested too deeply)"


# --- a damaged SQLite file -------------------------------------------------------------------

def _damage(path: Path, table: str) -> None:
    """Overwrite the first bytes of ``table``'s root page, as a torn write would."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                              (table,)).fetchone()[0]
    connection.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 100)


DAMAGED = ("Error: the database file is damaged (database disk image is malformed); the "
           "command stopped. Restore it from a backup, or recover what is readable with "
           "`sqlite3 FILE .recover`")


@pytest.mark.parametrize("command", [["stats"], ["export"], ["export", "--format", "jsonl"],
                                     ["agreement"], ["suggest", "--annotator", "ana"]])
def test_a_damaged_page_is_one_line_on_the_failing_command(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "damaged.db"
    code, _out, _err = run("import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"),
                           "--db", str(path))
    assert code == 0
    _damage(path, "annotations")
    code, _out, err = run(*command, "--db", str(path))
    assert code == 1
    assert one_error(err) == DAMAGED


def test_a_damaged_schema_page_is_one_line_on_open(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    code, _out, _err = run("import", str(SAMPLE / "gaza-aid-talks.txt"), "--db", str(path))
    assert code == 0
    data = bytearray(path.read_bytes())
    data[100:200] = b"\xff" * 100  # the schema table's page, right after the file header
    path.write_bytes(bytes(data))
    damaged = path.read_bytes()
    code, out, err = run("stats", "--db", str(path))
    assert (code, out) == (1, "")
    assert one_error(err) == (f"Error: cannot open database sqlite:///{path}: database disk "
                              "image is malformed")
    assert path.read_bytes() == damaged  # left alone


# --- nothing we write is invalid JSON ---------------------------------------------------------

@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["NaN", "Infinity"])
@pytest.mark.parametrize("command", [["--format", "jsonl"],
                                     ["--view", "spans", "--format", "jsonl"]],
                         ids=["native", "spans"])
def test_a_stored_nan_stops_a_json_export_in_one_line(
    stocked: Database, tmp_path: Path, value: float, command: list[str]
) -> None:
    # A database written before these checks may hold one (both engines' floats can).
    with stocked.transaction() as session:
        session.execute(update(Annotation).where(Annotation.label == "figure")
                        .values(figure_value=value))
    with stocked.reads() as session:
        kept = session.scalar(select(Annotation.figure_value).where(Annotation.label == "figure")
                              .limit(1))
    if stocked.engine.dialect.name == "sqlite" and value != value:
        assert kept is None  # SQLite itself stores a NaN as NULL: a plain null is written
        code, out, err = run("export", *command, "--db", stocked.url)
        assert (code, err) == (0, "")
        assert all(json.loads(line) for line in out.splitlines())
        return
    assert (kept is not None and kept != kept) or kept == value
    out_file = tmp_path / "out.jsonl"
    code, _out, err = run("export", *command, "--out", str(out_file), "--db", stocked.url)
    assert code == 1
    where = "document 1" if "--view" not in command else "row 1"
    assert one_error(err) == (f"Error: {where} holds NaN or Infinity, which JSON cannot hold; "
                              "nothing more was written")
    assert not out_file.exists()
    code, out, err = run("export", *command, "--db", stocked.url)  # to standard output
    assert code == 1
    assert "NaN" not in out and "Infinity" not in out
    for line in out.splitlines():
        json.loads(line)


# --- brat: line breaks inside a span --------------------------------------------------------

# LF never occurs inside an imported span (the segmenter ends a sentence there): it is
# covered, with CR and the lone-break span, by the writer test below.
LINE_BREAKS = {"VT": "\x0b", "FF": "\x0c", "FS": "\x1c", "GS": "\x1d",
               "RS": "\x1e", "NEL": "\x85", "LINE SEPARATOR": "\u2028",
               "PARAGRAPH SEPARATOR": "\u2029"}


@pytest.mark.parametrize("name", list(LINE_BREAKS))
def test_brat_writes_a_span_across_a_line_break_as_fragments(
    stocked: Database, tmp_path: Path, name: str
) -> None:
    brk = LINE_BREAKS[name]
    text = f"Officials{brk}in Gaza said talks would resume.\n"
    span_end = text.index(" said")
    line = json.dumps({"text": text, "annotations": [
        {"annotator": "ana", "label": "source", "start": 0, "end": span_end},
        {"annotator": "ana", "label": "claim", "start": span_end + 1, "end": len(text) - 2},
    ]})
    path = tmp_path / "breaks.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    assert run("import", str(path), "--db", stocked.url)[0] == 0
    with stocked.reads() as session:
        document_id = session.scalar(select(Document.id).where(Document.text == text))
    out = tmp_path / "brat"
    code, _out, err = run("export", "--format", "brat", "--document", str(document_id),
                          "--out", str(out), "--db", stocked.url)
    assert (code, "Traceback" in err) == (0, False)
    ann = (out / "ana" / f"{document_id}.ann").read_text(encoding="utf-8")
    # Every line-oriented reader sees whole lines, each a brat record.
    assert all(row[:1] in ("T", "A", "R", "#") for row in ann.splitlines()), ann
    assert ann.splitlines() == ann.split("\n")[:-1]
    stored = (out / "ana" / f"{document_id}.txt").read_text(encoding="utf-8")
    assert stored == text  # the text, and so every offset, is unchanged
    first = ann.splitlines()[0].split("\t")
    offsets = [tuple(map(int, part.split())) for part in first[1].split(" ", 1)[1].split(";")]
    assert offsets == [(0, 9), (10, span_end)]
    assert first[2] == " ".join(stored[start:end] for start, end in offsets)
    assert first[2] == "Officials in Gaza"


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\u2028\u2029"])
def test_brat_fragments_never_move_an_offset(brk: str) -> None:
    text = f"ab{brk}cd{brk}"
    span = SpanRecord(key=1, annotator="ana", label="claim", doc_start=5,
                      doc_end=5 + len(text), text=text)
    offsets, shown = text_bound(span)
    width = len(brk)
    assert offsets == f"5 7;{7 + width} {9 + width}"
    assert shown == "ab cd"
    lone = SpanRecord(key="x", annotator="ana", label="claim", doc_start=3, doc_end=3 + width,
                      text=brk)
    with pytest.raises(BratSpanError, match=r"span 'x' \(3:\d\) in brat: it holds only line"):
        text_bound(lone)


# --- the screens: the figure form, g, the source picker and the review filter --------------

@pytest.fixture
def screen_db(db_url: str, tmp_path: Path) -> Iterator[Database]:
    """Two documents for the screens, on either engine."""
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "1-alpha.txt").write_text("Officials said over 160,000 people fled. "
                                        "The ministry reported $53 billion in damage.\n",
                                        encoding="utf-8")
    (folder / "2-beta.txt").write_text("A five-year plan was announced.\n", encoding="utf-8")
    database = open_database(db_url)
    assert not import_paths(database, [folder]).problems
    yield database
    database.dispose()


def _plain(static: Static) -> str:
    return static.visual.plain  # type: ignore[attr-defined]


def _figure(database: Database) -> tuple[float | None, str | None, str | None]:
    with database.reads() as session:
        row = session.execute(select(Annotation.figure_value, Annotation.figure_unit,
                                     Annotation.figure_qualifier)).one()
    return row[0], row[1], row[2]


FORM_REFUSED: dict[str, tuple[dict[str, str], str]] = {
    "a unit of 150 characters": ({"unit": "u" * 150},
                                 "unit is 150 characters long; at most 100"),
    "a qualifier of 101 characters": ({"qualifier": "q" * 101},
                                      "qualifier is 101 characters long; at most 100"),
    "NUL in the unit": ({"unit": "U\x00SD"}, "unit contains a NUL character at offset 1"),
    "400 digits": ({"value": "9" * 400},
                   "value is out of range (a figure holds at most about 1.8e+308)"),
    "5,000 digits": ({"value": "9" * 5000},
                     "value is out of range (a figure holds at most about 1.8e+308)"),
    "1e400": ({"value": "1e400"}, "value is out of range (a figure holds at most about 1.8e+308)"),
    "nan": ({"value": "nan"}, "value must be a number, not NaN"),
    "-inf": ({"value": "-inf"}, "value is out of range (a figure holds at most about 1.8e+308)"),
}


async def _open_figure_form(app: AnnotatorApp, pilot: Pilot) -> FigureFormScreen:
    await pilot.press("home", "right", "right", "shift+right", "shift+right", "f")
    await pilot.pause()
    form = app.screen
    assert isinstance(form, FigureFormScreen)
    return form


@pytest.mark.parametrize("case", list(FORM_REFUSED))
async def test_the_figure_form_refuses_values_in_one_line(screen_db: Database, case: str) -> None:
    fields, message = FORM_REFUSED[case]
    app = AnnotatorApp(Workspace(screen_db, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_figure_form(app, pilot)
        prefilled = _figure(screen_db)
        for name, value in fields.items():
            form.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # still open, saying what is wrong
        shown = _plain(form.query_one("#figure-error", Static))
        assert shown == message.replace("\x00", "␀")
        assert "\n" not in shown
        assert _figure(screen_db) == prefilled  # nothing written
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)


async def test_the_figure_form_stores_values_at_the_limits(screen_db: Database) -> None:
    app = AnnotatorApp(Workspace(screen_db, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_figure_form(app, pilot)
        form.query_one("#value", Input).value = "1" + "0" * 308
        form.query_one("#unit", Input).value = "u" * 100
        form.query_one("#qualifier", Input).value = "q" * 100
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
    assert _figure(screen_db) == (1e308, "u" * 100, "q" * 100)


@pytest.mark.parametrize("query", [HUGE, "9" * 5000, f"1:{HUGE}", f":{'9' * 400}"])
async def test_g_with_a_number_past_any_id_says_so(screen_db: Database, query: str) -> None:
    app = AnnotatorApp(Workspace(screen_db, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        goto = app.screen
        assert isinstance(goto, GotoScreen)
        goto.query_one("#goto-input", Input).value = query
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is goto
        assert _plain(goto.query_one("#goto-message", Static)) == \
            f"No such document or sentence: numbers go up to {ID_MAX}."
        goto.query_one("#goto-input", Input).value = "2"
        await pilot.press("enter")  # and it still works
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert app.screen.current is not None
        assert app.screen.current.document_number == 2


async def test_the_source_picker_refuses_a_name_past_the_column(screen_db: Database) -> None:
    app = AnnotatorApp(Workspace(screen_db, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("home", "s")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, SourcePickerScreen)
        picker.query_one("#source-query", Input).value = "N" * 501
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is picker
        assert not picker.query_one("#source-types").display  # never asked for a type
        notices = [notice.message for notice in app._notifications]
        assert notices == ["a source name is 501 characters long; at most 500"]
        picker.query_one("#source-query", Input).value = "N" * 500
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # the first type
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
    with screen_db.reads() as session:
        assert list(session.scalars(select(Source.name))) == ["N" * 500]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("documents", HUGE, f"no document can have id {HUGE} (ids are 1 to {ID_MAX})"),
    ("documents", "9" * 5000, f"no document can have id {'9' * 40}… (ids are 1 to {ID_MAX})"),
    ("documents", "0", f"no document can have id 0 (ids are 1 to {ID_MAX})"),
    ("documents", "²", "document ids are numbers, not '²'"),
    ("annotators", "an\x00a", "an annotator name contains a NUL character at offset 2"),
    ("text", "x\x00", "the text contains a NUL character at offset 1"),
])
async def test_the_review_filter_refuses_in_one_line(
    screen_db: Database, field: str, value: str, message: str
) -> None:
    Workspace(screen_db, "ana")  # someone to review
    app = ReviewApp(ReviewSession(screen_db, "rita"), None)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterScreen)
        dialog.query_one(f"#filter-{field}", Input).value = value
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert _plain(dialog.query_one("#filter-error", Static)) == message.replace("\x00", "␀")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not dialog


