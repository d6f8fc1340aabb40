"""Copy a whole database into an empty one: how a team moves a SQLite file to PostgreSQL.

Unlike merging (which matches documents, sources and annotations and leaves out
what is per-person state), a copy moves every table row for row with its ids:
documents, sentences, annotators and where each left off, the source registry,
annotations, links, sentence states and the change log, so undo, review history
and positions work in the new database exactly as in the old one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Table, func, insert, select

from db.engine import Database, mask_password
from db.models import Base
from db.portable import row_problems

BATCH = 2_000
# Values neither engine would store the same way, listed one a line up to this many.
PROBLEMS_SHOWN = 20


class CopyError(Exception):
    """The copy cannot start; the message is for the user."""


def _tables() -> list[Table]:
    # Parents before children, so every foreign key finds its row.
    return list(Base.metadata.sorted_tables)


def _row_count(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def _utc_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, DateTime) and c.type.timezone]


def _rows(connection: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in primary-key order, ``BATCH`` at a time, streamed."""
    timestamps = _utc_columns(table)
    query = select(table).order_by(*table.primary_key.columns)
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    for batch in result.mappings().partitions(BATCH):
        rows = [dict(row) for row in batch]
        for row in rows:
            for name in timestamps:
                value = row[name]
                # SQLite hands back naive datetimes, all of them UTC (db/models.py utcnow);
                # PostgreSQL would read a naive value in its session time zone.
                if isinstance(value, datetime) and value.tzinfo is None:
                    row[name] = value.replace(tzinfo=UTC)
        yield rows


def reset_sequences(connection: Connection, tables: list[Table] | None = None) -> None:
    """Make PostgreSQL's id sequences continue after ids written explicitly (a copy, a
    benchmark's bulk build); nothing to do on SQLite."""
    tables = _tables() if tables is None else tables
    if connection.dialect.name != "postgresql":
        return  # SQLite's rowid continues after the largest id by itself
    for table in tables:
        if "id" not in table.primary_key.columns or len(table.primary_key.columns) != 1:
            continue
        ids = table.c.id
        largest = select(func.max(ids)).scalar_subquery()
        connection.execute(select(func.setval(
            func.pg_get_serial_sequence(table.name, "id"),
            func.coalesce(largest, 1),
            largest.is_not(None),
        )))


def copy_database(
    source: Database, target: Database,
    on_table: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``target``, in one transaction there.

    Returns the rows copied per table; ``on_table`` is told each table when done.
    Raises :class:`CopyError` if ``target`` holds anything (use merge for that), or if
    ``source`` holds a value the other engine would not store unchanged (a NUL character,
    a name longer than its column: an earlier version let them into SQLite files); then
    every such value is named, up to :data:`PROBLEMS_SHOWN` lines, and nothing is copied.
    """
    tables = _tables()
    copied: dict[str, int] = {}
    problems: list[str] = []
    found = 0
    with source.engine.connect() as reading, target.engine.begin() as writing:
        occupied = [table.name for table in tables if _row_count(writing, table)]
        if occupied:
            raise CopyError(f"{mask_password(target.url)} is not empty (it has "
                            f"{', '.join(occupied)}); copy needs an empty database, "
                            "`annotator merge` combines two")
        for table in tables:
            count = 0
            statement = insert(table)
            for rows in _rows(reading, table):
                for row in rows:
                    for problem in row_problems(table, row):
                        found += 1
                        if len(problems) < PROBLEMS_SHOWN:
                            problems.append(problem)
                if not found:  # once one is found, the rest is only read, to name them all
                    writing.execute(statement, rows)
                count += len(rows)
            copied[table.name] = count
            if on_table is not None and not found:
                on_table(table.name, count)
        if found:  # raised inside the transaction: the target is left as it was, empty
            raise CopyError(_refusal(source, found, problems))
        reset_sequences(writing, tables)
    return copied


def _refusal(source: Database, found: int, problems: list[str]) -> str:
    more = found - len(problems)
    lines = [f"{mask_password(source.url)} holds {found:,} value{'s' * (found != 1)} that "
             "SQLite and PostgreSQL would not store the same way (written by an earlier "
             "version); nothing was copied. Fix them in the source first:",
             *problems]
    if more:
        lines.append(f"… and {more:,} more")
    return "\n".join(lines)
