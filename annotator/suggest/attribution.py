"""Find attributions in a sentence: a reporting cue, the source span it governs and its claim.

Patterns handled (the cue words come from the scheme):

- source before the cue: "Hamas said (in a statement) (that) CLAIM", "X, a development
  economist, said CLAIM", "In a statement, X underscored CLAIM", "..., he stressed CLAIM";
- cue at the end: "CLAIM, X said.", "“CLAIM,” X remarked.", "CLAIM, said X, a mother of five.";
- "according to X, CLAIM", "CLAIM, according to X", "... that, according to X, CLAIM";
- passive "X was quoted as saying CLAIM";
- a participle after the main clause: "X rejected the number, saying CLAIM" (the source is the
  subject, or the source of an attribution earlier in the sentence);
- news patterns measured on PolNeAR (issue 16, benchmarks/bench_suggest_polnear.py):
  "X blasted Y and said CLAIM" (coordinated verbs), "X, who criticized CLAIM" (a relative
  pronoun as the source), "As X reported, CLAIM", "CLAIM, said NAME, role", "“CLAIM,” X said
  in Naples", "CLAIM, the report said." holding an inner attribution, "NAME: “CLAIM”".

Cue words inside quotation marks are the quoted speaker's and are skipped (``in_quote``: a
quotation opened in an earlier sentence of the paragraph); typewriter quotes ('' ... '') are
read as double quotes. Each attribution keeps where its cue stands (``cue_span``).

Span guideline: the source span is the name with its role phrase ("Hamas spokesperson Abdul
Latif Al-Qanoua", "Dr. Leila Haddad, a development economist based in Amman", "a Western
diplomat who spoke on condition of anonymity", "Ahmed Nasser, 34"), without adverbs and
auxiliaries before the cue, intro phrases ("In a statement,") or participial clauses set off by
commas ("X, speaking on condition of anonymity, said"). The claim is the content clause: after
"that" when present, without quotation marks around a whole quote and without final punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from annotator.scheme.definition import Scheme
from annotator.suggest.frozen_record import frozen_record
from annotator.suggest.patterns import word_trie

__all__ = ["Attribution", "CueSet", "find_attributions", "quote_open_after", "sentence_words"]


@frozen_record
class Attribution:
    """One reporting construction in a sentence (offsets into the sentence)."""

    cue: str
    source: tuple[int, int]
    claim: tuple[int, int] | None
    source_first: bool  # the source stands before the cue
    cue_span: tuple[int, int] = (0, 0)  # where the cue stands (sentence offsets)


class _Cue(NamedTuple):
    """A reporting cue found in a sentence."""

    text: str  # as written
    start: int
    end: int


@dataclass(frozen=True)
class CueSet:
    """The scheme's cue words prepared for matching."""

    phrases: dict[str, tuple[tuple[str, int], ...]]  # first word -> (phrase, kind), longest first
    phrase_firsts: frozenset[str]  # the keys of ``phrases``, for a fast set intersection
    all_verbs: frozenset[str]
    weak_verbs: frozenset[str]  # need "that", a quote or the end of the sentence after them
    participles: re.Pattern[str]
    # The first a-z word of each participle cue (None when one has none): a sentence whose
    # words hold none of them has no participle match (see _find_cues).
    participle_words: frozenset[str] | None
    first_words: frozenset[str]  # a sentence without any of these has no attribution

    @classmethod
    def from_scheme(cls, scheme: Scheme) -> CueSet:
        """Prepare the cue words of ``scheme``."""
        verbs = {*scheme.cue_verbs, *scheme.weak_cue_verbs}
        kinds = [(phrase, _ACCORDING) for phrase in scheme.according_phrases]
        kinds += [(phrase, _VERB) for phrase in verbs if phrase not in scheme.according_phrases]
        phrases: dict[str, list[tuple[str, int]]] = {}
        for phrase, kind in sorted(kinds, key=lambda item: -len(item[0])):
            phrases.setdefault(phrase.split()[0], []).append((phrase, kind))
        return cls(
            phrases={first: tuple(found) for first, found in phrases.items()},
            phrase_firsts=frozenset(phrases),
            all_verbs=frozenset(verbs),
            weak_verbs=frozenset(scheme.weak_cue_verbs),
            participles=re.compile(
                rf",\s+({word_trie(scheme.participle_cues)})\b(?:\s+that\b)?"
            ),
            participle_words=_first_words(scheme.participle_cues),
            first_words=frozenset(
                [*phrases, *(phrase.split()[0] for phrase in scheme.participle_cues)]
            ),
        )

    @cached_property
    def sources(self) -> _Sources:
        """The source finder for these cues (built once, not for every sentence)."""
        return _Sources(self)


def _first_words(phrases: tuple[str, ...]) -> frozenset[str] | None:
    """The first a-z run of each (lower-case) phrase; None when a phrase has none."""
    firsts = [_LETTERS.findall(phrase)[:1] for phrase in phrases]
    return None if not all(firsts) else frozenset(first[0] for first in firsts)


_ACCORDING, _VERB, _PARTICIPLE = 0, 1, 2
_LETTERS = re.compile(r"[a-z]+")
_QUOTES = "\"“”‘’'«»"
_QUOTE_CHARS = frozenset(_QUOTES)
_CLOSING_PUNCT = ".!?;:" + _QUOTES + " \t\n"
# What _trim strips at the start and at the end of a span (built once, not per call).
_OPENING_TRIM = _QUOTES + " ,\t\n"
_CLOSING_TRIM = _CLOSING_PUNCT + ","
_CLAUSE_OPENING = _QUOTES + " "
# "CAIRO (Wire) – ", "**DayofPal**– ": a dateline or outlet marker before the first clause.
_DATELINE = re.compile(
    r"^\s*(?:\*\*[^*]{1,40}\*\*|[A-Z][A-Z .,'’/-]{1,40}(?:\s*\([^)]{1,40}\))?)\s*[–—-]+\s*"
)
_ASCII_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DATELINE_SECOND = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ .,'’/-")
_TRAILER = re.compile(
    r"(?:,?\s+(?:on|late on|early on|earlier on|late|earlier|last|this)\s+"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week|month|year|night|"
    r"morning|afternoon|evening|today|yesterday)"
    r"|,?\s+(?:in|during|at|on)\s+(?:an?|the|its|his|her|their|a\s+joint)\s+(?:[\w-]+\s+){0,2}"
    r"(?:statement|interview|press conference|news conference|briefing|speech|post|message|"
    r"letter|report|address|broadcast|session|meeting|conference)"
    r"(?:\s+(?:with|to|in|on)\s+(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)?"
    r"|,?\s+(?:to|told)\s+(?:reporters|journalists|the press|the media)"
    r"|,?\s+on\s+(?:X|Twitter|Telegram|Facebook|Instagram|television|TV|radio)"
    r"|\s+(?:today|yesterday|again|also|repeatedly|separately|publicly|previously|recently))+"
)


