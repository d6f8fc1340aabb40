"""Shared fixtures: real database files (and a real PostgreSQL server when given)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.engine import Database, open_database

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "sample"
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
