"""Parsing figure spans ("over $53 billion", "10-15 crossings") into value, unit and qualifier.

The result prefills the figure form, so the parser prefers a plausible guess the annotator can
correct over giving up. It never raises, and returns None only when the span holds no number.

Decisions worth knowing:

- Vague quantity words ("dozens", "several", "hundreds of", "thousands") are not numbers: a span
  holding only those parses to None, since any value would be invented.
- Only the first number in the span is read (plus the high end of a range right after it).
- A plain ASCII space never groups thousands ("March 3 200 protesters" would read as 3200);
  thin, narrow no-break, no-break and figure spaces do ("1 000").
- "100m" is 100 million, never metres; "pounds" is GBP only after a scale word ("5 million
  pounds"), otherwise it is the counted noun (weight); "¥" is read as JPY.
- A "range" whose high end is below its low end ("3-1", "from 10 to 5") is a score or a change,
  not a range: only the first number is kept. "2019-20" is read as 2019 to 2020.
- Digits glued to letters before them are names, not figures ("COVID-19", "F-16", "G20",
  "mid-2020"); ordinals and decades ("12th", "1990s") are skipped too.
"""

from __future__ import annotations

import math
import re
from decimal import Context, Decimal
from typing import NamedTuple

from db.values import Figure

__all__ = ["CURRENCY_WORDS", "QUALIFIER_PHRASES", "Figure", "format_figure", "parse_figure"]


# --- word lists ----------------------------------------------------------------------------

_SMALL: dict[str, int] = {
    word: n
    for n, word in enumerate(
        [
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen",
        ]
    )
}
_TENS: dict[str, int] = {
    word: 10 * n
    for n, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2
    )
}
_UNITS = frozenset(word for word, n in _SMALL.items() if 1 <= n <= 9)
_WORD_SCALES: dict[str, int] = {
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "lakh": 10**5,
    "crore": 10**7,
}
# Words that may follow "a"/"an" or "half a" to make a number ("a dozen", "half a million").
_A_SCALES: dict[str, int] = {**_WORD_SCALES, "hundred": 100, "dozen": 12}
_NUMBER_WORDS = frozenset({*_SMALL, *_TENS, *_A_SCALES})
_WORD_STARTERS = frozenset({*_SMALL, *_TENS, "a", "an", "half"})

# Scale words after digits ("2.5 million", "3 bn", "$5-million").
_SCALE_WORDS: dict[str, int] = {
    **_A_SCALES,
    "lakhs": 10**5,
    "crores": 10**7,
    "bn": 10**9,
    "mn": 10**6,
    "mln": 10**6,
    "tn": 10**12,
    "trn": 10**12,
}
# Single letters are scales only when glued to the digits ("2.5m", "4k"), never after a space.
_GLUED_SCALES: dict[str, int] = {**_SCALE_WORDS, "k": 10**3, "m": 10**6, "b": 10**9}
# Glued endings that make the digits an ordinal or a decade, not a quantity.
_NOT_QUANTITY = frozenset({"st", "nd", "rd", "th", "s"})

_CURRENCY_SYMBOLS: dict[str, str] = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₽": "RUB",
    "₪": "ILS",
    "₩": "KRW",
    "₺": "TRY",
    "₴": "UAH",
}
# Letters glued before "$" ("US$", "A$", "HK$").
_DOLLAR_PREFIXES: dict[str, str] = {
    "us": "USD",
    "a": "AUD",
    "au": "AUD",
    "c": "CAD",
    "ca": "CAD",
    "hk": "HKD",
    "nz": "NZD",
    "s": "SGD",
    "sg": "SGD",
}
# Codes that are also English words ("try", "all", "mad") are left out on purpose.
_ISO_CODES: dict[str, str] = {
    code.lower(): code
    for code in (
        "USD", "EUR", "GBP", "JPY", "CHF", "CNY", "INR", "AUD", "CAD", "RUB", "ILS", "SGD", "HKD",
        "NZD", "SEK", "NOK", "DKK", "ZAR", "BRL", "MXN", "KRW", "UAH"
    )
} | {"rmb": "CNY"}
_DOLLARS = frozenset({"dollar", "dollars"})
# The word before "dollars" picks the currency ("Hong Kong dollars": "kong").
_DOLLAR_MODIFIERS: dict[str, str] = {
    "us": "USD",
    "american": "USD",
    "australian": "AUD",
    "canadian": "CAD",
    "singapore": "SGD",
    "zealand": "NZD",
    "kong": "HKD",
}
_CURRENCY_WORDS: dict[str, str] = {
    "euro": "EUR",
    "euros": "EUR",
    "sterling": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rupee": "INR",
    "rupees": "INR",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "shekel": "ILS",
    "shekels": "ILS",
    "hryvnia": "UAH",
    "hryvnias": "UAH",
}
_POUNDS = frozenset({"pound", "pounds"})
# Words after a number that make it money ("53 billion dollars", "5 million pounds").
CURRENCY_WORDS = frozenset({*_DOLLARS, *_CURRENCY_WORDS, *_POUNDS})

