"""SIGKILL at random points loses nothing the screen showed as saved.

The real binary runs in tmux on a real SQLite file; the test types keys, waits until
the screen shows each action, reads the database from another connection (what the
screen shows must already be committed), and kills the process with SIGKILL, either
right after an action was shown or in the middle of one. After every kill the file
is reopened: every shown action is there, a half-done action left nothing or all of
itself, ``PRAGMA integrity_check`` is ok, and the undo history still undoes every
step back to the start and redoes it all.

Imports and merges are killed mid-run too: the database then holds whole documents
only (each with all its sentences, annotations and links) and running the same
command again completes the job.
"""

from __future__ import annotations

import random
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from crash_helpers import ANNOTATOR, Facts, read_facts, write_native_corpus
from paths import SAMPLE
from terminal import BINARY, HAVE_TMUX, Pane

from annotator.text.segment import split_sentences
from annotator.workspace import Workspace
from db.engine import open_database

SENTENCES = 20
POSITION = re.compile(r"(\d+)/20  document 1/1( {2}✓ done)?")
PROGRESS = re.compile(r"(\d+)/20 sentences")


def assert_healthy(db_path: Path) -> None:
    """SQLite's own checks of the file and of every reference."""
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


class Session:
    """One run of the binary, its screen read back after every key."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.pane = Pane(db_path, ANNOTATOR)
        screen = self.pane.wait_for(POSITION)
        self.position, self.done_here = self._position(screen)

    @staticmethod
    def _position(screen: str) -> tuple[int, bool]:
        match = POSITION.search(screen)
        assert match is not None, screen
        return int(match.group(1)), match.group(2) is not None

    def check_screen_matches(self, facts: Facts) -> None:
        """The progress bar and the done mark shown are what the database holds."""
        screen = self.pane.screen()
        progress = PROGRESS.search(screen)
        assert progress is not None and int(progress.group(1)) == len(facts.done), screen
        assert self._position(screen) == (self.position, self.position - 1 in facts.done)
        shown = screen.count(" SOURCE ")
        assert shown == sum(1 for span in facts.spans if span[0] == self.position - 1), screen

    def act(self, action: str) -> None:
        """Type ``action`` and wait until the screen shows it done."""
        if action == "j":
            self.pane.press("j")
            self.position += 1
            screen = self.pane.wait_for(f"{self.position}/20  document 1/1")
            self.done_here = self._position(screen)[1]
        elif action == "d":
            self.pane.press("d")
            self.done_here = not self.done_here
            line = f"{self.position}/20  document 1/1  ✓ done"
            if self.done_here:
                self.pane.wait_for(line)
            else:
                self.pane.wait_until_gone(line)
        elif action == "s":
            self.pane.press("s")
            self.pane.wait_for("Canonical source for")
            self.pane.press("Escape")
            self.pane.wait_until_gone("Canonical source for")
            self.pane.wait_for(" SOURCE ")


def _choices(session: Session, facts: Facts) -> list[str]:
    choices = ["d"]
    if session.position < SENTENCES:
        choices.append("j")
    if not any(span[0] == session.position - 1 for span in facts.spans):
        choices.append("s")
    return choices


def _confined_to(before: Facts, after: Facts, index: int) -> bool:
    """Whether ``after`` differs from ``before`` only on sentence ``index``."""
    return (all(changed == index for changed in before.done ^ after.done)
            and all(span[0] == index for span in before.spans ^ after.spans))


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    path = tmp_path / "crash.db"
    subprocess.run([str(BINARY), "import", str(SAMPLE / "gaza-aid-talks.txt"), "--db",
                    str(path)], check=True, capture_output=True)
    return path


@pytest.mark.skipif(not HAVE_TMUX, reason="tmux is not installed")
def test_sigkill_at_random_points_loses_nothing_shown(sample_db: Path) -> None:
    rng = random.Random(7)  # fixed, so a failure replays; each round draws its kill point
    facts = read_facts(sample_db)
    kills = {"after": 0, "during": 0}
    for _round in range(4):
        session = Session(sample_db)
        try:
            for _ in range(rng.randint(2, 6)):
                action = rng.choice(_choices(session, facts))
                session.act(action)
                facts = read_facts(sample_db)  # shown, so committed: another connection sees it
                session.check_screen_matches(facts)
            if rng.random() < 0.5:
                session.pane.kill()  # right after an action was shown
                kills["after"] += 1
                assert read_facts(sample_db) == facts
            else:
                pending = rng.choice(_choices(session, facts))
                session.pane.press(pending)
                time.sleep(rng.uniform(0.0, 0.08))
                session.pane.kill()  # in the middle of an action: all of it or nothing
                kills["during"] += 1
                after = read_facts(sample_db)
                assert after.done >= facts.done - {session.position - 1}
                assert after.spans >= facts.spans
                assert _confined_to(facts, after, session.position - 1)
                facts = after
        finally:
            session.pane.kill()
            session.pane.close()
        assert_healthy(sample_db)

    assert kills["after"] and kills["during"]  # both kinds of kill happened
    assert facts.done and facts.spans  # there was work to lose
    _assert_history_undoes_and_redoes_everything(sample_db, facts)


def _assert_history_undoes_and_redoes_everything(db_path: Path, final: Facts) -> None:
    database = open_database(str(db_path))
    try:
        workspace = Workspace(database, ANNOTATOR)
        steps = 0
        while workspace.undo() is not None:
            steps += 1
            assert steps < 200
        assert read_facts(db_path) == Facts(frozenset(), frozenset())
        while workspace.redo() is not None:
            steps -= 1
        assert steps == 0
        assert read_facts(db_path) == final
    finally:
        database.dispose()
    assert_healthy(db_path)



# --- import and merge killed mid-run ------------------------------------------------

CORPUS_DOCUMENTS = 120
KILL_AFTER_DOCUMENTS = 12


def count_documents(db_path: Path) -> int:
    """Documents committed so far, seen from another connection."""
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def run_and_kill(command: list[str], db_path: Path) -> int:
    """Start ``command``, SIGKILL it once some documents are stored; returns how many."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while count_documents(db_path) < KILL_AFTER_DOCUMENTS:
            assert process.poll() is None, "finished before it could be killed"
            assert time.monotonic() < deadline, "no progress"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    return count_documents(db_path)


