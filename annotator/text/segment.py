"""Sentence segmentation for news text: blingfire plus a thin repair layer.

Blingfire (a compiled finite-state segmenter) proposes sentence starts. The rules here
drop the starts it gets wrong (after titles, initials and country abbreviations, inside
URLs and e-mail addresses, before a quote's attribution, after list markers, inside
ellipses) and add the few it misses (a title after a finished sentence, inline list
items). Every newline is a paragraph break and so always a boundary.

Offsets are Python code-point indices into the original string: blingfire's UTF-8 byte
offsets are converted, and its normalised output text is never used.
"""

from __future__ import annotations

import bisect
import ctypes
import re
from collections.abc import Iterator

import blingfire

from annotator.text.segment_rules import (
    COUNTRIES,
    COUNTRY_NAMES,
    NUMBERED,
    PERSONAL_TITLES,
    PLACE_PREFIXES,
    SENTENCE_STARTERS,
    SPEECH_VERBS,
    TIME_FOLLOWERS,
    TIMES,
    TITLE_WORDS,
    TITLES,
)

__all__ = ["split_sentences"]

# The compiled library the blingfire package loads (its module attribute `blingfire` in
# every 0.1.x release). Its Python wrapper maps offsets with a Python loop over every
# byte, stops at NUL bytes and asserts on empty input, so the function is called directly.
_LIB = blingfire.blingfire
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))

# How far the rules look either side of a proposed start. Bounded windows keep the repair
# layer linear on pathological input (a 1 MB line full of periods).
_WINDOW = 64
# Paragraphs go to blingfire in runs of about this many characters: one call per run,
# since a call's fixed cost exceeds the cost of a typical paragraph, yet bounded buffers
# (blingfire needs tens of bytes per input byte) on huge documents.
_RUN_LIMIT = 1 << 20

