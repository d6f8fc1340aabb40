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
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from annotator.scheme.definition import KnownSource, Scheme
from annotator.suggest.frozen_record import frozen_record
from annotator.suggest.patterns import WordRuns, word_trie

__all__ = ["NamedSource", "SourceMemory", "SourceNamer"]


@frozen_record
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


_ARTICLES = frozenset({"the", "a", "an"})
_RELATIVES = (" who ", " which ", " whose ")
_CAPITALIZED = re.compile(r"[A-Z][\w.’'-]*|al-\w+|bin|ibn")
_NAME_PART = re.compile(r"[A-Z][\w’'-]+|al-\w+|el-\w+|bin|ibn")
_TITLES = frozenset({"Dr.", "Mr.", "Ms.", "Mrs.", "Prof."})
_PERSON_TITLES = ("dr.", "mr.", "ms.", "mrs.", "prof.")
_PLURAL_PRONOUNS = frozenset({"they", "we"})
_PERSON_PRONOUNS = frozenset({"he", "she", "i"})


def _spellings(alias: str) -> set[str]:
    if alias.isupper() or len(alias) <= 3:
        return {alias}
    return {alias, alias.lower(), alias[:1].upper() + alias[1:], alias.title()}


class SourceNamer:
    """Proposes canonical names and types for source spans."""

    def __init__(self, scheme: Scheme, known_sources: Sequence[KnownSource]) -> None:
        self.pronouns = frozenset(scheme.pronouns)
        # One pattern for every alias: acronyms and short aliases match case-sensitively
        # ("WHO" is not "who"), longer ones in any case.
        # Each alias in the spellings news uses (as written, lower case, capitalized, title
        # case; acronyms and short aliases only as written: "WHO" is not "who"), all in one
        # case-sensitive pattern: re.IGNORECASE would make every comparison fold case.
        self.aliases: dict[str, KnownSource] = {}
        for source in known_sources:
            for alias in (source.name, *source.aliases):
                for form in _spellings(alias):
                    self.aliases.setdefault(form, source)
        self.known = re.compile(rf"(?<![\w]){word_trie(self.aliases)}(?![\w])")
        self._alias_runs = WordRuns(self.aliases)
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
        found = self.known.search(text)
        return None if found is None else (self.aliases[found.group(0)], found.group(0))

    def may_mention(self, words: AbstractSet[str]) -> bool:
        """False only when ``known_mentions`` finds nothing in a text whose lower-case words
        (runs of a-z, as ``sentence_words`` gives them) are ``words``: a set test instead of
        a scan of the sentence (see ``WordRuns``)."""
        return self._alias_runs.may_occur(words)

    def known_mentions(self, text: str) -> list[tuple[int, int, KnownSource]]:
        """Every known source named in ``text``: (start, end, source)."""
        return [(m.start(), m.end(), self.aliases[m.group(0)]) for m in self.known.finditer(text)]

    def classify(self, text: str) -> str | None:
        """The source type of ``text``'s keywords that comes first in the classify order."""
        found = [self.keyword_type[m.group(0)] for m in self.keywords.finditer(text.lower())]
        return min(found)[1] if found else None

    def name(
        self,
        sentence: str,
        span: tuple[int, int],
        memory: SourceMemory,
        words: AbstractSet[str] | None = None,
    ) -> NamedSource:
        """Name and type the source span ``sentence[span[0]:span[1]]``.

        ``words``, the sentence's lower-case words, let a span that starts and ends at word
        boundaries skip the search for aliases the sentence cannot hold: the span's own a-z
        runs are then runs of the sentence.
        """
        start, end = span
        text = sentence[start:end]
        lower = text.lower()
        if lower in self.pronouns:
            return self._pronoun(lower, memory)
        if (
            words is not None
            and (start == 0 or not _is_word_char(sentence[start - 1]))
            and (end == len(sentence) or not _is_word_char(sentence[end]))
        ):
            known = self.known_in(text) if self._alias_runs.may_occur(words) else None
        else:
            known = self.known_in(text)
        proposed, person = _proposed_name(text)
        if person and known is not None:
            # "Hamas spokesperson Abdul Latif Al-Qanoua": the person, typed by the organisation.
            source, alias = known
            return NamedSource(proposed, source.source_type, f"role of known source '{alias}'",
                               person=True)
        if known is not None:
            source, alias = known
            # "a World Bank report" is a document, though the World Bank is known.
            kind = self.classify(text)
            if kind not in ("anonymous", "document"):
                kind = source.source_type
            return NamedSource(source.name, kind,
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


def _is_word_char(char: str) -> bool:
    """re's \\w for one character."""
    return char.isalnum() or char == "_"


def _proposed_name(text: str) -> tuple[str, bool]:
    """A canonical name proposed from the span, and whether it names a person."""
    core = text.split(",", 1)[0]
    if " wh" in core:  # every relative pronoun starts so
        for relative in _RELATIVES:
            core = core.split(relative, 1)[0]
    tokens = core.split()
    if not tokens:
        return text, False
    # "Egyptian foreign ministry spokesperson Omar Hassan": a role word, then the name.
    run = len(tokens)
    while run > 0 and _NAME_PART.fullmatch(tokens[run - 1]):
        run -= 1
    if run > 0 and tokens[run - 1] in _TITLES:
        run -= 1
    if len(tokens) - run >= 2 and run > 0 and tokens[run - 1][:1].islower():
        return " ".join(tokens[run:]), True
    article = tokens[0].lower() in _ARTICLES
    bare = tokens[1:] if article else tokens
    if not bare:
        return text, False
    person = bare[0].lower() in _PERSON_TITLES or (
        not article and 2 <= len(bare) <= 4 and all(_CAPITALIZED.fullmatch(t) for t in bare)
    )
    return " ".join(bare), person
