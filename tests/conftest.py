"""Shared fixtures: real database files (and a real PostgreSQL server when given), and
the small corpora several test modules use."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SHARED
from pg_server_helpers import ThrowawayServer, can_run_a_server, throwaway_server
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tui_helpers import ALPHA, BETA, POLL, build_database
from workspace_helpers import TALKS_FIRST, TALKS_SECOND

from annotator.io.importer import import_paths
from annotator.tui.screens.annotate import AnnotateScreen
from db.engine import Database, open_database

PG_ENV = "ANNOTATOR_TEST_PG_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pg-url", default=os.environ.get(PG_ENV),
        help=f"PostgreSQL server URL for the PostgreSQL runs (or ${PG_ENV}).",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database URL on each engine: a SQLite file, a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server = request.config.getoption("--pg-url")
    if not server:
        pytest.skip(f"no PostgreSQL server given (--pg-url or ${PG_ENV})")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """An open, migrated database."""
    opened = open_database(db_url)
    yield opened
    opened.dispose()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """Path of a SQLite database file that does not exist yet."""
    return tmp_path / "annotations.db"


@pytest.fixture
def runner() -> CliRunner:
    """A Click runner; stdout and stderr are kept apart."""
    return CliRunner()


@pytest.fixture
def shared_article() -> Path:
    """The real news article from ../shared/corpus, or a clean skip."""
    path = SHARED / "corpus" / "dayofpal-ceasefire-2025.txt"
    if not path.is_file():
        pytest.skip(f"shared corpus not present at {path}")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[Database]:
    """Two documents: alpha (3 sentences) and beta (2 sentences)."""
    database = build_database(tmp_path, {"1-alpha.txt": ALPHA, "2-beta.txt": BETA})
    yield database
    database.dispose()


@pytest.fixture
def talks_corpus(database: Database, tmp_path: Path) -> Database:
    """Two stories (four and two sentences) on each engine."""
    (tmp_path / "a.txt").write_text(TALKS_FIRST, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TALKS_SECOND, encoding="utf-8")
    summary = import_paths(database, [tmp_path / "a.txt", tmp_path / "b.txt"])
    assert summary.sentences == 6
    return database


@pytest.fixture
def pg_server() -> Iterator[ThrowawayServer]:
    """A PostgreSQL server of the test's own (tests/pg_server_helpers.py), to stop and start
    again under a running program; a clean skip where none can be started."""
    if not can_run_a_server():
        pytest.skip("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
    with throwaway_server() as server:
        yield server


@pytest.fixture
def fast_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """Poll often, so a test waits a fraction of a second for others' changes."""
    monkeypatch.setattr(AnnotateScreen, "POLL_SECONDS", POLL)
