"""The shared registry of canonical sources and their aliases.

Registering runs in the caller's transaction (:func:`register_source`,
:func:`register_alias`), so an action that registers a source and maps a span to
it (``pick_source_with_alias``, ``create_and_set_source`` in db/annotations.py and
db/review.py) commits both or neither: a failure half way leaves no orphan source
in the registry every annotator shares.

A source registered only because a suggestion proposing it was accepted has
``origin='suggestion'``; it is in the registry people see (:func:`visible_source`:
pickers, the suggester's known sources, the exports' sources view, merges) only while
an accepted annotation uses it, so a proposal the annotator then mapped elsewhere (or
undid, or rejected) is not left in every picker. A person picking, creating or adding
an alias to it makes it theirs (``origin='annotator'``), for good.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import ColumnElement, Connection, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.history import ChangeRecorder
from db.models import Annotation, Source, SourceAlias
from db.read_models import SourceChoice
from db.text_match import contains, starts_with

T = TypeVar("T")
BY_ANNOTATOR = "annotator"
BY_SUGGESTION = "suggestion"


def visible_source(source: type[Source] = Source) -> ColumnElement[bool]:
    """SQL condition on ``source`` (the ``Source`` entity, or an alias of it): the source is
    in the registry people see. Every source but one that only an accepted suggestion
    registered and that no accepted annotation (of anyone) is mapped to now."""
    return or_(source.origin != BY_SUGGESTION, exists().where(
        Annotation.source_id == source.id, Annotation.status == "accepted"))


def source_snapshot(source: Source) -> dict[str, object]:
    """What the change log keeps of a source: its id and origin (the rest never changes
    by an undoable action)."""
    return {"id": source.id, "origin": source.origin}


def find_sources(database: Database, query: str, limit: int = 20) -> list[SourceChoice]:
    """Sources whose name or an alias contains ``query``, names starting with it first."""
    query = query.strip()
    alias_match = select(SourceAlias.source_id).where(contains(SourceAlias.alias, query))
    starts = starts_with(Source.name, query)
    with database.transaction() as session:
        sources = session.scalars(
            select(Source)
            .where(or_(contains(Source.name, query), Source.id.in_(alias_match)),
                   visible_source())
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


_VISIBLE = select(Source.id).where(visible_source()).subquery()
# Sources and aliases are only ever added, and what is visible changes with who uses a
# source: the newest ids, and the count and id sum of the visible sources, change with any
# of it. One statement.
_FINGERPRINT = select(
    select(func.max(Source.id)).scalar_subquery(),
    select(func.max(SourceAlias.id)).scalar_subquery(),
    select(func.count()).select_from(_VISIBLE).scalar_subquery(),
    select(func.coalesce(func.sum(_VISIBLE.c.id), 0)).select_from(_VISIBLE).scalar_subquery(),
)
_VISIBLE_REGISTRY = (
    select(Source.id, Source.name, Source.source_type, SourceAlias.alias)
    .outerjoin(SourceAlias, SourceAlias.source_id == Source.id)
    .where(visible_source())
    .order_by(Source.name, Source.id, SourceAlias.alias)
)


class RegistryReads:
    """Reads of the registry people see, on one connection or session: the caller's read,
    or the transaction of the action that needs them (accepting a suggestion resolves its
    source in its own transaction, not in another one)."""

    def __init__(self, connection: Connection | Session) -> None:
        self.connection = connection

    def fingerprint(self) -> tuple[int, ...]:
        """A value that changes whenever :meth:`choices` would read something else (a
        source or alias added, a source shown or hidden)."""
        row = self.connection.execute(_FINGERPRINT).one()
        return tuple(int(value or 0) for value in row)

    def choices(self) -> list[SourceChoice]:
        """Every source of the registry people see (:func:`visible_source`) with its
        aliases, by name: what a suggestion is resolved against when shown and accepted."""
        choices: list[SourceChoice] = []
        current: tuple[int, str, str | None] | None = None
        aliases: list[str] = []
        for source_id, name, source_type, alias in self.connection.execute(_VISIBLE_REGISTRY):
            if current is None or current[0] != source_id:
                if current is not None:
                    choices.append(SourceChoice(*current, tuple(aliases)))
                current, aliases = (int(source_id), name, source_type), []
            if alias is not None:
                aliases.append(alias)
        if current is not None:
            choices.append(SourceChoice(*current, tuple(aliases)))
        return choices


@contextmanager
def registry_reads(database: Database) -> Iterator[RegistryReads]:
    """:class:`RegistryReads` in a read of its own (one connection, no transaction on
    PostgreSQL)."""
    with database.read_statement() as connection:
        yield RegistryReads(connection)


def rerun_on_conflict(unit: Callable[[], T]) -> T:
    """Run a one-transaction ``unit``, once more if it lost an insert race: two annotators
    registering the same name (or alias) at once both saw none; the loser's transaction
    was rolled back whole, and its rerun finds the winner's row."""
    try:
        return unit()
    except IntegrityError:
        return unit()


def register_source(
    session: Session, name: str, source_type: str | None, aliases: tuple[str, ...] = (),
    *, origin: str = BY_ANNOTATOR, recorder: ChangeRecorder | None = None,
) -> int:
    """In the caller's transaction: the id of the source registered under ``name``,
    added (with ``source_type`` and ``origin``) if there is none, and its ``aliases``.

    A person's registering (``origin='annotator'``) of a source only a suggestion made
    makes it theirs; with a ``recorder`` that change is logged, so undoing the action
    puts it back."""
    name = name.strip()
    if not name:
        raise ValueError("a source needs a name")
    source = session.scalars(select(Source).where(Source.name == name)).first()
    if source is None:
        source = Source(name=name, source_type=source_type, origin=origin)
        session.add(source)
        session.flush()
    elif origin == BY_ANNOTATOR:
        adopt_source(session, source.id, recorder)
    for alias in aliases:
        register_alias(session, source.id, alias, recorder, adopt=origin == BY_ANNOTATOR)
    return source.id


def adopt_source(session: Session, source_id: int, recorder: ChangeRecorder | None) -> None:
    """In the caller's transaction: a person chose this source (picked, created or named
    it), so it stays in the registry whatever later maps to it; logged with ``recorder``."""
    source = session.get(Source, source_id)
    if source is None or source.origin != BY_SUGGESTION:
        return
    before = source_snapshot(source)
    source.origin = BY_ANNOTATOR
    session.flush()
    if recorder is not None:
        recorder.record("source", source.id, before, source_snapshot(source))


def register_alias(
    session: Session, source_id: int, alias: str | None,
    recorder: ChangeRecorder | None = None, *, adopt: bool = True,
) -> None:
    """In the caller's transaction: record another name of a source (nothing if it is
    empty or already known). A person naming a source makes it theirs (see
    :func:`adopt_source`; ``adopt=False`` when a suggestion's acceptance names it)."""
    alias = (alias or "").strip()
    if not alias:
        return
    if session.get(Source, source_id) is None:  # found in the session when just checked
        raise ValueError(f"no canonical source with id {source_id}")
    if adopt:
        adopt_source(session, source_id, recorder)
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
