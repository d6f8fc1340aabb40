"""Every view and format tells the same truth (issue 15, items 2, 3, 5, 7, 8 and 9).

A link (claim attributed to a source span, figure supporting a claim) counts once both its
ends are accepted: the annotation list, the spans, claims and figures tables (CSV and
JSONL), doccano, Prodigy and brat all show it then, and only then. Each table loads in one
pandas call with typed columns; sentence numbers are 1-based everywhere; the exports meant
for other tools hold one annotator's layer per document.
"""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tui_helpers import SIZE, current, main_screen, screen_text
from tui_helpers import build_database as build_tui_database

from annotator.cli import cli
from annotator.io.brat import folders_for, layer_folder
from annotator.io.layers import layers
from annotator.io.output import OutputError
from annotator.tui.app import AnnotatorApp
from annotator.workspace import Workspace
from db.adjudication import take_versions
from db.annotations import annotator_named
from db.document_records import DocumentRecord, LinkRecord, SpanRecord
from db.engine import Database, open_database
from db.models import Annotation, Annotator
from db.navigation import sentence_at
from db.read_models import ReviewQuery
from db.review import review_page
from db.stats import source_usage
from db.suggestions import ProposedSpan, store_suggestions
from db.values import Figure

TEXT = ("Officials said over 160,000 people fled. The ministry said 12.5 percent of aid "
        "arrived. Aid was slow. Nobody knows why.\n")


def _span(key: str, annotator: str, label: str, text: str, *, status: str = "accepted",
          after: str = "", **attrs: Any) -> dict[str, Any]:
    start = TEXT.index(text, TEXT.index(after) if after else 0)
    return {"id": key, "annotator": annotator, "label": label, "start": start,
            "end": start + len(text), "status": status, "attrs": attrs}


def scenario(source_status: str = "rejected", claim_status: str = "accepted",
             figure_status: str = "accepted") -> dict[str, Any]:
    """ana's layer: a claim whose source span has ``source_status``, a claim attributed to an
    accepted source, the author's voice, a claim not attributed, a rejected claim under the
    accepted source, a rejected supporting figure; and ben's version of one claim."""
    spans = [
        _span("s1", "ana", "source", "Officials", status=source_status,
              source_name="Gaza officials", source_type="government"),
        _span("c1", "ana", "claim", "over 160,000 people fled", status=claim_status),
        _span("f1", "ana", "figure", "over 160,000 people", status=figure_status,
              value=160000, unit="people", qualifier="over"),
        _span("s2", "ana", "source", "The ministry", source_name="Health ministry",
              source_type="government"),
        _span("c2", "ana", "claim", "12.5 percent of aid arrived"),
        _span("f2", "ana", "figure", "12.5 percent", value=12.5, unit="percent"),
        _span("f3", "ana", "figure", "12.5 percent of aid", status="rejected", value=12.5,
              unit="percent"),
        _span("c5", "ana", "claim", "12.5 percent of aid", status="rejected"),
        _span("c3", "ana", "claim", "Aid was slow", attribution="author"),
        _span("c4", "ana", "claim", "Nobody knows why"),
        _span("bs2", "ben", "source", "The ministry", source_name="Health ministry"),
        _span("bc2", "ben", "claim", "12.5 percent of aid arrived"),
    ]
    links = [("c1", "s1", "attributed_to"), ("f1", "c1", "supports"),
             ("c2", "s2", "attributed_to"), ("f2", "c2", "supports"),
             ("f3", "c2", "supports"), ("c5", "s2", "attributed_to"),
             ("bc2", "bs2", "attributed_to")]
    return {"id": "truth", "title": "Truth", "text": TEXT, "annotations": spans,
            "links": [{"from": a, "to": b, "type": kind} for a, b, kind in links]}


