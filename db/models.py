"""Typed SQLAlchemy 2.x models: the whole schema and its constraints.

Offsets are Python ``str`` indices (code points). ``Sentence.start/end`` are
offsets into ``Document.text``; ``Annotation.start/end`` are offsets into the
sentence and ``doc_start/doc_end`` into the document, so both views of a span
can be checked against the stored text.
"""

# No ``from __future__ import annotations`` here: evaluated as each class is created, the
# ``Mapped[...]`` annotations spare SQLAlchemy parsing and evaluating 70 annotation strings
# on every start (10 ms of CPU, a tenth of what loading the models and their mappers costs).
# A class used before its definition would be named in quotes. Nor are there ORM
# relationships: every query names its joins, the database cascades deletes, and configuring
# them cost every start another 10 ms.
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LABELS = ("claim", "source", "figure")
STATUSES = ("suggested", "accepted", "rejected")
ORIGINS = ("manual", "suggested", "imported")
LINK_TYPES = ("attributed_to", "supports")
SENTENCE_STATES = ("done", "skipped")
# Who put a canonical source in the registry: a person (picking, creating, importing it), or
# only the acceptance of a suggestion; see db.sources.visible_source.
SOURCE_ORIGINS = ("annotator", "suggestion")

# Stable constraint names make Alembic batch migrations on SQLite reliable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware current time; every timestamp in the database is UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC time: SQLite hands back naive datetimes that are UTC, and an
    ISO time may name another offset."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Document(Base):
    """One imported article; ``text`` is the normalized text all offsets refer to."""

    __tablename__ = "documents"
    # A covering index over ids alone makes "document D of T" a cheap count; counting
    # through the table itself would read every article's text pages.
    __table_args__ = (Index("ix_documents_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sentence(Base):
    """A sentence of a document: ``document.text[start:end] == text``."""

    __tablename__ = "sentences"
    __table_args__ = (
        UniqueConstraint("document_id", "index"),
        CheckConstraint("start >= 0 AND start < \"end\"", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Annotator(Base):
    """A person (or ``gold``/``reference`` layer) who owns annotations."""

    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where this annotator last was, so reopening resumes there.
    last_sentence_id: Mapped[int | None] = mapped_column(
        ForeignKey("sentences.id", ondelete="SET NULL")
    )


class Source(Base):
    """A canonical source in the shared registry, e.g. "Egypt's State Information Service"."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    source_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "suggestion": registered only by accepting a suggestion, and no person has picked,
    # created or edited it since; such a source is in the registry people see only while an
    # accepted annotation uses it (db.sources.visible_source).
    origin: Mapped[str] = mapped_column(String(16), default="annotator",
                                        server_default="annotator")


class SourceAlias(Base):
    """Another surface form of a canonical source ("Al-Qanoua")."""

    __tablename__ = "source_aliases"
    __table_args__ = (UniqueConstraint("source_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(500), index=True)


class Annotation(Base):
    """A labelled span (claim, source or figure) by one annotator."""

    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint("start >= 0 AND start < \"end\"", name="span"),
        CheckConstraint("doc_start >= 0 AND doc_start < doc_end", name="doc_span"),
        CheckConstraint(_in("label", LABELS), name="label"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
        UniqueConstraint("sentence_id", "annotator_id", "label", "start", "end"),
        Index("ix_annotations_annotator_document", "annotator_id", "document_id"),
        # The review table's first page sorted or filtered by label or status is an
        # index range instead of a sort of every annotation (EXPLAIN in RESULTS.md).
        Index("ix_annotations_label_id", "label", "id"),
        Index("ix_annotations_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE"), index=True
    )
    # Denormalized so per-document queries (export, links, agreement) need no join.
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(16))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    doc_start: Mapped[int] = mapped_column(Integer)
    doc_end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    figure_value: Mapped[float | None] = mapped_column(Float)
    figure_unit: Mapped[str | None] = mapped_column(String(100))
    figure_qualifier: Mapped[str | None] = mapped_column(String(100))
    attrs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The last review decision (accept or reject) and who made it; the full history
    # of decisions is in the change log.
    reviewed_by: Mapped[int | None] = mapped_column(
        ForeignKey("annotators.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)


class Link(Base):
    """A directed relation: claim ``attributed_to`` source, figure ``supports`` claim."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id", "type"),
        CheckConstraint(_in("type", LINK_TYPES), name="type"),
        CheckConstraint("from_id <> to_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_id: Mapped[int] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), index=True
    )
    to_id: Mapped[int] = mapped_column(ForeignKey("annotations.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SentenceState(Base):
    """Per-annotator progress on a sentence (done or skipped)."""

    __tablename__ = "sentence_states"
    __table_args__ = (CheckConstraint(_in("state", SENTENCE_STATES), name="state"),)

    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True
    )
    sentence_id: Mapped[int] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChangeLogEntry(Base):
    """Append-only record of every change, for undo/redo and review history.

    ``before``/``after`` hold the row as it was and became (``None`` for a
    creation or a deletion), so an entry can be reversed without other state.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_annotator_id_group_id", "annotator_id", "group_id"),
        # The history of one annotation (review screen) is a lookup by entity.
        Index("ix_change_log_entity_entity_id", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    annotator_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotators.id", ondelete="SET NULL")
    )
    # One user action may change several rows; they share a group (the first entry's id)
    # and are undone together.
    group_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Undo and redo append entries that revert an earlier group instead of editing history.
    reverts_group_id: Mapped[int | None] = mapped_column(Integer)