# How the words after the spaces at the start of a _TRAILER match begin.
_TRAILER_STARTS = (
    "on", "late", "early", "last", "this", "in", "during", "at", "to", "yesterday", "again",
    "also", "repeatedly", "separately", "publicly", "previously", "recently",
)


def _trailer_at(sentence: str, position: int) -> re.Match[str] | None:
    """_TRAILER at ``position``. Every branch opens with an optional comma, spaces and one of
    _TRAILER_STARTS: tested first with str methods (str.isspace is exactly re's \\s)."""
    comma = sentence[position : position + 1] == ","
    rest = sentence[position + 1 :] if comma else sentence[position:]
    words = rest.lstrip()
    if len(words) == len(rest) or not words.startswith(_TRAILER_STARTS):
        return None
    return _TRAILER.match(sentence, position)


_TOLD_OBJECT = re.compile(
    r"\s+(?:reporters|journalists|the press|the media|him|her|them|us|me|lawmakers|"
    r"(?:the\s+)?[A-Z][\w.’'&-]*(?:\s+(?:of\s+)?[A-Z][\w.’'&-]*)*)\b\.?"
)
_TELL = frozenset({"told", "tells", "tell", "quoted as telling"})
# Words between a source and its cue that are not part of the source ("Egypt officially
# announced", "Hamas has said").
_ADVERBS_AND_AUXILIARIES = frozenset(
    str.split(
        "has have had was were is are also further later again officially publicly repeatedly "
        "previously separately then once do does did"
    )
)
# Nouns that end like adverbs ("the family said").
_LY_NOUNS = frozenset(
    str.split("family ally assembly rally supply monopoly anomaly daily weekly monthly quarterly")
)


def _is_adverb(word: str) -> bool:
    return word.endswith("ly") and word.islower() and len(word) > 4 and word not in _LY_NOUNS


# Matched at a position (pattern.match with pos and endpos), not on a slice.
# A source never starts with these: a clause or a phrase of place or time does.
_NOT_SOURCE_START = frozenset(
    str.split(
        "if when whenever because since although though unless while whether amid from in on "
        "at by for with after before during following under despite to rather instead so "
        "fourthly first second third finally over then later now still yet also not"
    )
)
# Auxiliaries that make a following past participle passive ("was announced", "has been
# described as"): no cue.
_PASSIVE = frozenset(str.split("was were been being is are be get gets got"))
_OPENING_SUBORDINATE = re.compile(
    r"(?:although|though|while|when|whereas|because|since|after|before|once|as|if)\s+(?=\S)",
    re.I,
)
# A piece between commas that is one of these is no source ("Trump, meanwhile, says").
_SENTENCE_ADVERBS = frozenset(
    str.split("meanwhile however instead though too now still later earlier but and also then")
)
_LEADING_JOIN = re.compile(r"(?:and|but|while|as|so|yet|meanwhile)\s+", re.I)
_SUBORDINATE_WORDS = frozenset(
    str.split("as while when whereas because since although though after before until unless once")
)
# Each match is one of these lower-case words between spaces: a whole a-z run of the lowered
# sentence, so a sentence whose words hold none of them has no match (see find_attributions).
_SUBORDINATE = re.compile(
    r"\s(?:as|while|when|whereas|because|since|although|though|after|before|until|unless|once)\s+"
)
_PARENTHETICAL = re.compile(
    r"^(?:who|which|whose|where|when|while|although|though|however|[a-z]+ed|[a-z]+ing)\b"
)
_APPOSITIVE = re.compile(r"^(?:a|an|the)\s", re.I)
_PREPOSITION_START = re.compile(
    r"^(?:on|in|at|by|for|from|with|after|before|during|following|since|under|according|"
    r"despite|amid|as|when|while|if|although|though|however|meanwhile)\b",
    re.I,
)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w.’'-]*|al-\w+|el-\w+|bin|ibn|de|van|von|der|la|le)$")
_AGE = re.compile(r"^\d{1,3}$")
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|could|should|can|may|might|did|does)\b"
)
_FUNCTION_END = frozenset(
    str.split("the a an of to and or in on at for with that this by from its their his her")
)
_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]\.){2,}$|\b(?:Jr|Sr|Inc|Ltd|Co|Corp|St)\.$")
# Every match ends at the end of the text, and when there is one, there is one that starts
# within the last six characters (the last two letters of "A.B.C.", or "Corp."): the search
# starts there, on the same text, so that \b still sees the character before.
# The character before the final period of every _ABBREVIATION_END match.
_ABBREVIATION_LAST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ" "rcdopt")
_VERBISH = re.compile(r"^[a-z]+(?:ed|es)$")
_MAX_SOURCE_WORDS = 14
_MAX_LOWER_SOURCE_WORDS = 8
_MAX_INVERTED_SOURCE_WORDS = 12
_MAX_WORDS_BEFORE_THAT = 9
_MAX_SUBJECT_WORDS = 12
_MIN_CLAIM_WORDS = 2  # tested by _two_words


