"""Review storage on both engines: paged listing, filters, decisions, bulk, undo, history.

Also holds the small corpus the review and adjudication tests share.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator.io.importer import import_paths
from db import history, review
from db.annotations import (
    NewSpan,
    SpanError,
    add_span,
    attribute_to_span,
    delete_annotation,
    ensure_annotator,
    set_figure,
)
from db.engine import Database
from db.filters import AnnotationFilter
from db.models import Annotation, Annotator, ChangeLogEntry, Sentence
from db.read_models import ReviewQuery
from db.values import Figure

TEXT = (
    "Officials said over 160,000 people fled the city.\n"
    "The ministry reported $53 billion in damage.\n"
    "Hamas denied the [bold]report[/bold] on Monday.\n"
)


def sentence_ids(database: Database) -> list[int]:
    """The corpus's sentence ids in document order."""
    with database.engine.connect() as connection:
        return list(connection.scalars(select(Sentence.id).order_by(Sentence.id)))


def span(database: Database, annotator: str, sentence: int, words: str, label: str,
         status: str = "accepted") -> int:
    """Tag the first occurrence of ``words`` in sentence number ``sentence`` (0-based)."""
    sentence_id = sentence_ids(database)[sentence]
    with database.engine.connect() as connection:
        text = connection.scalar(select(Sentence.text).where(Sentence.id == sentence_id))
    assert text is not None and words in text
    start = text.index(words)
    annotator_id = ensure_annotator(database, annotator)
    return add_span(database, annotator_id, NewSpan(sentence_id, label, start, start + len(words),
                                                    status=status))


def build_review_corpus(database: Database, folder: Path) -> dict[str, int]:
    """Three sentences; ana and bob annotate, some spans are suggestions. Returns ids by name."""
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    summary = import_paths(database, [folder / "a.txt"])
    assert not summary.problems
    ids = {
        "ana_claim": span(database, "ana", 0, "over 160,000 people fled the city", "claim"),
        "ana_source": span(database, "ana", 0, "Officials", "source"),
        "ana_figure": span(database, "ana", 0, "over 160,000 people", "figure"),
        "bob_claim": span(database, "bob", 0, "over 160,000 people fled the city", "claim"),
        "bob_figure": span(database, "bob", 1, "$53 billion", "figure", status="suggested"),
        "bob_source": span(database, "bob", 2, "Hamas", "source", status="suggested"),
        "ana_markup": span(database, "ana", 2, "[bold]report[/bold]", "claim"),
    }
    ana_id = ensure_annotator(database, "ana")
    attribute_to_span(database, ana_id, ids["ana_claim"], ids["ana_source"])
    set_figure(database, ana_id, ids["ana_figure"], 160000, "people", "over")
    return ids


@pytest.fixture
def corpus(database: Database, tmp_path: Path) -> tuple[Database, dict[str, int]]:
    return database, build_review_corpus(database, tmp_path / "in")


def _stored(database: Database, annotation_id: int) -> Annotation:
    with database.transaction() as session:
        found = session.get(Annotation, annotation_id)
        assert found is not None
        return found


def _all_pages(database: Database, query: ReviewQuery, limit: int) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        page = review.review_page(database, query, after, limit)
        if not page:
            return seen
        seen.extend(row.id for row in page)
        after = page[-1].sort_key


# --- listing ------------------------------------------------------------------------------
@pytest.mark.parametrize("sort", ["position", "label", "annotator", "status", "text", "newest"])
def test_keyset_pages_cover_every_row_once_in_order(corpus, sort: str) -> None:
    database, ids = corpus
    query = ReviewQuery(sort=sort)
    whole = [row.id for row in review.review_page(database, query, None, 100)]
    assert sorted(whole) == sorted(ids.values())
    for limit in (1, 2, 3):
        assert _all_pages(database, query, limit) == whole
    assert review.count_rows(database, query) == len(ids)


def test_sort_orders(corpus) -> None:
    database, ids = corpus
    by_label = review.review_page(database, ReviewQuery(sort="label"))
    assert [row.label for row in by_label] == sorted(row.label for row in by_label)
    newest = review.review_page(database, ReviewQuery(sort="newest"))
    assert [row.id for row in newest] == sorted(ids.values(), reverse=True)
    position = review.review_page(database, ReviewQuery(sort="position"))
    assert position[0].sentence_index == 0 and position[-1].sentence_index == 2


