"""One annotator's working session over the database: what every TUI action calls.

No Textual here: the screens translate keys into these calls, and every call
that changes something is one committed transaction (and one undo step)
before it returns, so whatever the screen shows as saved is on disk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from annotator.scheme.definition import Scheme, default_scheme
from db import annotations, changes, history, navigation, sources, suggestions
from db.background_read import BackgroundRead
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
    from annotator.suggest.live import LiveRegistry

# Corpus totals change only on import; recounting a million rows on every keypress
# would dominate the latency of a move, so they are refreshed at most this often (the
# sentence total on a worker thread, the previous one shown meanwhile).
TOTALS_TTL_SECONDS = 30.0
DOCUMENT_CACHE_SIZE = 256
T = TypeVar("T")


@dataclass(frozen=True)
class Arrival:
    """Everything a move shows, read in one unit (or ahead of the move, and then without
    a query when the key is pressed): the sentence, this annotator's progress, and
    whether leaving ``left_id`` marks it done (the move must then write before drawing,
    :meth:`Workspace.make_move`).

    ``ahead_marker`` is the change marker read just before an arrival read ahead; the
    screen compares it once the frame is painted (:meth:`Workspace.shown_may_be_stale`).
    ``None`` for an arrival read when it was asked for: nothing to compare.
    """

    view: SentenceView
    progress: Progress
    left_id: int | None
    marks_done: bool
    ahead_marker: changes.Marker | None = None


NOTICE_TEXT_LIMIT = 40
SpanEdit = annotations.SpanEdit


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > NOTICE_TEXT_LIMIT:
        text = text[: NOTICE_TEXT_LIMIT - 1] + "…"
    return f"'{text}'"


def edit_notice(edit: annotations.SpanEdit) -> str:
    """The notice of a delete or relabel, naming the links that went with it: "deleted
    source 'Hamas spokesperson' and its 2 links (u to undo)"."""
    links = f"{edit.links_removed} link{'s' * (edit.links_removed != 1)}"
    span = f"{edit.label} {_quoted(edit.text)}"
    if edit.new_label is None:
        what = f"deleted {span}" + (f" and its {links}" if edit.links_removed else "")
    else:
        what = f"relabelled {span} as {edit.new_label}" + (
            f", removing its {links} that no longer fit" if edit.links_removed else "")
    return f"{what} (u to undo)"


