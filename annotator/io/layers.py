"""One annotator's layer of a document, for the formats meant for other tools.

Prodigy, doccano and brat have no notion of several annotators' spans in one document: one
document holding everyone's spans (and the gold layer's) reads as triplicated spans. These
exports therefore hold one layer per record (or brat folder), and a link only when it counts:
both its ends accepted and in the same layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from db.document_records import DocumentRecord, LinkRecord

# The annotator whose layer is the adjudicated one (db/adjudication.py names it so).
GOLD = "gold"


def counted_links(record: DocumentRecord) -> tuple[LinkRecord, ...]:
    """The record's links whose both ends it holds, both accepted."""
    accepted = {span.key for span in record.annotations if span.status == "accepted"}
    return tuple(link for link in record.links
                 if link.from_key in accepted and link.to_key in accepted)


def layer(record: DocumentRecord, annotator: str) -> DocumentRecord:
    """The record with only ``annotator``'s annotations, and the links that count among them."""
    spans = tuple(span for span in record.annotations if span.annotator == annotator)
    names = {span.source for span in spans if span.source is not None}
    mine = replace(record, annotations=spans,
                   sources=tuple(s for s in record.sources if s.name in names))
    return replace(mine, links=counted_links(mine))


def layers(
    records: Iterable[DocumentRecord], annotators: tuple[str, ...]
) -> Iterator[tuple[str | None, DocumentRecord]]:
    """Each document once per annotator of ``annotators`` with annotations in it, as
    (annotator, that annotator's layer); with no annotators, each document once, without
    annotations (the texts, for a tool to start from)."""
    for record in records:
        if not annotators:
            yield None, replace(record, annotations=(), links=(), sources=())
            continue
        present = {span.annotator for span in record.annotations}
        for name in annotators:
            if name in present:
                yield name, layer(record, name)


def choose_layers(found: Iterable[str], chosen: tuple[str, ...], *, every: bool,
                  fmt: str) -> tuple[str, ...]:
    """The annotators an export for another tool holds; raises ``ValueError`` (one line) when
    the annotations are by several and the user chose none.

    ``found`` are the annotators with annotations the export keeps; ``chosen`` those named
    with ``--annotator``; ``every`` is ``--all-annotators``.
    """
    if chosen:
        return tuple(dict.fromkeys(chosen))
    names = tuple(sorted(set(found)))
    if len(names) <= 1 or every:
        return names
    listed = ", ".join(names)
    gold = f" ({GOLD} is the adjudicated layer)" if GOLD in names else ""
    raise ValueError(
        f"these annotations are by {len(names)} annotators ({listed}) and --format {fmt} "
        f"holds one layer per document: choose one with --annotator NAME{gold}, repeat "
        "--annotator to export several kept apart, or give --all-annotators")
