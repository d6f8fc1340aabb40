"""The export views (spans, claims, sources) and document formats (Prodigy, doccano, brat).

Every test reads the written file back and checks values and offsets.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from annotator.cli import cli
from annotator.io.export import SPAN_COLUMNS
from annotator.workspace import Workspace
from db.engine import Database, open_database
from db.models import Annotation, Source

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LABELS = REPO / "sample" / "gaza-aid-talks.labels.jsonl"

HOSTILE_TEXT = (
    '=HYPERLINK("http://evil.example","x") said -12.5 percent.\n'
    "@admin +cmd -2+3 noted. Plain -12.5 stays.\n"
)
HOSTILE = {
    "id": "hostile", "title": "+Hostile title", "text": HOSTILE_TEXT,
    "annotations": [
        {"id": "c1", "annotator": "+evil", "label": "claim", "start": 0, "end": 56},
        {"id": "f1", "annotator": "+evil", "label": "figure", "start": 43, "end": 48,
         "attrs": {"value": -12.5, "unit": "\tpercent", "qualifier": "-about"}},
        {"id": "s1", "annotator": "+evil", "label": "source", "start": 58, "end": 64,
         "attrs": {"source_name": "@Admin office", "source_type": "\rgov"}},
        {"id": "c2", "annotator": "+evil", "label": "claim", "start": 65, "end": 80,
         "status": "suggested"},
    ],
    "links": [{"from": "c2", "to": "s1", "type": "attributed_to"},
              {"from": "f1", "to": "c1", "type": "supports"}],
}


@pytest.fixture
def labelled(runner: CliRunner, db_url: str, tmp_path: Path) -> str:
    """The sample's reference labels, a hostile document, and a few edits in the workspace."""
    path = tmp_path / "labels.jsonl"
    path.write_text(SAMPLE_LABELS.read_text("utf-8") + json.dumps(HOSTILE) + "\n", "utf-8")
    result = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert result.exit_code == 0, result.output
    database = open_database(db_url)
    try:
        reference = Workspace(database, "reference")
        with database.sessions() as session:
            claim = session.scalars(select(Annotation.id).where(Annotation.text.like(
                "a monitoring committee%"))).one()
            world_bank = session.scalars(select(Source.id).where(
                Source.name == "World Bank report")).one()
            ministry = session.scalars(select(Source.id).where(
                Source.name == "Egypt's foreign ministry")).one()
        # A claim attributed to a canonical source only, with no source span.
        reference.attribute_to_source(claim, world_bank)
        reference.add_alias(ministry, "Egyptian foreign ministry")
    finally:
        database.dispose()
    return db_url


# Exports hold accepted annotations unless asked; the hostile document has a suggestion.
WITH_SUGGESTED = ("--status", "accepted", "--status", "suggested")


def _export(runner: CliRunner, db: str, *args: str) -> str:
    result = runner.invoke(cli, ["export", *args, "--db", db])
    assert result.exit_code == 0, result.output
    # The exact bytes: CliRunner.stdout would turn the CSV's CRLF into LF.
    return result.stdout_bytes.decode("utf-8")


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _document_texts(runner: CliRunner, db: str) -> dict[str, str]:
    lines = _export(runner, db, "--format", "jsonl").split("\n")
    return {str(n): json.loads(line)["text"] for n, line in enumerate(lines, start=1) if line}


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.split("\n") if line]


# --- spans --------------------------------------------------------------------------------

def test_spans_csv_columns_offsets_and_values(runner: CliRunner, labelled: str) -> None:
    output = _export(runner, labelled, "--raw", *WITH_SUGGESTED)
    assert output.split("\r\n")[0] == ",".join(SPAN_COLUMNS)
    rows = _csv(output)
    assert len(rows) == 51
    texts = _document_texts(runner, labelled)
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        doc_start, doc_end = int(row["doc_start"]), int(row["doc_end"])
        assert row["sentence"][start:end] == row["text"]
        document = texts[row["document_id"]]
        assert document[doc_start:doc_end] == row["text"]
        sentence_start = doc_start - start
        assert document[sentence_start : sentence_start + len(row["sentence"])] == row["sentence"]
        assert datetime.fromisoformat(row["created_at"]).utcoffset() is not None
    by_text = {(row["label"], row["text"]): row for row in rows if row["document_id"] == "1"}
    claim = by_text["claim", "Mediators have agreed on the outline of a second phase of aid "
                             "deliveries to Gaza"]
    source = next(row for row in rows if row["doc_start"] == "178")
    assert source["text"] == "Egypt's foreign ministry"
    assert claim["attributed_to"] == source["annotation_id"]
    assert (claim["source_name"], claim["source_type"]) == ("Egypt's foreign ministry",
                                                            "government")
    assert (claim["sentence_number"], claim["start"], claim["end"]) == ("2", "22", "102")
    assert (claim["attribution"], claim["source_id"]) == ("source", source["source_id"])
    assert (claim["doc_start"], claim["doc_end"]) == ("96", "176")
    assert (claim["annotator"], claim["status"], claim["origin"]) == (
        "reference", "accepted", "manual")
    direct = by_text["claim", "a monitoring committee would meet in Cairo next week to review "
                              "progress"]
    assert (direct["attributed_to"], direct["source_name"], direct["source_type"]) == (
        "", "World Bank report", "document")
    assert direct["attribution"] == "source"
    figure = by_text["figure", "$4.2 billion"]
    assert (figure["figure_value"], figure["figure_unit"], figure["figure_qualifier"]) == (
        "4200000000", "USD", "")
    assert by_text["figure", "12.5%"]["figure_value"] == "12.5"
    assert by_text["figure", "more than 300 trucks"]["figure_qualifier"] == "more than"
    assert source["attributed_to"] == ""


