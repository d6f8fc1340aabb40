"""The native JSONL format in tests: a whole database exported and parsed back, compared
without ids, emptied, written as lines, and checked for exact offsets."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from annotator.io.interchange import write_documents
from db.document_records import iter_document_records
from db.engine import Database
from db.filters import AnnotationFilter
from db.models import (
    Annotation,
    Annotator,
    ChangeLogEntry,
    Document,
    Link,
    Sentence,
    Source,
    SourceAlias,
)


def export_native(database: Database) -> list[dict[str, Any]]:
    """The whole database in the native format, parsed back."""
    out = io.StringIO()
    write_documents(out, iter_document_records(database, AnnotationFilter()), "jsonl")
    # split("\n"), not splitlines(): texts may hold U+2028 and other line separators.
    return [json.loads(line) for line in out.getvalue().split("\n") if line]


def canonical(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents with annotation ids replaced by what identifies an annotation, in a fixed order.

    Export -> import -> export must give the same content, ids aside.
    """
    result = []
    for document in documents:
        names = {a["id"]: (a["annotator"], a["label"], a["start"], a["end"])
                 for a in document["annotations"]}
        annotations = sorted(
            ({k: v for k, v in a.items() if k != "id"} for a in document["annotations"]),
            key=lambda a: (a["annotator"], a["label"], a["start"], a["end"]),
        )
        links = sorted((names[link["from"]], names[link["to"]], link["type"])
                       for link in document["links"])
        sources = sorted(({**s, "aliases": sorted(s["aliases"])}
                          for s in document.get("sources", [])),
                         key=lambda s: s["name"])
        # A document without an id of its own ("external_id": null) is named by its database
        # id, which a new database need not repeat, like an annotation's.
        own = {k: v for k, v in document.items()
               if not (k == "id" and "external_id" in document)}
        result.append({**own, "annotations": annotations, "links": links,
                       "sources": sources})
    return sorted(result, key=lambda d: d["text"])


def wipe(database: Database) -> None:
    """Empty every table (Hypothesis reuses one database across examples)."""
    with database.transaction() as session:
        for model in (ChangeLogEntry, Link, Annotation, Sentence, Document, SourceAlias, Source,
                      Annotator):
            session.execute(delete(model))


def write_lines(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents),
                    encoding="utf-8")
    return path


def assert_offsets(database: Database) -> None:
    """Every stored span agrees with its sentence and its document."""
    with database.sessions() as session:
        rows = session.execute(
            select(Annotation, Sentence.text, Document.text)
            .join(Sentence, Sentence.id == Annotation.sentence_id)
            .join(Document, Document.id == Annotation.document_id)
        ).all()
        for annotation, sentence, document in rows:
            assert sentence[annotation.start : annotation.end] == annotation.text
            assert document[annotation.doc_start : annotation.doc_end] == annotation.text
