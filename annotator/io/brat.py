"""brat standoff export: ``ID.txt`` and ``ID.ann`` per document, and an ``annotation.conf``.

brat counts offsets in characters of the ``.txt`` file read as UTF-8, which
are the code points our offsets count, so spans carry over unchanged. Each
annotation's annotator, canonical source and figure go into an AnnotatorNotes
line; its status is a brat attribute.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.io.export import plain_number
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
        # Spans never cross a line (sentences do not), so the text field is one line.
        yield f"T{number}\t{span.label} {span.doc_start} {span.doc_end}\t{span.text}"
    for number, span in enumerate(record.annotations, start=1):
        yield f"A{number}\tStatus {names[span.key]} {span.status}"
    for number, link in enumerate(record.links, start=1):
        yield f"R{number}\t{link.type} Arg1:{names[link.from_key]} Arg2:{names[link.to_key]}"
    for number, span in enumerate(record.annotations, start=1):
        yield f"#{number}\tAnnotatorNotes {names[span.key]}\t{_note(span, types.get(span.source))}"


def write_brat(folder: Path, records: Iterable[DocumentRecord], *, force: bool = False,
               protect: Iterable[Path] = ()) -> int:
    """Write every document into ``folder`` (created if missing); returns the document count.

    Files are named by database document id; with ``force``, existing regular files of the
    same name are replaced (never a link, a special file or one of ``protect``: see
    :mod:`annotator.io.output`); without it an existing file is refused.
    """
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
    guarded = tuple(protect)

    def write(name: str, text: str) -> None:
        write_text_atomically(folder / name, text, force=force, protect=guarded)

    write("annotation.conf", ANNOTATION_CONF)
    count = 0
    for record in records:
        stem = str(record.document_id)
        write(f"{stem}.txt", record.text)
        lines = list(ann_lines(record))
        write(f"{stem}.ann", "".join(line + "\n" for line in lines))
        count += 1
    return count
