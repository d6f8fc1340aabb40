"""`annotator review` wiring: what it opens, with which filter, and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_helpers import build_review_corpus

from annotator.cli import cli
from annotator.scheme import Scheme
from annotator.tui import launch as tui_launch
from db import review
from db.annotations import ensure_annotator
from db.engine import Database, open_database
from db.filters import AnnotationFilter
from db.read_models import ReviewQuery


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Record what would have been opened, instead of opening it."""
    calls: list[tuple] = []

    def review(database: Database, reviewer: str, query: ReviewQuery, scheme: Scheme) -> None:
        calls.append(("review", reviewer, query))

    def adjudicate(database: Database, adjudicator: str, annotators: tuple[str, ...],
                   scheme: Scheme | None = None) -> None:
        calls.append(("adjudicate", adjudicator, annotators))

    monkeypatch.setattr(tui_launch, "run_review", review)
    monkeypatch.setattr(tui_launch, "run_adjudication", adjudicate)
    return calls


@pytest.fixture
def filled(db_url: str, tmp_path: Path) -> str:
    database = open_database(db_url)
    try:
        build_review_corpus(database, tmp_path / "in")
    finally:
        database.dispose()
    return db_url


def test_review_opens_with_the_filter_and_reviewer(
    runner: CliRunner, filled: str, launched: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANNOTATOR_NAME", "rita")
    result = runner.invoke(cli, ["review", "--db", filled, "--annotator", "bob",
                                 "--label", "figure", "--status", "suggested",
                                 "--document", "1"])
    assert result.exit_code == 0, result.output
    assert launched == [("review", "rita", ReviewQuery(AnnotationFilter(
        ("bob",), ("figure",), ("suggested",), (1,))))]
    result = runner.invoke(cli, ["review", "--db", filled, "--reviewer", "sam"])
    assert result.exit_code == 0, result.output
    assert launched[-1] == ("review", "sam", ReviewQuery())


def test_adjudicate_opens_on_the_annotators(runner: CliRunner, filled: str, launched) -> None:
    result = runner.invoke(cli, ["review", "--adjudicate", "ana", "bob", "--db", filled,
                                 "--reviewer", "judy"])
    assert result.exit_code == 0, result.output
    assert launched == [("adjudicate", "judy", ("ana", "bob"))]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--annotator", "nobody"], "no annotator called 'nobody'"),
    (["--document", "99"], "no document with id 99"),
    (["--adjudicate", "ana", "zed"], "no annotator called 'zed'"),
    (["--adjudicate", "ana"], "--adjudicate needs two or more annotators"),
    (["--adjudicate", "ana", "gold"], "gold is the layer adjudication writes"),
    (["--adjudicate", "ana", "bob", "--label", "claim"], "do not apply to --adjudicate"),
    (["ana", "bob"], "annotator names as arguments are for --adjudicate"),
    (["--reviewer", " "], "--reviewer needs a non-empty name"),
])
def test_errors_are_one_line(runner: CliRunner, filled: str, launched: list,
                             arguments: list[str], message: str) -> None:
    result = runner.invoke(cli, ["review", "--db", filled, *arguments])
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert launched == []


def test_prodigy_and_doccano_leave_out_rejected_spans_unless_asked(
    runner: CliRunner, filled: str
) -> None:
    database = open_database(filled)
    try:
        rejected = review.review_page(database, ReviewQuery(text="Hamas"))[0]
        rita_id = ensure_annotator(database, "rita")
        review.decide(database, rita_id, rejected.id, "rejected")
    finally:
        database.dispose()
    for fmt, key in (("prodigy", "spans"), ("doccano", "entities")):
        # ana's and bob's layers, each a record of its own (--all-annotators).
        result = runner.invoke(cli, ["export", "--format", fmt, "--all-annotators",
                                     "--db", filled])
        assert result.exit_code == 0, result.output
        shown = [span for line in result.stdout.splitlines() for span in json.loads(line)[key]]
        assert len(shown) == 5  # seven spans: one rejected, one a pending suggestion
        asked = runner.invoke(cli, ["export", "--format", fmt, "--status", "rejected",
                                    "--db", filled])
        assert len(json.loads(asked.stdout)[key]) == 1
    jsonl = runner.invoke(cli, ["export", "--format", "jsonl", "--db", filled])
    statuses = [a["status"] for a in json.loads(jsonl.stdout)["annotations"]]
    assert statuses.count("rejected") == 1  # the native format keeps it, marked
