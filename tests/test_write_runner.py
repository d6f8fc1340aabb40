"""The one write runner (db/retry.py WriteRunner) and the screens' side of it
(annotator/tui/writes.py), against a second *process* that holds the database's write lock
for longer than the screens' connections wait: on SQLite and PostgreSQL, on every screen."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.io.importer import import_paths
from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.session import ReviewSession
from annotator.tui.app import AnnotatorApp
from annotator.tui.review_app import AdjudicationApp, ReviewApp
from annotator.tui.writes import WritingScreen
from annotator.workspace import Workspace
from db.engine import Database, open_database
from db.models import Annotation, SentenceState
from db.read_models import ReviewQuery
from db.retry import RetryPolicy, WriteDeferred, WriteRunner

ROOT = Path(__file__).resolve().parents[1]
SIZE = (110, 32)
HOLD_SECONDS = 2.5
LOCK_WAIT_MS = 100  # the screens' connections give up on a lock after this long
FAST = RetryPolicy(first_delay=0.02, max_delay=0.1, give_up_after=30)

TEXTS = {
    "1-alpha.txt": "Officials said the crossing would open. Aid groups doubted it. "
                   "Nobody else spoke.\n",
    "2-beta.txt": "The ministry counted 40 trucks. Drivers waited all day.\n",
}

HOLDER = textwrap.dedent("""
    import sys, time
    from sqlalchemy import text
    from db.engine import open_database
    database = open_database(sys.argv[1])
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:  # every table a user action writes; readers are not blocked
            connection.execute(text("LOCK TABLE annotators, sources, source_aliases, "
                                    "annotations, links, sentence_states, change_log "
                                    "IN EXCLUSIVE MODE"))
        connection.execute(text("UPDATE annotators SET name = name"))
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
        connection.commit()
    database.dispose()
""")


@contextmanager
def lock_held_elsewhere(url: str, seconds: float = HOLD_SECONDS) -> Iterator[subprocess.Popen[str]]:
    """Another process takes the write lock and keeps it for ``seconds``."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, url, str(seconds)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "locked"
        yield process
    finally:
        process.wait(timeout=60)
    assert process.returncode == 0


@pytest.fixture
def corpus(db_url: str, tmp_path: Path) -> Iterator[Database]:
    folder = tmp_path / "input"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    database = open_database(db_url)
    assert not import_paths(database, [folder]).problems
    yield database
    database.dispose()


def interactive(database: Database) -> Database:
    return database.with_lock_wait(LOCK_WAIT_MS)


def notices(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def wait_for(pilot: object, condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)  # type: ignore[attr-defined]


# --- the runner alone ---------------------------------------------------------------------
class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def writes_waiting(self, queued: int) -> None:
        self.events.append(("waiting", queued))

    def writes_saved(self, waited: float) -> None:
        self.events.append(("saved", waited))

    def writes_refused(self, message: str, dropped: int) -> None:
        self.events.append(("refused", (message, dropped)))


def test_a_held_database_queues_units_in_order_and_saves_them_all(corpus: Database) -> None:
    interactive_db = interactive(corpus)
    workspace = Workspace(interactive_db, "ana", retry_policy=FAST)
    first, second = (workspace.start_position(), None)
    assert first is not None
    second = workspace.next_sentence(first)
    assert second is not None
    recorder = Recorder()
    workspace.writes.attach(recorder)
    with lock_held_elsewhere(corpus.url):
        started = time.monotonic()
        with pytest.raises(WriteDeferred):
            workspace.tag(first, "claim", 0, 9)
        # The caller did not wait out the lock: it is told at once that the unit is queued.
        assert time.monotonic() - started < HOLD_SECONDS / 2
        assert workspace.writes.queued == 1
        # A later action runs behind it, even without trying the database first.
        with pytest.raises(WriteDeferred):
            workspace.toggle_done(second)
        assert workspace.writes.queued == 2
    assert workspace.writes.wait_until_saved(30)
    assert [kind for kind, _ in recorder.events] == ["waiting", "waiting", "saved"]
    with corpus.engine.connect() as connection:
        assert connection.execute(select(Annotation.text)).scalars().all() == ["Officials"]
        assert connection.execute(select(SentenceState.state)).scalars().all() == ["done"]
    workspace.undo()  # the queued actions are ordinary undo steps, newest first
    with corpus.engine.connect() as connection:
        assert connection.execute(select(SentenceState.state)).scalars().all() == []
    interactive_db.dispose()


def test_giving_up_refuses_the_unit_and_drops_what_waited_behind_it(corpus: Database) -> None:
    interactive_db = interactive(corpus)
    workspace = Workspace(interactive_db, "ana",
                          retry_policy=RetryPolicy(first_delay=0.02, max_delay=0.05,
                                                   give_up_after=0.4))
    first = workspace.start_position()
    assert first is not None
    recorder = Recorder()
    workspace.writes.attach(recorder)
    with lock_held_elsewhere(corpus.url):
        for start, end in ((0, 9), (10, 14)):
            with pytest.raises(WriteDeferred):
                workspace.tag(first, "claim", start, end)
        assert workspace.writes.wait_until_saved(30)
    kind, (message, dropped) = recorder.events[-1]  # type: ignore[misc]
    assert kind == "refused" and dropped == 1
    assert "nothing was saved" in message
    with corpus.engine.connect() as connection:
        assert connection.execute(select(Annotation.id)).all() == []
    interactive_db.dispose()


def test_without_a_listener_the_runner_waits_in_place(corpus: Database) -> None:
    runner = WriteRunner(FAST)
    interactive_db = interactive(corpus)
    workspace = Workspace(interactive_db, "ana", retry_policy=FAST)
    first = workspace.start_position()
    assert first is not None
    with lock_held_elsewhere(corpus.url, seconds=1.0):
        started = time.monotonic()
        annotation_id = runner.run(lambda: workspace.tag(first, "claim", 0, 9))
        assert time.monotonic() - started > 0.3
    assert isinstance(annotation_id, int)
    interactive_db.dispose()


# --- every screen --------------------------------------------------------------------------
async def test_the_annotation_screen_keeps_painting_while_a_write_waits(
    corpus: Database,
) -> None:
    app = AnnotatorApp(Workspace(interactive(corpus), "ana", retry_policy=FAST))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WritingScreen)
        first = screen.current.sentence_id  # type: ignore[attr-defined]
        with lock_held_elsewhere(corpus.url):
            await pilot.press("d")  # mark done while another process holds the lock
            await wait_for(pilot, lambda: any("Waiting for the database" in n
                                              for n in notices(app)))
            await pilot.press("j")  # the screen still moves and draws while it waits
            await pilot.pause()
            assert screen.current.sentence_id != first  # type: ignore[attr-defined]
            assert app.workspace.writes.queued >= 1
        await wait_for(pilot, lambda: any("Saved after waiting" in n for n in notices(app)))
    with corpus.engine.connect() as connection:
        states = connection.execute(select(SentenceState.sentence_id, SentenceState.state)).all()
    assert (first, "done") in states


