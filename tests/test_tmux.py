"""Drive the real ``annotator`` binary in tmux, as a person at a terminal would."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import SAMPLE
from terminal import Pane

from annotator.workspace import Workspace
from db.engine import open_database

BINARY = Path(sys.executable).parent / "annotator"
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def _screen(session: str) -> str:
    return _tmux("capture-pane", "-p", "-t", session)


def _wait_for(session: str, text: str, seconds: float = 30.0) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; last screen:\n{screen}")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    name = f"annotator-test-{uuid.uuid4().hex[:8]}"
    db_path = tmp_path / "tmux.db"
    subprocess.run([str(BINARY), "import", str(SAMPLE / "gaza-aid-talks.txt"), "--db",
                    str(db_path)], check=True, capture_output=True)
    command = f"ANNOTATOR_NAME=tester {BINARY} annotate --db {db_path}; sleep 30"
    _tmux("new-session", "-d", "-s", name, "-x", "140", "-y", "45", command)
    try:
        yield name, db_path
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_tag_a_source_in_the_real_binary(session: tuple[str, Path]) -> None:
    name, db_path = session
    _wait_for(name, "Donors pledge $4.2 billion")
    _tmux("send-keys", "-t", name, "j")
    _wait_for(name, "CAIRO (Sample Wire)")
    _tmux("send-keys", "-t", name, "s")
    time.sleep(1.0)
    _tmux("send-keys", "-t", name, "Escape")
    time.sleep(0.5)
    _tmux("send-keys", "-t", name, "q")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "Donors pledge" in _screen(name):
        time.sleep(0.2)
    database = open_database(str(db_path))
    try:
        workspace = Workspace(database, "tester")
        second = workspace.goto(1, 2)
        assert second is not None
        view = workspace.view(second)
        assert [(a.label, a.text) for a in view.annotations] == [("source", "CAIRO")]
        assert view.text[view.annotations[0].start : view.annotations[0].end] == "CAIRO"
        assert workspace.start_position() == second  # reopening resumes here
    finally:
        database.dispose()


def test_every_sentence_is_drawn_whole_after_each_move(tmp_path: Path) -> None:
    """The sentence area repaints only changed rows; those rows must be repainted whole.

    A repaint region a few columns short once left the previous frame's last
    characters on screen ("worked throd."), which no Pilot test can see: only a
    real terminal keeps what was not repainted.
    """
    db_path = tmp_path / "walk.db"
    subprocess.run([str(BINARY), "import", str(SAMPLE / "gaza-aid-talks.txt"), "--db",
                    str(db_path)], check=True, capture_output=True)
    database = open_database(str(db_path))
    try:
        workspace = Workspace(database, "walker")
        sentence_id = workspace.start_position()
        texts: list[str] = []
        while sentence_id is not None:
            view = workspace.view(sentence_id)
            texts.append(view.text)
            sentence_id = workspace.following(view)
    finally:
        database.dispose()
    pane = Pane(db_path, "walker", width=110, height=32)
    try:
        for number, text in enumerate(texts, start=1):
            if number > 1:
                pane.press("j")
            pane.wait_for(f"{number}/{len(texts)}")
            time.sleep(0.3)  # let the frame after the header's finish
            screen = pane.screen()
            drawn = "".join(screen.replace("\u258c", " ").split())
            assert "".join(text.split()) in drawn, f"sentence {number} not whole:\n{screen}"
    finally:
        pane.close()
