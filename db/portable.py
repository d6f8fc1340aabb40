"""What a stored value may hold so that both engines store it unchanged: the one owner of
the rule, for values typed or imported (annotator/text/bounds.py words it per field) and
for rows that are already stored.

SQLite stores a NUL character in text and a string of any length in a ``VARCHAR(n)``
column; PostgreSQL refuses both (and NaN in JSON). A file written by an earlier version,
before the boundaries checked, may hold such values; ``annotator copy`` and ``annotator
merge`` read them here, and refuse them in one line naming the table, the row and the
field, instead of a driver's traceback halfway through the write.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Integer, String, Table

from db.models import Annotation, Annotator, Source, SourceAlias

if TYPE_CHECKING:  # records only annotate here; bounds.py imports this module on every start
    from db.document_records import DocumentRecord, SourceRecord

ANNOTATOR_NAME_MAX = Annotator.__table__.c.name.type.length
# Long values are quoted shortened in messages: the field and the offset say where.
_QUOTED = 40
# An INTEGER column holds 32 bits on PostgreSQL; SQLite's holds 64.
INTEGER_MAX = 2**31 - 1


def string_problem(value: str, limit: int | None = None) -> str | None:
    """Why ``value`` cannot be stored unchanged on both engines (a NUL character, an
    unpaired surrogate, more than ``limit`` characters), or ``None``. The words follow the
    field's name: ``"contains a NUL character at offset 3"``."""
    nul = value.find("\x00")
    if nul != -1:
        return f"contains a NUL character at offset {nul}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"contains an unpaired surrogate at offset {error.start}"
    if limit is not None and len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit:,}"
    return None


def quoted(value: str) -> str:
    """``value`` as a message quotes it: ``repr``, cut to 40 characters (a NUL shows as
    ``\\x00``; the one verbatim rendering makes every other control visible)."""
    return repr(value if len(value) <= _QUOTED else value[:_QUOTED] + "…")


def json_problem(value: Any, where: str) -> str | None:
    """The first string (or key) in decoded JSON ``value`` that cannot be stored unchanged,
    or non-finite number (which PostgreSQL's JSON refuses), as ``"WHERE.PATH what"``."""
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if (problem := string_problem(item)) is not None:
                return f"{path} {problem}"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{path} is {item}, which JSON cannot hold"
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                stack.append((f"{path}.{key}", child))
                if isinstance(key, str) and (problem := string_problem(key)) is not None:
                    return f"{path} key {quoted(key)} {problem}"
        elif isinstance(item, list | tuple):
            stack.extend((f"{path}[{index}]", child)
                         for index, child in reversed(list(enumerate(item, start=1))))
    return None


# --- rows as stored (annotator copy) ------------------------------------------------------------


def row_problems(table: Table, row: dict[str, Any]) -> Iterator[str]:
    """Each value of ``row`` (a row of ``table``) that the other engine would not store
    unchanged, as ``"TABLE KEY VALUE: COLUMN what"`` (``documents id 3: title contains a
    NUL character at offset 5``)."""
    key = " ".join(f"{column.name} {row[column.name]}" for column in table.primary_key.columns)
    for column in table.columns:
        value = row.get(column.name)
        if value is None:
            continue
        problem = None
        if isinstance(column.type, JSON):
            problem = json_problem(value, column.name)
        elif isinstance(column.type, String) and isinstance(value, str):
            found = string_problem(value, column.type.length)
            problem = None if found is None else f"{column.name} {found}"
        elif (isinstance(column.type, Integer) and isinstance(value, int)
              and abs(value) > INTEGER_MAX):
            problem = (f"{column.name} is {value:,}, past {INTEGER_MAX:,} (the largest "
                       "number PostgreSQL's INTEGER column holds)")
        if problem is not None:
            yield f"{table.name} {key}: {problem}"


# --- records read from another database (annotator merge) ---------------------------------------


def source_problem(source: SourceRecord) -> str | None:
    """Why a source of the registry cannot be stored unchanged, naming the field."""
    checks: list[tuple[str, str | None, int | None]] = [
        ("name", source.name, Source.__table__.c.name.type.length),
        ("type", source.source_type, Source.__table__.c.source_type.type.length),
        *(("alias", alias, SourceAlias.__table__.c.alias.type.length)
          for alias in source.aliases),
    ]
    for field, value, limit in checks:
        if value is not None and (problem := string_problem(value, limit)) is not None:
            return f"source {quoted(source.name)}: {field} {problem}"
    return None


def annotator_problem(name: str) -> str | None:
    """Why an annotator's name cannot be stored unchanged (at most 200 characters)."""
    problem = string_problem(name, ANNOTATOR_NAME_MAX)
    return None if problem is None else f"annotator {quoted(name)}: name {problem}"


def document_problem(record: DocumentRecord) -> str | None:
    """The first value of a document record (its title, text, metadata, sources, and each
    annotation's annotator, text, figure, note, reviewer and attributes) that cannot be
    stored unchanged on both engines, naming the field; ``None`` when all can."""
    for field, value in (("title", record.title), ("text", record.text),
                         ("origin", record.origin), ("external id", record.external_id)):
        if value is not None and (problem := string_problem(value)) is not None:
            return f"{field} {problem}"
    if (problem := json_problem(record.meta, "meta")) is not None:
        return problem
    for source in record.sources:
        if (problem := source_problem(source)) is not None:
            return problem
    columns = Annotation.__table__.c
    for span in record.annotations:
        which = (f"annotation {span.key} ({span.label} {span.doc_start}:{span.doc_end} "
                 f"{quoted(span.text)})")
        figure = span.figure
        checks: list[tuple[str, str | None, int | None]] = [
            ("annotator", span.annotator, ANNOTATOR_NAME_MAX),
            ("text", span.text, None),
            ("unit", None if figure is None else figure.unit, columns.figure_unit.type.length),
            ("qualifier", None if figure is None else figure.qualifier,
             columns.figure_qualifier.type.length),
            ("note", span.note, None),
            ("reviewed by", span.reviewed_by, ANNOTATOR_NAME_MAX),
        ]
        for field, value, limit in checks:
            if value is not None and (problem := string_problem(value, limit)) is not None:
                return f"{which}: {field} {problem}"
        if (problem := json_problem(span.attrs, "attrs")) is not None:
            return f"{which}: {problem}"
    return None
