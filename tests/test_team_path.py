"""The team path as one capability (issue 15): two annotators offline, merge, agreement,
adjudication into gold, export in every format, re-import of the native export.

Played on the real article in ``../shared/corpus/`` (skipped when it is absent) and on the
bundled sample; every step is followed by invariants, not only exit codes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from paths import SAMPLE_TEXT
from sqlalchemy import func, select
from team_helpers import ARTICLE, TeamCounts, counts, run_ok, sentence_ids
from terminal import HAVE_TMUX, Pane
from workspace_helpers import tag_words

from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.versions import AGREED
from annotator.workspace import Workspace
from db.engine import Database, open_database
from db.models import Annotation, Annotator

pytestmark = pytest.mark.skipif(ARTICLE is None, reason="../shared/corpus is absent")


@dataclass
class Laptops:
    ana: Path
    bob: Path


def _work_of_ana(database: Database) -> None:
    """Suggestions first: one rejected source whose claim is accepted, the rest accepted."""
    ana = Workspace(database, "ana", suggestions=True)
    ids = sentence_ids(ana)
    document_id = ana.view(ids[0]).document_id
    ana.suggest(document_id)

    def suggested(sentence_id: int, label: str, text: str) -> int:
        for annotation in ana.view(sentence_id).annotations:
            if annotation.label == label and annotation.text.startswith(text):
                return annotation.id
        raise AssertionError(f"no suggested {label} {text!r}")

    # 1: the source "Hamas" is rejected, its claim accepted: the link must not count.
    ana.reject([suggested(ids[0], "source", "Hamas")])
    ana.accept([suggested(ids[0], "claim", "diplomatic mediation efforts")])
    # 2 and 3: source and claim accepted together.
    ana.accept([suggested(ids[1], "source", "Hamas spokesperson"),
                suggested(ids[1], "claim", "“positive indicators”")])
    ana.accept([suggested(ids[2], "source", "Al-Qanoua"),
                suggested(ids[2], "claim", "The efforts of Egyptian")])
    # 7: a figure supporting a claim in the author's voice.
    figure = suggested(ids[6], "figure", "$53 billion")
    ana.accept([figure])
    claim = tag_words(ana, ids[6], "claim", "an ambitious five-year, $53 billion reconstruction")
    ana.link_figure(figure, claim)
    for sentence_id in ids[:7]:
        ana.toggle_done(sentence_id)
    _sample_work(ana, "over")
    ana.remember_position(ids[6])


def _work_of_bob(database: Database) -> None:
    """By hand: the same claims, one mapped to another source, one with edges that differ."""
    bob = Workspace(database, "bob")
    ids = sentence_ids(bob)
    bob.tag(ids[0], "claim", *_span(bob, ids[0], "diplomatic mediation efforts"))
    hamas = bob.create_source("Hamas", "party_or_armed_group")
    speaker = tag_words(bob, ids[1], "source", "Hamas spokesperson Abdul Latif Al-Qanoua")
    bob.set_source(speaker, hamas)
    # Without the opening quote: the same claim as ana's, differing only by an edge quote.
    claim = tag_words(bob, ids[1], "claim",
                      "positive indicators” suggesting movement in this direction")
    bob.attribute_to_span(claim, speaker)
    qanoua = bob.create_source("Abdul Latif Al-Qanoua", "party_or_armed_group", ("Al-Qanoua",))
    again = tag_words(bob, ids[2], "source", "Al-Qanoua")
    bob.set_source(again, qanoua)
    quote = _quote_of(bob, ids[2])
    bob.attribute_to_span(quote, again)
    figure = tag_words(bob, ids[6], "figure", "$53 billion")
    bob.set_figure(figure, 53e9, "USD", None)
    for sentence_id in ids[:7]:
        bob.toggle_done(sentence_id)
    _sample_work(bob, None)
    bob.remember_position(ids[2])


def _sample_work(workspace: Workspace, qualifier: str | None) -> None:
    """The sample's headline figure, the same value with another qualifier, marked done."""
    headline = workspace.goto(2, 1)
    assert headline is not None
    figure = tag_words(workspace, headline, "figure", "$4.2 billion")
    workspace.set_figure(figure, 4.2e9, "USD", qualifier)
    workspace.toggle_done(headline)


def _span(workspace: Workspace, sentence_id: int, prefix: str) -> tuple[int, int]:
    """The span of ana's suggested claim starting with ``prefix`` (to the sentence's end)."""
    text = workspace.view(sentence_id).text
    start = text.index(prefix)
    return start, len(text) - 1


