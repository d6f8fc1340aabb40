"""Find figure spans in a sentence: money, counts with their noun, percentages, durations, ranges.

A compiled pattern proposes candidates (qualifier, currency, number, scale, range, percent,
currency word, hyphenated unit); Python then drops what is not a quantity (dates, years, times,
ordinals, numbers in names, codes and URLs) and extends counts over their noun ("over 160,000
Palestinian casualties"). Values come from :func:`annotator.figures.parse_figure`, so the form
and the suggestions agree.

Span guideline (the gold set follows it): the span starts at the qualifier ("more than",
"between"), includes the currency and scale ("$53 billion", "53 million dollars"), the percent
sign or word, and for counts the noun phrase up to its head noun ("12,000 families", "1,900
tonnes"), but not "of ..." after it. "only"/"just" are emphasis, not part of the span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotator.figures import CURRENCY_WORDS, QUALIFIER_PHRASES, ParsedFigure, parse_figure
from annotator.suggest.patterns import starts_word, word_finder, word_trie

__all__ = ["FoundFigure", "find_figures"]


@dataclass(frozen=True)
class FoundFigure:
    """A figure span in a sentence with its parsed value."""

    start: int
    end: int
    parsed: ParsedFigure
    reason: str


def _split(text: str) -> list[str]:
    return text.split()


def _alternation(words: list[str]) -> str:
    # A trie tries the longest first, so "more than" wins over "more".
    return word_trie(words)


_SMALL = _split(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
)
_TENS = _split("twenty thirty forty fifty sixty seventy eighty ninety")
_SCALE_WORDS = _split("hundred thousand million billion trillion")
_MONTHS = _split(
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)
_DURATIONS = frozenset(
    _split("second seconds minute minutes hour hours day days week weeks month months year years "
    "decade decades century centuries")
)
# Qualifiers that stay outside the span: emphasis, not approximation.
_EMPHASIS = frozenset({"only", "just", "exactly", "precisely"})
_SPAN_QUALIFIERS = [*sorted(q for q in QUALIFIER_PHRASES if q not in _EMPHASIS), "an estimated"]

_WORD_NUMBER = (
    rf"(?:(?:{_alternation(_TENS)})(?:[-‐](?:one|two|three|four|five|six|seven|eight|nine))?"
    rf"|{_alternation(_SMALL)}|a\s+dozen|(?:a|an|half\s+a)(?=\s+(?:{_alternation(_SCALE_WORDS)})))"
)
_DIGITS = r"(?<![\w.,/:#@=])(?<![A-Za-z][-‐])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE = (
    r"(?:(?:bn|mn|mln|tn|m|k|b)(?![\w])"
    rf"|(?:\s+|[-‐])(?:{_alternation(_SCALE_WORDS)})(?:\s+(?:{_alternation(_SCALE_WORDS)}))?\b)"
)
_NUMBER = rf"(?:{_DIGITS}|\b{_WORD_NUMBER}\b)(?:{_SCALE})?"
_CURRENCY = (
    r"(?:(?:US|A|AU|C|CA|HK|NZ|S|SG)?\$|[€£¥₹₽₪₩₺₴]|(?:USD|EUR|GBP|JPY|CHF|CNY|INR|ILS|NIS)\s?)"
)
_PERCENT = r"(?:\s?%|\s+(?:percent|per\s+cent|percentage\s+points?)\b)"
_CURRENCY_WORD = (
    rf"(?:\s+(?:(?:US|American|Canadian|Australian|Hong\s+Kong)\s+)?"
    rf"(?:{_alternation(sorted(CURRENCY_WORDS))})\b)"
)
_HYPHEN_UNIT = (
    r"(?:[-‐](?:year|day|week|month|hour|minute|decade|mile|kilometre|kilometer|km|metre|meter|"
    r"point|member|nation|country|state|storey|story|bed|seat|page|ton|tonne|strong|percent)"
    r"(?:-old)?\b)"
)
_FIGURE = re.compile(
    rf"(?:(?P<qual>\b(?:{_alternation(_SPAN_QUALIFIERS)})\s+)?"
    r"(?P<between>\b(?:between|from)\s+)?)?"
    rf"(?P<cur>{_CURRENCY})?(?P<num>{_NUMBER})(?P<pct>{_PERCENT})?"
    rf"(?:(?P<sep>\s*[-‐–—]\s*|\s+to\s+|(?(between)\s+and\s+|(?!)))"
    rf"(?P<cur2>{_CURRENCY})?(?P<num2>{_NUMBER})(?P<pct2>{_PERCENT})?)?"
    rf"(?P<plus>\+)?(?P<curword>{_CURRENCY_WORD})?(?P<hyunit>{_HYPHEN_UNIT})?",
    re.IGNORECASE,
)

_MONTH_BEFORE = re.compile(rf"\b(?:{_alternation(_MONTHS)})\.?\s+$")
_MONTH_AFTER = re.compile(rf"^(?:\s+of)?\s+(?:{_alternation(_MONTHS)})\b")
_TIME_AFTER = re.compile(r"^(?::\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b|GMT\b|UTC\b|o'clock\b|h\b))", re.I)
_GLUED_AFTER = re.compile(r"^[^\W\d_]")  # "12th", "1990s", "3D": not quantities
_NAME_BEFORE = re.compile(
    r"(?:\b(?:No|Nos|Number|Resolution|Article|Route|Highway|Road|Gate|Phase|Flight|Chapter|"
    r"Section|Paragraph|Room|Building|Block|Apartment|Terminal|Platform|Level|Camp|Boeing|Model|"
    r"Unit|Brigade|Division|Battalion|Squadron|Sector|Zone|Area|Act|Law|Decree|Protocol|Vol|"
    r"Volume|Page|p|pp|Channel|Radio|Formula|Version|Team|District|Street|Avenue)\.?\s+|#)$"
)
_CAPITAL_BEFORE = re.compile(r"([A-Z][\w'’.-]*)\s+$")
_DETERMINER_BEFORE = re.compile(
    r"\b(?:the|these|those|its|their|his|her|our|my|your|all|both|every|any|no|which|each)\s+$",
    re.IGNORECASE,
)
_DURATION_AFTER = re.compile(r"\s+(?:second|minute|hour|day|week|month|year|decade|century)\b")
_URLISH = re.compile(r"(?:://|www\.|[=@/\\])")
_SENTENCE_START_WORDS = frozenset(
    _split(
        "In On At By For From Of Over About Some Nearly Around Up Almost More Less Fewer Under "
        "Just Only And But Since After Before During Until With Without Roughly Approximately As "
        "Between Another An A The"
    )
)

# The noun phrase after a count: a few words that end at a plural (or a unit) head noun.
_NOUN_WORD = re.compile(r"\s+([A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*)")
_NOUN_STOP = frozenset(
    _split("""a an the this that these those its their his her our of in on at to for from by with
    without into onto over under across since during after before between among against per
    via through about around near within including like than as and or but nor so yet because
    if is are was were be been being has have had do does did will would could should may might
    must can said say says told according ago later earlier old long each every apiece alone
    respectively it they them he she we you there here not no also still even already worth
    who which whom whose where when while more less fewer other many much some all both only
    own such whole""")
)
_IRREGULAR_PLURALS = frozenset(
    _split(
        "people children men women police personnel staff livestock cattle aircraft sheep troops "
        "kg km mm cm m2 km2 mw kw gw kwh mwh mph hectares acres"
    )
)
_MAX_NOUN_WORDS = 4


def _is_plural(word: str) -> bool:
    lower = word.lower()
    if lower in _IRREGULAR_PLURALS:
        return True
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is", "'s", "’s"))


def _noun_end(sentence: str, position: int, singular: bool) -> int:
    """Where the counted noun phrase starting after ``position`` ends (``position`` if none)."""
    end = position
    for count, match in enumerate(_NOUN_WORD.finditer(sentence, position)):
        if match.start() != end or count >= _MAX_NOUN_WORDS:
            break
        word = match.group(1)
        lower = word.lower()
        if lower in _NOUN_STOP:
            break
        if lower in _DURATIONS or _is_plural(word) or (singular and count == 0):
            return match.end()
        if count and lower.endswith(("ed", "ing", "ly")):
            break
        end = match.end()
    return position


def _is_excluded(sentence: str, match: re.Match[str]) -> bool:
    """Dates, years, times, ordinals, names with numbers, codes and URLs are not figures."""
    start, end = match.span("num")
    # Only the few words before the number matter; a window keeps the "$"-anchored searches short.
    window_start = max(0, start - 40)
    before = sentence[window_start:start]
    num = match.group("num")
    token_start = sentence.rfind(" ", 0, start) + 1
    token_end = sentence.find(" ", end)
    token = sentence[token_start : token_end if token_end >= 0 else len(sentence)]
    glued = bool(_GLUED_AFTER.match(sentence[end:])) and not match.group("plus")
    unit = match.group("pct") or match.group("hyunit") or match.group("curword")
    if (_URLISH.search(token) or glued) and not unit:
        return True
    money_or_share = any(match.group(g) for g in ("cur", "pct", "curword", "cur2", "pct2"))
    if money_or_share:
        return False
    if _TIME_AFTER.match(sentence[end:]):
        return True
    qualified = match.group("qual") or match.group("between")
    if num[0].isdigit():
        if _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(sentence[end:]):
            return True
        plain = num.isdigit()
        if plain and len(num) == 4 and 1800 <= int(num) <= 2100 and not match.group("hyunit"):
            return True  # a year ("since 2014", "2019-20" too)
        if not qualified and _NAME_BEFORE.search(before):
            return True
        capital = _CAPITAL_BEFORE.search(before)
        if (
            not qualified
            and capital
            and sentence[: window_start + capital.start()].strip()
            and capital.group(1) not in _SENTENCE_START_WORDS
            and capital.group(1).rstrip(".") not in _MONTHS
        ):
            return True  # "Gate 2", "Resolution 2720", "Boeing 737"
    else:
        if not qualified and _DETERMINER_BEFORE.search(before) and not match.group("hyunit"):
            return True  # "the two sides": a reference, not a quantity
        # "one" is a figure only as an amount of time ("one year"), not as a determiner or
        # pronoun ("one driver", "one abstained", "one of them").
        if num.lower() == "one" and not match.group("hyunit"):
            return not _DURATION_AFTER.match(sentence[end:])
    return False


def _span_end(sentence: str, match: re.Match[str]) -> int:
    end = match.end()
    if any(match.group(g) for g in ("cur", "pct", "curword", "cur2", "pct2", "hyunit")):
        return end
    num = (match.group("num2") or match.group("num")).lower()
    singular = num in ("1", "one", "a dozen") and not match.group("num2")
    return _noun_end(sentence, end, singular)


def _reason(match: re.Match[str]) -> str:
    if match.group("cur") or match.group("cur2") or match.group("curword"):
        kind = "money"
    elif match.group("pct") or match.group("pct2"):
        kind = "percentage"
    elif match.group("num2"):
        kind = "range"
    else:
        kind = "number"
    if match.group("qual"):
        return f"{kind} with qualifier '{match.group('qual').strip().lower()}'"
    return kind


# Where a figure can start: digits, or a number word. The pattern above is then matched only
# there (a scan of every position with all its optional prefixes was 20 times slower).
_DIGITS_ANCHOR = re.compile(r"[0-9]+")
_WORD_ANCHOR = word_finder(
    [*_SMALL, *_TENS, *(f"{a} {scale}" for a in ("a", "an", "half a") for scale in _SCALE_WORDS),
     "a dozen", "half a dozen"]
)
_CURRENCY_BEFORE = re.compile(rf"{_CURRENCY}$", re.IGNORECASE)
_RANGE_OPENER_BEFORE = re.compile(r"\b(?:between|from)\s+$", re.IGNORECASE)
_QUALIFIER_BEFORE = re.compile(rf"\b(?:{_alternation(_SPAN_QUALIFIERS)})\s+$", re.IGNORECASE)
_PREFIX_WINDOWS = ((_CURRENCY_BEFORE, 6), (_RANGE_OPENER_BEFORE, 10), (_QUALIFIER_BEFORE, 24))


def _prefix_start(sentence: str, position: int) -> int:
    """Where a figure whose number starts at ``position`` starts: qualifier, "between", "$"."""
    start = position
    for pattern, window in _PREFIX_WINDOWS:
        found = pattern.search(sentence, max(0, start - window), start)
        if found:
            start = found.start()
    return start


def _matches(sentence: str) -> list[re.Match[str]]:
    """Candidate figures, at most one per number, in text order."""
    found: list[re.Match[str]] = []
    covered = 0
    positions = [anchor.start() for anchor in _DIGITS_ANCHOR.finditer(sentence)]
    words = [a.start() for a in _WORD_ANCHOR.finditer(sentence) if starts_word(sentence, a.start())]
    if words:
        positions = sorted(positions + words)
    for position in positions:
        if position < covered:
            continue
        match = _FIGURE.match(sentence, _prefix_start(sentence, position))
        if match is None or match.start("num") != position:
            match = _FIGURE.match(sentence, position)
        if match is None:
            continue
        covered = match.end()
        found.append(match)
    return found


def find_figures(sentence: str) -> list[FoundFigure]:
    """Figure spans in ``sentence`` in text order, each with its parsed value."""
    found: list[FoundFigure] = []
    for match in _matches(sentence):
        if _is_excluded(sentence, match):
            continue
        start = match.start()
        end = _span_end(sentence, match)
        while end > start and sentence[end - 1] in " \t-‐":
            end -= 1
        parsed = parse_figure(sentence[start:end])
        if parsed is None:
            continue
        found.append(FoundFigure(start, end, parsed, _reason(match)))
    return found
