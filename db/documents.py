"""Documents and sentences: storing imported articles and streaming them back out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import Document, Sentence

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


def _exists(connection: Connection, content_hash: str) -> bool:
    query = select(exists().where(Document.content_hash == content_hash))
    return bool(connection.execute(query).scalar())


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
        try:
            with self.connection.begin():
                if _exists(self.connection, document.content_hash):
                    return None, 0
                spans = segment(document.text)
                return insert_document_rows(self.connection, document, spans), len(spans)
        except IntegrityError:
            # Another process stored the same text between our check and insert.
            if _exists(self.connection, document.content_hash):
                self.connection.rollback()
                return None, 0
            raise


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
    for span in sentences:
        if not 0 <= span.start < span.end <= len(document.text):
            raise ValueError(f"sentence span {span.start}:{span.end} is outside the text")
    document_id = connection.execute(
        insert(Document).returning(Document.id), [_document_values(document)]
    ).scalar_one()
    if sentences:
        connection.execute(
            insert(Sentence),
            [
                {
                    "document_id": document_id,
                    "index": index,
                    "start": span.start,
                    "end": span.end,
                    "text": document.text[span.start : span.end],
                }
                for index, span in enumerate(sentences)
            ],
        )
    return int(document_id)


def _document_values(document: NewDocument) -> dict[str, Any]:
    return {
        "title": document.title,
        "origin": document.origin,
        "external_id": document.external_id,
        "text": document.text,
        "content_hash": document.content_hash,
        "meta": document.meta,
    }


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
