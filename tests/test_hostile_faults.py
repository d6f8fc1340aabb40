"""Faults under the schema and the server: a killed upgrade or first creation, eight
processes creating one database at once, and a PostgreSQL restart under the annotation
screen and under an import.

A child process kills itself (SIGKILL) at a chosen moment of ``open_database``: while the
SQLite backup is copied, before the Nth statement of the schema transaction, or just
before its commit. After each kill the database must still be at its old revision with
every row (the migration is one transaction), a second killed attempt must not touch the
backup, and the next open must upgrade it to head with every row and the original backup.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from paths import REPO, SAMPLE
from pg_server_helpers import ThrowawayServer
from sqlalchemy import Engine, MetaData, create_engine, insert, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from table_snapshot import Snapshot, table_snapshot

from annotator.io.importer import import_paths
from annotator.tui.app import AnnotatorApp
from annotator.tui.launch import INTERACTIVE_LOCK_WAIT_MS
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.workspace import Workspace
from db.engine import (
    SCHEMA_HEAD,
    DatabaseError,
    alembic_config,
    make_engine,
    open_database,
    sqlite_path,
)
from db.models import Base
from db.write_errors import NOT_SAVED, SERVER_GONE

FIRST_RELEASED = "0001"
ADDED_SINCE = {"annotations": {"reviewed_by", "reviewed_at", "note"},
               "sources": {"origin"}}
MOMENTS = 10  # statement moments per scenario, besides "backup" and "commit"

# Kills its own process at MOMENT of opening URL: "backup" (the copy made, not yet named),
# "commit" (everything done, before the commit), or N (before the Nth statement counted
# from the schema lock on). "count" kills nothing and prints how many statements ran.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from sqlalchemy import Engine, event
    import db.engine
    url, moment = sys.argv[1], sys.argv[2]
    seen = 0
    locked = False

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def before(conn, cursor, statement, parameters, context, executemany):
        global seen, locked
        if "BEGIN IMMEDIATE" in statement or "pg_advisory_xact_lock" in statement:
            locked = True
        if locked:
            seen += 1
            if moment.isdigit() and seen == int(moment):
                die()

    def commit(conn):
        global locked
        if locked and moment == "commit":
            die()
        locked = False  # what follows the schema transaction is not counted

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "commit", commit)
    if moment == "backup":
        db.engine.os.link = lambda *args: die()
    db.engine.open_database(url).dispose()
    print(seen)
""")


def _child(url: str, moment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CHILD, url, moment], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)


# --- databases to restore between moments ------------------------------------------------
@contextmanager
def _server(url: str) -> Iterator[Engine]:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        yield admin
    finally:
        admin.dispose()


def _drop(url: str) -> None:
    path = sqlite_path(url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = make_url(url).database
    with _server(url) as admin, admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _restore(pristine: str, url: str) -> None:
    """Make ``url`` a copy of ``pristine`` (a file copy; a database from a template)."""
    _drop(url)
    path = sqlite_path(url)
    if path is not None:
        source = sqlite_path(pristine)
        assert source is not None
        shutil.copyfile(source, path)
        return
    with _server(url) as admin, admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{make_url(url).database}" '
                                f'TEMPLATE "{make_url(pristine).database}"'))


def _sibling(url: str, name: str) -> str:
    path = sqlite_path(url)
    if path is not None:
        return f"sqlite:///{path.with_name(name + '.db')}"
    sibling = make_url(url).set(database=f"{make_url(url).database}_{name}")
    return sibling.render_as_string(hide_password=False)


def _first_release_with_data(url: str, tmp_path: Path) -> None:
    """``url`` at revision 0001, holding what the current code stores for real work."""
    work = open_database(str(tmp_path / "work.db"))
    try:
        summary = import_paths(work, [SAMPLE / "gaza-aid-talks.labels.jsonl",
                                      SAMPLE / "gaza-aid-talks.txt"])
        assert summary.annotations > 40 and not summary.problems
        workspace = Workspace(work, "ana")
        first = workspace.start_position()
        assert first is not None
        workspace.toggle_done(first)
        rows = table_snapshot(work.engine)
    finally:
        work.dispose()
    engine = make_engine(url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, FIRST_RELEASED)
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.begin() as connection:
            for table in metadata.sorted_tables:
                names = set(table.columns.keys())
                if table.name != "alembic_version" and rows.get(table.name):
                    connection.execute(insert(table), [
                        {k: v for k, v in row.items() if k in names} for row in rows[table.name]])
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if "alembic_version" not in inspect(connection).get_table_names():
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _snapshot(url: str) -> Snapshot:
    engine = create_engine(url)
    try:
        return table_snapshot(engine)
    finally:
        engine.dispose()


