"""Values an earlier version let into a SQLite file (NUL characters, names longer than their
columns), and notes with a NUL: refused the same way on SQLite and PostgreSQL, in one line
naming the table, the record and the field, never a driver's traceback.

``annotator copy`` refuses before anything is stored, naming every offending value (up to
a limit) and leaving the target empty; ``annotator merge`` leaves out the documents (and
registry sources, idle annotators) that hold one and merges the others. The old file is
made by the current code and then written to with sqlite3 directly, as an earlier version
that did not check would have left it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SAMPLE
from sqlalchemy import func, select
from textual.widgets import Input

from annotator.cli import cli
from annotator.review.session import ReviewSession
from annotator.tui.dialogs.note import NoteScreen
from annotator.tui.review_app import ReviewApp
from annotator.tui.screens.review import ReviewScreen
from db.copy import PROBLEMS_SHOWN
from db.engine import Database, open_database
from db.models import Annotation, Base, Document

SIZE = (120, 40)


def run(*args: str) -> tuple[int, str, str]:
    """The CLI in-process: exit code, standard output, standard error (without the line
    saying a command made its target database, which tests/test_db_target.py checks);
    never a traceback."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output + result.stderr
    err = "".join(line for line in result.stderr.splitlines(keepends=True)
                  if not line.startswith("created new database "))
    return result.exit_code, result.stdout, err