def _quote_of(workspace: Workspace, sentence_id: int) -> int:
    text = workspace.view(sentence_id).text
    start = text.index("The efforts of Egyptian")
    end = text.index(",”")
    return workspace.tag(sentence_id, "claim", start, end)


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[Laptops]:
    assert ARTICLE is not None
    paths = Laptops(tmp_path / "ana.db", tmp_path / "bob.db")
    for path, work in ((paths.ana, _work_of_ana), (paths.bob, _work_of_bob)):
        run_ok("import", str(ARTICLE), str(SAMPLE_TEXT), "--db", str(path))
        database = open_database(str(path))
        try:
            work(database)
        finally:
            database.dispose()
    yield paths


def _open_counts(target: str) -> TeamCounts:
    database = open_database(target)
    try:
        return counts(database)
    finally:
        database.dispose()


def _agreement(target: str) -> dict[str, Any]:
    return json.loads(run_ok("agreement", "--annotators", "ana", "bob", "--json", "--db", target))


def _adjudicate(target: str) -> None:
    """Every agreed row at once, then ana's version of every other row (the real screen
    does the same with A and t; tests/test_tui_adjudicate.py drives it)."""
    database = open_database(target)
    try:
        session = AdjudicationSession(database, "judge", ["ana", "bob"])
        assert session.take_all_agreed() > 0
        sentence_id = session.first_sentence()
        while sentence_id is not None:
            for group in session.groups(sentence_id):
                if group.kind == AGREED or any(group.in_gold(v) for v in group.versions):
                    continue
                chosen = next((v for v in group.versions if v.annotator == "ana"), None)
                if chosen is not None:
                    session.take(chosen, group)
                else:
                    session.reject_both(group)
            sentence_id = session.next_sentence(sentence_id)
    finally:
        database.dispose()


def test_the_team_path(laptops: Laptops, db_url: str, tmp_path: Path) -> None:
    ana, bob = _open_counts(str(laptops.ana)), _open_counts(str(laptops.bob))

    # merge: every count arrives; merging twice adds nothing
    run_ok("merge", str(laptops.ana), str(laptops.bob), "--db", db_url)
    merged = _open_counts(db_url)
    assert merged.annotations == ana.annotations + bob.annotations
    assert merged.links == ana.links + bob.links
    assert merged.done == ana.done + bob.done == 16
    assert merged.positions == {"ana": ana.positions["ana"], "bob": bob.positions["bob"]}
    assert merged.history == ana.history + bob.history
    run_ok("merge", str(laptops.ana), str(laptops.bob), "--db", db_url)
    assert _open_counts(db_url) == merged
    stats = run_ok("stats", "--db", db_url)
    assert "0 done" not in stats

    # agreement on the merged database = agreement on both laptops' work put together
    # another way (their native exports imported into one fresh database)
    together = f"sqlite:///{tmp_path / 'together.db'}"
    for laptop in (laptops.ana, laptops.bob):
        native = tmp_path / f"{laptop.stem}.jsonl"
        run_ok("export", "--format", "jsonl", "--db", str(laptop), "--out", str(native))
        run_ok("import", str(native), "--db", together)
    report = _agreement(db_url)
    assert report == _agreement(together)
    assert report["sentences"] == 8
    # ana's 4 claims, bob's 3; sentence 2's differ only by an edge quote (overlap, not exact)
    assert (_pair(report, "claim", "exact")["matched"],
            _pair(report, "claim", "overlap")["matched"]) == (2, 3)
    # of the 3 matched claims, sentence 1's agree ("none": ana's link to the rejected
    # "Hamas" does not count) and sentence 3's; sentence 2's name different sources
    assert _observed(report, "attribution") == pytest.approx(2 / 3)

    # adjudication into gold: agreed rows at once, ana's version elsewhere
    _adjudicate(db_url)
    gold = _rows(db_url, "--view", "claims", "--annotator", "gold")
    by_text = {row["claim_text"]: row for row in gold}
    positive = next(row for text, row in by_text.items() if "positive indicators" in text)
    efforts = next(row for text, row in by_text.items() if text.startswith("The efforts"))
    mediation = next(row for text, row in by_text.items() if "mediation efforts" in text)
    assert positive["source_name"] == efforts["source_name"] == "Abdul Latif Al-Qanoua"
    assert positive["attribution"] == efforts["attribution"] == "source"
    assert mediation["attribution"] == "none" and mediation["source_name"] == ""
    assert sum("positive indicators" in text for text in by_text) == 1  # one row, not two
    figures = _rows(db_url, "--view", "figures", "--annotator", "gold")
    # only figures supporting a claim are in the figures view: the article's
    assert [(row["text"], float(row["value"]), row["unit"]) for row in figures] == [
        ("$53 billion", 53e9, "USD")]
    # the sample's headline figure differed by its qualifier: not agreed, ana's taken
    headline = [row for row in _rows(db_url, "--label", "figure", "--annotator", "gold")
                if row["text"] == "$4.2 billion"]
    assert [(float(row["figure_value"]), row["figure_qualifier"]) for row in headline] == [
        (4.2e9, "over")]

    # export in every format: every link that is written has both ends accepted and written
    _check_every_format(db_url, tmp_path / "out")

    # round trip: the native export, imported into a fresh database, holds the same
    native = tmp_path / "team.jsonl"
    run_ok("export", "--format", "jsonl", "--db", db_url, "--out", str(native))
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    run_ok("import", str(native), "--db", fresh)
    after, again = _open_counts(db_url), _open_counts(fresh)
    assert (again.annotations, again.links, again.done, again.positions) == (
        after.annotations, after.links, after.done, after.positions)
    assert _agreement(fresh) == report


