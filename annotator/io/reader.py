"""Reading import inputs (text, Markdown, JSONL, CSV, folders) into raw documents.

Every input yields either :class:`RawDocument` or :class:`ReadProblem`, so one
bad file or line is reported and skipped while the rest still import. Files
are streamed: a JSONL or CSV corpus is never held in memory whole. A JSONL line
with an ``annotations`` list is in the native format and yields a
:class:`NativeDocument` carrying its annotations and links.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.io.interchange import is_native, is_registry, parse_native, parse_registry
from annotator.io.textfile import (
    MAX_DOCUMENT_CHARS,
    TOO_LARGE_HINT,
    InputError,
    decode_text,
    prepare_text,
)
from annotator.text.bounds import (
    JSON_DEPTH_MAX,
    JSON_HOOKS,
    BoundsError,
    check_string,
    json_problem,
)
from db.document_records import DocumentRecord, SourceRecord

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
CSV_SUFFIXES = {".csv"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | JSONL_SUFFIXES | CSV_SUFFIXES
HEADLINE_MAX = 200
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_SENTENCE_END = (".", "!", "?", "…", "\u201d", '"', ":")

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class RawDocument:
    """A document as read from its input, text already normalized."""

    title: str
    text: str
    origin: str
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NativeDocument:
    """A native JSONL line: a document with its annotations; ``where`` is "FILE:LINE"."""

    where: str
    record: DocumentRecord


@dataclass(frozen=True)
class NativeRegistry:
    """A native registry line: a source or an annotator (a name) no annotation uses."""

    where: str
    entry: SourceRecord | str


@dataclass(frozen=True)
class ReadProblem:
    """Something that could not be read; ``where`` names the file (and line)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def display_path(path: Path) -> str:
    """A path as the user can recognise it; newlines and control characters made visible."""
    return repr(str(path))[1:-1] if not str(path).isprintable() else str(path)


def expand_inputs(paths: Iterable[Path]) -> Iterator[Path | ReadProblem]:
    """Files to import, in a stable order: folders are walked recursively.

    A path or folder that cannot be looked at (no permission) is a problem naming it,
    never a traceback and never silently left out.
    """
    for path in paths:
        name = display_path(path)
        try:
            yield from _expand_one(path, name)
        except OSError as error:
            yield ReadProblem(name, f"cannot read: {error.strerror or error}")


def _expand_one(path: Path, name: str) -> Iterator[Path | ReadProblem]:
    if path.is_dir():
        unreadable: list[OSError] = []
        found = sorted(_files_under(path, unreadable))
        for error in unreadable:
            where = display_path(Path(error.filename)) if error.filename else name
            yield ReadProblem(where, f"cannot read folder: {error.strerror or error}")
        if not found and not unreadable:
            yield ReadProblem(name, "folder holds no .txt, .md, .jsonl or .csv files")
        yield from found
    elif path.is_file():
        if path.suffix.lower() in SUPPORTED:
            yield path
        else:
            suffix = path.suffix or "no extension"
            yield ReadProblem(
                name, f"unsupported file type ({suffix}); expected .txt, .md, .jsonl or .csv"
            )
    elif path.exists():
        yield ReadProblem(name, "not a regular file")
    else:
        yield ReadProblem(name, "no such file or folder")


def _files_under(folder: Path, unreadable: list[OSError]) -> Iterator[Path]:
    """Supported files below ``folder`` (hidden ones skipped); folders that cannot be
    listed are added to ``unreadable``."""
    for root, folders, files in os.walk(folder, onerror=unreadable.append):
        folders[:] = [child for child in folders if not child.startswith(".")]
        for file in files:
            candidate = Path(root, file)
            if not file.startswith(".") and candidate.suffix.lower() in SUPPORTED \
                    and candidate.is_file():
                yield candidate


def read_documents(
    path: Path,
) -> Iterator[RawDocument | NativeDocument | NativeRegistry | ReadProblem]:
    """The documents in one file, by its type."""
    suffix = path.suffix.lower()
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as lone surrogates
        # The name becomes the origin (and maybe the title); no database can store it.
        yield ReadProblem(display_path(path), "file name is not valid UTF-8; rename the file "
                                              "to import it")
        return
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl(path)
        elif suffix in CSV_SUFFIXES:
            yield from _read_csv(path)
        else:
            yield _read_plain(path, markdown=suffix in MARKDOWN_SUFFIXES)
    except InputError as error:
        yield ReadProblem(display_path(path), str(error))
    except OSError as error:
        yield ReadProblem(display_path(path), error.strerror or str(error))


def _read_plain(path: Path, *, markdown: bool) -> RawDocument:
    size = path.stat().st_size
    if size > 4 * MAX_DOCUMENT_CHARS:  # more characters than allowed even at 4 bytes each
        raise InputError(f"file too large for one document ({size:,} bytes; at most "
                         f"{MAX_DOCUMENT_CHARS:,} characters per document): {TOO_LARGE_HINT}")
    text = prepare_text(decode_text(path.read_bytes()))
    return RawDocument(title=guess_title(text, path.stem, markdown=markdown), text=text,
                       origin=str(path))


