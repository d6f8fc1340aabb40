"""The shared registry of canonical sources and their aliases."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import Source, SourceAlias
from db.read_models import SourceChoice
from db.text_match import contains, starts_with


def find_sources(database: Database, query: str, limit: int = 20) -> list[SourceChoice]:
    """Sources whose name or an alias contains ``query``, names starting with it first."""
    query = query.strip()
    alias_match = select(SourceAlias.source_id).where(contains(SourceAlias.alias, query))
    starts = starts_with(Source.name, query)
    with database.transaction() as session:
        sources = session.scalars(
            select(Source)
            .where(or_(contains(Source.name, query), Source.id.in_(alias_match)))
            .order_by(starts.desc(), Source.name)
            .limit(limit)
        ).all()
        aliases: dict[int, list[str]] = {}
        for source_id, alias in session.execute(
            select(SourceAlias.source_id, SourceAlias.alias)
            .where(SourceAlias.source_id.in_([s.id for s in sources]))
            .order_by(SourceAlias.alias)
        ):
            aliases.setdefault(source_id, []).append(alias)
        return [SourceChoice(s.id, s.name, s.source_type, tuple(aliases.get(s.id, ())))
                for s in sources]


def create_source(
    database: Database, name: str, source_type: str | None, aliases: tuple[str, ...] = ()
) -> int:
    """Add a canonical source, or return the one already registered under ``name``.

    Two annotators creating the same source at once end with one row: the
    loser of the race finds the winner's row.
    """
    name = name.strip()
    if not name:
        raise ValueError("a source needs a name")
    try:
        with database.transaction() as session:
            existing = session.scalar(select(Source.id).where(Source.name == name))
            if existing is not None:
                source_id = existing
            else:
                source = Source(name=name, source_type=source_type)
                session.add(source)
                session.flush()
                source_id = source.id
    except IntegrityError:
        with database.transaction() as session:
            source_id = session.scalar(select(Source.id).where(Source.name == name))
        if source_id is None:
            raise
    for alias in aliases:
        add_alias(database, source_id, alias)
    return source_id


def add_alias(database: Database, source_id: int, alias: str) -> None:
    """Register another name for a source (no-op if it already has it)."""
    alias = alias.strip()
    if not alias:
        return
    try:
        with database.transaction() as session:
            known = session.scalar(select(SourceAlias.id).where(
                SourceAlias.source_id == source_id, SourceAlias.alias == alias
            ))
            if known is None:
                session.add(SourceAlias(source_id=source_id, alias=alias))
    except IntegrityError:
        pass  # someone added the same alias at the same moment: the result is the same
