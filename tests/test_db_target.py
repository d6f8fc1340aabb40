"""Who may create a database (issue 15, item 11): only the commands that write (``import``,
``annotate``, ``merge`` into ``--db``, ``copy`` into its target), and they say so; a read
command given a database that is not there stops with one line naming it and creates
nothing, on SQLite files and on an empty PostgreSQL database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SAMPLE_TEXT
from sqlalchemy import create_engine, inspect

from annotator.cli import cli
from annotator.config import ConfigError, database_target, may_create
from db.engine import DatabaseError, mask_password, open_database, resolve_url

READ_COMMANDS = [
    ["export"],
    ["export", "--format", "jsonl"],
    ["stats"],
    ["agreement"],
    ["review"],
    ["suggest", "--annotator", "ana"],
]
CREATE_HINT = '(create one with "annotator import")'


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_read_command_on_a_missing_file_creates_nothing(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "anotations.db"
    result = runner.invoke(cli, [*command, "--db", str(typo)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: no database at {typo} {CREATE_HINT}\n"
    assert result.stdout == ""
    assert sorted(tmp_path.iterdir()) == []  # no file, no -wal or -shm beside it


def test_a_read_command_in_a_missing_folder_names_the_path(
    runner: CliRunner, tmp_path: Path
) -> None:
    typo = tmp_path / "no-such-folder" / "team.db"
    result = runner.invoke(cli, ["stats", "--db", str(typo)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: no database at {typo} {CREATE_HINT}\n"


def test_the_default_database_is_not_created_by_a_read_command(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["stats"], env={"ANNOTATOR_DB": ""})
    assert result.exit_code == 1
    assert result.stderr == f"Error: no database at {tmp_path / 'annotations.db'} {CREATE_HINT}\n"
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("command", [["stats"], ["import", str(SAMPLE_TEXT)], ["export"]],
                         ids=" ".join)
def test_an_empty_db_option_is_refused(
    runner: CliRunner, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, [*command, "--db", ""])
    assert result.exit_code == 1
    assert result.stderr == "Error: --db '' is empty: give a database file path or URL\n"
    assert os.listdir(tmp_path) == []  # ./annotations.db was not used instead


@pytest.mark.parametrize("target", ["file:a.db", "sqlite:a.db", "postgresql:team"])
@pytest.mark.parametrize("command", [["stats"], ["import", str(SAMPLE_TEXT)]], ids=" ".join)
def test_a_url_without_slashes_is_refused_not_taken_for_a_file_name(
    runner: CliRunner, command: list[str], target: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, [*command, "--db", target])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: not a database path or URL: {target!r} looks like a URL without '//'")
    path = target.split(":", 1)[1]
    assert f"write sqlite:///{path}" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert os.listdir(tmp_path) == []


def test_url_rules_in_one_place() -> None:
    with pytest.raises(DatabaseError, match="looks like a URL without '//'"):
        resolve_url("file:a.db")
    with pytest.raises(DatabaseError, match="is empty"):
        resolve_url("")
    # A Windows drive letter and a plain relative name stay paths.
    assert resolve_url("a.db").endswith("/a.db")
    assert resolve_url("C:data.db").startswith("sqlite:///")
    with pytest.raises(ConfigError, match="--db '' is empty"):
        database_target("")
    assert database_target(None, {"ANNOTATOR_DB": ""}) == "annotations.db"
    assert database_target(None, {"ANNOTATOR_DB": "team.db"}) == "team.db"
    assert [name for name in ("import", "annotate", "merge", "copy", "export", "stats",
                              "agreement", "review", "suggest") if may_create(name)] == [
        "import", "annotate", "merge", "copy"]


def test_import_says_it_created_the_database_once(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    first = runner.invoke(cli, ["import", str(SAMPLE_TEXT), "--db", str(path)])
    assert first.exit_code == 0, first.stderr
    assert first.stderr == f"created new database {path}\n"
    again = runner.invoke(cli, ["import", str(SAMPLE_TEXT), "--db", str(path)])
    assert again.exit_code == 0
    assert again.stderr == ""
    # Now that it exists, the read commands read it.
    stats = runner.invoke(cli, ["stats", "--db", str(path)])
    assert stats.exit_code == 0, stats.stderr
    assert stats.stderr == ""


def test_merge_and_copy_targets_are_created_and_say_so(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "laptop.db"
    assert runner.invoke(cli, ["import", str(SAMPLE_TEXT), "--db", str(source)]).exit_code == 0
    team = tmp_path / "team.db"
    merged = runner.invoke(cli, ["merge", str(source), "--db", str(team)])
    assert merged.exit_code == 0, merged.stderr
    assert merged.stderr == f"created new database {team}\n"
    copied_to = tmp_path / "copy.db"
    copied = runner.invoke(cli, ["copy", str(source), str(copied_to)])
    assert copied.exit_code == 0, copied.stderr
    assert copied.stderr == f"created new database {copied_to}\n"
    # A missing merge source is still refused, and not created.
    missing = tmp_path / "missing.db"
    refused = runner.invoke(cli, ["merge", str(missing), "--db", str(team)])
    assert refused.exit_code == 1
    assert not missing.exists()


def test_annotate_creates_the_database_and_says_so(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "mine.db"
    # --document 999 stops it before the screen opens, after it created and filled the file.
    result = runner.invoke(cli, ["annotate", "--document", "999", "--annotator", "ana",
                                 "--db", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"created new database {path}"
    assert "no document with id 999" in result.stderr
    assert path.is_file()


@pytest.fixture
def empty_database(db_url: str) -> str:
    """A database with no annotator schema: an empty SQLite file, an empty PostgreSQL
    database."""
    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).touch()
    return db_url


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_read_command_refuses_a_database_without_the_schema(
    runner: CliRunner, empty_database: str, command: list[str]
) -> None:
    result = runner.invoke(cli, [*command, "--db", empty_database])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {mask_password(empty_database)} is not an annotator database (it holds no "
        f"annotator tables); {CREATE_HINT.strip('()')}\n")
    assert _tables(empty_database) == []


def test_a_creating_command_creates_the_schema_in_an_empty_database(
    runner: CliRunner, empty_database: str
) -> None:
    result = runner.invoke(cli, ["import", str(SAMPLE_TEXT), "--db", empty_database])
    assert result.exit_code == 0, result.stderr
    shown = empty_database.removeprefix("sqlite:///") \
        if empty_database.startswith("sqlite:///") else mask_password(empty_database)
    assert result.stderr == f"created new database {shown}\n"
    assert "documents" in _tables(empty_database)
    stats = runner.invoke(cli, ["stats", "--db", empty_database])
    assert stats.exit_code == 0, stats.stderr


def test_a_merge_source_without_the_schema_is_refused_untouched(
    runner: CliRunner, empty_database: str, tmp_path: Path
) -> None:
    team = tmp_path / "team.db"
    open_database(str(team)).dispose()
    result = runner.invoke(cli, ["merge", empty_database, "--db", str(team)])
    assert result.exit_code == 1
    assert "is not an annotator database" in result.stderr
    assert _tables(empty_database) == []
