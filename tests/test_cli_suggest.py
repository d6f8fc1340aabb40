"""`annotator suggest`, and the suggestions switch of `annotator annotate`."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.scheme import Scheme
from annotator.tui import launch as tui_launch
from db.engine import Database

SAMPLE = Path(__file__).resolve().parents[1] / "sample" / "gaza-aid-talks.txt"


def _invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_suggest_stores_once_and_exports_only_when_asked(runner: CliRunner, db_url: str) -> None:
    assert _invoke(runner, "import", str(SAMPLE), "--db", db_url)[0] == 0
    code, out, _ = _invoke(runner, "suggest", "--db", db_url, "--annotator", "ana")
    assert code == 0
    found = re.fullmatch(r"suggested (\d+) suggestions in 1 document for ana\n", out)
    assert found and int(found[1]) > 10, out
    code, out, _ = _invoke(runner, "suggest", "--db", db_url, "--annotator", "ana",
                           "--document", "1")
    assert (code, out) == (0, "suggested 0 suggestions in 1 document for ana\n")
    assert _rows(_invoke(runner, "export", "--db", db_url)[1]) == []
    pending = _rows(_invoke(runner, "export", "--db", db_url, "--status", "suggested")[1])
    assert len(pending) == int(found[1])
    assert {(row["annotator"], row["origin"]) for row in pending} == {("ana", "suggested")}
    for row in pending:
        assert row["sentence"][int(row["start"]):int(row["end"])] == row["text"]
    assert {row["label"] for row in pending} == {"claim", "source", "figure"}


def test_suggest_errors_are_one_line(runner: CliRunner, db_url: str) -> None:
    assert _invoke(runner, "import", str(SAMPLE), "--db", db_url)[0] == 0
    code, _, err = _invoke(runner, "suggest", "--db", db_url, "--document", "7")
    assert (code, err) == (1, "Error: no document with id 7\n")
    code, _, err = _invoke(runner, "suggest", "--db", db_url, "--annotator", " ")
    assert (code, err) == (1, "Error: --annotator needs a non-empty name\n")


@pytest.mark.parametrize(("args", "env", "expected"), [
    ((), {}, True), (("--no-suggest",), {}, False), ((), {"ANNOTATOR_NO_SUGGEST": "1"}, False),
])
def test_annotate_turns_suggestions_on_unless_told(
    runner: CliRunner, sqlite_file: Path, monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...], env: dict[str, str], expected: bool,
) -> None:
    seen: list[bool] = []

    def record(database: Database, annotator: str, *, show_others: bool,
               document_id: int | None, suggestions: bool, scheme: Scheme) -> None:
        seen.append(suggestions)

    monkeypatch.setattr(tui_launch, "run_annotator", record)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(cli, ["annotate", str(SAMPLE), "--db", str(sqlite_file), *args])
    assert result.exit_code == 0, result.output
    assert seen == [expected]
