"""A database lost under an open screen: the SQLite file damaged while the annotation, review
or adjudication screen is open, and the PostgreSQL server stopped and started again under
the review and adjudication screens (the annotation screen's restart is in
test_hostile_faults.py).

Each time the screen says so in one line, keeps what it shows and never ends in a
traceback: a damaged file refuses every later write with the same line and, when left,
exits with status 1 and that line (Pilot for each screen and a dialog; the real binary in
tmux for the exit); a server that is back serves the next key, and a write made then is
stored.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import SAMPLE_TEXT
from pg_server_helpers import ThrowawayServer
from review_helpers import build_review_corpus, span
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool
from terminal import BINARY, HAVE_TMUX, tmux
from textual.app import App

from annotator.io.importer import import_paths
from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.session import ReviewSession
from annotator.tui.app import AnnotatorApp
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.launch import INTERACTIVE_LOCK_WAIT_MS
from annotator.tui.review_app import AdjudicationApp, ReviewApp
from annotator.tui.screens.adjudicate import AdjudicateScreen
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.review import ReviewScreen
from annotator.workspace import Workspace
from db.engine import Database, open_database
from db.models import Annotation, Annotator
from db.write_errors import NOT_SAVED, SERVER_GONE

SIZE = (140, 40)
MALFORMED = "database disk image is malformed"
BACK = "The database server is back; keys work again."


def notices(app: App[None]) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def damaged_notice(path: Path) -> str:
    return (f"{MALFORMED}: {path} — nothing more can be saved; quit and restore it from "
            "a backup")


def damage(path: Path) -> None:
    """Overwrite the root pages of the tables every screen reads, as a torn write or a
    failing disk would, while the screen's connections stay open: the checkpoint first
    puts every page in the main file (and starts a new log, so no connection trusts the
    pages it cached)."""
    connection = sqlite3.connect(path, timeout=10)
    try:
        for _attempt in range(100):  # a running program's read may hold the log a moment
            if connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the log was never free to checkpoint")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        roots = [root for (root,) in connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name IN ('documents', 'sentences', "
            "'annotations', 'sentence_states', 'annotators', 'change_log', 'sources', "
            "'source_aliases')")]
    finally:
        connection.close()
    with path.open("r+b") as handle:
        for root in roots:
            handle.seek((root - 1) * page_size)
            handle.write(b"\xff" * page_size)


def assert_left_with_the_line(app: App[None], path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    """No traceback, no crash: status 1 and the one line, once the app is left."""
    assert app._exception is None
    assert app.return_code == 1
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    # One line, which Rich folds at the terminal's width (80 columns under pytest).
    assert "".join(printed.err.strip().splitlines()) == damaged_notice(path)


@pytest.fixture
def review_file(tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    """The review corpus in a SQLite file, opened as the screens open it."""
    path = tmp_path / "review.db"
    setup = open_database(str(path))
    build_review_corpus(setup, tmp_path / "in")
    span(setup, "bob", 0, "Officials", "source")
    setup.dispose()
    database = open_database(str(path), lock_wait_ms=INTERACTIVE_LOCK_WAIT_MS)
    yield database, path
    database.dispose()


# --- (a) a damaged SQLite file under an open screen --------------------------------------------

async def test_the_annotation_screen_survives_a_damaged_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "annotate.db"
    setup = open_database(str(path))
    (tmp_path / "a.txt").write_text("Talks resumed. Envoys came. Aid crossed. Trucks waited.\n"
                                    "Officials said more would come.\n", encoding="utf-8")
    assert import_paths(setup, [tmp_path / "a.txt"]).documents == 1
    setup.dispose()
    database = open_database(str(path), lock_wait_ms=INTERACTIVE_LOCK_WAIT_MS, pre_ping=False)
    app = AnnotatorApp(Workspace(database, "ana"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AnnotateScreen) and screen.current is not None
            shown = screen.current
            damage(path)
            screen.poll_changes()  # what the interval does every 1.5 s
            await pilot.press("j", "j", "k")
            await pilot.pause(0.2)
            assert notices(app).count(damaged_notice(path)) == 1  # said once
            assert app.is_running and screen.current is not None
            assert screen.current.document_id == shown.document_id
            await pilot.press("d")  # a write: refused with the same line, nothing tried
            await pilot.pause()
            assert notices(app)[-1] == damaged_notice(path)
            assert app.is_running
            await pilot.press("q")
        assert_left_with_the_line(app, path, capsys)
    finally:
        database.dispose()


@pytest.mark.skipif(not HAVE_TMUX, reason="tmux is not installed")
def test_the_real_binary_says_the_file_is_damaged_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "annotate.db"
    setup = open_database(str(path))
    assert import_paths(setup, [SAMPLE_TEXT]).documents == 1
    setup.dispose()
    status = tmp_path / "status"
    session = f"annotator-test-{uuid.uuid4().hex[:8]}"
    # A shell around the binary writes its exit status down (tmux's own record of it is
    # not always there in time).
    command = (f"env ANNOTATOR_NAME=ana TERM=xterm-256color {BINARY} annotate --no-suggest "
               f"--db '{path}'; echo $? > '{status}'; sleep 60")
    tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "40", command)
    try:
        deadline = time.monotonic() + 60
        while "Donors pledge" not in tmux("capture-pane", "-p", "-t", session):
            assert time.monotonic() < deadline, "the screen never showed the article"
            time.sleep(0.05)
        damage(path)
        tmux("send-keys", "-t", session, "j", "j", "d")
        while MALFORMED not in tmux("capture-pane", "-p", "-t", session):
            assert time.monotonic() < deadline, "the notice never appeared"
            time.sleep(0.05)
        assert "Traceback" not in tmux("capture-pane", "-p", "-t", session)
        tmux("send-keys", "-t", session, "q")
        while not status.exists() or not status.read_text().strip():
            assert time.monotonic() < deadline, "the annotator did not exit"
            time.sleep(0.05)
        assert status.read_text().strip() == "1"
        left = tmux("capture-pane", "-p", "-J", "-S", "-100", "-t", session)  # with history
        assert damaged_notice(path) in left.replace("\n", "")  # Rich folds it at 80 columns
        assert "Traceback" not in left and "unexpected error" not in left
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       check=False)


async def test_the_review_screen_survives_a_damaged_file(
    review_file: tuple[Database, Path], capsys: pytest.CaptureFixture[str],
) -> None:
    database, path = review_file
    app = ReviewApp(ReviewSession(database, "rev"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and len(screen.rows) > 2
        rows = list(screen.rows)
        damage(path)
        await pilot.press("down", "down")  # the context of each row is read
        await pilot.pause()
        assert notices(app) == [damaged_notice(path)]
        await pilot.press("o", "y", "u")  # a sort (a read), a decision and an undo (writes)
        await pilot.pause()
        assert notices(app)[0] == damaged_notice(path)
        assert set(notices(app)) == {damaged_notice(path)}
        assert screen.rows == rows and app.is_running  # what is shown stays
        await pilot.press("q")
    assert_left_with_the_line(app, path, capsys)


async def test_a_dialog_that_finds_the_file_damaged_closes_with_the_line(
    review_file: tuple[Database, Path], capsys: pytest.CaptureFixture[str],
) -> None:
    database, path = review_file
    app = ReviewApp(ReviewSession(database, "rev"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        row = next(number for number, row in enumerate(screen.rows) if row.label == "source")
        screen.table.move_cursor(row=row)
        await pilot.press("e")  # the source picker, which searches the registry as one types
        await pilot.pause()
        assert isinstance(app.screen, SourcePickerScreen)
        damage(path)
        await pilot.press("m", "i")
        await pilot.pause()
        assert app.screen is screen and app.is_running  # the dialog closed, the table stays
        assert notices(app) == [damaged_notice(path)]
        await pilot.press("q")
    assert_left_with_the_line(app, path, capsys)


async def test_the_adjudication_screen_survives_a_damaged_file(
    review_file: tuple[Database, Path], capsys: pytest.CaptureFixture[str],
) -> None:
    database, path = review_file
    app = AdjudicationApp(AdjudicationSession(database, "judge", ("ana", "bob")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AdjudicateScreen) and screen.groups
        sentence, groups = screen.sentence_id, list(screen.groups)
        damage(path)
        await pilot.press("j")  # the next sentence: a read
        await pilot.pause()
        assert notices(app) == [damaged_notice(path)]
        assert (screen.sentence_id, screen.groups) == (sentence, groups)  # still shown
        await pilot.press("down", "t", "a")  # highlight, then take (writes)
        await pilot.pause()
        assert set(notices(app)) == {damaged_notice(path)}
        assert app.is_running
        await pilot.press("q")
    assert_left_with_the_line(app, path, capsys)


# --- (b) a PostgreSQL server that stops and starts again under the review screens --------------

@pytest.fixture
def served(pg_server: ThrowawayServer, tmp_path: Path) -> Iterator[tuple[Database, str]]:
    """The review corpus on the test's own server, opened as ``annotator review`` opens it."""
    url = pg_server.new_database("review")
    setup = open_database(url)
    build_review_corpus(setup, tmp_path / "in")
    span(setup, "bob", 0, "Officials", "source")
    setup.dispose()
    database = open_database(url, lock_wait_ms=INTERACTIVE_LOCK_WAIT_MS)
    yield database, url
    database.dispose()


