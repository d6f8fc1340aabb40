"""One user action, one function in db/, one transaction; writes take the annotator's id.

Counted with SQLAlchemy's engine events on the real engines (SQLite file and PostgreSQL
server): the transactions a tag begins and commits, the look for an existing span, and
what the shared source registry holds after an action failed half way.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from textual.widgets import OptionList
from tui_helpers import SIZE, main_screen, make_app, only, stored
from workspace_helpers import reading_order, tag_words

import db
from annotator.review.session import ReviewSession
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.workspace import Workspace
from db import adjudication, annotations, history, review, suggestions
from db.annotations import SpanError
from db.engine import Database
from db.models import Annotation, ChangeLogEntry, Source, SourceAlias
from db.suggestions import ProposedSpan, store_suggestions


class Units:
    """Transactions begun, committed and rolled back, and the statements sent."""

    def __init__(self, database: Database) -> None:
        self.begins = self.commits = self.rollbacks = 0
        self.statements: list[str] = []
        engine = database.engine
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _begin(self, _connection: Any) -> None:
        self.begins += 1

    def _commit(self, _connection: Any) -> None:
        self.commits += 1

    def _rollback(self, _connection: Any) -> None:
        self.rollbacks += 1

    def _statement(self, _connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.statements.append(statement)

    def clear(self) -> None:
        self.begins = self.commits = self.rollbacks = 0
        self.statements.clear()

    def span_checks(self) -> int:
        """Statements that look for the annotator's row at a span's label and offsets."""
        return sum(1 for s in self.statements
                   if "annotations.label =" in s and "annotations.start =" in s
                   and "annotations.annotator_id =" in s)


def _groups_since(database: Database, after: int) -> list[tuple[int | None, str]]:
    with database.sessions() as session:
        return list(session.execute(
            select(ChangeLogEntry.group_id, ChangeLogEntry.action)
            .where(ChangeLogEntry.id > after).distinct()))


def _last_entry(database: Database) -> int:
    with database.sessions() as session:
        return int(session.scalar(select(func.max(ChangeLogEntry.id))) or 0)


# --- tag -------------------------------------------------------------------------------------
def test_tagging_is_one_transaction_with_one_check_in_each_case(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    text = ana.view(ids[1]).text
    start = text.index("over 160,000")
    suggested = (start, start + len("over 160,000 people"))
    rejected = (0, len("Hamas spokesperson"))
    assert store_suggestions(talks_corpus, ana.annotator_id, ana.view(ids[1]).document_id, [
        ProposedSpan(1, "figure", *suggested), ProposedSpan(1, "source", *rejected)]) == 2
    with talks_corpus.sessions() as session:
        rejected_id = session.scalar(select(Annotation.id).where(Annotation.label == "source"))
    assert rejected_id is not None
    ana.reject([rejected_id])
    units = Units(talks_corpus)

    def tag(label: str, offsets: tuple[int, int]) -> tuple[int, list[tuple[int | None, str]]]:
        after = _last_entry(talks_corpus)
        units.clear()
        tagged = ana.tag(ids[1], label, *offsets)
        assert (units.begins, units.commits, units.rollbacks) == (1, 1, 0)
        assert units.span_checks() == 1  # "already tagged?" asked once
        return tagged, _groups_since(talks_corpus, after)

    new_id, groups = tag("claim", (start, len(text) - 1))
    assert [action for _group, action in groups] == ["tag"]  # one change-log group
    again, groups = tag("claim", (start, len(text) - 1))  # the same span again
    assert again == new_id and groups == []
    adopted, groups = tag("figure", suggested)  # a pending suggestion is accepted
    assert [action for _group, action in groups] == ["accept"]
    taken_back, groups = tag("source", rejected)  # so is a rejected one
    assert taken_back == rejected_id and [action for _group, action in groups] == ["accept"]
    assert _statuses(talks_corpus) == {new_id: "accepted", adopted: "accepted",
                                 rejected_id: "accepted"}
    assert ana.undo() == ids[1]  # one undo step takes the last adoption back
    assert _statuses(talks_corpus)[rejected_id] == "rejected"


def _statuses(database: Database) -> dict[int, str]:
    with database.sessions() as session:
        return {annotation_id: status for annotation_id, status in session.execute(
            select(Annotation.id, Annotation.status))}


def test_a_tag_refused_by_its_checks_opens_no_write(talks_corpus: Database) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    units = Units(talks_corpus)
    with pytest.raises(SpanError, match="does not fit"):
        ana.tag(ids[0], "claim", 0, 10_000)
    with pytest.raises(SpanError, match="unknown label"):
        ana.tag(ids[0], "opinion", 0, 3)
    assert units.commits == 0
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in units.statements)


def test_toggling_done_is_one_transaction_and_one_undo_step(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    units = Units(talks_corpus)
    for expected in ("done", None, "done"):
        units.clear()
        assert ana.toggle_done(ids[2]) == expected
        assert (units.begins, units.commits, units.rollbacks) == (1, 1, 0)
        assert ana.view(ids[2]).state == expected
    assert ana.undo() == ids[2] and ana.view(ids[2]).state is None


# --- ids, not names ------------------------------------------------------------------------
# The writes every session makes, by module: each takes the actor's id as its second
# argument, never a name to look up again.
WRITES: dict[Any, tuple[str, ...]] = {
    annotations: ("add_span", "tag", "delete_annotation", "relabel", "set_source",
                  "pick_source_with_alias", "create_and_set_source", "set_figure",
                  "attribute_to_span", "attribute_to_source", "unattribute", "link_figure",
                  "set_sentence_state", "toggle_done", "move"),
    suggestions: ("decide", "store_suggestions"),
    history: ("undo", "redo"),
    review: ("decide", "set_note", "relabel", "set_source", "pick_source_with_alias",
             "create_and_set_source", "set_figure", "bulk_decide"),
    adjudication: ("take_versions", "reject_versions"),
}
ACTORS = ("annotator_id", "reviewer_id", "adjudicator_id")
NAMES = {"annotator", "reviewer", "adjudicator", "who"}


def _db_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    for found in pkgutil.iter_modules(db.__path__):
        module = importlib.import_module(f"db.{found.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", function


def test_every_write_takes_the_actor_as_an_int_id() -> None:
    for module, names in WRITES.items():
        for name in names:
            parameters = list(inspect.signature(getattr(module, name),
                                                eval_str=True).parameters.values())
            assert parameters[0].name == "database", (module.__name__, name)
            actor = parameters[1]
            assert actor.name in ACTORS and actor.annotation is int, (module.__name__, name)


def test_no_function_in_db_takes_an_annotator_by_name() -> None:
    checked = 0
    for qualified, function in _db_functions():
        # Annotations as written (some name types imported only for type checkers).
        parameters = inspect.signature(function).parameters
        assert not NAMES & set(parameters), qualified
        for parameter in parameters.values():
            if parameter.name.endswith(ACTORS):
                assert parameter.annotation in ("int", "int | None"), qualified
        checked += 1
    assert checked > 100  # the walk found db/'s functions, private ones too


# --- the source picker's actions: all or nothing -------------------------------------------
def _registry(database: Database) -> tuple[list[tuple[str, str | None]], list[str]]:
    with database.sessions() as session:
        names = [(name, kind) for name, kind in session.execute(
            select(Source.name, Source.source_type).order_by(Source.name))]
        aliases = list(session.scalars(select(SourceAlias.alias).order_by(SourceAlias.alias)))
    return names, aliases


def _source_of(database: Database, annotation_id: int) -> int | None:
    with database.sessions() as session:
        return session.scalar(select(Annotation.source_id).where(Annotation.id == annotation_id))


@contextmanager
def failing(database: Database, statement_start: str) -> Iterator[None]:
    """Make the first statement starting with ``statement_start`` fail, as a full disk or
    a lost connection would, in the middle of the action's transaction."""
    def fail(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith(statement_start):
            raise RuntimeError(f"injected failure before {statement_start}")

    event.listen(database.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(database.engine, "before_cursor_execute", fail)


def test_a_new_source_for_a_span_deleted_meanwhile_leaves_no_orphan(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    Workspace(talks_corpus, "ben").create_source("Hamas", "party_or_armed_group", ("Hamas",))
    before = _registry(talks_corpus)
    span = tag_words(ana, ids[1], "source", "Hamas spokesperson")
    Workspace(talks_corpus, "ana").delete(span)  # from another terminal, while the picker is open
    with pytest.raises(SpanError, match=f"no annotation with id {span}"):
        ana.create_and_set_source(span, "Abdul Latif Al-Qanoua", "party_or_armed_group",
                                  ("Al-Qanoua", "Qanoua"))
    with pytest.raises(SpanError, match="no annotation"):  # an existing source: no alias
        ana.create_and_set_source(span, "Hamas", None, ("Hamas spokesperson",))
    other = tag_words(Workspace(talks_corpus, "ben"), ids[1], "source", "Abdul Latif Al-Qanoua")
    with pytest.raises(SpanError, match="another annotator"):
        ana.create_and_set_source(other, "Abdul Latif Al-Qanoua", None)
    assert _registry(talks_corpus) == before


def test_a_failure_after_the_source_is_registered_rolls_it_back(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    span = tag_words(ana, ids[1], "source", "Hamas spokesperson")
    before, log = _registry(talks_corpus), _last_entry(talks_corpus)
    with failing(talks_corpus, "UPDATE ANNOTATIONS"), pytest.raises(RuntimeError, match="injected"):
        ana.create_and_set_source(span, "Hamas", "party_or_armed_group", ("the movement",))
    assert _registry(talks_corpus) == before and _last_entry(talks_corpus) == log
    assert _source_of(talks_corpus, span) is None
    source_id = ana.create_and_set_source(span, "Hamas", "party_or_armed_group",
                                          ("the movement",))  # the same action, now whole
    assert _registry(talks_corpus) == ([("Hamas", "party_or_armed_group")], ["the movement"])
    assert _source_of(talks_corpus, span) == source_id
    assert ana.undo() == ids[1] and _source_of(talks_corpus, span) is None  # one undo step


def test_picking_a_source_with_an_alias_is_both_or_neither(talks_corpus: Database) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    hamas = ana.create_source("Hamas", "party_or_armed_group")
    span = tag_words(ana, ids[1], "source", "Hamas spokesperson")
    before = _registry(talks_corpus)
    with failing(talks_corpus, "INSERT INTO SOURCE_ALIASES"), \
            pytest.raises(RuntimeError, match="injected"):
        ana.pick_source_with_alias(span, hamas, "Hamas spokesperson")
    assert _source_of(talks_corpus, span) is None  # the mapping went with the alias
    Workspace(talks_corpus, "ana").delete(span)
    with pytest.raises(SpanError, match="no annotation"):
        ana.pick_source_with_alias(span, hamas, "Hamas spokesperson")
    assert _registry(talks_corpus) == before
    span = tag_words(ana, ids[1], "source", "Hamas spokesperson")
    ana.pick_source_with_alias(span, hamas, " Hamas spokesperson ")
    ana.pick_source_with_alias(span, hamas, "Hamas spokesperson")  # known: nothing twice
    assert _registry(talks_corpus) == (before[0], ["Hamas spokesperson"])
    assert _source_of(talks_corpus, span) == hamas


def test_a_reviewer_creating_a_source_for_a_deleted_span_leaves_no_orphan(
    talks_corpus: Database,
) -> None:
    ana = Workspace(talks_corpus, "ana")
    ids = reading_order(ana)
    span = tag_words(ana, ids[1], "source", "Hamas spokesperson")
    rita = ReviewSession(talks_corpus, "rita")
    before = _registry(talks_corpus)
    ana.delete(span)
    with pytest.raises(SpanError, match="no annotation"):
        rita.create_and_set_source(span, "Hamas", "party_or_armed_group", ("Hamas",))
    assert _registry(talks_corpus) == before
    span = tag_words(ana, ids[1], "source", "Hamas spokesperson")
    source_id = rita.create_and_set_source(span, "Hamas", "party_or_armed_group")
    rita.pick_source_with_alias(span, source_id, "Hamas spokesperson")
    assert _registry(talks_corpus) == ([("Hamas", "party_or_armed_group")], ["Hamas spokesperson"])
    assert _source_of(talks_corpus, span) == source_id


async def test_the_picker_creating_a_source_for_a_span_deleted_meanwhile_says_so(
    corpus: Database,
) -> None:
    app = make_app(corpus)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SourcePickerScreen)
        span = only(stored(app).annotations).id
        Workspace(corpus, "alice").delete(span)  # the same annotator, another terminal
        await pilot.press("enter")  # + new source "Officials"
        assert app.screen.query_one("#source-types", OptionList).display
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SourcePickerScreen)  # still open, the error shown
        assert any("no annotation" in str(n.message) for n in app._notifications)
        assert _registry(corpus) == ([], [])
        await pilot.press("escape", "escape")
        assert main_screen(app).workspace.find_sources("") == []
