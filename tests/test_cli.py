"""The command line as a whole: help, version, and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from click.testing import CliRunner

from annotator import __version__
from annotator.cli import cli
from db.engine import open_database


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines()
              if line.strip()}
    assert listed == set(cli.commands)
    assert {"import", "export", "stats"} <= listed


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"annotator, version {__version__}"
    # The package states its version itself (no metadata lookup at start); the installed
    # distribution must carry the same one (pyproject.toml reads it from the package).
    assert metadata.version("claim-annotator") == __version__


def test_every_command_takes_db(runner: CliRunner) -> None:
    for name in cli.commands:
        if name == "labels":  # prints the scheme file; opens no database
            continue
        result = runner.invoke(cli, [name, "--help"])
        assert "--db PATH|URL" in result.output, name


def test_newer_schema_is_a_one_line_error(runner: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    path = tmp_path / "future.db"
    open_database(str(path)).dispose()
    assert runner.invoke(cli, ["stats", "--db", str(path)]).exit_code == 0
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    result = runner.invoke(cli, ["stats", "--db", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: database schema 'zzzz' was written by a newer version of annotator; "
        "upgrade claim-annotator to open it"
    )


def test_the_console_script_turns_the_collector_back_on_and_freezes_the_modules() -> None:
    code = ("import gc, sys\n"
            "sys.argv = ['annotator', '--version']\n"
            "from annotator.entry_point import main\n"
            "try:\n    main()\n"
            "except SystemExit as done:\n"
            "    print(gc.isenabled(), gc.get_freeze_count() > 10_000, done.code)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines() == [f"annotator, version {__version__}", "True True 0"]
