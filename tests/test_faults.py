"""A read-only database and a full disk: a clear message, reading goes on, nothing lost.

Read-only is made the way it happens to users, on every engine and also as root (who
ignores file permissions): SQLite's read-only open (``?mode=ro&uri=true``, what a
read-only file or mount gives) and a PostgreSQL database whose transactions are
read-only. A full disk is a real write failure: the process's file-size limit
(RLIMIT_FSIZE, which binds root too) stops the write-ahead log from growing, and
``PRAGMA max_page_count`` caps the database file.
"""

from __future__ import annotations

import resource
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from crash_helpers import ANNOTATOR, read_facts, write_native_corpus
from paths import SAMPLE
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from table_snapshot import table_snapshot
from terminal import BINARY, HAVE_TMUX, Pane
from tui_helpers import SIZE, main_screen

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.tui.app import AnnotatorApp
from annotator.workspace import Workspace
from db.engine import Database, open_database, sqlite_path
from db.write_errors import NOT_SAVED, StorageError

READ_ONLY = f"the database is read-only: {NOT_SAVED}"
FULL = f"the disk or the database is full: {NOT_SAVED}"
# A file-size limit makes write() fail with EFBIG, which SQLite reports as an I/O error.
WRITE_FAILED = f"writing to the disk failed (is it full?): {NOT_SAVED}"


def _fill_with_work(database: Database) -> None:
    """The sample article, one tagged and attributed span and a done mark of "ana"."""
    assert not import_paths(database, [SAMPLE / "gaza-aid-talks.txt"]).problems
    workspace = Workspace(database, "ana")
    first = workspace.start_position()
    assert first is not None
    workspace.tag(first, "claim", 0, 6)
    workspace.toggle_done(first)
    workspace.remember_position(first)


def _read_only_url(db_url: str) -> str:
    """The same database, opened read-only."""
    path = sqlite_path(db_url)
    if path is not None:
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    name = make_url(db_url).database
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    return db_url


@pytest.fixture
def read_only(db_url: str) -> Iterator[tuple[Database, dict[str, object]]]:
    """A database holding work, reopened read-only, and every row it held."""
    writable = open_database(db_url)
    _fill_with_work(writable)
    before = table_snapshot(writable.engine)
    writable.dispose()
    database = open_database(_read_only_url(db_url))
    yield database, before
    database.dispose()


