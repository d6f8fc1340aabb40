"""Suggestion quality and speed in one run: P/R/F1 per label and set, sentences per second.

Usage: python benchmarks/bench_suggest.py [--quick]

Quality: for each reference set (own gold paragraphs, the held-out paragraphs written before
the engine was tuned on the own set, the bundled sample, and the shared real article when
../shared/corpus holds it) and each label, precision, recall and F1 with exact and with overlap
matching (see benchmarks/suggestion_quality.py), plus claim-to-source link accuracy. Two
comparison rows for figures on the same sentences: quantulum3 (every quantity it finds) and a
plain regex number finder.

Speed: sentences per second on one core over the reference sentences repeated, for
Suggester.suggest_document, figure finding alone, the regex number finder and quantulum3.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from suggestion_quality import (  # noqa: E402  (beside this file)
    LABEL_ORDER,
    Document,
    Reference,
    link_accuracy,
    predict,
    reference_sets,
    score,
    type_accuracy,
)

from annotator.suggest import Suggester  # noqa: E402
from annotator.suggest.figure_spans import find_figures  # noqa: E402
from annotator.text.segment import split_sentences  # noqa: E402

_PLAIN_NUMBER = re.compile(r"\d[\d,.]*\d|\d")

FigureFinder = Callable[[str], list[tuple[int, int]]]


def regex_numbers(sentence: str) -> list[tuple[int, int]]:
    """The baseline: every run of digits."""
    return [match.span() for match in _PLAIN_NUMBER.finditer(sentence)]


def quantulum_finder() -> FigureFinder | None:
    """quantulum3's quantities as figure spans, or None when it is not installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from quantulum3 import classifier, parser
    except ImportError:
        return None
    # quantulum3's pickled classifier does not load under the scikit-learn the test extra
    # installs; its rule-based disambiguation (what it uses without scikit-learn) is
    # measured instead, the same in every environment.
    classifier.USE_CLF = False

    def find(sentence: str) -> list[tuple[int, int]]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [tuple(q.span) for q in parser.parse(sentence)]  # type: ignore[misc]

    return find


def figure_predictions(find: FigureFinder, text: str) -> list[Reference]:
    spans = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        spans.extend(Reference("figure", start + a, start + b) for a, b in find(sentence))
    return spans


def _cells(pairs: Sequence[tuple[list[Reference], list[Reference]]], label: str) -> str:
    exact = score(pairs, label, exact=True)
    overlap = score(pairs, label, exact=False)
    numbers = (exact.precision, exact.recall, exact.f1,
               overlap.precision, overlap.recall, overlap.f1)
    return "".join(f"| {number:.2f} " for number in numbers) + f"| {overlap.reference} |"


def quality(sets: dict[str, list[Document]], quantulum: FigureFinder | None) -> None:
    suggester = Suggester()
    print("| set | label | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 | n |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    links = []
    types = []
    for name, documents in sets.items():
        if not documents:
            print(f"| {name} | (skipped: reference text not available) | | | | | | | |")
            continue
        pairs = [(predict(suggester, doc.text), list(doc.spans)) for doc in documents]
        for label in LABEL_ORDER:
            print(f"| {name} | {label} {_cells(pairs, label)}")
        finders = [("figure: regex numbers", regex_numbers)]
        if quantulum is not None:
            finders.append(("figure: quantulum3", quantulum))
        for row_name, finder in finders:
            other = [(figure_predictions(finder, doc.text), list(doc.spans)) for doc in documents]
            print(f"| {name} | {row_name} {_cells(other, 'figure')}")
        right, judged = link_accuracy(pairs)
        links.append(f"{name}: {right}/{judged}")
        typed_right, typed = type_accuracy(pairs)
        if typed:
            types.append(f"{name}: {typed_right}/{typed}")
    print()
    print("claim -> source links right (among overlap-matched claims): " + ", ".join(links))
    print("source types right (among overlap-matched sources whose reference has a type): "
          + ", ".join(types))


def _rate(function: Callable[[], object], sentences: int, runs: int = 5) -> tuple[float, float]:
    """(sentences per CPU second of this process, per wall-clock second), best of ``runs``.

    CPU time is the fair "one core" figure when other work shares the machine; wall time is
    what a user waits on an idle one.
    """
    cpu = wall = float("inf")
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        cpu = min(cpu, time.process_time() - started_cpu)
        wall = min(wall, time.perf_counter() - started)
    return sentences / cpu, sentences / wall


def speed_rows(
    documents: list[Document], quantulum: FigureFinder | None
) -> tuple[int, list[tuple[str, tuple[float, float]]]]:
    """Throughput of each engine over the sentences of ``documents``."""
    segmented = [(doc.text, split_sentences(doc.text)) for doc in documents]
    sentences = [text[a:b] for text, bounds in segmented for a, b in bounds]
    count = len(sentences)
    suggester = Suggester()

    def whole() -> None:
        for text, bounds in segmented:
            suggester.suggest_document(text, bounds)

    def figures_only() -> None:
        for sentence in sentences:
            find_figures(sentence)

    def baseline() -> None:
        for sentence in sentences:
            regex_numbers(sentence)

    rows = [
        ("Suggester.suggest_document (figures, sources, claims)", _rate(whole, count)),
        ("figures only (find_figures)", _rate(figures_only, count)),
        ("baseline: regex number finder", _rate(baseline, count)),
    ]
    if quantulum is not None:
        sample = sentences[:100]
        rows.append(("quantulum3 parse (figures only)",
                     _rate(lambda: [quantulum(s) for s in sample], len(sample), runs=2)))
    return count, rows


def speed(sets: dict[str, list[Document]], repeat: int, quantulum: FigureFinder | None) -> None:
    """Two corpora: every reference sentence (dense: most have a figure or an attribution) and
    the real article alone (a news article's own density)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    corpora = [("all reference sentences", [d for docs in sets.values() for d in docs])]
    article = sets.get("shared article") or []
    if article:
        corpora.append(("the real article", list(article)))
    for name, documents in corpora:
        count, rows = speed_rows(documents * repeat, quantulum)
        print(f"{name}: {count} sentences (x{repeat}), best of 5, one process, "
              f"{os.cpu_count()} CPUs, load average {load:.1f}:")
        print()
        print("| engine | sentences/s (CPU time) | sentences/s (wall) |")
        print("|---|---:|---:|")
        for row_name, (cpu, wall) in rows:
            print(f"| {row_name} | {cpu:,.0f} | {wall:,.0f} |")
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions for speed")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    sets = reference_sets(ROOT, ROOT.parent / "shared")
    quantulum = quantulum_finder()
    if quantulum is None:
        print("quantulum3 not installed: its rows are left out (pip install quantulum3)")
    print()
    quality(sets, quantulum)
    print()
    speed(sets, 5 if args.quick else 20, quantulum)


if __name__ == "__main__":
    main()