def _pair(report: dict[str, Any], label: str, match: str) -> dict[str, Any]:
    for pair in report["spans"]:
        if (pair["label"], pair["match"]) == (label, match):
            return pair
    raise AssertionError(f"no {label} {match} scores in {report['spans']!r}")


def _observed(report: dict[str, Any], item: str) -> float | None:
    for category in report["categories"]:
        if category["item"] == item:
            (pair,) = category["pairs"]
            return pair["observed"]
    raise AssertionError(f"no {item} in {report['categories']!r}")


def _rows(target: str, *args: str) -> list[dict[str, str]]:
    text = run_ok("export", *args, "--db", target)
    return list(csv.DictReader(io.StringIO(text)))


def _check_every_format(target: str, out: Path) -> None:
    out.mkdir()
    # tables: every id a row points at is a row of the same export, and accepted
    spans = _rows(target, "--view", "spans", "--annotator", "gold", "--annotator", "ana",
                  "--annotator", "bob")
    ids = {row["annotation_id"] for row in spans}
    assert {row["status"] for row in spans} == {"accepted"}
    for row in spans:
        if row["attributed_to"]:
            assert row["attributed_to"] in ids and row["attribution"] == "source"
        if row["label"] == "claim":
            assert row["attribution"] in ("source", "author", "none")
    claims = _rows(target, "--view", "claims", "--annotator", "gold")
    gold_ids = {row["annotation_id"] for row in spans if row["annotator"] == "gold"}
    for row in claims:
        assert row["claim_id"] in gold_ids
        assert not row["source_span_id"] or row["source_span_id"] in gold_ids
    for row in _rows(target, "--view", "figures", "--annotator", "gold"):
        assert row["claim_id"] in gold_ids and row["figure_id"] in gold_ids

    # pandas reads every table in one call, with typed columns
    pandas = pytest.importorskip("pandas")
    for view in ("spans", "claims", "figures", "sources", "sentences"):
        path = out / f"{view}.csv"
        layer = () if view == "sentences" else ("--annotator", "gold")
        run_ok("export", "--view", view, *layer, "--db", target, "--out", str(path))
        frame = pandas.read_csv(path)
        assert len(frame) > 0, view
        for column in ("document_id", "sentence_number", "start", "end"):
            if column in frame:
                assert str(frame[column].dtype) == "int64", (view, column)
        if view == "figures":
            assert pandas.api.types.is_numeric_dtype(frame["value"])
            assert frame["value"].tolist() == [53e9]
        if view == "sentences":
            assert frame["sentence_number"].min() == 1
    jsonl = out / "claims.jsonl"
    run_ok("export", "--view", "claims", "--format", "jsonl", "--annotator", "gold",
           "--db", target, "--out", str(jsonl))
    assert len(pandas.read_json(jsonl, lines=True)) == len(claims)

    # tools' formats: the gold layer alone, relations only between exported spans
    for fmt in ("doccano", "prodigy"):
        lines = run_ok("export", "--format", fmt, "--annotator", "gold", "--db", target)
        for line in lines.splitlines():
            record = json.loads(line)
            _check_tool_record(fmt, record)
    brat = out / "brat"
    run_ok("export", "--format", "brat", "--annotator", "gold", "--db", target,
           "--out", str(brat))
    anns = list(brat.rglob("*.ann"))
    assert anns and all(path.parent.name == "gold" for path in anns)
    for path in anns:
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        bound: set[str] = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                key, body, words = line.split("\t")
                _label, start, end = body.split(" ")
                assert text[int(start):int(end)] == words
                bound.add(key)
            elif line.startswith("R"):
                _key, body = line.split("\t")[:2]
                _type, first, second = body.split(" ")
                assert first.split(":")[1] in bound and second.split(":")[1] in bound


