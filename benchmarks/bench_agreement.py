"""``build_report`` (``annotator agreement``) beside a plain-Python baseline over raw sqlite3 rows.

Builds (or reuses) a SQLite database: sentences from ``corpus_builder``, then three
annotators (ana, bob, chen) who each tag every sentence with a source span (mapped to one
of 40 canonical sources), a claim attributed to it and a figure supporting the claim, with
boundaries and choices that differ between them now and then; 95% of the sentences are
marked done by all three. Then, each in its own child process so peak memory is its own:

* ``build_report`` on all three annotators: span P/R/F1 (exact and overlap, every pair and
  label), kappa and alpha on source types and attributions, figure values;
* the baseline: the span counts only (exact and overlap matches per pair and label), from
  the same sentences' rows fetched with the ``sqlite3`` module and matched in plain Python;
* the baseline's fetch alone.

Wall-clock and CPU seconds are both printed: on a shared machine the CPU time of the child
is the steadier number.

The baseline's match counts must equal the report's, which the script checks.

Usage: python benchmarks/bench_agreement.py [--sentences 12000] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

from bench_export import peak_kib  # beside this file, so on sys.path when run as a script
from corpus_builder import build
from sqlalchemy import insert, select

from db.engine import open_database
from db.models import Annotation, Annotator, Link, Sentence, SentenceState, Source

ANNOTATORS = ("ana", "bob", "chen")
SOURCES = 40
TYPES = ("government", "ngo", "expert", "media")
BATCH_SENTENCES = 5_000
DONE_SHARE = 0.95


def build_annotations(target: str, seed: int = 7) -> int:
    """Three annotators' spans, links and done marks on every sentence; returns the span count."""
    rng = random.Random(seed)
    database = open_database(target)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with database.engine.connect() as connection:
        with connection.begin():
            connection.execute(insert(Annotator), [
                {"id": number, "name": name, "created_at": now}
                for number, name in enumerate(ANNOTATORS, start=1)])
            connection.execute(insert(Source), [
                {"id": number, "name": f"Source {number}", "source_type": rng.choice(TYPES),
                 "created_at": now} for number in range(1, SOURCES + 1)])
        sentences = connection.execute(
            select(Sentence.id, Sentence.document_id, Sentence.start, Sentence.text)
            .order_by(Sentence.id)).all()
    annotation_id = link_id = 0
    with database.engine.connect() as connection:
        for batch_start in range(0, len(sentences), BATCH_SENTENCES):
            annotations, links, states = [], [], []
            for sentence_id, document_id, offset, text in (
                sentences[batch_start : batch_start + BATCH_SENTENCES]
            ):
                words = text.split(" ")
                first, second = len(words[0]), len(words[1])
                source = rng.randint(1, SOURCES)
                done = rng.random() < DONE_SHARE
                for annotator in range(1, len(ANNOTATORS) + 1):
                    # Mostly the same choices; sometimes another source, a claim that keeps
                    # its final period, a figure with another value.
                    own_source = source if rng.random() < 0.85 else rng.randint(1, SOURCES)
                    claim_end = len(text) - (0 if rng.random() < 0.2 else 1)
                    value = 42.0 if rng.random() < 0.9 else 41.0
                    spans = (
                        ("source", 0, first, {"source_id": own_source}),
                        ("claim", first + 1, claim_end, {}),
                        ("figure", first + 1, first + 1 + second,
                         {"figure_value": value, "figure_unit": "people"}),
                    )
                    for label, start, end, extra in spans:
                        annotation_id += 1
                        annotations.append({
                            "id": annotation_id, "sentence_id": sentence_id,
                            "document_id": document_id, "annotator_id": annotator,
                            "label": label, "start": start, "end": end,
                            "doc_start": offset + start, "doc_end": offset + end,
                            "text": text[start:end], "source_id": None, "figure_value": None,
                            "figure_unit": None, "figure_qualifier": None, "attrs": {},
                            "status": "accepted", "origin": "manual", "created_at": now,
                            "updated_at": now, **extra,
                        })
                    link_id += 2
                    links.append({"id": link_id - 1, "from_id": annotation_id - 1,
                                  "to_id": annotation_id - 2, "type": "attributed_to",
                                  "created_at": now})
                    links.append({"id": link_id, "from_id": annotation_id,
                                  "to_id": annotation_id - 1, "type": "supports",
                                  "created_at": now})
                    if done or annotator > 1:
                        states.append({"annotator_id": annotator, "sentence_id": sentence_id,
                                       "state": "done", "updated_at": now})
            with connection.begin():
                connection.execute(insert(Annotation), annotations)
                connection.execute(insert(Link), links)
                connection.execute(insert(SentenceState), states)
    database.dispose()
    return annotation_id


# --- the baseline: raw sqlite3 and plain Python --------------------------------------------

BASELINE_QUERY = """
SELECT a.sentence_id, n.name, a.label, a.start, a."end"
FROM annotations AS a JOIN annotators AS n ON n.id = a.annotator_id
WHERE a.status = 'accepted' AND a.sentence_id IN (
    SELECT sentence_id FROM sentence_states WHERE state = 'done'
    GROUP BY sentence_id HAVING count(*) = 3)
ORDER BY a.document_id, a.sentence_id
"""


