"""``annotator merge``: combining databases annotated offline, without duplicates."""

from __future__ import annotations

from collections.abc import Iterator
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
from annotator.io.export import SPAN_COLUMNS, table
from annotator.io.importer import import_paths
from annotator.io.merge import merge_database
from annotator.io.textfile import content_hash
from annotator.workspace import Workspace
from db.documents import NewDocument, SentenceSpan, add_document
from db.engine import Database, open_database
from db.filters import AnnotationFilter
from db.models import Annotation, Document, Source, SourceAlias

SECOND = "Ceasefire holds\nHamas spokesperson Al-Qanoua said 42 hostages were freed.\n"


@pytest.fixture
def laptop(tmp_path: Path) -> Iterator[Database]:
    """Another annotator's own SQLite file."""
    opened = open_database(str(tmp_path / "laptop.db"))
    yield opened
    opened.dispose()


def _span(workspace: Workspace, sentence_text: str, words: str, label: str) -> int:
    """Tag ``words`` in the first sentence containing them."""
    sentence_id = workspace.start_position()
    while sentence_id is not None:
        text = workspace.view(sentence_id).text
        if words in text and sentence_text in text:
            start = text.index(words)
            return workspace.tag(sentence_id, label, start, start + len(words))
        sentence_id = workspace.next_sentence(sentence_id)
    raise AssertionError(f"no sentence holds {words!r}")


def _source_id(workspace: Workspace, name: str) -> int:
    return next(choice.id for choice in workspace.find_sources(name) if choice.name == name)


def test_two_laptops_are_merged_without_duplicates(
    runner: CliRunner, database: Database, laptop: Database, tmp_path: Path
) -> None:
    # This database: ana tagged the sample article.
    import_paths(database, [SAMPLE_TEXT])
    ana = Workspace(database, "ana")
    ana.create_source("Abdul Latif Al-Qanoua", "party_or_armed_group", ("Al-Qanoua",))
    ana.create_source("Hamas", "party_or_armed_group")
    claim = _span(ana, "", "Mediators have agreed", "claim")
    source = _span(ana, "Mediators", "Egypt's foreign ministry", "source")
    ana.attribute_to_span(claim, source)

    # The laptop: the same article, another one, ana's same claim again and bob's work.
    (tmp_path / "second.txt").write_text(SECOND, encoding="utf-8")
    import_paths(laptop, [SAMPLE_TEXT, tmp_path / "second.txt"])
    ana_away = Workspace(laptop, "ana")
    same_claim = _span(ana_away, "", "Mediators have agreed", "claim")
    ana_away.unattribute(same_claim)  # differs from ana's claim here: a conflict, not an edit
    bob = Workspace(laptop, "bob")
    bob.create_source("Hamas", "government")  # the same name with another type: a conflict
    bob.create_source("Al-Qanoua", "party_or_armed_group", ("Qanoua",))
    hostages = _span(bob, "", "42 hostages were freed", "claim")
    figure = _span(bob, "", "42 hostages", "figure")
    speaker = _span(bob, "", "Hamas spokesperson Al-Qanoua", "source")
    bob.set_figure(figure, 42, "hostages", None)
    bob.set_source(speaker, _source_id(bob, "Al-Qanoua"))
    bob.attribute_to_span(hostages, speaker)
    bob.link_figure(figure, hostages)
    direct = _span(bob, "", "Hamas spokesperson", "claim")
    bob.attribute_to_source(direct, _source_id(bob, "Hamas"))

    laptop_path = laptop.url.removeprefix("sqlite:///")
    result = runner.invoke(cli, ["merge", laptop_path, "--db", database.url])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"merged {laptop_path}: 1 new document (2 sentences), 1 already present; "
        "added 4 annotations, 2 links, 0 sources, 0 done marks, 0 positions, "
        "11 history entries; 2 conflicts (kept this database's)\n"
    )
    assert result.stderr.splitlines() == [
        f"conflict: {laptop_path}: source 'Hamas' has type 'party_or_armed_group' here but "
        "'government' in the incoming data; kept 'party_or_armed_group'",
        f"conflict: {laptop_path}: document 1: ana's claim 'Mediators have agreed' at 96:117 "
        "differs in attributes; kept the stored one",
    ]
    assert_offsets(database)
    with database.sessions() as session:
        assert session.scalar(select(Source.source_type).where(Source.name == "Hamas")) == (
            "party_or_armed_group")
        # "Al-Qanoua" was an alias here: the laptop's source joins it, with its own alias.
        aliases = set(session.scalars(select(SourceAlias.alias).join(Source).where(
            Source.name == "Abdul Latif Al-Qanoua")))
        assert aliases == {"Al-Qanoua", "Qanoua"}
        assert session.scalar(select(Annotation.attrs).where(
            Annotation.text == "Mediators have agreed")) == {}
    columns, rows = table(database, "claims", AnnotationFilter())
    claims = {named["claim_text"]: named for named in (dict(zip(columns, row, strict=True))
                                                       for row in rows)}

    def source_cells(text: str) -> tuple[object, ...]:
        claim = claims[text]
        return tuple(claim[key] for key in ("source_name", "source_type", "source_text",
                                            "figures"))

    assert source_cells("42 hostages were freed") == (
        "Abdul Latif Al-Qanoua", "party_or_armed_group", "Hamas spokesperson Al-Qanoua",
        "42 hostages")
    assert source_cells("Hamas spokesperson")[:3] == ("Hamas", "party_or_armed_group", None)
    assert source_cells("Mediators have agreed")[:3] == (None, None, "Egypt's foreign ministry")

    again = runner.invoke(cli, ["merge", laptop_path, "--db", database.url])
    assert again.exit_code == 0
    assert again.stdout == (
        f"merged {laptop_path}: 0 new documents (0 sentences), 2 already present; "
        "added 0 annotations, 0 links, 0 sources, 0 done marks, 0 positions, "
        "0 history entries; 2 conflicts (kept this database's)\n"
    )


