"""Import throughput beside segmentation alone and raw ``sqlite3.executemany``.

Generates a corpus of synthetic wire-style articles, then measures in one run:

* segmentation alone (``split_sentences`` over every text),
* ``annotator import`` of the corpus (the library call the CLI makes) into a fresh
  SQLite file: read, normalize, hash, segment, one transaction per document,
* the same import with segmentation subtracted, and the same import with every
  document's sentence spans computed beforehand (segmentation excluded by
  construction, which is steadier than a subtraction on a busy machine),
* raw ``sqlite3.executemany`` of exactly the same document and sentence rows into
  the same schema, once committing per document (what import does) and once in a
  single transaction (the ceiling).

Every step runs ``--repeat`` times (fresh database each time); the best time counts.

Usage: python benchmarks/bench_import.py [--articles 5000] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import annotator.io.importer
from annotator.io.importer import import_paths, segment_document
from annotator.io.textfile import content_hash
from annotator.text.segment import split_sentences
from db.engine import open_database, sqlite_path

SUBJECTS = [
    "Hamas spokesperson Abdul Latif Al-Qanoua", "Egypt's State Information Service",
    "The U.N. humanitarian office", "International rights groups", "Dr. Leila Haddad",
    "A senior U.S. official", "The Israeli military", "Qatar's foreign ministry",
]
VERBS = ["said", "confirmed", "announced", "stressed", "added", "warned", "reported"]
CLAUSES = [
    "that talks on the second phase would resume on Monday",
    "that more than 14,000 people remain unaccounted for",
    "a five-year, $53 billion reconstruction plan for the enclave",
    "that aid deliveries had fallen by 40 percent since Jan. 19",
    "that over 160,000 casualties had been recorded, citing the ministry",
    "that the U.S. President would meet envoys in Cairo",
    "that 42 days of calm had allowed some 300 trucks a day to enter",
]
QUOTES = [
    "“The efforts of the mediators persist, with encouraging signs emerging,” {s} remarked.",
    "“We will not accept any delay,” {s} told reporters in Cairo.",
]


def make_article(rng: random.Random, number: int) -> str:
    """One synthetic article of 15-40 sentences in 5-12 paragraphs."""
    paragraphs = [f"Mediators report progress in round {number} of talks"]
    for _ in range(rng.randint(5, 12)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            subject = rng.choice(SUBJECTS)
            if rng.random() < 0.2:
                sentences.append(rng.choice(QUOTES).format(s=subject))
            else:
                sentences.append(f"{subject} {rng.choice(VERBS)} {rng.choice(CLAUSES)}.")
        paragraphs.append(" ".join(sentences))
    return "\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, articles: int, seed: int) -> tuple[Path, list[str]]:
    """A JSONL corpus file and the texts in it."""
    rng = random.Random(seed)
    texts = [make_article(rng, number) for number in range(articles)]
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number, text in enumerate(texts):
            handle.write(json.dumps({"id": f"a{number}", "title": f"Article {number}",
                                     "text": text}) + "\n")
    return path, texts


def time_segmentation(texts: list[str]) -> tuple[float, int, list[list[tuple[int, int]]]]:
    started = time.perf_counter()
    spans = [split_sentences(text) for text in texts]
    return time.perf_counter() - started, sum(map(len, spans)), spans


def time_import(folder: Path, corpus: Path, name: str = "import.db") -> tuple[float, int]:
    path = folder / name
    for leftover in folder.glob(name + "*"):
        leftover.unlink()
    database = open_database(str(path))
    started = time.perf_counter()
    summary = import_paths(database, [corpus])
    elapsed = time.perf_counter() - started
    database.dispose()
    assert summary.skipped == 0 and summary.documents > 0
    return elapsed, summary.sentences


def time_import_presegmented(folder: Path, corpus: Path, texts: list[str]) -> float:
    """The import with each document's spans looked up instead of computed."""
    spans = {text: segment_document(text) for text in texts}
    original = annotator.io.importer.segment_document
    annotator.io.importer.segment_document = spans.__getitem__  # type: ignore[assignment]
    try:
        elapsed, _ = time_import(folder, corpus, "presegmented.db")
    finally:
        annotator.io.importer.segment_document = original
    return elapsed


def time_raw(
    folder: Path, name: str, texts: list[str], spans: list[list[tuple[int, int]]],
    per_document: bool,
) -> float:
    """Raw sqlite3 inserts of the same rows into the same schema and pragmas."""
    for leftover in folder.glob(name + "*"):
        leftover.unlink()
    database = open_database(str(folder / name))
    path = sqlite_path(database.url)
    database.dispose()
    assert path is not None
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    now = "2026-01-01 00:00:00.000000+00:00"
    started = time.perf_counter()
    if not per_document:
        connection.execute("BEGIN")
    for number, (text, document_spans) in enumerate(zip(texts, spans, strict=True), start=1):
        if per_document:
            connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO documents (id, title, origin, external_id, text, content_hash, meta, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (number, f"Article {number}", "corpus", f"a{number}", text, content_hash(text),
             "{}", now),
        )
        connection.executemany(
            'INSERT INTO sentences (document_id, "index", start, "end", text) '
            "VALUES (?, ?, ?, ?, ?)",
            [(number, index, start, end, text[start:end])
             for index, (start, end) in enumerate(document_spans)],
        )
        if per_document:
            connection.execute("COMMIT")
    if not per_document:
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    best: dict[str, float] = {}

    def keep_best(step: str, seconds: float) -> None:
        best[step] = min(seconds, best.get(step, seconds))

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        corpus, texts = write_corpus(folder, args.articles, args.seed)
        for _ in range(args.repeat):  # interleaved, so a busy moment hits every step alike
            segment_seconds, sentences, spans = time_segmentation(texts)
            keep_best("segment", segment_seconds)
            import_seconds, imported = time_import(folder, corpus)
            assert imported == sentences
            keep_best("import", import_seconds)
            keep_best("presegmented", time_import_presegmented(folder, corpus, texts))
            keep_best("raw_each", time_raw(folder, "raw-each.db", texts, spans,
                                           per_document=True))
            keep_best("raw_once", time_raw(folder, "raw-once.db", texts, spans,
                                           per_document=False))
    segment_seconds, import_seconds = best["segment"], best["import"]
    raw_each, raw_once = best["raw_each"], best["raw_once"]
    without_segmentation = best["presegmented"]
    rows = [
        ("segmentation alone", segment_seconds),
        ("annotator import (all of it)", import_seconds),
        ("annotator import minus segmentation", import_seconds - segment_seconds),
        ("annotator import, spans computed beforehand", without_segmentation),
        ("raw sqlite3.executemany, commit per document", raw_each),
        ("raw sqlite3.executemany, one transaction", raw_once),
    ]
    print(f"{args.articles} articles, {sentences} sentences; Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {platform.machine()}")
    print(f"| {'step':<46} | {'seconds':>8} | {'sentences/s':>12} | {'docs/s':>8} |")
    print(f"|{'-' * 48}|{'-' * 9}:|{'-' * 13}:|{'-' * 9}:|")
    for name, seconds in rows:
        print(f"| {name:<46} | {seconds:8.2f} | {sentences / seconds:12,.0f} | "
              f"{args.articles / seconds:8,.0f} |")
    print(f"best of {args.repeat} runs per step")
    print(f"import without segmentation runs at {raw_each / without_segmentation:.0%} of raw "
          f"per-document inserts and {raw_once / without_segmentation:.0%} of one raw transaction")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS of this process: {peak / 1024:.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
