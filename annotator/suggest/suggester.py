"""The suggester: figure, source and claim spans for each sentence of a document.

Deterministic and free of Textual and the database: the same text, scheme and known sources
always give the same suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.suggest.attribution import Attribution, CueSet, find_attributions
from annotator.suggest.figure_spans import find_figures
from annotator.suggest.model import KnownSource, SuggestedSpan
from annotator.suggest.scheme import Scheme, default_scheme
from annotator.suggest.sources import SourceMemory, SourceNamer

__all__ = ["Suggester"]


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
        return [self._suggest(text[start:end], memory) for start, end in sentences]

    def suggest_sentence(
        self, sentence: str, previous_sentences: Sequence[str] = ()
    ) -> list[SuggestedSpan]:
        """Suggestions for one sentence; ``previous_sentences`` give pronouns their antecedent."""
        memory = SourceMemory()
        for previous in previous_sentences:
            for attribution in find_attributions(previous, self.cues):
                memory.remember(self.namer.name(previous, attribution.source, memory))
        return self._suggest(sentence, memory)

    def _suggest(self, sentence: str, memory: SourceMemory) -> list[SuggestedSpan]:
        spans: list[SuggestedSpan] = []
        source_index: dict[tuple[int, int], int] = {}
        for attribution in find_attributions(sentence, self.cues):
            index = source_index.get(attribution.source)
            if index is None:
                index = source_index[attribution.source] = len(spans)
                spans.append(self._source_span(sentence, attribution, memory))
            if attribution.claim is not None:
                spans.append(self._claim_span(sentence, attribution, spans[index], index))
        for figure in find_figures(sentence):
            parsed = figure.parsed
            attrs = {} if parsed.value_max is None else {"value_max": parsed.value_max}
            spans.append(
                SuggestedSpan(
                    label="figure",
                    start=figure.start,
                    end=figure.end,
                    text=sentence[figure.start : figure.end],
                    reason=figure.reason,
                    figure_value=parsed.value,
                    figure_unit=parsed.unit,
                    figure_qualifier=parsed.qualifier,
                    attrs=attrs,
                )
            )
        return spans

    def _source_span(
        self, sentence: str, attribution: Attribution, memory: SourceMemory
    ) -> SuggestedSpan:
        named = self.namer.name(sentence, attribution.source, memory)
        memory.remember(named)
        start, end = attribution.source
        where = "before" if attribution.source_first else "after"
        return SuggestedSpan(
            label="source",
            start=start,
            end=end,
            text=sentence[start:end],
            reason=f"{named.how} {where} reporting cue '{attribution.cue}'",
            source_name=named.name,
            source_type=named.source_type,
            attrs={"cue": attribution.cue, "resolved": named.resolved},
        )

    def _claim_span(
        self, sentence: str, attribution: Attribution, source: SuggestedSpan, index: int
    ) -> SuggestedSpan:
        assert attribution.claim is not None
        start, end = attribution.claim
        return SuggestedSpan(
            label="claim",
            start=start,
            end=end,
            text=sentence[start:end],
            reason=f"clause governed by reporting cue '{attribution.cue}'",
            attrs={"cue": attribution.cue},
            attributed_to=index,
            resolved_source=source.source_name if source.attrs.get("resolved") else None,
        )
