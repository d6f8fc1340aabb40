"""Find attributions in a sentence: a reporting cue, the source span it governs and its claim.

Patterns handled (the cue words come from the scheme):

- source before the cue: "Hamas said (in a statement) (that) CLAIM", "X, a development
  economist, said CLAIM", "In a statement, X underscored CLAIM", "..., he stressed CLAIM";
- cue at the end: "CLAIM, X said.", "“CLAIM,” X remarked.", "CLAIM, said X.";
- "according to X, CLAIM", "CLAIM, according to X", "... that, according to X, CLAIM";
- passive "X was quoted as saying CLAIM".

Span guideline: the source span is the name with its role phrase ("Hamas spokesperson Abdul
Latif Al-Qanoua", "Dr. Leila Haddad, a development economist based in Amman", "a Western
diplomat who spoke on condition of anonymity"), without adverbs and auxiliaries before the cue
and without intro phrases ("In a statement,"). The claim is the content clause: after "that"
when present, without the quotation marks around a quote and without final punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotator.suggest.scheme import Scheme

__all__ = ["Attribution", "CueSet", "find_attributions"]


@dataclass(frozen=True)
class Attribution:
    """One reporting construction in a sentence (offsets into the sentence)."""

    cue: str
    source: tuple[int, int]
    claim: tuple[int, int] | None
    source_first: bool  # the source stands before the cue


@dataclass(frozen=True)
class CueSet:
    """The scheme's cue words compiled for matching."""

    verbs: re.Pattern[str]
    weak_verbs: frozenset[str]  # need "that", a quote or the end of the sentence after them
    according: re.Pattern[str]
    pronouns: frozenset[str]

    @classmethod
    def from_scheme(cls, scheme: Scheme) -> CueSet:
        """Compile the cue words of ``scheme``."""
        verbs = sorted({*scheme.cue_verbs, *scheme.weak_cue_verbs}, key=len, reverse=True)
        phrases = sorted(scheme.according_phrases, key=len, reverse=True)
        return cls(
            verbs=re.compile(r"\b(?:" + "|".join(map(re.escape, verbs)) + r")\b", re.I),
            weak_verbs=frozenset(scheme.weak_cue_verbs),
            according=re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b", re.I),
            pronouns=frozenset(scheme.pronouns),
        )


_QUOTES = "\"“”‘’'«»"
_CLOSING_PUNCT = ".!?;:" + _QUOTES + " \t\n"
# "CAIRO (Wire) – ", "**DayofPal**– ": a dateline or outlet marker before the first clause.
_DATELINE = re.compile(
    r"^\s*(?:\*\*[^*]{1,40}\*\*|[A-Z][A-Z .,'’/-]{1,40}(?:\s*\([^)]{1,40}\))?)\s*[–—-]+\s*"
)
_TRAILER = re.compile(
    r"(?:,?\s+(?:on|late on|early on|earlier on|late|earlier|last|this)\s+"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week|month|year|night|"
    r"morning|afternoon|evening|today|yesterday)"
    r"|,?\s+(?:in|during|at|on)\s+(?:an?|the|its|his|her|their|a\s+joint)\s+(?:[\w-]+\s+){0,2}"
    r"(?:statement|interview|press conference|news conference|briefing|speech|post|message|"
    r"letter|report|address|broadcast|session|meeting|conference)"
    r"|,?\s+(?:to|told)\s+(?:reporters|journalists|the press|the media)"
    r"|,?\s+on\s+(?:X|Twitter|Telegram|Facebook|Instagram|television|TV|radio)"
    r"|\s+(?:today|yesterday|again|also|repeatedly|separately|publicly|previously|recently))+"
)
_TOLD_OBJECT = re.compile(
    r"\s+(?:reporters|journalists|the press|the media|him|her|them|us|me|lawmakers|"
    r"(?:the\s+)?[A-Z][\w.’'&-]*(?:\s+(?:of\s+)?[A-Z][\w.’'&-]*)*)\b"
)
_THAT = re.compile(r"\bthat\b")
_ADVERB_OR_AUX = re.compile(
    r"(?:\s+(?:has|have|had|was|were|is|are|also|further|later|again|officially|publicly|"
    r"repeatedly|previously|separately|then|once|has\s+also|\w+ly))+\s*$"
)
_LEADING_JOIN = re.compile(r"^(?:and|but|while|as|so|yet|meanwhile)\s+", re.I)
_PARENTHETICAL = re.compile(
    r"^(?:who|which|whose|where|when|while|although|though|however|[a-z]+ed|[a-z]+ing)\b"
)
_APPOSITIVE = re.compile(r"^(?:a|an|the)\s|^(?:[a-z]+\s+)?(?:of|at|for)\s", re.I)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w.’'-]*|al-\w+|bin|ibn|de|van|von|der|la|le|el-\w+)$")
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|could|should|can|may|might|did|does)\b"
)
_MAX_SOURCE_WORDS = 14
_MAX_INVERTED_SOURCE_WORDS = 10
_MAX_WORDS_BEFORE_THAT = 9
_MIN_CLAIM_WORDS = 2