def _without_added(snapshot: Snapshot) -> Snapshot:
    return {name: [{k: v for k, v in row.items() if k not in ADDED_SINCE.get(name, set())}
                   for row in rows] for name, rows in snapshot.items()}


def _integrity_ok(url: str) -> None:
    path = sqlite_path(url)
    if path is None:
        return
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []


def _moments(url: str, pristine: str, *, backup: bool) -> list[str]:
    """Ten statement moments spread over the whole schema transaction (counted once on a
    copy), then the commit; the backup's copy first where there is one."""
    _restore(pristine, url)
    counted = _child(url, "count")
    assert counted.returncode == 0, counted.stderr
    total = int(counted.stdout.split()[-1])
    assert total >= MOMENTS
    spread = sorted({1 + round(i * (total - 1) / (MOMENTS - 1)) for i in range(MOMENTS)})
    return (["backup"] if backup else []) + [str(n) for n in spread] + ["commit"]


def _kill_at(url: str, moment: str) -> None:
    killed = _child(url, moment)
    assert killed.returncode == -signal.SIGKILL, (moment, killed.stdout, killed.stderr)


# --- (a) killed upgrades and first creations ------------------------------------------------
def test_an_upgrade_killed_at_any_moment_leaves_the_database_and_its_backup_whole(
    db_url: str, tmp_path: Path
) -> None:
    pristine = _sibling(db_url, "pristine")
    _drop(pristine)
    if sqlite_path(db_url) is None:
        with _server(db_url) as admin, admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{make_url(pristine).database}"'))
    try:
        _first_release_with_data(pristine, tmp_path)
        original = _snapshot(pristine)
        assert _revision(pristine) == FIRST_RELEASED
        path = sqlite_path(db_url)
        backup = None if path is None else path.with_name(
            f"{path.name}.before-{FIRST_RELEASED}.bak")
        moments = _moments(db_url, pristine, backup=path is not None)
        assert len(moments) >= 10
        for index, moment in enumerate(moments):
            _restore(pristine, db_url)
            if backup is not None:
                backup.unlink(missing_ok=True)
            _kill_at(db_url, moment)
            # One transaction: killed anywhere, nothing of the upgrade is there.
            assert _revision(db_url) == FIRST_RELEASED, moment
            assert _snapshot(db_url) == original, moment
            _integrity_ok(db_url)
            # A later attempt, killed too, never replaces the backup the first one made.
            made = None if backup is None or not backup.exists() else backup.stat()
            later = [m for m in moments if m != "backup"]  # the backup is made once: no copy
            _kill_at(db_url, later[(index + 3) % len(later)])
            if made is not None:
                assert backup is not None
                assert (backup.stat().st_ino, backup.stat().st_mtime_ns) == (
                    made.st_ino, made.st_mtime_ns), moment
            opened = open_database(db_url)
            opened.dispose()
            assert _revision(db_url) == SCHEMA_HEAD, moment
            assert _without_added(_snapshot(db_url)) == original, moment
            _integrity_ok(db_url)
            if backup is not None:
                assert _revision(f"sqlite:///{backup}") == FIRST_RELEASED
                assert _snapshot(f"sqlite:///{backup}") == original, moment
                assert not list(backup.parent.glob(".*.partial"))
    finally:
        _drop(pristine)