def test_sample_fixture_merges_into_an_empty_database(
    database: Database, laptop: Database
) -> None:
    import_paths(laptop, [SAMPLE_LABELS])
    summary = merge_database(database, laptop, "laptop.db")
    assert (summary.documents_added, summary.annotations, summary.links, summary.sources) == (
        1, 47, 30, 9)
    assert summary.conflicts == [] and summary.problems == []
    assert canonical(export_native(database)) == canonical(export_native(laptop))
    assert_offsets(database)
    # Timestamps travel with the annotations.
    stamps = SPAN_COLUMNS.index("created_at")
    here = [row[stamps:] for row in table(database, "spans", AnnotationFilter())[1]]
    there = [row[stamps:] for row in table(laptop, "spans", AnnotationFilter())[1]]
    assert here == there
    again = merge_database(database, laptop, "laptop.db")
    assert (again.documents_added, again.documents_present, again.annotations, again.links,
            again.sources) == (0, 1, 0, 0, 0)


def test_merge_from_this_engine_into_a_sqlite_file(
    database: Database, tmp_path: Path
) -> None:
    import_paths(database, [SAMPLE_LABELS])
    target = open_database(str(tmp_path / "combined.db"))
    try:
        summary = merge_database(target, database, "server")
        assert summary.annotations == 47
        assert canonical(export_native(target)) == canonical(export_native(database))
    finally:
        target.dispose()


def test_a_document_that_does_not_fit_is_not_half_merged(
    runner: CliRunner, database: Database, laptop: Database, tmp_path: Path
) -> None:
    text = "One two three. Four five six.\n"
    # Here the same text was stored with a sentence per word (an older segmenter, say).
    words = [SentenceSpan(0, 3), SentenceSpan(4, 7), SentenceSpan(8, 14), SentenceSpan(15, 19),
             SentenceSpan(20, 24), SentenceSpan(25, 29)]
    add_document(database, NewDocument("odd", text, content_hash(text)), words)
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Fine text. Nothing odd.\n", encoding="utf-8")
    import_paths(laptop, [tmp_path / "a.txt", tmp_path / "b.txt"])
    bob = Workspace(laptop, "bob")
    _span(bob, "", "One two", "claim")
    _span(bob, "", "three", "figure")
    _span(bob, "", "Fine text", "claim")
    laptop_path = laptop.url.removeprefix("sqlite:///")
    result = runner.invoke(cli, ["merge", laptop_path, "--db", database.url])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"not merged: {laptop_path}: document 1 ('a'): annotation 1 (claim 0:7 'One two') is "
        "not inside one sentence",
    ]
    assert "1 new document" in result.stdout and "1 document not merged" in result.stdout
    with database.sessions() as session:
        odd = session.scalar(select(Document.id).where(Document.title == "odd"))
        assert session.scalars(select(Annotation).where(Annotation.document_id == odd)
                               ).all() == []
        assert session.scalar(select(Annotation.text)) == "Fine text"


def test_databases_that_cannot_be_merged(
    runner: CliRunner, database: Database, laptop: Database, tmp_path: Path
) -> None:
    import_paths(laptop, [SAMPLE_TEXT])
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database", encoding="utf-8")
    laptop_path = laptop.url.removeprefix("sqlite:///")
    missing = tmp_path / "missing.db"
    args = ["merge", str(missing), str(notes), laptop_path, "--db", database.url]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {missing}: no such database file",
        f"error: {notes} is not a SQLite database; refusing to touch it",
    ]
    assert not missing.exists()
    assert result.stdout.startswith(f"merged {laptop_path}: 1 new document")
    itself = runner.invoke(cli, ["merge", laptop_path, "--db", laptop_path])
    assert itself.exit_code == 1
    assert itself.stderr == f"error: {laptop_path}: is the database being merged into\n"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(corpus=corpora())
def test_generated_merge_copies_everything_once(
    database: Database, tmp_path_factory: pytest.TempPathFactory, corpus: list[dict[str, Any]]
) -> None:
    wipe(database)
    folder = tmp_path_factory.mktemp("laptop")
    laptop = open_database(str(folder / "laptop.db"))
    try:
        summary = import_paths(laptop, [write_lines(folder / "generated.jsonl", corpus)])
        assert summary.problems == []
        merged = merge_database(database, laptop, "laptop")
        assert merged.problems == [] and merged.conflicts == []
        assert canonical(export_native(database)) == canonical(export_native(laptop))
        assert_offsets(database)
        again = merge_database(database, laptop, "laptop")
        assert (again.documents_added, again.annotations, again.links, again.sources) == (
            0, 0, 0, 0)
    finally:
        laptop.dispose()