def _plain(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def legacy_file(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A file holding the sample (with its labels) and two short articles, then spoilt:
    a figure's unit of 150 characters in the sample, a NUL in the second one's title, an
    unused registry source with a 600-character name, an idle annotator with a
    250-character name. The third article is fine. Returns the path and the ids."""
    path = tmp_path / "old.db"
    folder = tmp_path / "articles"
    folder.mkdir()
    code, _out, err = run("import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"),
                          str(_plain(folder, "b-second.txt", "Talks resumed. Envoys came.\n")),
                          str(_plain(folder, "c-third.txt", "Aid crossed. Trucks waited.\n")),
                          "--db", str(path))
    assert code == 0, err
    with sqlite3.connect(path) as old:
        figure = old.execute("SELECT min(id) FROM annotations WHERE label = 'figure'"
                             ).fetchone()[0]
        old.execute("UPDATE annotations SET figure_unit = ? WHERE id = ?", ("u" * 150, figure))
        second = old.execute("SELECT id FROM documents WHERE title = 'b-second'").fetchone()[0]
        old.execute("UPDATE documents SET title = 'b-' || char(0) || 'second' WHERE id = ?",
                    (second,))
        old.execute("INSERT INTO sources (name, created_at) VALUES (?, CURRENT_TIMESTAMP)",
                    ("s" * 600,))
        old.execute("INSERT INTO annotators (name, created_at) VALUES (?, CURRENT_TIMESTAMP)",
                    ("n" * 250,))
        first = old.execute("SELECT document_id FROM annotations WHERE id = ?",
                            (figure,)).fetchone()[0]
        span = old.execute("SELECT doc_start, doc_end, text FROM annotations WHERE id = ?",
                           (figure,)).fetchone()
    assert old.in_transaction is False
    return path, {"figure": figure, "first": first, "second": second, "span": span}


def ids_title(path: Path, document_id: int) -> str:
    with sqlite3.connect(path) as old:
        return str(old.execute("SELECT title FROM documents WHERE id = ?",
                               (document_id,)).fetchone()[0])


def rows_in(url: str) -> dict[str, int]:
    database = open_database(url)
    try:
        with database.engine.connect() as connection:
            return {table.name: connection.scalar(select(func.count()).select_from(table)) or 0
                    for table in Base.metadata.sorted_tables}
    finally:
        database.dispose()


def test_copy_of_an_old_file_names_every_value_that_does_not_fit_and_copies_nothing(
    db_url: str, tmp_path: Path
) -> None:
    old, ids = legacy_file(tmp_path)
    code, out, err = run("copy", str(old), db_url)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"Error: sqlite:///{old} holds 4 values that SQLite and PostgreSQL would not store "
        "the same way (written by an earlier version); nothing was copied. Fix them in the "
        "source first:",
        f"documents id {ids['second']}: title contains a NUL character at offset 2",
        f"sources id {rows_in(f'sqlite:///{old}')['sources']}: name is 600 characters long; "
        "at most 500",
        f"annotators id {rows_in(f'sqlite:///{old}')['annotators']}: name is 250 characters "
        "long; at most 200",
        f"annotations id {ids['figure']}: figure_unit is 150 characters long; at most 100",
    ]
    if db_url.startswith("sqlite:///"):  # the file copy made for it is gone again
        assert not Path(db_url.removeprefix("sqlite:///")).exists()
    assert set(rows_in(db_url).values()) == {0}  # the target is left empty


def test_copy_refuses_an_id_past_postgresqls_integer_range(db_url: str, tmp_path: Path) -> None:
    old, _ids = legacy_file(tmp_path)
    with sqlite3.connect(old) as spoil:  # only the integer: the values above are made fine
        spoil.execute("DELETE FROM sources WHERE length(name) > 500")
        spoil.execute("DELETE FROM annotators WHERE length(name) > 200")
        spoil.execute("UPDATE annotations SET figure_unit = 'people' "
                      "WHERE length(figure_unit) > 100")
        spoil.execute("UPDATE documents SET title = 'b-second' WHERE title LIKE 'b-%'")
        spoil.execute("UPDATE sentences SET \"index\" = 3000000000 WHERE id = 1")
    code, _out, err = run("copy", str(old), db_url)
    assert code == 1
    assert err.splitlines()[1:] == [
        "sentences id 1: index is 3,000,000,000, past 2,147,483,647 (the largest number "
        "PostgreSQL's INTEGER column holds)"]
    assert set(rows_in(db_url).values()) == {0}
    with sqlite3.connect(old) as mend:
        mend.execute("UPDATE sentences SET \"index\" = 0 WHERE id = 1")
    code, out, err = run("copy", str(old), db_url)
    assert code == 0, err
    assert out.startswith(f"copied {old} to ")


def test_copy_lists_at_most_a_screenful_of_values_then_counts_the_rest(
    db_url: str, tmp_path: Path
) -> None:
    old, _ids = legacy_file(tmp_path)
    with sqlite3.connect(old) as spoil:
        spoil.execute("UPDATE sentences SET text = text || char(0)")
        sentences = spoil.execute("SELECT count(*) FROM sentences").fetchone()[0]
    code, _out, err = run("copy", str(old), "--db", db_url)
    lines = err.splitlines()
    assert code == 1
    assert len(lines) == 1 + PROBLEMS_SHOWN + 1
    assert lines[-1] == f"… and {4 + sentences - PROBLEMS_SHOWN:,} more"
    assert set(rows_in(db_url).values()) == {0}


def test_merge_of_an_old_file_leaves_out_what_does_not_fit_and_merges_the_rest(
    db_url: str, tmp_path: Path
) -> None:
    old, ids = legacy_file(tmp_path)
    start, end, text = ids["span"]
    code, out, err = run("merge", str(old), "--db", db_url)
    assert code == 1
    assert err.splitlines() == [
        f"not merged: {old}: source {('s' * 40 + '…')!r}: name is 600 characters long; "
        "at most 500",
        f"not merged: {old}: document {ids['first']} ({ids_title(old, ids['first'])!r}): "
        "annotation "
        f"{ids['figure']} (figure {start}:{end} {text!r}): unit is 150 characters long; "
        "at most 100",
        f"not merged: {old}: document {ids['second']} ('b-\\x00second'): title contains a "
        "NUL character at offset 2",
        f"not merged: {old}: annotator {('n' * 40 + '…')!r}: name is 250 characters long; "
        "at most 200",
    ]
    assert out.splitlines()[-1].endswith(
        "1 new document (2 sentences), 0 already present; added 0 annotations, 0 links, "
        "9 sources, 0 done marks, 0 positions, 0 history entries; 2 documents not merged; "
        "2 sources or annotators not merged")
    database = open_database(db_url)
    try:
        with database.reads() as session:
            assert session.scalars(select(Document.title)).all() == ["c-third"]
    finally:
        database.dispose()


# --- review notes ---------------------------------------------------------------------------

def test_a_note_with_a_nul_is_refused_by_the_review_session_on_both_engines(
    db_url: str,
) -> None:
    code, _out, err = run("import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"), "--db", db_url)
    assert code == 0, err
    database = open_database(db_url)
    try:
        session = ReviewSession(database, "rev")
        with database.reads() as reads:
            first = reads.scalar(select(func.min(Annotation.id)))
        assert first is not None
        with pytest.raises(ValueError, match=r"^note contains a NUL character at offset 3$"):
            session.note(first, "see\x00this")
        session.note(first, "see this")
        with database.reads() as reads:
            assert reads.scalar(select(Annotation.note).where(Annotation.id == first)) \
                == "see this"
    finally:
        database.dispose()


def test_a_native_import_refuses_a_note_with_a_nul_in_one_line(
    db_url: str, tmp_path: Path
) -> None:
    lines = (SAMPLE / "gaza-aid-talks.labels.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["annotations"][0]["note"] = "check\u0000this"
    path = tmp_path / "noted.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, _out, err = run("import", str(path), "--db", db_url)
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.splitlines()[0] == (
        f"skipped: {path}:1: annotations[1].note contains a NUL character at offset 5")
    database = open_database(db_url)
    try:
        with database.reads() as session:
            assert session.scalar(select(func.count()).select_from(Annotation)) == 0
    finally:
        database.dispose()


async def test_the_note_dialog_refuses_a_nul_in_one_line_and_stays_open(
    db_url: str,
) -> None:
    code, _out, err = run("import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"), "--db", db_url)
    assert code == 0, err
    database: Database = open_database(db_url)
    app = ReviewApp(ReviewSession(database, "rev"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReviewScreen) and screen.selected is not None
            row = screen.selected.id
            await pilot.press("m")
            await pilot.pause()
            assert isinstance(app.screen, NoteScreen)
            note = app.screen.query_one("#note", Input)
            note.value = "pasted\x00text"
            await pilot.press("enter")
            await pilot.pause()
            notices = [n.message for n in app._notifications]
            assert notices == ["note contains a NUL character at offset 6"]
            assert isinstance(app.screen, NoteScreen)  # the text stays, to be corrected
            note.value = "pasted text"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            await pilot.press("q")
        assert app._exception is None
        with database.reads() as session:
            assert session.scalar(select(Annotation.note).where(Annotation.id == row)) \
                == "pasted text"
    finally:
        database.dispose()


# --- text another program stored that is not UTF-8 --------------------------------------------

@pytest.mark.parametrize("command", ["copy", "merge", "export", "stats", "native"])
def test_a_text_that_is_not_utf8_is_one_line_and_changes_nothing(
    command: str, tmp_path: Path
) -> None:
    """SQLite stores any bytes as TEXT; the driver cannot decode them. Every command that
    reads such a row stops in one line naming the column, never with a traceback; copy
    leaves no target behind."""
    old = tmp_path / "foreign.db"
    code, _out, err = run("import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"), "--db", str(old))
    assert code == 0, err
    with sqlite3.connect(old) as spoil:  # what another program could write
        spoil.execute("UPDATE documents SET title = CAST(X'41FF42' AS TEXT)")
        spoil.execute("UPDATE sources SET name = CAST(X'48FE' AS TEXT) WHERE id = 1")
    target = tmp_path / "target.db"
    args = {"copy": ["copy", str(old), str(target)],
            "merge": ["merge", str(old), "--db", str(target)],
            "export": ["export", "--view", "claims", "--db", str(old)],
            "stats": ["stats", "--db", str(old)],
            "native": ["export", "--format", "jsonl", "--db", str(old)]}[command]
    code, _out, err = run(*args)
    assert code == 1
    (line,) = err.splitlines()
    assert line.startswith("Error: the database file holds text that is not valid UTF-8 "
                           "(Could not decode to UTF-8 column '"), line
    if command == "copy":
        assert not target.exists()
    with sqlite3.connect(old) as check:  # nothing was changed in it
        assert check.execute("SELECT hex(CAST(title AS BLOB)) FROM documents").fetchall() == [
            ("41FF42",)]
