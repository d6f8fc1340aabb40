"""The real article in ../shared and the bundled sample import exactly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner
from paths import SAMPLE

from annotator.cli import cli

SAMPLE_ARTICLE = SAMPLE / "gaza-aid-talks.txt"
SAMPLE_LABELS = SAMPLE / "gaza-aid-talks.labels.jsonl"


def _export(runner: CliRunner, db_url: str) -> list[dict[str, str]]:
    result = runner.invoke(cli, ["export", "--view", "sentences", "--raw", "--db", db_url])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout, newline="")))


def test_shared_article_imports_into_its_editorial_sentences(
    runner: CliRunner, db_url: str, shared_article: Path
) -> None:
    result = runner.invoke(cli, ["import", str(shared_article), "--db", db_url])
    assert result.exit_code == 0, result.output
    text = shared_article.read_text(encoding="utf-8")
    rows = _export(runner, db_url)
    paragraphs = [line for line in text.split("\n") if line.strip()]
    assert len(paragraphs) == 16
    assert len(rows) == 18
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["text"]
    sentences = [row["text"] for row in rows]
    assert sentences[0].startswith("**DayofPal**– Hamas confirmed on Saturday")
    assert sentences[0].endswith("negotiations for its second phase.")
    assert sentences[6].endswith("without displacing its Palestinian inhabitants.")
    assert sentences[7].startswith("However, both Israel and the United States")
    assert sentences[7].endswith("proposed by U.S. President Donald Trump.")
    assert sentences[9].startswith("Egypt’s State Information Service confirmed")
    assert sentences[10] == (
        "The first phase of the ceasefire, which lasted 42 days, concluded in early March."
    )
    assert sentences[11].startswith("However, Israel has thus far refused")
    assert sentences[12].startswith("Israeli Prime Minister Benjamin Netanyahu, emboldened by U.S.")
    assert sentences[-1] == paragraphs[-1].strip()
    assert sentences[-1].startswith("Shortlink for this post: [https://")
    # Every paragraph is covered by whole sentences, nothing lost in between.
    rebuilt = " ".join(sentences)
    assert rebuilt == " ".join(p.strip() for p in paragraphs)
    assert {row["document_title"] for row in rows} == {"dayofpal-ceasefire-2025"}
    again = runner.invoke(cli, ["import", str(shared_article), "--db", db_url])
    assert "1 already present" in again.stdout


def test_sample_article_imports_and_its_labels_fit(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(cli, ["import", str(SAMPLE_ARTICLE), "--db", db_url])
    assert result.exit_code == 0, result.output
    text = SAMPLE_ARTICLE.read_text(encoding="utf-8")
    rows = _export(runner, db_url)
    assert 15 <= len(rows) <= 25
    assert len(rows) == 20
    assert rows[0]["document_title"] == text.split("\n")[0]
    [record] = [json.loads(line) for line in SAMPLE_LABELS.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == text
    spans = [(int(row["start"]), int(row["end"])) for row in rows]
    labels = {annotation["label"] for annotation in record["annotations"]}
    assert labels == {"claim", "source", "figure"}
    for annotation in record["annotations"]:
        start, end = annotation["start"], annotation["end"]
        assert text[start:end] == annotation["text"]
        # Every reference label lies inside one sentence, so it can be annotated there.
        assert any(s <= start and end <= e for s, e in spans), annotation
