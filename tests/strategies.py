"""Hypothesis strategies: odd documents, native JSONL documents with spans and links, and
sequences of annotator actions.

The documents mix everything hostile input brings (markup, escape sequences, control
and bidi characters, combining marks, emoji with modifiers, right-to-left and CJK
scripts, odd spaces, CR and CRLF) into article-like text; the action sequences are
what the keys of the annotation screen do, drawn as plain data so a failing example
shrinks to a short readable list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from annotator.text.segment import split_sentences

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


# --- native JSONL documents (the interchange format) ------------------------------------

ODD_WORDS = [
    "Gaza", "talks", "said", "over", "12.5", "-3", "$4.2bn", "U.N.", "(OCHA)", "[sic]", "{x}",
    "«quoted»", "“curly”", "👍🏽", "👩🏿‍🔬", "🇵🇸", "e\u0301", "Ce\u0301line", "naïve", "שלום",
    "مرحبا", "\u200fRTL\u200f", "日本語", "Ünïcödé", "tab\there", "=SUM(A1)", "@user", "+1",
    "a\u2028b", "x\u00a0y",
]
ANNOTATORS = ["ana", "Bärbel", "李", "o'neil"]
SOURCES = {"Hamas": "party", "Egypt’s SIS": "government", "👩🏿‍🔬 lab": None,
           "مصدر": "anonymous"}
UNITS = [None, "USD", "percent", "trucks", "€"]
QUALIFIERS = [None, "over", "about", "at least"]


@st.composite
def native_documents(draw: st.DrawFn, number: int = 0) -> dict[str, Any]:
    """A native line whose spans lie inside the sentences the importer will find."""
    paragraphs = draw(st.lists(
        st.lists(st.lists(st.sampled_from(ODD_WORDS), min_size=1, max_size=8),
                 min_size=1, max_size=3),
        min_size=1, max_size=3,
    ))
    text = "\n".join(
        " ".join(" ".join(words).capitalize() + "." for words in sentences)
        for sentences in paragraphs
    ) + draw(st.sampled_from(["", "\n"]))
    sentences = split_sentences(text)
    annotations: dict[tuple[str, str, int, int], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 12))):
        start_s, end_s = draw(st.sampled_from(sentences))
        start = draw(st.integers(start_s, end_s - 1))
        end = draw(st.integers(start + 1, end_s))
        label = draw(st.sampled_from(["claim", "source", "figure"]))
        annotator = draw(st.sampled_from(ANNOTATORS))
        attrs: dict[str, Any] = {}
        if label == "source" and draw(st.booleans()):
            name = draw(st.sampled_from(sorted(SOURCES)))
            attrs = {"source_name": name, "source_type": SOURCES[name]}
        if label == "figure":
            value = draw(st.one_of(st.none(), st.integers(-10**6, 10**12),
                                   st.floats(-1e9, 1e9, allow_nan=False)))
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # the exporter writes integral values as integers
            attrs = {"value": value, "unit": draw(st.sampled_from(UNITS)),
                     "qualifier": draw(st.sampled_from(QUALIFIERS))}
            if draw(st.booleans()):
                attrs["value_max"] = 15
        if label == "claim" and draw(st.booleans()):
            attrs = draw(st.sampled_from([{"attribution": "author"}, {"note": "😀 [x]"}]))
        key = (annotator, label, start, end)
        if key in annotations:  # one span per annotator, label and offsets
            continue
        annotations[key] = {
            "id": f"a{len(annotations) + 1}", "annotator": annotator, "label": label,
            "start": start, "end": end, "text": text[start:end],
            "status": draw(st.sampled_from(["accepted", "suggested", "rejected"])),
            "origin": draw(st.sampled_from(["manual", "suggested", "imported"])),
            "attrs": attrs,
        }
    spans = list(annotations.values())
    by_label = {label: [a["id"] for a in spans if a["label"] == label]
                for label in ("claim", "source", "figure")}
    links = set()
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["attributed_to", "supports"]))
        ends = ("claim", "source") if kind == "attributed_to" else ("figure", "claim")
        if by_label[ends[0]] and by_label[ends[1]]:
            links.add((draw(st.sampled_from(by_label[ends[0]])),
                       draw(st.sampled_from(by_label[ends[1]])), kind))
    used = {a["attrs"]["source_name"] for a in spans if "source_name" in a["attrs"]}
    return {
        "id": f"doc-{number}", "title": draw(st.sampled_from(["Title", "«Titre» 👍🏽", "عنوان"])),
        "text": text, "meta": {"batch": draw(st.sampled_from(["a", "ü", "🙂"]))},
        "origin": "generated",
        "annotations": spans,
        "links": [{"from": f, "to": t, "type": k} for f, t, k in sorted(links)],
        "sources": [{"name": name, "type": SOURCES[name], "aliases": []} for name in sorted(used)],
    }


@st.composite
def corpora(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few documents with distinct texts."""
    documents: dict[str, dict[str, Any]] = {}
    for number in range(draw(st.integers(1, 3))):
        document = draw(native_documents(number))
        documents.setdefault(document["text"], document)
    return list(documents.values())
