"""Exporting stored data as tables (CSV or JSONL), streamed row by row.

Views: ``sentences`` (one row per sentence), ``spans`` (one per annotation),
``claims`` (one per claim, with its source and supporting figures), ``figures`` (one per
figure supporting a claim, typed value columns) and ``sources`` (one per canonical source).
A link (claim to source span, figure to claim) shows only when it counts: both its ends
accepted, and its other end in the same export (see :mod:`db.export_rows`).
Whole-document formats live in :mod:`annotator.io.interchange` and :mod:`annotator.io.brat`.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TextIO

from annotator.io.csv_safety import FORMULA_START, neutralize
from annotator.io.output import OutputError
from annotator.text.figures import format_figure
from db.documents import SentenceRow, iter_sentences
from db.engine import Database
from db.export_rows import (
    ClaimRow,
    FigureCell,
    FigureRow,
    SourceRow,
    SpanRow,
    iter_claim_rows,
    iter_figure_rows,
    iter_source_rows,
    iter_span_rows,
)
from db.filters import AnnotationFilter

# Sentence numbers are 1-based everywhere (as the screens, `g` and review show them);
# offsets are 0-based code point indices, as in Python.
SENTENCE_COLUMNS = ("document_id", "document_title", "sentence_number", "start", "end", "text")
SPAN_COLUMNS = (
    "annotation_id", "document_id", "document_title", "sentence_number", "sentence", "label",
    "text", "start", "end", "doc_start", "doc_end", "attribution", "source_id", "source_name",
    "source_type", "attributed_to", "figure_value", "figure_unit", "figure_qualifier",
    "annotator", "status", "origin", "created_at", "updated_at",
    "cue_start", "cue_end", "cue_text",
)
CLAIM_COLUMNS = (
    "claim_id", "document_id", "document_title", "sentence_number", "start", "end",
    "doc_start", "doc_end", "claim_text", "annotator", "status", "attribution", "source_id",
    "source_name", "source_type", "source_span_id", "source_text", "figures",
)
FIGURE_COLUMNS = (
    "claim_id", "figure_id", "document_id", "sentence_number", "start", "end", "doc_start",
    "doc_end", "text", "value", "value_max", "unit", "qualifier", "annotator", "status",
)
SOURCE_COLUMNS = ("source_id", "name", "source_type", "aliases", "claims", "mentions")
# Several figures or aliases share one cell, joined by this.
LIST_SEPARATOR = "; "
Cell = str | int | float | None
# Formats that write each annotation's status (the native JSONL, brat) keep every status,
# so a backup holds rejected suggestions too; everything else (the analysis tables,
# Prodigy, doccano) holds accepted annotations only unless --status asks for others.
STATUS_CARRYING_FORMATS = ("jsonl", "brat")
DEFAULT_STATUSES = ("accepted",)
Record = tuple[Cell, ...]


def sentence_records(rows: Iterable[SentenceRow]) -> Iterator[Record]:
    """Sentence rows as tuples in :data:`SENTENCE_COLUMNS` order."""
    for row in rows:
        yield (row.document_id, row.document_title, row.index + 1, row.start, row.end,
               row.text)


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands back naive datetimes, which are UTC by construction."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"  # what .replace(tzinfo=UTC) would print, faster
    return value.astimezone(UTC).isoformat()


_NO_FIGURE = (None, None, None)  # the figure cells of a span without a figure


def span_records(rows: Iterable[SpanRow]) -> Iterator[Record]:
    """Annotation rows as tuples in :data:`SPAN_COLUMNS` order."""
    for r in rows:
        figure = r.figure
        cells = _NO_FIGURE if figure is None else (figure.value, figure.unit, figure.qualifier)
        yield (
            r.annotation_id, r.document_id, r.document_title, r.sentence_number, r.sentence,
            r.label, r.text, r.start, r.end, r.doc_start, r.doc_end, r.attribution,
            r.source_id, r.source_name, r.source_type, r.attributed_to,
            cells[0], cells[1], cells[2],
            r.annotator, r.status, r.origin, timestamp(r.created_at), timestamp(r.updated_at),
            r.cue_start, r.cue_end, r.cue_text,
        )


def figure_text(figure: FigureCell) -> str:
    """A supporting figure as :func:`annotator.text.figures.format_figure` renders it.

    A figure whose value was never set is shown by its text, which says more than nothing.
    """
    if figure.figure is None or figure.figure.value is None:
        return figure.text
    return format_figure(figure.figure)


def claim_records(rows: Iterable[ClaimRow]) -> Iterator[Record]:
    """Claim rows as tuples in :data:`CLAIM_COLUMNS` order."""
    for r in rows:
        figures = LIST_SEPARATOR.join(figure_text(figure) for figure in r.figures)
        yield (
            r.claim_id, r.document_id, r.document_title, r.sentence_number, r.start, r.end,
            r.doc_start, r.doc_end, r.claim_text, r.annotator, r.status, r.attribution,
            r.source_id, r.source_name, r.source_type, r.source_span_id, r.source_text,
            figures,
        )


def figure_records(rows: Iterable[FigureRow]) -> Iterator[Record]:
    """(claim, figure) rows as tuples in :data:`FIGURE_COLUMNS` order: typed value columns."""
    for r in rows:
        figure = r.figure
        value = None if figure is None else figure.value
        value_max = None if figure is None else figure.value_max
        unit = None if figure is None else figure.unit
        qualifier = None if figure is None else figure.qualifier
        yield (
            r.claim_id, r.figure_id, r.document_id, r.sentence_number, r.start, r.end,
            r.doc_start, r.doc_end, r.text, value, value_max, unit, qualifier, r.annotator,
            r.status,
        )


def source_records(rows: Iterable[SourceRow]) -> Iterator[Record]:
    """Source rows as tuples in :data:`SOURCE_COLUMNS` order."""
    for r in rows:
        yield (r.source_id, r.name, r.source_type, LIST_SEPARATOR.join(r.aliases), r.claims,
               r.mentions)


def table(
    database: Database, view: str, selection: AnnotationFilter
) -> tuple[tuple[str, ...], Iterator[Record]]:
    """The columns and streamed records of a table view."""
    if view == "sentences":
        rows = iter_sentences(database, selection.document_ids or None)
        return SENTENCE_COLUMNS, sentence_records(rows)
    if view == "spans":
        return SPAN_COLUMNS, span_records(iter_span_rows(database, selection))
    if view == "claims":
        return CLAIM_COLUMNS, claim_records(iter_claim_rows(database, selection))
    if view == "figures":
        return FIGURE_COLUMNS, figure_records(iter_figure_rows(database, selection))
    if view == "sources":
        return SOURCE_COLUMNS, source_records(iter_source_rows(database, selection))
    raise ValueError(f"unknown view {view!r}")


def plain_number(value: float) -> int | float:
    """An integral float as an int (4200000000, not 4200000000.0); others unchanged."""
    if math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def write_csv(
    out: TextIO,
    columns: tuple[str, ...],
    records: Iterable[Record],
    *,
    safe: bool = True,
) -> int:
    """Write an RFC 4180 CSV (CRLF line ends); returns the number of data rows.

    With ``safe`` (the default) text cells that a spreadsheet would evaluate as
    a formula are neutralized; numbers are written as numbers.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    # Only a cell starting with one of these can need neutralizing; checking the first
    # character inline spares a call per cell, which is most of the cost at a million rows.
    risky = FORMULA_START if safe else ()
    count = 0
    for record in records:
        cells = [
            (neutralize(cell) if cell[:1] in risky else cell) if type(cell) is str
            else repr(plain_number(cell)) if type(cell) is float
            else cell
            for cell in record
        ]
        writer.writerow(cells)
        count += 1
    return count


