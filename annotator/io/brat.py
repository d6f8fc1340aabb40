"""brat standoff export: one folder per annotator, ``ANNOTATOR/ID.txt`` and ``ANNOTATOR/ID.ann``
per document that annotator annotated, and an ``annotation.conf`` in each folder.

brat shows one set of annotations per document, so each annotator's layer (and the gold
layer) is a folder of its own, named after the annotator; a link is written when it counts
(both ends accepted). brat counts offsets in characters of the ``.txt`` file read as UTF-8,
which are the code points our offsets count, so spans carry over unchanged. Each
annotation's annotator, canonical source and figure go into an AnnotatorNotes line; its
status is a brat attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.io.export import plain_number
from annotator.io.layers import layers
from annotator.io.output import OutputError, write_text_atomically
from db.document_records import DocumentRecord, Key, SpanRecord
from db.models import LABELS, STATUSES

ANNOTATION_CONF = f"""# Written by annotator: the labels, links and statuses it exports.
[entities]
{chr(10).join(LABELS)}

[relations]
attributed_to Arg1:claim, Arg2:source
supports Arg1:figure, Arg2:claim
# Claims contain figures and sources may sit inside claims: allow every overlap.
<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>

[events]

[attributes]
Status Arg:<ENTITY>, Value:{"|".join(STATUSES)}
"""


# Every character at which a line-oriented reader (Python's str.splitlines, many
# editors and tools) ends a line: LF, CR, VT, FF, FS, GS, RS, NEL, LINE and PARAGRAPH SEPARATOR.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_UNBROKEN = re.compile(f"[^{LINE_BREAKS}]+")


class BratSpanError(OutputError):
    """A span brat's format cannot hold: nothing but line breaks."""


def text_bound(span: SpanRecord) -> tuple[str, str]:
    """The offsets field and the text field of a span's ``T`` line.

    brat's ``.ann`` is line-oriented and has no escape for a line break, so a span that
    holds one is written as brat writes a span across lines: as discontinuous fragments
    (``0 5;6 10``) around the breaks, the text field being the fragments joined by a
    space. Every offset stays the document's own; the ``.txt`` is unchanged.
    """
    fragments = [(span.doc_start + match.start(), span.doc_start + match.end())
                 for match in _UNBROKEN.finditer(span.text)]
    if not fragments:
        raise BratSpanError(f"cannot write span {span.key!r} ({span.doc_start}:{span.doc_end}) "
                            "in brat: it holds only line breaks")
    offsets = ";".join(f"{start} {end}" for start, end in fragments)
    text = " ".join(span.text[start - span.doc_start:end - span.doc_start]
                    for start, end in fragments)
    return offsets, text


def _note(span: SpanRecord, source_type: str | None) -> str:
    parts = [f"annotator: {span.annotator}"]
    if span.source is not None:
        parts.append(f"source: {span.source}" + (f" ({source_type})" if source_type else ""))
    if span.figure is not None and span.figure.value is not None:
        figure = str(plain_number(span.figure.value))
        if span.figure.unit:
            figure += f" {span.figure.unit}"
        if span.figure.qualifier:
            figure += f" [{span.figure.qualifier}]"
        parts.append(f"figure: {figure}")
    # A note is one line: flatten any line break or tab a name might hold.
    return " ".join("; ".join(parts).split())


def ann_lines(record: DocumentRecord) -> Iterator[str]:
    """The lines of a document's ``.ann`` file: T (spans), A (status), R (links), # (notes)."""
    types = {source.name: source.source_type for source in record.sources}
    names: dict[Key, str] = {}
    for number, span in enumerate(record.annotations, start=1):
        names[span.key] = f"T{number}"
        try:
            offsets, text = text_bound(span)
        except BratSpanError as error:
            raise BratSpanError(f"document {record.document_id}: {error}") from None
        yield f"T{number}\t{span.label} {offsets}\t{text}"
    for number, span in enumerate(record.annotations, start=1):
        yield f"A{number}\tStatus {names[span.key]} {span.status}"
    for number, link in enumerate(record.links, start=1):
        yield f"R{number}\t{link.type} Arg1:{names[link.from_key]} Arg2:{names[link.to_key]}"
    for number, span in enumerate(record.annotations, start=1):
        yield f"#{number}\tAnnotatorNotes {names[span.key]}\t{_note(span, types.get(span.source))}"


def layer_folder(name: str) -> str:
    """The folder name of an annotator's layer: the name itself when it is a plain file name,
    else the name with every character a file name cannot hold as ``_`` and a ``~`` before
    a leading dot (``.`` and ``..`` are never folders of the export)."""
    folder = _UNSAFE_IN_NAME.sub("_", name)
    if folder.startswith("."):
        folder = "~" + folder
    return folder


_UNSAFE_IN_NAME = re.compile(r"[/\\\x00-\x1f\x7f:*?\"<>|]")


def folders_for(annotators: tuple[str, ...]) -> dict[str, str]:
    """Each annotator's folder name; refuses two annotators whose names give one folder."""
    folders: dict[str, str] = {}
    for name in annotators:
        folder = layer_folder(name)
        other = next((known for known, used in folders.items() if used.lower() == folder.lower()),
                     None)
        if other is not None:
            raise OutputError(f"annotators {other!r} and {name!r} would share brat folder "
                              f"{folder!r}: export them one at a time with --annotator")
        folders[name] = folder
    return folders


def _prepare(folder: Path) -> None:
    """Check ``folder`` can be written (never through a link) and create it if missing."""
    if folder.is_symlink():
        raise OutputError(f"cannot write {folder}: it is a symbolic link, and export never "
                          "writes through one")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write {folder}: it is a file, and brat needs a folder")
    if not folder.parent.is_dir():
        raise OutputError(f"cannot write {folder}: folder {folder.parent} does not exist")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot write {folder}: {error.strerror or error}") from None


def write_brat(folder: Path, records: Iterable[DocumentRecord], *,
               annotators: tuple[str, ...] = (), force: bool = False,
               protect: Iterable[Path] = ()) -> int:
    """Write each annotator's layer into ``folder/ANNOTATOR`` (created if missing); returns
    the number of documents written (a document counts once per annotator).

    With no ``annotators`` (nothing annotated) the documents' texts go into ``folder`` itself
    with empty ``.ann`` files. Files are named by database document id; with ``force``,
    existing regular files of the same name are replaced (never a link, a special file or one
    of ``protect``: see :mod:`annotator.io.output`); without it an existing file is refused.
    """
    folders = folders_for(annotators)
    _prepare(folder)
    for name in annotators:
        _prepare(folder / folders[name])
    guarded = tuple(protect)

    def write(where: Path, name: str, text: str) -> None:
        write_text_atomically(where / name, text, force=force, protect=guarded)

    targets = [folder / folders[name] for name in annotators] or [folder]
    for target in targets:
        write(target, "annotation.conf", ANNOTATION_CONF)
    count = 0
    for name, record in layers(records, annotators):
        target = folder if name is None else folder / folders[name]
        stem = str(record.document_id)
        write(target, f"{stem}.txt", record.text)
        lines = list(ann_lines(record))
        write(target, f"{stem}.ann", "".join(line + "\n" for line in lines))
        count += 1
    return count