class Workspace:
    """The actions of one annotator; ``show_others`` also shows other annotators' spans;
    ``suggestions`` shows this annotator's pending suggestions and computes them for a
    document the first time one of its sentences is shown; ``scheme`` (the built-in one when
    None) gives the suggester its cues and known sources and the source picker its types."""

    def __init__(
        self, database: Database, annotator: str, *, show_others: bool = False,
        suggestions: bool = False, scheme: Scheme | None = None,
        on_wait: Callable[[Wait], None] | None = None, retry_policy: RetryPolicy = DEFAULT_POLICY,
    ) -> None:
        self.database = database
        self.annotator = annotator
        self._scheme = scheme  # None: the built-in one, read when first used
        self.show_others = show_others
        self.suggestions = suggestions
        # Documents known to have their suggestions computed: a move within one costs nothing.
        self._suggested_documents: set[int] = set()
        self._suggester: Suggester | None = None
        # The registry pending suggestions are resolved against, and the fingerprint it was
        # read at (db.sources.registry_fingerprint): read again only when that changes.
        self._live: tuple[tuple[int, ...], LiveRegistry] | None = None
        # Every write goes through it: waiting in place (telling on_wait), or, once a screen
        # attaches itself, on a worker thread while the screen keeps painting.
        self.writes = WriteRunner(retry_policy, on_wait=on_wait)
        self.annotator_id = self._write(lambda: annotations.ensure_annotator(database, annotator))
        self._seen_changes = changes.change_marker(database)
        self._totals: tuple[float, int] | None = None  # when, and how many documents
        self._sentence_total = BackgroundRead(
            lambda: navigation.count_sentences(database, one_worker=True), TOTALS_TTL_SECONDS)
        self._document_cache: dict[int, DocumentInfo] = {}
        # The arrival of the next move, read after the last frame was painted
        # (read_ahead): served once, to the move it was read for (arrive), and dropped by
        # any write of this session (_write), so it is never older than this session's
        # own last change; others' changes are caught by its marker after the paint.
        self._ahead: Arrival | None = None


    @property
    def scheme(self) -> Scheme:
        """The project's scheme, or the built-in one (read on first use, off the first
        frame)."""
        return self._scheme if self._scheme is not None else default_scheme()

    def _write(self, unit: Callable[[], T]) -> T:
        """Run one action's transaction(s), again after a pause while another writer holds
        the database; every action below is a rolled-back-or-committed unit, safe to rerun
        (see :class:`db.retry.WriteRunner`: behind a screen it may raise ``WriteDeferred``).
        The one place the read ahead is dropped: whatever was written may change it."""
        self._ahead = None
        return self.writes.run(unit)

    def count_in_background(self) -> None:
        """Start counting all sentences (the progress bar's total) on a worker thread, so
        the count runs while the interface loads (see db/background_read.py)."""
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
        (with ``suggestions``, their pending suggestions too), read now."""
        return self._read_arrival(None, sentence_id).view

    def arrive(self, from_id: int | None, to_id: int) -> Arrival:
        """What moving from ``from_id`` to ``to_id`` shows (``from_id`` ``None``: opening
        or drawing again, nothing is left): the arrival read ahead for this very move if
        no write came since (no query), else one read of the sentence, the done count and
        the leave check together. Reads only; :meth:`make_move` writes what it needs."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead.left_id == from_id and ahead.view.sentence_id == to_id:
            return ahead
        return self._read_arrival(from_id, to_id)

    def _read_arrival(self, from_id: int | None, to_id: int) -> Arrival:
        read = navigation.arrival(
            self.database, to_id, self.annotator_id, self._document, self._documents(),
            left_id=from_id, show_others=self.show_others, suggestions=self.suggestions)
        return Arrival(self._live_view(read.view),
                       Progress(read.done, self._sentence_total.get()), from_id,
                       read.leaving_marks_done)

    # --- pending suggestions follow the live registry (issue 16) ------------------------
    def live_registry(self, reads: sources.RegistryReads | None = None) -> LiveRegistry:
        """The registry people see, as the suggester matches it, read again only when it
        changed (one fingerprint query; see :mod:`annotator.suggest.live`); through
        ``reads`` (an action's own transaction), else in a read of its own."""
        if reads is None:
            with sources.registry_reads(self.database) as own:
                return self.live_registry(own)
        from annotator.suggest.live import LiveRegistry  # the engine loads when needed

        fingerprint = reads.fingerprint()
        if self._live is None or self._live[0] != fingerprint:
            self._live = (fingerprint, LiveRegistry(self.scheme, reads.choices()))
        return self._live[1]

    def _live_view(self, view: SentenceView) -> SentenceView:
        """The sentence with this annotator's pending suggestions mapped to the canonical
        sources they resolve to in the registry now, not when they were computed."""
        if not self.suggestions or not any(
                a.status == "suggested" and a.label in ("source", "claim")
                for a in view.annotations):
            return view
        live = self.live_registry()
        return replace(view, annotations=tuple(
            live.shown(a) if a.annotator == self.annotator else a for a in view.annotations))

    def _resolve_pending(
        self, pending: annotations.PendingSource, reads: sources.RegistryReads
    ) -> str | None:
        """The acceptance's resolver (``db.annotations.Resolver``): what :meth:`_live_view`
        showed, read in the accepting transaction."""
        return self.live_registry(reads).resolve_pending(pending)

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
            self._suggester = suggestion_store.make_suggester(self.database, self.scheme)
        suggester = self._suggester
        text = suggestions.document_text(self.database, document_id)
        return self._write(lambda: suggestion_store.suggest_document(
            self.database, self.annotator_id, text, suggester))

    def progress(self) -> Progress:
        """Sentences done by this annotator, of all sentences, counted now (a move has it
        in its :class:`Arrival`)."""
        return Progress(navigation.count_done(self.database, self.annotator_id),
                        self._sentence_total.get())

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
        self._write(lambda: annotations.move(self.database, self.annotator_id,
                                             from_sentence_id, to_sentence_id))

    def make_move(self, arrival: Arrival) -> Arrival:
        """The write of a move whose leave check marks the sentence left done
        (``arrival.marks_done``): :meth:`move`, then what to show, without reading again.

        What the leave check was read with still holds after this write, which only
        marked the sentence left done (it had no state then, so the count grows by one
        whoever marked it). An arrival that marks nothing is returned as it is: the
        position alone is not worth a write before the frame (:meth:`remember_position`)."""
        if not arrival.marks_done:
            return arrival
        self.move(arrival.left_id, arrival.view.sentence_id)
        progress = replace(arrival.progress, done=arrival.progress.done + 1)
        return replace(arrival, progress=progress, marks_done=False)

    def leaving_marks_done(self, sentence_id: int | None) -> bool:
        """Whether :meth:`leave_sentence` would change anything: the sentence has a span of
        this annotator (accepted, not a suggestion) and no state yet, so leaving marks it
        done (a move reads it with its :meth:`arrive`)."""
        if sentence_id is None:
            return False
        return navigation.marks_done_on_leave(self.database, self.annotator_id, sentence_id)

    def read_ahead(self, view: SentenceView, forward: bool = True) -> None:
        """Read, while the annotator looks at ``view``, what moving from it to its next
        (``forward``) or previous sentence will show, so that the move itself reads nothing
        (its :meth:`arrive`; then :meth:`shown_may_be_stale` once it is painted)."""
        self._ahead = None
        target = view.next_id if forward else view.previous_id
        if target is None:
            return
        try:
            marker = changes.change_marker(self.database)  # before the read: a later change shows
            arrival = self._read_arrival(view.sentence_id, target)
        except Exception:  # only a missed shortcut: the move reads again, and reports
            return
        self._ahead = replace(arrival, ahead_marker=marker)

    def shown_may_be_stale(self, arrival: Arrival) -> bool:
        """Whether anyone (another annotator, another terminal, or this one) recorded
        anything since ``arrival`` was read ahead, in which case the screen reads and
        draws the sentence again. One probe, for the screen to make once the frame is
        painted, so the keypress waits for no query; no probe (``False``) for an arrival
        read when it was asked for."""
        marker = arrival.ahead_marker
        return marker is not None and changes.change_marker(self.database) != marker

    # --- sentence state -------------------------------------------------------
    def toggle_done(self, sentence_id: int) -> str | None:
        """Mark the sentence done, or clear the mark if it was done; returns the new state."""
        return self._write(lambda: annotations.toggle_done(self.database, self.annotator_id,
                                                           sentence_id))

    def leave_sentence(self, sentence_id: int) -> None:
        """Called when moving on: a sentence with annotations of this annotator becomes done."""
        self._write(lambda: annotations.move(self.database, self.annotator_id, sentence_id,
                                             None))

    # --- annotations ------------------------------------------------------------
    def tag(self, sentence_id: int, label: str, start: int, end: int) -> int:
        """Store a span (offsets in the sentence) with ``label``; returns its id. A span
        this annotator has as a suggestion (even a rejected one) is accepted instead, and
        the same span tagged again (say from a second terminal) is found, not refused:
        one transaction (:func:`db.annotations.tag`)."""
        span = annotations.NewSpan(sentence_id, label, start, end)
        return self._write(lambda: annotations.tag(self.database, self.annotator_id, span,
                                                    self._resolve_pending))

    def accept(self, annotation_ids: list[int]) -> int:
        """Accept suggestions (one undo step for all); returns how many were accepted. Each
        one's canonical source is the one it resolves to in the registry now, as shown."""
        return self._write(lambda: suggestions.decide(self.database, self.annotator_id,
                                                      annotation_ids, "accepted",
                                                      self._resolve_pending))

    def reject(self, annotation_ids: list[int]) -> int:
        """Reject suggestions: kept as rejected, never shown or suggested again."""
        return self._write(lambda: suggestions.decide(self.database, self.annotator_id,
                                                      annotation_ids, "rejected"))

    def delete(self, annotation_id: int) -> annotations.SpanEdit:
        """Delete an annotation and its links (one undo step); what was deleted, with how
        many links went too (:func:`edit_notice` says it)."""
        return self._write(lambda: annotations.delete_annotation(
            self.database, self.annotator_id, annotation_id))

    def relabel(self, annotation_id: int, label: str) -> annotations.SpanEdit:
        """Change an annotation's label (links that no longer fit are removed, and come back
        with undo); what changed, as :meth:`delete`."""
        return self._write(lambda: annotations.relabel(self.database, self.annotator_id,
                                                       annotation_id, label))

    def set_source(self, annotation_id: int, source_id: int | None) -> None:
        """Map a source span (or a claim, directly) to a canonical source, or clear it."""
        self._write(lambda: annotations.set_source(self.database, self.annotator_id, annotation_id,
                                                   source_id))

    def set_figure(
        self, annotation_id: int, value: float | None, unit: str | None, qualifier: str | None
    ) -> None:
        """Set a figure's normalized value, unit and qualifier."""
        self._write(lambda: annotations.set_figure(self.database, self.annotator_id, annotation_id,
                                                   value, unit, qualifier))

    def attribute_to_span(self, claim_id: int, source_annotation_id: int) -> None:
        """Attribute a claim to a source span (replacing any earlier attribution)."""
        self._write(lambda: annotations.attribute_to_span(
            self.database, self.annotator_id, claim_id, source_annotation_id))

    def attribute_to_source(self, claim_id: int, source_id: int) -> None:
        """Attribute a claim to a canonical source directly, with no source span."""
        self._write(lambda: annotations.attribute_to_source(self.database, self.annotator_id,
                                                            claim_id, source_id))

    def unattribute(self, claim_id: int) -> None:
        """Mark a claim as unattributed / the author's own voice."""
        self._write(lambda: annotations.unattribute(self.database, self.annotator_id, claim_id))

    def link_figure(self, figure_id: int, claim_id: int) -> None:
        """Record that a figure supports a claim."""
        self._write(lambda: annotations.link_figure(self.database, self.annotator_id, figure_id,
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

    def pick_source_with_alias(
        self, annotation_id: int, source_id: int, alias: str | None
    ) -> None:
        """Map a span to a registered source and record ``alias`` as another name of it
        (the source picker's choice with "also record as an alias"): both or neither."""
        self._suggester = None
        self._write(lambda: annotations.pick_source_with_alias(
            self.database, self.annotator_id, annotation_id, source_id, alias))

    def create_and_set_source(
        self, annotation_id: int, name: str, source_type: str | None,
        aliases: tuple[str, ...] = (),
    ) -> int:
        """Register a source (or find the one of that name) and map a span to it, in one
        transaction: no orphan source in the shared registry if the mapping fails."""
        self._suggester = None
        return self._write(lambda: annotations.create_and_set_source(
            self.database, self.annotator_id, annotation_id, name, source_type, aliases))

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
        return self._write(lambda: history.undo(self.database, self.annotator_id))

    def redo(self) -> int | None:
        """Redo the latest undone action; returns the sentence it touched, or ``None``."""
        return self._write(lambda: history.redo(self.database, self.annotator_id))
