"""Re-running a unit of work when the engine asks for it: a busy SQLite file, a PostgreSQL
serialization failure, deadlock or lock timeout; and :class:`WriteRunner`, the one way the
sessions write (waiting in place, or on a worker thread behind a screen).

Every unit passed here must be safe to run again: one transaction that either
committed or was rolled back whole (``Database.transaction`` guarantees the
latter), or a sequence of such transactions each idempotent on its own.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from db.write_errors import NOT_SAVED, StorageError

T = TypeVar("T")

# SQLITE_BUSY and SQLITE_LOCKED (the primary codes; extended codes keep them in the low byte).
_SQLITE_BUSY_CODES = (5, 6)
_SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
# serialization_failure, deadlock_detected, lock_not_available (lock_timeout expired).
_POSTGRES_RETRY_STATES = frozenset({"40001", "40P01", "55P03"})


class DatabaseBusyError(ValueError):
    """The database stayed busy for longer than the retry policy allows; the message is for
    the user, and nothing of the unit of work was stored. A ``ValueError``, like every other
    refused action, so the screens and dialogs show it as one."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded by a total waiting time."""

    first_delay: float = 0.05
    max_delay: float = 1.0
    give_up_after: float = 60.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (full jitter over half the step)."""
        step = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return step / 2 + rng.uniform(0, step / 2)


@dataclass(frozen=True)
class Wait:
    """Told to the ``on_wait`` callback before each pause."""

    attempt: int  # attempts made so far (1 after the first failure)
    delay: float  # the pause about to start, in seconds
    waited: float  # seconds since the first attempt started
    reason: str  # the engine's message, one line


DEFAULT_POLICY = RetryPolicy()
_rng = random.Random()


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` means "try the same transaction again later"."""
    original = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _SQLITE_BUSY_CODES:
            return True
        return any(message in str(original).lower() for message in _SQLITE_BUSY_MESSAGES)
    return getattr(original, "sqlstate", None) in _POSTGRES_RETRY_STATES


def busy_problem(error: BaseException) -> str | None:
    """For an error that means another program kept the database locked longer than the
    engine waits, one line for the user (a command gives up there; the screens retry);
    ``None`` for any other error."""
    if not is_transient(error):
        return None
    return (f"the database stayed busy ({_reason(error)}): another program kept it locked; "
            f"{NOT_SAVED}; try again")


def _reason(error: BaseException) -> str:
    original = error.orig if isinstance(error, DBAPIError) else error
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__


def retrying(
    unit: Callable[[], T], *, policy: RetryPolicy = DEFAULT_POLICY,
    on_wait: Callable[[Wait], None] | None = None, sleep: Callable[[float], None] = time.sleep,
    conflict_reruns: int = 0,
) -> T:
    """Run ``unit``; on a transient error wait (telling ``on_wait``) and run it again.

    With ``conflict_reruns``, a unique violation also reruns the unit at once (at most
    that many times): an insert that lost a race with an identical one from another
    process means the unit decided on stale reads, and a rerun sees the winner's row.
    Raises :class:`DatabaseBusyError` once ``policy.give_up_after`` seconds have
    passed; any other error propagates at once.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            return unit()
        except IntegrityError:
            if conflict_reruns <= 0:
                raise
            conflict_reruns -= 1
        except (DBAPIError, sqlite3.OperationalError) as error:
            if not is_transient(error):
                raise
            waited = time.monotonic() - started
            if waited >= policy.give_up_after:
                raise DatabaseBusyError(
                    f"the database stayed busy for {waited:.0f} s ({_reason(error)}); "
                    "nothing was saved, try again"
                ) from error
            delay = min(policy.delay(attempt, _rng), policy.give_up_after - waited)
            if on_wait is not None:
                on_wait(Wait(attempt, delay, waited, _reason(error)))
            sleep(delay)


# --- the one write runner --------------------------------------------------------------------

# An action that lost an insert race to the same annotator's other terminal runs again on
# fresh reads; a conflict that persists is a real one and is raised.
CONFLICT_RERUNS = 2


def refusal(error: BaseException) -> str | None:
    """The one line a user is told when a write was refused and nothing of it stored: the
    storage refused it (read-only, full disk), the database stayed busy past the policy, or
    (for a caller that does not wait) another program holds the lock; ``None`` for any other
    error, which is a bug and propagates."""
    if isinstance(error, StorageError | DatabaseBusyError):
        return str(error)
    return busy_problem(error)


class WriteDeferred(Exception):
    """The unit could not run now (another program holds the database, or earlier units
    wait for it) and was queued behind the waiting ones: it runs on the runner's worker
    thread, and the runner's listener hears when it is saved or refused."""


