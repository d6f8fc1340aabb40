"""A team's progress survives ``merge`` and the native JSONL round trip (issue 15, item 1):
done marks, where each annotator was, and the change log behind undo and review history.

Each annotator works in a database of their own (real SQLite files, and the database of
each engine); the team database is made with ``annotator merge`` and by exporting and
importing the native JSONL, through the command line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interchange_helpers import wipe, write_lines
from paths import SAMPLE_TEXT
from sqlalchemy import func, select
from strategies import corpora

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.io.interchange import write_documents
from annotator.io.merge import merge_database
from annotator.reports.agreement import build_report
from annotator.reports.stats import build_stats
from annotator.workspace import Workspace
from db.document_records import iter_document_records, iter_unused_annotators
from db.engine import Database, open_database
from db.filters import AnnotationFilter
from db.models import (
    Annotation,
    Annotator,
    ChangeLogEntry,
    Document,
    Link,
    Sentence,
    SentenceState,
)
from db.review import annotation_history

COUNTED = (Annotation, Link, SentenceState, ChangeLogEntry)


def _sentences(workspace: Workspace, count: int) -> list[int]:
    found = [workspace.start_position()]
    while len(found) < count:
        following = workspace.next_sentence(found[-1])
        assert following is not None
        found.append(following)
    return [sentence for sentence in found if sentence is not None]


def _work(database: Database, name: str, *, claim_at: int) -> None:
    """One annotator's session: spans, a link, a relabel undone and redone, a deletion,
    done marks on three sentences (one unmarked and marked again) and a position on the
    fourth."""
    import_paths(database, [SAMPLE_TEXT])
    workspace = Workspace(database, name)
    first, second, third, fourth = _sentences(workspace, 4)
    claim = workspace.tag(first, "claim", 0, claim_at)
    source = workspace.tag(first, "source", claim_at + 1, claim_at + 8)
    workspace.attribute_to_span(claim, source)
    throwaway = workspace.tag(second, "figure", 0, 4)
    workspace.relabel(throwaway, "claim")
    workspace.undo()
    workspace.redo()
    # Deleted after a newer one exists: SQLite would give a new span the id of a deleted
    # last row, and the history shown for that id then mixes both (not what is tested here).
    kept = workspace.tag(second, "claim", 2, 9)
    workspace.delete(throwaway)
    workspace.relabel(kept, "figure")
    for sentence in (first, second, third):
        workspace.toggle_done(sentence)
    workspace.toggle_done(third)  # not done after all
    workspace.toggle_done(third)
    workspace.remember_position(fourth)


def _counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        found = {model.__tablename__: int(connection.scalar(
            select(func.count()).select_from(model)) or 0) for model in COUNTED}
        found["positions"] = int(connection.scalar(
            select(func.count()).select_from(Annotator)
            .where(Annotator.last_sentence_id.is_not(None))) or 0)
    return found


def _positions(database: Database) -> dict[str, str]:
    """Each annotator's position, as the text of the sentence."""
    with database.engine.connect() as connection:
        return dict(connection.execute(
            select(Annotator.name, Sentence.text)
            .join(Sentence, Sentence.id == Annotator.last_sentence_id)).all())


def _done(database: Database) -> set[tuple[str, str, str]]:
    with database.engine.connect() as connection:
        return set(connection.execute(
            select(Annotator.name, Sentence.text, SentenceState.state)
            .join(Sentence, Sentence.id == SentenceState.sentence_id)
            .join(Annotator, Annotator.id == SentenceState.annotator_id)).all())


