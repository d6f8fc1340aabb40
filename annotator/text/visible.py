"""The one rendering of untrusted text for a terminal: every character shown, none obeyed.

Article text, titles, annotator and source names, file names and anything imported are
data, never markup or terminal commands. Every place that prints them (command lines, Rich
tables, every screen and dialog) goes through :func:`visible` (a plain string) or
:func:`verbatim` (a Rich ``Text``, never parsed as markup), which replace each control
character, bidi control and zero-width character with one visible placeholder. One code
point in, one code point out: offsets into a stored sentence stay offsets into what is
drawn. :func:`json_visible` does the same for JSON printed to a terminal, as ``\\uXXXX``
escapes, so the JSON stays exact.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

# Bidi embeddings, overrides, isolates and marks can reorder what is shown.
BIDI_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
# Zero-width characters hide text (or hide that text differs) without taking a cell.
ZERO_WIDTH = (0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x180E)


def _control_map() -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟ (␛ for ESC)
    table[0x7F] = "\u2421"  # ␡
    # C1 controls have no pictures of their own; U+FFFD marks them, one per code point.
    table.update({code: "\ufffd" for code in range(0x80, 0xA0)})
    # Line and paragraph separators would break the layout.
    table[0x2028] = "\u2424"  # ␤
    table[0x2029] = "\u00b6"  # ¶
    table.update({code: "\u2194" for code in BIDI_CONTROLS})  # ↔
    table.update({code: "\u2423" for code in ZERO_WIDTH})  # ␣
    return table


CONTROL_PICTURES = _control_map()
_JSON_UNSAFE = re.compile("[" + "".join(
    re.escape(chr(code)) for code in CONTROL_PICTURES if code >= 0x7F) + "]")


def visible(text: str) -> str:
    """``text`` with every control, bidi and zero-width character replaced by one visible
    placeholder."""
    return text.translate(CONTROL_PICTURES)


def visible_lines(text: str) -> str:
    """:func:`visible` line by line: the line breaks of a message stay line breaks."""
    return "\n".join(visible(line) for line in text.split("\n"))


def verbatim(text: str, style: str | Style = "") -> Text:
    """A ``Text`` showing ``text`` exactly as written (never parsed as markup)."""
    return Text(visible(text), style=style, no_wrap=False, end="")


def json_visible(encoded: str) -> str:
    """JSON text (``json.dumps`` already escapes C0 controls) with the other characters
    :func:`visible` replaces written as ``\\uXXXX`` escapes: the same JSON value."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)
