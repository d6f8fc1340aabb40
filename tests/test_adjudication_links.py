"""Adjudication agrees only when span, attributes and links agree; gold carries the links
(issue 15, item 4). Both engines, through the session the screen uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from adjudication_helpers import (
    CLAIM,
    build_attribution_corpus,
    gold_claim_figures,
    gold_claim_sources,
    gold_spans,
)
from click.testing import CliRunner
from sqlalchemy import event, select

from annotator.cli import cli
from annotator.reports.agreement import build_report
from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.versions import AGREED, CONFLICTING, SpanGroup
from db.adjudication import GoldEdit
from db.annotations import attribute_to_span, ensure_annotator
from db.engine import Database
from db.models import Annotation, Annotator, Document


@pytest.fixture
def adjudication(database: Database, tmp_path: Path) -> tuple[AdjudicationSession, dict]:
    ids = build_attribution_corpus(database, tmp_path / "in")
    return AdjudicationSession(database, "judy", ("ana", "bob")), ids


def rows(session: AdjudicationSession, sentence: int = 0) -> dict[tuple[str, str], SpanGroup]:
    """The rows of the ``sentence``-th sentence to adjudicate, by (label, text)."""
    sentence_id = session.first_sentence()
    for _ in range(sentence):
        assert sentence_id is not None
        sentence_id = session.next_sentence(sentence_id)
    assert sentence_id is not None
    return {(group.versions[0].label, group.text): group
            for group in session.groups(sentence_id)}


def version_of(group: SpanGroup, annotator: str):
    return next(v for v in group.versions if v.annotator == annotator)


def test_claims_attributed_to_different_sources_are_a_disagreement(adjudication) -> None:
    session, _ids = adjudication
    found = rows(session)
    claim = found["claim", CLAIM]
    assert claim.kind == CONFLICTING
    assert claim.differences() == ("source",)
    assert claim.described_differences()[0].values == (
        ("Hamas", ("ana",)), ("Israeli army", ("bob",)))
    # “Hamas” and Hamas are one row (both mapped to Hamas), disagreeing on the edges only.
    hamas = found["source", "Hamas"]
    assert hamas.kind == CONFLICTING and hamas.differences() == ("span",)
    assert [v.text for v in hamas.versions] == ["“Hamas”", "Hamas"]
    # The figures agree: the same value, each supporting its annotator's claim (the same
    # span of the text).
    assert found["figure", "160,000 people"].kind == AGREED


def test_A_takes_only_truly_agreed_rows(adjudication) -> None:
    session, _ids = adjudication
    # The figure and the claim of the second sentence (attributed to nobody by both)
    # agree; the claim of the first does not, nor does the source span.
    assert session.take_all_agreed() == 2
    assert gold_spans(session.database) == [
        ("figure", "160,000 people", "accepted"),
        ("claim", "Talks resumed in Cairo", "accepted")]
    assert rows(session, 1)["claim", "Talks resumed in Cairo"].settled
    assert not rows(session)["claim", CLAIM].settled


def attribution_observed(database: Database) -> float | None:
    """What ``annotator agreement`` reports as ana's and bob's observed agreement on the
    attribution of their matched claims."""
    report = build_report(database, ["ana", "bob"], all_sentences=True)
    category = next(c for c in report.categories
                    if c.item == "attribution" and c.label == "claim")
    return category.pairs[0].observed


def test_agreed_is_what_agreement_counts_as_agreement(adjudication) -> None:
    session, ids = adjudication
    database = session.database
    # Agreement sees the two claims of sentence 0 attributed differently: not agreed here.
    assert attribution_observed(database) == 0.5
    assert rows(session)["claim", CLAIM].kind == CONFLICTING
    # bob now attributes his claim to his own Hamas span: the same canonical source.
    attribute_to_span(database, ensure_annotator(database, "bob"), ids["bob_claim"],
                      ids["bob_hamas"])
    assert attribution_observed(database) == 1.0
    claim = rows(session)["claim", CLAIM]
    assert claim.kind == AGREED  # different source spans, the same canonical source
    assert session.take_agreed(list(rows(session).values())) == 2  # the claim, the figure
    # The gold claim carries the adjudicated source, through a gold copy of ana's span,
    # and its figure with its value.
    assert gold_claim_sources(database) == {CLAIM: "Hamas"}
    assert gold_claim_figures(database) == {CLAIM: [("160,000 people", 160000, "people")]}
    assert ("source", "“Hamas”", "accepted") in gold_spans(database)
    assert rows(session)["claim", CLAIM].settled


def test_taking_a_claim_copies_its_source_span_and_figures_into_gold(adjudication) -> None:
    session, _ids = adjudication
    database = session.database
    claim = rows(session)["claim", CLAIM]
    session.take(version_of(claim, "bob"), claim)
    assert gold_claim_sources(database) == {CLAIM: "Israeli army"}
    assert gold_claim_figures(database) == {CLAIM: [("160,000 people", 160000, "people")]}
    found = rows(session)
    assert found["claim", CLAIM].in_gold(version_of(found["claim", CLAIM], "bob"))
    assert found["source", "the army"].settled  # its gold copy came with the claim
    # Taking ana's version instead replaces the claim and its links, not piling them up.
    claim = found["claim", CLAIM]
    session.take(version_of(claim, "ana"), claim)
    assert gold_claim_sources(database) == {CLAIM: "Hamas"}
    assert gold_claim_figures(database) == {CLAIM: [("160,000 people", 160000, "people")]}
    assert rows(session)["claim", CLAIM].in_gold(version_of(claim, "ana"))
    # One undo step each: back to bob's, then to nothing.
    session.undo()
    assert gold_claim_sources(database) == {CLAIM: "Israeli army"}
    session.undo()
    assert gold_spans(database) == []


def test_a_source_span_taken_later_keeps_the_claims_link(adjudication) -> None:
    session, _ids = adjudication
    database = session.database
    claim = rows(session)["claim", CLAIM]
    session.take(version_of(claim, "ana"), claim)  # brings ana's “Hamas” into gold
    hamas = rows(session)["source", "Hamas"]
    session.take(version_of(hamas, "bob"), hamas)  # bob's edges: Hamas, without quotes
    assert [s for s in gold_spans(database) if s[0] == "source"] == [
        ("source", "Hamas", "accepted")]
    assert gold_claim_sources(database) == {CLAIM: "Hamas"}


def test_reject_both_decides_the_row_as_nothing(adjudication) -> None:
    session, _ids = adjudication
    database = session.database
    claim = rows(session)["claim", CLAIM]
    session.take(version_of(claim, "ana"), claim)
    session.reject_both(rows(session)["claim", CLAIM])
    assert gold_claim_sources(database) == {}  # no accepted gold claim
    assert ("claim", CLAIM, "rejected") in gold_spans(database)
    decided = rows(session)["claim", CLAIM]
    assert decided.rejected and decided.settled
    # The figure that came with ana's claim stays gold's; supporting a claim gold holds
    # nothing for, it still counts as in gold.
    figure = rows(session)["figure", "160,000 people"]
    assert figure.kind == AGREED and figure.settled
    # It does not come back as undecided, nor does the bulk take revive it.
    talks = rows(session, 1)["claim", "Talks resumed in Cairo"]
    session.reject_both(talks)
    assert session.take_all_agreed() == 0
    assert rows(session, 1)["claim", "Talks resumed in Cairo"].rejected
    # Undo: the agreed row is undecided again, the claim back to ana's version.
    session.undo()
    assert session.take_all_agreed() == 1
    session.undo()
    session.undo()
    assert gold_claim_sources(database) == {CLAIM: "Hamas"}
    # Taking a version after rejecting replaces the decision.
    session.reject_both(rows(session)["claim", CLAIM])
    claim = rows(session)["claim", CLAIM]
    session.take(version_of(claim, "bob"), claim)
    assert gold_claim_sources(database) == {CLAIM: "Israeli army"}
    assert not rows(session)["claim", CLAIM].rejected


def test_edit_a_version_on_its_way_into_gold(adjudication) -> None:
    session, ids = adjudication
    database = session.database
    figure = rows(session)["figure", "160,000 people"]
    editor = session.editor(version_of(figure, "bob"), figure)
    editor.set_figure(ids["bob_figure"], 150000, "people", "about")
    with database.engine.connect() as connection:
        values = connection.execute(
            select(Annotator.name, Annotation.figure_value, Annotation.figure_qualifier,
                   Annotation.attrs)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotation.label == "figure").order_by(Annotator.name)).all()
    assert [(name, value, qualifier) for name, value, qualifier, _attrs in values] == [
        ("ana", 160000, None), ("bob", 160000, None), ("gold", 150000, "about")]
    assert values[2][3]["decision"] == "edited"
    figure = rows(session)["figure", "160,000 people"]
    assert figure.edited and figure.settled
    # A claim's source edited: attributed to that canonical source directly.
    claim = rows(session)["claim", CLAIM]
    session.editor(version_of(claim, "ana"), claim).create_and_set_source(
        ids["ana_claim"], "Fatah", "organization")
    assert gold_claim_sources(database) == {CLAIM: "Fatah"}
    # The edges: ana's “Hamas” taken as Hamas.
    sentence = session.first_sentence()
    hamas = rows(session)["source", "Hamas"]
    session.take_with_edges(sentence, version_of(hamas, "ana"), hamas, "Hamas")
    with database.engine.connect() as connection:
        gold_sources = connection.execute(
            select(Annotation.text, Annotation.doc_start, Annotation.doc_end,
                   Annotation.source_id, Document.text)
            .join(Document, Document.id == Annotation.document_id)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotator.name == "gold", Annotation.label == "source")).all()
    assert [(text, document[start:end]) for text, start, end, _s, document in gold_sources] \
        == [("Hamas", "Hamas")]
    with pytest.raises(ValueError, match="no 'Hamas said'"):
        session.take_with_edges(sentence, version_of(hamas, "ana"), hamas, "Hamas said")
    # Every edit was its own undo step.
    session.undo()
    session.undo()
    assert gold_claim_sources(database) == {}
    session.undo()
    assert gold_spans(database) == []


def test_gold_edit_applies_to_one_version() -> None:
    edit = GoldEdit(clear_source=True)
    assert edit.changes_source and not GoldEdit().changes_source


def test_every_adjudication_action_is_one_transaction(adjudication) -> None:
    session, ids = adjudication
    database = session.database
    commits: list[int] = []
    event.listen(database.engine, "commit", lambda _connection: commits.append(1))
    sentence = session.first_sentence()
    actions = [
        lambda: session.take(version_of(rows(session)["claim", CLAIM], "ana"),
                             rows(session)["claim", CLAIM]),
        lambda: session.reject_both(rows(session)["claim", CLAIM]),
        lambda: session.editor(version_of(rows(session)["figure", "160,000 people"], "bob"),
                               rows(session)["figure", "160,000 people"]).set_figure(
            ids["bob_figure"], 1.0, None, None),
        lambda: session.take_with_edges(sentence, version_of(rows(session)["source", "Hamas"],
                                                             "ana"),
                                        rows(session)["source", "Hamas"], "Hamas"),
        session.undo,
    ]
    for action in actions:
        commits.clear()
        action()
        assert len(commits) == 1


def test_a_rejected_row_is_kept_by_the_backup_and_left_out_of_the_tables(
    adjudication, db_url: str
) -> None:
    session, _ids = adjudication
    claim = rows(session)["claim", CLAIM]
    session.take(version_of(claim, "bob"), claim)
    session.reject_both(rows(session)["claim", CLAIM])
    runner = CliRunner()
    table = runner.invoke(cli, ["export", "--view", "claims", "--annotator", "gold",
                                "--db", db_url])
    assert table.exit_code == 0, table.output
    assert CLAIM not in table.stdout  # the tables hold accepted spans: nothing decided
    backup = runner.invoke(cli, ["export", "--format", "jsonl", "--annotator", "gold",
                                 "--db", db_url])
    assert backup.exit_code == 0, backup.output
    document = json.loads(backup.stdout.splitlines()[0])
    decided = [a for a in document["annotations"] if a["label"] == "claim"]
    assert [(a["text"], a["status"], a["attrs"]["decision"]) for a in decided] == [
        (CLAIM, "rejected", "none")]


def test_a_suggestion_nobody_accepted_is_no_version(database: Database, tmp_path: Path) -> None:
    """Both annotators had the same pending suggestions: identical, but nobody's annotation;
    only what they accepted is compared and taken into gold."""
    from annotator.io.importer import import_paths
    from annotator.workspace import Workspace

    story = tmp_path / "story.txt"
    story.write_text("Talks resume\nHamas said talks would go on.\n"
                     "The army said 42 soldiers were hurt.\n", encoding="utf-8")
    import_paths(database, [story])
    accepted: dict[str, list[str]] = {}
    for name in ("ana", "bob"):
        workspace = Workspace(database, name, suggestions=True)
        first = workspace.start_position()
        assert first is not None
        assert workspace.suggest(workspace.view(first).document_id) > 0
        second = workspace.next_sentence(first)
        assert second is not None
        pending = [a for a in workspace.view(second).annotations if a.status == "suggested"]
        assert pending
        workspace.accept([a.id for a in pending])  # the second sentence only
        accepted[name] = sorted(a.text for a in pending)
    assert accepted["ana"] == accepted["bob"]
    session = AdjudicationSession(database, "judy", ("ana", "bob"))
    assert session.take_all_agreed() == len(accepted["ana"])
    assert sorted(text for _label, text, _status in gold_spans(database)) == accepted["ana"]
    third = session.next_sentence(session.first_sentence() or 0)
    assert third is None  # the third sentence, only suggested, is not one to adjudicate
