"""One adjudicator deciding between annotators, sentence by sentence, into the gold layer.

No Textual and no SQL here: the adjudication screen calls these; each take is one
committed transaction and one undo step of the adjudicator.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.review.versions import GOLD, SpanGroup, agreed_to_take, classify
from annotator.scheme.definition import Scheme, default_scheme
from db import adjudication, history, sources
from db.adjudication import GoldEdit
from db.annotations import ensure_annotator
from db.engine import Database
from db.read_models import SentenceContext, SourceChoice, SpanVersion
from db.retry import WriteRunner, write_action
from db.review import sentence_context

# Taking every agreed span of a corpus is one action, written in one transaction;
# ids are collected first (a few bytes each), never the versions themselves.


class AdjudicationSession:
    """Compares ``annotators`` sentence by sentence; takes versions into ``gold``."""

    def __init__(self, database: Database, adjudicator: str, annotators: Sequence[str],
                 scheme: Scheme | None = None) -> None:
        if GOLD in annotators:
            raise ValueError("the gold layer is what adjudication writes; do not compare it")
        if len(set(annotators)) < 2:
            raise ValueError("adjudication compares at least two different annotators")
        self.database = database
        self.adjudicator = adjudicator
        self.annotators = tuple(annotators)
        self.annotator = adjudicator  # the name the shared dialogs show
        self._scheme = scheme  # None: the built-in one, read when first used
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
    def reject_both(self, group: SpanGroup) -> int:
        """Decide the row as "neither": gold holds nothing for it (a decided row)."""
        return adjudication.reject_versions(
            self.database, self.adjudicator_id, group.versions[0].id, group.labels)

    @write_action
    def take_edited(self, version: SpanVersion, group: SpanGroup, edit: GoldEdit) -> int:
        """Take one version into gold changed by ``edit``, in one transaction."""
        return adjudication.take_versions(
            self.database, self.adjudicator_id, [(version.id, group.labels)], edit)[0]

    def take_with_edges(self, sentence_id: int, version: SpanVersion, group: SpanGroup,
                        text: str) -> int:
        """Take one version of sentence ``sentence_id`` into gold with its edges moved so
        that it reads ``text`` (the occurrence of it in the sentence nearest the
        version); ``ValueError`` when the sentence has no such text."""
        edges = edges_for(self.context(sentence_id).text, version, text)
        return self.take_edited(version, group, GoldEdit(edges=edges))

    def editor(self, version: SpanVersion, group: SpanGroup) -> VersionEditor:
        """What the source picker and the figure form edit: this version, on its way
        into gold."""
        return VersionEditor(self, version, group)

    @property
    def scheme(self) -> Scheme:
        """The project's scheme, or the built-in one (the source picker's types)."""
        return self._scheme if self._scheme is not None else default_scheme()

    def find_sources(self, query: str, limit: int = 20) -> list[SourceChoice]:
        """Canonical sources whose name or an alias contains ``query``."""
        return sources.find_sources(self.database, query, limit)

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


def edges_for(sentence: str, version: SpanVersion, text: str) -> tuple[int, int]:
    """The sentence offsets of ``text`` nearest ``version``'s: its occurrence that
    overlaps the version most, else the one starting closest; ``ValueError`` (one line)
    when the sentence has no such text."""
    wanted = text.strip()
    if not wanted:
        raise ValueError("a span needs some text")
    found: list[int] = []
    at = sentence.find(wanted)
    while at != -1:
        found.append(at)
        at = sentence.find(wanted, at + 1)
    if not found:
        shown = wanted if len(wanted) <= 40 else wanted[:40] + "…"
        raise ValueError(f"the sentence has no {shown!r}")

    def nearness(start: int) -> tuple[int, int]:
        overlap = min(start + len(wanted), version.end) - max(start, version.start)
        return (-overlap, abs(start - version.start))

    start = min(found, key=nearness)
    return start, start + len(wanted)


class VersionEditor:
    """One version on its way into gold, as the source picker and the figure form edit it
    (a ``SourceEditor`` and a ``FigureEditor``, annotator/tui/dialogs/editors.py): each
    save takes the version into gold with that change, in one transaction and one undo
    step; leaving the dialog takes nothing. The annotator's own version is left as it is.
    """

    def __init__(self, session: AdjudicationSession, version: SpanVersion,
                 group: SpanGroup) -> None:
        self.session = session
        self.version = version
        self.group = group
        self.annotator = session.adjudicator

    @property
    def scheme(self) -> Scheme:
        """The scheme whose source types a new source may take."""
        return self.session.scheme

    def find_sources(self, query: str, limit: int = 20) -> list[SourceChoice]:
        """Canonical sources whose name or an alias contains ``query``."""
        return self.session.find_sources(query, limit)

    def _take(self, edit: GoldEdit) -> int:
        return self.session.take_edited(self.version, self.group, edit)

    def set_figure(
        self, annotation_id: int, value: float | None, unit: str | None, qualifier: str | None
    ) -> None:
        """Take the version with this value, unit and qualifier."""
        self._take(GoldEdit(figure=(value, unit, qualifier)))

    def set_source(self, annotation_id: int, source_id: int | None) -> None:
        """Take the version mapped (a claim: attributed) to this source, or to none."""
        self._take(GoldEdit(source_id=source_id, clear_source=source_id is None))

    def pick_source_with_alias(
        self, annotation_id: int, source_id: int, alias: str | None
    ) -> None:
        """Take the version with this source, recording ``alias`` as another name of it."""
        self._take(GoldEdit(source_id=source_id, alias=alias))

    def create_and_set_source(
        self, annotation_id: int, name: str, source_type: str | None,
        aliases: tuple[str, ...] = (),
    ) -> int:
        """Register a source (or find the one of that name) and take the version with it."""
        self._take(GoldEdit(new_source=(name, source_type, aliases)))
        found = [source.id for source in self.find_sources(name) if source.name == name.strip()]
        return found[0] if found else 0