def load(db: str, tmp_path: Path, document: dict[str, Any], *, gold: bool = True) -> None:
    """Import ``document``; with ``gold``, adjudicate ben's claim and source into gold."""
    path = tmp_path / "truth.jsonl"
    path.write_text(json.dumps(document) + "\n", "utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    if not gold:
        return
    database = open_database(db)
    try:
        with database.transaction() as session:
            ben = session.scalar(select(Annotator.id).where(Annotator.name == "ben"))
            chosen = session.scalars(select(Annotation.id).where(
                Annotation.annotator_id == ben).order_by(Annotation.doc_start)).all()
            adjudicator = annotator_named(session, "rev")
        take_versions(database, adjudicator, [(chosen_id, ()) for chosen_id in chosen])
    finally:
        database.dispose()


def export(db: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["export", *args, "--db", db])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.split("\n") if line]


def frame(db: str, *args: str) -> pd.DataFrame:
    """A table view as a researcher reads it: one pandas call."""
    return pd.read_csv(io.StringIO(export(db, *args), newline=""))


def by_text(table: pd.DataFrame, column: str, annotator: str = "ana") -> dict[str, Any]:
    rows = table[table["annotator"] == annotator]
    return {row[column]: row for _, row in rows.iterrows()}


# --- the link rule in every table ----------------------------------------------------------

def test_a_claim_of_a_rejected_source_is_not_attributed_in_any_table(
    db_url: str, tmp_path: Path
) -> None:
    load(db_url, tmp_path, scenario())
    claims = frame(db_url, "--view", "claims")
    ana = by_text(claims, "claim_text")
    orphan = ana["over 160,000 people fled"]
    assert orphan["attribution"] == "none"
    assert orphan[["source_id", "source_name", "source_type", "source_span_id",
                   "source_text"]].isna().all()
    attributed = ana["12.5 percent of aid arrived"]
    assert (attributed["attribution"], attributed["source_name"],
            attributed["source_type"], attributed["source_text"]) == (
        "source", "Health ministry", "government", "The ministry")
    # Item 5: the author's voice and "not attributed" are told apart.
    assert ana["Aid was slow"]["attribution"] == "author"
    assert ana["Nobody knows why"]["attribution"] == "none"
    assert "12.5 percent of aid" not in ana  # the rejected claim is not exported
    # The gold layer's claim carries the adjudicated source, through gold's own span.
    [gold] = by_text(claims, "claim_text", "gold").values()
    assert (gold["attribution"], gold["source_name"]) == ("source", "Health ministry")

    spans = frame(db_url)
    ids = set(spans["annotation_id"])
    assert set(spans["status"]) == {"accepted"}
    linked = spans[spans["attributed_to"].notna()]
    assert set(linked["attributed_to"].astype(int)) <= ids  # every link's end is exported
    assert int(gold["source_span_id"]) in ids
    assert set(claims["source_span_id"].dropna().astype(int)) <= ids
    span = by_text(spans, "text")
    assert pd.isna(span["over 160,000 people fled"]["attributed_to"])
    assert span["over 160,000 people fled"]["attribution"] == "none"
    assert pd.isna(span["over 160,000 people fled"]["source_name"])
    assert span["12.5 percent of aid arrived"]["attributed_to"] == \
        span["The ministry"]["annotation_id"]
    assert pd.isna(span["The ministry"]["attribution"])  # a kind is a claim's alone

    # The JSONL table views say the same.
    claim_lines = {(r["annotator"], r["claim_text"]): r
                   for r in lines(export(db_url, "--view", "claims", "--format", "jsonl"))}
    assert claim_lines["ana", "over 160,000 people fled"]["attribution"] == "none"
    assert claim_lines["ana", "over 160,000 people fled"]["source_span_id"] is None
    assert claim_lines["ana", "Aid was slow"]["attribution"] == "author"
    for row in lines(export(db_url, "--view", "spans", "--format", "jsonl")):
        assert row["attributed_to"] is None or row["attributed_to"] in ids

    # The rejected figure supports nothing; the accepted ones are listed with their claim.
    figures = frame(db_url, "--view", "figures")
    pairs = {(row["claim_id"], row["text"]) for _, row in figures.iterrows()}
    assert {(ana["over 160,000 people fled"]["claim_id"], "over 160,000 people"),
            (attributed["claim_id"], "12.5 percent")} == {
        pair for pair in pairs if pair[0] in set(claims[claims["annotator"] == "ana"]
                                                 ["claim_id"])}
    assert set(figures["figure_id"]) <= ids

    # Sources count claims through links that count: not the rejected claim's.
    sources = frame(db_url, "--view", "sources").set_index("name")
    assert sources.loc["Gaza officials", "claims"] == 0
    assert sources.loc["Health ministry", "claims"] == 3  # ana's, ben's and gold's


