"""The shared registry of canonical sources and their aliases.

Registering runs in the caller's transaction (:func:`register_source`,
:func:`register_alias`), so an action that registers a source and maps a span to
it (``pick_source_with_alias``, ``create_and_set_source`` in db/annotations.py and
db/review.py) commits both or neither: a failure half way leaves no orphan source
in the registry every annotator shares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Source, SourceAlias
from db.read_models import SourceChoice
from db.text_match import contains, starts_with

T = TypeVar("T")


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


def rerun_on_conflict(unit: Callable[[], T]) -> T:
    """Run a one-transaction ``unit``, once more if it lost an insert race: two annotators
    registering the same name (or alias) at once both saw none; the loser's transaction
    was rolled back whole, and its rerun finds the winner's row."""
    try:
        return unit()
    except IntegrityError:
        return unit()


def register_source(
    session: Session, name: str, source_type: str | None, aliases: tuple[str, ...] = ()
) -> int:
    """In the caller's transaction: the id of the source registered under ``name``,
    added (with ``source_type``) if there is none, and its ``aliases``."""
    name = name.strip()
    if not name:
        raise ValueError("a source needs a name")
    source_id = session.scalar(select(Source.id).where(Source.name == name))
    if source_id is None:
        source = Source(name=name, source_type=source_type)
        session.add(source)
        session.flush()
        source_id = source.id
    for alias in aliases:
        register_alias(session, source_id, alias)
    return source_id


def register_alias(session: Session, source_id: int, alias: str | None) -> None:
    """In the caller's transaction: record another name of a source (nothing if it is
    empty or already known)."""
    alias = (alias or "").strip()
    if not alias:
        return
    if session.get(Source, source_id) is None:  # found in the session when just checked
        raise ValueError(f"no canonical source with id {source_id}")
    known = session.scalar(select(SourceAlias.id).where(
        SourceAlias.source_id == source_id, SourceAlias.alias == alias))
    if known is None:
        session.add(SourceAlias(source_id=source_id, alias=alias))
        session.flush()


def create_source(
    database: Database, name: str, source_type: str | None, aliases: tuple[str, ...] = ()
) -> int:
    """Add a canonical source with its aliases in one transaction, or return the one
    already registered under ``name`` (its aliases extended).

    Two annotators creating the same source at once end with one row: the
    loser of the race finds the winner's row.
    """
    def unit() -> int:
        with database.transaction() as session:
            return register_source(session, name, source_type, aliases)

    return rerun_on_conflict(unit)


def add_alias(database: Database, source_id: int, alias: str) -> None:
    """Register another name for a source (no-op if it already has it)."""
    def unit() -> None:
        with database.transaction() as session:
            register_alias(session, source_id, alias)

    rerun_on_conflict(unit)
