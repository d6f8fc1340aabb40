"""Lossless means lossless: every table a user writes to survives the native JSONL
(export, then import into a fresh database) and ``annotator merge`` into a fresh
database, compared by content, not ids: documents, sentences, annotations (with their
notes, review stamps, status, origin and attributes), links, sources, aliases and
annotators, including the sources, aliases and annotators no annotation uses."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.review.session import ReviewSession
from annotator.workspace import Workspace
from db.engine import Database, open_database
from db.models import (
    Annotation,
    Annotator,
    Document,
    Link,
    Sentence,
    Source,
    SourceAlias,
)

FIRST = ("Aid talks resume\nHamas said over 160,000 people were hurt. "
         "The ministry said 12 crossings could reopen.\n")
SECOND = "Ceasefire holds\nHamas spokesperson Al-Qanoua said 42 hostages were freed.\n"
# Terminal escapes, bidi overrides, line separators, quotes and backslashes: a note is the
# reviewer's free text and must come back byte for byte.
HOSTILE_NOTE = ("\x1b]0;owned\x07 check \u202eevil\u202c\u2028next \"quoted\" \\ "
                "\x1b[31mred\x1b[0m\r\n\u200b🙂 – done")
NOTE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1,
    max_size=40,
).filter(lambda note: note.strip() != "")


# --- building a database through the real sessions ----------------------------------------

def _tag(workspace: Workspace, words: str, label: str, within: str = "") -> int:
    """Tag ``words`` in the first sentence holding them (and ``within``)."""
    sentence_id = workspace.start_position()
    while sentence_id is not None:
        sentence = workspace.view(sentence_id).text
        if words in sentence and within in sentence:
            start = sentence.index(words)
            return workspace.tag(sentence_id, label, start, start + len(words))
        sentence_id = workspace.next_sentence(sentence_id)
    raise AssertionError(f"no sentence holds {words!r}")


def build(database: Database, folder: Path, note: str = HOSTILE_NOTE) -> None:
    """Two documents (one from a .txt without an id, one from JSONL with one), spans of
    two annotators, sources used and unused, review decisions and notes, an idle annotator."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "first.txt").write_text(FIRST, encoding="utf-8")
    (folder / "second.jsonl").write_text(json.dumps(
        {"id": "wire-2", "title": "Ceasefire", "text": SECOND, "meta": {"desk": "gaza"}}) + "\n",
        encoding="utf-8")
    summary = import_paths(database, [folder / "first.txt", folder / "second.jsonl"])
    assert summary.documents == 2, summary.describe()

    ana = Workspace(database, "ana")
    hamas = _tag(ana, "Hamas", "source", "160,000")
    claim = _tag(ana, "over 160,000 people were hurt", "claim")
    figure = _tag(ana, "over 160,000 people", "figure")
    ana.create_and_set_source(hamas, "Hamas", "party_or_armed_group", ("Harakat Hamas",))
    ana.attribute_to_span(claim, hamas)
    ana.set_figure(figure, 160000, "people", "over")
    ana.link_figure(figure, claim)
    ministry_claim = _tag(ana, "12 crossings could reopen", "claim")
    ministry = ana.create_source("Egypt's foreign ministry", "government",
                                 ("Egyptian foreign ministry",))
    ana.attribute_to_source(ministry_claim, ministry)
    # The registry holds sources nobody's span is mapped to: one with two aliases.
    ana.create_source("UNRWA", "un_agency", ("UN relief agency", "UNRWA Gaza"))
    ana.create_source("Qatar's mediators", None)

    bob = Workspace(database, "bob")
    spokesperson = _tag(bob, "Al-Qanoua", "source")
    freed = _tag(bob, "42 hostages were freed", "claim")
    bob.set_source(spokesperson, ministry)
    bob.attribute_to_span(freed, spokesperson)
    hurt = _tag(bob, "160,000 people were hurt", "claim")

    Workspace(database, "idle")  # opened the database, annotated nothing

    reviewer = ReviewSession(database, "rev")
    reviewer.accept(claim)
    reviewer.note(claim, note)
    reviewer.reject(hurt)
    reviewer.note(hurt, "overlaps ana's claim")
    reviewer.note(freed, "unreviewed, but noted")  # a note without a decision


# --- every table by content ----------------------------------------------------------------

