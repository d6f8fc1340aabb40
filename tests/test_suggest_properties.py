"""Properties of the suggester on any text: exact offsets, no exceptions, determinism."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.suggest import SuggestedSpan, Suggester

SUGGESTER = Suggester()

# Words that trigger every rule, mixed with arbitrary text (control characters, quotes, digits).
VOCABULARY = [
    "said", "told", "according to", "he", "she", "it", "Hamas", "the ministry", "that", ",",
    "“", "”", '"', ".", "over", "more than", "between", "and", "to", "-", "$", "€", "53",
    "1,200", "12.5", "%", "percent", "billion", "bn", "five", "year", "days", "March", "2025",
    "No.", "Gate", "saying", "added", "Dr.", "Leila", "a", "the", "who", "spokesperson", "In",
    "statement", "one", "(", ")", "\n", "–", "**X**",
]
texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=6)), max_size=40).map(
        " ".join
    ),
)


def _check(sentence: str, spans: list[SuggestedSpan]) -> None:
    for span in spans:
        assert 0 <= span.start < span.end <= len(sentence)
        assert sentence[span.start : span.end] == span.text
        assert span.label in ("claim", "source", "figure")
        if span.label == "claim":
            assert span.attributed_to is not None
            assert spans[span.attributed_to].label == "source"
        else:
            assert span.attributed_to is None
        if span.label == "figure":
            assert span.figure is not None and span.figure.value is not None


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(texts, max_size=2))
def test_any_text_gives_exact_spans_and_the_same_answer_twice(
    sentence: str, previous: list[str]
) -> None:
    first = SUGGESTER.suggest_sentence(sentence, previous)
    _check(sentence, first)
    assert SUGGESTER.suggest_sentence(sentence, previous) == first
    assert Suggester().suggest_sentence(sentence, previous) == first


@settings(max_examples=100, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4))
def test_document_offsets_are_exact(parts: list[str]) -> None:
    text = " ".join(parts)
    bounds = []
    position = 0
    for part in parts:
        bounds.append((position, position + len(part)))
        position += len(part) + 1
    per_sentence = SUGGESTER.suggest_document(text, bounds)
    assert len(per_sentence) == len(bounds)
    for (start, end), spans in zip(bounds, per_sentence, strict=True):
        _check(text[start:end], spans)


def test_characters_that_lengthen_when_lowered_keep_offsets_exact() -> None:
    sentence = "İİ İstanbul officials said that the port would reopen in 3 weeks."
    spans = SUGGESTER.suggest_sentence(sentence)
    _check(sentence, spans)
    assert [(span.label, span.text) for span in spans] == [
        ("source", "İİ İstanbul officials"),
        ("claim", "the port would reopen in 3 weeks"),
        ("figure", "3 weeks"),
    ]