def test_a_first_creation_killed_at_any_moment_leaves_nothing_half_made(
    db_url: str, tmp_path: Path
) -> None:
    empty = _sibling(db_url, "empty")
    _drop(empty)
    if sqlite_path(db_url) is None:
        with _server(db_url) as admin, admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{make_url(empty).database}"'))
    else:
        path = sqlite_path(empty)
        assert path is not None
        path.touch(mode=0o600)
    try:
        for moment in _moments(db_url, empty, backup=False):
            _restore(empty, db_url)
            _kill_at(db_url, moment)
            engine = create_engine(db_url)
            try:
                assert inspect(engine).get_table_names() == [], moment  # all or nothing
            finally:
                engine.dispose()
            _integrity_ok(db_url)
            database = open_database(db_url)
            try:
                assert import_paths(database, [SAMPLE / "gaza-aid-talks.txt"]).documents == 1
            finally:
                database.dispose()
            assert _revision(db_url) == SCHEMA_HEAD, moment
            _integrity_ok(db_url)
    finally:
        _drop(empty)


def _ddl_outside_a_transaction(url: str) -> Engine:
    """An engine whose SQLite connections commit every DDL statement on its own, as
    pysqlite's default does (how the files below were left by earlier versions)."""
    return create_engine(url)


def test_a_half_created_schema_left_by_an_earlier_version_is_finished(db_url: str) -> None:
    engine = _ddl_outside_a_transaction(db_url)
    try:
        with engine.begin() as connection:  # some of the tables, no version table
            for name in ("documents", "sources", "sentences"):
                Base.metadata.tables[name].create(connection)
    finally:
        engine.dispose()
    database = open_database(db_url)
    try:
        assert import_paths(database, [SAMPLE / "gaza-aid-talks.txt"]).documents == 1
    finally:
        database.dispose()
    assert _revision(db_url) == SCHEMA_HEAD


def test_a_half_created_schema_holding_rows_is_refused_untouched(db_url: str) -> None:
    engine = _ddl_outside_a_transaction(db_url)
    try:
        with engine.begin() as connection:
            Base.metadata.tables["sources"].create(connection)
            connection.execute(text("INSERT INTO sources (name, created_at) "
                                    "VALUES ('kept', CURRENT_TIMESTAMP)"))
        before = table_snapshot(engine)
    finally:
        engine.dispose()
    with pytest.raises(DatabaseError, match="not an annotator database"):
        open_database(db_url)
    assert _snapshot(db_url) == before