@contextmanager
def closing_stream(records: Iterable[object]) -> Iterator[None]:
    """Close a streamed query (a generator holding a cursor) as soon as writing stops, even
    when it stops early, while its connection is still open."""
    try:
        yield
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


def json_line(value: object, where: str) -> str:
    """``value`` as one line of valid JSON: NaN or Infinity (which JSON has no spelling for,
    and a database written by an older version may hold) stop the export in one line."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError:
        raise OutputError(f"{where} holds NaN or Infinity, which JSON cannot hold; "
                          "nothing more was written") from None


def write_jsonl(out: TextIO, columns: tuple[str, ...], records: Iterable[Record]) -> int:
    """Write one JSON object per record, text unaltered; returns the number of rows."""
    count = 0
    with closing_stream(records):
        for record in records:
            values = [plain_number(cell) if isinstance(cell, float) else cell for cell in record]
            out.write(json_line(dict(zip(columns, values, strict=True)), f"row {count + 1}"))
            count += 1
    return count


def export_statuses(view: str, fmt: str, statuses: tuple[str, ...]) -> tuple[str, ...]:
    """The statuses an export keeps: those asked for, else accepted only, except for the
    document formats that carry each span's status (every status; ``()`` means all)."""
    if statuses:
        return statuses
    if view == "documents" and fmt in STATUS_CARRYING_FORMATS:
        return ()
    return DEFAULT_STATUSES
