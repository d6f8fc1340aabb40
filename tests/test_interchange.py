"""The native JSONL format: import (restore), export, and the lossless round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from interchange_helpers import assert_offsets, canonical, export_native, wipe, write_lines
from paths import SAMPLE_LABELS, SAMPLE_TEXT
from sqlalchemy import select
from strategies import corpora

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.workspace import Workspace
from db.engine import Database
from db.models import (
    Annotation,
    Annotator,
    Document,
    Source,
)

# --- the sample fixture ---------------------------------------------------------------------

def test_sample_imports_with_every_label_and_link(database: Database) -> None:
    summary = import_paths(database, [SAMPLE_LABELS])
    assert summary.problems == []
    assert (summary.documents, summary.annotations, summary.links) == (1, 47, 30)
    assert summary.describe() == (
        "imported 1 document (20 sentences), 47 annotations, 30 links; 0 skipped")
    assert_offsets(database)
    with database.sessions() as session:
        assert session.scalar(select(Annotator.name)) == "reference"
        origins = set(session.scalars(select(Annotation.origin)))
        assert origins == {"manual"}  # as in the file
        figure = session.scalars(select(Annotation).where(
            Annotation.text.like("between 10%"), Annotation.label == "figure")).one()
        assert (figure.figure_value, figure.figure_unit, figure.attrs) == (
            10.0, "crossings", {"value_max": 15})
        sources = dict(session.execute(select(Source.name, Source.source_type)).all())
        assert sources["Omar Hassan"] == "government"
        assert len(sources) == 9
    again = import_paths(database, [SAMPLE_LABELS])
    assert (again.documents, again.annotations, again.links, again.duplicates) == (0, 0, 0, 1)
    assert again.describe() == ("imported 0 documents (0 sentences), 0 annotations, 0 links; "
                                "1 already present, nothing added for them; 0 skipped")


def test_sample_round_trip_matches_the_file(database: Database, tmp_path: Path) -> None:
    original = [json.loads(line) for line in SAMPLE_LABELS.read_text("utf-8").splitlines()]
    import_paths(database, [SAMPLE_LABELS])
    exported = export_native(database)
    # The file lacks the optional "origin" and "sources"; everything else must be its content.
    expected = canonical([{**original[0], "origin": exported[0]["origin"],
                           "sources": exported[0]["sources"]}])
    assert canonical(exported) == expected
    assert {s["name"]: s["type"] for s in exported[0]["sources"]}["Hamas"] == (
        "party_or_armed_group")
    wipe(database)
    import_paths(database, [write_lines(tmp_path / "again.jsonl", exported)])
    assert canonical(export_native(database)) == canonical(exported)


def test_cli_round_trip_into_an_empty_database(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    first = runner.invoke(cli, ["import", str(SAMPLE_LABELS), "--db", db_url])
    assert first.exit_code == 0, first.output
    out = tmp_path / "export.jsonl"
    exported = runner.invoke(cli, ["export", "--format", "jsonl", "--out", str(out),
                                   "--db", db_url])
    assert exported.exit_code == 0, exported.output
    assert exported.stderr == f"wrote 1 document to {out}\n"
    empty = tmp_path / "empty.db"
    result = runner.invoke(cli, ["import", str(out), "--db", str(empty)])
    assert result.exit_code == 0, result.output
    assert "47 annotations, 30 links" in result.stdout
    again = runner.invoke(cli, ["export", "--format", "jsonl", "--db", str(empty)])
    assert again.stdout == out.read_text("utf-8")


def test_annotations_are_added_to_a_text_imported_before(database: Database) -> None:
    import_paths(database, [SAMPLE_TEXT])
    summary = import_paths(database, [SAMPLE_LABELS])
    assert (summary.documents, summary.duplicates, summary.annotations) == (0, 1, 47)
    assert summary.describe() == ("imported 0 documents (0 sentences), 47 annotations, "
                                  "30 links; 1 already present; 0 skipped")
    with database.sessions() as session:
        assert session.scalar(select(Document.title)) == (
            "Donors pledge $4.2 billion as Cairo talks edge toward a Gaza aid corridor")


def test_reimport_restores_only_what_is_missing(database: Database, tmp_path: Path) -> None:
    import_paths(database, [SAMPLE_LABELS])
    reference = Workspace(database, "reference")
    with database.sessions() as session:
        claim = session.scalars(select(Annotation.id).where(
            Annotation.text == "Signs of a workable compromise are emerging")).one()
    reference.delete(claim)
    summary = import_paths(database, [SAMPLE_LABELS])
    assert (summary.annotations, summary.links) == (1, 1)
    assert canonical(export_native(database))[0]["links"] == canonical(
        [json.loads(SAMPLE_LABELS.read_text("utf-8"))])[0]["links"]


def test_existing_annotation_and_source_differences_are_conflicts(
    database: Database, tmp_path: Path
) -> None:
    import_paths(database, [SAMPLE_LABELS])
    document = json.loads(SAMPLE_LABELS.read_text("utf-8"))
    document["annotations"][0]["status"] = "rejected"
    for annotation in document["annotations"]:
        if annotation["attrs"].get("source_name") == "Hamas":
            annotation["attrs"]["source_type"] = "government"
    summary = import_paths(database, [write_lines(tmp_path / "changed.jsonl", [document])])
    assert summary.problems == []
    messages = [problem.message for problem in summary.conflicts]
    assert messages == [
        "reference's figure '$4.2 billion' at 14:26 differs in status; kept the stored one",
        "source 'Hamas' has type 'party_or_armed_group' here but 'government' in the incoming "
        "data; kept 'party_or_armed_group'",
    ]
    assert "2 conflicts (stored values kept)" in summary.describe()
    with database.sessions() as session:
        assert session.scalar(select(Source.source_type).where(Source.name == "Hamas")) == (
            "party_or_armed_group")


def test_sources_list_brings_aliases_and_matches_by_alias(
    database: Database, tmp_path: Path
) -> None:
    workspace = Workspace(database, "ana")
    workspace.create_source("Abdul Latif Al-Qanoua", "party", ("Al-Qanoua",))
    text = "Hamas spokesperson Al-Qanoua said talks resume.\n"
    document = {
        "id": "x", "text": text, "annotations": [
            {"id": 1, "annotator": "ana", "label": "source", "start": 19, "end": 28,
             "attrs": {"source_name": "Al-Qanoua"}},
            {"id": 2, "annotator": "ana", "label": "source", "start": 0, "end": 5,
             "attrs": {"source_name": "Hamas", "source_type": "party"}}],
        "sources": [{"name": "Hamas", "type": "party", "aliases": ["Hamas movement"]}],
    }
    summary = import_paths(database, [write_lines(tmp_path / "a.jsonl", [document])])
    assert summary.problems == [] and summary.annotations == 2
    exported = export_native(database)[0]
    names = [a["attrs"]["source_name"] for a in exported["annotations"]]
    assert names == ["Hamas", "Abdul Latif Al-Qanoua"]
    assert exported["sources"] == [
        {"name": "Abdul Latif Al-Qanoua", "type": "party", "aliases": ["Al-Qanoua"]},
        {"name": "Hamas", "type": "party", "aliases": ["Hamas movement"]},
    ]
    assert exported["annotations"][0]["origin"] == "imported"  # the default


# --- bad input ------------------------------------------------------------------------------

def _good(text: str = "First one here. Second one there.\n") -> dict[str, Any]:
    return {"id": "good", "text": text, "annotations": [
        {"id": "c", "annotator": "ana", "label": "claim", "start": 0, "end": 9},
        {"id": "s", "annotator": "ana", "label": "source", "start": 16, "end": 22,
         "attrs": {"source_name": "Second", "source_type": "person"}}],
        "links": [{"from": "c", "to": "s", "type": "attributed_to"}]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["annotations"].append(
            {"id": "x", "annotator": "ana", "label": "claim", "start": 10, "end": 20}),
         "annotation 'x' (claim 10:20 'here. Seco') is not inside one sentence"),
        (lambda d: d["links"].append({"from": "c", "to": "zz", "type": "attributed_to"}),
         "link 2: no annotation with id 'zz' in this line"),
        (lambda d: d["links"].append({"from": "s", "to": "c", "type": "attributed_to"}),
         "link 2: attributed_to links claim -> source, not source -> claim"),
        (lambda d: d["annotations"][0].update(text="Wrong"),
         "annotation 'c': \"text\" 'Wrong' is not the text at 0:9 ('First one')"),
        (lambda d: d["annotations"][0].update(end=999),
         "annotation 'c': offsets 0:999 do not fit the text of length 34"),
        (lambda d: d["annotations"][0].update(label="quote"),
         "annotation 'c': \"label\" must be one of claim, source, figure"),
        (lambda d: d["annotations"][0].update(attrs={"value": "many"}),
         "annotation 'c': \"value\" must be a number"),
        (lambda d: d.update(text="First one here.\r\nSecond one there.\r\n"),
         "text has CR line ends; the offsets would not match the stored text (convert it to "
         "LF line ends and the offsets with it)"),
        (lambda d: d["annotations"].append(dict(d["annotations"][0])),
         "annotation id 'c' is used twice"),
    ],
)
def test_bad_document_is_reported_with_its_line_and_nothing_of_it_stored(
    runner: CliRunner, db_url: str, tmp_path: Path, change: Any, message: str
) -> None:
    bad = _good()
    change(bad)
    empty = {"id": "empty", "text": "Good text one. Fine.\n", "annotations": []}
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(empty) + "\n" + json.dumps(bad) + "\n{not json\n"
                    + json.dumps(_good("First two here. Second one there.\n")) + "\n",
                    encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert result.exit_code == 1
    # The first line says the import created the database (a new file, or the schema).
    assert result.stderr.splitlines()[0].startswith("created new database ")
    assert result.stderr.splitlines()[1:] == [
        f"skipped: {path}:2: {message}",
        f"skipped: {path}:3: invalid JSON (Expecting property name enclosed in double quotes "
        "at column 2)",
    ]
    assert "imported 2 documents" in result.stdout and "2 skipped" in result.stdout
    exported = runner.invoke(cli, ["export", "--format", "jsonl", "--db", db_url])
    documents = [json.loads(line) for line in exported.stdout.split("\n") if line]
    assert [d["text"] for d in documents] == ["Good text one. Fine.\n",
                                              "First two here. Second one there.\n"]
    assert len(documents[1]["annotations"]) == 2 and len(documents[1]["links"]) == 1


def test_plain_jsonl_lines_still_import_as_articles(database: Database, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "plain.jsonl", [{"text": "Just text. Nothing else.",
                                                   "annotations": "not a list"}])
    summary = import_paths(database, [path])
    assert (summary.documents, summary.native) == (1, False)


# --- the generated round trip ---------------------------------------------------------------

@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(corpus=corpora())
def test_generated_round_trip_is_lossless(
    database: Database, tmp_path: Path, corpus: list[dict[str, Any]]
) -> None:
    wipe(database)
    summary = import_paths(database, [write_lines(tmp_path / "generated.jsonl", corpus)])
    assert summary.problems == []
    assert_offsets(database)
    exported = export_native(database)
    # What went in comes out: the generator writes exactly the exporter's shape.
    assert canonical(exported) == canonical(corpus)
    wipe(database)
    import_paths(database, [write_lines(tmp_path / "exported.jsonl", exported)])
    assert canonical(export_native(database)) == canonical(exported)
    again = import_paths(database, [write_lines(tmp_path / "exported.jsonl", exported)])
    assert (again.documents, again.annotations, again.links) == (0, 0, 0)