def test_every_tool_format_writes_only_links_that_count(db_url: str, tmp_path: Path) -> None:
    load(db_url, tmp_path, scenario())
    [doccano] = lines(export(db_url, "--format", "doccano", "--annotator", "ana"))
    entities = {entity["id"]: entity for entity in doccano["entities"]}
    assert len(entities) == 7  # accepted only: not the rejected source, claim and figure
    kinds = sorted((entities[r["from_id"]]["label"], entities[r["to_id"]]["label"])
                   for r in doccano["relations"])
    assert kinds == [("claim", "source"), ("figure", "claim"), ("figure", "claim")]
    [prodigy] = lines(export(db_url, "--format", "prodigy", "--annotator", "ana"))
    assert len(prodigy["relations"]) == 3
    spans = [(span["start"], span["end"], span["label"]) for span in prodigy["spans"]]
    for relation in prodigy["relations"]:
        for end in (relation["head_span"], relation["child_span"]):
            assert (end["start"], end["end"], end["label"]) in spans
    # brat holds every status (each is a Status attribute); its links are those that count.
    folder = tmp_path / "brat"
    export(db_url, "--format", "brat", "--annotator", "ana", "--out", str(folder))
    ann = (folder / "ana" / "1.ann").read_text("utf-8").splitlines()
    status = {line.split("\t")[1].split(" ")[1]: line.split("\t")[1].split(" ")[2]
              for line in ann if line.startswith("A")}
    assert sorted(status.values()).count("rejected") == 3
    relations = [line.split("\t")[1].split(" ") for line in ann if line.startswith("R")]
    assert len(relations) == 3
    for _kind, arg1, arg2 in relations:
        assert status[arg1.removeprefix("Arg1:")] == status[arg2.removeprefix("Arg2:")] == \
            "accepted"
    # The native JSONL is lossless (every status, every link); with --status accepted
    # every link it writes has both ends in the line.
    [native] = lines(export(db_url, "--format", "jsonl", "--status", "accepted"))
    keys = {annotation["id"] for annotation in native["annotations"]}
    assert native["links"] and all(link["from"] in keys and link["to"] in keys
                                   for link in native["links"])


@pytest.mark.parametrize(("claim", "source", "figure"),
                         list(itertools.product(("accepted", "suggested", "rejected"),
                                                repeat=3)))
def test_the_formats_agree_on_every_status_of_a_links_ends(
    tmp_path: Path, claim: str, source: str, figure: str
) -> None:
    db = str(tmp_path / "statuses.db")
    load(db, tmp_path, scenario(source, claim, figure), gold=False)
    everything = ("--status", "accepted", "--status", "suggested", "--status", "rejected")
    attributed = claim == source == "accepted"
    supported = claim == figure == "accepted"
    claims = {r["claim_text"]: r for r in lines(export(
        db, "--view", "claims", "--format", "jsonl", "--annotator", "ana", *everything))}
    row = claims["over 160,000 people fled"]
    assert row["attribution"] == ("source" if attributed else "none")
    assert (row["source_name"] == "Gaza officials") is attributed
    assert (row["figures"] == "160000 people [over]") is supported
    figures = lines(export(db, "--view", "figures", "--format", "jsonl", *everything))
    assert any(f["claim_id"] == row["claim_id"] for f in figures) is supported
    [doccano] = lines(export(db, "--format", "doccano", "--annotator", "ana", *everything))
    labels = {entity["id"]: entity["label"] for entity in doccano["entities"]}
    texts = {entity["id"]: TEXT[entity["start_offset"]:entity["end_offset"]]
             for entity in doccano["entities"]}
    pairs = {(texts[r["from_id"]], texts[r["to_id"]]) for r in doccano["relations"]}
    assert (("over 160,000 people fled", "Officials") in pairs) is attributed
    assert (("over 160,000 people", "over 160,000 people fled") in pairs) is supported
    assert all(labels[r["from_id"]] and labels[r["to_id"]] for r in doccano["relations"])
    [prodigy] = lines(export(db, "--format", "prodigy", "--annotator", "ana", *everything))
    assert len(prodigy["relations"]) == len(doccano["relations"])