def guess_title(text: str, fallback: str, *, markdown: bool = False) -> str:
    """A title for a plain article: a Markdown heading, a headline line, or the file name.

    A first line counts as a headline when it is short and does not end like a
    sentence; otherwise it is body text and the file name is the better title.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if markdown:
        for line in lines:
            heading = _MD_HEADING.match(line)
            if heading:
                return heading.group(1)
    first = lines[0] if lines else ""
    if first and len(first) <= HEADLINE_MAX and not first.endswith(_SENTENCE_END):
        return first.lstrip("#").strip() or fallback
    return fallback


def _read_jsonl(
    path: Path,
) -> Iterator[RawDocument | NativeDocument | NativeRegistry | ReadProblem]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{display_path(path)}:{number}"
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                yield _jsonl_document(_json_line(decode_text(raw)), path, number)
            except json.JSONDecodeError as error:
                yield ReadProblem(where, f"invalid JSON ({error.msg} at column {error.colno})")
            except (InputError, BoundsError) as error:
                yield ReadProblem(where, str(error))


def _json_line(line: str) -> Any:
    """One decoded JSONL line; :class:`InputError` for anything that could not be stored
    the same on both engines or written back as valid JSON (see annotator/text/bounds.py)."""
    try:
        record = json.loads(line, **JSON_HOOKS)
    except RecursionError:
        raise InputError(f"nested more than {JSON_DEPTH_MAX} levels deep") from None
    problem = json_problem(record, skip=frozenset({"text"}))
    if problem is not None:
        raise InputError(problem)
    return record


def _jsonl_document(
    record: Any, path: Path, number: int
) -> RawDocument | NativeDocument | NativeRegistry:
    if is_registry(record):
        return NativeRegistry(f"{display_path(path)}:{number}", parse_registry(record))
    if not isinstance(record, dict):
        raise InputError("each line must be a JSON object with a \"text\" field")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError("missing or non-string \"text\" field")
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise InputError("\"meta\" must be a JSON object")
    external_id = record.get("id")
    url = record.get("url")
    text = prepare_text(text)
    fallback = str(external_id) if external_id is not None else f"{path.stem}:{number}"
    title = record.get("title")
    document = RawDocument(
        title=str(title) if title else guess_title(text, fallback),
        text=text,
        origin=str(url) if url else f"{path}:{number}",
        external_id=str(external_id) if external_id is not None else None,
        meta=meta,
    )
    if is_native(record):
        return NativeDocument(
            f"{display_path(path)}:{number}",
            parse_native(record, title=document.title, origin=document.origin,
                         external_id=document.external_id, meta=document.meta),
        )
    return document


_CSV_KNOWN = {"text", "title", "id", "url"}


def _read_csv(path: Path) -> Iterator[RawDocument | ReadProblem]:
    """One document per row. A row whose cells do not match the header, a header naming a
    column twice and an unterminated quote are errors naming the line, never guessed at:
    a silently dropped or merged cell is a silently wrong document."""
    name = display_path(path)
    line = 1  # where the row being read starts (a quoted cell may span several lines)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            # strict: a quote left open at the end of the file is an error, not one huge cell.
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None or "text" not in header:
                yield ReadProblem(name, "CSV has no \"text\" column")
                return
            twice = next((column for column in header if header.count(column) > 1), None)
            if twice is not None:
                yield ReadProblem(f"{name}:1", f"the header names column {twice!r} twice")
                return
            line = reader.line_num + 1
            number = 0
            for cells in reader:
                where, line = f"{name}:{line}", reader.line_num + 1
                if not cells:
                    continue  # a blank line between rows
                number += 1
                if len(cells) != len(header):
                    counted = f"{len(cells)} cell{'s' * (len(cells) != 1)}"
                    yield ReadProblem(where, f"row has {counted} but the header has "
                                             f"{len(header)}")
                    continue
                try:
                    yield _csv_document(dict(zip(header, cells, strict=True)), path, number)
                except (InputError, BoundsError) as error:
                    yield ReadProblem(f"{name} row {number}", str(error))
    except UnicodeDecodeError as error:
        yield ReadProblem(name, f"not valid UTF-8 (byte 0x{error.object[error.start]:02x})")
    except csv.Error as error:
        if str(error) == "unexpected end of data":
            yield ReadProblem(f"{name}:{line}", "unterminated quote: the quoted cell that "
                                                "starts in this row never ends")
        else:
            # The reader's line number points at the damage even when rows span lines.
            yield ReadProblem(f"{name}:{reader.line_num}", f"malformed CSV ({error})")


def _csv_document(row: dict[str, str], path: Path, line: int) -> RawDocument:
    text = prepare_text(row.get("text") or "")
    for column, value in row.items():
        if column != "text":  # the text reports its own offsets (prepare_text)
            check_string(value, f"column {column!r}")
    external_id = row.get("id") or None
    meta = {
        key: value for key, value in row.items()
        if key not in _CSV_KNOWN and value != ""
    }
    fallback = external_id or f"{path.stem} row {line}"
    return RawDocument(
        title=row.get("title") or guess_title(text, fallback),
        text=text,
        origin=row.get("url") or f"{path} row {line}",
        external_id=external_id,
        meta=meta,
    )