def _check_tool_record(fmt: str, record: dict[str, Any]) -> None:
    if fmt == "doccano":
        assert record.get("annotator") == "gold"
        entities = {entity["id"]: entity for entity in record.get("entities", [])}
        for entity in entities.values():
            assert record["text"][entity["start_offset"]:entity["end_offset"]]
        for relation in record.get("relations", []):
            assert relation["from_id"] in entities and relation["to_id"] in entities
    else:
        assert record.get("_annotator_id") == "gold"
        spans = record.get("spans", [])
        for span in spans:
            assert record["text"][span["start"]:span["end"]]
        starts = {(span["start"], span["end"]) for span in spans}
        for relation in record.get("relations", []):
            head, child = relation["head_span"], relation["child_span"]
            assert (head["start"], head["end"]) in starts
            assert (child["start"], child["end"]) in starts


def _gold_count(target: str) -> int:
    database = open_database(target)
    try:
        with database.reads() as session:
            return session.scalar(
                select(func.count()).select_from(Annotation)
                .join(Annotator, Annotator.id == Annotation.annotator_id)
                .where(Annotator.name == "gold", Annotation.status == "accepted")) or 0
    finally:
        database.dispose()


def _walk_and_mark(db_path: Path, annotator: str, at: int, key: str, to: int) -> None:
    """In the real binary: reopen where ``annotator`` left off (``at``), ``key`` to
    ``to``, `d` to mark it done, `q`."""
    pane = Pane(db_path, annotator)
    try:
        pane.wait_for(re.compile(rf"\b{at}/\d+ +document 1/2"))
        pane.press(key)
        pane.wait_for(re.compile(rf"\b{to}/\d+ +document 1/2$", re.M))  # not done yet
        pane.press("d")
        pane.wait_for(re.compile(rf"\b{to}/\d+ +document 1/2 +✓ done"))
        pane.press("q")
        pane.wait_for_exit()
    finally:
        pane.close()


@pytest.mark.skipif(not HAVE_TMUX, reason="tmux is not installed")
def test_the_team_path_in_the_real_terminal(laptops: Laptops, tmp_path: Path) -> None:
    """The interactive steps in the real binary: each annotator reopens where they left
    off and marks one more sentence done; the adjudicator takes every agreed span with A."""
    _walk_and_mark(laptops.ana, "ana", 7, "j", 8)
    _walk_and_mark(laptops.bob, "bob", 3, "n", 8)  # the next sentence bob has not done
    team = tmp_path / "team.db"
    run_ok("merge", str(laptops.ana), str(laptops.bob), "--db", str(team))
    # sentences 1-8 of the article and the sample's headline, by both
    assert _agreement(str(team))["sentences"] == 9
    assert _open_counts(str(team)).done == 18

    expected = tmp_path / "expected.db"
    run_ok("copy", str(team), str(expected))
    database = open_database(str(expected))
    try:
        taken = AdjudicationSession(database, "judge", ["ana", "bob"]).take_all_agreed()
    finally:
        database.dispose()
    assert taken > 0

    pane = Pane(team, "judge", command=("review", "--adjudicate", "ana", "bob"))
    try:
        pane.wait_for("decided")
        pane.press("A")
        pane.wait_for("Take every agreed span")
        pane.press("y")
        pane.wait_for("Took")
        pane.press("q")
        pane.wait_for_exit()
    finally:
        pane.close()
    assert _gold_count(str(team)) == _gold_count(str(expected)) > 0
    gold = {row["claim_text"]: row for row in
            _rows(str(team), "--view", "claims", "--annotator", "gold")}
    efforts = next(row for text, row in gold.items() if text.startswith("The efforts"))
    assert (efforts["attribution"], efforts["source_name"]) == ("source", "Abdul Latif Al-Qanoua")
