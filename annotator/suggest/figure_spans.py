"""Find figure spans in a sentence: money, counts with their noun, percentages, durations, ranges.

A compiled pattern proposes candidates (qualifier, currency, number, scale, range, percent,
currency word, hyphenated unit); Python then drops what is not a quantity (dates, years, times,
ordinals, numbers in names, codes and URLs) and extends counts over their noun ("over 160,000
Palestinian casualties"). Values come from :func:`annotator.text.figures.parse_figure`, so the form
and the suggestions agree.

Span guideline (the gold set follows it): the span starts at the qualifier ("more than",
"between"), includes the currency and scale ("$53 billion", "53 million dollars"), the percent
sign or word, and for counts the noun phrase up to its head noun ("12,000 families", "1,900
tonnes"), but not "of ..." after it. "only"/"just" are emphasis, not part of the span.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from annotator.suggest.frozen_record import frozen_record
from annotator.suggest.patterns import word_finder, word_trie
from annotator.text.figures import CURRENCY_WORDS, QUALIFIER_PHRASES, parse_figure
from db.values import Figure

__all__ = ["FoundFigure", "figure_tuples", "find_figures"]


@frozen_record
class FoundFigure:
    """A figure span in a sentence with its parsed value."""

    start: int
    end: int
    parsed: Figure
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
_CURRENCY_CODES = ("USD", "EUR", "GBP", "JPY", "CHF", "CNY", "INR", "ILS", "NIS")
_CURRENCY = (
    rf"(?:(?:US|A|AU|C|CA|HK|NZ|S|SG)?\$|[€£¥₹₽₪₩₺₴]|(?:{'|'.join(_CURRENCY_CODES)})\s?)"
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
# Indexes of _FIGURE's groups in match.groups() (group number minus one): figure_tuples reads
# the groups as a tuple, cheaper to build and to read than groupdict's dictionary.
(_G_QUAL, _G_BETWEEN, _G_CUR, _G_NUM, _G_PCT, _G_SEP, _G_CUR2, _G_NUM2, _G_PCT2, _G_PLUS,
 _G_CURWORD, _G_HYUNIT) = (
    _FIGURE.groupindex[name] - 1
    for name in ("qual", "between", "cur", "num", "pct", "sep", "cur2", "num2", "pct2", "plus",
                 "curword", "hyunit")
)
_Groups = tuple[str | None, ...]

_MONTH_AFTER = re.compile(rf"^(?:\s+of)?\s+(?:{_alternation(_MONTHS)})\b")
_TIME_AFTER = re.compile(r"^(?::\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b|GMT\b|UTC\b|o'clock\b|h\b))", re.I)
# Words right before a number that make it part of a name ("Gate 2", "Resolution 2728").
_NAME_WORDS = frozenset(
    _split(
        "No Nos Number Resolution Article Route Highway Road Gate Phase Flight Chapter Section "
        "Paragraph Room Building Block Apartment Terminal Platform Level Camp Boeing Model Unit "
        "Brigade Division Battalion Squadron Sector Zone Area Act Law Decree Protocol Vol Volume "
        "Page p pp Channel Radio Formula Version Team District Street Avenue"
    )
)
_CAPITALIZED = re.compile(r"[A-Z][\w'’.-]*")
_ASCII_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_MONTH_AFTER_INITIALS = frozenset(["o", *(month[0] for month in _MONTHS)])
# The first letters of _TIME_AFTER's words in both cases ("a.m.", "GMT", "o'clock", ...).
_TIME_INITIALS = frozenset("apguohAPGUOH")


def _may_be_time(after: str) -> bool:
    """False only where _TIME_AFTER cannot match ``after``: it opens with ":" or with an
    optional space (re's \\s is str.isspace) and a time word; a character outside ASCII is
    left to the pattern's case folding."""
    char = after[:1]
    if char == ":":
        return True
    if char.isspace():
        char = after[1:2]
    return char in _TIME_INITIALS or not char.isascii()
_DETERMINERS = frozenset(
    _split("the these those its their his her our my your all both every any no which each")
)
_DURATION_AFTER = re.compile(r"\s+(?:second|minute|hour|day|week|month|year|decade|century)\b")
_MONTH_NAMES = frozenset(_MONTHS)
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
    for count in range(_MAX_NOUN_WORDS):
        match = _NOUN_WORD.match(sentence, end)  # words that follow one another, no search
        if match is None:
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


def _word_before(sentence: str, position: int) -> tuple[int, str] | None:
    """The space-separated word before ``position`` with its start, or None at the start."""
    stripped = position
    while stripped > 0 and sentence[stripped - 1] in " \u00a0":
        stripped -= 1
    if stripped == position or stripped == 0:
        return None
    begin = sentence.rfind(" ", 0, stripped) + 1
    return begin, sentence[begin:stripped]


def _in_a_name(sentence: str, previous: tuple[int, str]) -> bool:
    """"Gate No. 2", "Resolution 2720", "Boeing 737": a capitalized word before the number."""
    begin, word = previous
    bare = word.rstrip(".")
    if bare in _NAME_WORDS:
        return True
    return (
        word[:1] in _ASCII_CAPITALS  # _CAPITALIZED opens so; a cheap test first
        and bool(_CAPITALIZED.fullmatch(word))
        and bool(sentence[:begin].strip())  # not the first word of the sentence
        and word not in _SENTENCE_START_WORDS
        and bare not in _MONTH_NAMES
    )


def _is_urlish(token: str) -> bool:
    """Whether a token is a URL, an address or a code: "://", "www.", "=", "@", "/" or "\\"."""
    return "/" in token or "=" in token or "@" in token or "\\" in token or "www." in token


def _is_excluded(sentence: str, match: re.Match[str], g: _Groups) -> bool:
    """Dates, years, times, ordinals, names with numbers, codes and URLs are not figures."""
    start, end = match.span(_G_NUM + 1)
    num = g[_G_NUM]
    unit = g[_G_PCT] or g[_G_HYUNIT] or g[_G_CURWORD]
    if not unit:
        next_char = sentence[end : end + 1]
        # "12th", "1990s", "3D" are not quantities: a letter right after the digits, as re's
        # [^\W\d_] (\w is str.isalnum() or "_", \d is str.isdecimal()).
        if next_char.isalnum() and not next_char.isdecimal() and not g[_G_PLUS]:
            return True
        token_end = sentence.find(" ", end)
        token = sentence[sentence.rfind(" ", 0, start) + 1 : token_end if token_end >= 0 else None]
        if _is_urlish(token):
            return True
    after = sentence[end : end + 20]
    if g[_G_CUR] or g[_G_PCT] or g[_G_CURWORD] or g[_G_CUR2]:
        return False
    if _may_be_time(after) and _TIME_AFTER.match(after):
        return True
    qualified = g[_G_QUAL] or g[_G_BETWEEN]
    previous = _word_before(sentence, start)
    word = previous[1] if previous else ""
    if num[0].isdigit():
        if word.rstrip(".,") in _MONTH_NAMES or (
            after[:1].isspace()  # _MONTH_AFTER opens with \s+, then "of" or a month
            and after.lstrip()[:1] in _MONTH_AFTER_INITIALS
            and _MONTH_AFTER.match(after)
        ):
            return True
        if num.isdigit() and len(num) == 4 and 1800 <= int(num) <= 2100 and not unit:
            return True  # a year ("since 2014", "2019-20" too)
        return not qualified and previous is not None and _in_a_name(sentence, previous)
    if not qualified and word.lower() in _DETERMINERS and not unit:
        return True  # "the two sides": a reference, not a quantity
    # "one" is a figure only as an amount of time ("one year"), not as a determiner or
    # pronoun ("one driver", "one abstained", "one of them").
    if num.lower() == "one" and not unit:
        return not _DURATION_AFTER.match(after)
    return False


def _span_end(sentence: str, match: re.Match[str], g: _Groups) -> int:
    end = match.end()
    if g[_G_CUR] or g[_G_PCT] or g[_G_CURWORD] or g[_G_CUR2] or g[_G_PCT2] or g[_G_HYUNIT]:
        return end
    num = (g[_G_NUM2] or g[_G_NUM]).lower()
    singular = num in ("1", "one", "a dozen") and not g[_G_NUM2]
    return _noun_end(sentence, end, singular)


def _reason(g: _Groups) -> str:
    if g[_G_CUR] or g[_G_CUR2] or g[_G_CURWORD]:
        kind = "money"
    elif g[_G_PCT] or g[_G_PCT2]:
        kind = "percentage"
    elif g[_G_NUM2]:
        kind = "range"
    else:
        kind = "number"
    if g[_G_QUAL]:
        return f"{kind} with qualifier '{g[_G_QUAL].strip().lower()}'"
    return kind


# Where a figure can start: digits, or a number word. The pattern above is then matched only
# there (a scan of every position with all its optional prefixes was 20 times slower).
# Written [0-9][0-9]* rather than [0-9]+: re skips ahead to a character of the pattern's first
# set only when the pattern opens with that set, not with a repeat of it (about half the
# instructions per sentence).
_DIGITS_ANCHOR = re.compile(r"[0-9][0-9]*")
# A sentence has a spelled-out anchor only if its words hold one of these, or an article and a
# scale word ("a million", "half a dozen"): a number after digits ("5 million") needs no scan.
_SPELLED_NUMBERS = frozenset([*_SMALL, *_TENS])
_ARTICLES = frozenset({"a", "an"})
_ARTICLE_SCALES = frozenset([*_SCALE_WORDS, "dozen"])
_WORD_ANCHOR = word_finder(
    [*_SMALL, *_TENS, *(f"{a} {scale}" for a in ("a", "an", "half a") for scale in _SCALE_WORDS),
     "a dozen", "half a dozen"]
)
_CURRENCY_BEFORE = re.compile(rf"{_CURRENCY}$", re.IGNORECASE)
# How every _CURRENCY_BEFORE match ends: tried first on two characters, as most numbers have
# no currency and the full search over the window is ten times slower.
_CURRENCY_END = re.compile(r"[$€£¥₹₽₪₩₺₴DRPYFS]\s?$", re.IGNORECASE)
# "between" and the qualifier before a number, matched on the reversed text before it: one
# anchored match instead of a search over a window.
_REVERSED_PREFIX = re.compile(
    r"(?:\s+(?:neewteb|morf)(?![^\W\d_]))?"
    rf"(?:\s+{word_trie(q[::-1] for q in _SPAN_QUALIFIERS)}(?![^\W\d_]))?",
    re.IGNORECASE,
)
_PREFIX_WINDOW = 32
_CURRENCY_CODE_SET = frozenset(_CURRENCY_CODES)
# The word right before a number that _REVERSED_PREFIX can take in: the last word of a
# qualifier, "between" or "from" (lower case; the pattern ignores case).
_PREFIX_LAST_WORDS = frozenset(
    [*(q.split()[-1].lower() for q in _SPAN_QUALIFIERS), "between", "from"]
)


def _may_end_currency(sentence: str, start: int) -> bool:
    """False only where _CURRENCY_END and _CURRENCY_BEFORE cannot both match before ``start``.

    _CURRENCY_END ends with a currency character and an optional space: the last character
    before ``start`` (or the one before that space). It is "$", a non-ASCII character (the
    symbols, and what the patterns' case folding decides), or the last letter of a currency
    code, which _CURRENCY_BEFORE then needs whole right there.
    """
    last = start - 1
    if last >= 0 and sentence[last].isspace():
        last -= 1
    if last < 0:
        return False
    char = sentence[last]
    if char == "$" or not char.isascii():
        return True
    code = sentence[max(0, last - 2) : last + 1]
    return not code.isascii() or code.upper() in _CURRENCY_CODE_SET


def _may_follow_prefix(sentence: str, start: int) -> bool:
    """False only where _REVERSED_PREFIX matches nothing before ``start``.

    A match is spaces, then (read backwards) "between", "from" or a qualifier ending at a word
    boundary: the word before the spaces must be the last word of one of them. Where the
    window may cut the word, or the word holds anything but ASCII letters, the pattern decides.
    """
    if not start or not sentence[start - 1].isspace():  # str.isspace is exactly re's \s
        return False
    parts = sentence[max(0, start - _PREFIX_WINDOW) : start].rstrip().rsplit(None, 1)
    if len(parts) < 2:
        return True
    word = parts[1]  # whitespace before it: when it is all ASCII letters, it is the whole word
    return not (word.isalpha() and word.isascii()) or word.lower() in _PREFIX_LAST_WORDS


def _prefix_start(sentence: str, position: int) -> int:
    """Where a figure whose number starts at ``position`` starts: qualifier, "between", "$"."""
    start = position
    if _may_end_currency(sentence, start):
        currency = _CURRENCY_END.search(sentence, max(0, start - 2), start)
        if currency:
            currency = _CURRENCY_BEFORE.search(sentence, max(0, start - 6), start)
        if currency:
            start = currency.start()
    if not _may_follow_prefix(sentence, start):
        return start
    head = sentence[max(0, start - _PREFIX_WINDOW) : start]
    words = _REVERSED_PREFIX.match(head[::-1])
    if words and words.end():
        start -= words.end()
        while sentence[start] in " \u00a0\t":  # the match ends on a word, never on a space
            start += 1
    return start


def _matches(sentence: str, words: AbstractSet[str] | None) -> list[re.Match[str]]:
    """Candidate figures, at most one per number, in text order."""
    found: list[re.Match[str]] = []
    covered = 0
    positions = [anchor.start() for anchor in _DIGITS_ANCHOR.finditer(sentence)]
    if (
        words is None
        or not _SPELLED_NUMBERS.isdisjoint(words)
        or (not _ARTICLES.isdisjoint(words) and not _ARTICLE_SCALES.isdisjoint(words))
    ):
        spelled = [anchor.start() for anchor in _WORD_ANCHOR.finditer(sentence)]
        if spelled:
            positions = sorted(positions + spelled)
    for position in positions:
        if position < covered:
            continue
        match = _FIGURE.match(sentence, _prefix_start(sentence, position))
        if match is None or match.start(_G_NUM + 1) != position:
            match = _FIGURE.match(sentence, position)
        if match is None:
            continue
        covered = match.end()
        found.append(match)
    return found


def find_figures(sentence: str, words: AbstractSet[str] | None = None) -> list[FoundFigure]:
    """Figure spans in ``sentence`` in text order, each with its parsed value.

    ``words``, the sentence's lower-case words, lets a sentence without number words skip
    looking for them.
    """
    return [FoundFigure(*found) for found in figure_tuples(sentence, words)]


def figure_tuples(
    sentence: str, words: AbstractSet[str] | None = None
) -> list[tuple[int, int, Figure, str]]:
    """``find_figures`` as (start, end, parsed, reason) tuples, for callers that build their
    own records from them (the suggester)."""
    found: list[tuple[int, int, Figure, str]] = []
    for match in _matches(sentence, words):
        groups = match.groups()
        if _is_excluded(sentence, match, groups):
            continue
        start = match.start()
        if groups[_G_BETWEEN] and not groups[_G_NUM2]:
            # "from 4 million litres" without a high end: "from" belongs to the sentence.
            start = match.start(_G_CUR + 1) if groups[_G_CUR] else match.start(_G_NUM + 1)
        end = _span_end(sentence, match, groups)
        while end > start and sentence[end - 1] in " \t-‐":
            end -= 1
        parsed = parse_figure(sentence[start:end])
        if parsed is None:
            continue
        found.append((start, end, parsed, _reason(groups)))
    return found