def test_formulas_are_neutralized_unless_raw_and_never_in_jsonl(
    runner: CliRunner, labelled: str
) -> None:
    safe = [row for row in _csv(_export(runner, labelled, "--document", "2", *WITH_SUGGESTED))]
    raw = [row for row in _csv(_export(runner, labelled, "--document", "2", "--raw",
                                       *WITH_SUGGESTED))]
    claim, figure, source, suggested = safe
    assert claim["text"] == "'" + HOSTILE_TEXT[:56]
    assert claim["sentence"].startswith("'=HYPERLINK(")
    assert claim["document_title"] == "'+Hostile title"
    assert claim["annotator"] == "'+evil"
    assert figure["text"] == "-12.5" and figure["figure_value"] == "-12.5"  # plain numbers stay
    assert (figure["figure_unit"], figure["figure_qualifier"]) == ("'\tpercent", "'-about")
    assert (source["text"], source["source_name"], source["source_type"]) == (
        "'@admin", "'@Admin office", "'\rgov")
    assert suggested["text"] == "'+cmd -2+3 noted"
    # A link counts once both its ends are accepted: the suggested claim is not attributed.
    assert (suggested["attribution"], suggested["source_name"], suggested["attributed_to"]) == (
        "none", "", "")
    assert raw[0]["text"] == HOSTILE_TEXT[:56]
    assert (raw[2]["source_name"], raw[2]["source_type"]) == ("@Admin office", "\rgov")
    assert raw[1]["figure_unit"] == "\tpercent"
    jsonl = _lines(_export(runner, labelled, "--view", "spans", "--format", "jsonl",
                           "--document", "2"))
    assert jsonl[0]["text"] == HOSTILE_TEXT[:56]
    assert jsonl[1]["figure_value"] == -12.5 and jsonl[1]["figure_unit"] == "\tpercent"
    assert jsonl[2]["source_type"] == "\rgov"
    claims = _csv(_export(runner, labelled, "--view", "claims", "--document", "2"))
    assert claims[0]["figures"] == "'-12.5 \tpercent [-about]"
    assert claims[0]["claim_text"].startswith("'=HYPERLINK(")


def test_spans_as_jsonl_with_filters(runner: CliRunner, labelled: str) -> None:
    figures = _lines(_export(runner, labelled, "--view", "spans", "--format", "jsonl",
                             "--label", "figure", "--annotator", "reference"))
    assert len(figures) == 15
    assert {record["label"] for record in figures} == {"figure"}
    assert list(figures[0]) == list(SPAN_COLUMNS)
    assert figures[0]["figure_value"] == 4200000000 and figures[0]["figure_qualifier"] is None
    assert figures[0]["attributed_to"] is None
    suggested = _csv(_export(runner, labelled, "--status", "suggested", "--raw"))
    assert [row["text"] for row in suggested] == ["+cmd -2+3 noted"]
    both = _csv(_export(runner, labelled, "--label", "claim", "--label", "source",
                        "--document", "1"))
    assert {row["label"] for row in both} == {"claim", "source"} and len(both) == 32


def test_excel_bom_and_out_file(runner: CliRunner, labelled: str, tmp_path: Path) -> None:
    out = tmp_path / "spans.csv"
    result = runner.invoke(cli, ["export", "--excel", "--out", str(out), "--db", labelled])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 50 spans rows to {out}\n"  # the suggestion left out
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + b"annotation_id,")
    assert len(_csv(data.decode("utf-8-sig"))) == 50


# --- claims and sources ----------------------------------------------------------------------

