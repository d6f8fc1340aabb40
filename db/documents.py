"""Documents and sentences: storing imported articles and streaming them back out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, insert, select

from db.engine import Database
from db.models import Document, Sentence, utcnow
from db.prepared import PreparedInserts

STREAM_BATCH = 2_000


@dataclass(frozen=True)
class NewDocument:
    """An article ready to store; ``text`` is already normalized."""

    title: str
    text: str
    content_hash: str
    origin: str | None = None
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SentenceSpan:
    """Where a sentence lies in its document's text."""

    start: int
    end: int


@dataclass(frozen=True)
class SentenceRow:
    """One sentence as read back for export or display."""

    document_id: int
    document_title: str
    index: int
    start: int
    end: int
    text: str


_DOCUMENTS = Document.__table__
_DOCUMENT_COLUMNS = ("title", "origin", "external_id", "text", "content_hash", "meta",
                     "imported_at")
_SENTENCE_COLUMNS = ("document_id", "index", "start", "end", "text")


def _dialect_insert(dialect: str) -> Any:
    """The dialect's own INSERT (with ON CONFLICT); imported on first use, because loading
    the PostgreSQL dialect costs every command's start on SQLite (and vice versa)."""
    from importlib import import_module

    return import_module(f"sqlalchemy.dialects.{dialect}").insert


# Compiled once per dialect: on an import, SQLAlchemy's per-statement work cost more
# than the inserts themselves (benchmarks/RESULTS.md, Import).
_INSERT_DOCUMENT = PreparedInserts(
    lambda _dialect: insert(_DOCUMENTS).returning(_DOCUMENTS.c.id), _DOCUMENTS,
    _DOCUMENT_COLUMNS)
# A document whose text is already stored is skipped by the database itself (no separate
# existence check, and two processes importing the same text cannot both store it).
_INSERT_NEW_DOCUMENT = PreparedInserts(
    lambda dialect: _dialect_insert(dialect)(_DOCUMENTS)
    .on_conflict_do_nothing(index_elements=["content_hash"]).returning(_DOCUMENTS.c.id),
    _DOCUMENTS, _DOCUMENT_COLUMNS)
_INSERT_SENTENCES = PreparedInserts(lambda _dialect: insert(Sentence.__table__),
                                    Sentence.__table__, _SENTENCE_COLUMNS)


Segmenter = Callable[[str], Sequence[SentenceSpan]]


class DocumentWriter:
    """Stores documents over one held connection, one transaction per document."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, document: NewDocument, segment: Segmenter) -> tuple[int | None, int]:
        """Store a document and its sentences; returns (new id, sentence count).

        The id is ``None`` when the same text is already stored: a re-import adds
        nothing, and ``segment`` is only called for new text.
        """
        statement = _INSERT_NEW_DOCUMENT.on(self.connection)
        with self.connection.begin():
            document_id = statement.scalar(self.connection, _document_values(document))
            if document_id is None:
                return None, 0
            spans = segment(document.text)
            _insert_sentences(self.connection, int(document_id), document.text, spans)
            return int(document_id), len(spans)


@contextmanager
def document_writer(database: Database) -> Iterator[DocumentWriter]:
    """A :class:`DocumentWriter` for a bulk import."""
    with database.engine.connect() as connection:
        yield DocumentWriter(connection)


def add_document(
    database: Database, document: NewDocument, sentences: Sequence[SentenceSpan]
) -> int | None:
    """Store one document with the given sentence spans in one transaction.

    Returns the new document id, or ``None`` when the same text is already stored.
    """
    with document_writer(database) as writer:
        document_id, _ = writer.add(document, lambda _text: sentences)
    return document_id


def insert_document_rows(
    connection: Connection, document: NewDocument, sentences: Sequence[SentenceSpan]
) -> int:
    """Insert a document and its sentences in the caller's transaction; returns its id."""
    _check_spans(document.text, sentences)
    document_id = int(_INSERT_DOCUMENT.on(connection).scalar(connection,
                                                            _document_values(document)))
    _insert_sentences(connection, document_id, document.text, sentences)
    return document_id


def _check_spans(text: str, sentences: Sequence[SentenceSpan]) -> None:
    length = len(text)
    for span in sentences:
        if not 0 <= span.start < span.end <= length:
            raise ValueError(f"sentence span {span.start}:{span.end} is outside the text")


def _insert_sentences(
    connection: Connection, document_id: int, text: str, sentences: Sequence[SentenceSpan]
) -> None:
    _check_spans(text, sentences)
    _INSERT_SENTENCES.on(connection).many(connection, [
        (document_id, index, span.start, span.end, text[span.start : span.end])
        for index, span in enumerate(sentences)])


def _document_values(document: NewDocument) -> tuple[Any, ...]:
    return (document.title, document.origin, document.external_id, document.text,
            document.content_hash, document.meta, utcnow())


def iter_sentences(
    database: Database, document_ids: Iterable[int] | None = None
) -> Iterator[SentenceRow]:
    """Stream sentences in document and sentence order without loading them all."""
    query = (
        select(
            Sentence.document_id, Document.title, Sentence.index,
            Sentence.start, Sentence.end, Sentence.text,
        )
        .join(Document, Document.id == Sentence.document_id)
        .order_by(Sentence.document_id, Sentence.index)
    )
    ids = list(document_ids) if document_ids is not None else None
    if ids is not None:
        query = query.where(Sentence.document_id.in_(ids))
    with database.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        for row in result.execute(query):
            yield SentenceRow(*row)


def missing_document_ids(database: Database, document_ids: Iterable[int]) -> list[int]:
    """The ids among ``document_ids`` that name no stored document."""
    wanted = sorted(set(document_ids))
    if not wanted:
        return []
    with database.engine.connect() as connection:
        found = set(connection.scalars(select(Document.id).where(Document.id.in_(wanted))))
    return [document_id for document_id in wanted if document_id not in found]


def count_documents(database: Database) -> int:
    """How many documents are stored."""
    with database.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Document)) or 0)
