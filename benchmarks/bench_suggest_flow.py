"""What lazy suggestions cost the annotation screen: first show of a document, and `j`.

On the benchmark database of ``bench_tui`` (30-sentence documents), in one run:

* **Data only.** ``Workspace.view`` of the first sentence of each of N documents for a
  new annotator, with suggestions on (the first show runs the suggester on the whole
  document and stores its suggestions) and off; then a view of a sentence inside an
  already processed document (what a `j` inside a document reads), on and off.
* **Real terminal.** The real ``annotator annotate`` binary in a pty, `j` latency with
  suggestions on and with ``ANNOTATOR_NO_SUGGEST=1``, interleaved rounds, each a new
  annotator (so every document reached is processed for the first time on screen). One
  in 30 presses crosses into a new document.

Usage: python benchmarks/bench_suggest_flow.py [--sentences 10000] [--documents 50]
       [--presses 150] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tui import ensure_database, percentile, real_terminal

from annotator.workspace import Workspace
from db.engine import open_database


def _ms(tick: float) -> float:
    return (time.perf_counter() - tick) * 1000


def data_only(path: Path, documents: int) -> dict[str, list[float]]:
    """Milliseconds of the reads and writes the screen makes, per document."""
    database = open_database(str(path))
    results: dict[str, list[float]] = {}
    try:
        for suggestions in (True, False):
            key = "on" if suggestions else "off"
            workspace = Workspace(database, f"bench-{uuid.uuid4().hex[:8]}",
                                  suggestions=suggestions)
            for number in range(1, documents + 1):
                first, inside = workspace.goto(number, 1), workspace.goto(number, 2)
                assert first is not None and inside is not None
                tick = time.perf_counter()
                view = workspace.view(first)
                results.setdefault(f"first sentence of a new document ({key})", []).append(
                    _ms(tick))
                if suggestions:
                    # After the frame: suggest the document, read the sentence again.
                    tick = time.perf_counter()
                    if workspace.suggest(view.document_id):
                        workspace.view(first)
                    results.setdefault("then its suggestions, after the frame (on)", []).append(
                        _ms(tick))
                tick = time.perf_counter()
                workspace.view(inside)
                results.setdefault(f"a sentence inside it ({key})", []).append(_ms(tick))
    finally:
        database.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--presses", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    path = ensure_database(args.sentences)

    print(f"Data only, {args.sentences:,}-sentence database, {args.documents} documents")
    print("| view | median | p95 |")
    print("|---|---:|---:|")
    for name, times in data_only(path, args.documents).items():
        print(f"| {name} | {statistics.median(times):.2f} ms "
              f"| {percentile(times, 0.95):.2f} ms |")

    real: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(args.rounds):
        for key in ("on", "off"):
            if key == "off":
                os.environ["ANNOTATOR_NO_SUGGEST"] = "1"
            else:
                os.environ.pop("ANNOTATOR_NO_SUGGEST", None)
            real[key] += real_terminal(path, args.presses)["j_ms"]  # type: ignore[operator]
    os.environ.pop("ANNOTATOR_NO_SUGGEST", None)
    print(f"\nReal terminal, {args.rounds} interleaved rounds of {args.presses} `j` each")
    print("| suggestions | `j` median | p95 | max |")
    print("|---|---:|---:|---:|")
    for key, times in real.items():
        print(f"| {key} | {statistics.median(times):.1f} ms | {percentile(times, 0.95):.1f} ms "
              f"| {max(times):.1f} ms |")


if __name__ == "__main__":
    main()
