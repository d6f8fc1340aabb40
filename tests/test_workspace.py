"""The annotator's workspace: the calls every TUI action makes, on real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.io.importer import import_paths
from annotator.workspace import Workspace
from db.annotations import SpanError
from db.engine import Database, open_database
from db.models import Annotation, ChangeLogEntry, Link, SentenceState, Source

FIRST = (
    "Gaza talks resume\n"
    "Hamas spokesperson Abdul Latif Al-Qanoua said over 160,000 people were hurt. "
    "He stressed that talks would go on.\n"
    "Egypt’s State Information Service confirmed the meeting.\n"
)
SECOND = "Second story here\nThe U.N. said 42 days had passed.\n"


@pytest.fixture
def corpus(database: Database, tmp_path: Path) -> Database:
    (tmp_path / "a.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SECOND, encoding="utf-8")
    summary = import_paths(database, [tmp_path / "a.txt", tmp_path / "b.txt"])
    assert summary.sentences == 6
    return database


def _ids(workspace: Workspace) -> list[int]:
    first = workspace.start_position()
    assert first is not None
    ids = [first]
    while (following := workspace.next_sentence(ids[-1])) is not None:
        ids.append(following)
    return ids


def _span(workspace: Workspace, sentence_id: int, label: str, words: str) -> int:
    text = workspace.view(sentence_id).text
    start = text.index(words)
    return workspace.tag(sentence_id, label, start, start + len(words))


def test_navigation_and_positions(corpus: Database) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    assert len(ids) == 6
    assert [ana.previous_sentence(i) for i in ids] == [None, *ids[:-1]]
    view = ana.view(ids[1])
    assert (view.index, view.sentence_count, view.document_number, view.document_total) == (
        1, 4, 1, 2)
    assert view.previous_text == "Gaza talks resume"
    assert view.next_text == "He stressed that talks would go on."
    assert view.document_title == "Gaza talks resume"
    assert ana.next_document(ids[1]) == ids[4]
    assert ana.next_document(ids[4]) is None
    assert ana.previous_document(ids[5]) == ids[0]
    assert ana.previous_document(ids[0]) is None
    assert ana.goto(2, 2) == ids[5]
    assert ana.goto(2) == ids[4]
    assert ana.goto(3) is None and ana.goto(1, 9) is None and ana.goto(0) is None
    hits = ana.search("u.n.")
    assert [(h.sentence_id, h.document_number, h.sentence_number) for h in hits] == [
        (ids[5], 2, 2)]
    assert ana.search("100%_") == []


def test_resume_where_left_off(corpus: Database) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    ana.remember_position(ids[3])
    reopened = Workspace(open_database(corpus.url), "ana")
    assert reopened.start_position() == ids[3]
    assert Workspace(corpus, "ben").start_position() == ids[0]
    assert reopened.start_position(document_id=ana.view(ids[4]).document_id) == ids[4]


def test_done_state_progress_and_next_unfinished(corpus: Database) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    assert ana.toggle_done(ids[1]) == "done"
    assert ana.progress().done == 1 and ana.progress().total == 6
    assert ana.next_unfinished(ids[0]) == ids[2]
    for sentence_id in ids[2:]:
        ana.toggle_done(sentence_id)
    assert ana.next_unfinished(ids[3]) == ids[0]  # wraps around
    ana.toggle_done(ids[0])
    assert ana.next_unfinished(ids[0]) is None
    assert ana.toggle_done(ids[0]) is None
    assert ana.progress().done == 5
    # leaving a sentence with annotations marks it done; an empty one stays as it was
    ana.toggle_done(ids[2])
    assert not ana.leaving_marks_done(ids[2])
    ana.leave_sentence(ids[2])
    assert ana.view(ids[2]).state is None
    _span(ana, ids[2], "claim", "talks would go on")
    assert ana.leaving_marks_done(ids[2]) and not ana.leaving_marks_done(None)
    assert not Workspace(corpus, "ben").leaving_marks_done(ids[2])  # not ben's span
    ana.leave_sentence(ids[2])
    assert ana.view(ids[2]).state == "done"
    assert not ana.leaving_marks_done(ids[2])  # already done: leaving changes nothing


def test_moving_from_a_view_matches_the_queries(corpus: Database) -> None:
    # The screen moves with the neighbour ids read with the view, a query only at the
    # ends of a document; both must agree with next_sentence / previous_sentence.
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    for sentence_id in ids:
        view = ana.view(sentence_id)
        assert ana.following(view) == ana.next_sentence(sentence_id)
        assert ana.preceding(view) == ana.previous_sentence(sentence_id)
    first, last = ana.view(ids[0]), ana.view(ids[3])
    assert (first.previous_id, first.next_id) == (None, ids[1])
    assert (last.previous_id, last.next_id) == (ids[2], None)  # end of the first document
    with pytest.raises(LookupError):
        ana.view(max(ids) + 100)


def test_tag_source_figure_attribution_links(corpus: Database) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    source = _span(ana, ids[1], "source", "Hamas spokesperson Abdul Latif Al-Qanoua")
    claim = _span(ana, ids[1], "claim", "over 160,000 people were hurt")
    figure = _span(ana, ids[1], "figure", "over 160,000")
    hamas = ana.create_source("Hamas spokesperson (Abdul Latif Al-Qanoua)",
                              "party_or_armed_group", ("Al-Qanoua",))
    assert ana.create_source("Hamas spokesperson (Abdul Latif Al-Qanoua)", None) == hamas
    ana.set_source(source, hamas)
    ana.set_figure(figure, 160000, None, "over")
    ana.attribute_to_span(claim, source)
    ana.link_figure(figure, claim)
    ana.link_figure(figure, claim)  # twice is once
    view = ana.view(ids[1])
    by_label = {a.label: a for a in view.annotations}
    assert by_label["source"].source_name == "Hamas spokesperson (Abdul Latif Al-Qanoua)"
    assert by_label["source"].source_type == "party_or_armed_group"
    assert [e.annotation_id for e in by_label["source"].claims] == [claim]
    assert [e.annotation_id for e in by_label["claim"].attributed_to] == [source]
    assert [e.annotation_id for e in by_label["claim"].supports] == [figure]
    assert [e.annotation_id for e in by_label["figure"].supports] == [claim]
    figure_value = by_label["figure"].figure
    assert figure_value is not None
    assert (figure_value.value, figure_value.qualifier) == (160000, "over")
    for annotation in view.annotations:
        assert view.text[annotation.start : annotation.end] == annotation.text
    # a later pronoun claim attributed to the earlier span, found by the candidates list
    later = _span(ana, ids[2], "claim", "talks would go on")
    assert [c.id for c in ana.attribution_candidates(ids[2])] == [source]
    assert [c.id for c in ana.claim_candidates(ids[2])] == [later, claim]
    ana.attribute_to_source(later, hamas)
    assert ana.view(ids[2]).annotations[0].source_name.startswith("Hamas spokesperson")
    ana.unattribute(later)
    [unattributed] = ana.view(ids[2]).annotations
    assert (unattributed.source_id, unattributed.attribution) == (None, "author")
    assert [s.name for s in ana.find_sources("qanoua")] == [
        "Hamas spokesperson (Abdul Latif Al-Qanoua)"]
    assert ana.find_sources("nobody") == []


def test_relabel_drops_links_that_no_longer_fit(corpus: Database) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    source = _span(ana, ids[1], "source", "Hamas spokesperson")
    claim = _span(ana, ids[1], "claim", "over 160,000 people were hurt")
    ana.attribute_to_span(claim, source)
    ana.relabel(source, "figure")
    [figure, _] = sorted(ana.view(ids[1]).annotations, key=lambda a: a.id)
    assert figure.label == "figure" and figure.claims == ()
    with corpus.transaction() as session:
        assert session.scalars(select(Link)).all() == []


def test_wrong_kinds_and_owners_are_refused(corpus: Database) -> None:
    ana, ben = Workspace(corpus, "ana"), Workspace(corpus, "ben")
    ids = _ids(ana)
    claim = _span(ana, ids[1], "claim", "over 160,000 people were hurt")
    other = _span(ana, ids[5], "source", "The U.N.")
    with pytest.raises(SpanError, match="not a figure"):
        ana.set_figure(claim, 1, None, None)
    with pytest.raises(SpanError, match="same document"):
        ana.attribute_to_span(claim, other)
    with pytest.raises(SpanError, match="another annotator"):
        ben.delete(claim)
    with pytest.raises(SpanError, match="not a source span"):
        ana.attribute_to_span(claim, claim)
    assert ben.view(ids[1]).annotations == ()
    assert len(Workspace(corpus, "ben", show_others=True).view(ids[1]).annotations) == 1


def _state(database: Database) -> tuple[object, ...]:
    """Everything undo must restore: annotations, links, sentence states."""
    with database.transaction() as session:
        annotations = sorted(
            (a.id, a.label, a.start, a.end, a.source_id, a.figure_value, a.figure_unit,
             a.figure_qualifier, tuple(sorted((a.attrs or {}).items())))
            for a in session.scalars(select(Annotation))
        )
        links = sorted((k.id, k.from_id, k.to_id, k.type) for k in session.scalars(select(Link)))
        states = sorted((s.annotator_id, s.sentence_id, s.state)
                        for s in session.scalars(select(SentenceState)))
    return tuple(annotations), tuple(links), tuple(states)


def test_undo_redo_every_kind_of_action_and_across_restart(corpus: Database) -> None:
    ana = Workspace(corpus, "ana")
    ids = _ids(ana)
    hamas = ana.create_source("Hamas", "party_or_armed_group")
    snapshots = [_state(corpus)]
    source = _span(ana, ids[1], "source", "Hamas spokesperson")
    snapshots.append(_state(corpus))
    claim = _span(ana, ids[1], "claim", "over 160,000 people were hurt")
    snapshots.append(_state(corpus))
    figure = _span(ana, ids[1], "figure", "over 160,000")
    snapshots.append(_state(corpus))
    actions = [
        lambda: ana.set_source(source, hamas),
        lambda: ana.set_figure(figure, 160000, "people", "over"),
        lambda: ana.attribute_to_span(claim, source),
        lambda: ana.link_figure(figure, claim),
        lambda: ana.toggle_done(ids[1]),
        lambda: ana.relabel(source, "claim"),
        lambda: ana.unattribute(claim),
        lambda: ana.delete(figure),
    ]
    for action in actions:
        action()
        snapshots.append(_state(corpus))
    # restart: a new connection and a new workspace keep the history
    corpus.dispose()
    reopened = open_database(corpus.url)
    ana = Workspace(reopened, "ana")
    for expected in reversed(snapshots[:-1]):
        assert ana.undo() == ids[1]
        assert _state(reopened) == expected
    assert ana.undo() is None
    for expected in snapshots[1:]:
        assert ana.redo() == ids[1]
        assert _state(reopened) == expected
    assert ana.redo() is None
    # a new action after undo clears what could be redone
    ana.undo()
    ana.toggle_done(ids[0])
    assert ana.redo() is None
    with reopened.transaction() as session:
        actions_logged = [e.action for e in session.scalars(select(ChangeLogEntry))]
        assert {"tag", "undo", "redo", "state", "delete", "relabel"} <= set(actions_logged)
        assert session.scalar(select(Source.name)) == "Hamas"  # the shared registry stays
    reopened.dispose()


def test_undo_is_per_annotator(corpus: Database) -> None:
    ana, ben = Workspace(corpus, "ana"), Workspace(corpus, "ben")
    ids = _ids(ana)
    mine = _span(ana, ids[1], "claim", "over 160,000 people were hurt")
    _span(ben, ids[1], "claim", "over 160,000 people were hurt")
    assert ana.undo() == ids[1]
    assert ana.view(ids[1]).annotations == ()
    assert len(ben.view(ids[1]).annotations) == 1
    assert ana.redo() == ids[1]
    assert [a.id for a in ana.view(ids[1]).annotations] == [mine]


ACTIONS = st.lists(
    st.tuples(st.sampled_from(["tag", "delete", "relabel", "done", "figure", "attribute",
                               "link", "undo", "redo"]),
              st.integers(0, 50), st.integers(0, 50), st.sampled_from(["claim", "source",
                                                                        "figure"])),
    min_size=1, max_size=12,
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_property_undo_all_returns_to_the_start(
    actions: list[tuple[str, int, int, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("undo")
    (folder / "a.txt").write_text(FIRST, encoding="utf-8")
    database = open_database(str(folder / "u.db"))
    try:
        import_paths(database, [folder / "a.txt"])
        ana = Workspace(database, "ana")
        ids = _ids(ana)
        start = _state(database)
        for kind, a, b, label in actions:
            sentence_id = ids[a % len(ids)]
            mine = [x.id for x in ana.view(sentence_id).annotations]
            try:
                if kind == "tag":
                    length = len(ana.view(sentence_id).text)
                    lo, hi = sorted((a % length, b % length + 1))
                    if lo < hi:
                        ana.tag(sentence_id, label, lo, hi)
                elif kind == "undo":
                    ana.undo()
                elif kind == "redo":
                    ana.redo()
                elif kind == "done":
                    ana.toggle_done(sentence_id)
                elif mine:
                    target = mine[b % len(mine)]
                    if kind == "delete":
                        ana.delete(target)
                    elif kind == "relabel":
                        ana.relabel(target, label)
                    elif kind == "figure":
                        ana.set_figure(target, float(a), "people", None)
                    elif kind == "attribute":
                        ana.attribute_to_span(target, mine[a % len(mine)])
                    elif kind == "link":
                        ana.link_figure(target, mine[a % len(mine)])
            except SpanError:
                pass  # refused actions change nothing, which the final check also proves
            except Exception as error:  # a duplicate span is refused by the database
                assert "UNIQUE" in str(error) or "unique" in str(error)
        while ana.undo() is not None:
            pass
        assert _state(database) == start
    finally:
        database.dispose()


def test_search_and_source_lookup_take_wildcards_literally(corpus: Database) -> None:
    ana = Workspace(corpus, "ana")
    ana.create_source("100% Aid_Watch", "ngo")
    ana.create_source("100 Aid Watch", "ngo")
    assert [s.name for s in ana.find_sources("100%")] == ["100% Aid_Watch"]
    assert [s.name for s in ana.find_sources("d_w")] == ["100% Aid_Watch"]
    assert [s.name for s in ana.find_sources("100")] == ["100 Aid Watch", "100% Aid_Watch"]
    assert ana.search("_") == [] and ana.search("%") == []
    assert [h.sentence_number for h in ana.search("U.N.")] == [2]
