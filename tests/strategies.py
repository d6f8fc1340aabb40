"""Hypothesis strategies: odd documents and sequences of annotator actions.

The documents mix everything hostile input brings (markup, escape sequences, control
and bidi characters, combining marks, emoji with modifiers, right-to-left and CJK
scripts, odd spaces, CR and CRLF) into article-like text; the action sequences are
what the keys of the annotation screen do, drawn as plain data so a failing example
shrinks to a short readable list.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

ODD_PIECES = [
    "Gaza", "talks", "said", "over", "160,000", "$4.2bn", "U.S.", "Gen.", "(OCHA)",
    "[bold red]x[/]", "[link=https://e.org]y[/link]", "\x1b[31mred\x1b[0m",
    "\x1b]0;title\x07", "\x1b]8;;https://e.org\x1b\\link", "\x1b[2J", "bell\x07",
    "\x08bs", "\x7f", "\x85", "\u202eevil\u202c", "\u2066iso\u2069", "\u200fRTL",
    "e\u0301", "n\u0303o", "👍🏽", "👨‍👩‍👧", "🇵🇸", "שלום", "مرحبا", "日本語", "中文。",
    "x\u00a0y", "tab\there", "=HYPERLINK(\"h\")", "@user", "«quoted»", "“curly”",
]
ENDINGS = [".", "!", "?", "…", ".\u201d", ""]
LINE_BREAKS = ["\n", "\r\n", "\r", "\n\n"]
LABELS = ("claim", "source", "figure")


@st.composite
def odd_sentences(draw: st.DrawFn) -> str:
    """One sentence-like run of odd pieces."""
    words = draw(st.lists(st.sampled_from(ODD_PIECES), min_size=1, max_size=10))
    return " ".join(words).capitalize() + draw(st.sampled_from(ENDINGS))


@st.composite
def odd_documents(draw: st.DrawFn) -> str:
    """A raw article: paragraphs of odd sentences joined by any kind of line break."""
    paragraphs = draw(st.lists(
        st.lists(odd_sentences(), min_size=1, max_size=4).map(" ".join),
        min_size=1, max_size=5,
    ))
    text = ""
    for paragraph in paragraphs:
        text += paragraph + draw(st.sampled_from(LINE_BREAKS))
    return draw(st.sampled_from(["", "  "])) + text


@dataclass(frozen=True)
class Action:
    """One thing an annotator does; numbers pick among what exists when it is applied
    (``sentence`` among sentences, ``target``/``other`` among the annotations, ``start``
    and ``end`` as fractions of the sentence in thousandths)."""

    kind: str
    sentence: int = 0
    target: int = 0
    other: int = 0
    label: str = "claim"
    start: int = 0
    end: int = 1000
    value: float = 0.0


ACTION_KINDS = ("tag", "tag", "tag", "delete", "relabel", "done", "figure", "source",
                "attribute", "unattribute", "link", "undo", "redo")


def actions() -> st.SearchStrategy[Action]:
    """Any one action."""
    return st.builds(
        Action,
        kind=st.sampled_from(ACTION_KINDS),
        sentence=st.integers(0, 50), target=st.integers(0, 50), other=st.integers(0, 50),
        label=st.sampled_from(LABELS), start=st.integers(0, 999), end=st.integers(1, 1000),
        value=st.one_of(st.integers(-10**6, 10**12).map(float),
                        st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)),
    )


def action_sequences(max_size: int = 12) -> st.SearchStrategy[list[Action]]:
    """What an annotator does in a session."""
    return st.lists(actions(), min_size=1, max_size=max_size)