def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None
            else moment.astimezone(UTC)).isoformat()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def contents(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Each table a user writes to, rows as content tuples with ids replaced by what they
    name, sorted."""
    with Session(database.engine) as connection:
        hashes = dict(connection.execute(select(Document.id, Document.content_hash)).all())
        people = dict(connection.execute(select(Annotator.id, Annotator.name)).all())
        sources = dict(connection.execute(select(Source.id, Source.name)).all())
        spans: dict[int, tuple[Any, ...]] = {}
        annotations = []
        for row in connection.scalars(select(Annotation)):
            spans[row.id] = (hashes[row.document_id], people[row.annotator_id], row.label,
                             row.doc_start, row.doc_end)
            annotations.append((
                *spans[row.id], row.start, row.end, row.text, row.status, row.origin,
                sources.get(row.source_id) if row.source_id is not None else None,
                row.figure_value, row.figure_unit, row.figure_qualifier, _json(row.attrs),
                row.note, people.get(row.reviewed_by) if row.reviewed_by is not None else None,
                _utc(row.reviewed_at),
            ))
        return {
            "documents": sorted(
                (row.title, row.text, row.content_hash, row.origin, row.external_id,
                 _json(row.meta))
                for row in connection.scalars(select(Document))),
            "sentences": sorted(
                (hashes[row.document_id], row.index, row.start, row.end, row.text)
                for row in connection.scalars(select(Sentence))),
            "annotators": sorted((name,) for name in people.values()),
            "sources": sorted(
                (row.name, row.source_type)
                for row in connection.scalars(select(Source))),
            "source_aliases": sorted(
                (sources[row.source_id], row.alias)
                for row in connection.scalars(select(SourceAlias))),
            "annotations": sorted(annotations, key=repr),
            "links": sorted(
                (spans[row.from_id], spans[row.to_id], row.type)
                for row in connection.scalars(select(Link))),
        }


def _check_built(tables: dict[str, list[tuple[Any, ...]]]) -> None:
    """The built database holds what the round trips must keep (so a loss shows)."""
    assert len(tables["documents"]) == 2
    assert ("UNRWA", "un_agency") in tables["sources"]
    assert ("Qatar's mediators", None) in tables["sources"]
    assert ("UNRWA", "UN relief agency") in tables["source_aliases"]
    assert ("UNRWA", "UNRWA Gaza") in tables["source_aliases"]
    assert {("ana",), ("bob",), ("idle",), ("rev",)} <= set(tables["annotators"])
    assert len({row[-3] for row in tables["annotations"] if row[-3] is not None}) == 3
    reviewed = [row for row in tables["annotations"] if row[-2] == "rev"]
    assert {row[8] for row in reviewed} == {"accepted", "rejected"}
    assert all(row[-1] is not None for row in reviewed)
    assert len(tables["links"]) == 3
    assert (None in {row[4] for row in tables["documents"]}) and (
        "wire-2" in {row[4] for row in tables["documents"]})


# --- a second, fresh database on the same engine -------------------------------------------

@contextmanager
def fresh_database(db_url: str, tmp_path: Path, name: str) -> Iterator[Database]:
    """A fresh database beside the fixture's: a SQLite file, or a PostgreSQL database."""
    if db_url.startswith("sqlite"):
        opened = open_database(f"sqlite:///{tmp_path / f'{name}.db'}")
        try:
            yield opened
        finally:
            opened.dispose()
        return
    database_name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database_name}"'))
    opened = open_database(make_url(db_url).set(database=database_name)
                           .render_as_string(hide_password=False))
    try:
        yield opened
    finally:
        opened.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)'))
        admin.dispose()


