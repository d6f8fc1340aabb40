"""Pending suggestions follow the live registry (issue 16).

A document's suggestions are computed once and stored; the canonical-source part of a
pending one is resolved again, against the registry as it is when the suggestion is shown
and when it is accepted, by the suggester's own matching (:class:`SourceNamer`: a
registered name or alias in the span, in the spellings news uses, the person named after
a role word), so a source or alias the annotator added since wins over what was proposed.

Compiling a namer over a whole registry costs about 0.1 s per thousand sources, and the
registry people see changes with every acceptance that registers a proposal; so the namer
is compiled over the few sources that can occur in a span (a name or alias inside its
text, ignoring case), which gives the same answer, and kept for the next span that has
the same candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from annotator.scheme.definition import KnownSource, Scheme
from annotator.suggest.sources import SourceMemory, SourceNamer
from db.annotations import PendingSource
from db.read_models import AnnotationView, SourceChoice

__all__ = ["LiveRegistry"]

NAMER_CACHE = 64
ANSWER_CACHE = 4_096


def spellings(alias: str) -> set[str]:
    """The spellings the suggester matches a name or alias in (SourceNamer's): as written,
    lower case, capitalized and title case; acronyms and short aliases only as written."""
    if alias.isupper() or len(alias) <= 3:
        return {alias}
    return {alias, alias.lower(), alias[:1].upper() + alias[1:], alias.title()}


class LiveRegistry:
    """The registry people see (db.sources.visible_registry), matched as the suggester
    matches."""

    def __init__(self, scheme: Scheme, registry: Sequence[SourceChoice]) -> None:
        self.scheme = scheme
        self.pronouns = frozenset(scheme.pronouns)
        self.registry = tuple(registry)
        # Every spelling of every name and alias, the first source to claim one keeping it,
        # in registry order (as SourceNamer builds its table).
        self.forms: dict[str, SourceChoice] = {}
        for choice in self.registry:
            for alias in (choice.name, *choice.aliases):
                for form in spellings(alias):
                    self.forms.setdefault(form, choice)
        self._lowered = [(choice, tuple({alias.lower() for alias in (choice.name,
                                                                      *choice.aliases)}))
                         for choice in self.registry]
        self._namers: dict[tuple[str, ...], SourceNamer] = {}
        # Answers already given: a sentence drawn again, or accepted after being shown.
        self._answers: dict[tuple[str, str, str | None], SourceChoice | None] = {}

    def _namer_for(self, text: str) -> SourceNamer | None:
        """A namer over the sources one of whose names could occur in ``text`` (every
        match of the whole registry's namer is one of theirs), ``None`` when there are
        none."""
        lower = text.lower()
        candidates = [choice for choice, names in self._lowered
                      if any(name in lower for name in names)]
        if not candidates:
            return None
        key = tuple(choice.name for choice in candidates)
        namer = self._namers.get(key)
        if namer is None:
            if len(self._namers) >= NAMER_CACHE:
                self._namers.clear()
            namer = self._namers[key] = SourceNamer(self.scheme, [
                KnownSource(choice.name, choice.source_type, choice.aliases)
                for choice in candidates])
        return namer

    def resolve(self, label: str, text: str, proposed: str | None) -> SourceChoice | None:
        """The registered source a suggestion means now, or ``None`` (keep its proposal).

        A source span is named as the suggester names it, against the registry alone; a
        pronoun, or a span the registry names nothing in, falls back to the proposed name
        (a pronoun's is the earlier source it was resolved to), which counts when it is a
        registered name or alias. A claim has only its proposed name.
        """
        key = (label, text, proposed)
        if key not in self._answers:
            if len(self._answers) >= ANSWER_CACHE:
                self._answers.clear()
            self._answers[key] = self._resolve(label, text, proposed)
        return self._answers[key]

    def _resolve(self, label: str, text: str, proposed: str | None) -> SourceChoice | None:
        if label == "source" and text.strip().lower() not in self.pronouns:
            namer = self._namer_for(text)
            if namer is not None:
                named = namer.name(text, (0, len(text)), SourceMemory())
                found = self.forms.get(named.name)
                if found is not None:
                    return found
        return self.forms.get(proposed) if proposed else None

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