_DURATIONS: dict[str, str] = {
    "second": "second",
    "seconds": "second",
    "minute": "minute",
    "minutes": "minute",
    "hour": "hour",
    "hours": "hour",
    "hr": "hour",
    "hrs": "hour",
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
    "yr": "year",
    "yrs": "year",
    "decade": "decade",
    "decades": "decade",
}

# Phrase before the number -> normalized qualifier. Longest phrase wins ("just over" > "over").
_QUALIFIERS: dict[str, str] = {
    phrase: phrase
    for phrase in (
        "over",
        "more than",
        "greater than",
        "nearly",
        "about",
        "at least",
        "up to",
        "less than",
        "under",
        "almost",
        "around",
        "some",
        "approximately",
        "roughly",
        "fewer than",
        "at most",
        "above",
        "below",
        "close to",
        "just over",
        "just under",
        "well over",
        "well under",
        "well above",
        "well below",
        "as many as",
        "as much as",
        "as few as",
        "as little as",
        "upwards of",
        "in excess of",
        "no fewer than",
        "no more than",
        "no less than",
        "not more than",
        "not less than",
        "estimated",
        "circa",
        "exactly",
        "precisely",
        "only",
        "just",
    )
} | {"an estimated": "estimated", "approx": "approximately", "around about": "around"}
# Phrases that may stand before a number as its qualifier (the suggester extends spans over them).
QUALIFIER_PHRASES = frozenset(_QUALIFIERS)
# Abbreviations written with a period before the number ("approx. 500", "c. 1,200").
_ABBREVIATED_QUALIFIERS: dict[str, str] = {
    "approx": "approximately",
    "ca": "circa",
    "c": "circa",
    "est": "estimated",
}
_SYMBOL_QUALIFIERS: dict[str, str] = {
    "~": "approximately",
    "≈": "approximately",
    "<": "less than",
    ">": "more than",
    "≤": "at most",
    "≥": "at least",
}
_MAX_QUALIFIER_WORDS = 3

# Words that end the noun phrase after a number: function words and common reporting verbs.
_STOP = frozenset(
    [
        "a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "our",
        "my", "your", "whose", "which", "who", "whom", "what", "where", "when", "while", "of", "in",
        "on", "at", "to", "for", "from", "by", "with", "without", "into", "onto", "over", "under",
        "across", "since", "during", "after", "before", "between", "among", "amongst", "against",
        "per", "via", "through", "throughout", "about", "around", "near", "within", "outside",
        "inside", "including", "like", "than", "as", "toward", "towards", "upon", "amid", "amidst",
        "along", "beyond", "despite", "until", "till", "up", "down", "off", "out", "and", "or",
        "but", "nor", "so", "yet", "because", "if", "although", "though", "whereas", "unless",
        "whether", "is", "are", "was", "were", "be", "been", "being", "am", "pm", "has", "have",
        "had", "do", "does", "did", "will", "would", "could", "should", "may", "might", "must",
        "can", "shall", "said", "say", "says", "told", "according", "reported", "ago", "later",
        "earlier", "old", "long", "each", "every", "apiece", "alone", "respectively", "it", "they",
        "them", "he", "she", "we", "you", "i", "him", "me", "there", "here", "not", "no", "also",
        "still", "even", "already", "worth",
    ]
)
# Words that can open a noun phrase but never head it ("10 more soldiers" vs "10 more than").
_NOT_HEAD = frozenset(
    [
        "more", "less", "fewer", "other", "additional", "extra", "further", "many", "much", "some",
        "all", "both", "only", "own", "such", "whole",
    ]
)
# After the first word, a participle or adverb ends the noun phrase ("5 people killed").
_VERBISH = ("ed", "ing", "ly")
_MAX_NOUN_WORDS = 5

