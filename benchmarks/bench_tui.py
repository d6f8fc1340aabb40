"""TUI speed on large databases: launch to first sentence, `j` latency, peak memory.

For each database size (default 10,000 and 1,000,000 sentences, built once with
``corpus_builder`` under ``benchmarks/out/``), three measurements:

* **Real terminal.** The real ``annotator annotate`` binary runs in a pseudo-
  terminal (120x40, xterm-256color). Launch time is from spawning the process to
  the first frame that shows the first sentence's position in the header; `j`
  latency is from writing the key to the pty to reading the frame whose header
  shows the next position. Peak memory is the process's VmHWM.
* **Pilot.** The app runs headless under Textual's Pilot; each `j` is timed from
  ``pilot.press`` until ``pilot.pause()`` returns after the repaint. Pilot's own
  waiting dominates this number, so the same run times a one-label app with one
  binding as the baseline: the difference is what our screen costs.
* **Data only.** The Workspace calls a `j` makes (next from the shown view, the
  leave check, view, progress, and the position write the screen makes after the
  paint), without Textual.

Targets (issue 3): first sentence < 1.5 s, median `j` < 15 ms, memory that does
not grow with the database.

Usage: python benchmarks/bench_tui.py [--sizes 10000 1000000] [--presses 200]
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
import uuid
from pathlib import Path

from annotator.workspace import Workspace
from db.engine import open_database

OUT = Path(__file__).resolve().parent / "out"

CHILD = r"""
import time
started = time.perf_counter()
import asyncio, json, resource, statistics, sys
from annotator.tui.app import AnnotatorApp
from annotator.workspace import Workspace
from db.engine import open_database

path, presses = sys.argv[1], int(sys.argv[2])

async def main():
    database = open_database(path)
    workspace = Workspace(database, "bench")
    first = workspace.goto(1, 1)
    workspace.remember_position(first)
    app = AnnotatorApp(workspace)
    result = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.current is not None and screen.current.sentence_id == first
        assert screen.current.text in screen.viewer.area.current.plain
        result["first_sentence_s"] = time.perf_counter() - started
        times = []
        for _ in range(presses):
            before = screen.current.sentence_id
            tick = time.perf_counter()
            await pilot.press("j")
            await pilot.pause()
            times.append((time.perf_counter() - tick) * 1000)
            assert screen.current.sentence_id != before
        result["j_ms"] = times
    data = []
    view = workspace.view(first)
    for _ in range(presses):
        tick = time.perf_counter()
        sentence = workspace.following(view)
        if workspace.leaving_marks_done(view.sentence_id):
            workspace.move(view.sentence_id, sentence)
        view = workspace.view(sentence)
        workspace.progress()
        workspace.remember_position(sentence)  # the screen does this after the paint
        data.append((time.perf_counter() - tick) * 1000)
    result["data_ms"] = data
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    database.dispose()
    print(json.dumps(result))

asyncio.run(main())
"""


BASELINE = r"""
import asyncio, json, statistics, sys, time
from textual.app import App
from textual.widgets import Footer, Static

class Counter(App):
    BINDINGS = [("j", "next", "Next")]
    count = 0
    def compose(self):
        yield Static("0", id="label")
        yield Footer()
    def action_next(self):
        self.count += 1
        self.query_one("#label", Static).update(str(self.count))

async def main():
    app = Counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        times = []
        for _ in range(int(sys.argv[1])):
            tick = time.perf_counter()
            await pilot.press("j")
            await pilot.pause()
            times.append((time.perf_counter() - tick) * 1000)
    print(json.dumps(times))