def test_filters_combine(corpus) -> None:
    database, ids = corpus
    bob = ReviewQuery(AnnotationFilter(annotators=("bob",)))
    assert {row.id for row in review.review_page(database, bob)} == {
        ids["bob_claim"], ids["bob_figure"], ids["bob_source"]}
    suggested_figures = ReviewQuery(AnnotationFilter(labels=("figure",),
                                                     statuses=("suggested",)))
    assert [row.id for row in review.review_page(database, suggested_figures)] == [
        ids["bob_figure"]]
    text = ReviewQuery(text="160,000 PEOPLE FLED")
    assert {row.id for row in review.review_page(database, text)} == {
        ids["ana_claim"], ids["bob_claim"]}
    # The text filter is literal: LIKE wildcards and markup match only themselves.
    assert review.count_rows(database, ReviewQuery(text="%")) == 0
    assert [row.id for row in review.review_page(database, ReviewQuery(text="[bold]"))] == [
        ids["ana_markup"]]
    with pytest.raises(SpanError):
        review.review_page(database, ReviewQuery(sort="nonsense"))


def test_row_carries_source_attribution_and_figure(corpus) -> None:
    database, ids = corpus
    claim = review.review_row(database, ids["ana_claim"])
    assert claim is not None
    assert (claim.annotator, claim.attributed_text) == ("ana", "Officials")
    figure = review.review_row(database, ids["ana_figure"])
    assert figure is not None
    assert figure.figure == Figure(160000, "people", "over")
    context = review.sentence_context(database, claim.sentence_id)
    assert context.previous_text is None
    assert context.next_text == "The ministry reported $53 billion in damage."
    assert context.text[claim.start:claim.end] == claim.text


# --- decisions ------------------------------------------------------------------------------
def test_accept_and_reject_stamp_reviewer_and_undo_restores(corpus) -> None:
    database, ids = corpus
    rita_id = ensure_annotator(database, "rita")
    target = ids["bob_figure"]
    review.decide(database, rita_id, target, "rejected")
    stored = _stored(database, target)
    with database.engine.connect() as connection:
        rita = connection.scalar(select(Annotator.id).where(Annotator.name == "rita"))
    assert (stored.status, stored.reviewed_by) == ("rejected", rita)
    assert stored.reviewed_at is not None
    review.decide(database, rita_id, target, "accepted")
    assert _stored(database, target).status == "accepted"
    history.undo(database, rita_id)
    stored = _stored(database, target)
    assert (stored.status, stored.reviewed_by) == ("rejected", rita)
    history.undo(database, rita_id)
    stored = _stored(database, target)
    assert (stored.status, stored.reviewed_by, stored.reviewed_at) == ("suggested", None, None)
    # The annotator's own undo stack is untouched by the reviewer's actions.
    assert _stored(database, ids["bob_source"]).status == "suggested"
    with pytest.raises(SpanError):
        review.decide(database, rita_id, target, "suggested")


def test_note_relabel_source_and_figure_by_a_reviewer(corpus) -> None:
    database, ids = corpus
    rita_id = ensure_annotator(database, "rita")
    review.set_note(database, rita_id, ids["ana_claim"], "  check the number  ")
    assert _stored(database, ids["ana_claim"]).note == "check the number"
    review.set_note(database, rita_id, ids["ana_claim"], "")
    assert _stored(database, ids["ana_claim"]).note is None
    review.relabel(database, rita_id, ids["ana_source"], "claim")
    assert _stored(database, ids["ana_source"]).label == "claim"
    # The claim's attribution to that span no longer fits and is gone.
    assert review.review_row(database, ids["ana_claim"]).attributed_text is None
    history.undo(database, rita_id)
    assert _stored(database, ids["ana_source"]).label == "source"
    assert review.review_row(database, ids["ana_claim"]).attributed_text == "Officials"
    review.set_figure(database, rita_id, ids["bob_figure"], 53e9, "USD", None)
    assert _stored(database, ids["bob_figure"]).figure_value == 53e9
    with pytest.raises(SpanError):
        review.set_figure(database, rita_id, ids["bob_source"], 1, None, None)
    with pytest.raises(SpanError):
        review.relabel(database, rita_id, ids["bob_source"], "quote")
    with pytest.raises(SpanError):
        review.set_source(database, rita_id, ids["bob_source"], 999)