# --- typed, tidy tables ---------------------------------------------------------------------

def test_every_table_loads_in_one_pandas_call_with_typed_columns(
    db_url: str, tmp_path: Path
) -> None:
    load(db_url, tmp_path, scenario())
    claims = pd.read_csv(io.StringIO(export(db_url, "--view", "claims")),
                         dtype={"source_id": "Int64", "source_span_id": "Int64"})
    for column in ("claim_id", "document_id", "sentence_number", "start", "end", "doc_start",
                   "doc_end"):
        assert claims[column].dtype == "int64", column
    assert claims["source_id"].dtype == "Int64" and claims["source_id"].isna().any()
    assert set(claims["attribution"]) == {"source", "author", "none"}
    figures = frame(db_url, "--view", "figures")
    assert figures["value"].dtype == "float64"  # 12.5 among them
    for column in ("claim_id", "figure_id", "sentence_number", "start", "end"):
        assert figures[column].dtype == "int64", column
    twelve = figures[figures["text"] == "12.5 percent"].iloc[0]
    assert (twelve["value"], twelve["unit"], pd.isna(twelve["qualifier"])) == (
        12.5, "percent", True)
    over = figures[figures["text"] == "over 160,000 people"].iloc[0]
    assert (over["value"], over["unit"], over["qualifier"]) == (160000, "people", "over")
    assert TEXT[over["doc_start"]:over["doc_end"]] == over["text"]
    # The same tables as JSON lines, also one call.
    claim_lines = pd.read_json(io.StringIO(export(db_url, "--view", "claims", "--format",
                                                  "jsonl")), lines=True)
    assert claim_lines["claim_id"].dtype == "int64"
    assert list(claim_lines["claim_id"]) == list(claims["claim_id"])
    spans = frame(db_url)
    assert spans["annotation_id"].dtype == "int64" and spans["doc_start"].dtype == "int64"
    sources = frame(db_url, "--view", "sources")
    assert sources["claims"].dtype == "int64" and sources["source_id"].dtype == "int64"


def test_sentence_numbers_are_one_based_as_on_the_screen_and_in_g(
    db_url: str, tmp_path: Path
) -> None:
    load(db_url, tmp_path, scenario(), gold=False)
    claims = frame(db_url, "--view", "claims")
    sentences = frame(db_url, "--view", "sentences")
    assert list(sentences["sentence_number"]) == [1, 2, 3, 4]
    database = open_database(db_url)
    try:
        with database.sessions() as session:
            stored = dict(session.execute(select(Annotation.id, Annotation.sentence_id)).all())
        for _, row in claims.iterrows():
            # `g 1:N` goes to the sentence the export numbers N.
            assert sentence_at(database, 1, int(row["sentence_number"])) == \
                stored[row["claim_id"]]
    finally:
        database.dispose()
    ana = by_text(claims, "claim_text")
    assert ana["Aid was slow"]["sentence_number"] == 3
    sentence = sentences.set_index("sentence_number").loc[3]
    assert sentence["text"] == "Aid was slow."
    assert TEXT[sentence["start"]:sentence["end"]] == sentence["text"]


# --- one annotator's layer per document for other tools --------------------------------------

