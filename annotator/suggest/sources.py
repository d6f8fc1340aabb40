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
from annotator.suggest.patterns import word_trie
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


def _case_sensitive(alias: str) -> bool:
    return alias.isupper() or len(alias) <= 3


class SourceNamer:
    """Proposes canonical names and types for source spans."""

    def __init__(self, scheme: Scheme, known_sources: Sequence[KnownSource]) -> None:
        self.pronouns = frozenset(scheme.pronouns)
        # One pattern for every alias: acronyms and short aliases match case-sensitively
        # ("WHO" is not "who"), longer ones in any case.
        self.aliases: dict[str, KnownSource] = {}
        for source in known_sources:
            for alias in (source.name, *source.aliases):
                key = alias if _case_sensitive(alias) else alias.lower()
                self.aliases.setdefault(key, source)
        exact = [alias for alias in self.aliases if _case_sensitive(alias)]
        folded = [alias for alias in self.aliases if not _case_sensitive(alias)]
        self.known = [
            re.compile(rf"(?<![\w]){word_trie(exact)}(?![\w])"),
            re.compile(rf"(?<![\w]){word_trie(folded)}(?![\w])", re.I),
        ]
        # Every keyword in one pattern; the scheme's classify order breaks ties.
        rank = {key: index for index, key in enumerate(scheme.classify_order)}
        self.keyword_type: dict[str, tuple[int, str]] = {}
        for source_type in scheme.source_types:
            for word in source_type.keywords:
                candidate = (rank[source_type.key], source_type.key)
                self.keyword_type[word] = min(self.keyword_type.get(word, candidate), candidate)
        self.keywords = re.compile(rf"(?<![\w]){word_trie(self.keyword_type)}(?![\w])")

    def known_in(self, text: str) -> tuple[KnownSource, str] | None:
        """The known source named first in ``text`` (the longest alias there) and that alias."""
        found = [match for pattern in self.known if (match := pattern.search(text))]
        if not found:
            return None
        first = min(found, key=lambda match: (match.start(), -len(match.group(0))))
        alias = first.group(0)
        return self.aliases.get(alias) or self.aliases[alias.lower()], alias

    def classify(self, text: str) -> str | None:
        """The source type of ``text``'s keywords that comes first in the classify order."""
        found = [self.keyword_type[m.group(0)] for m in self.keywords.finditer(text.lower())]
        return min(found)[1] if found else None

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
            source, alias = known
            return NamedSource(proposed, source.source_type, f"role of known source '{alias}'",
                               person=True)
        if known is not None:
            source, alias = known
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
