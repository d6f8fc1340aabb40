"""Compare sentence segmenters side by side: accuracy and throughput in one run.

Usage: python benchmarks/bench_segmentation.py [--quick]

For each candidate it prints the Pragmatic Segmenter golden rules passed, boundary
precision/recall/F1 and exact cases on benchmarks/segmentation_gold.jsonl, and sentences
per second on one shared corpus. Every candidate gets identical input; the library
candidates are called once per paragraph (line), because a newline is always a sentence
boundary in this project and none of them guarantees that on its own. annotator's
split_sentences takes whole documents, as the importer calls it.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLDEN_RULES = SHARED / "benchmarks" / "segmentation-golden-rules-en.json"
ARTICLES = SHARED / "corpus"
GOLD_SET = ROOT / "benchmarks" / "segmentation_gold.jsonl"
sys.path.insert(0, str(ROOT))

Spans = list[tuple[int, int]]
Segmenter = Callable[[str], Spans]


@dataclass
class Case:
    """A text and its expected sentences (stripped strings, in order)."""

    text: str
    sentences: list[str]


@dataclass
class Result:
    """One row of the table."""

    name: str
    golden: str = "-"
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    exact: str = "-"
    rate: float | None = None
    note: str = ""


def per_paragraph(segment_paragraph: Callable[[str], Spans]) -> Segmenter:
    """Run a one-paragraph segmenter on each non-blank line and shift its spans."""

    def segment(text: str) -> Spans:
        spans: Spans = []
        position = 0
        for line in text.split("\n"):
            if line.strip():
                spans.extend((position + s, position + e) for s, e in segment_paragraph(line))
            position += len(line) + 1
        return spans

    return segment


def locate(paragraph: str, sentences: list[str]) -> Spans:
    """Spans of sentences found in order in paragraph (for libraries that return strings)."""
    spans: Spans = []
    position = 0
    for sentence in sentences:
        stripped = sentence.strip()
        found = paragraph.find(stripped, position) if stripped else -1
        if found >= 0:
            spans.append((found, found + len(stripped)))
            position = found + len(stripped)
    return spans


def load_candidates() -> list[tuple[str, Segmenter | None, str]]:
    """(name, segmenter or None when not installed, note) for every candidate."""
    candidates: list[tuple[str, Segmenter | None, str]] = []
    try:
        import pysbd

        pysbd_segmenter = pysbd.Segmenter(language="en", clean=False)
        candidates.append(
            ("pySBD", per_paragraph(lambda p: locate(p, pysbd_segmenter.segment(p))), "")
        )
    except ImportError:
        candidates.append(("pySBD", None, "not installed"))
    try:
        from syntok import segmenter as syntok_segmenter

        def syntok_paragraph(paragraph: str) -> Spans:
            return [
                (sentence[0].offset, sentence[-1].offset + len(sentence[-1].value))
                for block in syntok_segmenter.analyze(paragraph)
                for sentence in block
                if sentence
            ]

        candidates.append(("syntok", per_paragraph(syntok_paragraph), ""))
    except ImportError:
        candidates.append(("syntok", None, "not installed"))
    try:
        import blingfire

        candidates.append(
            (
                "blingfire (raw)",
                per_paragraph(lambda p: blingfire.text_to_sentences_and_offsets(p)[1]),
                "",
            )
        )
    except ImportError:
        candidates.append(("blingfire (raw)", None, "not installed"))
    try:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        candidates.append(
            (
                "spaCy sentencizer",
                per_paragraph(lambda p: [(s.start_char, s.end_char) for s in nlp(p).sents]),
                f"spaCy {spacy.__version__}",
            )
        )
    except ImportError:
        candidates.append(("spaCy sentencizer", None, "not installed"))
    try:
        from annotator.text.segment import split_sentences

        candidates.append(("annotator (blingfire + rules)", split_sentences, ""))
    except ImportError as error:
        candidates.append(("annotator (blingfire + rules)", None, f"import failed: {error}"))
    return candidates


def sentences_of(text: str, spans: Spans) -> list[str]:
    """The compared form of a segmentation: each span's text, stripped."""
    return [text[s:e].strip() for s, e in spans]


def inner_boundaries(text: str, spans: Spans) -> set[int]:
    """Sentence starts that are not the first on their line (newline breaks are free)."""
    starts = set()
    for s, e in spans:
        stripped = text[s:e].strip()
        if not stripped:
            continue
        start = s + text[s:e].index(stripped)
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip():
            starts.add(start)
    return starts


def score_gold(segment: Segmenter, cases: list[Case]) -> tuple[float, float, float, str]:
    """Micro-averaged boundary precision, recall and F1, plus exact cases."""
    true_positive = predicted = expected = exact = 0
    for case in cases:
        spans = segment(case.text)
        gold = inner_boundaries(case.text, locate_all(case.text, case.sentences))
        found = inner_boundaries(case.text, spans)
        true_positive += len(gold & found)
        predicted += len(found)
        expected += len(gold)
        exact += sentences_of(case.text, spans) == case.sentences
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / expected if expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, f"{exact}/{len(cases)}"