def read(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def status_of(database: Database, annotation_id: int) -> str | None:
    with database.reads() as session:
        return session.scalar(select(Annotation.status).where(Annotation.id == annotation_id))


async def test_the_review_screen_survives_a_server_restart(
    pg_server: ThrowawayServer, served: tuple[Database, str],
) -> None:
    database, url = served
    app = ReviewApp(ReviewSession(database, "rev"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and len(screen.rows) > 2
        rows = list(screen.rows)
        pg_server.stop()
        await pilot.press("down", "o", "down")  # reads: the context, another sort
        await pilot.pause()
        gone = [n for n in notices(app) if n.startswith(SERVER_GONE)]
        assert len(gone) == 1  # said once, however many steps failed
        await pilot.press("y")  # a write during the outage: refused in one line
        await pilot.pause()
        refused = [n for n in notices(app) if n.endswith(NOT_SAVED)]
        assert len(refused) == 1 and refused[0].startswith(SERVER_GONE)
        assert "\n" not in refused[0]
        assert screen.rows == rows and app.is_running  # what is shown stays
        chosen = screen.selected
        assert chosen is not None and chosen.status != "rejected"

        pg_server.start()
        await pilot.press("x")  # the same row, rejected now the server is back
        await pilot.pause()
        assert BACK in notices(app)
        await pilot.press("q")
    assert app._exception is None and app.return_code == 0
    assert read(url, f"SELECT status FROM annotations WHERE id = {chosen.id}") == [
        ("rejected",)]


async def test_the_adjudication_screen_survives_a_server_restart(
    pg_server: ThrowawayServer, served: tuple[Database, str],
) -> None:
    database, url = served
    app = AdjudicationApp(AdjudicationSession(database, "judge", ("ana", "bob")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AdjudicateScreen) and screen.groups
        sentence, groups = screen.sentence_id, list(screen.groups)
        pg_server.stop()
        await pilot.press("j", "k")  # moves: reads
        await pilot.pause()
        assert len([n for n in notices(app) if n.startswith(SERVER_GONE)]) == 1
        assert (screen.sentence_id, screen.groups) == (sentence, groups)  # still shown
        await pilot.press("a")  # take the agreed spans: refused in one line
        await pilot.pause()
        refused = [n for n in notices(app) if n.endswith(NOT_SAVED)]
        assert len(refused) == 1 and refused[0].startswith(SERVER_GONE)
        assert app.is_running

        pg_server.start()
        await pilot.press("a")  # the same take, now the server is back
        await pilot.pause()
        assert BACK in notices(app)
        await pilot.press("j")  # and moving works again
        await pilot.pause()
        assert screen.sentence_id != sentence
        await pilot.press("q")
    assert app._exception is None and app.return_code == 0
    assert read(url, "SELECT count(*) FROM annotations a JOIN annotators p ON "
                     "p.id = a.annotator_id WHERE p.name = 'gold'")[0][0] >= 1
    assert Annotator  # the gold layer is an annotator like the others (db/models.py)
