"""Adjudication into gold on both engines: take one, replace, links, bulk, undo, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_helpers import build_review_corpus, span
from sqlalchemy import select

from annotator.cli import cli
from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.versions import AGREED, CONFLICTING, ONLY_ONE
from db import review
from db.annotations import attribute_to_span, ensure_annotator, set_figure
from db.engine import Database
from db.models import Annotation, Annotator, Link


@pytest.fixture
def session(database: Database, tmp_path: Path) -> tuple[AdjudicationSession, dict[str, int]]:
    ids = build_review_corpus(database, tmp_path / "in")
    # bob also marks the source and attributes his claim to it, and sees the figure
    # ana saw, with another value: a conflict on the figure.
    ids["bob_officials"] = span(database, "bob", 0, "Officials", "source")
    bob_id = ensure_annotator(database, "bob")
    attribute_to_span(database, bob_id, ids["bob_claim"], ids["bob_officials"])
    ids["bob_fig160"] = span(database, "bob", 0, "over 160,000 people", "figure")
    set_figure(database, bob_id, ids["bob_fig160"], 16000, "people", None)
    return AdjudicationSession(database, "judy", ("ana", "bob")), ids


def _gold(database: Database) -> list[Annotation]:
    with database.transaction() as session:
        gold = session.scalar(select(Annotator.id).where(Annotator.name == "gold"))
        return list(session.scalars(select(Annotation).where(Annotation.annotator_id == gold)
                                    .order_by(Annotation.doc_start, Annotation.label)))


def _gold_links(database: Database) -> list[tuple[str, str, str]]:
    with database.transaction() as session:
        gold = session.scalar(select(Annotator.id).where(Annotator.name == "gold"))
        rows = session.execute(select(Link.from_id, Link.to_id, Link.type)).all()
        texts = {a.id: a.text for a in session.scalars(
            select(Annotation).where(Annotation.annotator_id == gold))}
    return sorted((texts[f], texts[t], kind) for f, t, kind in rows if f in texts and t in texts)


def test_sentences_and_groups(session) -> None:
    adjudication, _ids = session
    first = adjudication.first_sentence()
    assert first is not None
    kinds = {(g.text, g.kind) for g in adjudication.groups(first)}
    assert kinds == {("Officials", AGREED), ("over 160,000 people fled the city", AGREED),
                     ("over 160,000 people", CONFLICTING)}
    second = adjudication.next_sentence(first)
    assert second is not None and adjudication.previous_sentence(second) == first
    assert [g.kind for g in adjudication.groups(second)] == [ONLY_ONE]


def test_take_one_version_copies_fields_and_links_with_its_source_span(session) -> None:
    adjudication, _ids = session
    database = adjudication.database
    first = adjudication.first_sentence()
    groups = {g.text: g for g in adjudication.groups(first)}
    claim = groups["over 160,000 people fled the city"]
    adjudication.take(claim.versions[0], claim)
    # The claim's source span comes into gold with it, so the gold claim has its source.
    assert [(a.label, a.text, a.status) for a in _gold(database)] == [
        ("source", "Officials", "accepted"),
        ("claim", "over 160,000 people fled the city", "accepted")]
    assert _gold_links(database) == [
        ("over 160,000 people fled the city", "Officials", "attributed_to")]
    officials = groups["Officials"]
    adjudication.take(officials.versions[1], officials)  # bob's version replaces ana's
    assert _gold_links(database) == [
        ("over 160,000 people fled the city", "Officials", "attributed_to")]
    gold = _gold(database)
    assert all(a.reviewed_by is not None and a.reviewed_at is not None for a in gold)
    assert {a.attrs["taken_from"] for a in gold} == {"ana", "bob"}
    # The group now shows what gold holds.
    assert all(g.settled for g in adjudication.groups(first) if g.kind == AGREED)


def test_taking_the_other_version_of_a_conflict_replaces_gold(session) -> None:
    adjudication, _ids = session
    database = adjudication.database
    first = adjudication.first_sentence()
    figure = next(g for g in adjudication.groups(first) if g.kind == CONFLICTING)
    adjudication.take(figure.versions[0], figure)
    assert [a.figure_value for a in _gold(database)] == [160000]
    adjudication.take(figure.versions[1], figure)
    assert [a.figure_value for a in _gold(database)] == [16000]
    adjudication.undo()
    assert [a.figure_value for a in _gold(database)] == [160000]
    adjudication.undo()
    assert _gold(database) == []


def test_take_agreed_in_a_sentence_and_everywhere_is_one_undo_step(session) -> None:
    adjudication, _ids = session
    database = adjudication.database
    first = adjudication.first_sentence()
    assert adjudication.take_agreed(adjudication.groups(first)) == 2
    assert {a.text for a in _gold(database)} == {
        "Officials", "over 160,000 people fled the city"}
    assert _gold_links(database) == [
        ("over 160,000 people fled the city", "Officials", "attributed_to")]
    assert adjudication.take_agreed(adjudication.groups(first)) == 0  # already in gold
    adjudication.undo()
    assert _gold(database) == []
    assert adjudication.take_all_agreed() == 2
    adjudication.undo()
    assert _gold(database) == []


def test_a_rejected_span_is_no_version(session) -> None:
    adjudication, ids = session
    rita_id = ensure_annotator(adjudication.database, "rita")
    review.decide(adjudication.database, rita_id, ids["bob_claim"], "rejected")
    first = adjudication.first_sentence()
    claim = next(g for g in adjudication.groups(first)
                 if g.text == "over 160,000 people fled the city")
    assert claim.kind == ONLY_ONE


def test_session_refuses_gold_or_a_single_annotator(database: Database) -> None:
    with pytest.raises(ValueError):
        AdjudicationSession(database, "judy", ("ana", "gold"))
    with pytest.raises(ValueError):
        AdjudicationSession(database, "judy", ("ana", "ana"))


def test_export_of_the_gold_layer(session, db_url: str) -> None:
    adjudication, _ids = session
    adjudication.take_all_agreed()
    result = CliRunner().invoke(cli, ["export", "--annotator", "gold", "--format", "jsonl",
                                      "--db", db_url])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout.splitlines()[0])
    assert sorted((a["label"], a["text"], a["annotator"]) for a in document["annotations"]) == [
        ("claim", "over 160,000 people fled the city", "gold"),
        ("source", "Officials", "gold")]
    assert [link["type"] for link in document["links"]] == ["attributed_to"]
