"""Running the suggester over stored documents: the glue between the engine and the database.

The engine (:mod:`annotator.suggest`) works on text; this module feeds it a
document's sentences and the canonical source registry, and turns what it
proposes into :class:`db.suggestions.ProposedSpan` rows for one annotator's layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from annotator.scheme import KnownSource, Scheme
from annotator.suggest import SuggestedSpan, Suggester
from db import suggestions
from db.annotations import ensure_annotator
from db.document_records import iter_source_records
from db.engine import Database
from db.suggestions import DocumentText, ProposedSpan


@dataclass(frozen=True)
class SuggestSummary:
    """What ``annotator suggest`` did."""

    documents: int
    added: int

    def describe(self, annotator: str) -> str:
        """One line for the user."""
        documents = f"{self.documents} document{'s' * (self.documents != 1)}"
        spans = f"{self.added} suggestion{'s' * (self.added != 1)}"
        return f"suggested {spans} in {documents} for {annotator}"


def known_sources(database: Database) -> list[KnownSource]:
    """The canonical source registry as the engine takes it (names, types, aliases)."""
    return [KnownSource(record.name, record.source_type, record.aliases)
            for record in iter_source_records(database)]


def make_suggester(database: Database, scheme: Scheme) -> Suggester:
    """A suggester with ``scheme`` (the project's cues, types and known sources) that also
    knows the registry's sources as it is now."""
    return Suggester(scheme, known_sources=known_sources(database))


def proposals(
    document: DocumentText, suggested: Sequence[Sequence[SuggestedSpan]]
) -> list[ProposedSpan]:
    """The engine's per-sentence spans as one list for the document.

    Links by index within a sentence become indexes into the document's list; a
    claim whose source is a canonical name from an earlier sentence is linked to the
    nearest earlier source span proposing that name, if any. A span whose text is
    not the sentence's text at its offsets is dropped (offsets are never guessed).
    """
    flat: list[ProposedSpan] = []
    for index, spans in enumerate(suggested):
        start, end = document.sentences[index]
        sentence = document.text[start:end]
        base = len(flat)
        kept = [position for position, span in enumerate(spans)
                if 0 <= span.start < span.end <= len(sentence)
                and sentence[span.start : span.end] == span.text]
        # A claim may point at a source later in its sentence: map every index first.
        shift = {position: base + rank for rank, position in enumerate(kept)}
        for position in kept:
            span = spans[position]
            target = shift.get(span.attributed_to) if span.attributed_to is not None else None
            resolved = span.resolved_source
            if target is None and resolved:
                target = _nearest_source(flat, resolved)
                resolved = None if target is not None else resolved
            attrs = dict(span.attrs)
            cue = _cue(attrs, sentence)
            if span.figure is not None and span.figure.value_max is not None:
                attrs["value_max"] = span.figure.value_max  # stored with the attributes
            if span.reason:
                attrs[suggestions.REASON] = span.reason
            flat.append(ProposedSpan(
                sentence_index=index, label=span.label, start=span.start, end=span.end,
                source_name=span.source_name, source_type=span.source_type,
                figure=span.figure, attrs=attrs, attributed_to=target,
                resolved_source=resolved, cue=cue,
            ))
    return flat


def _cue(attrs: dict[str, object], sentence: str) -> tuple[int, int] | None:
    """The reporting cue's offsets into the sentence, taken out of the engine's ``attrs``
    (``cue_start``/``cue_end``, code points into the sentence) when they hold the cue's
    text (``attrs["cue"]``); ``None`` when there are none or they do not fit."""
    start, end = attrs.pop(suggestions.CUE_START, None), attrs.pop(suggestions.CUE_END, None)
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(sentence)):
        return None
    cue = attrs.get(suggestions.CUE)
    if isinstance(cue, str) and sentence[start:end] != cue:
        return None
    return start, end


def _nearest_source(flat: list[ProposedSpan], name: str) -> int | None:
    for position in range(len(flat) - 1, -1, -1):
        if flat[position].label == "source" and flat[position].source_name == name:
            return position
    return None


def suggest_document(
    database: Database, annotator_id: int, document: DocumentText, suggester: Suggester
) -> int:
    """Compute and store the document's suggestions for the annotator; returns how many
    were added (spans the annotator already has, in any status, are skipped)."""
    suggested = suggester.suggest_document(document.text, document.sentences)
    return suggestions.store_suggestions(
        database, annotator_id, document.document_id, proposals(document, suggested))


def suggest_documents(
    database: Database, annotator: str, scheme: Scheme, document_ids: Sequence[int] = (),
    on_document: Callable[[], None] | None = None,
) -> SuggestSummary:
    """Compute and store suggestions by ``scheme`` for every document (or ``document_ids``),
    streamed, one transaction per document. Running it again adds nothing new."""
    annotator_id = ensure_annotator(database, annotator)
    suggester = make_suggester(database, scheme)
    documents = added = 0
    for document in suggestions.iter_document_texts(database, document_ids):
        added += suggest_document(database, annotator_id, document, suggester)
        documents += 1
        if on_document is not None:
            on_document()
    return SuggestSummary(documents, added)
