"""One annotator's working session over the database: what every TUI action calls.

No Textual here: the screens translate keys into these calls, and every call
that changes something is one committed transaction (and one undo step)
before it returns, so whatever the screen shows as saved is on disk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from annotator.tui.background_read import BackgroundRead
from db import annotations, changes, history, navigation, sources, suggestions
from db.engine import Database
from db.read_models import (
    AnnotationView,
    DocumentInfo,
    Progress,
    SearchHit,
    SentenceView,
    SourceChoice,
)
from db.retry import DEFAULT_POLICY, RetryPolicy, Wait, WriteRunner

if TYPE_CHECKING:
    from annotator.reports.stats import StatsReport
    from annotator.suggest import Suggester

# Corpus totals change only on import; recounting a million rows on every keypress
# would dominate the latency of a move, so they are refreshed at most this often (the
# sentence total on a worker thread, the previous one shown meanwhile).
TOTALS_TTL_SECONDS = 30.0
DOCUMENT_CACHE_SIZE = 256
T = TypeVar("T")


class Workspace:
    """The actions of one annotator; ``show_others`` also shows other annotators' spans;
    ``suggestions`` shows this annotator's pending suggestions and computes them for a
    document the first time one of its sentences is shown."""

    def __init__(
        self, database: Database, annotator: str, *, show_others: bool = False,
        suggestions: bool = False,
        on_wait: Callable[[Wait], None] | None = None, retry_policy: RetryPolicy = DEFAULT_POLICY,
    ) -> None:
        self.database = database
        self.annotator = annotator
        self.show_others = show_others
        self.suggestions = suggestions
        # Documents known to have their suggestions computed: a move within one costs nothing.
        self._suggested_documents: set[int] = set()
        self._suggester: Suggester | None = None
        # Every write goes through it: waiting in place (telling on_wait), or, once a screen
        # attaches itself, on a worker thread while the screen keeps painting.
        self.writes = WriteRunner(retry_policy, on_wait=on_wait)
        self.annotator_id = self._write(lambda: annotations.ensure_annotator(database, annotator))
        self._seen_changes = changes.change_marker(database)
        self._totals: tuple[float, int] | None = None  # when, and how many documents
        self._sentence_total = BackgroundRead(
            lambda: navigation.count_sentences(database, one_worker=True), TOTALS_TTL_SECONDS)
        self._document_cache: dict[int, DocumentInfo] = {}
        # A move reads the sentence, the done count and the leave check in one query
        # (navigation.arrival): the view read ahead by leaving_marks_done, and the done
        # count read with the latest view, each used once and dropped on any write, so
        # they are never older than the keypress that read them.
        self._arrival: navigation.Arrival | None = None
        self._done_with_view: int | None = None
        # The arrival of the next move, read after the last frame was painted: the
        # sentence it comes from, the change marker read just before it, and the arrival.
        self._ahead: tuple[int, changes.Marker, navigation.Arrival] | None = None
        # The change marker read with the arrival the last move showed from the read ahead,
        # to be compared once that frame is painted (see shown_may_be_stale).
        self._shown_marker: changes.Marker | None = None

    def _write(self, unit: Callable[[], T]) -> T:
        """Run one action's transaction(s), again after a pause while another writer holds
        the database; every action below is a rolled-back-or-committed unit, safe to rerun
        (see :class:`db.retry.WriteRunner`: behind a screen it may raise ``WriteDeferred``)."""
        self._arrival = self._done_with_view = self._ahead = None
        return self.writes.run(unit)

    def count_in_background(self) -> None:
        """Start counting all sentences (the progress bar's total) on a worker thread, so
        the count runs while the interface loads (see annotator/tui/background_read.py)."""
        self._sentence_total.start()

    def _documents(self) -> int:
        now = time.monotonic()
        if self._totals is None or now - self._totals[0] > TOTALS_TTL_SECONDS:
            self._totals = (now, navigation.count_documents(self.database))
        return self._totals[1]

    def _document(self, document_id: int) -> DocumentInfo:
        # Title, length and position change only on import; cache them with the totals.
        if self._totals is None or time.monotonic() - self._totals[0] > TOTALS_TTL_SECONDS:
            self._document_cache.clear()
        info = self._document_cache.get(document_id)
        if info is None:
            if len(self._document_cache) > DOCUMENT_CACHE_SIZE:
                self._document_cache.clear()
            info = navigation.document_info(self.database, document_id)
            self._document_cache[document_id] = info
        return info

    # --- reading and moving -------------------------------------------------
    def start_position(self, document_id: int | None = None) -> int | None:
        """Sentence to open: the first of ``document_id``, else where this annotator left off,
        else the first sentence of the corpus; ``None`` when there are no sentences."""
        if document_id is not None:
            return navigation.first_sentence_of(self.database, document_id)
        last = navigation.last_position(self.database, self.annotator_id)
        return last if last is not None else navigation.first_sentence(self.database)

    def view(self, sentence_id: int) -> SentenceView:
        """The sentence, its neighbours, position and this annotator's annotations
        (with ``suggestions``, their pending suggestions too)."""
        arrival, self._arrival = self._arrival, None
        if arrival is None or arrival.view.sentence_id != sentence_id:
            arrival = self._read_arrival(sentence_id, None)
        self._done_with_view = arrival.done
        return arrival.view

    def _read_arrival(self, sentence_id: int, left_id: int | None) -> navigation.Arrival:
        return navigation.arrival(
            self.database, sentence_id, self.annotator_id, self._document, self._documents(),
            left_id=left_id, show_others=self.show_others, suggestions=self.suggestions)

    def needs_suggestions(self, document_id: int) -> bool:
        """Whether :meth:`suggest` may have work for this document (no query: a document
        already checked in this session is known)."""
        return self.suggestions and document_id not in self._suggested_documents

    def suggest(self, document_id: int) -> int:
        """Suggest for a document the first time it is shown to this annotator (in this or
        any earlier session); returns how many suggestions were added."""
        if not self.needs_suggestions(document_id):
            return 0
        self._suggested_documents.add(document_id)
        if suggestions.is_processed(self.database, self.annotator_id, document_id):
            return 0
        from annotator.suggest import (
            store as suggestion_store,  # the engine loads only when it is needed
        )

        if self._suggester is None:
            self._suggester = suggestion_store.make_suggester(self.database)
        suggester = self._suggester
        text = suggestions.document_text(self.database, document_id)
        return self._write(lambda: suggestion_store.suggest_document(
            self.database, self.annotator_id, text, suggester))

    def progress(self) -> Progress:
        """Sentences done by this annotator, of all sentences (the count read with the
        view just shown, if no write came since, as :meth:`view` then this is a redraw)."""
        done, self._done_with_view = self._done_with_view, None
        if done is None:
            done = navigation.count_done(self.database, self.annotator_id)
        return Progress(done, self._sentence_total.get())

    def next_sentence(self, sentence_id: int) -> int | None:
        """The following sentence (crossing into the next document), or ``None`` at the end."""
        return navigation.next_sentence(self.database, sentence_id)

    def previous_sentence(self, sentence_id: int) -> int | None:
        """The preceding sentence (crossing into the previous document), or ``None``."""
        return navigation.previous_sentence(self.database, sentence_id)

    def following(self, view: SentenceView) -> int | None:
        """:meth:`next_sentence` of a shown sentence: its neighbour read with the view (a
        document's sentences never change once imported), a query only at the document's end."""
        if view.next_id is not None:
            return view.next_id
        return navigation.next_sentence(self.database, view.sentence_id)

    def preceding(self, view: SentenceView) -> int | None:
        """:meth:`previous_sentence` of a shown sentence, as :meth:`following`."""
        if view.previous_id is not None:
            return view.previous_id
        return navigation.previous_sentence(self.database, view.sentence_id)

    def next_document(self, sentence_id: int) -> int | None:
        """First sentence of the next document, or ``None``."""
        return navigation.next_document(self.database, sentence_id)

    def previous_document(self, sentence_id: int) -> int | None:
        """First sentence of the previous document, or ``None``."""
        return navigation.previous_document(self.database, sentence_id)

    def next_unfinished(self, sentence_id: int) -> int | None:
        """The next sentence this annotator has not marked done (wrapping around), or ``None``."""
        return navigation.next_unfinished(self.database, self.annotator_id, sentence_id)

    def goto(self, document_number: int, sentence_number: int = 1) -> int | None:
        """Sentence by 1-based document number and 1-based sentence number, or ``None``."""
        return navigation.sentence_at(self.database, document_number, sentence_number)

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Sentences containing ``text`` (case-insensitive), in corpus order."""
        if not text.strip():
            return []
        return navigation.search_sentences(self.database, text.strip(), limit)

    def remember_position(self, sentence_id: int) -> None:
        """Record where this annotator is, so reopening resumes here."""
        self._write(lambda: navigation.remember_position(self.database, self.annotator_id,
                                                        sentence_id))

    def move(self, from_sentence_id: int | None, to_sentence_id: int) -> None:
        """Leave one sentence for another: ``leave_sentence`` and ``remember_position``
        in one transaction, which is what every move key does."""
        arrival = self._arrival
        self._write(lambda: annotations.move(self.database, self.annotator_id,
                                             from_sentence_id, to_sentence_id))
        if (arrival is not None and arrival.leaving_marks_done
                and arrival.view.sentence_id == to_sentence_id):
            # What the leave check was read with still holds after this write, which only
            # marked the sentence left done (it had no state then, so the count grows by
            # one whoever marked it): the arrival is shown without reading it again.
            self._arrival = replace(arrival, done=arrival.done + 1, leaving_marks_done=False)

    def leaving_marks_done(self, sentence_id: int | None, arriving: int | None = None) -> bool:
        """Whether :meth:`leave_sentence` would change anything: the sentence has a span of
        this annotator (accepted, not a suggestion) and no state yet, so leaving marks it done.

        With ``arriving`` (the sentence the move goes to) the check is read with that
        sentence's view, which the next :meth:`view` of it returns unless a write came
        in between: a move is then one read, or none when it was read ahead."""
        if arriving is not None:
            self._arrival = (self._take_ahead(sentence_id, arriving)
                             or self._read_arrival(arriving, sentence_id))
            return self._arrival.leaving_marks_done
        if sentence_id is None:
            return False
        return navigation.marks_done_on_leave(self.database, self.annotator_id, sentence_id)

    def read_ahead(self, view: SentenceView, forward: bool = True) -> None:
        """Read, while the annotator looks at ``view``, what moving from it to its next
        (``forward``) or previous sentence will show, so that the move itself reads nothing
        (see :meth:`leaving_marks_done`, then :meth:`shown_may_be_stale`)."""
        target = view.next_id if forward else view.previous_id
        if target is None:
            self._ahead = None
            return
        try:
            marker = changes.change_marker(self.database)  # before the read: a later change shows
            self._ahead = (view.sentence_id, marker, self._read_arrival(target, view.sentence_id))
        except Exception:  # only a missed shortcut: the move reads again, and reports
            self._ahead = None

    def _take_ahead(self, left_id: int | None, arriving: int) -> navigation.Arrival | None:
        """The arrival read ahead for this move, if it was read for it; its change marker
        is kept to be compared after the frame (:meth:`shown_may_be_stale`)."""
        ahead, self._ahead = self._ahead, None
        if ahead is None or ahead[0] != left_id or ahead[2].view.sentence_id != arriving:
            return None
        self._shown_marker = ahead[1]
        return ahead[2]

    def shown_may_be_stale(self) -> bool:
        """After a move shown from the read ahead: whether anyone (another annotator,
        another terminal, or this one) recorded anything since it was read, in which case
        the screen reads and draws the sentence again. One probe, made once the frame is
        painted, so the keypress waits for no query; ``False`` when there is nothing to
        check."""
        marker, self._shown_marker = self._shown_marker, None
        return marker is not None and changes.change_marker(self.database) != marker

    # --- sentence state -------------------------------------------------------
    def toggle_done(self, sentence_id: int) -> str | None:
        """Mark the sentence done, or clear the mark if it was done; returns the new state."""
        def toggle() -> str | None:
            current = navigation.sentence_state(self.database, self.annotator_id, sentence_id)
            state = None if current == "done" else "done"
            annotations.set_sentence_state(self.database, self.annotator, sentence_id, state)
            return state

        return self._write(toggle)

    def leave_sentence(self, sentence_id: int) -> None:
        """Called when moving on: a sentence with annotations of this annotator becomes done."""
        self._write(lambda: annotations.move(self.database, self.annotator_id, sentence_id,
                                             None))

    # --- annotations ------------------------------------------------------------
    def tag(self, sentence_id: int, label: str, start: int, end: int) -> int:
        """Store a span (offsets in the sentence) with ``label``; returns its id. A span
        this annotator has as a suggestion (even a rejected one) is accepted instead, and
        the same span tagged again (say from a second terminal) is found, not refused."""
        adopted = self._write(lambda: suggestions.adopt(
            self.database, self.annotator_id, self.annotator, sentence_id, label, start, end))
        if adopted is not None:
            return adopted
        span = annotations.NewSpan(sentence_id, label, start, end)
        return self._write(lambda: annotations.add_or_find_span(self.database, self.annotator,
                                                                span))

    def accept(self, annotation_ids: list[int]) -> int:
        """Accept suggestions (one undo step for all); returns how many were accepted."""
        return self._write(lambda: suggestions.decide(self.database, self.annotator,
                                                      annotation_ids, "accepted"))

    def reject(self, annotation_ids: list[int]) -> int:
        """Reject suggestions: kept as rejected, never shown or suggested again."""
        return self._write(lambda: suggestions.decide(self.database, self.annotator,
                                                      annotation_ids, "rejected"))

    def delete(self, annotation_id: int) -> None:
        """Delete an annotation and its links."""
        self._write(lambda: annotations.delete_annotation(self.database, self.annotator,
                                                          annotation_id))

    def relabel(self, annotation_id: int, label: str) -> None:
        """Change an annotation's label (links that no longer fit are removed)."""
        self._write(lambda: annotations.relabel(self.database, self.annotator, annotation_id,
                                                label))

    def set_source(self, annotation_id: int, source_id: int | None) -> None:
        """Map a source span (or a claim, directly) to a canonical source, or clear it."""
        self._write(lambda: annotations.set_source(self.database, self.annotator, annotation_id,
                                                   source_id))

    def set_figure(
        self, annotation_id: int, value: float | None, unit: str | None, qualifier: str | None
    ) -> None:
        """Set a figure's normalized value, unit and qualifier."""
        self._write(lambda: annotations.set_figure(self.database, self.annotator, annotation_id,
                                                   value, unit, qualifier))

    def attribute_to_span(self, claim_id: int, source_annotation_id: int) -> None:
        """Attribute a claim to a source span (replacing any earlier attribution)."""
        self._write(lambda: annotations.attribute_to_span(self.database, self.annotator, claim_id,
                                                          source_annotation_id))

    def attribute_to_source(self, claim_id: int, source_id: int) -> None:
        """Attribute a claim to a canonical source directly, with no source span."""
        self._write(lambda: annotations.attribute_to_source(self.database, self.annotator,
                                                            claim_id, source_id))

    def unattribute(self, claim_id: int) -> None:
        """Mark a claim as unattributed / the author's own voice."""
        self._write(lambda: annotations.unattribute(self.database, self.annotator, claim_id))

    def link_figure(self, figure_id: int, claim_id: int) -> None:
        """Record that a figure supports a claim."""
        self._write(lambda: annotations.link_figure(self.database, self.annotator, figure_id,
                                                    claim_id))

    def attribution_candidates(self, sentence_id: int) -> list[AnnotationView]:
        """Source spans in this and earlier sentences of the document, nearest first."""
        return navigation.annotations_in_document(
            self.database, sentence_id, self.annotator_id, "source", show_others=self.show_others
        )

    def claim_candidates(self, sentence_id: int) -> list[AnnotationView]:
        """Claims in this and earlier sentences of the document, nearest first."""
        return navigation.annotations_in_document(
            self.database, sentence_id, self.annotator_id, "claim", show_others=self.show_others
        )

    # --- the shared source registry ---------------------------------------------
    def find_sources(self, query: str, limit: int = 20) -> list[SourceChoice]:
        """Canonical sources whose name or an alias contains ``query`` (case-insensitive)."""
        return sources.find_sources(self.database, query, limit)

    def create_source(
        self, name: str, source_type: str | None, aliases: tuple[str, ...] = ()
    ) -> int:
        """Add a canonical source (or return the existing one of that name); returns its id."""
        self._suggester = None  # later suggestions know the new source
        return self._write(lambda: sources.create_source(self.database, name, source_type, aliases))

    def add_alias(self, source_id: int, alias: str) -> None:
        """Add another name for a canonical source."""
        self._suggester = None
        self._write(lambda: sources.add_alias(self.database, source_id, alias))

    def changed_since_last_asked(self) -> bool:
        """Whether anyone (another annotator, another terminal, or this one) recorded an
        action or extended the source registry since the previous call: a cheap poll."""
        marker = changes.change_marker(self.database)
        changed, self._seen_changes = marker != self._seen_changes, marker
        return changed

    # --- statistics -----------------------------------------------------------
    def stats(self) -> StatsReport:
        """Progress and pace of every annotator, claims and figures per source and type."""
        from annotator.reports.stats import build_stats  # only when the view is opened

        return build_stats(self.database)

    # --- history --------------------------------------------------------------
    def undo(self) -> int | None:
        """Undo this annotator's latest action; returns the sentence it touched, or ``None``."""
        return self._write(lambda: history.undo(self.database, self.annotator))

    def redo(self) -> int | None:
        """Redo the latest undone action; returns the sentence it touched, or ``None``."""
        return self._write(lambda: history.redo(self.database, self.annotator))
