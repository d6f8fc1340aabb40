"""Where the time of one `j` goes in the real binary: key, handler, paint, frame, after-paint.

Runs ``annotator annotate`` in a pseudo-terminal (``bench_tui.Terminal``) with a
``sitecustomize`` hook that stamps, with the system-wide monotonic clock, the start and end
of the annotation screen's move handler (``AnnotateScreen._arrive``), of each paint
(``Screen._compositor_refresh``) and of the work left until after the paint
(``AnnotateScreen.after_paint``: the position write, first-show suggestions, the read
ahead); this process stamps each key it types and the moment the frame showing the next
position arrives. Prints the median of each phase, per database.

With ``--tag``, each sentence's first word is tagged as a source first (``s``, then
``escape`` to leave the source picker), so every timed `j` is the common move of real work:
one that marks the sentence left done (a committed write) before showing the next.

Usage: python benchmarks/keypress_timeline.py DB_OR_URL [DB_OR_URL ...] [--presses 100] [--tag]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import bench_tui  # beside this file, so on sys.path when run as a script

HOOK = r'''
import functools, os, sys, time
_log = open(os.environ["KEYPRESS_TIMELINE_LOG"], "a", buffering=1)
_targets = {"annotator.tui.screens.annotate": ("AnnotateScreen", ("_arrive", "after_paint")),
            "textual.screen": ("Screen", ("_compositor_refresh",))}
_done = set()


def _stamp(name, method):
    @functools.wraps(method)
    def stamped(*args, **kwargs):
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            _log.write(f"{name} {started:.6f} {time.perf_counter():.6f}\n")
    return stamped


class _Finder:
    """Patches the target classes as soon as their modules are loaded."""

    def find_spec(self, *args, **kwargs):
        for module, (cls, names) in _targets.items():
            loaded = sys.modules.get(module)
            if module not in _done and loaded is not None and hasattr(loaded, cls):
                _done.add(module)
                target = getattr(loaded, cls)
                for name in names:  # an older version may lack one: left unstamped
                    if hasattr(target, name):
                        setattr(target, name, _stamp(name, getattr(target, name)))
        return None


sys.meta_path.insert(0, _Finder())
'''


def timeline(target: str, presses: int, tag: bool = False) -> dict[str, list[float]]:
    """Per phase, the milliseconds of each press (see the module docstring)."""
    annotator = f"timeline-{uuid.uuid4().hex[:8]}"
    needles = bench_tui.header_positions(target, annotator, presses + 1)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
        log = Path(folder) / "stamps.log"
        log.touch()
        saved = dict(os.environ)
        os.environ.update(PYTHONPATH=folder, KEYPRESS_TIMELINE_LOG=str(log))
        try:
            terminal = bench_tui.Terminal(target, annotator)  # type: ignore[arg-type]
        finally:
            os.environ.clear()
            os.environ.update(saved)
        keys: list[tuple[float, float]] = []
        try:
            terminal.wait_for(needles[0])
            terminal.drain()
            for needle in needles[1:]:
                if tag:  # a key typed before the picker is up (or gone) would go astray
                    terminal.press(b"s")
                    terminal.wait_for(b"Canonical source for", timeout=10)
                    terminal.drain()
                    terminal.press(b"\x1b")
                    time.sleep(0.3)  # closed, redrawn, and past the after-paint work
                    terminal.drain()
                pressed = time.perf_counter()
                terminal.press(b"j")
                try:
                    terminal.wait_for(needle, timeout=10)
                except TimeoutError:  # seen only with --tag on a heavily loaded machine
                    print(f"{_short(target)}: stopped after {len(keys)} presses, "
                          f"{needle.decode()} did not appear", file=sys.stderr)
                    break
                keys.append((pressed, time.perf_counter()))
                terminal.drain()
        finally:
            terminal.close()
        stamps = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    events = [(name, float(start), float(end)) for name, start, end in stamps]
    phases: dict[str, list[float]] = {name: [] for name in (
        "key to handler", "handler", "handler to paint", "paint", "key to frame",
        "frame to after-paint work", "after-paint work")}
    for pressed, seen in keys:
        handler = next((e for e in events if e[0] == "_arrive" and pressed <= e[1] <= seen), None)
        if handler is None:
            continue
        paint = next((e for e in events if e[0] == "_compositor_refresh"
                      and handler[2] <= e[1] <= seen), None)
        after = next((e for e in events if e[0] == "after_paint" and e[1] >= handler[2]), None)
        phases["key to handler"].append((handler[1] - pressed) * 1000)
        phases["handler"].append((handler[2] - handler[1]) * 1000)
        phases["key to frame"].append((seen - pressed) * 1000)
        if paint is not None:
            phases["handler to paint"].append((paint[1] - handler[2]) * 1000)
            phases["paint"].append((paint[2] - paint[1]) * 1000)
        if after is not None:
            phases["frame to after-paint work"].append((after[1] - seen) * 1000)
            phases["after-paint work"].append((after[2] - after[1]) * 1000)
    return phases


def _short(target: str) -> str:
    """A column title: the file name, or the engine and database name of a URL."""
    if "://" not in target:
        return Path(target).name
    engine, rest = target.split("://", 1)
    return f"{engine.split('+')[0]} {rest.rsplit('/', 1)[-1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+", help="database files or URLs")
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--tag", action="store_true",
                        help="tag a word before each j, so each j marks a sentence done")
    args = parser.parse_args()
    results = {target: timeline(target, args.presses, args.tag) for target in args.targets}
    kind = "`j` after tagging a word (each marks a sentence done)" if args.tag else "`j`"
    print(f"medians in ms over {args.presses} presses of {kind}; nproc={os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    names = [_short(target) for target in args.targets]
    print("| phase | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for phase in next(iter(results.values())):
        cells = [f"{statistics.median(r[phase]):.1f}" if r[phase] else "–"
                 for r in results.values()]
        print(f"| {phase} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
