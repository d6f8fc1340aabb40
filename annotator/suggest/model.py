"""What the suggester returns: suggested spans over one sentence."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from annotator.suggest.frozen_record import frozen_record
from db.values import Figure

__all__ = ["SuggestedSpan"]


@frozen_record
class SuggestedSpan:
    """A span the annotator may accept: offsets are code points into the sentence text."""

    label: str  # "claim" | "source" | "figure"
    start: int
    end: int
    text: str  # == sentence[start:end]
    reason: str  # short and human readable: "reporting cue 'said'", "known source alias"
    source_name: str | None = None  # canonical name (registry match, or proposed from the span)
    source_type: str | None = None  # taxonomy key
    figure: Figure | None = None  # figures: the parsed value, unit, qualifier and range end
    attrs: dict[str, Any] = field(default_factory=dict)  # e.g. {"cue": "said"}
    attributed_to: int | None = None  # claims: index in the same sentence's list of its source
    resolved_source: str | None = None  # claims whose source is a pronoun: the canonical name