def _notices(app: AnnotatorApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_read_only_database_tui_says_so_and_stays_readable(
    read_only: tuple[Database, dict[str, object]],
) -> None:
    database, before = read_only
    app = AnnotatorApp(Workspace(database, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        first = screen.current
        assert first is not None and [a.text for a in first.annotations] == ["Donors"]
        await pilot.press("j")  # reading moves on; the position cannot be stored
        await pilot.pause()
        assert screen.current is not None and screen.current.index == 1
        assert _notices(app) == [READ_ONLY]
        for key in ("s", "d", "u"):  # a tag, a done mark, an undo: each refused, said once
            await pilot.press(key)
            await pilot.pause()
        assert _notices(app) == [READ_ONLY] * 4
        assert screen.current.annotations == ()
        await pilot.press("k")  # and reading still works after the refusals
        await pilot.pause()
        assert screen.current.sentence_id == first.sentence_id
        assert [a.text for a in screen.current.annotations] == ["Donors"]
        assert screen.current.state == "done"
        await pilot.press("q")
    assert table_snapshot(database.engine) == before


def test_read_only_database_cli_import_is_one_line(
    runner: CliRunner, read_only: tuple[Database, dict[str, object]], tmp_path: Path
) -> None:
    database, before = read_only
    article = tmp_path / "new.txt"
    article.write_text("A new article\nIt has one sentence.\n", "utf-8")
    result = runner.invoke(cli, ["import", str(article), "--db", database.url])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {READ_ONLY}\n"
    assert table_snapshot(database.engine) == before


def test_read_only_sqlite_file_that_does_not_exist_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["stats", "--db", f"sqlite:///file:{path}?mode=ro&uri=true"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: no such database file\n"
    assert not path.exists()


def _cap_pages(database: Database) -> None:
    """Every new connection may not grow the file beyond its present size."""
    with database.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    def cap(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages)}")

    event.listen(database.engine, "connect", cap)
    database.engine.dispose()


def test_full_database_refuses_the_change_whole_and_keeps_reading(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "full.db"))
    try:
        _fill_with_work(database)
        _cap_pages(database)
        workspace = Workspace(database, "ana")
        sentence = workspace.start_position()
        assert sentence is not None
        refused = None
        for number in range(500):  # fill the last free bytes with real work
            snapshot = table_snapshot(database.engine)
            try:
                workspace.create_source(f"Source {number} " + "x" * 3000, "media")
            except StorageError as error:
                refused = error
                break
        assert str(refused) == FULL
        assert table_snapshot(database.engine) == snapshot  # nothing of it was stored
        assert workspace.view(sentence).annotations[0].text == "Donors"  # reading works
        with pytest.raises(StorageError, match="full"):  # the same change fails the same way
            workspace.create_source(f"Source {number} " + "x" * 3000, "media")
        assert table_snapshot(database.engine) == snapshot
    finally:
        database.dispose()
    with sqlite3.connect(tmp_path / "full.db") as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _limit_file_size(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_disk_full_during_import_is_one_line_and_a_rerun_completes(tmp_path: Path) -> None:
    db_path = tmp_path / "full.db"
    corpus = tmp_path / "corpus.jsonl"
    write_native_corpus(corpus, 40)
    open_database(str(db_path)).dispose()  # an empty database (a read command makes none)
    command = [str(BINARY), "import", str(corpus), "--db", str(db_path)]
    # No file of the process may grow past 256 KiB: the log fills up mid-import.
    result = subprocess.run(command, capture_output=True, text=True,
                            preexec_fn=_limit_file_size(256 * 1024))
    assert result.returncode == 1
    assert result.stderr == f"Error: {WRITE_FAILED}\n"
    assert result.stdout == ""
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = check.execute("SELECT count(*) FROM documents").fetchone()[0]
        spans = check.execute("SELECT count(*) FROM annotations").fetchone()[0]
        links = check.execute("SELECT count(*) FROM links").fetchone()[0]
    assert 0 < stored < 40
    assert (spans, links) == (2 * stored, stored)  # whole documents only
    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{stored} already present" in rerun.stdout


@pytest.mark.skipif(not HAVE_TMUX or shutil.which("prlimit") is None,
                    reason="needs tmux and prlimit (util-linux)")
def test_disk_full_in_the_real_tui_says_so_and_stays_readable(tmp_path: Path) -> None:
    db_path = tmp_path / "tui.db"
    subprocess.run([str(BINARY), "import", str(SAMPLE / "gaza-aid-talks.txt"), "--db",
                    str(db_path)], check=True, capture_output=True)
    # The -shm index needs 32 KiB; the write-ahead log then fills the rest.
    pane = Pane(db_path, ANNOTATOR, file_size_limit=64 * 1024)
    try:
        pane.wait_for("1/20  document 1/1")
        shown = read_facts(db_path)
        for _ in range(40):  # tag and move on until a write does not fit any more
            pane.press("s")
            screen = pane.wait_for_any(("Canonical source for", "full"))
            if "full" in screen:
                break
            pane.press("Escape")
            pane.wait_until_gone("Canonical source for")
            pane.wait_for(" SOURCE ")
            shown = read_facts(db_path)
            position = len(shown.spans)
            pane.press("j")
            screen = pane.wait_for_any((f"{position + 1}/20  document", "full"))
            if "full" in screen:
                break
            shown = read_facts(db_path)
        assert "writing to the disk failed" in pane.screen()
        assert shown.spans  # some work was stored before the disk filled up
        pane.press("k")  # reading still works
        pane.wait_for(" SOURCE ")
        pane.press("q")
        pane.wait_for_exit()
    finally:
        pane.kill()
        pane.close()
    assert read_facts(db_path).spans >= shown.spans
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


# --- a real small disk and a real read-only mount (where mounting is permitted) ------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs; skipped where this process may not mount (it needs CAP_SYS_ADMIN)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs",
                              str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not permitted'}); "
                    "the file-size-limit tests above cover a full disk")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill_disk(folder: Path) -> Path:
    """Write a file until the disk has no space left."""
    filler = folder / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def test_full_tmpfs_import_is_one_line_and_nothing_is_lost(small_disk: Path) -> None:
    db_path = small_disk / "labels.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"),
                               "--db", str(db_path)]).exit_code == 0
    engine = create_engine(f"sqlite:///{db_path}")
    before = table_snapshot(engine)
    engine.dispose()
    filler = _fill_disk(small_disk)
    corpus = small_disk.parent / "corpus.jsonl"
    write_native_corpus(corpus, 30)
    result = subprocess.run([str(BINARY), "import", str(corpus), "--db", str(db_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    # ENOSPC reaches SQLite as "full" or, growing its -shm index, as an I/O error.
    assert result.stderr in (f"Error: {FULL}\n", f"Error: {WRITE_FAILED}\n")
    filler.unlink()
    engine = create_engine(f"sqlite:///{db_path}")
    after = table_snapshot(engine)
    engine.dispose()
    for name, rows in before.items():  # every row stored before is there, unchanged
        assert after[name][:len(rows)] == rows, name
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    rerun = subprocess.run([str(BINARY), "import", str(corpus), "--db", str(db_path)],
                           capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr


@pytest.mark.skipif(not HAVE_TMUX, reason="tmux is not installed")
def test_read_only_mount_is_readable_in_the_real_tui(small_disk: Path) -> None:
    db_path = small_disk / "labels.db"
    database = open_database(str(db_path))
    _fill_with_work(database)
    Workspace(database, ANNOTATOR)  # registered while the disk was writable
    database.dispose()
    before = db_path.read_bytes()
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)],
                               capture_output=True, text=True)
    assert remounted.returncode == 0, remounted.stderr
    stats = subprocess.run([str(BINARY), "stats", "--db", str(db_path)], capture_output=True,
                           text=True)
    assert stats.returncode == 0 and stats.stdout.startswith("documents: 1\n"), stats.stderr
    article = small_disk.parent / "new.txt"
    article.write_text("New article\nOne sentence here.\n", "utf-8")
    refused = subprocess.run([str(BINARY), "import", str(article), "--db", str(db_path)],
                             capture_output=True, text=True)
    assert (refused.returncode, refused.stderr) == (1, f"Error: {READ_ONLY}\n")
    pane = Pane(db_path, ANNOTATOR)
    try:
        pane.wait_for("1/20  document 1/1")
        pane.press("s")
        pane.wait_for("read-only")
        pane.press("j")
        pane.wait_for("2/20  document 1/1")
        pane.press("q")
        pane.wait_for_exit()
    finally:
        pane.kill()
        pane.close()
    assert db_path.read_bytes() == before


async def test_tagging_the_same_word_twice_is_a_notice_not_a_crash(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "twice.db"))
    try:
        assert not import_paths(database, [SAMPLE / "gaza-aid-talks.txt"]).problems
        app = AnnotatorApp(Workspace(database, "ana"))
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(2):
                await pilot.press("c")
                await pilot.pause()
                await pilot.press("escape")
                await pilot.pause()
            assert _notices(app) == ["“Donors” is already tagged as claim"]
            assert [a.text for a in main_screen(app).current.annotations] == ["Donors"]
    finally:
        database.dispose()