def _greedy_overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """The number of one-to-one overlap pairs, most shared characters first (as the tool)."""
    candidates = []
    for i, (s1, e1) in enumerate(a):
        for j, (s2, e2) in enumerate(b):
            shared = min(e1, e2) - max(s1, s2)
            if shared > 0:
                key = (-shared, abs(s1 - s2) + abs(e1 - e2), tuple(sorted(((s1, e1), (s2, e2)))))
                candidates.append((key, i, j))
    candidates.sort()
    taken_a, taken_b = set(), set()
    for _key, i, j in candidates:
        if i not in taken_a and j not in taken_b:
            taken_a.add(i)
            taken_b.add(j)
    return len(taken_a)


def baseline_counts(path: str, match: bool) -> dict[str, int]:
    """Exact and overlap matches per ``A|B|label|match`` over the done sentences."""
    connection = sqlite3.connect(path)
    counts: dict[str, int] = {}
    current = None
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def flush() -> None:
        for a, b in combinations(ANNOTATORS, 2):
            for label in ("claim", "source", "figure"):
                mine, theirs = spans.get((a, label), []), spans.get((b, label), [])
                exact = len(set(mine) & set(theirs))
                key = f"{a}|{b}|{label}"
                counts[f"{key}|exact"] = counts.get(f"{key}|exact", 0) + exact
                counts[f"{key}|overlap"] = counts.get(f"{key}|overlap", 0) + \
                    _greedy_overlaps(mine, theirs)

    rows = 0
    for sentence_id, name, label, start, end in connection.execute(BASELINE_QUERY):
        rows += 1
        if not match:
            continue
        if sentence_id != current:
            if current is not None:
                flush()
            current, spans = sentence_id, {}
        spans.setdefault((name, label), []).append((start, end))
    if match and current is not None:
        flush()
    connection.close()
    counts["rows"] = rows
    return counts


def report_counts(path: str) -> dict[str, int]:
    """The same counts from ``build_report``."""
    from annotator.reports.agreement import build_report

    database = open_database(path)
    report = build_report(database, list(ANNOTATORS))
    database.dispose()
    counts = {f"{s.annotator_a}|{s.annotator_b}|{s.label}|{s.match}": s.matched
              for s in report.spans if s.label != "all"}
    counts["sentences"] = report.sentences
    source_type = next(c for c in report.categories if c.item == "source_type")
    counts["alpha_source_type"] = round(1000 * (source_type.alpha or 0))
    return counts


# --- child processes --------------------------------------------------------------------------

def child(mode: str, db: str) -> None:
    """Run one measurement; print its counts, seconds and peak RSS as JSON."""
    started, cpu_started = time.perf_counter(), time.process_time()
    if mode == "build_report":
        counts = report_counts(db)
    else:
        counts = baseline_counts(db, match=mode == "baseline")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"counts": counts, "seconds": seconds, "cpu": cpu,
                      "peak_mib": peak_kib() / 1024}))


def measure(mode: str, db: str) -> dict:
    completed = subprocess.run([sys.executable, __file__, "--child", mode, "--db", db],
                               check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=12_000)
    parser.add_argument("--db", type=Path, help="reuse (or build and keep) this database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, str(args.db))
        return
    with tempfile.TemporaryDirectory() as scratch:
        db_path = args.db or Path(scratch) / "agreement.db"
        if not db_path.exists():
            started = time.perf_counter()
            build(str(db_path), args.sentences)
            count = build_annotations(str(db_path))
            print(f"built {db_path}: {args.sentences:,} sentences, {count:,} annotations in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        results = {mode: measure(mode, str(db_path))
                   for mode in ("fetch only", "baseline", "build_report")}
    report, baseline = results["build_report"]["counts"], results["baseline"]["counts"]
    mismatched = [key for key in baseline if key != "rows" and baseline[key] != report[key]]
    assert not mismatched, f"match counts differ: {mismatched}"
    rows = baseline["rows"]
    print()
    print(f"{rows:,} annotations in {report['sentences']:,} sentences done by all 3; "
          f"nproc={os.cpu_count()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {platform.machine()}")
    print("| agreement, 3 annotators | seconds | CPU seconds | annotations/s (CPU) "
          "| peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|")
    labels = {
        "fetch only": "baseline fetch only (raw sqlite3, same sentences)",
        "baseline": "baseline: raw sqlite3 + plain Python, span matches only",
        "build_report": "`build_report`: spans, kappa, alpha, figures",
    }
    for mode, label in labels.items():
        result = results[mode]
        print(f"| {label} | {result['seconds']:.2f} | {result['cpu']:.2f} | "
              f"{rows / result['cpu']:,.0f} | {result['peak_mib']:.0f} |")
    print(f"match counts identical in both ({len(baseline) - 1} pair/label/match cells); "
          f"source-type alpha {report['alpha_source_type'] / 1000:.3f}")


if __name__ == "__main__":
    main()
