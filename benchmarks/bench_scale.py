"""Scale: a 10,000-article corpus with 1,000,000 annotations on SQLite and on PostgreSQL.

For each ``--engine`` (one column each in the final table), in a fresh database:

* **import**: ``--articles`` synthetic wire articles (``bench_import.make_article``) as
  one JSONL file, imported by the library call the CLI makes, with every document's
  sentence spans computed beforehand (segmentation excluded, as the target asks);
  beside it raw ``executemany`` of exactly the same document and sentence rows through
  the bare driver (``sqlite3`` / ``psycopg``) into a second fresh database with the same
  schema, committing per document as the import does;
* **annotations**: ``--annotations`` annotations (five spans and two links per
  sentence, ``bench_export.build_annotations``) written in bulk onto those sentences;
* **export**: ``annotator export --view spans`` beside a plain ``csv.writer`` over
  the same query (``bench_export.measure``, each in its own process);
* **TUI**: the real ``annotator annotate`` binary in a pty: launch to first sentence,
  the median of ``--launches`` launches, `j` median and p95, peak memory
  (``bench_tui.real_terminal``);
* **agreement**: ``annotator.reports.agreement.build_report`` over the whole database,
  every sentence (``--all``: the synthetic annotators mark nothing done);
* **EXPLAIN** of the statements a move and the change poll run, printed after the table;
* **load reference**: the same TUI measurement on the 10,000-sentence SQLite database of
  ``bench_tui.py`` (0.98 s launch, 10.3 ms `j` on a quiet machine, benchmarks/RESULTS.md),
  taken in the same run, so a busy machine shows as such.

PostgreSQL runs in a database created on ``--pg-url``'s server and dropped at the end.

Usage: python benchmarks/bench_scale.py --engine sqlite postgresql --articles 10000
       --annotations 1000000 [--pg-url postgresql+psycopg://postgres@127.0.0.1:55432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bench_export  # beside this file, so on sys.path when run as a script
import bench_import
import bench_tui
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import annotator.io.importer
from annotator.io.importer import import_paths, segment_document
from annotator.io.textfile import content_hash
from db import changes, navigation
from db.copy import reset_sequences
from db.engine import open_database, sqlite_path

DEFAULT_PG = os.environ.get("ANNOTATOR_TEST_PG_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:55432/postgres")


@contextmanager
def fresh_database(engine: str, folder: Path, name: str, server: str) -> Iterator[str]:
    """The URL of a new empty database (a file, or a database on the server), removed after."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    database = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield make_url(server).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def time_import(url: str, corpus: Path, spans: dict[str, Any]) -> tuple[float, int]:
    """The CLI's import with segmentation replaced by a lookup of precomputed spans."""
    database = open_database(url)
    original = annotator.io.importer.segment_document
    annotator.io.importer.segment_document = spans.__getitem__  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        summary = import_paths(database, [corpus])
        elapsed = time.perf_counter() - started
    finally:
        annotator.io.importer.segment_document = original
        database.dispose()
    assert summary.skipped == 0
    return elapsed, summary.sentences


def time_raw_postgres(url: str, texts: list[str], spans: list[Any]) -> float:
    """Raw psycopg ``executemany`` of the same rows, committed per document."""
    import psycopg

    open_database(url).dispose()  # the same schema, by the same migrations
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        cursor = connection.cursor()
        started = time.perf_counter()
        for number, (body, document_spans) in enumerate(zip(texts, spans, strict=True), 1):
            cursor.execute(
                "INSERT INTO documents (id, title, origin, external_id, text, content_hash, "
                "meta, imported_at) VALUES (%s, %s, %s, %s, %s, %s, %s, now())",
                (number, f"Article {number}", "corpus", f"a{number}", body,
                 content_hash(body), "{}"))
            cursor.executemany(
                'INSERT INTO sentences (document_id, "index", start, "end", text) '
                "VALUES (%s, %s, %s, %s, %s)",
                [(number, index, span.start, span.end, body[span.start : span.end])
                 for index, span in enumerate(document_spans)])
            connection.commit()
        return time.perf_counter() - started


