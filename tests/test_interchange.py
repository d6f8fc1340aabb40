"""The native JSONL format: import (restore), export, and the lossless round trip."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.io.interchange import write_documents
from annotator.text.segment import split_sentences
from annotator.workspace import Workspace
from db.document_records import iter_document_records
from db.engine import Database
from db.filters import AnnotationFilter
from db.models import (
    Annotation,
    Annotator,
    ChangeLogEntry,
    Document,
    Link,
    Sentence,
    Source,
    SourceAlias,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LABELS = REPO / "sample" / "gaza-aid-talks.labels.jsonl"
SAMPLE_TEXT = REPO / "sample" / "gaza-aid-talks.txt"


# --- helpers shared with test_merge.py ------------------------------------------------------

def export_native(database: Database) -> list[dict[str, Any]]:
    """The whole database in the native format, parsed back."""
    out = io.StringIO()
    write_documents(out, iter_document_records(database, AnnotationFilter()), "jsonl")
    # split("\n"), not splitlines(): texts may hold U+2028 and other line separators.
    return [json.loads(line) for line in out.getvalue().split("\n") if line]


def canonical(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents with annotation ids replaced by what identifies an annotation, in a fixed order.

    Export -> import -> export must give the same content, ids aside.
    """
    result = []
    for document in documents:
        names = {a["id"]: (a["annotator"], a["label"], a["start"], a["end"])
                 for a in document["annotations"]}
        annotations = sorted(
            ({k: v for k, v in a.items() if k != "id"} for a in document["annotations"]),
            key=lambda a: (a["annotator"], a["label"], a["start"], a["end"]),
        )
        links = sorted((names[link["from"]], names[link["to"]], link["type"])
                       for link in document["links"])
        sources = sorted(({**s, "aliases": sorted(s["aliases"])}
                          for s in document.get("sources", [])),
                         key=lambda s: s["name"])
        result.append({**document, "annotations": annotations, "links": links,
                       "sources": sources})
    return sorted(result, key=lambda d: d["text"])


def wipe(database: Database) -> None:
    """Empty every table (Hypothesis reuses one database across examples)."""
    with database.transaction() as session:
        for model in (ChangeLogEntry, Link, Annotation, Sentence, Document, SourceAlias, Source,
                      Annotator):
            session.execute(delete(model))


def write_lines(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents),
                    encoding="utf-8")
    return path


def assert_offsets(database: Database) -> None:
    """Every stored span agrees with its sentence and its document."""
    with database.sessions() as session:
        rows = session.execute(
            select(Annotation, Sentence.text, Document.text)
            .join(Sentence, Sentence.id == Annotation.sentence_id)
            .join(Document, Document.id == Annotation.document_id)
        ).all()
        for annotation, sentence, document in rows:
            assert sentence[annotation.start : annotation.end] == annotation.text
            assert document[annotation.doc_start : annotation.doc_end] == annotation.text


# --- generated documents --------------------------------------------------------------------

ODD_WORDS = [
    "Gaza", "talks", "said", "over", "12.5", "-3", "$4.2bn", "U.N.", "(OCHA)", "[sic]", "{x}",
    "«quoted»", "“curly”", "👍🏽", "👩🏿‍🔬", "🇵🇸", "e\u0301", "Ce\u0301line", "naïve", "שלום",
    "مرحبا", "\u200fRTL\u200f", "日本語", "Ünïcödé", "tab\there", "=SUM(A1)", "@user", "+1",
    "a\u2028b", "x\u00a0y",
]
ANNOTATORS = ["ana", "Bärbel", "李", "o'neil"]
SOURCES = {"Hamas": "party", "Egypt’s SIS": "government", "👩🏿‍🔬 lab": None,
           "مصدر": "anonymous"}
UNITS = [None, "USD", "percent", "trucks", "€"]
QUALIFIERS = [None, "over", "about", "at least"]


@st.composite
def native_documents(draw: st.DrawFn, number: int = 0) -> dict[str, Any]:
    """A native line whose spans lie inside the sentences the importer will find."""
    paragraphs = draw(st.lists(
        st.lists(st.lists(st.sampled_from(ODD_WORDS), min_size=1, max_size=8),
                 min_size=1, max_size=3),
        min_size=1, max_size=3,
    ))
    text = "\n".join(
        " ".join(" ".join(words).capitalize() + "." for words in sentences)
        for sentences in paragraphs
    ) + draw(st.sampled_from(["", "\n"]))
    sentences = split_sentences(text)
    annotations: dict[tuple[str, str, int, int], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 12))):
        start_s, end_s = draw(st.sampled_from(sentences))
        start = draw(st.integers(start_s, end_s - 1))
        end = draw(st.integers(start + 1, end_s))
        label = draw(st.sampled_from(["claim", "source", "figure"]))
        annotator = draw(st.sampled_from(ANNOTATORS))
        attrs: dict[str, Any] = {}
        if label == "source" and draw(st.booleans()):
            name = draw(st.sampled_from(sorted(SOURCES)))
            attrs = {"source_name": name, "source_type": SOURCES[name]}
        if label == "figure":
            value = draw(st.one_of(st.none(), st.integers(-10**6, 10**12),
                                   st.floats(-1e9, 1e9, allow_nan=False)))
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # the exporter writes integral values as integers
            attrs = {"value": value, "unit": draw(st.sampled_from(UNITS)),
                     "qualifier": draw(st.sampled_from(QUALIFIERS))}
            if draw(st.booleans()):
                attrs["value_max"] = 15
        if label == "claim" and draw(st.booleans()):
            attrs = draw(st.sampled_from([{"attribution": "author"}, {"note": "😀 [x]"}]))
        key = (annotator, label, start, end)
        if key in annotations:  # one span per annotator, label and offsets
            continue
        annotations[key] = {
            "id": f"a{len(annotations) + 1}", "annotator": annotator, "label": label,
            "start": start, "end": end, "text": text[start:end],
            "status": draw(st.sampled_from(["accepted", "suggested", "rejected"])),
            "origin": draw(st.sampled_from(["manual", "suggested", "imported"])),
            "attrs": attrs,
        }
    spans = list(annotations.values())
    by_label = {label: [a["id"] for a in spans if a["label"] == label]
                for label in ("claim", "source", "figure")}
    links = set()
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["attributed_to", "supports"]))
        ends = ("claim", "source") if kind == "attributed_to" else ("figure", "claim")
        if by_label[ends[0]] and by_label[ends[1]]:
            links.add((draw(st.sampled_from(by_label[ends[0]])),
                       draw(st.sampled_from(by_label[ends[1]])), kind))
    used = {a["attrs"]["source_name"] for a in spans if "source_name" in a["attrs"]}
    return {
        "id": f"doc-{number}", "title": draw(st.sampled_from(["Title", "«Titre» 👍🏽", "عنوان"])),
        "text": text, "meta": {"batch": draw(st.sampled_from(["a", "ü", "🙂"]))},
        "origin": "generated",
        "annotations": spans,
        "links": [{"from": f, "to": t, "type": k} for f, t, k in sorted(links)],
        "sources": [{"name": name, "type": SOURCES[name], "aliases": []} for name in sorted(used)],
    }


@st.composite
def corpora(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few documents with distinct texts."""
    documents: dict[str, dict[str, Any]] = {}
    for number in range(draw(st.integers(1, 3))):
        document = draw(native_documents(number))
        documents.setdefault(document["text"], document)
    return list(documents.values())


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
    assert result.stderr.splitlines() == [
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