def test_an_interrupted_table_copy_left_by_an_earlier_version_is_settled(
    db_url: str, tmp_path: Path
) -> None:
    """The state an earlier version left after a kill: ``_alembic_tmp_annotations`` made
    (its CREATE committed on its own), the rest of the upgrade rolled back."""
    _first_release_with_data(db_url, tmp_path)
    original = _snapshot(db_url)
    engine = _ddl_outside_a_transaction(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE _alembic_tmp_annotations (id INTEGER)"))
    finally:
        engine.dispose()
    opened = open_database(db_url)
    opened.dispose()
    assert _revision(db_url) == SCHEMA_HEAD
    after = _snapshot(db_url)
    assert "_alembic_tmp_annotations" not in after
    assert _without_added(after) == {k: v for k, v in original.items()
                                     if k != "_alembic_tmp_annotations"}


# --- (b) eight processes open a database that does not exist yet ----------------------------
def test_eight_imports_create_one_new_database_at_once(db_url: str, tmp_path: Path) -> None:
    files = []
    for number in range(8):
        article = tmp_path / f"article-{number}.txt"
        article.write_text(f"Article {number} says the talks resumed. Envoys {number} came.\n",
                           encoding="utf-8")
        files.append(article)
    binary = Path(sys.executable).with_name("annotator")
    # Each waits for a go file, so the eight start creating within a millisecond or so.
    go = tmp_path / "go"
    starter = ("import os, sys, time\n"
               f"while not os.path.exists({str(go)!r}): time.sleep(0.001)\n"
               f"os.execv({str(binary)!r}, [{str(binary)!r}] + sys.argv[1:])\n")
    processes = [subprocess.Popen([sys.executable, "-c", starter, "import", str(article),
                                   "--db", db_url], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
                 for article in files]
    go.touch()
    outputs = [process.communicate(timeout=180) for process in processes]
    failures = [(process.returncode, err) for process, (_out, err) in zip(processes, outputs,
                                                                           strict=True)
                if process.returncode != 0]
    assert failures == []
    database = open_database(db_url)
    try:
        with database.reads() as session:
            titles = session.execute(text("SELECT count(*) FROM documents")).scalar()
        assert titles == 8
    finally:
        database.dispose()
    _integrity_ok(db_url)



# --- (c) a PostgreSQL server that stops and starts again ------------------------------------
def _notices(app: AnnotatorApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def _done_marks(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM sentence_states")).scalar_one()
    finally:
        engine.dispose()


async def test_the_annotation_screen_survives_a_server_restart(
    pg_server: ThrowawayServer,
) -> None:
    url = pg_server.new_database("screen")
    setup = open_database(url)
    assert import_paths(setup, [SAMPLE / "gaza-aid-talks.txt"]).documents == 1
    setup.dispose()
    database = open_database(url, lock_wait_ms=INTERACTIVE_LOCK_WAIT_MS, pre_ping=False)
    app = AnnotatorApp(Workspace(database, "ana"))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AnnotateScreen) and screen.current is not None
            shown = screen.current
            pg_server.stop()
            screen.poll_changes()  # what the interval does every 1.5 s
            await pilot.press("j", "j", "k")  # moves: read or not, never a crash
            await pilot.pause(0.2)
            gone = [n for n in _notices(app) if n.startswith(SERVER_GONE)]
            assert len(gone) == 1  # said once, however many steps failed
            assert screen.current is not None
            at = screen.current
            await pilot.press("d")  # a write during the outage: refused in one line
            await pilot.pause()
            refused = [n for n in _notices(app) if n.endswith(NOT_SAVED)]
            assert len(refused) == 1 and refused[0].startswith(SERVER_GONE)
            assert "\n" not in refused[0]
            assert screen.current == at and app.is_running
            assert shown.document_id == at.document_id

            pg_server.start()
            screen.poll_changes()  # reaches the server again
            await pilot.pause()
            assert "The database server is back; keys work again." in _notices(app)
            await pilot.press("d")  # keys work again: the done mark is stored
            await pilot.pause()
            assert _done_marks(url) == 1
            await pilot.press("j")
            await pilot.pause()
            assert screen.current is not None and screen.current.index == at.index + 1
            await pilot.press("q")
        assert app._exception is None
    finally:
        database.dispose()


def test_an_import_when_the_server_stops_is_one_line_and_keeps_what_was_stored(
    pg_server: ThrowawayServer, tmp_path: Path
) -> None:
    url = pg_server.new_database("imports")
    open_database(url).dispose()
    folder = tmp_path / "articles"
    folder.mkdir()
    total = 3000
    for number in range(total):
        (folder / f"{number:05}.txt").write_text(
            f"Report {number} says talks resumed in Cairo. Envoys {number} attended. "
            "Aid trucks crossed.\n", encoding="utf-8")
    binary = Path(sys.executable).with_name("annotator")
    importing = subprocess.Popen([str(binary), "import", str(folder), "--db", url],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watcher = create_engine(url, poolclass=NullPool)
    try:
        deadline = time.monotonic() + 120
        stored = 0
        while stored < 20 and time.monotonic() < deadline and importing.poll() is None:
            time.sleep(0.05)
            with watcher.connect() as connection:
                stored = connection.execute(text("SELECT count(*) FROM documents")).scalar_one()
        assert importing.poll() is None, "the import ended before the server was stopped"
        pg_server.stop()
        _out, err = importing.communicate(timeout=120)
    finally:
        watcher.dispose()
    assert importing.returncode == 1
    assert "Traceback" not in err
    # One line (Rich's transient progress bar leaves an empty line before it off a terminal).
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {SERVER_GONE}"), err
    pg_server.start()
    check = create_engine(url, poolclass=NullPool)
    try:
        with check.connect() as connection:
            documents = connection.execute(text("SELECT count(*) FROM documents")).scalar_one()
            whole = connection.execute(text(
                "SELECT count(*) FROM documents d WHERE (SELECT count(*) FROM sentences s "
                "WHERE s.document_id = d.id) = 3")).scalar_one()
        assert 20 <= documents < total
        assert whole == documents  # every stored document is whole
    finally:
        check.dispose()
    again = subprocess.run([str(binary), "import", str(folder), "--db", url],
                           capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    check = create_engine(url, poolclass=NullPool)
    try:
        with check.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM documents")).scalar_one() \
                == total
    finally:
        check.dispose()