def whole_documents(db_path: Path) -> dict[str, tuple[int, int, int]]:
    """Per document (by external id): sentences, annotations, links; each document is
    checked to have all its sentences, at exact offsets."""
    found = {}
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        documents = connection.execute("SELECT id, external_id, text FROM documents").fetchall()
        for document_id, external_id, text in documents:
            sentences = connection.execute(
                "SELECT start, [end], text FROM sentences WHERE document_id = ? ORDER BY [index]",
                (document_id,)).fetchall()
            assert [(start, end) for start, end, _ in sentences] == list(split_sentences(text))
            assert all(text[start:end] == body for start, end, body in sentences)
            spans = connection.execute(
                "SELECT doc_start, doc_end, text FROM annotations WHERE document_id = ?",
                (document_id,)).fetchall()
            assert all(text[start:end] == body for start, end, body in spans)
            links = connection.execute(
                "SELECT count(*) FROM links JOIN annotations a ON a.id = links.from_id "
                "WHERE a.document_id = ?", (document_id,)).fetchone()[0]
            found[external_id] = (len(sentences), len(spans), links)
    return found


def kill_check_and_rerun(
    command: list[str], db_path: Path, expected: dict[str, tuple[int, int, int]]
) -> tuple[int, str]:
    """Kill ``command`` mid-run, check the database holds whole documents only, run it
    again to the end and check it is complete; returns (stored at the kill, rerun output)."""
    stored = run_and_kill(command, db_path)
    assert KILL_AFTER_DOCUMENTS <= stored < CORPUS_DOCUMENTS
    assert_healthy(db_path)
    partial = whole_documents(db_path)
    assert len(partial) == stored
    assert all(partial[key] == expected[key] for key in partial)  # whole documents only
    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert whole_documents(db_path) == expected
    assert_healthy(db_path)
    return stored, rerun.stdout


def test_import_and_merge_killed_mid_run_hold_whole_documents_and_resume(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_native_corpus(corpus, CORPUS_DOCUMENTS)
    expected = {f"doc-{number}": (3, 2, 1) for number in range(CORPUS_DOCUMENTS)}
    imported = tmp_path / "imported.db"
    stored, output = kill_check_and_rerun(
        [str(BINARY), "import", str(corpus), "--db", str(imported)], imported, expected)
    assert f"{stored} already present" in output
    merged = tmp_path / "merged.db"
    stored, output = kill_check_and_rerun(
        [str(BINARY), "merge", str(imported), "--db", str(merged)], merged, expected)
    assert f"{CORPUS_DOCUMENTS - stored} new documents" in output
