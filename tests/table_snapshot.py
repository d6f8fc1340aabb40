"""Every row of every table, for tests that must prove nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, select

Snapshot = dict[str, list[dict[str, Any]]]
IGNORED_TABLES = frozenset({"alembic_version"})


def table_snapshot(engine: Engine, *, ignore: frozenset[str] = IGNORED_TABLES) -> Snapshot:
    """All rows of all tables (reflected, so any schema revision), in primary-key order."""
    metadata = MetaData()
    metadata.reflect(engine)
    snapshot: Snapshot = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if name in ignore:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).mappings()
            snapshot[name] = [dict(row) for row in rows]
    return snapshot