def test_claims_view(runner: CliRunner, labelled: str) -> None:
    rows = _csv(_export(runner, labelled, "--view", "claims", "--raw", *WITH_SUGGESTED))
    assert list(rows[0]) == ["claim_id", "document_id", "document_title", "sentence_number",
                             "start", "end", "doc_start", "doc_end", "claim_text", "annotator",
                             "status", "attribution", "source_id", "source_name", "source_type",
                             "source_span_id", "source_text", "figures"]
    assert len(rows) == 18
    by_text = {row["claim_text"]: row for row in rows}
    crossings = by_text["between 10 and 15 crossings could reopen three weeks after a final "
                        "deal is signed"]
    assert (crossings["source_name"], crossings["source_type"], crossings["source_text"]) == (
        "Egypt's foreign ministry", "government", "The ministry")
    assert crossings["figures"] == "10-15 crossings; 3 week"
    assert crossings["sentence_number"] == "3"
    assert crossings["attribution"] == "source" and crossings["source_span_id"]
    pledged = by_text["Of the $4.2 billion pledged, €1.5bn came from the European Union"]
    assert pledged["figures"] == "4200000000 USD; 1500000000 EUR"
    assert pledged["source_name"] == "anonymous Western diplomat"
    assert pledged["source_text"] == "a Western diplomat who spoke on condition of anonymity"
    trucks = by_text["more than 300 trucks had entered Gaza since Saturday, most of them "
                     "through Gate No. 2 at the Kerem Shalom crossing"]
    assert trucks["figures"] == "300 trucks [more than]"
    committee = by_text["a monitoring committee would meet in Cairo next week to review "
                        "progress"]
    assert (committee["source_name"], committee["source_text"], committee["figures"]) == (
        "World Bank report", "", "")
    hostile = [row for row in rows if row["document_id"] == "2"]
    assert [row["status"] for row in hostile] == ["accepted", "suggested"]
    # The suggested claim's link to its source does not count until the claim is accepted.
    assert (hostile[1]["attribution"], hostile[1]["source_text"]) == ("none", "")
    suggested = _csv(_export(runner, labelled, "--view", "claims", "--status", "suggested"))
    assert len(suggested) == 1


def test_sources_view(runner: CliRunner, labelled: str) -> None:
    rows = _csv(_export(runner, labelled, "--view", "sources", "--raw", *WITH_SUGGESTED))
    assert list(rows[0]) == ["source_id", "name", "source_type", "aliases", "claims",
                             "mentions"]
    by_name = {row["name"]: row for row in rows}
    assert len(rows) == 10
    assert (by_name["Egypt's foreign ministry"]["aliases"],
            by_name["Egypt's foreign ministry"]["claims"],
            by_name["Egypt's foreign ministry"]["mentions"]) == (
        "Egyptian foreign ministry", "2", "3")
    world_bank = by_name["World Bank report"]
    assert (world_bank["source_type"], world_bank["claims"], world_bank["mentions"]) == (
        "document", "2", "1")
    assert (by_name["Omar Hassan"]["claims"], by_name["Omar Hassan"]["mentions"]) == ("3", "3")
    # Its only claim is a suggestion, whose link does not count.
    assert (by_name["@Admin office"]["claims"], by_name["@Admin office"]["mentions"]) == (
        "0", "1")
    only_accepted = {row["name"]: row for row in _lines(_export(
        runner, labelled, "--view", "sources", "--format", "jsonl", "--status", "accepted"))}
    assert only_accepted["@Admin office"]["claims"] == 0  # its claim is only suggested
    assert only_accepted["Egypt's foreign ministry"]["aliases"] == "Egyptian foreign ministry"


# --- document formats ----------------------------------------------------------------------

def test_prodigy_export(runner: CliRunner, labelled: str) -> None:
    tasks = _lines(_export(runner, labelled, "--format", "prodigy", "--annotator", "reference"))
    assert len(tasks) == 1  # the reference annotator has nothing in the hostile document
    task = tasks[0]
    assert set(task) == {"text", "tokens", "spans", "relations", "meta", "_annotator_id"}
    assert task["_annotator_id"] == "reference"
    assert task["meta"] == {"id": "gaza-aid-talks", "title": (
        "Donors pledge $4.2 billion as Cairo talks edge toward a Gaza aid corridor"),
        "annotator": "reference"}
    tokens = task["tokens"]
    for token in tokens:
        assert task["text"][token["start"] : token["end"]] == token["text"]
    for span in task["spans"]:
        assert task["text"][span["start"] : span["end"]] == span["text"]
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]
    # 30 links in the file, less the one replaced by a canonical-only attribution.
    assert len(task["spans"]) == 47 and len(task["relations"]) == 29
    for relation in task["relations"]:
        assert relation["head"] == relation["head_span"]["token_end"]
        assert relation["child"] == relation["child_span"]["token_end"]
        assert relation["label"] in ("attributed_to", "supports")
    first = next(r for r in task["relations"] if r["label"] == "attributed_to")
    assert (first["head_span"]["label"], first["child_span"]["label"]) == ("claim", "source")


