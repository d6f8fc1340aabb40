"""Storing suggestions, deciding on them, and everything else leaving them out."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.suggest import SuggestedSpan
from annotator.suggest.store import proposals
from annotator.workspace import Workspace
from db.engine import Database, mask_password
from db.models import Annotation, Document, Link, Sentence, Source
from db.stats import corpus_counts
from db.suggestions import (
    ProposedSpan,
    decide,
    document_text,
    is_processed,
    store_suggestions,
)
from db.values import Figure

SENTENCE_1 = "Hamas spokesperson Abdul Latif Al-Qanoua said talks go on."
SENTENCE_2 = "Officials reported over 160,000 casualties."
TEXT = f"{SENTENCE_1}\n{SENTENCE_2}\n"


def _at(sentence: str, part: str) -> tuple[int, int]:
    start = sentence.index(part)
    return start, start + len(part)


SOURCE = ProposedSpan(0, "source", *_at(SENTENCE_1, "Hamas spokesperson Abdul Latif Al-Qanoua"),
                      source_name="Hamas", source_type="party_or_armed_group",
                      attrs={"reason": "speech verb 'said'"})
CLAIM = ProposedSpan(0, "claim", *_at(SENTENCE_1, "talks go on"), attributed_to=0,
                     attrs={"reason": "content of 'said'"})
FIGURE = ProposedSpan(1, "figure", *_at(SENTENCE_2, "over 160,000 casualties"),
                      figure=Figure(160000.0, "casualties", "over"),
                      attrs={"value_max": None})
OFFICIALS = ProposedSpan(1, "source", *_at(SENTENCE_2, "Officials"),
                         source_name="Gaza officials", source_type="government")
PROPOSALS = [SOURCE, CLAIM, FIGURE, OFFICIALS]


@pytest.fixture
def imported(database: Database, tmp_path: Path) -> Database:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    import_paths(database, [tmp_path / "a.txt"])
    Workspace(database, "ana").create_source("Hamas", "party_or_armed_group")
    return database


def _rows(database: Database) -> dict[str, Annotation]:
    with database.sessions() as session:
        return {a.text: a for a in session.scalars(select(Annotation))}


def _ana(database: Database) -> int:
    return Workspace(database, "ana").annotator_id


def _stored(database: Database) -> dict[str, Annotation]:
    assert store_suggestions(database, _ana(database), 1, PROPOSALS) == 4
    return _rows(database)


def test_store_suggested_rows_links_and_sources(imported: Database) -> None:
    assert not is_processed(imported, _ana(imported), 1)
    rows = _stored(imported)
    assert is_processed(imported, _ana(imported), 1)
    assert {(a.status, a.origin) for a in rows.values()} == {("suggested", "suggested")}
    source = rows["Hamas spokesperson Abdul Latif Al-Qanoua"]
    with imported.sessions() as session:
        hamas = session.scalar(select(Source.id).where(Source.name == "Hamas"))
        links = session.execute(select(Link.from_id, Link.to_id, Link.type)).all()
        text = session.scalar(select(Document.text))
    assert source.source_id == hamas and "suggested_source" not in source.attrs
    assert source.attrs["reason"] == "speech verb 'said'"
    claim = rows["talks go on"]
    assert links == [(claim.id, source.id, "attributed_to")]
    figure = rows["over 160,000 casualties"]
    assert (figure.figure_value, figure.figure_unit, figure.figure_qualifier) == (
        160000.0, "casualties", "over")
    assert "value_max" in figure.attrs
    # Not in the registry: proposed, and registered only when accepted.
    assert rows["Officials"].source_id is None
    assert rows["Officials"].attrs["suggested_source"] == {"name": "Gaza officials",
                                                          "type": "government"}
    for annotation in rows.values():
        assert text[annotation.doc_start:annotation.doc_end] == annotation.text
        assert (annotation.start, annotation.end) == (
            annotation.doc_start - (0 if annotation.doc_start < len(SENTENCE_1)
                                    else len(SENTENCE_1) + 1),
            annotation.doc_end - (0 if annotation.doc_start < len(SENTENCE_1)
                                  else len(SENTENCE_1) + 1))


def test_storing_again_adds_nothing_and_rejections_are_not_suggested_again(
    imported: Database,
) -> None:
    rows = _stored(imported)
    ana = _ana(imported)
    assert decide(imported, ana, [rows["talks go on"].id], "rejected") == 1
    assert store_suggestions(imported, ana, 1, PROPOSALS) == 0
    again = _rows(imported)
    assert len(again) == 4
    assert again["talks go on"].status == "rejected"
    # Another annotator gets their own layer.
    assert store_suggestions(imported, Workspace(imported, "ben").annotator_id, 1,
                             PROPOSALS) == 4


def test_proposals_that_do_not_fit_are_skipped(imported: Database) -> None:
    bad = [ProposedSpan(0, "claim", 5, 500), ProposedSpan(7, "claim", 0, 3),
           ProposedSpan(0, "opinion", 0, 3), ProposedSpan(0, "claim", 3, 3), CLAIM, CLAIM]
    assert store_suggestions(imported, _ana(imported), 1, bad) == 1
    assert list(_rows(imported)) == ["talks go on"]


def test_accept_reject_undo_redo(imported: Database) -> None:
    rows = _stored(imported)
    workspace = Workspace(imported, "ana", suggestions=True)
    claim, officials = rows["talks go on"].id, rows["Officials"].id
    assert workspace.accept([claim]) == 1
    assert _rows(imported)["talks go on"].status == "accepted"
    assert _rows(imported)["talks go on"].origin == "suggested"
    assert workspace.accept([claim]) == 0  # no longer a suggestion
    assert workspace.undo() == rows["talks go on"].sentence_id
    assert _rows(imported)["talks go on"].status == "suggested"
    workspace.redo()
    assert _rows(imported)["talks go on"].status == "accepted"
    assert workspace.reject([officials]) == 1
    assert _rows(imported)["Officials"].status == "rejected"
    workspace.undo()
    assert _rows(imported)["Officials"].status == "suggested"


def test_accepting_a_proposed_source_registers_it(imported: Database) -> None:
    rows = _stored(imported)
    workspace = Workspace(imported, "ana", suggestions=True)
    workspace.accept([rows["Officials"].id])
    officials = _rows(imported)["Officials"]
    assert "suggested_source" not in officials.attrs
    (choice,) = workspace.find_sources("Gaza officials")
    assert (officials.source_id, choice.source_type) == (choice.id, "government")
    workspace.undo()
    officials = _rows(imported)["Officials"]
    assert (officials.status, officials.source_id) == ("suggested", None)
    assert officials.attrs["suggested_source"]["name"] == "Gaza officials"


def test_accept_all_is_one_undo_step(imported: Database) -> None:
    rows = _stored(imported)
    workspace = Workspace(imported, "ana", suggestions=True)
    assert workspace.accept([a.id for a in rows.values()]) == 4
    assert {a.status for a in _rows(imported).values()} == {"accepted"}
    workspace.undo()
    assert {a.status for a in _rows(imported).values()} == {"suggested"}


def test_tagging_a_suggested_span_accepts_it(imported: Database) -> None:
    rows = _stored(imported)
    workspace = Workspace(imported, "ana")
    claim = rows["talks go on"]
    workspace.reject([claim.id])
    assert workspace.tag(claim.sentence_id, "claim", claim.start, claim.end) == claim.id
    assert _rows(imported)["talks go on"].status == "accepted"


def test_views_show_own_pending_suggestions_only(imported: Database) -> None:
    rows = _stored(imported)
    sentence = rows["talks go on"].sentence_id
    workspace = Workspace(imported, "ana", suggestions=True)
    workspace.reject([rows["talks go on"].id])
    shown = {a.text: a for a in workspace.view(sentence).annotations}
    assert set(shown) == {"Hamas spokesperson Abdul Latif Al-Qanoua"}
    assert shown["Hamas spokesperson Abdul Latif Al-Qanoua"].reason == "speech verb 'said'"
    assert Workspace(imported, "ana").view(sentence).annotations == ()  # suggestions off
    # Others see neither ana's suggestions nor her rejections; her accepted spans, yes.
    other = Workspace(imported, "ben", show_others=True)
    assert other.view(sentence).annotations == ()
    workspace.accept([rows["Hamas spokesperson Abdul Latif Al-Qanoua"].id])
    assert [a.text for a in other.view(sentence).annotations] == [
        "Hamas spokesperson Abdul Latif Al-Qanoua"]
    officials = workspace.view(rows["Officials"].sentence_id).annotations
    assert {a.text: a.proposed_source for a in officials}["Officials"] == (
        "Gaza officials", "government")


def test_pending_suggestions_do_not_mark_a_sentence_done_or_count(imported: Database) -> None:
    rows = _stored(imported)
    workspace = Workspace(imported, "ana", suggestions=True)
    sentence = rows["talks go on"].sentence_id
    assert not workspace.leaving_marks_done(sentence)
    assert corpus_counts(imported).by_label == {}
    workspace.accept([rows["talks go on"].id])
    assert workspace.leaving_marks_done(sentence)
    assert corpus_counts(imported).by_label == {"claim": 1}


def _export(runner: CliRunner, url: str, *args: str) -> str:
    result = runner.invoke(cli, ["export", "--db", url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_leaves_suggestions_out_unless_asked(
    imported: Database, db_url: str, runner: CliRunner,
) -> None:
    rows = _stored(imported)
    workspace = Workspace(imported, "ana")
    workspace.accept([rows["talks go on"].id, rows["Hamas spokesperson Abdul Latif Al-Qanoua"].id])
    workspace.reject([rows["Officials"].id])
    spans = list(csv.DictReader(io.StringIO(_export(runner, db_url))))
    assert sorted(row["text"] for row in spans) == [
        "Hamas spokesperson Abdul Latif Al-Qanoua", "talks go on"]
    assert {row["status"] for row in spans} == {"accepted"}
    claims = list(csv.DictReader(io.StringIO(_export(runner, db_url, "--view", "claims"))))
    assert [(row["claim_text"], row["source_name"]) for row in claims] == [
        ("talks go on", "Hamas")]
    asked = list(csv.DictReader(io.StringIO(_export(runner, db_url, "--status", "suggested"))))
    assert [row["text"] for row in asked] == ["over 160,000 casualties"]
    prodigy = json.loads(_export(runner, db_url, "--format", "prodigy"))
    assert len(prodigy["spans"]) == 2 and len(prodigy["relations"]) == 1
    # The native JSONL is the lossless backup: every status, rejections included.
    native = json.loads(_export(runner, db_url, "--format", "jsonl"))
    assert sorted(a["status"] for a in native["annotations"]) == [
        "accepted", "accepted", "rejected", "suggested"]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(-1, 2), st.sampled_from(["claim", "source", "figure"]),
                          st.integers(-2, 70), st.integers(-2, 70)), max_size=8))
def test_stored_suggestions_keep_the_offset_invariant(
    imported: Database, spans: list[tuple[int, str, int, int]],
) -> None:
    proposals = [ProposedSpan(index, label, start, end) for index, label, start, end in spans]
    store_suggestions(imported, _ana(imported), 1, proposals)
    with imported.sessions() as session:
        text = session.scalar(select(Document.text))
        assert text is not None
        for annotation in session.scalars(select(Annotation)):
            assert text[annotation.doc_start:annotation.doc_end] == annotation.text
            assert 0 <= annotation.start < annotation.end
        keys = session.execute(select(Annotation.sentence_id, Annotation.label,
                                      Annotation.start, Annotation.end)).all()
        assert len(keys) == len(set(keys))
        assert session.scalar(select(func.count()).select_from(Annotation)) == len(keys)


def test_a_claim_with_a_source_named_elsewhere_is_attributed_on_accept(
    imported: Database,
) -> None:
    known = ProposedSpan(1, "claim", *_at(SENTENCE_2, "over 160,000 casualties"),
                         resolved_source="Hamas")
    unknown = ProposedSpan(0, "claim", *_at(SENTENCE_1, "talks go on"),
                           resolved_source="Cairo mediators")
    assert store_suggestions(imported, _ana(imported), 1, [known, unknown]) == 2
    workspace = Workspace(imported, "ana", suggestions=True)
    rows = _rows(imported)
    views = {a.text: a for sentence in (rows["talks go on"].sentence_id,
                                        rows["over 160,000 casualties"].sentence_id)
             for a in workspace.view(sentence).annotations}
    assert views["over 160,000 casualties"].source_name == "Hamas"  # in the registry
    assert views["talks go on"].proposed_source == ("Cairo mediators", None)
    workspace.accept([rows["talks go on"].id])
    (mediators,) = workspace.find_sources("Cairo mediators")
    assert _rows(imported)["talks go on"].source_id == mediators.id


# --- cues are kept (issue 16) ---------------------------------------------------------
EMOJI_1 = "🇵🇸 Al-Qanoua said 😀 talks go on."
EMOJI_2 = "Officials, citing 🙂 witnesses, reported over 160,000 casualties."
CUE_TEXT = f"Headline\n\n{EMOJI_1} {EMOJI_2}\n"


@pytest.fixture
def cued(database: Database, tmp_path: Path) -> Database:
    (tmp_path / "cued.txt").write_text(CUE_TEXT, encoding="utf-8")
    import_paths(database, [tmp_path / "cued.txt"])
    return database


def _cued_sentences(database: Database) -> list[tuple[int, str]]:
    with database.sessions() as session:
        return [(int(start), text) for start, text in session.execute(
            select(Sentence.start, Sentence.text).order_by(Sentence.index))]


def _engine_spans(sentence: str, cue: str, cue_start: int | None = None) -> list[SuggestedSpan]:
    """A source and its claim joined by ``cue``, as the suggester returns them (by hand)."""
    start = sentence.index(cue) if cue_start is None else cue_start
    attrs = {"cue": cue, "cue_start": start, "cue_end": start + len(cue)}
    source_end = start - 1
    return [
        SuggestedSpan("source", 0, source_end, sentence[:source_end], "cue", "Al-Qanoua", None,
                      None, dict(attrs)),
        SuggestedSpan("claim", start + len(cue) + 1, len(sentence) - 1,
                      sentence[start + len(cue) + 1:len(sentence) - 1], "cue", None, None,
                      None, dict(attrs), 0),
    ]


def test_the_cue_is_stored_in_document_offsets_accepted_and_exported(
    cued: Database, runner: CliRunner, db_url: str,
) -> None:
    sentences = _cued_sentences(cued)
    index = next(i for i, (_, text) in enumerate(sentences) if "said" in text)
    sentence_start, sentence = sentences[index]
    document = document_text(cued, 1)
    engine = [[] for _ in sentences]
    engine[index] = _engine_spans(sentence, "said")
    ana = Workspace(cued, "ana")
    assert store_suggestions(cued, ana.annotator_id, 1, proposals(document, engine)) == 2
    rows = _rows(cued)
    for row in rows.values():
        assert document.text[row.attrs["cue_start"]:row.attrs["cue_end"]] == "said"
        assert row.attrs["cue_start"] == sentence_start + sentence.index("said")
    ana.accept([row.id for row in rows.values()])
    assert {(r.status, r.attrs["cue_start"], r.attrs["cue"]) for r in _rows(cued).values()} \
        == {("accepted", sentence_start + sentence.index("said"), "said")}
    # The spans view has the cue; the native JSONL keeps it as attributes.
    spans = list(csv.DictReader(io.StringIO(_export(runner, db_url))))
    assert {(row["label"], row["cue_start"], row["cue_end"], row["cue_text"]) for row in spans} \
        == {(label, str(sentence_start + sentence.index("said")),
             str(sentence_start + sentence.index("said") + 4), "said")
            for label in ("source", "claim")}
    native = json.loads(_export(runner, db_url, "--format", "jsonl"))
    for annotation in native["annotations"]:
        attrs = annotation["attrs"]
        assert native["text"][attrs["cue_start"]:attrs["cue_end"]] == attrs["cue"] == "said"


def test_a_span_without_a_cue_has_empty_cue_cells(imported: Database, runner: CliRunner,
                                                   db_url: str) -> None:
    _stored(imported)
    spans = list(csv.DictReader(io.StringIO(_export(runner, db_url, "--status", "suggested"))))
    assert spans and all((row["cue_start"], row["cue_end"], row["cue_text"]) == ("", "", "")
                         for row in spans)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 1), st.integers(-3, 80), st.integers(-3, 80),
       st.text(max_size=6) | st.none())
def test_stored_cues_keep_the_offset_invariant(
    cued: Database, index: int, start: int, end: int, cue: str | None,
) -> None:
    """Whatever offsets the engine hands over, a stored cue is the document's text at its
    document offsets, or is left out (never guessed)."""
    sentences = _cued_sentences(cued)
    sentence = sentences[index][1]
    attrs: dict[str, object] = {"cue_start": start, "cue_end": end}
    if cue is not None:
        attrs["cue"] = cue
    span = SuggestedSpan("source", 0, 2, sentence[:2], "cue", "X", None, None, attrs)
    engine: list[list[SuggestedSpan]] = [[] for _ in sentences]
    engine[index] = [span]
    document = document_text(cued, 1)
    (proposal,) = proposals(document, engine)
    fits = 0 <= start < end <= len(sentence) and (cue is None or sentence[start:end] == cue)
    assert proposal.cue == ((start, end) if fits else None)
    assert "cue_start" not in proposal.attrs and "cue_end" not in proposal.attrs
    # Straight to the store too (a caller that bypasses the engine's glue).
    for stored_proposal in (proposal, ProposedSpan(index, "claim", 0, 3, cue=(start, end))):
        store_suggestions(cued, _ana(cued), 1, [stored_proposal])
    with cued.sessions() as session:
        for annotation in session.scalars(select(Annotation)):
            attrs_stored = annotation.attrs or {}
            if "cue_start" in attrs_stored:
                assert document.text[attrs_stored["cue_start"]:attrs_stored["cue_end"]] \
                    == attrs_stored["cue"]
                assert annotation.doc_start - annotation.start <= attrs_stored["cue_start"]
    with cued.transaction() as session:  # the next example stores afresh
        session.execute(delete(Annotation))


@pytest.mark.parametrize(("cue", "message"), [
    ({"cue": "said", "cue_start": 6, "cue_end": 10}, None),
    ({"cue": "said", "cue_start": 5, "cue_end": 9},
     "annotation 's': the cue 'said' is not the text at 5:9"),
    ({"cue": "said", "cue_start": 6, "cue_end": 999},
     "annotation 's': the cue 'said' is not the text at 6:999"),
    ({"cue": "said", "cue_start": "6", "cue_end": 10},
     "annotation 's': \"cue_start\" and \"cue_end\" must be integers"),
])
def test_an_imported_cue_must_be_the_text_at_its_offsets(
    runner: CliRunner, db_url: str, tmp_path: Path, cue: dict[str, object],
    message: str | None,
) -> None:
    line = {"id": "d", "text": "Hamas said talks go on.\n", "annotations": [
        {"id": "s", "annotator": "ana", "label": "source", "start": 0, "end": 5,
         "attrs": dict(cue)}]}
    path = tmp_path / "cued.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path), "--db", db_url])
    if message is None:
        assert result.exit_code == 0, result.output
        native = json.loads(_export(runner, db_url, "--format", "jsonl"))
        assert native["annotations"][0]["attrs"] == cue
    else:
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"created new database {tmp_path / 'test.db'}" if db_url.startswith("sqlite")
            else f"created new database {mask_password(db_url)}",
            f"skipped: {path}:1: {message}"]