class WriteListener(Protocol):
    """Told how queued writes fare: ``writes_waiting`` on the thread whose unit was queued,
    the others on the runner's worker thread (so each must only hand the news over)."""

    def writes_waiting(self, queued: int) -> None:
        """A unit was queued: another program holds the database, ``queued`` units wait."""

    def writes_saved(self, waited: float) -> None:
        """Every queued unit is saved, after ``waited`` seconds in all."""

    def writes_refused(self, message: str, dropped: int) -> None:
        """A queued unit was refused (``message``, one line); ``dropped`` later units that
        waited behind it were not run either."""


class WriteRunner:
    """How every session (and the command line, through :func:`refusal`) writes: a unit of
    work (one transaction, safe to rerun) runs now, and again after a pause while another
    writer holds the database (:func:`retrying`).

    With a :class:`WriteListener` attached (a screen attaches one), the runner never waits
    on the caller's thread: a unit that finds the database held, and every unit after it
    while any is still waiting, is queued and raises :class:`WriteDeferred`; one worker
    thread runs the queue in order, waiting as the policy allows, and tells the listener.
    So an interface keeps painting and can say what it waits for, and the order of the
    user's actions is kept."""

    def __init__(self, policy: RetryPolicy = DEFAULT_POLICY, *,
                 conflict_reruns: int = CONFLICT_RERUNS,
                 on_wait: Callable[[Wait], None] | None = None) -> None:
        self.policy = policy
        self.conflict_reruns = conflict_reruns
        self.on_wait = on_wait  # told before each pause when waiting in place
        self._listener: WriteListener | None = None
        self._queue: deque[Callable[[], object]] = deque()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def attach(self, listener: WriteListener | None) -> None:
        """Queue waiting writes on a worker and tell ``listener`` (``None``: wait in place)."""
        self._listener = listener

    @property
    def queued(self) -> int:
        """Units waiting for the database (0 when everything asked for is saved)."""
        with self._lock:
            return len(self._queue)

    def run(self, unit: Callable[[], T]) -> T:
        """Run ``unit`` and return its result; see the class for when it is queued."""
        if self._listener is None:
            return retrying(unit, policy=self.policy, conflict_reruns=self.conflict_reruns,
                            on_wait=self.on_wait)
        with self._lock:
            behind = bool(self._queue)
        if behind:  # behind the waiting ones, so the order of actions holds
            self._enqueue(unit)
            raise WriteDeferred
        reruns = self.conflict_reruns
        while True:
            try:
                return unit()
            except IntegrityError:
                if reruns <= 0:
                    raise
                reruns -= 1
            except (DBAPIError, sqlite3.OperationalError) as error:
                if not is_transient(error):
                    raise
                self._enqueue(unit)
                raise WriteDeferred from error

    def wait_until_saved(self, timeout: float | None = None) -> bool:
        """Block until the queue is empty (or ``timeout`` passed); whether it is."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return self.queued == 0

    def _enqueue(self, unit: Callable[[], object]) -> None:
        with self._lock:
            self._queue.append(unit)
            queued = len(self._queue)
            if self._worker is None or not self._worker.is_alive():
                # Not a daemon: a process that is quitting still saves what was asked for.
                self._worker = threading.Thread(target=self._drain, name="annotator-writes")
                self._worker.start()
        if self._listener is not None:
            self._listener.writes_waiting(queued)

    def _drain(self) -> None:
        started = time.monotonic()
        while True:
            with self._lock:
                if not self._queue:
                    self._worker = None
                    break
                unit = self._queue[0]
            listener = self._listener
            try:
                retrying(unit, policy=self.policy, conflict_reruns=self.conflict_reruns)
            except Exception as error:  # refused: it and what waited behind it are dropped
                with self._lock:
                    dropped = len(self._queue) - 1
                    self._queue.clear()
                    self._worker = None
                if listener is not None:
                    listener.writes_refused(refusal(error) or f"not saved: {error}", dropped)
                return
            with self._lock:
                self._queue.popleft()
        if listener is not None:
            listener.writes_saved(time.monotonic() - started)


P = ParamSpec("P")
R = TypeVar("R")


class Writes(Protocol):
    """A session: whatever holds the :class:`WriteRunner` its actions write through."""

    writes: WriteRunner


S = TypeVar("S", bound=Writes)


def write_action(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Make a session method one unit of work run by the session's :class:`WriteRunner`
    (the whole method, so it must be safe to run again: reads, then one transaction)."""

    @wraps(method)
    def run(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.writes.run(lambda: method(self, *args, **kwargs))

    return run
