"""The suggester: figure, source and claim spans for each sentence of a document.

Deterministic and free of Textual and the database: the same text, scheme and known sources
always give the same suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from annotator.scheme.definition import KnownSource, Scheme, default_scheme
from annotator.suggest.attribution import (
    Attribution,
    CueSet,
    find_attributions,
    quote_open_after,
    sentence_words,
)
from annotator.suggest.figure_spans import figure_tuples
from annotator.suggest.model import SuggestedSpan
from annotator.suggest.sources import NamedSource, SourceMemory, SourceNamer

__all__ = ["Suggester"]

_POSSESSIVE_MARKS = frozenset({"’", "'"})
# A known source after these words is who was told or what was talked about, not the speaker.
_OBJECT_BEFORE = re.compile(
    r"\b(?:told|tells|tell|to|with|by|from|of|for|against|on|in|at|about|into)\s+(?:the\s+)?$"
)


_CONTENT_TRIM = "\"“”'‘’ \t\n"


def _trim_content(sentence: str) -> tuple[int, int]:
    start, end = 0, len(sentence)
    while start < end and sentence[start] in _CONTENT_TRIM:
        start += 1
    while end > start and sentence[end - 1] in _CONTENT_TRIM + ".":
        end -= 1
    return start, end


def _announcing(sentence: str, spans: list[SuggestedSpan]) -> SuggestedSpan | None:
    """The source of a sentence ending "X said:" whose content follows, or None."""
    if not sentence.rstrip().endswith(":"):
        return None
    claimed = {span.attributed_to for span in spans if span.label == "claim"}
    sources = [
        span for index, span in enumerate(spans)
        if span.label == "source" and index not in claimed and "cue" in span.attrs
    ]
    return sources[-1] if sources else None


class Suggester:
    """Suggests claim, source and figure spans; pronouns resolve to earlier sources."""

    def __init__(self, scheme: Scheme | None = None, known_sources: Sequence[KnownSource] = ()):
        self.scheme = scheme or default_scheme()
        self.cues = CueSet.from_scheme(self.scheme)
        self.namer = SourceNamer(self.scheme, (*self.scheme.known_sources, *known_sources))

    def suggest_document(
        self, text: str, sentences: Sequence[tuple[int, int]]
    ) -> list[list[SuggestedSpan]]:
        """One list per sentence (sentence = text[start:end]), in order; pronouns resolve to the
        nearest earlier source in the document."""
        memory = SourceMemory()
        result: list[list[SuggestedSpan]] = []
        in_quote = False
        previous_end = 0
        announced: SuggestedSpan | None = None  # "X said:" with its content still to come
        for start, end in sentences:
            if "\n" in text[previous_end:start]:
                in_quote = False  # a quotation never runs on past a paragraph break unseen
            sentence = text[start:end]
            spans = self._suggest(sentence, memory, in_quote)
            if announced is not None:
                spans = self._announced_claim(sentence, spans, announced)
            announced = _announcing(sentence, spans)
            result.append(spans)
            in_quote = quote_open_after(sentence, in_quote)
            previous_end = end
        return result

    def _announced_claim(
        self, sentence: str, spans: list[SuggestedSpan], source: SuggestedSpan
    ) -> list[SuggestedSpan]:
        """The sentence after "X said:" is X's content, when nothing else claims it."""
        if any(span.label in ("claim", "source") for span in spans):
            return spans
        start, end = _trim_content(sentence)
        if end - start < 2:
            return spans
        claim = SuggestedSpan(
            "claim", start, end, sentence[start:end],
            f"content announced by '{source.text}' {source.attrs.get('cue', '')}:", None, None,
            # The cue stands in the sentence before: its text, not its offsets.
            None, {"cue": source.attrs["cue"]}, None, source.source_name,
        )
        return [claim, *spans]

    def suggest_sentence(
        self, sentence: str, previous_sentences: Sequence[str] = ()
    ) -> list[SuggestedSpan]:
        """Suggestions for one sentence; ``previous_sentences`` give pronouns their antecedent."""
        memory = SourceMemory()
        for previous in previous_sentences:
            for attribution in find_attributions(previous, self.cues):
                memory.remember(self.namer.name(previous, attribution.source, memory))
        return self._suggest(sentence, memory)

    def _suggest(
        self, sentence: str, memory: SourceMemory, in_quote: bool = False
    ) -> list[SuggestedSpan]:
        spans: list[SuggestedSpan] = []
        words = sentence_words(sentence)
        attributions = find_attributions(sentence, self.cues, words, in_quote)
        if attributions:
            source_index: dict[tuple[int, int], int] = {}
            for attribution in attributions:
                index = source_index.get(attribution.source)
                if index is None:
                    index = source_index[attribution.source] = len(spans)
                    spans.append(self._source_span(sentence, attribution, memory, words))
                if attribution.claim is not None:
                    spans.append(self._claim_span(sentence, attribution, spans[index], index))
            if self.namer.may_mention(words):
                spans.extend(self._known_mentions(sentence, spans, memory))
        for start, end, parsed, reason in figure_tuples(sentence, words):
            # Positional arguments, in field order: a figure span is built for every figure.
            spans.append(
                SuggestedSpan("figure", start, end, sentence[start:end], reason, None, None,
                              parsed)
            )
        return spans

    def _known_mentions(
        self, sentence: str, spans: list[SuggestedSpan], memory: SourceMemory
    ) -> list[SuggestedSpan]:
        """Known sources named elsewhere in a sentence that has an attribution."""
        found = []
        for start, end, source in self.namer.known_mentions(sentence):
            inside = any(span.start < end and start < span.end for span in spans)
            if inside or sentence[end : end + 1] in _POSSESSIVE_MARKS or _OBJECT_BEFORE.search(
                sentence, max(0, start - 12), start
            ):
                continue  # part of a suggested span, "Hamas’ readiness", "told Reuters"
            memory.remember(NamedSource(source.name, source.source_type, "known source"))
            text = sentence[start:end]
            found.append(
                SuggestedSpan("source", start, end, text, f"known source alias '{text}'",
                              source_name=source.name, source_type=source.source_type)
            )
        return found

    def _source_span(
        self,
        sentence: str,
        attribution: Attribution,
        memory: SourceMemory,
        words: AbstractSet[str] | None = None,
    ) -> SuggestedSpan:
        named = self.namer.name(sentence, attribution.source, memory, words)
        memory.remember(named)
        start, end = attribution.source
        where = "before" if attribution.source_first else "after"
        reason = f"{named.how} {where} reporting cue '{attribution.cue}'"
        # Positional arguments in field order (label, offsets, text, reason, source name and
        # type, figure, attrs): a keyword call costs more.
        return SuggestedSpan(
            "source", start, end, sentence[start:end], reason, named.name, named.source_type,
            None, {"cue": attribution.cue, "cue_start": attribution.cue_span[0],
                   "cue_end": attribution.cue_span[1], "resolved": named.resolved},
        )

    def _claim_span(
        self, sentence: str, attribution: Attribution, source: SuggestedSpan, index: int
    ) -> SuggestedSpan:
        assert attribution.claim is not None
        start, end = attribution.claim
        # Positional arguments in field order, up to attributed_to and resolved_source.
        return SuggestedSpan(
            "claim", start, end, sentence[start:end],
            f"clause governed by reporting cue '{attribution.cue}'", None, None, None,
            {"cue": attribution.cue, "cue_start": attribution.cue_span[0],
             "cue_end": attribution.cue_span[1]}, index,
            source.source_name if source.attrs.get("resolved") else None,
        )
