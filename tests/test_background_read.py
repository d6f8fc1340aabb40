"""A value read on a worker thread: waited for the first time, never after."""

from __future__ import annotations

import threading

import pytest

from annotator.workspace import Workspace
from db.background_read import BackgroundRead
from db.engine import Database
from db.navigation import count_sentences
from tests.test_workspace import corpus  # noqa: F401  (fixture)


class Reads:
    """A read that returns 1, 2, 3, ... and can be held until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.threads: list[str] = []
        self.release = threading.Event()
        self.release.set()
        self.fail = False

    def __call__(self) -> int:
        self.threads.append(threading.current_thread().name)
        self.release.wait(5)
        if self.fail:
            raise RuntimeError("the database went away")
        self.calls += 1
        return self.calls


def test_the_first_get_waits_for_the_read_started_in_the_background() -> None:
    reads = Reads()
    reads.release.clear()
    value = BackgroundRead(reads, ttl=60)
    value.start()
    threading.Timer(0.05, reads.release.set).start()
    assert value.get() == 1
    assert reads.threads == ["background-read"]
    value.start()  # fresh: no second read
    assert value.get() == 1 and reads.calls == 1


def test_without_a_start_the_first_get_reads_in_the_caller() -> None:
    reads = Reads()
    value = BackgroundRead(reads, ttl=60)
    assert value.get() == 1
    assert reads.threads == [threading.current_thread().name]


def test_a_failed_first_read_is_raised_by_get_and_the_next_get_reads_again() -> None:
    reads = Reads()
    reads.fail = True
    value = BackgroundRead(reads, ttl=60)
    value.start()
    with pytest.raises(RuntimeError, match="went away"):
        value.get()
    reads.fail = False
    assert value.get() == 1


def test_a_stale_value_is_returned_at_once_while_a_fresh_one_is_read() -> None:
    reads = Reads()
    value = BackgroundRead(reads, ttl=0)  # always stale
    assert value.get() == 1
    reads.release.clear()  # the refresh hangs until released
    assert value.get() == 1  # not waited for
    assert value.get() == 1  # one refresh at a time
    assert reads.threads.count("background-read") == 1
    reads.release.set()
    for _ in range(100):
        if reads.calls == 2:
            break
        threading.Event().wait(0.01)
    assert value.get() == 2


def test_a_failed_refresh_keeps_the_last_value() -> None:
    reads = Reads()
    value = BackgroundRead(reads, ttl=0)
    assert value.get() == 1
    reads.fail = True
    assert value.get() == 1
    for thread in threading.enumerate():
        if thread.name == "background-read":
            thread.join(5)
    assert value.get() == 1


def test_the_workspace_counts_the_corpus_in_the_background(corpus: Database) -> None:  # noqa: F811
    ana = Workspace(corpus, "ana")
    ana.count_in_background()
    assert ana.progress().total == count_sentences(corpus) == count_sentences(
        corpus, one_worker=True)
    assert ana.progress().total > 0
