"""db/retry.py against real engine errors: a locked SQLite file, a PostgreSQL lock timeout."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from locks import hold_write_lock
from sqlalchemy.exc import IntegrityError

from annotator.workspace import Workspace
from db.engine import open_database
from db.retry import DatabaseBusyError, RetryPolicy, Wait, is_transient, retrying

FAST = RetryPolicy(first_delay=0.01, max_delay=0.05, give_up_after=20)


def test_an_action_waits_for_another_writer_and_completes(db_url: str) -> None:
    database = open_database(db_url)
    interactive = database.with_lock_wait(50)
    waits: list[Wait] = []
    ana = Workspace(interactive, "ana", on_wait=waits.append, retry_policy=FAST)
    locked = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(db_url, 1.0, locked))
    holder.start()
    assert locked.wait(10)
    started = time.monotonic()
    source_id = ana.create_source("Ministry of Health", "government")
    elapsed = time.monotonic() - started
    holder.join()
    assert waits, "the action should have been told to wait"
    assert elapsed >= 0.5
    assert [s.id for s in ana.find_sources("Ministry")] == [source_id]
    interactive.dispose()
    database.dispose()


def test_giving_up_is_one_clear_error_and_stores_nothing(db_url: str) -> None:
    database = open_database(db_url)
    interactive = database.with_lock_wait(20)
    ana = Workspace(interactive, "ana")
    ana.writes.policy = RetryPolicy(first_delay=0.01, max_delay=0.02, give_up_after=0.3)
    locked, release = threading.Event(), threading.Event()
    # Held until the refusal came, however slow a loaded machine makes the attempts.
    holder = threading.Thread(target=hold_write_lock, args=(db_url, 60, locked, release))
    holder.start()
    assert locked.wait(10)
    try:
        with pytest.raises(DatabaseBusyError, match=r"stayed busy .* nothing was saved"):
            ana.create_source("Ministry of Health", "government")
    finally:
        release.set()
        holder.join()
    assert ana.find_sources("Ministry") == []
    interactive.dispose()
    database.dispose()


def test_the_engines_busy_answers_are_transient(tmp_path: Path) -> None:
    assert is_transient(sqlite3.OperationalError("database is locked"))
    assert not is_transient(sqlite3.OperationalError("no such table: x"))

    class PgError(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__(sqlstate)
            self.sqlstate = sqlstate

    for state in ("40001", "40P01", "55P03"):
        assert is_transient(PgError(state))
    assert not is_transient(PgError("23505"))


def test_other_errors_are_not_retried() -> None:
    calls = []

    def unit() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("no such table: annotations")

    with pytest.raises(sqlite3.OperationalError):
        retrying(unit, sleep=lambda _delay: None)
    assert len(calls) == 1


def test_a_lost_insert_race_reruns_a_bounded_number_of_times() -> None:
    calls = []

    def unit() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        retrying(unit, conflict_reruns=2)
    assert len(calls) == 3
