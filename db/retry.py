"""Re-running a unit of work when the engine asks for it: a busy SQLite file, a PostgreSQL
serialization failure, deadlock or lock timeout.

Every unit passed here must be safe to run again: one transaction that either
committed or was rolled back whole (``Database.transaction`` guarantees the
latter), or a sequence of such transactions each idempotent on its own.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from db.write_errors import NOT_SAVED

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