def _clause_start(sentence: str) -> int:
    match = _DATELINE.match(sentence)
    start = match.end() if match else 0
    while start < len(sentence) and sentence[start] in _QUOTES + " ":
        start += 1
    return start


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past spaces, quotes and punctuation at either edge."""
    while start < end and sentence[start] in _QUOTES + " ,\t\n":
        start += 1
    while end > start and sentence[end - 1] in _CLOSING_PUNCT + ",":
        end -= 1
    return start, end


def _words(text: str) -> int:
    return len(text.split())


def _is_name(text: str) -> bool:
    tokens = text.split()
    return 0 < len(tokens) <= 6 and all(_NAME_TOKEN.match(token) for token in tokens)


def _segments(sentence: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut at commas and quotation marks, as (start, end) pieces."""
    pieces: list[tuple[int, int]] = []
    piece = start
    for position in range(start, end):
        if sentence[position] in ",;“”\"":
            pieces.append((piece, position))
            piece = position + 1
    pieces.append((piece, end))
    return pieces


def _strip_source(sentence: str, start: int, end: int) -> tuple[int, int]:
    start, end = _trim(sentence, start, end)
    text = sentence[start:end]
    joined = _LEADING_JOIN.match(text)
    if joined:
        start += joined.end()
    tail = _ADVERB_OR_AUX.search(sentence[start:end])
    if tail and tail.start() > 0:
        end = start + tail.start()
    return start, end


def _source_before(sentence: str, clause: int, cue_start: int) -> tuple[int, int] | None:
    """The source span between the clause start and the cue, walking back over commas."""
    pieces = _segments(sentence, clause, cue_start)
    index = len(pieces) - 1
    while index >= 0:
        start, end = _strip_source(sentence, *pieces[index])
        text = sentence[start:end]
        if not text:
            index -= 1
            if index >= 0 and len(pieces) - index > 3:
                return None
            continue
        if _PARENTHETICAL.match(text) and index > 0:
            index -= 1  # "X, convened in Cairo on Tuesday, underscored"
            continue
        if _APPOSITIVE.match(text) and index > 0:
            name_start, name_end = _trim(sentence, *pieces[index - 1])
            if _is_name(sentence[name_start:name_end]) and index - 1 == 0:
                return name_start, end  # "Dr. Leila Haddad, a development economist, said"
        return (start, end) if _plausible_source(text) else None
    return None


def _plausible_source(text: str) -> bool:
    if not text or _words(text) > _MAX_SOURCE_WORDS:
        return False
    head = text.partition(" who ")[0]
    if _FINITE_VERB.search(head) or " that " in f" {text} ":
        return False
    return text[0].isupper() or text[0].isdigit() or text.split()[0].lower() in _LOWER_STARTS


_LOWER_STARTS = frozenset(
    str.split(
        "a an the he she they it we i officials residents witnesses sources experts analysts "
        "doctors medics aid international local"
    )
)


def _claim_after(sentence: str, position: int, cue: str) -> tuple[int, int] | None:
    """The clause after the cue, from "that" when it follows closely."""
    that = _THAT.search(sentence, position)
    if that and _words(sentence[position : that.start()]) <= _MAX_WORDS_BEFORE_THAT:
        between = sentence[position : that.start()]
        if not any(q in between for q in _QUOTES):
            position = that.end()
    else:
        trailer = _TRAILER.match(sentence, position)
        if trailer:
            position = trailer.end()
        if cue.lower() in ("told", "tells", "tell"):
            told = _TOLD_OBJECT.match(sentence, position)
            if told:
                position = told.end()
    while position < len(sentence) and sentence[position] in " ,:":
        position += 1
    start, end = _trim(sentence, position, len(sentence))
    return (start, end) if _words(sentence[start:end]) >= _MIN_CLAIM_WORDS else None


def _at_sentence_end(sentence: str, position: int) -> bool:
    trailer = _TRAILER.match(sentence, position)
    if trailer:
        position = trailer.end()
    return not sentence[position:].strip(_CLOSING_PUNCT + ",")