def _url(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def _export(runner: CliRunner, database: Database, out: Path) -> list[dict[str, Any]]:
    result = runner.invoke(cli, ["export", "--format", "jsonl", "--out", str(out),
                                 "--db", _url(database)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]


# --- the round trips -----------------------------------------------------------------------

def test_native_jsonl_round_trip_keeps_every_table(
    runner: CliRunner, database: Database, db_url: str, tmp_path: Path
) -> None:
    build(database, tmp_path / "inputs")
    before = contents(database)
    _check_built(before)
    lines = _export(runner, database, tmp_path / "backup.jsonl")
    # The unused sources and the idle annotator are lines of their own, after the documents.
    assert [line for line in lines if "text" not in line] == [
        {"source": {"name": "Qatar's mediators", "type": None, "aliases": []}},
        {"source": {"name": "UNRWA", "type": "un_agency",
                    "aliases": ["UN relief agency", "UNRWA Gaza"]}},
        {"annotator": {"name": "idle"}},
    ]
    with fresh_database(db_url, tmp_path, "restored") as restored:
        result = runner.invoke(cli, ["import", str(tmp_path / "backup.jsonl"),
                                     "--db", _url(restored)])
        assert result.exit_code == 0, result.output
        assert contents(restored) == before
        # Importing the same backup again adds nothing.
        again = runner.invoke(cli, ["import", str(tmp_path / "backup.jsonl"),
                                    "--db", _url(restored)])
        assert again.exit_code == 0, again.output
        assert "0 annotations, 0 links" in again.output
        assert contents(restored) == before


def test_merge_into_a_fresh_database_keeps_every_table_and_twice_adds_nothing(
    runner: CliRunner, database: Database, db_url: str, tmp_path: Path
) -> None:
    build(database, tmp_path / "inputs")
    before = contents(database)
    _check_built(before)
    with fresh_database(db_url, tmp_path, "merged") as merged:
        result = runner.invoke(cli, ["merge", _url(database), "--db", _url(merged)])
        assert result.exit_code == 0, result.output
        assert "conflict" not in result.output
        assert contents(merged) == before
        again = runner.invoke(cli, ["merge", _url(database), "--db", _url(merged)])
        assert again.exit_code == 0, again.output
        assert "added 0 annotations, 0 links, 0 sources" in again.output
        assert contents(merged) == before


def test_files_written_before_the_review_fields_still_import(
    database: Database, tmp_path: Path
) -> None:
    """A native line without note, reviewed_by, reviewed_at or registry lines imports as
    before: those are absent, not errors."""
    start = SECOND.index("42 hostages were freed")
    line = {"id": "old", "title": "Old", "text": SECOND, "annotations": [
        {"id": "a", "annotator": "ana", "label": "claim", "start": start, "end": start + 22,
         "text": SECOND[start:start + 22], "status": "accepted", "origin": "manual", "attrs": {}}],
        "links": []}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    summary = import_paths(database, [path])
    assert summary.problems == [] and summary.annotations == 1
    annotation = contents(database)["annotations"][0]
    assert annotation[-3:] == (None, None, None)
    assert annotation[7] == "42 hostages were freed"


def test_bad_review_fields_and_registry_lines_are_one_line_errors(
    database: Database, tmp_path: Path
) -> None:
    start = SECOND.index("42 hostages were freed")
    span = {"id": "a", "annotator": "ana", "label": "claim", "start": start, "end": start + 22}
    lines = [
        {"text": SECOND, "annotations": [{**span, "reviewed_at": "yesterday"}]},
        {"text": SECOND, "annotations": [{**span, "note": 7}]},
        {"source": {"type": "government"}},
        {"annotator": {"name": "  "}},
        {"source": {"name": "WFP", "aliases": ["World Food Programme"]}},
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    summary = import_paths(database, [path])
    assert [problem.message for problem in summary.problems] == [
        "annotation 'a': \"reviewed_at\" 'yesterday' is not an ISO 8601 time",
        "annotation 'a': \"note\" must be a string",
        "source: needs a non-empty \"name\"",
        "annotator: needs a non-empty \"name\"",
    ]
    assert [problem.where.rsplit(":", 1)[1] for problem in summary.problems] == \
        ["1", "2", "3", "4"]
    tables = contents(database)
    assert tables["documents"] == [] and tables["sources"] == [("WFP", None)]
    assert tables["source_aliases"] == [("WFP", "World Food Programme")]


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(note=NOTE_TEXT)
def test_any_note_survives_export_and_import(
    runner: CliRunner, tmp_path: Path, note: str
) -> None:
    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    with fresh_database("sqlite", folder, "built") as built:
        build(built, folder / "inputs", note=note)
        before = contents(built)
        assert note.strip() in {row[-3] for row in before["annotations"]}
        _export(runner, built, folder / "backup.jsonl")
        with fresh_database("sqlite", folder, "restored") as restored:
            result = runner.invoke(cli, ["import", str(folder / "backup.jsonl"),
                                         "--db", _url(restored)])
            assert result.exit_code == 0, result.output
            assert contents(restored) == before