def time_raw(engine: str, url: str, folder: Path, texts: list[str], spans: list[Any]) -> float:
    if engine == "postgresql":
        return time_raw_postgres(url, texts, spans)
    path = sqlite_path(url)
    assert path is not None
    pairs = [[(span.start, span.end) for span in document] for document in spans]
    return bench_import.time_raw(path.parent, path.name, texts, pairs, per_document=True)


def time_agreement(url: str) -> float | None:
    try:
        from annotator.reports.agreement import build_report  # type: ignore[import-not-found]
    except ImportError:
        return None
    database = open_database(url)
    try:
        started = time.perf_counter()
        # Every sentence: the synthetic annotators mark none done, and the default (only
        # sentences all of them finished) would time an empty comparison.
        build_report(database, all_sentences=True)
        return time.perf_counter() - started
    finally:
        database.dispose()


def explain(url: str) -> list[str]:
    """Query plans of the statements a move (and the change poll) runs."""
    database = open_database(url)
    lines = []
    with database.engine.connect() as connection:
        dialect = connection.dialect
        sentence_id = connection.execute(text("SELECT max(id) / 2 FROM sentences")).scalar()
        statements = {
            "sentence and neighbours, done count, leave check": (
                navigation._SENTENCE_AND_NEIGHBOURS,
                {"sentence_id": sentence_id, "annotator_id": 1, "left_id": sentence_id - 1}),
            "annotations of a sentence (own)": (navigation._SENTENCE_ANNOTATIONS[False, False],
                                                {"sentence_id": sentence_id,
                                                 "annotator_id": 1}),
            "annotations of a sentence (all)": (navigation._SENTENCE_ANNOTATIONS[True, False],
                                                {"sentence_id": sentence_id,
                                                 "annotator_id": 1}),
            "links of shown annotations (both directions)": (navigation._LINK_ENDS,
                                                            {"ids": [1, 2, 3]}),
            "progress (done count)": (navigation._COUNT_DONE, {"annotator_id": 1}),
            "leaving marks done?": (navigation._MARKS_DONE_ON_LEAVE,
                                    {"sentence_id": sentence_id, "annotator_id": 1}),
            "change marker (the change poll, and every move read ahead)": (changes._MARKER, {}),
        }
        prefix = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
        for name, (statement, params) in statements.items():
            compiled = statement.params(**params).compile(
                dialect=dialect, compile_kwargs={"literal_binds": True})
            plan = connection.exec_driver_sql(prefix + str(compiled)).all()
            lines.append(f"{name}:")
            lines.extend("    " + " ".join(str(cell) for cell in row if cell is not None)
                         for row in plan)
    database.dispose()
    return lines