async def test_the_review_screen_keeps_painting_while_a_decision_waits(
    corpus: Database,
) -> None:
    author = Workspace(corpus, "bob")
    sentence = author.start_position()
    assert sentence is not None
    annotation_id = author.tag(sentence, "claim", 0, 9)
    author.tag(author.next_sentence(sentence) or sentence, "claim", 0, 3)
    session = ReviewSession(interactive(corpus), "rita")
    session.writes.policy = FAST
    app = ReviewApp(session, ReviewQuery())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        with lock_held_elsewhere(corpus.url):
            await pilot.press("x")  # reject the first row
            await wait_for(pilot, lambda: any("Waiting for the database" in n
                                              for n in notices(app)))
            await pilot.press("down")  # the table still answers
            await pilot.pause()
        await wait_for(pilot, lambda: any("Saved after waiting" in n for n in notices(app)))
    with corpus.engine.connect() as connection:
        reviewed = connection.execute(
            select(Annotation.reviewed_by).where(Annotation.id == annotation_id)).scalar_one()
    assert reviewed is not None


async def test_the_adjudication_screen_keeps_painting_while_a_take_waits(
    corpus: Database,
) -> None:
    for name in ("bob", "cy"):
        author = Workspace(corpus, name)
        sentence = author.start_position()
        assert sentence is not None
        author.tag(sentence, "claim", 0, 9)
        author.tag(author.next_sentence(sentence) or sentence, "claim", 0, 3)
    session = AdjudicationSession(interactive(corpus), "ada", ("bob", "cy"))
    session.writes.policy = FAST
    app = AdjudicationApp(session)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        first = screen.sentence_id  # type: ignore[attr-defined]
        with lock_held_elsewhere(corpus.url):
            await pilot.press("a")  # take the agreed spans of this sentence
            await wait_for(pilot, lambda: any("Waiting for the database" in n
                                              for n in notices(app)))
            await pilot.press("j")  # the next sentence is shown meanwhile
            await pilot.pause()
            assert screen.sentence_id != first  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: any("Saved after waiting" in n for n in notices(app)))
    taken = AdjudicationSession(corpus, "ada", ("bob", "cy")).groups(first)
    assert [(group.text, len(group.gold)) for group in taken] == [("Officials", 1)]


async def test_quitting_with_a_waiting_write_saves_it_first(corpus: Database) -> None:
    app = AnnotatorApp(Workspace(interactive(corpus), "ana", retry_policy=FAST))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.current.sentence_id  # type: ignore[attr-defined]
        with lock_held_elsewhere(corpus.url, seconds=1.5):
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
            assert app.is_running  # still open: the change is not saved yet
            assert any("Saving 1 waiting change" in n for n in notices(app))
        await wait_for(pilot, lambda: not app.is_running)
    with corpus.engine.connect() as connection:
        states = connection.execute(select(SentenceState.sentence_id, SentenceState.state)).all()
    assert (first, "done") in states
