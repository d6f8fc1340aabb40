"""Spans-view CSV export throughput and memory beside a plain ``csv.writer`` over the same rows.

Builds (or reuses) a SQLite database with ``--annotations`` annotations: the
sentence corpus comes from ``corpus_builder``; the annotations, canonical
sources and links are written here in bulk, five spans per sentence (a source,
two claims, two figures; one claim attributed to the source span, one figure
supporting it). Then, each in its own child process so peak memory is its own:

* ``annotator export --view spans`` to a CSV file (what the CLI runs, in-process
  in the child: formatting, formula neutralization, atomic file),
* a plain ``csv.writer`` over the rows of the same query, fetched the same way
  (one streaming cursor), written as they come,
* the same fetch with no writing at all, to show what the database costs alone.

Peak memory is each child's own high-water mark (``VmHWM``), so it covers the
whole export process: interpreter, imports, cursor buffers and CSV writer.

Usage: python benchmarks/bench_export.py [--annotations 1000000] [--db PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from corpus_builder import build  # beside this file, so on sys.path when run as a script
from sqlalchemy import insert, select

from db.engine import open_database
from db.export_rows import STREAM_BATCH, span_query
from db.filters import AnnotationFilter
from db.models import Annotation, Annotator, Link, Sentence, Source

SPANS_PER_SENTENCE = 5
SOURCES = 50
ANNOTATORS = ("ana", "bob", "chen")
BATCH_SENTENCES = 20_000
UNITS = ("USD", "percent", "people", "trucks", None)
QUALIFIERS = ("over", "about", None, None)


def build_annotations(target: str, seed: int = 5, sentence_limit: int | None = None) -> int:
    """Add five annotations (and two links) to every sentence (or to the first
    ``sentence_limit``); returns the annotation count.

    Ids are assigned here so links can be written in the same batch, and every
    span is cut at word boundaries of its own sentence, so the offsets invariant holds.
    """
    rng = random.Random(seed)
    database = open_database(target)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    annotation_id = link_id = 0
    with database.engine.connect() as connection:
        with connection.begin():
            connection.execute(insert(Annotator), [
                {"id": number, "name": name, "created_at": now}
                for number, name in enumerate(ANNOTATORS, start=1)])
            connection.execute(insert(Source), [
                {"id": number, "name": f"Source {number}",
                 "source_type": rng.choice(("government", "ngo", "expert")), "created_at": now}
                for number in range(1, SOURCES + 1)])
        # Read all sentence positions first (ids and offsets only; small beside the texts),
        # so reading and writing never share the connection.
        sentences = connection.execute(
            select(Sentence.id, Sentence.document_id, Sentence.start, Sentence.text)
            .order_by(Sentence.id).limit(sentence_limit)
        ).all()
    with database.engine.connect() as connection:
        for batch_start in range(0, len(sentences), BATCH_SENTENCES):
            annotations, links = [], []
            for sentence_id, document_id, offset, text in (
                sentences[batch_start : batch_start + BATCH_SENTENCES]
            ):
                words = text.split(" ")
                first, second, last = len(words[0]), len(words[1]), len(words[-1])
                annotator = rng.randint(1, len(ANNOTATORS))
                spans = (
                    ("source", 0, first, {"source_id": rng.randint(1, SOURCES)}),
                    ("claim", first + 1, len(text) - 1, {}),
                    ("figure", first + 1, first + 1 + second,
                     {"figure_value": rng.randint(1, 10**6) / 10,
                      "figure_unit": rng.choice(UNITS),
                      "figure_qualifier": rng.choice(QUALIFIERS)}),
                    ("claim", 0, len(text), {"attrs": {"attribution": "author"}}),
                    ("figure", len(text) - 1 - last, len(text) - 1, {"figure_value": 42.0}),
                )
                first_id = annotation_id + 1
                for label, start, end, extra in spans:
                    annotation_id += 1
                    annotations.append({
                        "id": annotation_id, "sentence_id": sentence_id,
                        "document_id": document_id, "annotator_id": annotator, "label": label,
                        "start": start, "end": end, "doc_start": offset + start,
                        "doc_end": offset + end, "text": text[start:end], "source_id": None,
                        "figure_value": None, "figure_unit": None, "figure_qualifier": None,
                        "attrs": {}, "status": "accepted", "origin": "manual",
                        "created_at": now, "updated_at": now, **extra,
                    })
                link_id += 2
                links.append({"id": link_id - 1, "from_id": first_id + 1, "to_id": first_id,
                              "type": "attributed_to", "created_at": now})
                links.append({"id": link_id, "from_id": first_id + 2, "to_id": first_id + 1,
                              "type": "supports", "created_at": now})
            with connection.begin():
                connection.execute(insert(Annotation), annotations)
                connection.execute(insert(Link), links)
    database.dispose()
    return annotation_id


# --- the measured work, each run in a child process ----------------------------------------

def child(mode: str, db: str, out: str) -> None:
    """Run one measurement and print rows, seconds and this process's peak RSS as JSON."""
    started = time.perf_counter()
    if mode == "annotator":
        from annotator.cli import cli

        cli.main(["export", "--view", "spans", "--format", "csv", "--out", out, "--db", db],
                 standalone_mode=False)
        with open(out, "rb") as handle:
            rows = sum(1 for _ in handle) - 1  # no cell here holds a line break
    else:
        database = open_database(db)
        rows = 0
        with database.engine.connect() as connection:
            stream = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
            result = stream.execute(span_query(AnnotationFilter()))
            if mode == "csv.writer":
                with open(out, "w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\r\n")
                    for row in result:
                        writer.writerow(row)
                        rows += 1
            else:
                for _row in result:
                    rows += 1
        database.dispose()
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": peak_kib() / 1024}))