def test_bulk_accept_is_one_undo_step_and_touches_only_the_filter(corpus, monkeypatch) -> None:
    database, ids = corpus
    rita_id = ensure_annotator(database, "rita")
    monkeypatch.setattr(review, "BULK_CHUNK", 2)  # several chunks even on this small corpus
    query = ReviewQuery(AnnotationFilter(annotators=("ana",)))
    changed = review.bulk_decide(database, rita_id, query, "accepted")
    assert changed == 4  # ana's four spans: all accepted already, but never reviewed
    for name in ("ana_claim", "ana_source", "ana_figure", "ana_markup"):
        assert _stored(database, ids[name]).reviewed_by is not None
    assert _stored(database, ids["bob_claim"]).reviewed_by is None
    with database.engine.connect() as connection:
        groups = connection.scalar(
            select(func.count(func.distinct(ChangeLogEntry.group_id)))
            .where(ChangeLogEntry.action == "bulk_accept"))
        assert groups == 1
    # Deciding again changes nothing: they carry the decision already.
    assert review.bulk_decide(database, rita_id, query, "accepted") == 0
    history.undo(database, rita_id)
    for name in ("ana_claim", "ana_source", "ana_figure", "ana_markup"):
        assert _stored(database, ids[name]).reviewed_by is None


def test_bulk_reject_of_suggestions(corpus) -> None:
    database, ids = corpus
    rita_id = ensure_annotator(database, "rita")
    query = ReviewQuery(AnnotationFilter(statuses=("suggested",)))
    assert review.bulk_decide(database, rita_id, query, "rejected") == 2
    assert _stored(database, ids["bob_figure"]).status == "rejected"
    assert _stored(database, ids["bob_source"]).status == "rejected"
    assert review.count_rows(database, ReviewQuery(reviewed="yes")) == 2
    assert review.count_rows(database, ReviewQuery(reviewed="no")) == len(ids) - 2


def test_history_lists_every_change_with_who(corpus) -> None:
    database, ids = corpus
    rita_id = ensure_annotator(database, "rita")
    review.decide(database, rita_id, ids["ana_figure"], "rejected")
    review.set_note(database, rita_id, ids["ana_figure"], "not a count")
    entries = review.annotation_history(database, ids["ana_figure"])
    assert [(entry.who, entry.action) for entry in entries] == [
        ("ana", "tag"), ("ana", "set_figure"), ("rita", "reject"), ("rita", "note")]
    assert entries[0].created
    changed = {change.name: (change.before, change.after) for change in entries[2].changes}
    assert changed["status"] == ("accepted", "rejected")
    assert "reviewed_by" in changed and "reviewed_at" in changed
    assert {change.name for change in entries[3].changes} == {"note"}


def test_bulk_undo_and_redo_in_chunks(corpus, monkeypatch) -> None:
    database, ids = corpus
    rita_id = ensure_annotator(database, "rita")
    bob_id = ensure_annotator(database, "bob")
    monkeypatch.setattr(history, "REVERT_CHUNK", 2)
    everything = ReviewQuery()
    assert review.bulk_decide(database, rita_id, everything, "rejected") == len(ids)
    history.undo(database, rita_id)
    assert {_stored(database, i).status for i in ids.values()} == {"accepted", "suggested"}
    assert all(_stored(database, i).reviewed_by is None for i in ids.values())
    history.redo(database, rita_id)
    assert {_stored(database, i).status for i in ids.values()} == {"rejected"}
    history.undo(database, rita_id)
    assert _stored(database, ids["bob_figure"]).status == "suggested"
    # An undo whose rows were deleted meanwhile is refused, and changes nothing.
    review.bulk_decide(database, rita_id, everything, "accepted")
    delete_annotation(database, bob_id, ids["bob_figure"])
    with pytest.raises(history.HistoryError):
        history.undo(database, rita_id)
    assert _stored(database, ids["bob_source"]).reviewed_by is not None
