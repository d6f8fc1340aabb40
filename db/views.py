"""Typed read models handed to the application: what a screen shows, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinkEnd:
    """The other end of a link, enough to display it."""

    annotation_id: int
    label: str
    text: str


@dataclass(frozen=True)
class AnnotationView:
    """One annotation as a screen lists it; offsets are into the sentence text."""

    id: int
    sentence_id: int
    label: str
    start: int
    end: int
    text: str
    status: str
    origin: str
    annotator: str
    source_id: int | None = None
    source_name: str | None = None
    source_type: str | None = None
    figure_value: float | None = None
    figure_unit: str | None = None
    figure_qualifier: str | None = None
    # claim -> the source spans it is attributed to
    attributed_to: tuple[LinkEnd, ...] = ()
    # figure -> the claims it supports; claim -> the figures that support it
    supports: tuple[LinkEnd, ...] = ()
    # source -> the claims attributed to it
    claims: tuple[LinkEnd, ...] = ()
    # claim -> "author" when explicitly marked as the author's own voice
    attribution: str | None = None
    # a suggestion: why it was suggested, and the canonical source it proposes when that
    # is not in the registry yet (name, type); accepting it registers that source
    reason: str | None = None
    proposed_source: tuple[str, str | None] | None = None


@dataclass(frozen=True)
class DocumentInfo:
    """What a screen shows about a document while moving through its sentences."""

    id: int
    title: str
    sentence_count: int
    number: int  # 1-based position in the corpus


@dataclass(frozen=True)
class SentenceView:
    """Everything the annotation screen shows about one sentence."""

    sentence_id: int
    document_id: int
    document_title: str
    index: int  # 0-based position in its document
    sentence_count: int  # sentences in the document
    document_number: int  # 1-based position of the document in the corpus
    document_total: int
    text: str
    doc_start: int
    previous_text: str | None
    next_text: str | None
    state: str | None  # this annotator's state: "done", "skipped" or None
    annotations: tuple[AnnotationView, ...]
    # Ids of the neighbours in the same document (read with their texts), so moving
    # to them needs no query; ``None`` at the document's ends (or when not read).
    previous_id: int | None = None
    next_id: int | None = None


@dataclass(frozen=True)
class Progress:
    """Sentences this annotator marked done, of all sentences."""

    done: int
    total: int


@dataclass(frozen=True)
class SourceChoice:
    """A canonical source from the shared registry."""

    id: int
    name: str
    source_type: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class SearchHit:
    """A sentence found by text search."""

    sentence_id: int
    document_number: int
    sentence_number: int  # 1-based
    document_title: str
    text: str
