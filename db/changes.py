"""How a running screen notices what other processes changed: one cheap marker to poll."""

from __future__ import annotations

from sqlalchemy import func, select

from db.engine import Database
from db.models import ChangeLogEntry, Source, SourceAlias

# Every user action appends to the change log; the source registry grows by sources and
# aliases. Three max() over primary keys: one index probe each, on either engine.
_MARKER = select(
    select(func.max(ChangeLogEntry.id)).scalar_subquery(),
    select(func.max(Source.id)).scalar_subquery(),
    select(func.max(SourceAlias.id)).scalar_subquery(),
)


def change_marker(database: Database) -> tuple[int, int, int]:
    """A value that changes whenever anyone records an action or extends the registry."""
    with database.reads() as session:
        row = session.execute(_MARKER).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
