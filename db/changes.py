"""How a running screen notices what other processes changed: one cheap marker to poll."""

from __future__ import annotations

from sqlalchemy import func, select

from db.engine import Database
from db.models import Annotation, ChangeLogEntry, Link, Source, SourceAlias

# Every user action appends to the change log; bulk writes that are not undoable actions
# (suggestions, an import or merge of annotations) only add annotations and links; the
# source registry grows by sources and aliases. Five max() over primary keys: one index
# probe each, on either engine, in one statement.
_MARKER = select(*(
    select(func.max(table.id)).scalar_subquery()
    for table in (ChangeLogEntry, Annotation, Link, Source, SourceAlias)
))

Marker = tuple[int, ...]


def change_marker(database: Database) -> Marker:
    """A value that changes whenever anyone records an action, adds annotations or links,
    or extends the registry."""
    with database.read_statement() as connection:
        row = connection.execute(_MARKER).one()
    return tuple(int(value or 0) for value in row)
