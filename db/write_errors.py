"""Turning "cannot write" database failures into one message the user can act on.

A read-only database file, a full disk and an I/O error are not bugs: the change in
progress is rolled back whole, everything stored before is intact, and reading goes
on working. Every engine reports them through :func:`translate_write_error` (an
engine ``handle_error`` hook), so every caller, the TUI included, sees one
:class:`StorageError` with a one-line message instead of a driver exception.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, OperationalError

NOT_SAVED = "this change was not saved; everything saved before is intact"
# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF).
_SQLITE = {
    8: "the database is read-only",  # SQLITE_READONLY
    10: "writing to the disk failed (is it full?)",  # SQLITE_IOERR, e.g. EFBIG
    13: "the disk or the database is full",  # SQLITE_FULL
}
# PostgreSQL SQLSTATEs.
_POSTGRESQL = {
    "25006": "the database is read-only",  # read_only_sql_transaction
    "53100": "the database server's disk is full",  # disk_full
    "53200": "the database server is out of memory",  # out_of_memory
    "58030": "the database server reported an I/O error",  # io_error
}


class StorageError(ValueError):
    """A change could not be written (read-only, disk full, I/O error); nothing of it was
    stored. The message is one line for the user."""


def write_problem(error: BaseException | None) -> str | None:
    """What stopped a write, in words, or ``None`` when ``error`` is not such a failure."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE:
        return _SQLITE[code & 0xFF]
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _POSTGRESQL.get(sqlstate)
    return None


@contextmanager
def driver_write_errors() -> Iterator[None]:
    """Translate a refused write raised by the driver itself (work done on the raw
    cursor, outside SQLAlchemy's ``handle_error`` hook) into :class:`StorageError`."""
    try:
        yield
    except Exception as error:
        problem = write_problem(error)
        if problem is None:
            raise
        raise StorageError(f"{problem}: {NOT_SAVED}") from error


def translate_write_error(context: ExceptionContext) -> Any:
    """``handle_error`` hook: raise :class:`StorageError` for a write the storage refused."""
    problem = write_problem(context.original_exception)
    if problem is not None:
        raise StorageError(f"{problem}: {NOT_SAVED}") from context.original_exception
    return None


# PostgreSQL SQLSTATEs of a server that went away: connection_exception (class 08),
# admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down).
_SERVER_GONE_STATES = frozenset({"57P01", "57P02", "57P03"})
SERVER_GONE = "the database server cannot be reached"


def server_lost(error: BaseException) -> str | None:
    """For an error that means the database server stopped, restarted or cannot be
    reached, one line for the user (the server rolled back whatever was not committed);
    ``None`` for any other error. SQLAlchemy has invalidated the pool's connections by
    then, so the next statement connects afresh."""
    if not isinstance(error, DBAPIError) or isinstance(error.orig, sqlite3.Error):
        return None  # a SQLite file has no server to lose
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    gone = sqlstate in _SERVER_GONE_STATES or (isinstance(sqlstate, str)
                                               and sqlstate.startswith("08"))
    # A refused or dropped connection carries no SQLSTATE (the server never answered).
    unreachable = sqlstate is None and isinstance(error, OperationalError)
    if not (error.connection_invalidated or gone or unreachable):
        return None
    text = str(original).strip()
    reason = text.splitlines()[0] if text else type(original).__name__
    return f"{SERVER_GONE} ({reason})"
