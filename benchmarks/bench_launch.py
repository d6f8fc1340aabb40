"""Launch time of the real ``annotator annotate``, to the first sentence on screen, on
several databases at once, optionally beside another checkout's binary.

Each launch is a new process in a pseudo-terminal (``bench_tui.real_terminal``) as a new
annotator. The targets, and with ``--against`` the two binaries, take turns within each
round (the order alternating between rounds), so a container whose speed drifts from
minute to minute slows every column alike; the 10,000-sentence SQLite reference of
bench_tui.py is always one of the targets, as the load reference.

Usage: python benchmarks/bench_launch.py [DB_OR_URL ...] [--rounds 10] [--against CHECKOUT]

CHECKOUT is another checkout of this project with its own ``.venv`` (e.g. a ``git
worktree`` of an older commit, ``pip install -e '.[postgres]'`` in it).
"""

from __future__ import annotations

import argparse
import compileall
import statistics
from pathlib import Path

import bench_tui  # beside this file, so on sys.path when run as a script

from db.engine import mask_password


def launches(targets: dict[str, str], binaries: dict[str, Path],
             rounds: int) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Per (binary, target), interleaved: seconds to the first sentence, and the
    processor seconds the process had used by then."""
    results: dict[tuple[str, str], list[tuple[float, float]]] = {
        (binary, target): [] for binary in binaries for target in targets}
    order = [(binary, target) for target in targets for binary in binaries]
    for number in range(rounds):
        for binary, target in order if number % 2 == 0 else reversed(order):
            bench_tui.BINARY = binaries[binary]
            run = bench_tui.real_terminal(targets[target], 0)  # type: ignore[arg-type]
            results[(binary, target)].append((run["launch_s"], run["launch_cpu_s"]))  # type: ignore[arg-type]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help="database files or SQLAlchemy URLs")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--against", type=Path, default=None, metavar="CHECKOUT")
    args = parser.parse_args()
    targets = {"reference (10,000 sentences, SQLite)": str(bench_tui.ensure_database(10_000))}
    targets.update({mask_password(target): target for target in args.targets})
    binaries = {"this tree": bench_tui.BINARY}
    bench_tui.compile_sources()
    if args.against is not None:
        binaries[str(args.against)] = args.against / ".venv" / "bin" / "annotator"
        for package in ("annotator", "db"):
            compileall.compile_dir(str(args.against / package), quiet=1)
    results = launches(targets, binaries, args.rounds)
    print(f"\n{args.rounds} launches each, interleaved; seconds to the first sentence, and "
          "the processor seconds (user + system) the process had used by then\n")
    print("| target | binary | median | mean | min | max | CPU median |\n"
          "|---|---|---|---|---|---|---|")
    for (binary, target), runs in results.items():
        seconds = [wall for wall, _ in runs]
        cpu = statistics.median(used for _, used in runs)
        print(f"| {target} | {binary} | {statistics.median(seconds):.3f} | "
              f"{statistics.mean(seconds):.3f} | {min(seconds):.2f} | {max(seconds):.2f} | "
              f"{cpu:.2f} |")


if __name__ == "__main__":
    main()
