"""The real ``annotator`` binary in a tmux pane: type keys, read the screen, kill it."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

BINARY = Path(sys.executable).parent / "annotator"
HAVE_TMUX = shutil.which("tmux") is not None


def tmux(*args: str) -> str:
    """Run a tmux command and return its output."""
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


class Pane:
    """``annotator annotate`` running as the pane's own process (``exec``), so its pid is
    the annotator's and SIGKILL hits exactly it."""

    def __init__(self, db_path: Path, annotator: str, *, width: int = 120,
                 height: int = 40, file_size_limit: int | None = None,
                 suggestions: bool = False, command: tuple[str, ...] | None = None) -> None:
        """``command``: another command than ``annotate`` (its arguments, before ``--db``),
        e.g. ``("review", "--adjudicate", "ana", "bob")``."""
        self.name = f"annotator-test-{uuid.uuid4().hex[:8]}"
        # prlimit execs the command in its own process, so the pane's pid stays the annotator's.
        limit = f"prlimit --fsize={file_size_limit} " if file_size_limit is not None else ""
        # Suggestions off unless asked: these tests count the annotator's own actions, and
        # stored suggestions would fill a size-limited disk before the first key.
        switch = "" if suggestions else " --no-suggest"
        words = f"annotate{switch}" if command is None else " ".join(command)
        line = (f"exec {limit}env ANNOTATOR_NAME={annotator} TERM=xterm-256color "
                f"{BINARY} {words} --db '{db_path}'")
        tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), line)
        tmux("set-option", "-t", self.name, "remain-on-exit", "on")
        self.pid = int(tmux("display", "-p", "-t", self.name, "#{pane_pid}").strip())

    def screen(self) -> str:
        """What the terminal shows now."""
        return tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, test: str | re.Pattern[str], seconds: float = 30.0) -> str:
        """The screen once it contains ``test`` (a string or a pattern)."""
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            found = test in screen if isinstance(test, str) else test.search(screen)
            if found:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{test!r} never appeared; last screen:\n{screen}")

    def wait_for_any(self, texts: tuple[str, ...], seconds: float = 30.0) -> str:
        """The screen once it contains one of ``texts``."""
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if any(text in screen for text in texts):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"none of {texts!r} appeared; last screen:\n{screen}")

    def wait_for_exit(self, seconds: float = 30.0) -> None:
        """Until the annotator has ended by itself."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if tmux("display", "-p", "-t", self.name, "#{pane_dead}").strip() == "1":
                return
            time.sleep(0.05)
        raise AssertionError(f"the annotator did not exit; last screen:\n{self.screen()}")

    def wait_until_gone(self, text: str, seconds: float = 30.0) -> str:
        """The screen once ``text`` is no longer on it."""
        deadline = time.monotonic() + seconds
        screen = self.screen()
        while text in screen and time.monotonic() < deadline:
            time.sleep(0.05)
            screen = self.screen()
        assert text not in screen, f"{text!r} stayed on screen:\n{screen}"
        return screen

    def press(self, *keys: str) -> None:
        """Type keys (tmux key names: ``j``, ``Escape``, ``C-z``)."""
        tmux("send-keys", "-t", self.name, *keys)

    def kill(self) -> None:
        """SIGKILL the annotator: no handler, no cleanup, as a crash or power cut of the
        process would."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (FileNotFoundError, IndexError):
                return
            if state in ("Z", "X"):  # dead; tmux reaps it
                return
            time.sleep(0.02)
        raise AssertionError(f"process {self.pid} survived SIGKILL")

    def close(self) -> None:
        """End the tmux session."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)
