"""Properties over odd documents and random annotator sessions, on both engines.

* Offsets: every sentence and every span is exactly the document text it points at,
  whatever the text holds and whatever the annotator did.
* Undo/redo: each undo returns every table (the change log aside, which only grows) to
  exactly its state before the action undone, each redo to exactly its state after;
  only ``updated_at`` moves on, since it says when a row was last written, and an undo
  writes it.
* Round trip: the native JSONL export of the result imports into an empty database
  and exports again identically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from interchange_helpers import canonical, export_native, wipe, write_lines
from sqlalchemy import func, select
from strategies import Action, action_sequences, odd_documents
from table_snapshot import Snapshot, table_snapshot

from annotator.io.importer import import_paths
from annotator.io.textfile import normalize_newlines
from annotator.text.segment import split_sentences
from annotator.workspace import Workspace
from db.engine import Database
from db.models import ChangeLogEntry

# No shrinking: shrinking a database session takes many minutes; a failure prints in full.
SETTINGS = settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
# Not part of any undo step: the log itself, and where the annotator is (a preference).
NOT_UNDONE = frozenset({"alembic_version", "change_log"})


def _import_odd(database: Database, tmp_path: Path, texts: list[str]) -> None:
    wipe(database)
    for number, text in enumerate(texts):
        (tmp_path / f"{number}.txt").write_bytes(text.encode("utf-8"))
    summary = import_paths(database, [tmp_path / f"{n}.txt" for n in range(len(texts))])
    assert not summary.problems, summary.problems


def _last_group(database: Database) -> int | None:
    """The newest change-log group: a new one is a new undo step."""
    with database.engine.connect() as connection:
        return connection.execute(select(func.max(ChangeLogEntry.group_id))).scalar()


def _state(database: Database) -> Snapshot:
    snapshot = table_snapshot(database.engine, ignore=NOT_UNDONE)
    for row in snapshot["annotators"]:
        row.pop("last_sentence_id")
    for rows in snapshot.values():
        for row in rows:
            row.pop("updated_at", None)
    return snapshot


class Session:
    """Applies :class:`Action` values through the workspace, as the screen's keys do."""

    def __init__(self, database: Database) -> None:
        self.workspace = Workspace(database, "ana")
        self.sources = [self.workspace.create_source(name, kind) for name, kind in
                        (("Hamas", "party_or_armed_group"), ("UN", "intergovernmental"))]
        first = self.workspace.start_position()
        self.sentences: list[int] = []
        while first is not None:
            self.sentences.append(first)
            first = self.workspace.next_sentence(first)

    def _annotations(self, label: str | None = None) -> list[int]:
        found = []
        for sentence in self.sentences:
            found += [a.id for a in self.workspace.view(sentence).annotations
                      if label is None or a.label == label]
        return found

    def _pick(self, number: int, label: str | None = None) -> int | None:
        choices = self._annotations(label)
        return choices[number % len(choices)] if choices else None

    def apply(self, action: Action) -> str:
        """Do ``action``: "done" if it was one undo step, "refused", or the history step's
        result ("undone", "redone", "nothing")."""
        workspace = self.workspace
        sentence = self.sentences[action.sentence % len(self.sentences)]
        if action.kind == "undo":
            return "nothing" if workspace.undo() is None else "undone"
        if action.kind == "redo":
            return "nothing" if workspace.redo() is None else "redone"
        try:
            if action.kind == "tag":
                length = len(workspace.view(sentence).text)
                start = length * action.start // 1000
                end = max(start + 1, length * action.end // 1000)
                workspace.tag(sentence, action.label, start, min(end, length))
            elif action.kind == "done":
                workspace.toggle_done(sentence)
            else:
                return self._edit(action)
        except ValueError:
            return "refused"
        return "done"

    def _edit(self, action: Action) -> str:
        workspace = self.workspace
        kinds = {"delete": None, "relabel": None, "figure": "figure", "source": "source",
                 "attribute": "claim", "unattribute": "claim", "link": "figure"}
        target = self._pick(action.target, kinds[action.kind])
        if target is None:
            return "refused"
        if action.kind == "delete":
            workspace.delete(target)
        elif action.kind == "relabel":
            workspace.relabel(target, action.label)
        elif action.kind == "figure":
            workspace.set_figure(target, action.value, "USD", "over")
        elif action.kind == "source":
            workspace.set_source(target, self.sources[action.other % len(self.sources)])
        elif action.kind == "unattribute":
            workspace.unattribute(target)
        else:
            other = self._pick(action.other, "source" if action.kind == "attribute" else "claim")
            if other is None:
                return "refused"
            if action.kind == "attribute":
                workspace.attribute_to_span(target, other)
            else:
                workspace.link_figure(target, other)
        return "done"


def _assert_offsets(database: Database) -> None:
    snapshot = table_snapshot(database.engine)
    texts = {row["id"]: row["text"] for row in snapshot["documents"]}
    sentences = {row["id"]: row for row in snapshot["sentences"]}
    for document_id, text in texts.items():
        spans = [(s["start"], s["end"]) for s in snapshot["sentences"]
                 if s["document_id"] == document_id]
        assert sorted(spans) == spans == split_sentences(text)
        assert "\r" not in text
    for sentence in sentences.values():
        text = texts[sentence["document_id"]]
        assert text[sentence["start"]:sentence["end"]] == sentence["text"]
        assert sentence["text"] == sentence["text"].strip() and "\n" not in sentence["text"]
    for span in snapshot["annotations"]:
        sentence = sentences[span["sentence_id"]]
        assert sentence["text"][span["start"]:span["end"]] == span["text"]
        assert texts[span["document_id"]][span["doc_start"]:span["doc_end"]] == span["text"]
        assert span["doc_start"] == sentence["start"] + span["start"]


@SETTINGS
@given(texts=odd_documents().map(lambda t: [t]) | odd_documents().flatmap(
    lambda t: odd_documents().map(lambda u: [t, u])), session=action_sequences())
def test_offsets_hold_for_odd_text_and_any_session(
    database: Database, tmp_path: Path, texts: list[str], session: list[Action]
) -> None:
    _import_odd(database, tmp_path, texts)
    stored = [row["text"] for row in table_snapshot(database.engine)["documents"]]
    assert sorted(stored) == sorted({normalize_newlines(text) for text in texts})
    actor = Session(database)
    for action in session:
        actor.apply(action)
    _assert_offsets(database)


@SETTINGS
@given(text=odd_documents(), session=action_sequences(16))
def test_undo_and_redo_return_exactly_to_earlier_states(
    database: Database, tmp_path: Path, text: str, session: list[Action]
) -> None:
    _import_odd(database, tmp_path, [text])
    actor = Session(database)
    states = [_state(database)]  # the model: states reachable by undo and redo
    here = 0
    for action in session:
        group = _last_group(database)
        outcome = actor.apply(action)
        now = _state(database)
        if outcome == "done" and _last_group(database) == group:
            assert now == states[here], action  # a no-op (relabel to the same label)
        elif outcome == "done":
            states = [*states[:here + 1], now]
            here += 1
        elif outcome == "undone":
            assert here > 0
            here -= 1
        elif outcome == "redone":
            assert here < len(states) - 1
            here += 1
        elif outcome == "nothing":
            expected_end = 0 if action.kind == "undo" else len(states) - 1
            assert here == expected_end
        assert now == states[here], (action, outcome)
    while actor.workspace.undo() is not None:  # all the way back to the start
        here -= 1
        now = _state(database)
        assert {t: r for t, r in now.items() if r != states[here][t]} == {
            t: r for t, r in states[here].items() if r != now[t]}, here
    assert here == 0
    while actor.workspace.redo() is not None:
        here += 1
        assert _state(database) == states[here]
    assert here == len(states) - 1


@SETTINGS
@given(text=odd_documents(), session=action_sequences())
def test_a_session_on_odd_text_round_trips_through_native_jsonl(
    database: Database, tmp_path: Path, text: str, session: list[Action]
) -> None:
    _import_odd(database, tmp_path, [text])
    actor = Session(database)
    for action in session:
        actor.apply(action)
    exported: list[dict[str, Any]] = export_native(database)
    wipe(database)
    summary = import_paths(database, [write_lines(tmp_path / "native.jsonl", exported)])
    assert not summary.problems, summary.problems
    assert canonical(export_native(database)) == canonical(exported)
    _assert_offsets(database)
