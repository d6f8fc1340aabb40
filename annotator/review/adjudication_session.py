"""One adjudicator deciding between annotators, sentence by sentence, into the gold layer.

No Textual and no SQL here: the adjudication screen calls these; each take is one
committed transaction and one undo step of the adjudicator.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.review.versions import GOLD, SpanGroup, agreed_to_take, classify
from db import adjudication, history
from db.annotations import ensure_annotator
from db.engine import Database
from db.read_models import SentenceContext, SpanVersion
from db.retry import WriteRunner, write_action
from db.review import sentence_context

# Taking every agreed span of a corpus is one action, written in one transaction;
# ids are collected first (a few bytes each), never the versions themselves.


class AdjudicationSession:
    """Compares ``annotators`` sentence by sentence; takes versions into ``gold``."""

    def __init__(self, database: Database, adjudicator: str, annotators: Sequence[str]) -> None:
        if GOLD in annotators:
            raise ValueError("the gold layer is what adjudication writes; do not compare it")
        if len(set(annotators)) < 2:
            raise ValueError("adjudication compares at least two different annotators")
        self.database = database
        self.adjudicator = adjudicator
        self.annotators = tuple(annotators)
        self.writes = WriteRunner()  # every write below goes through it
        self.adjudicator_id = self.writes.run(lambda: ensure_annotator(database, adjudicator))

    def first_sentence(self) -> int | None:
        """The first sentence any of the annotators annotated."""
        found = adjudication.adjudication_sentences(self.database, self.annotators, 0)
        return found[0] if found else None

    def next_sentence(self, sentence_id: int) -> int | None:
        """The next sentence with annotations to compare, or ``None``."""
        found = adjudication.adjudication_sentences(self.database, self.annotators, sentence_id)
        return found[0] if found else None

    def previous_sentence(self, sentence_id: int) -> int | None:
        """The previous sentence with annotations to compare, or ``None``."""
        found = adjudication.adjudication_sentences(
            self.database, self.annotators, sentence_id, backwards=True)
        return found[0] if found else None

    def context(self, sentence_id: int) -> SentenceContext:
        """The sentence with its neighbours."""
        return sentence_context(self.database, sentence_id)

    def groups(self, sentence_id: int) -> list[SpanGroup]:
        """The sentence's spans grouped and classified, with what gold holds beside each."""
        versions = adjudication.sentence_versions(
            self.database, sentence_id, (*self.annotators, GOLD))
        return _classify(versions, self.annotators)

    @write_action
    def take(self, version: SpanVersion, group: SpanGroup) -> int:
        """Copy one version into gold, replacing gold's other version of the group."""
        return adjudication.take_versions(
            self.database, self.adjudicator_id, [(version.id, group.labels)])[0]

    @write_action
    def take_agreed(self, groups: Sequence[SpanGroup]) -> int:
        """Take every agreed span of ``groups`` not yet in gold; returns how many."""
        chosen = [(version.id, (version.label,)) for version in agreed_to_take(groups)]
        if chosen:
            adjudication.take_versions(self.database, self.adjudicator_id, chosen)
        return len(chosen)

    @write_action
    def take_all_agreed(self) -> int:
        """Take every agreed span of the whole corpus not yet in gold, as one undo step."""
        chosen: list[tuple[int, tuple[str, ...]]] = []
        everyone = (*self.annotators, GOLD)
        for _sentence, versions in adjudication.iter_sentence_versions(self.database, everyone):
            chosen.extend((version.id, (version.label,))
                          for version in agreed_to_take(_classify(versions, self.annotators)))
        if chosen:
            adjudication.take_versions(self.database, self.adjudicator_id, chosen)
        return len(chosen)

    @write_action
    def undo(self) -> int | None:
        """Undo the adjudicator's latest action; returns the sentence it touched."""
        return history.undo(self.database, self.adjudicator_id)

    @write_action
    def redo(self) -> int | None:
        """Redo the adjudicator's latest undone action."""
        return history.redo(self.database, self.adjudicator_id)


def _classify(versions: list[SpanVersion], annotators: Sequence[str]) -> list[SpanGroup]:
    gold = [version for version in versions if version.annotator == GOLD]
    return classify(versions, annotators, gold)
