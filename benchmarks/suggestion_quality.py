"""Measure suggestions against reference annotations: precision, recall and F1 per label.

Three reference sets: the project's own gold paragraphs (``benchmarks/suggestion_gold.jsonl``),
the bundled sample's labels, and the shared real article, kept as offsets and labels only
(``tests/data/shared_article_reference.jsonl``); its text is read at run time and the set is
skipped when the file is absent or changed.

Matching is one-to-one per label: *exact* needs the same start and end, *overlap* any shared
character. A claim's link is right when its suggested source overlaps the reference source.

Evaluation code, not part of the application: ``bench_suggest.py`` and
``compare_suggesters.py`` import it from beside them, ``tests/test_suggest_quality.py`` as
``benchmarks.suggestion_quality`` (pyproject.toml puts the repository root on pytest's
path).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.suggest.suggester import Suggester
from annotator.text.segment import split_sentences

__all__ = [
    "LABEL_ORDER",
    "Document",
    "Reference",
    "Score",
    "load_gold_paragraphs",
    "load_sample",
    "load_shared_reference",
    "predict",
    "reference_sets",
    "score",
    "type_accuracy",
]

LABEL_ORDER = ("figure", "source", "claim")


@dataclass(frozen=True)
class Reference:
    """One span (document offsets); ``source`` is the index of a claim's source span."""

    label: str
    start: int
    end: int
    source: int | None = None
    source_type: str | None = None  # sources: the taxonomy key, where the reference gives one


@dataclass(frozen=True)
class Document:
    """A text with its reference spans."""

    name: str
    text: str
    spans: tuple[Reference, ...]


@dataclass(frozen=True)
class Score:
    """Counts for one label and one matching mode."""

    matched: int
    predicted: int
    reference: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.reference if self.reference else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _reference(row: dict[str, object]) -> Reference:
    source = row.get("source")
    return Reference(str(row["label"]), int(row["start"]), int(row["end"]),  # type: ignore[arg-type]
                     source if isinstance(source, int) else None)


def load_gold_paragraphs(path: Path) -> list[Document]:
    """The own gold set: one JSON object per line with ``id``, ``text`` and ``spans``."""
    documents = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            spans = tuple(_reference(span) for span in row["spans"])
            documents.append(Document(row["id"], row["text"], spans))
    return documents


def load_sample(path: Path) -> list[Document]:
    """The sample's labels file (interchange JSONL: annotations plus attributed_to links)."""
    documents = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        ids = [annotation["id"] for annotation in row["annotations"]]
        links = {
            link["from"]: ids.index(link["to"])
            for link in row.get("links", [])
            if link["type"] == "attributed_to"
        }
        spans = tuple(
            Reference(a["label"], a["start"], a["end"], links.get(a["id"]),
                      a.get("attrs", {}).get("source_type"))
            for a in row["annotations"]
        )
        documents.append(Document(row["id"], row["text"], spans))
    return documents


def load_shared_reference(path: Path, corpus: Path) -> list[Document]:
    """The shared article's reference (offsets only) over its text; [] when the text is absent
    or is not the text the offsets were written for."""
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    article = corpus / header["document"]
    if not article.is_file():
        return []
    text = article.read_text("utf-8")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != header["sha256"]:
        return []
    return [Document(header["document"], text, tuple(_reference(row) for row in rows))]


def reference_sets(repo: Path, shared: Path) -> dict[str, list[Document]]:
    """Every reference set by name: the project's own and held-out paragraphs, the sample,
    and the real article in ``shared/corpus`` (empty when absent)."""
    return {
        "own (20 paragraphs)": load_gold_paragraphs(repo / "benchmarks" / "suggestion_gold.jsonl"),
        "holdout (16)": load_gold_paragraphs(repo / "benchmarks" / "suggestion_holdout.jsonl"),
        "sample": load_sample(repo / "sample" / "gaza-aid-talks.labels.jsonl"),
        "shared article": load_shared_reference(
            repo / "tests" / "data" / "shared_article_reference.jsonl", shared / "corpus"
        ),
    }


def predict(suggester: Suggester, text: str) -> list[Reference]:
    """The suggester's spans over a whole text, in document offsets."""
    sentences = split_sentences(text)
    spans: list[Reference] = []
    for (offset, _), suggested in zip(sentences, suggester.suggest_document(text, sentences),
                                      strict=True):
        base = len(spans)
        for span in suggested:
            source = None if span.attributed_to is None else base + span.attributed_to
            spans.append(Reference(span.label, offset + span.start, offset + span.end, source,
                                   span.source_type))
    return spans


def _overlaps(a: Reference, b: Reference) -> bool:
    return a.start < b.end and b.start < a.end


def _same(a: Reference, b: Reference) -> bool:
    return a.start == b.start and a.end == b.end


def match(
    predicted: Sequence[Reference], reference: Sequence[Reference], label: str, exact: bool
) -> dict[int, int]:
    """One-to-one matches {predicted index: reference index} for ``label``, in text order."""
    test: Callable[[Reference, Reference], bool] = _same if exact else _overlaps
    taken: set[int] = set()
    pairs: dict[int, int] = {}
    for i, guess in enumerate(predicted):
        if guess.label != label:
            continue
        for j, truth in enumerate(reference):
            if j not in taken and truth.label == label and test(guess, truth):
                pairs[i] = j
                taken.add(j)
                break
    return pairs


def score(
    pairs: Iterable[tuple[Sequence[Reference], Sequence[Reference]]], label: str, exact: bool
) -> Score:
    """Counts over (predicted, reference) pairs of documents."""
    matched = predicted_count = reference_count = 0
    for predicted, reference in pairs:
        matched += len(match(predicted, reference, label, exact))
        predicted_count += sum(1 for span in predicted if span.label == label)
        reference_count += sum(1 for span in reference if span.label == label)
    return Score(matched, predicted_count, reference_count)


Pairs = Iterable[tuple[Sequence[Reference], Sequence[Reference]]]
# (suggested span, reference span, all suggested, all reference) -> right, wrong, or None when
# the reference does not say.
Verdict = Callable[[Reference, Reference, Sequence[Reference], Sequence[Reference]], bool | None]


def _agreement(pairs: Pairs, label: str, verdict: Verdict) -> tuple[int, int]:
    """(right, judged) over overlap-matched spans of ``label``; ``verdict`` returns None for a
    pair it cannot judge (the reference lacks the attribute)."""
    right = judged = 0
    for predicted, reference in pairs:
        for i, j in match(predicted, reference, label, exact=False).items():
            outcome = verdict(predicted[i], reference[j], predicted, reference)
            if outcome is not None:
                judged += 1
                right += outcome
    return right, judged


def _same_source(
    guess: Reference, truth: Reference, predicted: Sequence[Reference],
    reference: Sequence[Reference],
) -> bool | None:
    if truth.source is None:
        return None
    return guess.source is not None and _overlaps(predicted[guess.source], reference[truth.source])


def _same_type(guess: Reference, truth: Reference, *_: Sequence[Reference]) -> bool | None:
    return None if truth.source_type is None else guess.source_type == truth.source_type


def link_accuracy(pairs: Pairs) -> tuple[int, int]:
    """(right, judged): matched claims whose suggested source overlaps the reference source."""
    return _agreement(pairs, "claim", _same_source)


def type_accuracy(pairs: Pairs) -> tuple[int, int]:
    """(right, judged): overlap-matched sources whose suggested type is the reference type."""
    return _agreement(pairs, "source", _same_type)