def _clause_start(sentence: str) -> int:
    # _DATELINE can only match where the first characters after the leading spaces (re's \s
    # is str.isspace) are "**" or a capital and a dateline character: a cheap test first.
    head = sentence.lstrip()[:2]
    match = (
        _DATELINE.match(sentence)
        if head == "**" or (len(head) == 2 and head[0] in _ASCII_CAPITALS
                            and head[1] in _DATELINE_SECOND)
        else None
    )
    start = match.end() if match else 0
    while start < len(sentence) and sentence[start] in _CLAUSE_OPENING:
        start += 1
    return start


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past spaces, quotes and punctuation at either edge."""
    while start < end and sentence[start] in _OPENING_TRIM:
        start += 1
    while end > start and sentence[end - 1] in _CLOSING_TRIM:
        end -= 1
    if (
        end < len(sentence)
        and sentence[end] == "."
        and sentence[end - 1] in _ABBREVIATION_LAST  # a cheap test before the slow search
        and _ABBREVIATION_END.search(sentence[start : end + 1], max(0, end - start - 5))
    ):
        end += 1  # "the U.N." keeps its period
    return start, end


def _trim_claim(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Like _trim, but a quote that opens inside the claim keeps its opening mark."""
    start, end = _trim(sentence, start, end)
    if start > 0 and sentence[start - 1] == "“" and "”" in sentence[start:end]:
        start -= 1
    return start, end


def _words(text: str) -> int:
    return len(text.split())


def _at_most_words(text: str, count: int) -> bool:
    """``_words(text) <= count`` without splitting a long text to its end."""
    return len(text.split(None, count)) <= count


def _two_words(text: str) -> bool:
    """``_words(text) >= 2`` without splitting a long text to its end."""
    return len(text.split(None, 1)) == 2


def _is_word_char(char: str) -> bool:
    """re's \\w for one character (False for the empty string)."""
    return char.isalnum() or char == "_"


def _that_at(text: str, position: int = 0) -> int:
    """Where the first whole word "that" at or after ``position`` starts, or -1.

    The search ``\\bthat\\b`` would do, with str.find: a pattern that opens with \\b has no
    literal prefix for re to look for, and tries every position (15 times slower).
    """
    found = text.find("that", position)
    while found >= 0:
        if (found == 0 or not _is_word_char(text[found - 1])) and not _is_word_char(
            text[found + 4 : found + 5]
        ):
            return found
        found = text.find("that", found + 1)
    return -1


def _is_name(text: str) -> bool:
    tokens = text.split()
    if not 0 < len(tokens) <= 6 or _PREPOSITION_START.match(text):
        return False  # "In Geneva" is a place phrase, not a name
    return all(_NAME_TOKEN.match(token) for token in tokens)


_BREAK = re.compile(r"[,;“”\"]")