def locate_all(text: str, sentences: list[str]) -> Spans:
    """Spans of the expected sentences in text (each must be found, in order)."""
    spans = locate(text, sentences)
    if len(spans) != len(sentences):
        raise ValueError(f"gold sentences not found in order in {text!r}")
    return spans


def build_corpus(cases: list[Case], minimum_sentences: int) -> tuple[list[str], int]:
    """Documents of shuffled paragraphs with at least minimum_sentences reference sentences.

    Paragraphs come from the gold set, the golden rules and the shared article(s), whose
    reference sentence counts are known; each document joins about twelve of them with
    newlines, like an imported article.
    """
    items = [(case.text, len(case.sentences)) for case in cases]
    rng = random.Random(20250308)
    documents: list[str] = []
    total = 0
    while total < minimum_sentences:
        rng.shuffle(items)
        for index in range(0, len(items), 12):
            chunk = items[index : index + 12]
            documents.append("\n".join(text for text, _ in chunk))
            total += sum(count for _, count in chunk)
    return documents, total


def article_cases() -> list[Case]:
    """Paragraphs of the shared articles, with the sentence counts an editor gives them.

    The counts come from annotator's segmenter, whose output on the article is pinned
    sentence by sentence in tests/test_segment.py; they only size the throughput corpus.
    """
    try:
        from annotator.text.segment import split_sentences
    except ImportError:
        return []
    cases = []
    for path in sorted(ARTICLES.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                cases.append(Case(line, sentences_of(line, split_sentences(line))))
    return cases


def measure(
    candidates: list[tuple[str, Segmenter]],
    documents: list[str],
    sentences: int,
    budget: float,
) -> dict[str, float]:
    """Best sentences/second of each candidate, in interleaved rounds within budget seconds.

    Interleaving keeps a burst of load on the machine from favouring one candidate.
    """
    best: dict[str, float] = {}
    spent: dict[str, float] = {name: 0.0 for name, _ in candidates}
    for round_number in range(3):
        for name, segment in candidates:
            if round_number and spent[name] > budget:
                continue  # slow candidates get one round
            started = time.perf_counter()
            for document in documents:
                segment(document)
            elapsed = time.perf_counter() - started
            spent[name] += elapsed
            best[name] = max(best.get(name, 0.0), sentences / elapsed)
    return best


def machine() -> str:
    """nproc, CPU model and Python version, for the results file."""
    import os

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc={os.cpu_count()}, CPU: {model}, Python {platform.python_version()}"


def format_table(results: list[Result], baseline: str) -> str:
    """The results as a markdown table, with throughput relative to baseline."""
    base_rate = next((r.rate for r in results if r.name == baseline and r.rate), None)
    lines = [
        "| candidate | golden rules | gold P | gold R | gold F1 | gold exact | sentences/s"
        f" | x {baseline} |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.note == "not installed" or r.note.startswith("import failed"):
            lines.append(f"| {r.name} | {r.note} | | | | | | |")
            continue

        def number(value: float | None, digits: int = 3) -> str:
            return "-" if value is None else f"{value:.{digits}f}"

        ratio = f"{r.rate / base_rate:.1f}" if r.rate and base_rate else "-"
        rate = "-" if r.rate is None else f"{r.rate:,.0f}"
        lines.append(
            f"| {r.name} | {r.golden} | {number(r.precision)} | {number(r.recall)} |"
            f" {number(r.f1)} | {r.exact} | {rate} | {ratio} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a corpus of ~2,000 sentences")
    args = parser.parse_args()

    gold = [Case(row["text"], row["sentences"]) for row in map(json.loads, GOLD_SET.open())]
    golden: list[Case] = []
    if GOLDEN_RULES.exists():
        data = json.loads(GOLDEN_RULES.read_text(encoding="utf-8"))
        golden = [Case(c["text"], c["sentences"]) for c in data["cases"]]
    minimum = 2_000 if args.quick else 20_000
    documents, reference = build_corpus(gold + golden + article_cases(), minimum)

    candidates = load_candidates()
    results = []
    for name, segment, note in candidates:
        result = Result(name, note=note)
        if segment is not None:
            if golden:
                passed = sum(sentences_of(c.text, segment(c.text)) == c.sentences for c in golden)
                result.golden = f"{passed}/{len(golden)}"
            result.precision, result.recall, result.f1, result.exact = score_gold(segment, gold)
        results.append(result)
    installed = [(name, segment) for name, segment, _ in candidates if segment is not None]
    rates = measure(installed, documents, reference, budget=8.0 if args.quick else 20.0)
    for result in results:
        result.rate = rates.get(result.name)

    print(machine())
    print(
        f"throughput corpus: {len(documents)} documents, {reference:,} reference sentences,"
        f" {sum(map(len, documents)):,} characters"
    )
    print()
    print(format_table(results, "pySBD"))
    notes = [f"{r.name}: {r.note}" for r in results if r.note and r.note != "not installed"]
    if notes:
        print()
        print("\n".join(notes))


if __name__ == "__main__":
    main()
