"""Upgrading a database of the first released schema (0001) full of real data to head.

The 0001 database is built by the 0001 migration itself and filled, row for row, with
what the current code stores for the sample article with its reference labels, manual
edits, done marks and an undone action; opening it with the current code must upgrade
it, keep every row as it was, back the SQLite file up first, and leave it usable.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from paths import SAMPLE
from sqlalchemy import Engine, MetaData, insert, inspect, text
from table_snapshot import Snapshot, table_snapshot

from annotator.io.importer import import_paths
from annotator.workspace import Workspace
from db.engine import SCHEMA_HEAD, alembic_config, make_engine, open_database, sqlite_path

FIRST_RELEASED = "0001"
ADDED_SINCE = {"annotations": {"reviewed_by", "reviewed_at", "note"},
               "sources": {"origin"}}


def _real_data(tmp_path: Path) -> Snapshot:
    """What the current code stores for real work: labels, edits, done marks, undo."""
    database = open_database(str(tmp_path / "source.db"))
    try:
        summary = import_paths(database, [SAMPLE / "gaza-aid-talks.labels.jsonl",
                                          SAMPLE / "gaza-aid-talks.txt"])
        assert summary.annotations > 40 and not summary.problems
        workspace = Workspace(database, "ana")
        first = workspace.start_position()
        assert first is not None
        second = workspace.next_sentence(first)
        assert second is not None
        text_ = workspace.view(second).text
        claim = workspace.tag(second, "claim", 0, len(text_.split()[0]))
        figure = workspace.tag(second, "figure", 0, len(text_.split()[0]))
        workspace.set_figure(figure, 53e9, "USD", "over")
        workspace.link_figure(figure, claim)
        workspace.toggle_done(first)
        workspace.unattribute(claim)
        workspace.undo()
        workspace.remember_position(second)
        return table_snapshot(database.engine)
    finally:
        database.dispose()


def _build_first_release(url: str) -> None:
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, FIRST_RELEASED)
    engine.dispose()


def _fill(engine: Engine, rows: Snapshot) -> None:
    """Insert ``rows`` through the 0001 tables (reflected: the columns that existed then)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version" or not rows.get(table.name):
                continue
            names = set(table.columns.keys())
            connection.execute(insert(table), [
                {key: value for key, value in row.items() if key in names}
                for row in rows[table.name]
            ])
        if engine.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in metadata.sorted_tables:
                if "id" in table.columns and rows.get(table.name):
                    connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :top)"),
                        {"table": table.name, "top": max(r["id"] for r in rows[table.name])},
                    )


def _without_added_columns(snapshot: Snapshot) -> Snapshot:
    return {
        name: [{k: v for k, v in row.items() if k not in ADDED_SINCE.get(name, set())}
               for row in rows]
        for name, rows in snapshot.items()
    }


def _engine_neutral(snapshot: Snapshot) -> Snapshot:
    """Timestamps as UTC instants: SQLite returns them naive, PostgreSQL with a zone."""
    def neutral(value: object) -> object:
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
    return {name: [{k: neutral(v) for k, v in row.items()} for row in rows]
            for name, rows in snapshot.items()}


def _revision(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_first_release_with_real_data_upgrades_to_head_intact(
    db_url: str, tmp_path: Path
) -> None:
    original = _real_data(tmp_path)
    _build_first_release(db_url)
    old = make_engine(db_url)
    try:
        _fill(old, original)
        assert "reviewed_by" not in {c["name"] for c in inspect(old).get_columns("annotations")}
        assert _revision(old) == FIRST_RELEASED
        before_upgrade = table_snapshot(old)
    finally:
        old.dispose()

    upgraded = open_database(db_url)
    try:
        assert _revision(upgraded.engine) == SCHEMA_HEAD
        after = table_snapshot(upgraded.engine)
        # Every row of every table is intact; the new columns are empty.
        assert _without_added_columns(after) == before_upgrade
        assert _engine_neutral(_without_added_columns(after)) == _engine_neutral(
            _without_added_columns(original))
        assert all(row["reviewed_by"] is None and row["note"] is None
                   for row in after["annotations"])
        # Every source registered before 0004 stays in the registry as a person's.
        assert after["sources"]
        assert {row["origin"] for row in after["sources"]} == {"annotator"}
        # The upgraded database is usable: history from before the upgrade undoes.
        workspace = Workspace(upgraded, "ana")
        assert workspace.start_position() is not None
        assert workspace.redo() is not None  # the undo made under 0001 is redone
        assert workspace.undo() is not None
        assert workspace.undo() is not None
    finally:
        upgraded.dispose()

    path = sqlite_path(db_url)
    backups = sorted(tmp_path.glob("*.bak"))
    if path is None:
        assert backups == []  # a server database is never copied anywhere
        return
    assert backups == [path.with_name(f"{path.name}.before-{FIRST_RELEASED}.bak")]
    backup_engine = make_engine(f"sqlite:///{backups[0]}")
    try:
        assert _revision(backup_engine) == FIRST_RELEASED
        assert table_snapshot(backup_engine) == before_upgrade
    finally:
        backup_engine.dispose()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []


def test_reopening_an_upgraded_database_writes_no_second_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _build_first_release(f"sqlite:///{path}")
    open_database(str(path)).dispose()
    open_database(str(path)).dispose()
    assert [p.name for p in tmp_path.glob("*.bak")] == [f"old.db.before-{FIRST_RELEASED}.bak"]


def test_an_interactive_open_upgrades_waiting_for_other_writers(tmp_path: Path) -> None:
    """Opened for the screen (giving up on a lock after 50 ms), an old database is still
    upgraded, through its own engine, which waits for a writer holding the lock 0.5 s."""
    import threading

    path = tmp_path / "old.db"
    _build_first_release(f"sqlite:///{path}")
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, writer.rollback).start()
    database = open_database(str(path), lock_wait_ms=50, pre_ping=False)
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 50
            revision = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert revision.scalar() == SCHEMA_HEAD
    finally:
        database.dispose()
        writer.close()