def _history(database: Database) -> list[tuple[str, datetime, str, str]]:
    """Every change-log entry as who, when, action and entity (no ids), oldest first."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Annotator.name, ChangeLogEntry.at, ChangeLogEntry.action,
                   ChangeLogEntry.entity)
            .join(Annotator, Annotator.id == ChangeLogEntry.annotator_id)).all()
    return sorted((name, at.replace(tzinfo=UTC) if at.tzinfo is None else at, action, entity)
                  for name, at, action, entity in rows)


def _span_histories(database: Database) -> dict[tuple[str, str, int, int], list[Any]]:
    """The review history (`h`) of every annotation, by its identity."""
    with database.engine.connect() as connection:
        spans = connection.execute(
            select(Annotation.id, Annotator.name, Annotation.label, Annotation.doc_start,
                   Annotation.doc_end)
            .join(Annotator, Annotator.id == Annotation.annotator_id)).all()
    return {
        (name, label, start, end): [(entry.who, entry.action, entry.created, entry.deleted,
                                     tuple((c.name, c.before, c.after) for c in entry.changes
                                           if c.name not in ("annotator_id", "reviewed_by",
                                                             "source_id")))
                                    for entry in annotation_history(database, annotation_id)]
        for annotation_id, name, label, start, end in spans
    }


def _agreement(database: Database) -> dict[str, Any]:
    report = build_report(database, None, (), (), False).to_dict()
    report.pop("documents")
    return report


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """ana's and ben's own SQLite files, each with a session of work."""
    paths = (tmp_path / "ana.db", tmp_path / "ben.db")
    for path, name, claim_at in zip(paths, ("ana", "ben"), (20, 25), strict=True):
        opened = open_database(str(path))
        try:
            _work(opened, name, claim_at=claim_at)
        finally:
            opened.dispose()
    yield paths


def _merge(runner: CliRunner, target: str, *others: Path | str) -> str:
    result = runner.invoke(cli, ["merge", *map(str, others), "--db", target])
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def test_merge_carries_done_marks_positions_and_history(
    runner: CliRunner, db_url: str, laptops: tuple[Path, Path]
) -> None:
    ana_path, ben_path = laptops
    first = _merge(runner, db_url, ana_path, ben_path)
    assert first.count("3 done marks, 1 position, ") == 2  # each laptop's
    team = open_database(db_url)
    sources = [open_database(str(path)) for path in laptops]
    try:
        counts = [_counts(source) for source in sources]
        merged = _counts(team)
        assert merged == {key: counts[0][key] + counts[1][key] for key in merged}
        assert merged["sentence_states"] == 6 and merged["positions"] == 2
        assert _done(team) == _done(sources[0]) | _done(sources[1])
        assert _positions(team) == {**_positions(sources[0]), **_positions(sources[1])}
        assert _history(team) == sorted(_history(sources[0]) + _history(sources[1]))
        histories = {**_span_histories(sources[0]), **_span_histories(sources[1])}
        assert _span_histories(team) == histories
        assert any(len(entries) > 1 for entries in histories.values())
        # Agreement counts the sentences both marked done, as it would have on one database.
        report = _agreement(team)
        assert report["sentences"] == 3
        # `stats` sees who did what, active time included (it is read from the history).
        stats = {row.name: row for row in build_stats(team).annotators}
        for source in sources:
            for row in build_stats(source).annotators:
                assert (stats[row.name].sentences_done, stats[row.name].active_seconds) == (
                    row.sentences_done, row.active_seconds)
        assert stats["ana"].sentences_done == 3

        # Merging again adds nothing, neither annotations nor progress nor history.
        again = _merge(runner, db_url, ana_path, ben_path)
        assert again.count("added 0 annotations, 0 links, 0 sources, 0 done marks, "
                           "0 positions, 0 history entries") == 2
        assert _counts(team) == merged

        # The history is live: ana's undo in the team database takes back her last done
        # mark, and `stats` and resuming see the carried progress.
        ana = Workspace(team, "ana")
        assert ana.progress().done == 3
        sentence = ana.undo()
        assert sentence is not None
        assert ana.progress().done == 2
        assert ana.start_position() is not None
        with team.engine.connect() as connection:
            resumed = connection.scalar(select(Sentence.text).where(
                Sentence.id == ana.start_position()))
        assert resumed == _positions(sources[0])["ana"]
    finally:
        team.dispose()
        for source in sources:
            source.dispose()


def test_merge_from_a_database_of_each_engine(
    runner: CliRunner, database: Database, db_url: str, tmp_path: Path
) -> None:
    _work(database, "ana", claim_at=20)
    target = tmp_path / "team.db"
    _merge(runner, str(target), db_url)
    team = open_database(str(target))
    try:
        assert _counts(team) == _counts(database)
        assert _done(team) == _done(database)
        assert _positions(team) == _positions(database)
        assert _history(team) == _history(database)
        assert _span_histories(team) == _span_histories(database)
    finally:
        team.dispose()


def test_a_position_already_here_is_kept(
    runner: CliRunner, laptops: tuple[Path, Path], tmp_path: Path
) -> None:
    ana_path, _ben_path = laptops
    target = tmp_path / "team.db"
    team = open_database(str(target))
    try:
        import_paths(team, [SAMPLE_TEXT])
        here = Workspace(team, "ana")
        last = _sentences(here, 7)[-1]
        here.remember_position(last)
        here.toggle_done(last)
        _merge(runner, str(target), ana_path)
        # ana was at the seventh sentence here: that stays, her laptop's position does not win.
        assert here.start_position() == last
        # Her marks of the laptop are added beside the one here.
        assert here.progress().done == 4
    finally:
        team.dispose()


def test_native_jsonl_round_trip_keeps_progress(
    runner: CliRunner, db_url: str, laptops: tuple[Path, Path], tmp_path: Path
) -> None:
    _merge(runner, db_url, *laptops)
    exported = tmp_path / "team.jsonl"
    result = runner.invoke(cli, ["export", "--format", "jsonl", "--out", str(exported),
                                 "--db", db_url])
    assert result.exit_code == 0, result.stderr
    line = json.loads(exported.read_text(encoding="utf-8").splitlines()[0])
    assert {item["annotator"] for item in line["states"]} == {"ana", "ben"}
    assert all(item["state"] == "done" and item["at"] for item in line["states"])
    assert {item["annotator"] for item in line["positions"]} == {"ana", "ben"}

    fresh = tmp_path / "fresh.db"
    result = runner.invoke(cli, ["import", str(exported), "--db", str(fresh)])
    assert result.exit_code == 0, result.stderr
    assert "6 done marks, 2 positions" in result.stdout
    team, copy = open_database(db_url), open_database(str(fresh))
    try:
        before, after = _counts(team), _counts(copy)
        for key in ("annotations", "links", "sentence_states", "positions"):
            assert after[key] == before[key], key
        assert _done(copy) == _done(team)
        assert _positions(copy) == _positions(team)
        assert _agreement(copy) == _agreement(team)
        # The marks keep their times.
        with team.engine.connect() as a, copy.engine.connect() as b:
            times = [sorted(value.replace(tzinfo=None) if value.tzinfo else value
                            for value in c.scalars(select(SentenceState.updated_at)))
                     for c in (a, b)]
        assert times[0] == times[1]
        # Importing the same file again adds nothing.
        result = runner.invoke(cli, ["import", str(exported), "--db", str(fresh)])
        assert result.exit_code == 0
        assert _counts(copy) == after
    finally:
        team.dispose()
        copy.dispose()


def test_agreement_after_merge_equals_agreement_over_both_laptops_exports(
    runner: CliRunner, db_url: str, laptops: tuple[Path, Path], tmp_path: Path
) -> None:
    _merge(runner, db_url, *laptops)
    together = tmp_path / "together.db"
    for laptop in laptops:
        exported = tmp_path / f"{laptop.stem}.jsonl"
        result = runner.invoke(cli, ["export", "--format", "jsonl", "--out", str(exported),
                                     "--db", str(laptop)])
        assert result.exit_code == 0, result.stderr
        result = runner.invoke(cli, ["import", str(exported), "--db", str(together)])
        assert result.exit_code == 0, result.stderr
    merged_report = runner.invoke(cli, ["agreement", "--json", "--db", db_url])
    both_report = runner.invoke(cli, ["agreement", "--json", "--db", str(together)])
    assert merged_report.exit_code == both_report.exit_code == 0, merged_report.stderr
    assert json.loads(merged_report.stdout) == json.loads(both_report.stdout)
    assert json.loads(merged_report.stdout)["sentences"] == 3


def test_native_file_without_progress_still_imports(
    runner: CliRunner, laptops: tuple[Path, Path], tmp_path: Path
) -> None:
    exported = tmp_path / "ana.jsonl"
    result = runner.invoke(cli, ["export", "--format", "jsonl", "--out", str(exported),
                                 "--db", str(laptops[0])])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        line.pop("states", None)
        line.pop("positions", None)
    old = tmp_path / "old.jsonl"
    old.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    target = tmp_path / "old.db"
    result = runner.invoke(cli, ["import", str(old), "--db", str(target)])
    assert result.exit_code == 0, result.stderr
    imported = open_database(str(target))
    try:
        counts = _counts(imported)
        assert counts["annotations"] == 3 and counts["sentence_states"] == 0
    finally:
        imported.dispose()


@pytest.mark.parametrize(("change", "message"), [
    ({"states": [{"annotator": "ana", "start": 0, "end": 10 ** 6}]},
     "state 1: sentence offsets 0:1000000 do not fit"),
    ({"states": [{"annotator": "ana", "start": 0, "end": 5, "state": "finished"}]},
     "state 1: \"state\" must be one of done, skipped"),
    ({"states": {"annotator": "ana"}}, "\"states\" must be a list"),
    ({"positions": [{"annotator": "", "start": 0, "end": 5}]},
     "position 1: needs a non-empty \"annotator\""),
    ({"states": [{"annotator": "ana", "start": 0, "end": 5, "at": "yesterday"}]},
     "state 1: \"at\" 'yesterday' is not an ISO 8601 time"),
])
def test_bad_progress_in_a_native_line_is_one_line_naming_it(
    runner: CliRunner, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    line = {"id": "d1", "title": "t", "text": "Mediators have agreed. Talks go on.\n",
            "annotations": [], **change}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_mark_on_a_sentence_cut_differently_is_reported(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = "Mediators have agreed. Talks go on.\n"
    line = {"id": "d1", "title": "t", "text": text, "annotations": [],
            "states": [{"annotator": "ana", "start": 0, "end": 5, "state": "done"}]}
    path = tmp_path / "cut.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.stderr
    assert "ana's done mark on the sentence at 0:5: no sentence here has those offsets" \
        in result.stderr


def test_agreement_without_common_done_sentences_says_why(
    runner: CliRunner, db_url: str
) -> None:
    database = open_database(db_url)
    try:
        import_paths(database, [SAMPLE_TEXT])
        for name in ("ana", "ben"):
            workspace = Workspace(database, name)
            workspace.tag(workspace.start_position() or 0, "claim", 0, 20)
    finally:
        database.dispose()
    result = runner.invoke(cli, ["agreement", "--db", db_url])
    assert result.exit_code == 1
    assert "0 sentences done by all compared annotators" in result.stdout
    assert result.stderr.strip().splitlines() == [
        "error: nothing compared: no sentence is marked done by all of ana, ben, and only "
        "those count. Mark sentences done with `d` in `annotator annotate`, or pass --all to "
        "compare every sentence, done or not"]
    as_json = runner.invoke(cli, ["agreement", "--json", "--db", db_url])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["sentences"] == 0
    assert "--all" in as_json.stderr
    every = runner.invoke(cli, ["agreement", "--all", "--db", db_url])
    assert every.exit_code == 0, every.stderr
    assert every.stderr == ""


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _progress_by_content(database: Database) -> tuple[set[Any], set[Any]]:
    """Marks and positions by who, document text and sentence offsets (no ids)."""
    with database.engine.connect() as connection:
        marks = set(connection.execute(
            select(Annotator.name, Document.content_hash, Sentence.start, Sentence.end,
                   SentenceState.state)
            .join(Sentence, Sentence.id == SentenceState.sentence_id)
            .join(Document, Document.id == Sentence.document_id)
            .join(Annotator, Annotator.id == SentenceState.annotator_id)).all())
        positions = set(connection.execute(
            select(Annotator.name, Document.content_hash, Sentence.start, Sentence.end)
            .join(Sentence, Sentence.id == Annotator.last_sentence_id)
            .join(Document, Document.id == Sentence.document_id)).all())
    return marks, positions


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(corpus=corpora(), data=st.data())
def test_generated_progress_survives_round_trip_and_merge(
    database: Database, tmp_path_factory: pytest.TempPathFactory,
    corpus: list[dict[str, Any]], data: st.DataObject,
) -> None:
    wipe(database)
    folder = tmp_path_factory.mktemp("progress")
    laptop = open_database(str(folder / "laptop.db"))
    fresh = open_database(str(folder / "fresh.db"))
    try:
        assert import_paths(laptop, [write_lines(folder / "corpus.jsonl", corpus)]).problems == []
        with laptop.engine.connect() as connection:
            sentences = list(connection.scalars(select(Sentence.id).order_by(Sentence.id)))
        for name in data.draw(st.lists(st.sampled_from(["ana", "ben", "chen"]), max_size=3,
                                       unique=True)):
            workspace = Workspace(laptop, name)
            marked = data.draw(st.lists(st.sampled_from(sentences), unique=True))
            for sentence in marked:
                workspace.toggle_done(sentence)
            if data.draw(st.booleans()):
                workspace.remember_position(data.draw(st.sampled_from(sentences)))
        expected = _progress_by_content(laptop)

        out = io.StringIO()
        write_documents(out, iter_document_records(laptop, AnnotationFilter(),
                                                   with_progress=True), "jsonl",
                        annotators=iter_unused_annotators(laptop))
        summary = import_paths(fresh, [write_text(folder / "out.jsonl", out.getvalue())])
        assert summary.problems == [] and summary.conflicts == []
        assert _progress_by_content(fresh) == expected

        merged = merge_database(database, laptop, "laptop")
        assert merged.problems == [] and merged.conflicts == []
        assert _progress_by_content(database) == expected
        assert (merged.states, merged.positions) == (len(expected[0]), len(expected[1]))
        again = merge_database(database, laptop, "laptop")
        assert (again.states, again.positions, again.history) == (0, 0, 0)
    finally:
        laptop.dispose()
        fresh.dispose()


def test_a_mark_already_here_is_kept_and_a_different_one_reported(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    text = "Mediators have agreed. Talks go on.\n"
    line = {"id": "d1", "title": "t", "text": text, "annotations": [],
            "states": [{"annotator": "ana", "start": 0, "end": 22, "state": "skipped"}]}
    path = tmp_path / "marks.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    first = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert first.exit_code == 0, first.stderr
    assert "1 done mark, 0 positions" in first.stdout
    line["states"] = [{"annotator": "ana", "start": 0, "end": 22, "state": "done"},
                      {"annotator": "ben", "start": 0, "end": 22, "state": "done"}]
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    second = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert second.exit_code == 0, second.stderr
    assert "ana's sentence at 0:22 is skipped here but done in the incoming data; kept " \
        "skipped" in second.stderr
    database = open_database(db_url)
    try:
        assert {(name, state) for name, _text, state in _done(database)} == {
            ("ana", "skipped"), ("ben", "done")}
    finally:
        database.dispose()
