"""Opening databases: URL resolution, pragmas, migrations, and refusals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from db.engine import (
    DatabaseError,
    SchemaTooNewError,
    open_database,
    resolve_url,
)

EXPECTED_TABLES = {
    "alembic_version", "annotations", "annotators", "change_log", "documents", "links",
    "sentence_states", "sentences", "source_aliases", "sources",
}


def test_resolve_url_turns_a_path_into_a_url_and_keeps_a_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which target (--db, $ANNOTATOR_DB, the default) is annotator/config.py's to say
    (tests/test_config.py); the engine never reads the environment."""
    monkeypatch.setenv("ANNOTATOR_DB", "postgresql+psycopg://u@h/d")
    monkeypatch.chdir(tmp_path)
    assert resolve_url("annotations.db") == f"sqlite:///{tmp_path / 'annotations.db'}"
    assert resolve_url("x/y.db") == f"sqlite:///{tmp_path / 'x' / 'y.db'}"
    assert resolve_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert resolve_url("other.db") == f"sqlite:///{tmp_path / 'other.db'}"


def test_invalid_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="not a valid database URL"):
        resolve_url("::://nope")


def test_open_creates_schema(database) -> None:  # type: ignore[no-untyped-def]
    assert set(inspect(database.engine).get_table_names()) >= EXPECTED_TABLES


def test_sqlite_pragmas_on_every_connection(sqlite_file: Path) -> None:
    database = open_database(str(sqlite_file))
    try:
        for _ in range(2):
            with database.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            database.engine.dispose()  # force a brand-new DBAPI connection next time
    finally:
        database.dispose()


def test_reopen_is_idempotent(sqlite_file: Path) -> None:
    open_database(str(sqlite_file)).dispose()
    database = open_database(str(sqlite_file))
    with database.engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    database.dispose()
    assert revision == "0004"


def test_newer_schema_is_refused_and_untouched(sqlite_file: Path) -> None:
    open_database(str(sqlite_file)).dispose()
    with sqlite3.connect(sqlite_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = sqlite_file.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer version of annotator"):
        open_database(str(sqlite_file))
    assert sqlite_file.read_bytes() == before


def test_file_that_is_not_a_database_is_refused_and_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("these are my notes, not a database\n")
    before = notes.read_bytes()
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        open_database(str(notes))
    assert notes.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseError, match="not an annotator database"):
        open_database(str(other))
    with sqlite3.connect(other) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert tables == {"invoices"}


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(str(tmp_path / "nope" / "a.db"))


def test_folder_as_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(str(tmp_path))


def test_schema_head_constant_matches_the_migrations() -> None:
    from alembic.script import ScriptDirectory

    from db.engine import SCHEMA_HEAD, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


def test_migrations_build_exactly_the_models(sqlite_file: Path) -> None:
    """Autogenerate finds nothing to do after ``upgrade head``: models and scripts agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import Base

    database = open_database(str(sqlite_file))
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.dispose()