def _corrupt_copies(tmp_path: Path) -> dict[str, Path]:
    """A real database damaged three ways: garbage pages, cut short, not SQLite at all."""
    good = tmp_path / "good.db"
    assert CliRunner().invoke(cli, ["import", str(SAMPLE / "gaza-aid-talks.txt"), "--db",
                                    str(good)]).exit_code == 0
    data = good.read_bytes()
    copies = {
        "garbage pages": data[:100] + bytes(range(256)) * ((len(data) - 100) // 256),
        "cut short": data[: len(data) // 3 + 17],
        "not a database": b"%PDF-1.7\n" + data[9:],
    }
    paths = {}
    for name, content in copies.items():
        paths[name] = tmp_path / f"{name.replace(' ', '-')}.db"
        paths[name].write_bytes(content)
    return paths


@pytest.mark.parametrize("damage", ["garbage pages", "cut short", "not a database"])
@pytest.mark.parametrize("command", [["stats"], ["export"], ["annotate"]])
def test_corrupt_database_is_refused_in_one_line_and_left_untouched(
    tmp_path: Path, damage: str, command: list[str]
) -> None:
    path = _corrupt_copies(tmp_path)[damage]
    before = path.read_bytes()
    result = subprocess.run([str(BINARY), *command, "--db", str(path)], capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(path.name)) == [
        path.name]  # no -wal, -shm or backup left behind


def test_a_database_kept_locked_longer_than_the_wait_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program holding SQLite's write lock past the busy timeout stops a command
    with one line (no traceback), and what was stored before stays."""
    import db.engine

    monkeypatch.setattr(db.engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "busy.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["import", str(SAMPLE / "gaza-aid-talks.txt"), "--db", str(path)])
    assert first.exit_code == 0, first.output
    (tmp_path / "new.txt").write_text("Talks resumed. Aid arrived.\n", encoding="utf-8")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        result = runner.invoke(cli, ["import", str(tmp_path / "new.txt"), "--db", str(path)])
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    line = result.stderr.strip()
    assert line.startswith("Error: the database stayed busy (database is locked)")
    assert NOT_SAVED in line and "\n" not in line
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM documents").fetchone() == (1,)