def peak_kib() -> int:
    """This process's peak resident set size in KiB.

    ``ru_maxrss`` survives fork and exec on Linux, so a child would report its
    parent's peak if larger; ``VmHWM`` belongs to the address space made by exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(mode: str, db: str, out: Path) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", db, "--out", str(out)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--db", help="reuse (or build and keep) this database (a path; a "
                                      "URL for --child)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, str(args.db), args.out)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        db_path = Path(args.db) if args.db else folder / "export.db"
        if not db_path.exists():
            started = time.perf_counter()
            sentences = -(-args.annotations // SPANS_PER_SENTENCE)
            build(str(db_path), sentences)
            count = build_annotations(str(db_path))
            print(f"built {db_path}: {sentences:,} sentences, {count:,} annotations in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        db = str(db_path)
        results = {}
        for mode in ("fetch only", "csv.writer", "annotator"):
            results[mode] = measure(mode, db, folder / f"{mode.replace(' ', '-')}.csv")
            print(f"{mode}: {results[mode]}", flush=True)
        sizes = {mode: os.path.getsize(folder / f"{mode}.csv") for mode in ("csv.writer",
                                                                              "annotator")}
    rows = int(results["annotator"]["rows"])
    assert rows == results["csv.writer"]["rows"] == results["fetch only"]["rows"]
    print()
    print(f"{rows:,} annotations; nproc={os.cpu_count()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {platform.machine()}")
    print("| spans view to CSV | seconds | rows/s | peak RSS (MiB) |")
    print("|---|---:|---:|---:|")
    labels = {
        "fetch only": "fetch only (same query and cursor, nothing written)",
        "csv.writer": "plain csv.writer over the same rows",
        "annotator": "`annotator export --view spans`",
    }
    for mode, label in labels.items():
        result = results[mode]
        print(f"| {label} | {result['seconds']:.1f} | {rows / result['seconds']:,.0f} | "
              f"{result['peak_mib']:.0f} |")
    ratio = results["csv.writer"]["seconds"] / results["annotator"]["seconds"]
    print(f"annotator export runs at {ratio:.0%} of the plain csv.writer's rate; "
          f"file sizes {sizes['annotator'] / 2**20:,.0f} MiB and "
          f"{sizes['csv.writer'] / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
