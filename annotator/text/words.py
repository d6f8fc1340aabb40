"""Word segmentation for the keyboard word cursor (no Textual here).

The rule, applied to each run of non-whitespace characters:

* Leading and trailing punctuation (Unicode categories ``P*``: quotes,
  brackets, dashes, ``.,;:!?`` and the like) is trimmed; punctuation inside
  the run stays, so ``Al-Qanoua``, ``Gaza's`` and ``U.S`` keep their inner
  hyphen, apostrophe and dot.
* Symbols are not punctuation and stay: ``$53``, ``€5``, ``+3`` are words.
* Kept at the ends although they are punctuation, because they belong to the word:
  a trailing ``%``/``‰``/``‱`` (``40%``); a leading ``#`` or ``@`` before a letter
  or digit (hashtags, handles); a leading ``-`` or ``.`` before a digit (``-5``,
  ``.5``); the final dot of a dotted abbreviation whose pieces are one or two
  letters (``U.S.``, ``e.g.``, ``Ph.D.``; ``example.org.`` loses it).
* A trailing apostrophe (``'`` or ``’``) directly after ``s``/``S`` is a
  possessive and stays (``Hamas’``), unless a single quotation opened earlier
  in the text is still open, in which case it closes that quotation and is
  trimmed (``‘the talks’`` → ``the``, ``talks``).
* Han ideographs and kana are words of one character each, since those scripts
  put no spaces between words and a whole run would be a whole sentence.
* A run that is only punctuation is not a word.

Offsets are code-point offsets into ``text``, like annotation offsets.
"""

from __future__ import annotations

import unicodedata

_APOSTROPHES = frozenset("'\u2019")
_OPENING_SINGLE_QUOTES = frozenset("'\u2018\u201a\u2039")
_KEEP_TRAILING = frozenset("%\u2030\u2031")
_KEEP_LEADING_BEFORE_ALNUM = frozenset("#@")
_KEEP_LEADING_BEFORE_DIGIT = frozenset("-.")

# Han ideographs (with extensions and compatibility forms), hiragana and katakana.
_CJK_RANGES = (
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_abbreviation(body: str) -> bool:
    """``U.S``, ``e.g``, ``Ph.D``: dotted pieces of one or two letters each."""
    pieces = body.split(".")
    return len(pieces) > 1 and all(1 <= len(piece) <= 2 and piece.isalpha() for piece in pieces)


def _trim(text: str, start: int, end: int, quote_open: bool) -> tuple[tuple[int, int] | None, bool]:
    """The word inside ``text[start:end]`` (no whitespace there), or ``None``.

    ``quote_open`` says a single quotation opened earlier in the text is still
    open; the updated flag is returned with the word.
    """
    while start < end and _is_punctuation(text[start]):
        char = text[start]
        following = text[start + 1] if start + 1 < end else ""
        if char in _KEEP_LEADING_BEFORE_ALNUM and following.isalnum():
            break
        if char in _KEEP_LEADING_BEFORE_DIGIT and following.isdigit():
            break
        quote_open = quote_open or char in _OPENING_SINGLE_QUOTES
        start += 1
    while end > start and _is_punctuation(text[end - 1]):
        char = text[end - 1]
        preceding = text[end - 2] if end - 2 >= start else ""
        if char in _KEEP_TRAILING and preceding and not _is_punctuation(preceding):
            break
        if char in _APOSTROPHES:
            if preceding in ("s", "S") and not quote_open:
                break
            # Otherwise it closes the open quotation.
            quote_open = False
        if char == "." and _is_abbreviation(text[start : end - 1]):
            break
        end -= 1
    return ((start, end) if start < end else None), quote_open


def word_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every word in ``text``, in order, non-overlapping."""
    spans: list[tuple[int, int]] = []
    quote_open = False
    position = 0
    length = len(text)
    while position < length:
        if text[position].isspace():
            position += 1
            continue
        run_start = position
        while position < length and not text[position].isspace():
            position += 1
        piece_start = run_start
        for index in range(run_start, position):
            if _is_cjk(text[index]):
                if piece_start < index:
                    span, quote_open = _trim(text, piece_start, index, quote_open)
                    if span:
                        spans.append(span)
                spans.append((index, index + 1))
                piece_start = index + 1
        if piece_start < position:
            span, quote_open = _trim(text, piece_start, position, quote_open)
            if span:
                spans.append(span)
    return spans