def _segments(sentence: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut at commas, semicolons and quotation marks, as (start, end) pieces."""
    pieces: list[tuple[int, int]] = []
    piece = start
    for found in _BREAK.finditer(sentence, start, end):
        at = found.start()
        if (
            sentence[at] == ","
            and sentence[at - 1 : at].isdigit()
            and sentence[at + 1 : at + 2].isdigit()
        ):
            continue  # "250,000" is one number
        pieces.append((piece, at))
        piece = found.end()
    pieces.append((piece, end))
    return pieces


def _strip_source(sentence: str, start: int, end: int) -> tuple[int, int]:
    return _strip_trimmed(sentence, *_trim(sentence, start, end))


def _strip_trimmed(
    sentence: str, start: int, end: int, subordinate: bool = True
) -> tuple[int, int]:
    """_strip_source of a span that _trim has already shrunk; ``subordinate`` False when the
    sentence holds no _SUBORDINATE_WORDS."""
    joined = _LEADING_JOIN.match(sentence, start, end)
    if joined:
        start = joined.end()
    if subordinate:
        clauses = list(_SUBORDINATE.finditer(sentence, start, end))
        if clauses:
            start = clauses[-1].end()  # "UNRWA staff listened as the minister said": the minister
        else:
            opening = _OPENING_SUBORDINATE.match(sentence, start, end)
            if opening:
                start = opening.end()  # "Although he told the FBI that ...": he
    while True:
        cut = sentence.rfind(" ", start, end)
        word = sentence[cut + 1 : end]
        lone = sentence[start:end].lower()
        if cut < 0 and (
            lone in _ADVERBS_AND_AUXILIARIES or lone in _SENTENCE_ADVERBS or _is_adverb(lone)
        ):
            return start, start  # "X, who coined the word, once said": no source here
        if cut < 0 or not (word in _ADVERBS_AND_AUXILIARIES or _is_adverb(word)):
            return start, end
        end = cut
        while end > start and sentence[end - 1] == " ":
            end -= 1


def _opens_clause(sentence: str, clause: int, position: int) -> bool:
    """Whether only a finished quote (or nothing) stands between the clause start and here."""
    before = sentence[clause:position].rstrip(" ,")
    if not before or before[-1] in "”\"’":
        return True
    # An opening adverb or phrase: "However, Jill Martin, a lawyer, said".
    words = before.split()
    first = words[0].lower()
    return "," not in before and (
        (len(words) == 1 and (first in _SENTENCE_ADVERBS or first == "however"
                              or _is_adverb(first)))
        or (len(words) <= 6 and first in _NOT_SOURCE_START)
    )


class _Sources:
    """Judging and finding source spans, given the cue words."""

    def __init__(self, cues: CueSet) -> None:
        self.cues = cues

    def plausible(self, text: str) -> bool:
        """Whether ``text`` can be a source: a short noun phrase, not a clause."""
        if not text or _words(text) > _MAX_SOURCE_WORDS:
            return False
        head = text.partition(" who ")[0]
        lower_words = head.lower().split()
        if not lower_words:  # only spaces that are not " " (a no-break space): no words
            return False
        if _FINITE_VERB.search(head) or " that " in f" {text} ":
            return False
        if lower_words[0] in _NOT_SOURCE_START:
            return False  # "If companies want", "When asked", "because it tells"
        if lower_words[-1] in _FUNCTION_END or not self.cues.all_verbs.isdisjoint(lower_words):
            return False
        if text[0].isupper() or text[0].isdigit() or _APPOSITIVE.match(text):
            return True
        return _words(text) <= _MAX_LOWER_SOURCE_WORDS

    def before(
        self, sentence: str, clause: int, cue_start: int, subordinate: bool = True
    ) -> tuple[int, int] | None:
        """The source span between the clause start and the cue, walking back over commas
        (``subordinate`` as for _strip_trimmed)."""
        pieces = _segments(sentence, clause, cue_start)
        index = len(pieces) - 1
        skipped = 0
        while index >= 0:
            trimmed = _trim(sentence, *pieces[index])
            start, end = _strip_trimmed(sentence, *trimmed, subordinate)
            text = sentence[start:end]
            mark = sentence[pieces[index][0] - 1 : pieces[index][0]]
            quoted = mark == "“" or (
                mark == '"' and not sentence[pieces[index][0] : pieces[index][0] + 1].isspace()
            )
            if not text or (index > 0 and (_PARENTHETICAL.match(text) or quoted)):
                # Empty after a comma, or "X, convened in Cairo on Tuesday, underscored".
                index -= 1
                skipped += 1
                if skipped > 4:
                    return None
                continue
            if index > 0 and start == trimmed[0]:
                joined = self._joined(sentence, clause, pieces[index - 1], text)
                if joined is not None:
                    return joined, end
                if index > 1 and sentence[pieces[index][1] : pieces[index][1] + 1] == "," and (
                    _at_most_words(text, 4) and (_is_name(text) or _APPOSITIVE.match(text))
                ):
                    prior = sentence[slice(*_trim(sentence, *pieces[index - 1]))]
                    if prior and (
                        prior.split(None, 1)[0].lower() in _NOT_SOURCE_START
                        or _PARENTHETICAL.match(prior)
                    ):
                        # "Clinton, during a meeting in Columbus, Ohio, said": the place
                        # ends an inserted phrase.
                        index -= 2
                        skipped += 2
                        if skipped > 3:
                            return None
                        continue
            return (start, end) if self.plausible(text) else None
        return None

    def _joined(
        self, sentence: str, clause: int, previous: tuple[int, int], text: str
    ) -> int | None:
        """Start of "Name, a role" / "A role, Name" / "Name, 34" read as one source."""
        if sentence[previous[1] : previous[1] + 1] != ",":
            return None  # a quotation mark between: "“... paid!” LeVell declared"
        start, end = _trim(sentence, *previous)
        prior = sentence[start:end]
        if not prior or not _opens_clause(sentence, clause, start):
            return None
        if _APPOSITIVE.match(text) and _is_name(prior):
            return start  # "Dr. Leila Haddad, a development economist, said"
        if (
            text[0].islower()
            and _is_name(prior)
            and _at_most_words(text, _MAX_SOURCE_WORDS)
            and not _FINITE_VERB.search(text)
            and text.split(None, 1)[0] not in _SENTENCE_ADVERBS
        ):
            return start  # "Fred Kagan, director of the Critical Threats Project, said"
        role = (
            _words(prior) <= 6
            and not _PREPOSITION_START.match(prior)
            and self.plausible(prior)
        )
        if role and (_is_name(text) or _AGE.match(text)):
            return start  # "A military spokesman, Lt. Col. Avi Cohen, said"; "X, 34, said"
        return None

    def after(
        self, sentence: str, cue_end: int, lenient: bool = False
    ) -> tuple[int, int] | None:
        """The source right after a cue that ends the sentence: "..., said X(, a role).";
        ``lenient`` (the cue follows a quote): a name before any comma ("said X, role")."""
        rest = sentence[cue_end:]
        cut = rest.find(",")
        end = cue_end + (cut if cut >= 0 else len(rest))
        if cut >= 0 and sentence[end:].strip(_CLOSING_TRIM):
            tail_start, tail_end = _trim(sentence, end + 1, len(sentence))
            trailer = _trailer_at(sentence, end)
            tail = sentence[tail_start:tail_end]
            if _APPOSITIVE.match(tail) or tail.startswith(("who ", "which ")):
                end = tail_end  # "said Umm Khaled, a mother of five", "said X, who heads Y."
            elif (not trailer or sentence[trailer.end() :].strip(_CLOSING_TRIM)) and not (
                lenient and _ends_in_name(sentence[cue_end:end].strip(), self)
            ):
                # After a quote, a name may be followed by anything: "said Dmitry Peskov,
                # press secretary for Putin", "said Devine, suggesting that ..."
                return None
        start, end = _strip_source(sentence, cue_end, end)
        text = sentence[start:end]
        if lenient and cut >= 0 and not (
            _words(text) <= _MAX_INVERTED_SOURCE_WORDS and self.plausible(text)
        ):
            # "said X, a spokesman for Y, explaining why ...": X alone.
            start, end = _strip_source(sentence, cue_end, cue_end + cut)
            text = sentence[start:end]
        if _words(text) > _MAX_INVERTED_SOURCE_WORDS or _PREPOSITION_START.match(text):
            return None  # "..., concluded in early March." names no source
        if self.plausible(text):
            return start, end
        tokens = text.split()
        if lenient and len(tokens) >= 2 and all(_NAME_TOKEN.match(t) for t in tokens[-2:]) and (
            not _FINITE_VERB.search(text) and self.cues.all_verbs.isdisjoint(text.lower().split())
        ):
            return start, end  # "said former Pennsylvania Gov. and party chairman Ed Rendell"
        return None

    def subject(self, sentence: str, clause: int, limit: int) -> tuple[int, int] | None:
        """The subject of the main clause: the words before its first verb."""
        position = clause
        for match in re.finditer(r"\S+", sentence[clause:limit]):
            word = match.group(0).lower().strip(",")
            if _VERBISH.match(word) or word in self.cues.all_verbs or _FINITE_VERB.match(word):
                position = clause + match.start()
                break
        else:
            return None
        start, end = _strip_source(sentence, clause, position)
        text = sentence[start:end]
        if _words(text) > _MAX_SUBJECT_WORDS or not self.plausible(text):
            return None
        return start, end


def _skip_object(sentence: str, position: int, cue: str) -> int:
    """Past trailers ("in a statement on Tuesday") and the object of "told" ("told reporters")."""
    trailer = _trailer_at(sentence, position)
    if trailer:
        position = trailer.end()
    if cue.lower() in _TELL:
        told = _TOLD_OBJECT.match(sentence, position)
        if told:
            position = told.end()
        trailer = _trailer_at(sentence, position)
        if trailer:
            position = trailer.end()
    return position


def _claim_after(
    sentence: str,
    position: int,
    cue: str,
    skipped: int | None = None,
    participles: re.Pattern[str] | None = None,
) -> tuple[int, int] | None:
    """The clause after the cue, from "that" when it follows closely.

    ``skipped`` is ``_skip_object(sentence, position, cue)`` when the caller has it already.
    """
    that = _that_at(sentence, position)
    between = sentence[position:that] if that >= 0 else ""
    if (
        that >= 0
        and _at_most_words(between, _MAX_WORDS_BEFORE_THAT)
        and _QUOTE_CHARS.isdisjoint(between)
    ):
        position = that + 4
    else:
        position = _skip_object(sentence, position, cue) if skipped is None else skipped
    while position < len(sentence) and sentence[position] in " ,:":
        position += 1
    end = len(sentence)
    if participles is not None:
        # "X criticized the plan, saying ...": the claim ends before the participle.
        later = participles.search(sentence, position)
        if later is not None:
            end = later.start()
    start, end = _trim_claim(sentence, position, end)
    text = sentence[start:end]
    if _two_words(text):
        return start, end
    if participles is not None and _ONE_NAME.match(text) and cue.lower() not in _SPEECH:
        return start, end  # "34,000 people supported Trump."
    return None


_ONE_NAME = re.compile(r"[A-Z][a-z]{2,}$")
_SPEECH = frozenset(str.split("said says say told tells tell wrote writes asked asks added"))


def _ends_clause(sentence: str, position: int, cues: CueSet) -> bool:
    """Nothing but trailers, punctuation or a ", saying ..." participle follows the cue.

    ``position`` is already past the trailers and the object (``_skip_object``).
    """
    if cues.participles.match(sentence, position):
        return True
    return not sentence[position:].strip(_CLOSING_TRIM)


def _claim_before(sentence: str, clause: int, end: int) -> tuple[int, int] | None:
    start, end = _trim_claim(sentence, clause, end)
    return (start, end) if _two_words(sentence[start:end]) else None


def _claim_boundary(sentence: str, clause: int, source_start: int) -> int:
    """Where a claim before "X said" ends: the last comma or quote before the source."""
    before = sentence[clause:source_start]
    cut = max(before.rfind(","), before.rfind("”"), before.rfind('"'))
    return clause + cut if cut >= 0 else clause


_CLOSING_QUOTES = frozenset('”"’')
# Verbs of belief and wish, cues only with a source other than the speaker or the listener.
_BELIEF_VERBS = frozenset(
    str.split(
        "think thinks believe believes believed want wants wanted hope hopes expect expects "
        "fear fears see sees know knows knew feel feels worry worries prefer prefers "
        "understand doubt recognize remember guess"
    )
)
_SPEAKERS = frozenset({"i", "we", "you"})
_COORDINATED = re.compile(r"(?:\band|\bbut)\s+(?:(?:also|then|later|again|do|does|did)\s+)?$")
_RELATIVE_BEFORE = re.compile(
    r"\s(who|which)\s+(?:(?:also|has|have|had|is|are|was|were|will|would|could|once|then|"
    r"often|still|[a-z]+ly)\s+){0,3}$"
)


def _before_is_the_claim(sentence: str, clause: int, source_start: int, comma: int) -> bool:
    """"CLAIM, X said, a policy that ...": the words before; "Over the years, she said,
    CLAIM": the longer words after."""
    rest = sentence[comma + 1 :].lstrip()
    if rest.startswith(_RELATIVE_STARTS) or (
        _APPOSITIVE.match(rest) and not _clause_follows(sentence, comma + 1)
    ):
        return True
    return len(sentence[clause:source_start]) >= len(rest)


def _name_follows(sentence: str, position: int, sources: _Sources) -> bool:
    """The words after the cue, up to a comma or the end, end in a name."""
    rest = sentence[position:]
    cut = rest.find(",")
    piece = (rest[:cut] if cut >= 0 else rest).strip().rstrip(_CLOSING_TRIM)
    return bool(piece) and _ends_in_name(piece, sources)


def _ends_in_name(text: str, sources: _Sources) -> bool:
    """"Charlie Black", "lobbyist and GOP strategist Charlie Black": a source ending in a name."""
    tokens = text.split()
    return (
        len(tokens) >= 1
        and all(_NAME_TOKEN.match(token) for token in tokens[-2:])
        and (_is_name(text) or sources.plausible(text))
    )


# The next words after a weak cue hold a finite verb before any comma: a content clause
# without "that" ("The government claims Gulen runs a network", "X reports the conference
# was held in May").
_CLAUSE_AFTER = re.compile(r"\s*(?:[^\s,;:.]+\s+){1,5}?(?:is|are|was|were|has|have|had|will|would|"
                           r"could|should|can|may|might|did|does|do)\b")


def _clause_follows(sentence: str, position: int) -> bool:
    return _CLAUSE_AFTER.match(sentence, position) is not None


def _as_reported(sentence: str, clause: int, source_start: int, position: int) -> bool:
    """"As The Washington Post reported, CLAIM": the claim follows the comma."""
    return (
        sentence[position : position + 1] == ","
        and sentence[clause:source_start].strip().lower() == "as"
    )


def _role_then_name(
    sentence: str,
    sources: _Sources,
    claim: tuple[int, int] | None,
    source: tuple[int, int] | None,
) -> bool:
    """"A spokesman for the office, David Mencer, rejected the report": a role and a name
    before the cue, not "CLAIM, rejected X"."""
    if claim is None or source is None:
        return False
    name = sentence[source[0] : source[1]].strip()
    return _is_name(name) and sources.plausible(sentence[claim[0] : claim[1]])


def _quote_before(sentence: str, clause: int, source_start: int) -> int | None:
    """Where a quote that ends right before the source closes ("“CLAIM,” X said"), or None."""
    before = sentence[clause:source_start].rstrip(" ,—–-")
    if len(before) < 2 or before[-1] not in _CLOSING_QUOTES:
        before = before.rstrip(",")
        if len(before) < 2 or before[-1] not in _CLOSING_QUOTES:
            return None
    end = clause + len(before) - 1
    # The quote opens the clause, or opened in an earlier sentence: not a title quoted
    # inside the clause ("Later on “This Week,” Senator X questioned ...").
    opening = max(sentence.rfind("“", clause, end), sentence.rfind('"', clause, end))
    if opening > clause and sentence[clause:opening].strip(" " + _QUOTES):
        return None
    return end


def _strongly_introduced(sentence: str, position: int) -> bool:
    rest = sentence[position:]
    that = _that_at(rest)
    if that >= 0 and _at_most_words(rest[:that], _MAX_WORDS_BEFORE_THAT) and (
        "," not in rest[:that] or not rest[:that].strip(" ,")
    ):
        return True
    return rest.lstrip(" ,:")[:1] in _QUOTES


def _after_insertion(sentence: str, clause: int, comma: int) -> bool:
    """Whether the comma closes an inserted phrase ("X, convened in Cairo, underscored")."""
    pieces = _segments(sentence, clause, comma)
    start, end = _trim(sentence, *pieces[-1])
    return len(pieces) > 1 and bool(_PARENTHETICAL.match(sentence[start:end]))


def _verb_attribution(
    sentence: str, found_cue: _Cue, sources: _Sources, clause: int, subordinate: bool = True
) -> Attribution | None:
    cues = sources.cues
    cue, cue_start, cue_end = found_cue
    before = sentence[clause:cue_start]
    last_break = max(before.rfind(","), before.rfind("”"), before.rfind('"'))
    source = sources.before(sentence, clause, cue_start, subordinate)
    if " who " in before or " which " in before:
        relative = _RELATIVE_BEFORE.search(before)
        if relative is not None:
            # "Senator Flake, who echoed the denunciation", "courts, which have ruled
            # against the plan": the relative pronoun stands for the source.
            source = (clause + relative.start(1), clause + relative.end(1))
    quoted = last_break >= 0 and before[: last_break + 1].rstrip(" ,")[-1:] in _CLOSING_QUOTES
    if (
        last_break >= 0
        and not before[last_break + 1 :].strip()
        and (
            # A quote is never the source, verb or not ("“Not me,” said X").
            quoted
            or (
                # Everything before the cue is one source ("Dr. X, an economist, said ..."):
                # not inverted.
                (
                    not (source is not None
                         and source[0] <= _trim(sentence, clause, cue_start)[0])
                    # "The firm lobbied on taxes, said strategist Charlie Black": a long
                    # clause before, a name after.
                    or (source is not None and not _at_most_words(
                        sentence[source[0] : source[1]], 5)
                        and _name_follows(sentence, cue_end, sources))
                )
                and not _after_insertion(sentence, clause, clause + last_break)
            )
        )
    ):
        # Cue right after a comma or closing quote: "CLAIM, said X."
        inverted = (
            sources.after(sentence, cue_end, True) if cue.lower() not in _TELL else None
        )
        if inverted is not None:
            claim = _claim_before(sentence, clause, clause + last_break)
            if quoted or not _role_then_name(sentence, sources, claim, source):
                return Attribution(cue, inverted, claim, False, (cue_start, cue_end))
    if source is None:
        if not _COORDINATED.search(before):
            return None
        # "Obama blasted Trump and said ...", "X did not apologize, but said ...": the
        # subject of the first verb.
        source = sources.subject(sentence, clause, cue_start)
        if source is None:
            return None
    weak = cue.lower() in cues.weak_verbs
    if cue.lower() in _BELIEF_VERBS and sentence[source[0] : source[1]].lower() in _SPEAKERS:
        return None  # "I think", "we want": the words of someone quoted, not an attribution
    skipped = _skip_object(sentence, cue_end, cue)
    if not _strongly_introduced(sentence, cue_end):
        quote_end = _quote_before(sentence, clause, source[0])
        if quote_end is not None:
            # "“CLAIM,” X said in Naples, Fla." / "“CLAIM,” X said of Trump": the quote,
            # not the phrase after the cue.
            claim = _claim_before(sentence, clause, quote_end)
            if claim is not None:
                return Attribution(cue, source, claim, True, (cue_start, cue_end))
    if _ends_clause(sentence, skipped, cues) or (
        sentence[skipped : skipped + 1] == ","
        and _claim_boundary(sentence, clause, source[0]) > clause
        and not _strongly_introduced(sentence, cue_end)
        and _before_is_the_claim(sentence, clause, source[0], skipped)
    ):
        # "CLAIM, X said." / "CLAIM, X said, a policy that ...": the claim stands before.
        boundary = _claim_boundary(sentence, clause, source[0])
        claim = _claim_before(sentence, clause, boundary) if boundary > clause else None
        if claim is None and weak:
            return None  # "Hamas denied the claims." is no attribution of a content clause
        return Attribution(cue, source, claim, True, (cue_start, cue_end))
    if weak and not (
        _strongly_introduced(sentence, cue_end)
        or _clause_follows(sentence, skipped)
        or _as_reported(sentence, clause, source[0], skipped)
    ):
        return None
    claim = _claim_after(sentence, cue_end, cue, skipped, None if weak else cues.participles)
    if claim is None:
        return None  # "after she called Sanders": no content, no attribution
    return Attribution(cue, source, claim, True, (cue_start, cue_end))


def _according_attribution(
    sentence: str, found_cue: _Cue, sources: _Sources, clause: int
) -> Attribution | None:
    cue, cue_start, cue_end = found_cue
    after = sentence[cue_end:]
    comma = after.find(",")
    source_end = cue_end + (comma if comma >= 0 else len(after))
    source = _strip_source(sentence, cue_end, source_end)
    text = sentence[source[0] : source[1]]
    if not text or _words(text) > _MAX_SOURCE_WORDS:
        return None
    rest = sentence[source_end + 1 :].lstrip() if comma >= 0 else ""
    if rest.strip(_CLOSING_TRIM) and not (
        cue_start > clause + 1 and (_APPOSITIVE.match(rest) or rest.startswith(_RELATIVE_STARTS))
    ):
        claim = _claim_after(sentence, source_end + 1, cue)
    else:
        boundary = sentence.rfind(",", clause, cue_start)
        claim = _claim_before(sentence, clause, boundary if boundary >= 0 else cue_start)
    return Attribution(cue, source, claim, False, (cue_start, cue_end))


_RELATIVE_STARTS = ("who ", "which ", "whose ")


def _participle_attribution(
    sentence: str, found_cue: _Cue, sources: _Sources, clause: int, found: list[Attribution]
) -> Attribution | None:
    """", saying CLAIM": the claim of the sentence's earlier source, or of its subject."""
    cue, cue_start, cue_end = found_cue
    claim = _claim_before(sentence, cue_end, len(sentence))
    if claim is None:
        return None
    word = sentence.find(cue, cue_start, cue_end)
    span = (word, word + len(cue))
    earlier = [a for a in found if a.source[1] <= cue_start]
    if earlier:
        return Attribution(cue, earlier[-1].source, claim, True, span)
    subject = sources.subject(sentence, clause, cue_start)
    if subject is None:
        return None
    return Attribution(cue, subject, claim, True, span)


# Every byte but a-z turns into a space. In UTF-8 only the characters a-z give the bytes a-z
# (every byte of a longer sequence is 0x80 or above), so the words split() finds in the
# translated bytes are exactly the runs of a-z (_LETTERS) of the text. bytes.translate is a
# table lookup per byte, about twice as fast as findall (str.translate looks up a dict).
_NOT_LETTER_BYTES = bytes(code if 97 <= code <= 122 else 32 for code in range(256))


def sentence_words(sentence: str) -> frozenset[str]:
    """The lower-case words of a sentence (its runs of a-z after ``str.lower``), to rule out
    cues and number words cheaply."""
    # "surrogatepass": a lone surrogate encodes to bytes above 0x7f like any other character.
    letters = sentence.lower().encode("utf-8", "surrogatepass").translate(_NOT_LETTER_BYTES)
    return frozenset(letters.decode("ascii").split())


def _find_cues(sentence: str, words: AbstractSet[str], cues: CueSet) -> list[tuple[int, int, _Cue]]:
    """(start, kind, cue) for every cue in the sentence, found with str.find from its words."""
    lower = sentence.lower()
    if len(lower) != len(sentence):  # a few characters lengthen when lowered ("İ")
        lower = "".join(char if len(char.lower()) != 1 else char.lower() for char in sentence)
    found: list[tuple[int, int, _Cue]] = []
    for first in cues.phrase_firsts.intersection(words):
        position = lower.find(first)
        while position >= 0:
            if position == 0 or not (lower[position - 1].isalnum() or lower[position - 1] == "-"):
                for phrase, kind in cues.phrases[first]:
                    end = position + len(phrase)
                    if lower.startswith(phrase, position) and not lower[end : end + 1].isalpha():
                        if kind == _VERB and _is_passive(lower, position, phrase):
                            break
                        found.append((position, kind, _Cue(sentence[position:end], position, end)))
                        break
            position = lower.find(first, position + 1)
    # A participle match is the lower-case cue after a comma and spaces, ending at a word
    # boundary: its first a-z run is a whole run of the lowered sentence, one of ``words``.
    if cues.participle_words is None or not cues.participle_words.isdisjoint(words):
        for match in cues.participles.finditer(sentence):
            found.append((match.start(), _PARTICIPLE, _Cue(match.group(1), *match.span())))
    # (position, kind) never repeats (one cue per position and kind), so the tuples sort by
    # those two alone, as a key function would, without calling one.
    found.sort()
    return found


def _is_passive(lower: str, position: int, phrase: str) -> bool:
    """"was announced", "has been described": a past participle after a passive auxiliary."""
    if not phrase.endswith("ed") and phrase not in ("told", "thought", "known", "found"):
        return False
    before = lower[max(0, position - 12) : position].split()
    return bool(before) and before[-1] in _PASSIVE


def find_attributions(
    sentence: str,
    cues: CueSet,
    words: AbstractSet[str] | None = None,
    in_quote: bool = False,
) -> list[Attribution]:
    """Attributions in ``sentence`` in text order; later cues inside a found span are skipped.

    ``words`` (from ``sentence_words``) saves computing them again. ``in_quote``: the sentence
    starts inside a quotation opened in an earlier sentence (see ``quote_open_after``); cues
    inside quotation marks are the quoted speaker's and are skipped.
    """
    if words is None:
        words = sentence_words(sentence)
    if cues.first_words.isdisjoint(words):
        return _colon_quote(sentence, cues) if ":" in sentence else []
    if "''" in sentence or "``" in sentence:
        # Typewriter quotes (''...'', ``...''): read as one double quote mark and a space,
        # two characters for two, so that every offset stays an offset of the sentence.
        sentence = _TYPEWRITER.sub(_typewriter_mark, sentence)
    clause = _clause_start(sentence)
    sources = cues.sources
    subordinate = not _SUBORDINATE_WORDS.isdisjoint(words)
    found: list[Attribution] = []
    found_cues = _find_cues(sentence, words, cues)
    if in_quote or (found_cues and not _QUOTE_MARKS.isdisjoint(sentence)):
        found_cues = _outside_quotes(sentence, found_cues, in_quote)
    for start, kind, cue in found_cues:
        outer = False
        if (
            found
            and any(_inside(a, start) for a in found)
            and not _coordinated_cut(sentence, found, start)
        ):
            if kind == _PARTICIPLE or not _reports_at_end(sentence, kind, cue, cues):
                continue
            outer = True
        if kind == _ACCORDING:
            attribution = _according_attribution(sentence, cue, sources, clause)
        elif kind == _VERB:
            attribution = _verb_attribution(sentence, cue, sources, clause, subordinate)
        else:
            attribution = _participle_attribution(sentence, cue, sources, clause, found)
        if attribution is not None:
            if outer:
                # "X said CLAIM, the report said.": the outer attribution, whose content
                # holds the inner one, replaces it (one attribution per token).
                claim = attribution.claim
                if claim is None or (attribution.source_first and claim[1] > cue.start):
                    continue
                found = [a for a in found if not _inside(a, cue.start)]
            found.append(attribution)
    if not found and ":" in sentence:
        return _colon_quote(sentence, cues)
    return found


# "Michael McDonald: “At long last ...”": a name, a colon and a quotation.
_COLON_QUOTE = re.compile(r"([^:;“”\"]{2,80}?)\s*(:)\s*[“\"]")


def _colon_quote(sentence: str, cues: CueSet) -> list[Attribution]:
    """A name or short noun phrase, a colon and a quote: the colon is the cue."""
    match = _COLON_QUOTE.search(sentence)
    if match is None:
        return []
    start, end = _strip_source(sentence, match.start(1), match.end(1))
    pieces = _segments(sentence, start, end)
    start, end = _trim(sentence, *pieces[-1])  # "In a speech, X: “...”": X
    dash = max(sentence.rfind(" - ", start, end), sentence.rfind(" — ", start, end))
    if dash >= 0:
        start = dash + 3  # "HEADLINE - Michael McDonald: “...”"
    text = sentence[start:end]
    if not text or not _at_most_words(text, 6) or not (
        _is_name(text) or (cues.sources.plausible(text) and text[0].isupper())
    ):
        return []
    claim = _claim_before(sentence, match.end(), len(sentence))
    if claim is None:
        return []
    return [Attribution(":", (start, end), claim, True, match.span(2))]


def _reports_at_end(sentence: str, kind: int, cue: _Cue, cues: CueSet) -> bool:
    """"..., the report said." / "..., according to a POLITICO analysis.": a cue whose clause
    ends the sentence after a comma, reporting everything before it."""
    rest = sentence[cue.end :]
    if kind == _ACCORDING:
        before = sentence[: cue.start].rstrip()
        return before.endswith(",") and "," not in rest.rstrip(_CLOSING_TRIM)
    comma = sentence.rfind(",", 0, cue.start)
    if comma < 0 or _words(sentence[comma + 1 : cue.start]) > _MAX_INVERTED_SOURCE_WORDS:
        return False
    return _ends_clause(sentence, _skip_object(sentence, cue.end, cue.text), cues)


_TYPEWRITER = re.compile(r"''|``")
_QUOTE_MARKS = frozenset('"“”')
_QUOTE_MARK = re.compile('["“”]')


def _typewriter_mark(match: re.Match[str]) -> str:
    """'' or `` as a double quote mark, on the side of its word, and a space."""
    text = match.string
    before = text[match.start() - 1 : match.start()]
    if match.group(0) == "``" or not before or before.isspace() or before in "([":
        return ' "'  # opening: the mark stands next to the quote's first word
    return '" '


def quote_open_after(sentence: str, in_quote: bool) -> bool:
    """Whether a quotation is still open at the end of ``sentence`` (``in_quote``: open at its
    start). “ opens, ” closes, a straight or typewriter double quote toggles."""
    if _QUOTE_MARKS.isdisjoint(sentence) and "''" not in sentence and "``" not in sentence:
        return in_quote
    if "''" in sentence or "``" in sentence:
        sentence = _TYPEWRITER.sub('"', sentence)
    for found in _QUOTE_MARK.finditer(sentence):
        char = found.group()
        if char == "“":
            in_quote = True
        elif char == "”":
            in_quote = False
        else:
            in_quote = not in_quote
    return in_quote


def _quoted_regions(sentence: str, in_quote: bool = False) -> list[tuple[int, int]]:
    """Spans inside double quotation marks; a closing mark with no opening one before it
    closes a quote that began in an earlier sentence (a region from the sentence start), as
    does every sentence that starts ``in_quote``."""
    regions: list[tuple[int, int]] = []
    opened: int | None = 0 if in_quote else None
    for found in _QUOTE_MARK.finditer(sentence):
        index = found.start()
        char = found.group()
        if char == "“" or (char == '"' and opened is None and _opens_here(sentence, index)):
            opened = index
        elif opened is not None:
            regions.append((opened, index))
            opened = None
        elif not regions:
            regions.append((0, index))
    if opened is not None:
        regions.append((opened, len(sentence)))  # still open at the end of the sentence
    return regions


def _opens_here(sentence: str, index: int) -> bool:
    before = sentence[index - 1 : index]
    after = sentence[index + 1 : index + 2]
    return (not before or before.isspace() or before in "([—–-:") and not after.isspace()


def _outside_quotes(
    sentence: str, found: list[tuple[int, int, _Cue]], in_quote: bool = False
) -> list[tuple[int, int, _Cue]]:
    """The cues outside quotation marks: a cue word inside a quote ("“He said no,” she
    said", "“They think we lost.”") is the quoted speaker's, not the sentence's."""
    regions = _quoted_regions(sentence, in_quote)
    if not regions:
        return found
    return [
        item for item in found
        if not any(start < item[2].start < end for start, end in regions)
    ]


def _coordinated_cut(sentence: str, found: list[Attribution], position: int) -> bool:
    """A cue inside the claim of the last attribution, right after "and"/"but" ("X blasted
    the plan and said ..."): that claim ends before the conjunction, and the cue is read."""
    last = found[-1]
    claim = last.claim
    if claim is None or not claim[0] < position < claim[1]:
        return False
    joined = _COORDINATED.search(sentence, claim[0], position)
    if joined is None:
        return False
    start, end = _trim(sentence, claim[0], joined.start())
    if not _two_words(sentence[start:end]):
        return False
    found[-1] = Attribution(last.cue, last.source, (start, end), last.source_first, last.cue_span)
    return True


def _inside(attribution: Attribution, position: int) -> bool:
    spans = [attribution.source, *([attribution.claim] if attribution.claim else [])]
    return any(start <= position < end for start, end in spans)