def test_doccano_export(runner: CliRunner, labelled: str) -> None:
    records = _lines(_export(runner, labelled, "--format", "doccano", "--label", "claim",
                             "--label", "source", "--all-annotators"))
    record = records[0]
    assert (record["id"], record["annotator"]) == ("gaza-aid-talks", "reference")
    ids = {entity["id"]: entity for entity in record["entities"]}
    assert len(ids) == 32
    for entity in record["entities"]:
        assert set(entity) == {"id", "label", "start_offset", "end_offset"}
        assert record["text"][entity["start_offset"] : entity["end_offset"]]
    # Only links whose both ends were exported: the figure links are gone with the figures.
    assert {relation["type"] for relation in record["relations"]} == {"attributed_to"}
    for relation in record["relations"]:
        assert ids[relation["from_id"]]["label"] == "claim"
        assert ids[relation["to_id"]]["label"] == "source"
    assert (records[1]["meta"]["title"], records[1]["annotator"]) == ("+Hostile title", "+evil")
    assert len(records) == 2


def test_brat_export(runner: CliRunner, labelled: str, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    result = runner.invoke(cli, ["export", "--format", "brat", "--out", str(folder),
                                 "--all-annotators", "--db", labelled])
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"wrote 2 records (one per document and annotator: +evil, "
                             f"reference) to {folder}\n")
    # One folder per annotator, holding the documents that annotator annotated.
    assert sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) == [
        "+evil", "+evil/2.ann", "+evil/2.txt", "+evil/annotation.conf",
        "reference", "reference/1.ann", "reference/1.txt", "reference/annotation.conf"]
    conf = (folder / "reference" / "annotation.conf").read_text("utf-8")
    assert "attributed_to Arg1:claim, Arg2:source" in conf
    assert "Status Arg:<ENTITY>, Value:suggested|accepted|rejected" in conf
    # The hostile document's suggested claim is linked to its source: that link does not count.
    for stem, expected_links in (("reference/1", 29), ("+evil/2", 1)):
        text = (folder / f"{stem}.txt").read_bytes().decode("utf-8")
        lines = (folder / f"{stem}.ann").read_bytes().decode("utf-8").split("\n")[:-1]
        spans = {}
        for line in lines:
            if line.startswith("T"):
                name, middle, span_text = line.split("\t")
                label, start, end = middle.split(" ")
                assert text[int(start) : int(end)] == span_text
                spans[name] = label
        relations = [line.split("\t")[1].split(" ") for line in lines if line.startswith("R")]
        assert len(relations) == expected_links
        for kind, arg1, arg2 in relations:
            ends = (spans[arg1.removeprefix("Arg1:")], spans[arg2.removeprefix("Arg2:")])
            assert ends == {"attributed_to": ("claim", "source"),
                            "supports": ("figure", "claim")}[kind]
    hostile = (folder / "+evil" / "2.ann").read_text("utf-8")
    assert "A4\tStatus T4 suggested" in hostile
    # A note is one line: the CR in the source type becomes a space.
    assert "AnnotatorNotes T3\tannotator: +evil; source: @Admin office ( gov)" in hostile
    assert "AnnotatorNotes T2\tannotator: +evil; figure: -12.5 percent [-about]" in hostile


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--view", "documents"], "--view documents needs --format jsonl, prodigy, doccano "
                                  "or brat"),
        (["--format", "prodigy", "--view", "spans"],
         "--format prodigy writes whole documents; leave out --view"),
        (["--view", "sentences", "--label", "claim"],
         "--annotator, --label and --status do not apply to --view sentences"),
        (["--view", "claims", "--label", "claim"], "--label does not apply to --view claims"),
        (["--format", "brat"], "--format brat writes a folder: give --out DIR"),
    ],
)
def test_option_combinations_that_make_no_sense(
    runner: CliRunner, labelled: str, args: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["export", *args, "--db", labelled])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_unknown_annotator_and_brat_onto_a_file(
    runner: CliRunner, labelled: str, tmp_path: Path
) -> None:
    unknown = runner.invoke(cli, ["export", "--annotator", "nobody", "--db", labelled])
    assert unknown.exit_code == 1
    assert unknown.stderr == "Error: no annotator called 'nobody'\n"
    file = tmp_path / "file.txt"
    file.write_text("x", "utf-8")
    onto_file = runner.invoke(cli, ["export", "--format", "brat", "--out", str(file),
                                    "--annotator", "reference", "--db", labelled])
    assert onto_file.exit_code == 1
    assert "it is a file, and brat needs a folder" in onto_file.stderr


def test_empty_database_exports_headers_only(runner: CliRunner, database: Database) -> None:
    for view in ("spans", "claims", "sources"):
        output = _export(runner, database.url, "--view", view)
        assert output.count("\r\n") == 1
    assert _export(runner, database.url, "--format", "jsonl") == ""
