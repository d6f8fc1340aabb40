"""Typed read models of the review and adjudication screens (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.filters import AnnotationFilter

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
class ReviewRow:
    """One annotation as the review table shows it; offsets are into the sentence."""

    id: int
    document_id: int
    document_title: str
    sentence_id: int
    sentence_index: int  # 0-based
    label: str
    text: str
    start: int
    end: int
    annotator: str
    status: str
    origin: str
    source_id: int | None
    source_name: str | None
    source_type: str | None
    attributed_text: str | None  # a claim's source span, when attributed to one
    attributed_source: str | None  # that span's canonical source
    figure_value: float | None
    figure_unit: str | None
    figure_qualifier: str | None
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
class SpanVersion:
    """One annotator's version of a span in a sentence, as adjudication compares them."""

    annotation_id: int
    annotator: str
    label: str
    start: int
    end: int
    text: str
    status: str
    source_name: str | None
    source_type: str | None
    figure_value: float | None
    figure_unit: str | None
    figure_qualifier: str | None