def test_tool_exports_hold_one_layer_and_refuse_to_mix(db_url: str, tmp_path: Path) -> None:
    load(db_url, tmp_path, scenario())
    runner = CliRunner()
    for fmt in ("prodigy", "doccano", "brat"):
        out = ["--out", str(tmp_path / f"mixed-{fmt}")]
        mixed = runner.invoke(cli, ["export", "--format", fmt, *out, "--db", db_url])
        assert mixed.exit_code == 1
        assert mixed.stderr == (
            f"Error: these annotations are by 3 annotators (ana, ben, gold) and --format {fmt} "
            "holds one layer per document: choose one with --annotator NAME (gold is the "
            "adjudicated layer), repeat --annotator to export several kept apart, or give "
            "--all-annotators\n")
        assert not (tmp_path / f"mixed-{fmt}").exists()
    [gold] = lines(export(db_url, "--format", "prodigy", "--annotator", "gold"))
    assert gold["_annotator_id"] == "gold" and gold["meta"]["annotator"] == "gold"
    assert sorted(span["label"] for span in gold["spans"]) == ["claim", "source"]
    assert len(gold["relations"]) == 1
    tasks = lines(export(db_url, "--format", "prodigy", "--all-annotators"))
    assert [task["_annotator_id"] for task in tasks] == ["ana", "ben", "gold"]
    ana = tasks[0]
    assert len(ana["spans"]) == 7  # ana's accepted spans, none repeated from ben or gold
    assert len({(span["start"], span["end"], span["label"]) for span in ana["spans"]}) == 7
    records = lines(export(db_url, "--format", "doccano", "--annotator", "ben",
                           "--annotator", "gold"))
    assert [record["annotator"] for record in records] == ["ben", "gold"]
    assert all(len(record["entities"]) == 2 and len(record["relations"]) == 1
               for record in records)
    folder = tmp_path / "brat"
    result = runner.invoke(cli, ["export", "--format", "brat", "--all-annotators", "--out",
                                 str(folder), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"wrote 3 records (one per document and annotator: ana, ben, "
                             f"gold) to {folder}\n")
    assert sorted(path.name for path in folder.iterdir()) == ["ana", "ben", "gold"]
    for name, spans in (("ana", 10), ("ben", 2), ("gold", 2)):
        ann = (folder / name / "1.ann").read_text("utf-8")
        assert sum(line.startswith("T") for line in ann.splitlines()) == spans
        assert {line.split("annotator: ")[1].split(";")[0] for line in ann.splitlines()
                if line.startswith("#")} == {name}
        assert (folder / name / "1.txt").read_text("utf-8") == TEXT
    usage = runner.invoke(cli, ["export", "--format", "jsonl", "--all-annotators",
                                "--db", db_url])
    assert usage.exit_code == 2
    assert "--all-annotators is for --format prodigy, doccano or brat" in usage.stderr


def test_one_annotator_needs_no_choice_and_the_file_says_whose(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "one.db")
    document = scenario()
    document["annotations"] = [a for a in document["annotations"] if a["annotator"] == "ana"]
    document["links"] = [link for link in document["links"] if link["from"] != "bc2"]
    load(db, tmp_path, document, gold=False)
    out = tmp_path / "ana.jsonl"
    result = runner.invoke(cli, ["export", "--format", "doccano", "--out", str(out),
                                 "--db", db])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 1 document (annotator ana) to {out}\n"
    assert lines(out.read_text("utf-8"))[0]["annotator"] == "ana"


# --- the annotation list (Pilot) ------------------------------------------------------------

ALPHA = "Officials said over 160,000 people fled. Aid was slow.\n"
OFFICIALS = ProposedSpan(0, "source", 0, 9, source_name="Gaza officials",
                         source_type="government", attrs={"reason": "subject of 'said'"})
FLED = ProposedSpan(0, "claim", 15, 39, attributed_to=0, attrs={"reason": "content of 'said'"})
PEOPLE = ProposedSpan(0, "figure", 15, 34, figure=Figure(160000.0, "people", "over"))


def _suggested_app(tmp_path: Path) -> tuple[Database, AnnotatorApp]:
    database = build_tui_database(tmp_path, {"alpha.txt": ALPHA})
    workspace = Workspace(database, "alice", suggestions=True)
    store_suggestions(database, workspace.annotator_id, 1, [OFFICIALS, FLED, PEOPLE])
    return database, AnnotatorApp(workspace)


def _selected(app: AnnotatorApp) -> str | None:
    viewer = main_screen(app).viewer
    span = viewer.selection
    return viewer.text[span[0]:span[1]] if span is not None else None


async def _select(pilot: Any, app: AnnotatorApp, text: str) -> None:
    for _ in range(6):
        await pilot.press("tab")
        if _selected(app) == text:
            return
    raise AssertionError(f"no suggestion {text!r} to select")


async def test_the_list_drops_a_rejected_source_and_the_exports_agree(tmp_path: Path) -> None:
    database, app = _suggested_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _select(pilot, app, "over 160,000 people fled")
        await pilot.press("enter")  # the claim accepted while its source is a suggestion
        claim = {a.text: a for a in current(app).annotations}["over 160,000 people fled"]
        assert [(end.text, end.status) for end in claim.attributed_to] == [
            ("Officials", "suggested")]
        assert "said by source “Officials” (suggested)" in screen_text(app)
        await _select(pilot, app, "Officials")
        await pilot.press("x")  # the source rejected
        claim = {a.text: a for a in current(app).annotations}["over 160,000 people fled"]
        assert claim.attributed_to == ()
        shown = screen_text(app)
        assert "said by" not in shown
        assert "not attributed yet" in shown
    claims = lines(export(database.url, "--view", "claims", "--format", "jsonl"))
    assert [(c["claim_text"], c["attribution"], c["source_name"]) for c in claims] == [
        ("over 160,000 people fled", "none", None)]
    [doccano] = lines(export(database.url, "--format", "doccano"))
    assert [r["type"] for r in doccano["relations"]] == []
    database.dispose()


async def test_the_list_never_lists_a_rejected_claim_under_its_source(tmp_path: Path) -> None:
    database, app = _suggested_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _select(pilot, app, "Officials")
        await pilot.press("enter")  # the source accepted
        source = {a.text: a for a in current(app).annotations}["Officials"]
        assert [(end.text, end.status) for end in source.claims] == [
            ("over 160,000 people fled", "suggested")]
        await _select(pilot, app, "over 160,000 people fled")
        await pilot.press("x")  # the claim rejected
        source = {a.text: a for a in current(app).annotations}["Officials"]
        assert source.claims == ()
        assert "source of" not in screen_text(app)
    sources = lines(export(database.url, "--view", "sources", "--format", "jsonl"))
    assert [(s["name"], s["claims"], s["mentions"]) for s in sources] == [
        ("Gaza officials", 0, 1)]
    database.dispose()


def test_stats_count_claims_per_source_by_the_same_rule(db_url: str, tmp_path: Path) -> None:
    load(db_url, tmp_path, scenario(source_status="accepted", claim_status="suggested"))
    database = open_database(db_url)
    try:
        usage = {item.name: (item.claims, item.figures) for item in source_usage(database)}
    finally:
        database.dispose()
    # The pending claim counts for nobody; the rejected claim and figure neither.
    assert usage == {"Health ministry": (3, 1)}


def test_the_review_table_never_shows_a_claim_said_by_a_rejected_source(
    db_url: str, tmp_path: Path
) -> None:
    load(db_url, tmp_path, scenario(), gold=False)
    database = open_database(db_url)
    try:
        rows = {(row.annotator, row.text): row for row in review_page(database, ReviewQuery())}
    finally:
        database.dispose()
    orphan = rows["ana", "over 160,000 people fled"]
    assert (orphan.attributed_text, orphan.attributed_source) == (None, None)
    attributed = rows["ana", "12.5 percent of aid arrived"]
    assert (attributed.attributed_text, attributed.attributed_source) == (
        "The ministry", "Health ministry")
    # The review table numbers sentences as the screen does (it shows sentence_index + 1).
    assert attributed.sentence_index + 1 == 2


def test_an_accepted_source_left_out_by_label_keeps_the_claims_source_but_not_its_id(
    db_url: str, tmp_path: Path
) -> None:
    load(db_url, tmp_path, scenario(source_status="accepted"), gold=False)
    claims = frame(db_url, "--label", "claim", "--annotator", "ana")
    row = by_text(claims, "text")["over 160,000 people fled"]
    assert (row["attribution"], row["source_name"], pd.isna(row["attributed_to"])) == (
        "source", "Gaza officials", True)
    # ben's span is outside an export of ana's claims: same reading.
    ben = frame(db_url, "--view", "claims", "--annotator", "ben")
    assert ben.iloc[0]["attribution"] == "source"
    assert not pd.isna(ben.iloc[0]["source_span_id"])  # ben's own span is in ben's export


def test_tool_exports_of_an_unannotated_database_give_each_text_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "texts.db")
    (tmp_path / "a.txt").write_text(TEXT, "utf-8")
    assert runner.invoke(cli, ["import", str(tmp_path / "a.txt"), "--db", db]).exit_code == 0
    [record] = lines(export(db, "--format", "doccano"))
    assert (record["text"], record["entities"], "annotator" in record) == (TEXT, [], False)
    [task] = lines(export(db, "--format", "prodigy"))
    assert task["spans"] == [] and "_annotator_id" not in task
    folder = tmp_path / "brat"
    export(db, "--format", "brat", "--out", str(folder))
    assert sorted(path.name for path in folder.iterdir()) == ["1.ann", "1.txt",
                                                              "annotation.conf"]


