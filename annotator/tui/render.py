"""Turning article text into Rich ``Text`` verbatim: no markup, control characters visible.

Article text is data, never markup: everything shown goes through
:func:`verbatim`, which builds a ``Text`` from the plain string (so ``[bold]``
or ``[link=...]`` stay literal) after replacing each control character with one
visible placeholder. One code point in, one code point out: offsets into the
stored sentence stay valid offsets into what is drawn, so the word cursor and
the highlights line up.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from db.values import Figure


def _control_map() -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟ (␛ for ESC)
    table[0x7F] = "\u2421"  # ␡
    # C1 controls have no pictures of their own; U+FFFD marks them, one per code point.
    table.update({code: "\ufffd" for code in range(0x80, 0xA0)})
    # Line and paragraph separators would break the layout.
    table[0x2028] = "\u2424"  # ␤
    table[0x2029] = "\u00b6"  # ¶
    # Bidi embeddings, overrides and isolates can reorder what is shown; show them.
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = "\u2194"  # ↔
    return table


CONTROL_PICTURES = _control_map()


def visible(text: str) -> str:
    """``text`` with every control character replaced by one visible placeholder."""
    return text.translate(CONTROL_PICTURES)


def verbatim(text: str, style: str | Style = "") -> Text:
    """A ``Text`` showing ``text`` exactly as written (never parsed as markup)."""
    return Text(visible(text), style=style, no_wrap=False, end="")


LABEL_STYLES: dict[str, Style] = {
    "claim": Style(color="#1b1b1b", bgcolor="#e5c07b"),
    "source": Style(color="#1b1b1b", bgcolor="#61afef"),
    "figure": Style(color="#1b1b1b", bgcolor="#98c379"),
}
# Suggestions (from a model or import) are not yet accepted: coloured text, no fill.
SUGGESTION_STYLES: dict[str, Style] = {
    "claim": Style(color="#e5c07b", underline=True, italic=True),
    "source": Style(color="#61afef", underline=True, italic=True),
    "figure": Style(color="#98c379", underline=True, italic=True),
}
UNKNOWN_LABEL_STYLE = Style(color="#1b1b1b", bgcolor="#c678dd")
SELECTION_STYLE = Style(reverse=True)
CURSOR_STYLE = Style(bold=True, underline=True, overline=True)
BADGE_TEXT = {"claim": "CLAIM ", "source": "SOURCE", "figure": "FIGURE"}


def label_style(label: str, status: str = "") -> Style:
    """The highlight for an annotation with ``label`` and ``status``."""
    if status == "suggested":
        return SUGGESTION_STYLES.get(label, Style(underline=True, italic=True))
    return LABEL_STYLES.get(label, UNKNOWN_LABEL_STYLE)


def badge(label: str, status: str = "") -> Text:
    """A fixed-width coloured label tag for lists."""
    text = BADGE_TEXT.get(label, label.upper()[:6].ljust(6))
    return Text(f" {text} ", style=label_style(label, status), end="")


def format_number(value: float) -> str:
    """``53000000000.0`` as ``53,000,000,000``; fractions kept as written."""
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def figure_summary(figure: Figure | None) -> str | None:
    """``over 160,000 people`` style summary of a stored figure; ``None`` when it has neither
    value nor unit."""
    if figure is None or not figure.known:
        return None
    parts = [
        figure.qualifier or "",
        format_number(figure.value) if figure.value is not None else "?",
        figure.unit or "",
    ]
    return " ".join(part for part in parts if part)


def plain_number(value: float | None) -> str:
    """A value as an editable string without grouping or exponent."""
    if value is None:
        return ""
    if value.is_integer():
        return str(int(value))
    return repr(value)
