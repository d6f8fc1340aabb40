"""Sentence segmentation for news text: blingfire per paragraph plus a thin repair layer.

Blingfire (a compiled finite-state segmenter) proposes sentence starts; the rules below
drop the starts it gets wrong (after titles, initials and country abbreviations, inside
URLs, before a quote's attribution, inside lists and ellipses) and add the few it misses
(a title after a finished sentence, numbered list items). Every newline is a paragraph
break and therefore always a boundary. Offsets are Python code-point indices into the
original string; blingfire's byte offsets are converted, and its normalised output text
is never used.
"""

from __future__ import annotations

import bisect
import ctypes
import re
from collections.abc import Iterator

import blingfire

from annotator.segment_rules import (
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

# The package's own wrapper maps offsets with a Python loop over every byte, stops at
# NUL bytes and asserts on empty input, so the compiled function is called directly.
_LIB = blingfire.blingfire
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))

# How far the rules look either side of a candidate boundary. Bounded windows keep the
# repair layer linear on pathological input (one 1 MB line full of periods).
_WINDOW = 64
# Paragraphs are handed to blingfire in runs of at most this many characters, which
# bounds its buffers (about ten bytes per input byte) on huge documents.
_RUN_LIMIT = 1 << 20

_TERMINAL = re.compile(r"[.!?…‼⁇⁈⁉。！？]")
_PROTECTED = re.compile(
    r"\[[^\]\n]{0,500}\]\([^()\s]{1,2000}\)"  # markdown link [text](url)
    r"|(?:https?://|ftp://|www\.)\S+"  # URL
    r"|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"  # e-mail address
)
_MAY_PROTECT = ("://", "www.", "@", "](")
_ABBREVIATION = re.compile(r"[A-Za-z](?:[A-Za-z.]*[A-Za-z])?")
_OPENING_PUNCTUATION = "\"'“‘«(["
_FIRST_WORD = re.compile(r"[\"'“‘«(\[]*(\w[\w'’-]*)")
_BRAND_START = re.compile(r"[a-z]+[A-Z]")  # iPhone, eBay: lowercase yet a sentence start
_SPACED_ELLIPSIS_END = re.compile(r"(?:^|[^.\s])\s*\.\s\.\s\.$")
_PERIOD_THEN_ELLIPSIS_END = re.compile(r"\w\.(\s\.\s\.\s\.)$")
_QUOTE_CLOSE_END = re.compile(r"([.?!…])[\"'”’»]+$")
_TITLE_AFTER_END = re.compile(
    r"([.!?])(?<=[^.\s][.!?])[\"'”’)\]]*\s+(?=(" + "|".join(sorted(TITLES)) + r")\.\s+[A-Z])"
)
_COUNTRY_THEN_COUNTRY = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(c) for c in sorted(COUNTRIES)) + r")\.\s+"
    r"(?=(?:" + "|".join(sorted(COUNTRY_NAMES)) + r")\b)"
)
_SPACES = re.compile(r"\s*")
_LIST_START = re.compile(r"(?:([•⁃▪◦‣∙])\s*)?(?:(\d{1,3}|[a-z])(\.\)|\)|\.)(?=\s))?")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) character offsets (Python str indices, code points) of each sentence in text."""
    paragraphs = list(_paragraphs(text))
    proposed = _proposed_starts(text, paragraphs)
    spans: list[tuple[int, int]] = []
    for start, end in paragraphs:
        paragraph = text[start:end]
        low, high = bisect.bisect_right(proposed, start), bisect.bisect_left(proposed, end)
        cuts = _repair(paragraph, [cut - start for cut in proposed[low:high]])
        for a, b in zip([0, *cuts], [*cuts, len(paragraph)], strict=True):
            piece = paragraph[a:b]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                spans.append((start + a + lead, start + a + lead + len(stripped)))
    return spans


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield the stripped, non-empty lines of text as (start, end)."""
    pos = 0
    while pos <= len(text):
        newline = text.find("\n", pos)
        end = len(text) if newline < 0 else newline
        line = text[pos:end]
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos = end + 1


def _proposed_starts(text: str, paragraphs: list[tuple[int, int]]) -> list[int]:
    """Blingfire's sentence starts in text, in runs of whole paragraphs.

    One call per run rather than per paragraph: each call has a fixed cost larger than
    segmenting a typical paragraph. Blingfire reads a newline as a space; the starts it
    then proposes at or near a paragraph's start are settled by the caller and _repair.
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
        # No terminal punctuation means nothing to find: skip it on long lines.
        if _TERMINAL.search(run):
            proposed.extend(run_start + cut for cut in _blingfire_starts(run))
    return proposed


def _repair(paragraph: str, cuts: list[int]) -> list[int]:
    """Correct blingfire's sentence starts (offsets inside paragraph, 0 excluded)."""
    cuts, forced = _apply_list_items(paragraph, cuts)
    if cuts:
        cuts = _move_before_ellipsis(paragraph, cuts)
        cuts = _drop_false_starts(paragraph, cuts, forced)
    return _add_missed_starts(paragraph, cuts)


