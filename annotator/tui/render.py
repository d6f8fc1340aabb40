"""Styles of the interface, and the one verbatim rendering of untrusted text
(:mod:`annotator.text.visible`, re-exported here for the screens and widgets).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from annotator.text.visible import verbatim as verbatim
from annotator.text.visible import visible as visible
from db.values import Figure

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