@pytest.mark.parametrize(("name", "folder"), [
    ("ana", "ana"), ("+evil", "+evil"), ("a/b", "a_b"), ("..", "~.."), (".hidden", "~.hidden"),
    ("c:\\x", "c__x"), ("tab\there", "tab_here"), ("über", "über"),
])
def test_a_brat_folder_is_the_annotators_name_made_safe(name: str, folder: str) -> None:
    assert layer_folder(name) == folder


def test_two_annotators_sharing_a_brat_folder_are_refused() -> None:
    with pytest.raises(OutputError, match="annotators 'a/b' and 'a:b' would share brat folder"):
        folders_for(("a/b", "a:b"))
    with pytest.raises(OutputError, match="would share"):
        folders_for(("Ana", "ana"))  # one folder on a case-insensitive file system


# --- layers, as a property -------------------------------------------------------------------

_SPANS = st.lists(st.tuples(st.sampled_from(("ana", "ben", "gold")),
                            st.sampled_from(("claim", "source", "figure")),
                            st.sampled_from(("accepted", "suggested", "rejected"))),
                  min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(spans=_SPANS, picks=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)),
                                    max_size=10))
def test_a_layer_holds_its_annotators_spans_and_exactly_the_links_that_count(
    spans: list[tuple[str, str, str]], picks: list[tuple[int, int]]
) -> None:
    text = "x" * 40
    records = tuple(SpanRecord(key=n, annotator=who, label=label, doc_start=n, doc_end=n + 1,
                               text="x", status=status)
                    for n, (who, label, status) in enumerate(spans))
    links = tuple({LinkRecord(a % len(records), b % len(records), "attributed_to")
                   for a, b in picks if a % len(records) != b % len(records)})
    document = DocumentRecord(title="t", text=text, content_hash="h", annotations=records,
                              links=links, document_id=1)
    chosen = tuple(sorted({who for who, _, _ in spans}))
    written = list(layers([document], chosen))
    assert [name for name, _ in written] == list(chosen)
    by_key = {span.key: span for span in records}
    for name, layer in written:
        assert {span.annotator for span in layer.annotations} == {name}
        assert [s.key for s in layer.annotations] == [s.key for s in records
                                                      if s.annotator == name]
        expected = {link for link in links
                    if {by_key[link.from_key].annotator, by_key[link.to_key].annotator} == {name}
                    and by_key[link.from_key].status == by_key[link.to_key].status == "accepted"}
        assert set(layer.links) == expected
