"""``annotator stats`` and the counts behind it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from annotator.cli import cli
from annotator.io.importer import import_paths
from db.annotations import NewSpan, add_span, ensure_annotator
from db.engine import Database
from db.stats import corpus_counts


def test_counts_by_label_and_annotator(database: Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Alpha said 5 things. Beta denied it.\n", encoding="utf-8")
    import_paths(database, [tmp_path / "a.txt"])
    ana_id = ensure_annotator(database, "ana")
    add_span(database, ana_id, NewSpan(sentence_id=1, label="source", start=0, end=5))
    add_span(database, ana_id, NewSpan(sentence_id=1, label="figure", start=11, end=12))
    ben_id = ensure_annotator(database, "ben")
    add_span(database, ben_id, NewSpan(sentence_id=2, label="claim", start=5, end=15))
    add_span(database, ben_id, NewSpan(sentence_id=2, label="source", start=0, end=4,
                                      status="rejected", origin="suggested"))
    counts = corpus_counts(database)
    assert (counts.documents, counts.sentences) == (1, 2)
    assert counts.by_label == {"source": 1, "figure": 1, "claim": 1}
    assert counts.by_annotator == {"ana": {"figure": 1, "source": 1}, "ben": {"claim": 1}}


def test_stats_command_output(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Talks resumed. Aid arrived. Nobody spoke.\n", encoding="utf-8")
    runner.invoke(cli, ["import", str(tmp_path / "a.txt"), "--db", db_url])
    result = runner.invoke(cli, ["stats", "--db", db_url])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["documents: 1", "sentences: 3"]
    assert any(line.split() == ["│", "claim", "│", "0", "│"] for line in lines)
