"""Pending suggestions follow the live registry (issue 16).

A document's suggestions are computed once and stored; the canonical-source part of a
pending one is resolved again, against the registry as it is when the suggestion is shown
and when it is accepted, by the suggester's own matching (:class:`SourceNamer`: a
registered name or alias in the span, in the spellings news uses, the person named after
a role word), so a source or alias the annotator added since wins over what was proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from annotator.scheme.definition import KnownSource, Scheme
from annotator.suggest.sources import SourceMemory, SourceNamer
from db.annotations import PendingSource
from db.read_models import AnnotationView, SourceChoice

__all__ = ["LiveRegistry"]


class LiveRegistry:
    """The registry people see (db.sources.visible_registry), matched as the suggester
    matches."""

    def __init__(self, scheme: Scheme, registry: Sequence[SourceChoice]) -> None:
        self.by_name = {choice.name: choice for choice in registry}
        self.namer = SourceNamer(scheme, [KnownSource(choice.name, choice.source_type,
                                                      choice.aliases) for choice in registry])

    def resolve(self, label: str, text: str, proposed: str | None) -> SourceChoice | None:
        """The registered source a suggestion means now, or ``None`` (keep its proposal).

        A source span is named as the suggester names it, against the registry alone; a
        pronoun, or a span the registry names nothing in, falls back to the proposed name
        (a pronoun's is the earlier source it was resolved to), which counts when it is a
        registered name or alias. A claim has only its proposed name.
        """
        if label == "source" and text.strip().lower() not in self.namer.pronouns:
            named = self.namer.name(text, (0, len(text)), SourceMemory())
            found = self._registered(named.name)
            if found is not None:
                return found
        return self._registered(proposed) if proposed else None

    def _registered(self, name: str) -> SourceChoice | None:
        known = self.namer.aliases.get(name)
        return None if known is None else self.by_name.get(known.name)

    def resolve_pending(self, pending: PendingSource) -> str | None:
        """:meth:`resolve` for the database's acceptance (``db.annotations.Resolver``)."""
        found = self.resolve(pending.label, pending.text, pending.proposed_name)
        return None if found is None else found.name

    def shown(self, annotation: AnnotationView) -> AnnotationView:
        """A pending suggestion as it is to be shown: mapped to the source it resolves to
        now; any other annotation unchanged."""
        if annotation.status != "suggested" or annotation.label not in ("source", "claim"):
            return annotation
        if annotation.label == "claim" and annotation.attributed_to:
            return annotation  # it follows its source span
        proposed = (annotation.proposed_source[0] if annotation.proposed_source is not None
                    else annotation.source_name)
        if annotation.label == "claim" and proposed is None:
            return annotation
        found = self.resolve(annotation.label, annotation.text, proposed)
        if found is None or found.id == annotation.source_id:
            return annotation
        return replace(annotation, source_id=found.id, source_name=found.name,
                       source_type=found.source_type, proposed_source=None)
