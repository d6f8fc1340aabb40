"""Exporting stored data as CSV or JSONL, streamed row by row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from annotator.csv_safety import neutralize
from db.documents import SentenceRow

SENTENCE_COLUMNS = ("document_id", "document_title", "sentence_index", "start", "end", "text")
Cell = str | int | float | None


def sentence_records(rows: Iterable[SentenceRow]) -> Iterator[tuple[Cell, ...]]:
    """Sentence rows as tuples in :data:`SENTENCE_COLUMNS` order."""
    for row in rows:
        yield (row.document_id, row.document_title, row.index, row.start, row.end, row.text)


def write_csv(
    out: TextIO,
    columns: tuple[str, ...],
    records: Iterable[tuple[Cell, ...]],
    *,
    safe: bool = True,
) -> int:
    """Write an RFC 4180 CSV (CRLF line ends); returns the number of data rows.

    With ``safe`` (the default) text cells that a spreadsheet would evaluate as
    a formula are neutralized; numbers are written as numbers.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for record in records:
        if safe:
            record = tuple(neutralize(cell) if isinstance(cell, str) else cell for cell in record)
        writer.writerow(record)
        count += 1
    return count


def write_jsonl(out: TextIO, columns: tuple[str, ...], records: Iterable[tuple[Cell, ...]]) -> int:
    """Write one JSON object per record, text unaltered; returns the number of rows."""
    count = 0
    for record in records:
        out.write(json.dumps(dict(zip(columns, record, strict=True)), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
