"""A value read from the database on a worker thread, so a slow read never holds up a frame.

Counting every sentence is a scan of the whole table: a few milliseconds on SQLite, but on
PostgreSQL 30-40 ms at 300,000 sentences and growing with the corpus. The annotation screen
only needs the total for its progress bar. Read on a thread, the first count runs on the
server while the interface is still loading (the driver releases the GIL while it waits),
and a later refresh of a stale total runs while the annotator reads, never inside a
keypress.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class BackgroundRead(Generic[T]):
    """``read()``'s result, read on a worker thread and read again when older than ``ttl``
    seconds. ``read`` must open its own unit of work (it runs on another thread)."""

    def __init__(self, read: Callable[[], T], ttl: float) -> None:
        self._read = read
        self._ttl = ttl
        self._lock = threading.Lock()
        self._value: tuple[float, T] | None = None  # when it was read, and what
        self._error: BaseException | None = None
        self._running: threading.Thread | None = None

    def start(self) -> None:
        """Begin a read now unless one is running or the value is still fresh."""
        with self._lock:
            if self._running is not None or not self._stale():
                return
            self._error = None
            self._running = threading.Thread(target=self._run, name="background-read",
                                             daemon=True)
            self._running.start()

    def get(self) -> T:
        """The latest value. The first time, waits for it (for the read :meth:`start`
        began, raising what it raised, or reading it here); after that never waits: a
        stale value is returned as it is while a fresh one is read in the background."""
        with self._lock:
            value, running = self._value, self._running
        if value is not None:
            self.start()  # only if stale
            return value[1]
        if running is not None:
            running.join()
        with self._lock:
            value, error, self._error = self._value, self._error, None
        if value is None:
            if error is not None:
                raise error
            value = self._store(self._read())
        return value[1]

    def _stale(self) -> bool:
        return self._value is None or time.monotonic() - self._value[0] > self._ttl

    def _store(self, value: T) -> tuple[float, T]:
        stamped = (time.monotonic(), value)
        with self._lock:
            self._value = stamped
        return stamped

    def _run(self) -> None:
        try:
            self._store(self._read())
        except BaseException as error:  # handed to the next get() that has to wait for it
            with self._lock:
                self._error = error
        finally:
            with self._lock:
                self._running = None
