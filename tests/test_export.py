"""Exporting sentences: columns, RFC 4180, formula safety, output files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.io.csv_safety import neutralize

HOSTILE = (
    "Markup [bold red]x[/] and \\ stay.\n"
    "=HYPERLINK(\"http://evil.example\",\"click\") is data.\n"
    "Quote \"inside\", comma.\n"
)


@pytest.fixture
def filled(runner: CliRunner, db_url: str, tmp_path: Path) -> str:
    (tmp_path / "a.txt").write_text("Headline here\nFirst one. Second one.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(HOSTILE, encoding="utf-8")
    result = runner.invoke(cli, ["import", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                                 "--db", db_url])
    assert result.exit_code == 0, result.output
    return db_url


def _rows(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output, newline="")))


def test_sentences_csv(runner: CliRunner, filled: str) -> None:
    result = runner.invoke(cli, ["export", "--view", "sentences", "--format", "csv",
                                 "--db", filled])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert rows[0] == ["document_id", "document_title", "sentence_number", "start", "end",
                       "text"]
    # Sentence numbers are 1-based, as the screens show them.
    assert rows[1:4] == [
        ["1", "Headline here", "1", "0", "13", "Headline here"],
        ["1", "Headline here", "2", "14", "24", "First one."],
        ["1", "Headline here", "3", "25", "36", "Second one."],
    ]
    texts = [row[5] for row in rows[4:]]
    assert texts[0] == "Markup [bold red]x[/] and \\ stay."
    assert texts[1] == "'=HYPERLINK(\"http://evil.example\",\"click\") is data."
    assert texts[2] == "Quote \"inside\", comma."
    assert result.stdout_bytes.count(b"\r\n") == len(rows)


def test_raw_keeps_formulas_and_jsonl_is_never_altered(runner: CliRunner, filled: str) -> None:
    raw = runner.invoke(cli, ["export", "--view", "sentences", "--raw", "--db", filled])
    assert [row[5] for row in _rows(raw.stdout)][5] == (
        "=HYPERLINK(\"http://evil.example\",\"click\") is data."
    )
    jsonl = runner.invoke(cli, ["export", "--view", "sentences", "--format", "jsonl",
                                "--db", filled])
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert records[4]["text"].startswith("=HYPERLINK(")
    assert set(records[0]) == {"document_id", "document_title", "sentence_number", "start",
                               "end", "text"}


def test_excel_bom_out_file_and_document_filter(
    runner: CliRunner, filled: str, tmp_path: Path
) -> None:
    out = tmp_path / "sentences.csv"
    result = runner.invoke(cli, ["export", "--view", "sentences", "--excel", "--document", "2",
                                 "--out", str(out), "--db", filled])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data.decode("utf-8-sig"))
    assert {row[0] for row in rows[1:]} == {"2"}
    assert len(rows) == 4
    assert not list(tmp_path.glob(".*partial"))


def test_unknown_document_and_bad_out_folder(
    runner: CliRunner, filled: str, tmp_path: Path
) -> None:
    missing = runner.invoke(cli, ["export", "--document", "99", "--db", filled])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "Error: no document with id 99"
    bad = runner.invoke(cli, ["export", "--out", str(tmp_path / "no" / "x.csv"), "--db", filled])
    assert bad.exit_code == 1
    assert "does not exist" in bad.stderr


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("-12.5", "-12.5"), ("+3", "+3"), ("1e5", "1e5"),
        ("plain", "plain"), ("", ""),
    ],
)
def test_neutralize(cell: str, expected: str) -> None:
    assert neutralize(cell) == expected
