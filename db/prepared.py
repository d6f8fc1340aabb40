"""INSERT statements compiled once per dialect and run with plain parameter tuples.

For bulk imports, SQLAlchemy's per-execution work (cache key, parameter
dictionaries, result set-up) costs more than SQLite's own insert of a small
row. A :class:`PreparedInsert` is still a Core statement, compiled by
SQLAlchemy for the connection's dialect, with each column type's own bind
processing (JSON, timestamps); only the per-call machinery is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, Table

from db.write_errors import driver_write_errors


@dataclass(frozen=True)
class PreparedInsert:
    """A compiled INSERT for one dialect, taking values in ``columns`` order."""

    sql: str
    positional: bool
    columns: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def _params(self, values: Sequence[Any]) -> Any:
        if any(self.processors):
            values = [value if process is None else process(value)
                      for process, value in zip(self.processors, values, strict=True)]
        return tuple(values) if self.positional else dict(zip(self.columns, values,
                                                              strict=True))

    # Run on the driver's cursor of the connection, inside its SQLAlchemy transaction:
    # SQLAlchemy's execution context and result set-up were still a fifth of an import.
    def scalar(self, connection: Connection, values: Sequence[Any]) -> Any:
        """Insert one row; the first column of what the statement returns, or ``None``."""
        cursor = connection.connection.cursor()
        try:
            with driver_write_errors():
                cursor.execute(self.sql, self._params(values))
                row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else row[0]

    def many(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows with one ``executemany``."""
        if not rows:
            return
        plain = self.positional and not any(self.processors)  # ints and strings as they are
        cursor = connection.connection.cursor()
        try:
            with driver_write_errors():
                cursor.executemany(self.sql,
                                   rows if plain else [self._params(row) for row in rows])
        finally:
            cursor.close()


class PreparedInserts:
    """Compiles a statement for each dialect it meets, once."""

    def __init__(self, build: Callable[[str], Insert], table: Table,
                 columns: Sequence[str]) -> None:
        self.build = build
        self.table = table
        self.columns = tuple(columns)
        self._compiled: dict[str, PreparedInsert] = {}

    def on(self, connection: Connection) -> PreparedInsert:
        """The statement for ``connection``'s dialect."""
        dialect = connection.dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.build(dialect.name).compile(dialect=dialect,
                                                        column_keys=list(self.columns))
            if dialect.positional:
                assert tuple(compiled.positiontup or ()) == self.columns, compiled.positiontup
            processors = tuple(self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                               for name in self.columns)
            found = PreparedInsert(str(compiled), dialect.positional, self.columns, processors)
            self._compiled[dialect.name] = found
        return found
