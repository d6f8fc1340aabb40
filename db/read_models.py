"""Typed read models handed to the application: what a screen shows, never ORM objects.

The annotation screen's models come first (sentences, annotations, progress, sources), then the
review and adjudication screens' (the review query and its rows, history, span versions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.filters import AnnotationFilter
from db.values import Figure


@dataclass(frozen=True)
class LinkEnd:
    """The other end of a link, enough to display it; never a rejected annotation (a link
    to one does not count). A ``suggested`` end makes the link a proposal until accepted."""

    annotation_id: int
    label: str
    text: str
    status: str = "accepted"


@dataclass(frozen=True, kw_only=True)
class SpanCore:
    """What every read model of one annotation carries; offsets are into the sentence text.

    Keyword-only, so a record derived from it lists its own fields positionally first.
    """

    id: int
    annotator: str
    label: str
    start: int
    end: int
    text: str
    status: str
    source_name: str | None = None  # the canonical source the span is mapped to
    source_type: str | None = None
    figure: Figure | None = None  # a figure's value, unit and qualifier, when any is set


@dataclass(frozen=True)
class AnnotationView(SpanCore):
    """One annotation as a screen lists it."""

    sentence_id: int
    origin: str
    source_id: int | None = None
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


# Sort orders of the review table; each is a keyset (its columns end with the id).
REVIEW_SORTS = ("position", "label", "annotator", "status", "text", "newest")
# "yes": only annotations a reviewer decided on; "no": only those not yet decided.
REVIEWED_CHOICES = ("any", "yes", "no")


@dataclass(frozen=True)
class ReviewQuery:
    """Which annotations the review table lists, and in which order."""

    selection: AnnotationFilter = field(default_factory=AnnotationFilter)
    text: str = ""  # case-insensitive substring of the annotation's text
    reviewed: str = "any"
    sort: str = "position"

    def describe(self) -> str:
        """One line for the screen: the filters that are set, and the sort."""
        parts: list[str] = []
        chosen = self.selection
        for name, values in (("annotator", chosen.annotators), ("label", chosen.labels),
                             ("status", chosen.statuses),
                             ("document", tuple(map(str, chosen.document_ids)))):
            if values:
                parts.append(f"{name}={','.join(values)}")
        if self.text:
            parts.append(f"text~{self.text!r}")
        if self.reviewed != "any":
            parts.append(f"reviewed={self.reviewed}")
        return (" ".join(parts) or "all annotations") + f" · sorted by {self.sort}"


@dataclass(frozen=True)
class ReviewRow(SpanCore):
    """One annotation as the review table shows it."""

    document_id: int
    document_title: str
    sentence_id: int
    sentence_index: int  # 0-based
    origin: str
    source_id: int | None
    attributed_text: str | None  # a claim's source span, when attributed to one
    attributed_source: str | None  # that span's canonical source
    note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    sort_key: tuple[Any, ...]  # where the next page starts after this row


@dataclass(frozen=True)
class SentenceContext:
    """A sentence with its neighbours in the document, for showing a span in context."""

    sentence_id: int
    document_title: str
    index: int
    sentence_count: int
    text: str
    previous_text: str | None
    next_text: str | None


@dataclass(frozen=True)
class FieldChange:
    """One field of an annotation changed by one logged action."""

    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    """One change-log entry of an annotation: who did what, when."""

    at: datetime
    who: str | None
    action: str
    changes: tuple[FieldChange, ...]
    created: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class SpanVersion(SpanCore):
    """One annotator's version of a span in a sentence, as adjudication compares them.

    Besides the span's own fields it carries what its links say, each other end named by
    its document offsets with edge punctuation, quotes and spaces stripped (what the
    other annotators' spans are matched on): for a claim, ``attribution`` is whom it is
    attributed to, as agreement counts it (``source:NAME`` through a source span mapped to
    that canonical source or directly, ``span:START-END`` a source span with no canonical
    source, ``author``, or ``none``) and ``attribution_text`` how the screen says it;
    ``linked`` are the figures supporting a claim, or the claims a figure supports, with
    their texts in ``linked_text``. ``decision`` is a gold span's ``edited`` (changed by
    the adjudicator on its way into gold) or ``none`` (a rejected gold span: gold holds
    nothing there, both versions were rejected).
    """

    doc_start: int = 0
    attribution: str | None = None
    attribution_text: str | None = None
    linked: tuple[tuple[int, int], ...] = ()
    linked_text: tuple[str, ...] = ()
    decision: str | None = None
