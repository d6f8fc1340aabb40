"""``annotator copy``: moving a whole SQLite database into PostgreSQL (or another file)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from paths import SAMPLE
from sqlalchemy import select

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.workspace import Workspace
from db.engine import Database, open_database
from db.models import Base


def table_contents(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order, timestamps as UTC instants."""
    contents = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            contents[table.name] = [tuple(map(_comparable, row)) for row in rows]
    return contents


def _comparable(value: Any) -> Any:
    """SQLite reads back naive UTC datetimes, PostgreSQL aware ones: compare the instants."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return value


def build_source(path: Path) -> Database:
    """The sample's reference labels, plus one annotator's session: states, positions, undo."""
    database = open_database(str(path))
    summary = import_paths(database, [SAMPLE / "gaza-aid-talks.labels.jsonl"])
    assert summary.annotations > 0
    ana = Workspace(database, "ana")
    first = ana.start_position()
    assert first is not None
    second = ana.next_sentence(first)
    assert second is not None
    ana.tag(first, "claim", 0, 5)
    ana.toggle_done(first)
    ana.move(first, second)
    source_id = ana.create_source("Gaza health ministry", "government", ("the ministry",))
    span = ana.tag(second, "source", 0, 3)
    ana.set_source(span, source_id)
    ana.undo()  # the change log holds an undo too
    return database


def export(runner: CliRunner, url: str, *args: str) -> str:
    result = runner.invoke(cli, ["export", "--db", url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_copy_moves_everything_and_the_copy_keeps_working(
    db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    source = build_source(tmp_path / "laptop.db")
    result = runner.invoke(cli, ["copy", str(tmp_path / "laptop.db"), db_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"copied {tmp_path / 'laptop.db'} to {db_url}: ")
    assert "documents 1, " in result.stdout and "change_log " in result.stdout
    target = open_database(db_url)
    assert table_contents(target) == table_contents(source)
    for args in (["--format", "jsonl"], [], ["--view", "claims"], ["--view", "sources"]):
        assert export(runner, db_url, *args) == export(runner, source.url, *args)

    # The copy is a working database: ana resumes where she was, her undo history
    # continues, and new rows get fresh ids (PostgreSQL's sequences moved on).
    ana_here, ana_there = Workspace(source, "ana"), Workspace(target, "ana")
    assert ana_there.start_position() == ana_here.start_position()
    assert ana_there.progress() == ana_here.progress()
    assert ana_there.undo() == ana_here.undo()
    assert table_contents(target)["annotations"] == table_contents(source)["annotations"]
    copied = table_contents(target)
    fresh = ana_there.tag(ana_there.start_position() or 0, "figure", 0, 2)
    assert fresh > max(row[0] for row in copied["annotations"])
    assert ana_there.create_source("A new source", None) > max(row[0] for row in copied["sources"])
    source.dispose()
    target.dispose()


def test_copy_refuses_a_target_that_holds_data(
    db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    source = build_source(tmp_path / "laptop.db")
    occupied = open_database(db_url)
    Workspace(occupied, "ben").create_source("Hamas", None)
    before = table_contents(occupied)
    result = runner.invoke(cli, ["copy", str(tmp_path / "laptop.db"), db_url])
    assert result.exit_code == 1
    assert "is not empty (it has " in result.stderr
    assert "annotators" in result.stderr and "sources" in result.stderr
    assert "`annotator merge` combines two" in result.stderr
    assert table_contents(occupied) == before
    source.dispose()
    occupied.dispose()


def test_copy_names_a_missing_source_or_the_same_database(
    tmp_path: Path, runner: CliRunner
) -> None:
    missing = runner.invoke(cli, ["copy", str(tmp_path / "nope.db"), str(tmp_path / "x.db")])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == f"Error: {tmp_path / 'nope.db'}: no such database file"
    assert not (tmp_path / "x.db").exists()
    build_source(tmp_path / "a.db").dispose()
    same = runner.invoke(cli, ["copy", str(tmp_path / "a.db"), str(tmp_path / "a.db")])
    assert same.exit_code == 1
    assert "same database" in same.stderr


def test_the_target_may_be_given_as_db_or_by_the_environment(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_source(tmp_path / "a.db").dispose()
    by_option = runner.invoke(cli, ["copy", str(tmp_path / "a.db"), "--db",
                                    str(tmp_path / "b.db")])
    assert by_option.exit_code == 0, by_option.output
    assert by_option.stdout.startswith(f"copied {tmp_path / 'a.db'} to {tmp_path / 'b.db'}: ")
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "c.db"))
    by_environment = runner.invoke(cli, ["copy", str(tmp_path / "a.db")])
    assert by_environment.exit_code == 0, by_environment.output
    for name in ("b.db", "c.db"):
        copied = open_database(str(tmp_path / name))
        assert Workspace(copied, "ana").progress().done == 1
        copied.dispose()
    both = runner.invoke(cli, ["copy", str(tmp_path / "a.db"), str(tmp_path / "d.db"),
                               "--db", str(tmp_path / "e.db")])
    assert both.exit_code == 2 and "give TARGET or --db, not both" in both.stderr