# --- tokens ---------------------------------------------------------------------------------

_NUM, _WORD, _SYM = 0, 1, 2  # the number of the token pattern's group that matched, minus 2
# A token's fields by index: CPython 3.11 specializes tuple indexing but not NamedTuple
# attribute access, and the parser reads token fields a few dozen times per figure.
_KIND, _TEXT, _SPACED = 0, 1, 2

# Hyphens, en and em dashes and the minus sign all read as "-" (ranges, signs, compounds).
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
)
_GROUP_SEPARATORS = ",\u00a0\u2009\u202f\u2007"
_STRIP_SEPARATORS = str.maketrans(dict.fromkeys(_GROUP_SEPARATORS, None))
_TOKEN = re.compile(
    r"(\s*)(?:"
    rf"([0-9]{{1,3}}(?:[{_GROUP_SEPARATORS}][0-9]{{3}})+(?![0-9])(?:\.[0-9]+)?"
    r"|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"|([^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(\S))"
)
_SIGNS = frozenset({"-", "+"})
_OPENERS = frozenset({"(", "[", "{", "/", *_CURRENCY_SYMBOLS})

# Integers up to this many digits times any scale stay well inside the Decimal precision.
_EXACT_DIGITS = 15
# Overflow turns into Infinity instead of raising; the finite check then drops the number.
_DECIMAL = Context(prec=34, traps=[])


class _Tok(NamedTuple):
    kind: int
    text: str
    spaced: bool  # whitespace right before it: "2.5m" has a scale suffix, "2.5 m" does not


class _Qty(NamedTuple):
    value: float
    base: float  # the number before its scale word: 3 in "3 million"
    scale: float  # 1.0 without a scale word
    end: int  # index of the first token after the quantity
    digits: str  # the digits of a plain unscaled integer, for "2019-20"; "" otherwise


def _tokenize(text: str) -> list[_Tok]:
    if text.isascii():  # every character _DASHES maps is outside ASCII
        return _ascii_tokens(text.lower())
    return _pattern_tokens(text.translate(_DASHES).lower(), False)


def _pattern_tokens(text: str, spaced: bool) -> list[_Tok]:
    """The tokens of ``text``; ``spaced``: whitespace stood before it."""
    # Group 1 is the leading space; exactly one of groups 2-4 (number, word, symbol) matched
    # after it, and each of those matches at least one character: the non-empty one names
    # the kind. findall gives the groups as tuples without building match objects, and
    # tuple.__new__ skips the Python-level _Tok.__new__ (a token is built for every word).
    toks = []
    for space, number, word, symbol in _TOKEN.findall(text):
        spaced = spaced or space != ""
        if number:
            toks.append(_new_tuple(_Tok, (_NUM, number, spaced)))
        elif word:
            toks.append(_new_tuple(_Tok, (_WORD, word, spaced)))
        else:
            toks.append(_new_tuple(_Tok, (_SYM, symbol, spaced)))
        spaced = False
    return toks


def _ascii_tokens(text: str) -> list[_Tok]:
    """``_pattern_tokens(text, False)`` for lower-case ASCII text, piece by piece between spaces.

    No token holds a space (in ASCII text the only digit group separator is ","), so the pieces
    tokenize alone, the first token of each but the first being spaced. A piece of only letters
    or only digits is one token, told with str methods (the pattern costs about six times as
    much); the others go through the pattern.
    """
    toks: list[_Tok] = []
    spaced = False
    for piece in text.split(" "):
        if not piece:
            spaced = True  # the text opens with a space, or two spaces follow one another
            continue
        if piece.isalpha():
            toks.append(_new_tuple(_Tok, (_WORD, piece, spaced)))
        elif piece.isdigit():
            toks.append(_new_tuple(_Tok, (_NUM, piece, spaced)))
        else:
            toks += _pattern_tokens(piece, spaced)
        spaced = True
    return toks


_new_tuple = tuple.__new__


def _glued(toks: list[_Tok], i: int) -> bool:
    """Whether toks[i] follows toks[i - 1] with no space between."""
    return i < len(toks) and not toks[i][_SPACED]


# --- quantities -----------------------------------------------------------------------------


def _sign_allowed(toks: list[_Tok], i: int) -> bool:
    # A dash is a minus sign only where it cannot be a range dash or a hyphen ("10-15", "F-16").
    if toks[i][_KIND] != _SYM or toks[i][_TEXT] not in _SIGNS:
        return False
    return i == 0 or toks[i][_SPACED] or toks[i - 1][_TEXT] in _OPENERS


def _part_of_name(toks: list[_Tok], i: int) -> bool:
    """Digits glued to letters are codes or names (COVID-19, F-16, G20), not figures."""
    if i == 0 or toks[i][_SPACED]:
        return False
    prev = toks[i - 1]
    if prev[_KIND] == _WORD:
        return prev[_TEXT] not in _ISO_CODES  # "USD5" is still money
    return prev[_TEXT] == "-" and not prev[_SPACED] and i >= 2 and toks[i - 2][_KIND] == _WORD


def _digits_at(toks: list[_Tok], i: int, allow_sign: bool) -> _Qty | None:
    n = len(toks)
    negative = False
    if allow_sign and toks[i][_TEXT] in _SIGNS and toks[i][_KIND] == _SYM:
        if not (i + 1 < n and toks[i + 1][_KIND] == _NUM and _glued(toks, i + 1)):
            return None
        negative = toks[i][_TEXT] == "-"
        i += 1
    elif toks[i][_KIND] != _NUM or _part_of_name(toks, i):
        return None
    raw = toks[i][_TEXT]
    # In ASCII digits the comma is the only separator (str.translate is several times slower).
    raw = raw.replace(",", "") if raw.isascii() else raw.translate(_STRIP_SEPARATORS)
    j = i + 1
    scale = 1
    if j < n and toks[j][_KIND] == _WORD and _glued(toks, j):
        if toks[j][_TEXT] in _NOT_QUANTITY:
            return None
        if toks[j][_TEXT] in _GLUED_SCALES:
            scale = _GLUED_SCALES[toks[j][_TEXT]]
            j += 1
    if scale == 1:
        # Up to two scale words ("5 hundred thousand"), possibly hyphenated ("$5-million").
        for _ in range(2):
            k = j
            if k + 1 < n and toks[k][_TEXT] == "-" and _glued(toks, k) and _glued(toks, k + 1):
                k += 1
            if k >= n or toks[k][_KIND] != _WORD or toks[k][_TEXT] not in _SCALE_WORDS:
                break
            scale *= _SCALE_WORDS[toks[k][_TEXT]]
            j = k + 1
    digits = raw.replace(".", "", 1)
    if digits.isdigit() and len(digits) <= _EXACT_DIGITS:
        # Integer arithmetic is exact here (scales are powers of ten and 12), so it gives the
        # same float as the Decimal product below, several times faster; with a decimal
        # point, int / int is the correctly rounded quotient, as float(Decimal) is.
        whole = int(digits)
        if len(digits) == len(raw):
            value = float(whole * scale)
            base = float(whole)
        else:
            places = 10 ** (len(raw) - 1 - raw.index("."))
            value = whole * scale / places
            base = whole / places
    else:
        number = Decimal(raw)
        value = float(_DECIMAL.multiply(number, Decimal(scale)))
        base = float(_DECIMAL.plus(number))
        if not math.isfinite(value):
            return None
    if negative:
        value, base = -value, -base
    plain = raw if scale == 1 and not negative and len(digits) == len(raw) else ""
    return _new_tuple(_Qty, (value, base, float(scale), j, plain))


def _words_at(toks: list[_Tok], i: int, allow_and: bool) -> _Qty | None:
    n = len(toks)
    first = toks[i][_TEXT]
    if first == "half":
        if i + 2 < n and toks[i + 1][_TEXT] in ("a", "an") and toks[i + 2][_TEXT] in _A_SCALES:
            scale = _A_SCALES[toks[i + 2][_TEXT]]
            return _Qty(scale / 2, 0.5, float(scale), i + 3, "")
        return None
    total = group = 0
    last = ""  # kind of the previous word: "", a, unit, tens, hundred, scale, and
    after_and = False
    scale_used = 1
    j = end = i
    if first in ("a", "an"):
        if not (i + 1 < n and toks[i + 1][_TEXT] in _A_SCALES):
            return None
        group, last, j = 1, "a", i + 1
    while j < n and toks[j][_KIND] == _WORD:
        word = toks[j][_TEXT]
        if word in _SMALL or word in _TENS:
            if not (last in ("", "hundred", "scale", "and") or (last == "tens" and word in _UNITS)):
                break
            group += _SMALL.get(word, 0) + _TENS.get(word, 0)
            last = "tens" if word in _TENS else "unit"
        elif word == "hundred":
            # After "and" a new hundred starts the next number ("one hundred and two hundred").
            if last not in ("unit", "tens", "a") or after_and or group >= 100:
                break
            group *= 100
            last = "hundred"
        elif word == "dozen":
            if last not in ("unit", "tens", "a"):
                break
            group *= 12
            j += 1
            end = j
            last = "dozen"
            break
        elif word in _WORD_SCALES:
            if last in ("", "scale", "and"):
                break
            scale_used = _WORD_SCALES[word]
            total += group * scale_used
            group = 0
            last = "scale"
            after_and = False
        elif (
            word == "and"
            and allow_and
            and last in ("hundred", "scale")
            and j + 1 < n
            and (toks[j + 1][_TEXT] in _SMALL or toks[j + 1][_TEXT] in _TENS)
        ):
            last = "and"
            after_and = True
        else:
            break
        j += 1
        if last != "and":
            end = j
        # The hyphen of "twenty-five" joins number words only; "five-year" keeps its hyphen.
        if (
            last == "tens"
            and j + 1 < n
            and toks[j][_TEXT] == "-"
            and _glued(toks, j)
            and _glued(toks, j + 1)
            and toks[j + 1][_TEXT] in _UNITS
        ):
            j += 1
    if end == i:
        return None
    value = float(total + group)
    if last == "scale":
        return _Qty(value, value / scale_used, float(scale_used), end, "")
    return _Qty(value, value, 1.0, end, "")


def _quantity_at(toks: list[_Tok], i: int, allow_sign: bool, allow_and: bool) -> _Qty | None:
    kind = toks[i][_KIND]
    if kind == _WORD:
        return _words_at(toks, i, allow_and) if toks[i][_TEXT] in _WORD_STARTERS else None
    return _digits_at(toks, i, allow_sign)


def _currency_before(toks: list[_Tok], i: int) -> tuple[str | None, int]:
    """The currency written right before toks[i], and where that prefix starts."""
    if i == 0:
        return None, i
    prev = toks[i - 1]
    if prev[_KIND] == _SYM and prev[_TEXT] in _CURRENCY_SYMBOLS:
        if prev[_TEXT] == "$" and i >= 2 and toks[i - 2][_KIND] == _WORD:
            letters = toks[i - 2][_TEXT]
            # "US $5" is common with a space; "A $5" would be the article, so others must glue.
            if letters in _DOLLAR_PREFIXES and (not prev[_SPACED] or letters == "us"):
                return _DOLLAR_PREFIXES[letters], i - 2
        return _CURRENCY_SYMBOLS[prev[_TEXT]], i - 1
    if prev[_KIND] == _WORD and prev[_TEXT] in _ISO_CODES:
        return _ISO_CODES[prev[_TEXT]], i - 1
    return None, i


# --- around the quantity --------------------------------------------------------------------


def _range_after(
    toks: list[_Tok], k: int, low: _Qty, marker: str
) -> tuple[float, float, _Qty, str | None] | None:
    """(low value, high value, high end, currency) when a range's high end starts at toks[k]."""
    n = len(toks)
    if k >= n:
        return None
    connector = toks[k][_TEXT]
    dash = connector == "-" and toks[k][_KIND] == _SYM
    if not (dash or connector == "to" or (connector == "and" and marker == "between")):
        return None
    k += 1
    currency = None
    if k < n and toks[k][_KIND] == _SYM and toks[k][_TEXT] in _CURRENCY_SYMBOLS:
        currency = _CURRENCY_SYMBOLS[toks[k][_TEXT]]
        k += 1
    if k >= n:
        return None
    high = _quantity_at(toks, k, allow_sign=not dash, allow_and=False)
    if high is None:
        return None
    low_value = low.value
    # "2 to 3 million" scales both ends; "500 to 1 million" does not.
    if low.scale == 1 and high.scale != 1 and low.value <= high.base:
        low_value = low.value * high.scale
    high_value = high.value
    if (
        dash
        and low.digits
        and high.digits
        and len(high.digits) < len(low.digits)
        and high_value < low_value
    ):
        # Abbreviated high end: "2019-20", "1990-95".
        high_value = float(low.digits[: len(low.digits) - len(high.digits)] + high.digits)
    if not (math.isfinite(low_value) and math.isfinite(high_value) and high_value >= low_value):
        return None
    return low_value, high_value, high, currency


def _percent_at(toks: list[_Tok], k: int) -> str | None:
    n = len(toks)
    if k >= n or toks[k][_KIND] != _WORD:
        return None
    word = toks[k][_TEXT]
    if word in ("percent", "pct"):
        return "percent"
    if word == "percentage" and k + 1 < n and toks[k + 1][_TEXT] in ("point", "points"):
        return "percentage point"
    if word == "per":
        k += 1
        if k + 1 < n and toks[k][_TEXT] == "-" and _glued(toks, k) and _glued(toks, k + 1):
            k += 1  # "40-per-cent"
        if k < n and toks[k][_TEXT] == "cent":
            return "percent"
    return None


def _noun_phrase(toks: list[_Tok], k: int) -> list[str]:
    """The words of the noun phrase starting at toks[k], without words that cannot head it."""
    n = len(toks)
    words: list[str] = []
    while k < n and len(words) < _MAX_NOUN_WORDS:
        tok = toks[k]
        if (
            words
            and tok[_TEXT] == "-"
            and tok[_KIND] == _SYM
            and _glued(toks, k)
            and k + 1 < n
            and toks[k + 1][_KIND] == _WORD
            and _glued(toks, k + 1)
        ):
            words[-1] += "-" + toks[k + 1][_TEXT]  # "Israeli-occupied"
            k += 2
            continue
        if tok[_KIND] != _WORD or tok[_TEXT] in _STOP or tok[_TEXT] in _NUMBER_WORDS:
            break
        if words and len(tok[_TEXT]) > 4 and tok[_TEXT].endswith(_VERBISH):
            break
        words.append(tok[_TEXT])
        k += 1
    while words and words[-1] in _NOT_HEAD:
        words.pop()
    return words


def _classify(words: list[str], scaled: bool) -> str:
    """The unit named by a noun phrase: a currency code, a singular duration or the head noun."""
    head = words[-1]
    if head in _DURATIONS:
        return _DURATIONS[head]
    if head in _ISO_CODES:
        return _ISO_CODES[head]
    if head in _DOLLARS:
        return _DOLLAR_MODIFIERS.get(words[-2], "USD") if len(words) > 1 else "USD"
    if head in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[head]
    if head in _POUNDS and scaled:
        return "GBP"
    return head


def _unit_after(toks: list[_Tok], k: int, scaled: bool) -> str | None:
    n = len(toks)
    if k >= n:
        return None
    tok = toks[k]
    if tok[_KIND] == _SYM:
        if tok[_TEXT] == "%":
            return "percent"
        if tok[_TEXT] in _CURRENCY_SYMBOLS:
            return _CURRENCY_SYMBOLS[tok[_TEXT]]  # "5 €"
        if tok[_TEXT] == "-" and _glued(toks, k) and k + 1 < n and toks[k + 1][_KIND] == _WORD:
            if not _glued(toks, k + 1):
                return None
            # Compound adjective: in "a five-year plan" the unit is "year", not "plan".
            return _percent_at(toks, k + 1) or _classify([toks[k + 1][_TEXT]], scaled)
        return None
    percent = _percent_at(toks, k)
    if percent is not None:
        return percent
    words = _noun_phrase(toks, k)
    return _classify(words, scaled) if words else None


def _qualifier_before(toks: list[_Tok], k: int) -> str | None:
    """The qualifier ending right before toks[k]."""
    if k <= 0:
        return None
    prev = toks[k - 1]
    if prev[_KIND] == _SYM:
        if prev[_TEXT] in _SYMBOL_QUALIFIERS:
            return _SYMBOL_QUALIFIERS[prev[_TEXT]]
        if prev[_TEXT] == "." and k >= 2 and toks[k - 2][_KIND] == _WORD:
            return _ABBREVIATED_QUALIFIERS.get(toks[k - 2][_TEXT])
        return None
    words: list[str] = []
    j = k - 1
    while j >= 0 and len(words) < _MAX_QUALIFIER_WORDS and toks[j][_KIND] == _WORD:
        words.append(toks[j][_TEXT])
        j -= 1
    words.reverse()
    for size in range(len(words), 0, -1):
        phrase = " ".join(words[-size:])
        if phrase in _QUALIFIERS:
            return _QUALIFIERS[phrase]
    return None


def _build(
    toks: list[_Tok], low: _Qty, currency: str | None, start: int, marker: str
) -> Figure:
    n = len(toks)
    value = low.value
    value_max = None
    end = low.end
    scaled = low.scale >= 1000
    k = end
    low_percent = k < n and toks[k][_TEXT] == "%"
    if low_percent:
        k += 1  # "10%-15%"
    found = _range_after(toks, k, low, marker)
    if found is not None:
        value, value_max, high, high_currency = found
        end = high.end
        currency = currency or high_currency
        scaled = scaled or high.scale >= 1000
    else:
        low_percent = False
    plus = end < n and toks[end][_TEXT] == "+" and _glued(toks, end)
    if plus:
        end += 1  # "160,000+"
    unit = currency or _unit_after(toks, end, scaled)
    if unit is None and low_percent:
        unit = "percent"
    # "between"/"from" open a range; a qualifier may stand before them.
    qualifier = _qualifier_before(toks, start - 1 if marker in ("between", "from") else start)
    if qualifier is None and plus:
        qualifier = "more than"
    return Figure(value, unit, qualifier, value_max)  # positional: cheaper


# --- public API -----------------------------------------------------------------------------


def parse_figure(text: str) -> Figure | None:
    """Parse a figure span; None when it holds no number."""
    toks = _tokenize(text)
    for i, tok in enumerate(toks):
        if tok[_KIND] == _WORD and tok[_TEXT] not in _WORD_STARTERS:
            continue
        if tok[_KIND] == _SYM and tok[_TEXT] not in _SIGNS:
            continue
        currency, start = _currency_before(toks, i)
        marker = toks[start - 1][_TEXT] if start > 0 and toks[start - 1][_KIND] == _WORD else ""
        low = _quantity_at(toks, i, _sign_allowed(toks, i), allow_and=marker != "between")
        if low is not None:
            return _build(toks, low, currency, start, marker)
    return None


_RANGE_SEPARATOR = "-"


def _format_number(number: float) -> str:
    # Integers print without ".0"; other values use repr, the shortest round-tripping form.
    if number.is_integer():
        return str(int(number))
    return repr(number)


def format_figure(figure: Figure) -> str:
    """Render a figure for exports: "160000 casualties [over]", "10-15 crossings".

    ``figure.value`` must be set (a parsed figure always has one).
    """
    assert figure.value is not None, "format_figure needs a value"
    text = _format_number(figure.value)
    if figure.value_max is not None:
        text += _RANGE_SEPARATOR + _format_number(figure.value_max)
    if figure.unit:
        text += " " + figure.unit
    if figure.qualifier:
        text += f" [{figure.qualifier}]"
    return text