def _claim_before(sentence: str, clause: int, end: int) -> tuple[int, int] | None:
    start, end = _trim(sentence, clause, end)
    return (start, end) if _words(sentence[start:end]) >= _MIN_CLAIM_WORDS else None


def _verb_attribution(
    sentence: str, match: re.Match[str], cues: CueSet, clause: int
) -> Attribution | None:
    cue = match.group(0)
    cue_start, cue_end = match.span()
    before = sentence[clause:cue_start]
    last_break = max(before.rfind(","), before.rfind("”"), before.rfind('"'))
    if last_break >= 0 and not before[last_break + 1 :].strip():
        # Cue right after a comma or closing quote: "CLAIM, said X." (or an inserted phrase).
        inverted = _inverted_source(sentence, cue_end)
        if inverted is not None:
            claim = _claim_before(sentence, clause, clause + last_break)
            return Attribution(cue, inverted, claim, source_first=False)
    source = _source_before(sentence, clause, cue_start)
    if source is None:
        return None
    if _at_sentence_end(sentence, cue_end):
        boundary = _claim_boundary(sentence, clause, source[0])
        claim = _claim_before(sentence, clause, boundary) if boundary > clause else None
        return Attribution(cue, source, claim, source_first=True)
    if cue.lower() in cues.weak_verbs and not _strongly_introduced(sentence, cue_end):
        return None
    return Attribution(cue, source, _claim_after(sentence, cue_end, cue), source_first=True)


def _claim_boundary(sentence: str, clause: int, source_start: int) -> int:
    """Where a claim before "X said" ends: the last comma or quote before the source."""
    before = sentence[clause:source_start]
    cut = max(before.rfind(","), before.rfind("”"), before.rfind('"'))
    return clause + cut if cut >= 0 else clause


def _strongly_introduced(sentence: str, position: int) -> bool:
    rest = sentence[position:]
    that = _THAT.search(rest)
    if that and _words(rest[: that.start()]) <= _MAX_WORDS_BEFORE_THAT:
        return True
    return rest.lstrip(" ,:")[:1] in _QUOTES


def _inverted_source(sentence: str, cue_end: int) -> tuple[int, int] | None:
    rest = sentence[cue_end:]
    cut = rest.find(",")
    end = cue_end + (cut if cut >= 0 else len(rest))
    if cut >= 0 and sentence[end:].strip(_CLOSING_PUNCT + ","):
        trailer = _TRAILER.match(sentence, end)
        if not trailer or sentence[trailer.end() :].strip(_CLOSING_PUNCT + ","):
            return None
    start, end = _strip_source(sentence, cue_end, end)
    text = sentence[start:end]
    if not text or _words(text) > _MAX_INVERTED_SOURCE_WORDS or not _plausible_source(text):
        return None
    return start, end


def _according_attribution(
    sentence: str, match: re.Match[str], clause: int
) -> Attribution | None:
    cue = match.group(0)
    after = sentence[match.end() :]
    comma = after.find(",")
    source_end = match.end() + (comma if comma >= 0 else len(after))
    source = _strip_source(sentence, match.end(), source_end)
    text = sentence[source[0] : source[1]]
    if not text or _words(text) > _MAX_SOURCE_WORDS:
        return None
    if comma >= 0 and sentence[source_end:].strip(_CLOSING_PUNCT + ","):
        claim = _claim_after(sentence, source_end + 1, cue)
    else:
        boundary = sentence.rfind(",", clause, match.start())
        claim = _claim_before(sentence, clause, boundary if boundary >= 0 else match.start())
    return Attribution(cue, source, claim, source_first=False)


def find_attributions(sentence: str, cues: CueSet) -> list[Attribution]:
    """Attributions in ``sentence`` in text order; later cues inside a found span are skipped."""
    clause = _clause_start(sentence)
    found: list[Attribution] = []
    covered_until = -1
    matches = sorted(
        [(m.start(), "according", m) for m in cues.according.finditer(sentence)]
        + [(m.start(), "verb", m) for m in cues.verbs.finditer(sentence)],
        key=lambda item: item[0],
    )
    for start, kind, match in matches:
        if start < covered_until or any(_inside(a, start) for a in found):
            continue
        if kind == "according":
            attribution = _according_attribution(sentence, match, clause)
        else:
            attribution = _verb_attribution(sentence, match, cues, clause)
        if attribution is None:
            continue
        found.append(attribution)
        ends = [attribution.source[1], *(attribution.claim[1:] if attribution.claim else ())]
        covered_until = max(ends)
    return found


def _inside(attribution: Attribution, position: int) -> bool:
    spans = [attribution.source, *([attribution.claim] if attribution.claim else [])]
    return any(start <= position < end for start, end in spans)
