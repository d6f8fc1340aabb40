"""`annotator annotate` wiring: what it imports and opens, and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import tui_launch
from annotator.cli import cli
from db.engine import Database, open_database
from db.stats import corpus_counts


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bool, int | None]]:
    """Record what the screen would have been opened on, instead of opening it."""
    calls: list[tuple[str, str, bool, int | None]] = []

    def record(database: Database, annotator: str, *, show_others: bool,
               document_id: int | None, suggestions: bool) -> None:
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
