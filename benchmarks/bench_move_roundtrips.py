"""Round trips of one `j` on SQLite and PostgreSQL: statements per move, then the real binary.

For each engine, a corpus of ``--articles`` synthetic articles with ``--annotations``
annotations (``bench_scale``'s import and ``bench_export.build_annotations``) is built once
(a file under ``benchmarks/out/``, a database ``--pg-database`` on ``--pg-url``'s server;
``--drop`` removes both at the end). Then:

* **statements per move**: the Workspace calls the annotation screen makes for one `j`
  (next from the shown view, the leave check, the view, the progress, the position write
  after the paint) counted with SQLAlchemy events: statements sent, connection checkouts
  (each a ``SELECT 1`` round trip where the engine pre-pings), and transactions begun
  (on PostgreSQL each adds a ``BEGIN`` and a ``COMMIT``/``ROLLBACK`` round trip). The
  counts do not depend on the machine's load;
* **real terminal**: ``bench_tui.real_terminal``, launch and `j` median/p95;
* **load reference**: the same harness on ``bench_tui.py``'s 10,000-sentence database.

Usage: python benchmarks/bench_move_roundtrips.py --articles 2000 --annotations 200000
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import tempfile
from collections import Counter
from pathlib import Path

import bench_export  # beside this file, so on sys.path when run as a script
import bench_import
import bench_scale
import bench_tui
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from annotator.io.importer import segment_document
from annotator.tui.launch import INTERACTIVE_LOCK_WAIT_MS
from annotator.workspace import Workspace
from db.copy import reset_sequences
from db.engine import open_database

MOVES = 50


def build(url: str, articles: int, annotations: int, pg: bool) -> None:
    """Import the corpus and write the annotations into an empty database."""
    with tempfile.TemporaryDirectory() as scratch:
        corpus, texts = bench_import.write_corpus(Path(scratch), articles, 7)
        spans = {body: segment_document(body) for body in texts}
        bench_scale.time_import(url, corpus, spans)
    limit = -(-annotations // bench_export.SPANS_PER_SENTENCE)
    bench_export.build_annotations(url, sentence_limit=limit)
    database = open_database(url)
    with database.engine.begin() as connection:
        reset_sequences(connection)
        if pg:
            connection.execute(text("ANALYZE"))
    database.dispose()


def count_per_move(url: str) -> Counter[str]:
    """Average events of one `j` through the interactive database, as the screen calls."""
    database = open_database(url).with_lock_wait(INTERACTIVE_LOCK_WAIT_MS)
    workspace = Workspace(database, "bench-counter")
    counts: Counter[str] = Counter()
    engine = database.engine
    event.listen(engine, "before_cursor_execute",
                 lambda *_args: counts.update(["statements"]))
    event.listen(engine.pool, "checkout", lambda *_args: counts.update(["checkouts"]))
    event.listen(engine, "begin", lambda connection: counts.update(
        ["autocommit units" if getattr(connection.connection.dbapi_connection, "autocommit",
                                       False) else "transactions"]))
    sentence = workspace.start_position()
    assert sentence is not None
    view = workspace.view(sentence)
    arrive = hasattr(workspace, "arrive")
    ahead = arrive or "arriving" in inspect.signature(workspace.leaving_marks_done).parameters
    counts.clear()
    for _ in range(MOVES):  # what AnnotateScreen._arrive and redraw call for `j`
        target = workspace.following(view)
        assert target is not None
        if arrive:  # one call: the view, the progress and the leave check
            view = workspace.arrive(view.sentence_id, target).view
            workspace.remember_position(target)
            continue
        if ahead:  # the screen reads the leave check with the arriving sentence's view
            workspace.leaving_marks_done(view.sentence_id, target)
        else:  # before that change: the leave check on its own
            workspace.leaving_marks_done(view.sentence_id)
        view = workspace.view(target)
        workspace.progress()
        workspace.remember_position(target)
    pings = counts["checkouts"] if engine.pool._pre_ping else 0  # type: ignore[attr-defined]
    # On PostgreSQL each statement, ping, BEGIN and COMMIT/ROLLBACK is a round trip.
    counts["PostgreSQL round trips"] = counts["statements"] + pings + 2 * counts["transactions"]
    database.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--annotations", type=int, default=200_000)
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--pg-url", default=bench_scale.DEFAULT_PG)
    parser.add_argument("--pg-database", default="pgtui_bench")
    parser.add_argument("--drop", action="store_true", help="remove both databases at the end")
    args = parser.parse_args()
    bench_tui.OUT.mkdir(exist_ok=True)
    sqlite_file = bench_tui.OUT / f"moves-{args.articles}-{args.annotations}.db"
    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": args.pg_database}).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{args.pg_database}"'))
    urls = {"sqlite": f"sqlite:///{sqlite_file}",
            "postgresql": make_url(args.pg_url).set(database=args.pg_database)
            .render_as_string(hide_password=False)}
    if not sqlite_file.exists():
        build(urls["sqlite"], args.articles, args.annotations, pg=False)
    if not exists:
        build(urls["postgresql"], args.articles, args.annotations, pg=True)
    reference = bench_tui.real_terminal(bench_tui.ensure_database(10_000), args.presses)
    print(f"{args.articles:,} articles, {args.annotations:,} annotations; nproc="
          f"{os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the start")
    print("| engine | statements / move | checkouts / move | transactions / move "
          "| server round trips / move | launch | `j` median / p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for engine, url in urls.items():
        counts = count_per_move(url)
        tui = bench_tui.real_terminal(url, args.presses)  # type: ignore[arg-type]
        print(f"| {engine} | {counts['statements'] / MOVES:.1f} | "
              f"{counts['checkouts'] / MOVES:.1f} | {counts['transactions'] / MOVES:.1f} | "
              f"{counts['PostgreSQL round trips'] / MOVES:.1f} | "
              f"{tui['launch_s']:.2f} s | {statistics.median(tui['j_ms']):.1f} / "  # type: ignore[arg-type]
              f"{bench_tui.percentile(tui['j_ms'], 0.95):.1f} ms |", flush=True)  # type: ignore[arg-type]
    print(f"load reference (bench_tui.py's 10,000-sentence SQLite database): launch "
          f"{reference['launch_s']:.2f} s, `j` median "
          f"{statistics.median(reference['j_ms']):.1f} ms (0.98 s and 10.3 ms on a quiet "
          f"machine); load average {os.getloadavg()[0]:.1f} at the end")
    if args.drop:
        sqlite_file.unlink(missing_ok=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    main()