def run_engine(engine: str, args: argparse.Namespace, folder: Path, corpus: Path,
               texts: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    spans_by_text = {body: segment_document(body) for body in texts}
    spans = [spans_by_text[body] for body in texts]
    with fresh_database(engine, folder, "raw", args.pg_url) as raw_url:
        result["raw_s"] = time_raw(engine, raw_url, folder, texts, spans)
    print(f"[{engine}] raw executemany: {result['raw_s']:.1f} s", flush=True)
    with fresh_database(engine, folder, "scale", args.pg_url) as url:
        result["import_s"], result["sentences"] = time_import(url, corpus, spans_by_text)
        print(f"[{engine}] import: {result['import_s']:.1f} s", flush=True)
        sentence_limit = -(-args.annotations // bench_export.SPANS_PER_SENTENCE)
        started = time.perf_counter()
        result["annotations"] = bench_export.build_annotations(url,
                                                               sentence_limit=sentence_limit)
        database = open_database(url)
        with database.engine.begin() as connection:
            reset_sequences(connection)
            if engine == "postgresql":
                connection.execute(text("ANALYZE"))
        database.dispose()
        print(f"[{engine}] {result['annotations']:,} annotations built in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        for mode in ("csv.writer", "annotator"):
            result[f"export {mode}"] = bench_export.measure(mode, url, folder / f"{mode}.csv")
            (folder / f"{mode}.csv").unlink(missing_ok=True)
        print(f"[{engine}] export: {result['export annotator']['seconds']:.1f} s", flush=True)
        result["tui"] = bench_tui.real_terminal(url, args.presses)  # type: ignore[arg-type]
        # One launch is one sample of a container whose speed moves by a third from minute
        # to minute: the median of several, each a new process and a new annotator.
        result["launches"] = [result["tui"]["launch_s"]] + [
            bench_tui.real_terminal(url, 0)["launch_s"]  # type: ignore[arg-type]
            for _ in range(args.launches - 1)]
        print(f"[{engine}] TUI launches " + ", ".join(f"{s:.2f}" for s in result["launches"])
              + " s", flush=True)
        result["agreement_s"] = time_agreement(url)
        result["explain"] = explain(url)
    return result


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> list[str]:
    engines = list(results)
    lines = ["| measurement | " + " | ".join(engines) + " |",
             "|---|" + "---:|" * len(engines)]

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    row("sentences imported", [f"{r['sentences']:,}" for r in results.values()])
    row("import (segmentation excluded), sentences/s",
        [f"{r['sentences'] / r['import_s']:,.0f}" for r in results.values()])
    row("raw driver executemany, commit per document, sentences/s",
        [f"{r['sentences'] / r['raw_s']:,.0f}" for r in results.values()])
    row("import / raw (target ≥ 40 %)",
        [f"{r['raw_s'] / r['import_s']:.0%}" for r in results.values()])
    row("annotations", [f"{r['annotations']:,}" for r in results.values()])
    row("export spans CSV, rows/s", [
        f"{r['annotations'] / r['export annotator']['seconds']:,.0f}" for r in results.values()])
    row("plain csv.writer, rows/s", [
        f"{r['annotations'] / r['export csv.writer']['seconds']:,.0f}" for r in results.values()])
    row("export / csv.writer (target ≥ 50 %)", [
        f"{r['export csv.writer']['seconds'] / r['export annotator']['seconds']:.0%}"
        for r in results.values()])
    row(f"TUI launch to first sentence, median of {args.launches} (target < 1.5 s)", [
        f"{statistics.median(r['launches']):.2f} s ({min(r['launches']):.2f}-"
        f"{max(r['launches']):.2f})" for r in results.values()])
    row(f"TUI `j` median / p95 over {args.presses} (target median < 15 ms)", [
        f"{statistics.median(r['tui']['j_ms']):.1f} / "
        f"{bench_tui.percentile(r['tui']['j_ms'], 0.95):.1f} ms" for r in results.values()])
    row("agreement report (all annotators, every sentence)", [
        "n/a" if r["agreement_s"] is None else f"{r['agreement_s']:.1f} s"
        for r in results.values()])
    row("peak RSS: export / csv.writer / TUI", [
        f"{r['export annotator']['peak_mib']:.0f} / {r['export csv.writer']['peak_mib']:.0f} / "
        f"{r['tui']['peak_rss_mb']:.0f} MiB" for r in results.values()])
    return lines


def server_version(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return f"PostgreSQL {version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--launches", type=int, default=5,
                        help="TUI launches timed (the median is reported)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    results = {}
    reference = bench_tui.real_terminal(bench_tui.ensure_database(10_000), args.presses)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        corpus, texts = bench_import.write_corpus(folder, args.articles, args.seed)
        for engine in args.engine:
            results[engine] = run_engine(engine, args, folder, corpus, texts)
    versions = [f"SQLite {sqlite3.sqlite_version}"]
    if "postgresql" in results:
        versions.append(server_version(args.pg_url))
    print()
    print(f"{args.articles:,} articles, {args.annotations:,} annotations requested; "
          f"nproc={os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the end, "
          f"Python {platform.python_version()}, {', '.join(versions)}")
    print("\n".join(table(results, args)))
    print(f"load reference, same harness on the 10,000-sentence SQLite database of "
          f"bench_tui.py: launch {reference['launch_s']:.2f} s, `j` median "
          f"{statistics.median(reference['j_ms']):.1f} ms (0.98 s and 10.3 ms on a quiet "
          f"machine)")
    for engine, result in results.items():
        print(f"\nQuery plans on {engine}:")
        print("\n".join(result["explain"]))
    print(json.dumps({engine: {k: v for k, v in r.items() if k not in ("tui", "explain")}
                      for engine, r in results.items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