def _blingfire_starts(run: str) -> list[int]:
    """Code-point offsets of blingfire's sentence starts in run, after the first."""
    # "replace" turns a lone surrogate into "?", one code point for one, so offsets hold.
    data = run.encode("utf-8", "replace")
    size = len(data)
    # The output text and the offset array must each hold 2 * size + 1 entries (the
    # library's own sizing); the end offsets are not needed, so no array is passed.
    capacity = 2 * size + 1
    out = ctypes.create_string_buffer(capacity)
    starts = (ctypes.c_int32 * capacity)()
    written = _LIB.TextToSentencesWithOffsets(data, size, out, starts, None, capacity)
    if written <= 0 or written > capacity:
        return []
    # The output holds one line per sentence.
    count = min(ctypes.string_at(out, written).count(b"\n") + 1, capacity)
    byte_starts = sorted({b for b in starts[1:count] if 0 < b < size})
    if run.isascii():
        return byte_starts
    # Code points before a byte offset = bytes before it that are not continuation bytes.
    result: list[int] = []
    previous_byte = previous_char = 0
    for b in byte_starts:
        chunk = data[previous_byte:b]
        previous_char += len(chunk.translate(None, _CONTINUATION_BYTES))
        previous_byte = b
        result.append(previous_char)
    return result


def _apply_list_items(paragraph: str, cuts: list[int]) -> tuple[list[int], set[int]]:
    """Start a sentence at each item of an inline list that opens the paragraph.

    "1) The first item 2) The second item" and "a. One b. Two" are lists when the
    paragraph starts with the first marker; later markers must count on from it.
    Returns the new cuts and the set of cuts the list forces (never merged away).
    """
    first = _LIST_START.match(paragraph)
    if first is None or first.end() == 0:
        return cuts, set()
    bullet, label, close = first.groups()
    markers = [first.span()]
    if bullet:
        pattern = re.compile(r"(?<=\s)" + re.escape(bullet) + r"\s*(?:\w{1,3}[.)]{1,2}(?=\s))?")
        markers += [m.span() for m in pattern.finditer(paragraph, first.end())]
    else:
        while True:
            label = str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)
            found = _find_marker(paragraph, label + close, markers[-1][1])
            if found < 0:
                break
            markers.append((found, found + len(label + close)))
    # A start right after a marker ("1. | The first item") is wrong: the marker belongs
    # to its item.
    inside = set()
    for start, marker_end in markers:
        end = _SPACES.match(paragraph, marker_end).end()
        low, high = bisect.bisect_right(cuts, start), bisect.bisect_right(cuts, end)
        inside.update(cuts[low:high])
    forced = {start for start, _ in markers if start > 0}
    return sorted((set(cuts) - inside) | forced), forced


def _find_marker(paragraph: str, marker: str, position: int) -> int:
    """Index of the next marker at or after position that stands alone between spaces, or -1."""
    while (found := paragraph.find(marker, position)) > 0:
        after = found + len(marker)
        if paragraph[found - 1].isspace() and after < len(paragraph) and paragraph[after].isspace():
            return found
        position = found + 1
    return -1


def _move_before_ellipsis(paragraph: str, cuts: list[int]) -> list[int]:
    """A period followed by an ellipsis ends the sentence at the period.

    "compounds. . . . The practice" splits after "compounds." and the ellipsis opens
    the next sentence (the Pragmatic Segmenter's rule, MLA usage).
    """
    if ". . ." not in paragraph:
        return cuts
    moved = []
    for cut in cuts:
        window_start = max(0, cut - _WINDOW)
        found = _PERIOD_THEN_ELLIPSIS_END.search(paragraph[window_start:cut].rstrip())
        moved.append(window_start + found.start(1) if found else cut)
    return sorted(set(moved))


def _drop_false_starts(paragraph: str, cuts: list[int], forced: set[int]) -> list[int]:
    """Keep the cuts that really start a sentence."""
    protected = _protected_spans(paragraph)
    kept: list[int] = []
    start = 0
    for cut in cuts:
        if cut in forced or not (
            _inside(protected, cut) or _is_false_start(paragraph, start, cut)
        ):
            kept.append(cut)
            start = cut
    return kept


