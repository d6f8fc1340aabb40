"""Name and type a source span: registry aliases, earlier sources in the document, keywords.

A source span gets its canonical name from, in order: a known source whose name or alias it
contains; an earlier source of the document it refers back to (a pronoun, "the ministry",
a surname); otherwise a name proposed from the span itself (the person's name after a role
phrase, or the description without its article). Its type comes the same way, or from the
scheme's keywords.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.suggest.model import KnownSource
from annotator.suggest.scheme import Scheme

__all__ = ["NamedSource", "SourceMemory", "SourceNamer"]


@dataclass(frozen=True)
class NamedSource:
    """A source span's canonical name and type, and how they were found."""

    name: str
    source_type: str | None
    how: str  # "known source alias 'OCHA'", "pronoun resolved to ...", "source span"
    resolved: bool = False  # named after an earlier source in the document
    person: bool = False


@dataclass
class SourceMemory:
    """Sources seen so far in a document, most recent last."""

    sources: list[NamedSource] = field(default_factory=list)

    def remember(self, source: NamedSource) -> None:
        """Record a source so that later pronouns and descriptions can refer to it."""
        self.sources.append(source)


_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_RELATIVE = re.compile(r"\s+(?:who|which|whose)\b.*$|\s*,.*$", re.S)
_CAPITALIZED = re.compile(r"[A-Z][\w.’'-]*|al-\w+|bin|ibn")
_ROLE_THEN_NAME = re.compile(
    r"^(?:.*\s)?[a-z][\w-]*\s+((?:(?:Dr\.|Mr\.|Ms\.|Mrs\.|Prof\.)\s+)?"
    r"[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|al-\w+|bin|ibn))+)$"
)
_PERSON_TITLES = ("dr.", "mr.", "ms.", "mrs.", "prof.")
_PLURAL_PRONOUNS = frozenset({"they", "we"})
_PERSON_PRONOUNS = frozenset({"he", "she", "i"})


def _word_pattern(alias: str) -> re.Pattern[str]:
    flags = 0 if alias.isupper() or len(alias) <= 3 else re.I
    return re.compile(r"(?<![\w])" + re.escape(alias) + r"(?![\w])", flags)


class SourceNamer:
    """Proposes canonical names and types for source spans."""

    def __init__(self, scheme: Scheme, known_sources: Sequence[KnownSource]) -> None:
        self.pronouns = frozenset(scheme.pronouns)
        self.known = [
            (_word_pattern(alias), alias, source)
            for source in known_sources
            for alias in sorted({source.name, *source.aliases}, key=len, reverse=True)
        ]
        by_key = {t.key: t for t in scheme.source_types}
        self.keywords = [
            (key, re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, words)) + r")(?![\w])"))
            for key in scheme.classify_order
            if (words := by_key[key].keywords)
        ]

    def known_in(self, text: str) -> tuple[KnownSource, str, int, int] | None:
        """The first known source named in ``text``: (source, alias, start, end)."""
        best: tuple[KnownSource, str, int, int] | None = None
        for pattern, alias, source in self.known:
            match = pattern.search(text)
            if match and (best is None or (match.start(), -len(alias)) < (best[2], -len(best[1]))):
                best = (source, alias, match.start(), match.end())
        return best

    def classify(self, text: str) -> str | None:
        """The first source type (in the scheme's classify order) whose keyword ``text`` has."""
        lower = text.lower()
        for key, pattern in self.keywords:
            if pattern.search(lower):
                return key
        return None

    def name(self, sentence: str, span: tuple[int, int], memory: SourceMemory) -> NamedSource:
        """Name and type the source span ``sentence[span[0]:span[1]]``."""
        text = sentence[span[0] : span[1]]
        lower = text.lower()
        if lower in self.pronouns:
            return self._pronoun(lower, memory)
        known = self.known_in(text)
        proposed, person = _proposed_name(text)
        if person and known is not None:
            # "Hamas spokesperson Abdul Latif Al-Qanoua": the person, typed by the organisation.
            source, alias, _, _ = known
            return NamedSource(proposed, source.source_type, f"role of known source '{alias}'",
                               person=True)
        if known is not None:
            source, alias, _, _ = known
            kind = self.classify(text) if self.classify(text) in ("anonymous", "document") else None
            return NamedSource(source.name, kind or source.source_type,
                               f"known source alias '{alias}'")
        earlier = self._refers_back(text, memory)
        if earlier is not None:
            return earlier
        return NamedSource(proposed, self.classify(text), "source span", person=person)

    def _pronoun(self, pronoun: str, memory: SourceMemory) -> NamedSource:
        for earlier in reversed(memory.sources):
            if pronoun in _PERSON_PRONOUNS and not earlier.person:
                continue
            if pronoun == "it" and earlier.person:
                continue
            return NamedSource(earlier.name, earlier.source_type,
                               f"pronoun '{pronoun}' resolved to {earlier.name}",
                               resolved=True, person=earlier.person)
        if memory.sources:
            earlier = memory.sources[-1]
            return NamedSource(earlier.name, earlier.source_type,
                               f"pronoun '{pronoun}' resolved to {earlier.name}", resolved=True)
        return NamedSource(pronoun, None, f"pronoun '{pronoun}' (no earlier source)")

    def _refers_back(self, text: str, memory: SourceMemory) -> NamedSource | None:
        """An earlier source that "the ministry", "the groups" or "Hassan" points to."""
        words = text.split()
        definite = len(words) == 2 and words[0].lower() == "the"
        surname = len(words) == 1 and words[0][:1].isupper()
        if not (definite or surname):
            return None
        key = words[-1].lower()
        for earlier in reversed(memory.sources):
            tokens = [t.lower().strip(",.()") for t in earlier.name.split()]
            if (definite and key in tokens) or (surname and earlier.person and tokens[-1] == key):
                return NamedSource(earlier.name, earlier.source_type,
                                   f"'{text}' resolved to {earlier.name}",
                                   resolved=True, person=earlier.person)
        return None


def _proposed_name(text: str) -> tuple[str, bool]:
    """A canonical name proposed from the span, and whether it names a person."""
    core = _RELATIVE.sub("", text).strip()
    role = _ROLE_THEN_NAME.match(core)
    if role:
        return role.group(1), True
    bare = _ARTICLE.sub("", core)
    tokens = bare.split()
    person = bool(tokens) and (
        tokens[0].lower() in _PERSON_TITLES
        or (2 <= len(tokens) <= 4 and all(_CAPITALIZED.fullmatch(t) for t in tokens)
            and not _ARTICLE.match(core))
    )
    if not bare:
        return text, False
    return bare, person
