"""`annotator annotate` wiring: what it imports and opens, and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.scheme import Scheme
from annotator.tui import launch as tui_launch
from db.engine import Database, open_database
from db.stats import corpus_counts


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bool, int | None]]:
    """Record what the screen would have been opened on, instead of opening it."""
    calls: list[tuple[str, str, bool, int | None]] = []

    def record(database: Database, annotator: str, *, show_others: bool,
               document_id: int | None, suggestions: bool, scheme: Scheme) -> None:
        calls.append((database.url, annotator, show_others, document_id))

    monkeypatch.setattr(tui_launch, "run_annotator", record)
    return calls


def test_empty_database_opens_on_the_bundled_sample(
    runner: CliRunner, db_url: str, launched: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANNOTATOR_NAME", "maria")
    result = runner.invoke(cli, ["annotate", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "imported 1 document (20 sentences)" in result.stderr
    assert launched == [(db_url, "maria", False, None)]
    database = open_database(db_url)
    try:
        assert corpus_counts(database).documents == 1
    finally:
        database.dispose()
    again = runner.invoke(cli, ["annotate", "--db", db_url, "--annotator", "li",
                                "--show-others", "--document", "1"])
    assert again.exit_code == 0, again.output
    assert again.stderr == ""  # nothing imported a second time
    assert launched[-1] == (db_url, "li", True, 1)


def test_paths_are_imported_first(
    runner: CliRunner, db_url: str, launched: list, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("Talks resumed. Aid arrived.\n", encoding="utf-8")
    result = runner.invoke(cli, ["annotate", str(tmp_path / "a.txt"), "--db", db_url,
                                 "--annotator", "ana"])
    assert result.exit_code == 0, result.output
    assert "imported 1 document (2 sentences)" in result.stderr
    assert len(launched) == 1


def test_bad_document_and_empty_name_are_one_line_errors(
    runner: CliRunner, db_url: str, launched: list
) -> None:
    missing = runner.invoke(cli, ["annotate", "--db", db_url, "--document", "42"])
    assert missing.exit_code == 1
    assert missing.stderr.splitlines()[-1] == "Error: no document with id 42"
    blank = runner.invoke(cli, ["annotate", "--db", db_url, "--annotator", "  "])
    assert blank.exit_code == 1
    assert blank.stderr.splitlines()[-1] == "Error: --annotator needs a non-empty name"
    assert launched == []


def test_the_screen_and_the_checks_before_it_share_one_quick_engine(
    runner: CliRunner, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the corpus exists, `annotate` opens one engine, whose connections give up on
    another writer's lock after INTERACTIVE_LOCK_WAIT_MS (then the screen retries and says
    so); a second engine would cost a connection before the first frame."""
    import db.engine

    waits: list[str] = []

    def record(database: Database, annotator: str, **options: object) -> None:
        with database.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                waits.append(str(connection.exec_driver_sql("PRAGMA busy_timeout").scalar()))
            else:
                waits.append(str(connection.exec_driver_sql("SHOW lock_timeout").scalar()))

    monkeypatch.setattr(tui_launch, "run_annotator", record)
    assert runner.invoke(cli, ["annotate", "--db", db_url, "--annotator", "ana"]).exit_code == 0
    engines: list[str] = []
    make_engine = db.engine.make_engine
    monkeypatch.setattr(db.engine, "make_engine",
                        lambda url, *args, **kwargs: engines.append(url)
                        or make_engine(url, *args, **kwargs))
    result = runner.invoke(cli, ["annotate", "--db", db_url, "--annotator", "ana"])
    assert result.exit_code == 0, result.output
    assert len(engines) == 1
    wait = tui_launch.INTERACTIVE_LOCK_WAIT_MS
    assert waits == [str(wait), str(wait)] or waits == [f"{wait}ms", f"{wait}ms"]


def test_paths_given_to_annotate_are_imported_waiting_for_another_writer(
    runner: CliRunner, launched: list, tmp_path: Path
) -> None:
    """The import before the screen waits for a writer as `annotator import` does, not
    the screen's half second: a lock held for longer than that only delays it."""
    import sqlite3
    import threading

    path = tmp_path / "team.db"
    open_database(str(path)).dispose()
    (tmp_path / "a.txt").write_text("Talks resumed. Aid arrived.\n", encoding="utf-8")
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    threading.Timer(2 * tui_launch.INTERACTIVE_LOCK_WAIT_MS / 1000, writer.rollback).start()
    try:
        result = runner.invoke(cli, ["annotate", str(tmp_path / "a.txt"), "--db", str(path),
                                     "--annotator", "ana"])
    finally:
        writer.close()
    assert result.exit_code == 0, result.output
    assert "imported 1 document (2 sentences)" in result.stderr
    assert len(launched) == 1