def _protected_spans(paragraph: str) -> list[tuple[int, int]]:
    """Spans no sentence boundary may fall inside: URLs, e-mail addresses, markdown links."""
    if not any(marker in paragraph for marker in _MAY_PROTECT):
        return []
    return [m.span() for m in _PROTECTED.finditer(paragraph)]


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether position falls strictly inside one of the sorted, disjoint spans."""
    index = bisect.bisect_left(spans, position, key=lambda span: span[0]) - 1
    return index >= 0 and position < spans[index][1]


def _is_false_start(paragraph: str, start: int, cut: int) -> bool:
    """Whether the sentence that blingfire starts at cut really continues the one at start."""
    left = paragraph[max(start, cut - _WINDOW) : cut].rstrip()
    right = paragraph[cut : cut + _WINDOW].lstrip()
    if not left or not right:
        return True
    word_match = _FIRST_WORD.match(right)
    word = word_match.group(1) if word_match else ""
    if word[:1].islower() and not _BRAND_START.match(word):
        return True  # sentences do not start in lowercase: '"Great." she said.'
    if _SPACED_ELLIPSIS_END.search(left):
        return True  # ". . ." marks an omission inside the sentence
    token = _final_abbreviation(left)
    if token and _continues_abbreviation(token, right, word):
        return True
    if token in PLACE_PREFIXES and left == token + ".":
        return True  # the sentence so far is "St." alone
    quote = _QUOTE_CLOSE_END.search(left)
    return bool(quote) and _is_attribution(right, quote.group(1))


def _final_abbreviation(left: str) -> str:
    """The abbreviation that left ends with, without its period ("U.S" for "the U.S."), or ""."""
    if not left.endswith("."):
        return ""
    word = left.rsplit(None, 1)[-1].lstrip(_OPENING_PUNCTUATION)[:-1]
    return word if _ABBREVIATION.fullmatch(word) else ""


def _continues_abbreviation(token: str, right: str, word: str) -> bool:
    """Whether the text after the abbreviation token continues its sentence."""
    upper = word[:1].isupper()
    if token in TITLES:
        return upper or right[:1].isdigit()  # "Sen. | Smith", "Gen. | 2nd Lt."
    if token in NUMBERED and right[:1].isdigit():
        return True  # "No. 5", "Jan. 14"
    if token in COUNTRIES:
        return word in TITLE_WORDS  # "U.S. President", but "the U.S. The talks"
    if token in TIMES:
        return word in TIME_FOLLOWERS  # "3 p.m. Monday"
    # A middle initial ("George W. Bush"); "I." is the pronoun, "vitamin C. The" an end.
    return len(token) == 1 and token.isupper() and token != "I" and upper and (
        word not in SENTENCE_STARTERS
    )


def _is_attribution(right: str, mark: str) -> bool:
    """Whether right opens with the attribution of the quote just closed.

    After a quoted question or exclamation a capitalised speaker and a verb of saying
    continue the sentence ('"Why now?" Moreno asked reporters.'). After a quoted
    statement only a bare attribution does ('"It is over." Smith said.'), since
    '"It is over." He said the army ...' starts a new sentence.
    """
    words = right.split(None, 6)
    for index, raw in enumerate(words[1:6], start=1):
        verb = raw.rstrip(".,;:!?")
        if verb in SPEECH_VERBS:
            speaker = words[:index]
            if not all(w[:1].isupper() for w in speaker):
                return False
            return mark in "?!" or raw != verb or index == len(words) - 1
        if not raw[:1].isupper():
            return False
    return False


def _add_missed_starts(paragraph: str, cuts: list[int]) -> list[int]:
    """Add the sentence starts blingfire misses.

    A title after a finished sentence starts the next one ("... the building. Dr. Reyes
    stayed", "... at 6 P.M. Mr. Smith then went"), but not after a time that opens its
    sentence ("At 5 a.m. Mr. Smith went"). A country name after a country abbreviation
    starts one too ("... by the U.K. France called ...").
    """
    existing = set(cuts)
    added = {
        match.end()
        for match in _TITLE_AFTER_END.finditer(paragraph)
        if match.end() not in existing and _ends_before_title(paragraph, cuts, match)
    }
    added.update(match.end() for match in _COUNTRY_THEN_COUNTRY.finditer(paragraph))
    return sorted(existing | added) if added - existing else cuts


def _ends_before_title(paragraph: str, cuts: list[int], match: re.Match[str]) -> bool:
    """Whether the punctuation of a _TITLE_AFTER_END match ends its sentence."""
    mark = match.start(1)
    token = _final_abbreviation(paragraph[max(0, mark - _WINDOW) : mark + 1])
    if not token:
        return True
    if token in TIMES:
        token_start = mark - len(token)
        index = bisect.bisect_right(cuts, mark) - 1
        sentence_start = cuts[index] if index >= 0 else 0
        opening = paragraph[max(sentence_start, token_start - _WINDOW) : token_start]
        return len(opening.split()) > 3  # "At 5 a.m. Mr. Smith went" keeps its opening
    if token in TITLES or len(token) == 1:
        return False  # "Lt. Col. Greene", "John F. Dr." is not an ending
    if "." in token:
        return match.group(2) in PERSONAL_TITLES  # "U.S. Sen. Warren", "the U.S. Mr. Biden"
    return True