asyncio.run(main())
"""
BINARY = Path(sys.executable).parent / "annotator"


def header_positions(path: Path, annotator: str, count: int) -> list[bytes]:
    """What the header shows ("N/M  document D/T") at the first ``count`` positions."""
    database = open_database(str(path))
    workspace = Workspace(database, annotator)
    sentence = workspace.goto(1, 1)
    needles = []
    for _ in range(count):
        assert sentence is not None
        view = workspace.view(sentence)
        needles.append(f"{view.index + 1}/{view.sentence_count}  document "
                       f"{view.document_number}/{view.document_total}".encode())
        sentence = workspace.next_sentence(sentence)
    database.dispose()
    return needles


def compile_sources() -> None:
    """Byte-compile the project, as its first run does on a user's machine: a launch is
    measured as every later one is (with ``PYTHONDONTWRITEBYTECODE`` set, as in this
    project's development environment, Python would compile it on every launch)."""
    root = Path(__file__).resolve().parents[1]
    for package in ("annotator", "db"):
        compileall.compile_dir(str(root / package), quiet=1)


class Terminal:
    """The real binary in a pseudo-terminal, read until a frame shows some text."""

    def __init__(self, path: Path, annotator: str) -> None:
        compile_sources()
        env = dict(os.environ, TERM="xterm-256color", ANNOTATOR_NAME=annotator)
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(str(BINARY), [str(BINARY), "annotate", "--db", str(path)], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

    def wait_for(self, needle: bytes, timeout: float = 60.0) -> float:
        """Seconds until ``needle`` appears in the output."""
        seen = b""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                seen = (seen + os.read(self.fd, 1 << 16))[-(1 << 20):]
                if needle in seen:
                    return time.perf_counter() - start
        raise TimeoutError(f"{needle!r} never appeared")

    def drain(self) -> None:
        """Read whatever is left of the last frame."""
        while select.select([self.fd], [], [], 0.02)[0]:
            os.read(self.fd, 1 << 16)

    def press(self, key: bytes) -> None:
        """Type a key."""
        os.write(self.fd, key)

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        return int(line.split()[1]) / 1024

    def cpu_seconds(self) -> float:
        """Processor time the process has used so far (user and system, all threads):
        unlike the wall clock, hardly moved by other work on the machine."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        """Stop the process."""
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def real_terminal(path: Path, presses: int) -> dict[str, object]:
    """Launch time, `j` latencies and peak memory of the real binary."""
    annotator = f"bench-{uuid.uuid4().hex[:8]}"
    needles = header_positions(path, annotator, presses + 1)
    terminal = Terminal(path, annotator)
    try:
        terminal.wait_for(needles[0])
        launch = time.perf_counter() - terminal.started
        launch_cpu = terminal.cpu_seconds()
        terminal.drain()
        times = []
        for needle in needles[1:]:
            tick = time.perf_counter()
            terminal.press(b"j")
            terminal.wait_for(needle, timeout=10)
            times.append((time.perf_counter() - tick) * 1000)
            terminal.drain()
        return {"launch_s": launch, "launch_cpu_s": launch_cpu, "j_ms": times,
                "peak_rss_mb": terminal.peak_rss_mb()}
    finally:
        terminal.close()


def ensure_database(sentences: int) -> Path:
    """The benchmark database of this size, built on first use."""
    path = OUT / f"tui-{sentences}.db"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(Path(__file__).parent / "corpus_builder.py"),
                        str(path), "--sentences", str(sentences)], check=True)
    return path


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args()
    baseline = json.loads(subprocess.run(
        [sys.executable, "-c", BASELINE, str(args.presses)],
        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    rows = []
    for size in args.sizes:
        path = ensure_database(size)
        real = real_terminal(path, args.presses)
        output = subprocess.run([sys.executable, "-c", CHILD, str(path), str(args.presses)],
                                check=True, capture_output=True, text=True).stdout
        pilot = json.loads(output.strip().splitlines()[-1])
        rows.append((size, path.stat().st_size / 2**20, real, pilot))
    print("| sentences | db file | launch to first sentence | `j` median | `j` p95 "
          "| peak RSS | Pilot `j` median (one-label app) | Pilot first sentence "
          "| data-only `j` median / p95 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, megabytes, real, pilot in rows:
        presses, data = real["j_ms"], pilot["data_ms"]
        print(f"| {size:,} | {megabytes:,.0f} MB | {real['launch_s']:.2f} s "
              f"| {statistics.median(presses):.1f} ms | {percentile(presses, 0.95):.1f} ms "
              f"| {real['peak_rss_mb']:.0f} MB "
              f"| {statistics.median(pilot['j_ms']):.1f} ms "
              f"({statistics.median(baseline):.1f} ms) "
              f"| {pilot['first_sentence_s']:.2f} s "
              f"| {statistics.median(data):.1f} / {percentile(data, 0.95):.1f} ms |")


if __name__ == "__main__":
    main()