# Bidi controls and zero-width characters are invisible, but blingfire reads them as
# letters, so "sentence.\u202c The next" would not split. Blingfire sees spaces instead.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_TERMINAL = re.compile(r"[.!?…‼⁇⁈⁉。！？]")
_MARKDOWN_LINK = re.compile(r"\[[^\]\n]{0,500}\]\([^()\s]{1,2000}\)")
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+")
# An e-mail address is found from its "@" and domain, then extended back over its local
# part: a regex that started at the local part would be tried at every letter of the text.
_EMAIL_DOMAIN = re.compile(r"@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_EMAIL_LOCAL_CHARACTERS = frozenset("._+-")
_ABBREVIATION = re.compile(r"[A-Za-z](?:[A-Za-z.]*[A-Za-z])?")
_OPENING_PUNCTUATION = "\"'“‘«(["
_CLOSING_QUOTES = "\"'”’»"
_FIRST_WORD = re.compile(r"[\"'“‘«(\[]*(\w[\w'’-]*)")
_BRAND_START = re.compile(r"[a-z]+[A-Z]")  # iPhone, eBay: lowercase yet a sentence start
_SPACED_ELLIPSIS_END = re.compile(r"(?:^|[^.\s])\s*\.\s\.\s\.$")
_PERIOD_THEN_ELLIPSIS_END = re.compile(r"\w\.([^\S\n]\.[^\S\n]\.[^\S\n]\.)$")
_SPACED_DOTS = re.compile(r"\.[^\S\n]\.")
_QUOTE_CLOSE_END = re.compile(r"([.?!…])[\"'”’»]+$")
# Same-line whitespace: the rules below run over the whole text and never cross a newline.
_GAP = r"[^\S\n]+"
_TITLE_AFTER_END = re.compile(
    r"([.!?])(?<=[^.\s][.!?])[\"'”’)\]]*"
    + _GAP
    + r"(?=("
    + "|".join(sorted(TITLES))
    + r")\."
    + _GAP
    + r"[A-Z])"
)
# No lookbehind in front (it would be tried at every character); callers check that the
# abbreviation is a whole word.
_COUNTRY_THEN_COUNTRY = re.compile(
    r"(?:"
    + "|".join(re.escape(c) for c in sorted(COUNTRIES, key=len, reverse=True))
    + r")\."
    + _GAP
    + r"(?=(?:"
    + "|".join(sorted(COUNTRY_NAMES))
    + r")\b)"
)
_LIST_START = re.compile(r"(?:([•⁃▪◦‣∙])[^\S\n]*)?(?:(\d{1,3}|[a-z])(\.\)|\)|\.)(?=\s))?")
_SAME_LINE_SPACES = re.compile(r"[^\S\n]*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) character offsets (Python str indices, code points) of each sentence in text."""  # noqa: E501
    paragraphs = list(_paragraphs(text))
    if not paragraphs:
        return []
    starts = _repair(text, paragraphs, _proposed_starts(text, paragraphs))
    spans: list[tuple[int, int]] = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        # A piece runs to the next start, so it may carry spaces and a newline at its end.
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            begin = start + len(piece) - len(piece.lstrip())
            spans.append((begin, begin + len(stripped)))
    return spans


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield the stripped, non-blank lines of text as (start, end)."""
    position = 0
    while position <= len(text):
        newline = text.find("\n", position)
        end = len(text) if newline < 0 else newline
        line = text[position:end]
        stripped = line.strip()
        if stripped:
            begin = position + len(line) - len(line.lstrip())
            yield begin, begin + len(stripped)
        position = end + 1


def _proposed_starts(text: str, paragraphs: list[tuple[int, int]]) -> list[int]:
    """Blingfire's sentence starts in text, sorted, from runs of whole paragraphs.

    Blingfire does not treat a newline as a boundary; _repair adds every paragraph start
    and checks whatever blingfire proposes near one.
    """
    proposed: list[int] = []
    index = 0
    while index < len(paragraphs):
        run_start, run_end = paragraphs[index]
        index += 1
        while index < len(paragraphs) and paragraphs[index][1] - run_start <= _RUN_LIMIT:
            run_end = paragraphs[index][1]
            index += 1
        run = text[run_start:run_end]
        # Without terminal punctuation there is nothing to find: skip long unpunctuated runs.
        if _TERMINAL.search(run):
            proposed.extend(run_start + offset for offset in _blingfire_starts(run))
    return proposed


def _blingfire_starts(run: str) -> list[int]:
    """Code-point offsets of blingfire's sentence starts in run, after the first."""
    if not run.isascii():
        run = _INVISIBLE.sub(" ", run)  # one code point for one, so offsets hold
    # "replace" turns a lone surrogate into "?", again one code point for one.
    data = run.encode("utf-8", "replace")
    size = len(data)
    # The output text and the start-offset array must each hold 2 * size + 1 entries
    # (the library's own sizing); end offsets are not needed, so no array is passed.
    capacity = 2 * size + 1
    out = ctypes.create_string_buffer(capacity)
    starts = (ctypes.c_int32 * capacity)()
    written = _LIB.TextToSentencesWithOffsets(data, size, out, starts, None, capacity)
    if written <= 0 or written > capacity:
        return []
    count = min(ctypes.string_at(out, written).count(b"\n") + 1, capacity)  # a line each
    byte_starts = sorted({b for b in starts[1:count] if 0 < b < size})
    if run.isascii():
        return byte_starts
    # Code points before a byte offset = bytes before it that are not continuation bytes.
    result: list[int] = []
    previous_byte = previous_char = 0
    for b in byte_starts:
        previous_char += len(data[previous_byte:b].translate(None, _CONTINUATION_BYTES))
        previous_byte = b
        result.append(previous_char)
    return result


def _repair(text: str, paragraphs: list[tuple[int, int]], proposed: list[int]) -> list[int]:
    """Sorted sentence starts: paragraph starts plus the proposed starts that survive."""
    forced = {start for start, _ in paragraphs}
    dropped: set[int] = set()
    for start, end in paragraphs:
        _apply_list_items(text, start, end, proposed, forced, dropped)
    candidates = _move_before_ellipsis(text, sorted(forced.union(proposed) - dropped), forced)
    kept = _drop_false_starts(text, candidates, forced)
    return _add_missed_starts(text, kept)


def _apply_list_items(
    text: str, start: int, end: int, proposed: list[int], forced: set[int], dropped: set[int]
) -> None:
    """Start a sentence at each item of an inline list that opens the paragraph.

    "1) The first item 2) The second item" and "a. One b. Two" are lists when the
    paragraph opens with the first marker; later markers must count on from it. A start
    right after a marker ("1. | The first item") is dropped: the marker opens its item.
    """
    if text[start].isupper():
        return  # the cheap test first: most paragraphs open with a capital letter
    first = _LIST_START.match(text, start, end)
    if first is None or first.end() == start:
        return
    bullet, label, close = first.groups()
    markers = [first.span()]
    if bullet:
        pattern = re.compile(
            r"(?<=\s)" + re.escape(bullet) + r"[^\S\n]*(?:\w{1,3}[.)]{1,2}(?=\s))?"
        )
        markers += [m.span() for m in pattern.finditer(text, first.end(), end)]
    else:
        while True:
            label = str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)
            found = _find_marker(text, label + close, markers[-1][1], end)
            if found < 0:
                break
            markers.append((found, found + len(label + close)))
    for marker_start, marker_end in markers:
        after = _SAME_LINE_SPACES.match(text, marker_end).end()
        low, high = (
            bisect.bisect_right(proposed, marker_start),
            bisect.bisect_right(proposed, after),
        )
        dropped.update(proposed[low:high])
        forced.add(marker_start)


def _find_marker(text: str, marker: str, position: int, end: int) -> int:
    """Index of the next marker in text[position:end] standing between spaces, or -1."""
    while (found := text.find(marker, position, end)) > 0:
        after = found + len(marker)
        if text[found - 1].isspace() and after < end and text[after].isspace():
            return found
        position = found + 1
    return -1


def _move_before_ellipsis(text: str, candidates: list[int], forced: set[int]) -> list[int]:
    """A period followed by an ellipsis ends the sentence at the period.

    "compounds. . . . The practice" splits after "compounds." and the ellipsis opens
    the next sentence (the Pragmatic Segmenter's rule, after MLA usage).
    """
    if not _SPACED_DOTS.search(text):
        return candidates
    moved = []
    for cut in candidates:
        window_start = max(0, cut - _WINDOW)
        left = text[window_start:cut].rstrip()
        found = None
        if cut not in forced and left.endswith(". ."):
            found = _PERIOD_THEN_ELLIPSIS_END.search(left)
        moved.append(window_start + found.start(1) if found else cut)
    return sorted(set(moved))


def _drop_false_starts(text: str, candidates: list[int], forced: set[int]) -> list[int]:
    """Keep the forced starts and the candidates that really start a sentence."""
    protected = _protected_spans(text)
    kept: list[int] = []
    start = 0
    for cut in candidates:
        if cut in forced or not (_inside(protected, cut) or _is_false_start(text, start, cut)):
            kept.append(cut)
            start = cut
    return kept


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint spans no boundary may fall inside: URLs, e-mails, markdown links."""
    spans: list[tuple[int, int]] = []
    if "](" in text:
        spans += [m.span() for m in _MARKDOWN_LINK.finditer(text)]
    if "://" in text or "www." in text:
        spans += [m.span() for m in _URL.finditer(text)]
    if "@" in text:
        spans += _email_spans(text)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # a URL lies inside its markdown link: merge them
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _email_spans(text: str) -> list[tuple[int, int]]:
    """Spans of e-mail addresses (local part of at most 64 characters)."""
    spans = []
    for domain in _EMAIL_DOMAIN.finditer(text):
        start = at = domain.start()
        while start > max(0, at - 64) and (
            text[start - 1].isalnum() or text[start - 1] in _EMAIL_LOCAL_CHARACTERS
        ):
            start -= 1
        if start < at:
            spans.append((start, domain.end()))
    return spans


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether position falls strictly inside one of the sorted, disjoint spans."""
    index = bisect.bisect_left(spans, position, key=lambda span: span[0]) - 1
    return index >= 0 and position < spans[index][1]


def _is_false_start(text: str, start: int, cut: int) -> bool:
    """Whether the sentence proposed at cut really continues the one at start."""
    # start is the last kept start, so left never reaches into the previous paragraph.
    left = text[max(start, cut - _WINDOW) : cut].rstrip()
    right = text[cut : cut + _WINDOW].partition("\n")[0].lstrip()
    if not left or not right:
        return True
    word_match = _FIRST_WORD.match(right)
    word = word_match.group(1) if word_match else ""
    if word[:1].islower() and not _BRAND_START.match(word):
        return True  # sentences do not start in lowercase: '"Great." she said.'
    if left.endswith(". .") and _SPACED_ELLIPSIS_END.search(left):
        return True  # " . . ." marks an omission inside the sentence
    token = _final_abbreviation(left)
    if token and _continues_abbreviation(token, right, word):
        return True
    if token in PLACE_PREFIXES and left == token + ".":
        return True  # the sentence so far is "St." alone
    if left[-1] not in _CLOSING_QUOTES:
        return False
    quote = _QUOTE_CLOSE_END.search(left)
    return bool(quote) and _is_attribution(right, quote.group(1))


def _final_abbreviation(left: str) -> str:
    """The abbreviation left ends with, without its final period ("U.S" for "the U.S."), or ""."""
    if not left.endswith("."):
        return ""
    word = left.rsplit(None, 1)[-1].lstrip(_OPENING_PUNCTUATION)[:-1]
    return word if _ABBREVIATION.fullmatch(word) else ""


def _continues_abbreviation(token: str, right: str, word: str) -> bool:
    """Whether the text after the abbreviation token continues its sentence."""
    upper = word[:1].isupper()
    if token in TITLES:
        return upper or right[:1].isdigit()  # "Sen. | Smith"
    if token in NUMBERED and right[:1].isdigit():
        return True  # "No. 5", "Jan. 14"
    if token in COUNTRIES:
        return word in TITLE_WORDS  # "U.S. President", but "the U.S. The talks"
    if token in TIMES:
        return word in TIME_FOLLOWERS  # "3 p.m. Monday"
    # A middle initial ("George W. Bush"); "I." is the pronoun, "vitamin C. The" an end.
    return (
        len(token) == 1
        and token.isupper()
        and token != "I"
        and upper
        and word not in SENTENCE_STARTERS
    )


def _is_attribution(right: str, mark: str) -> bool:
    """Whether right opens with the attribution of the quote just closed with mark.

    After a quoted question or exclamation, capitalised speaker words and a verb of
    saying continue the sentence ('"Why now?" Moreno asked reporters.'). After a quoted
    statement only a bare attribution does ('"It is over." Smith said.'), since
    '"It is over." He said the army ...' starts a new sentence.
    """
    words = right.split(None, 6)
    for index, raw in enumerate(words[1:6], start=1):
        verb = raw.rstrip(".,;:!?")
        if verb in SPEECH_VERBS:
            if not all(w[:1].isupper() for w in words[:index]):
                return False
            return mark in "?!" or raw != verb or index == len(words) - 1
        if not raw[:1].isupper():
            return False
    return False


def _add_missed_starts(text: str, kept: list[int]) -> list[int]:
    """Add the sentence starts blingfire misses.

    A title after a finished sentence starts the next one ("... the building. Dr. Reyes
    stayed", "... at 6 P.M. Mr. Smith then went"), but not after a time that opens its
    sentence ("At 5 a.m. Mr. Smith went"). A country name after a country abbreviation
    starts one too ("... by the U.K. France called ...").
    """
    existing = set(kept)
    added = {
        match.end()
        for match in _TITLE_AFTER_END.finditer(text)
        if match.end() not in existing and _ends_before_title(text, kept, match)
    }
    added.update(
        match.end()
        for match in _COUNTRY_THEN_COUNTRY.finditer(text)
        if match.start() == 0
        or not (text[match.start() - 1].isalnum() or text[match.start() - 1] == ".")
    )
    added -= existing
    return sorted(existing | added) if added else kept


def _ends_before_title(text: str, kept: list[int], match: re.Match[str]) -> bool:
    """Whether the punctuation of a _TITLE_AFTER_END match ends its sentence."""
    mark = match.start(1)
    if text[mark + 1] in _CLOSING_QUOTES:
        # '"Enough!" Dr. Abu-Sittah told reporters.': the title opens the attribution.
        right = text[match.end() : match.end() + _WINDOW].partition("\n")[0]
        return not _is_attribution(right, text[mark])
    token = _final_abbreviation(text[max(0, mark - _WINDOW) : mark + 1])
    if not token:
        return True
    if token in TIMES:
        token_start = mark - len(token)
        sentence_start = kept[bisect.bisect_right(kept, mark) - 1]
        opening = text[max(sentence_start, token_start - _WINDOW) : token_start]
        return len(opening.split()) > 3  # "At 5 a.m. Mr. Smith went" keeps its opening
    if token in TITLES or len(token) == 1:
        return False  # "Lt. Col. Greene", "John F. Dr." is not an ending
    if "." in token:
        return match.group(2) in PERSONAL_TITLES  # "U.S. Sen. Warren", "the U.S. Mr. Biden"
    return True
