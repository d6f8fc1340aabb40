"""Whole-document JSONL formats: the native lossless format, Prodigy and doccano.

Native format, one document per line (offsets are code points into ``text``)::

    {"id": "gaza-aid-talks", "title": "...", "text": "...", "meta": {...}, "origin": "...",
     "annotations": [{"id": "a1", "annotator": "ana", "label": "figure", "start": 14,
                      "end": 26, "text": "$4.2 billion", "status": "accepted",
                      "origin": "manual", "attrs": {"value": 4200000000, "unit": "USD",
                                                     "qualifier": null},
                      "note": "check the date", "reviewed_by": "rev",
                      "reviewed_at": "2026-01-05T10:00:00+00:00"}],
     "links": [{"from": "a2", "to": "a3", "type": "attributed_to"}],
     "sources": [{"name": "Egypt's foreign ministry", "type": "government",
                  "aliases": ["Egyptian foreign ministry"]}],
     "states": [{"annotator": "ana", "start": 0, "end": 57, "state": "done",
                 "at": "2026-01-05T10:00:00+00:00"}],
     "positions": [{"annotator": "ana", "start": 58, "end": 130}]}

``attrs`` keys ``source_name``/``source_type`` (the canonical source) and
``value``/``unit``/``qualifier`` (a figure) map to columns; every other key is
kept as an annotation attribute (``attribution``, ``value_max``...). ``origin``
and ``sources`` are optional on import, and so are an annotation's ``note``,
``reviewed_by`` (the reviewer's name) and ``reviewed_at`` (ISO 8601, UTC): they are
written only when set, and files written before they existed lack them. Annotation
ids are the file's own. A document that came without an id of its own is written with
its database id as ``id`` and ``"external_id": null``, so it comes back without one.

``states`` are the annotators' marks on the document's sentences (``done`` or
``skipped``, when marked), ``positions`` the sentence each annotator last was at in
it; a sentence is named by its offsets (``start``/``end`` into ``text``). Both are
written only when there are any, and are optional on import: an import adds a mark
where the annotator has none on that sentence, and a position for an annotator who
has none (what is stored is kept). The change log (undo, review history) is not part
of the format: its entries are the database's own rows, named by its ids; `annotator
copy` moves a whole database with it, and `annotator merge` carries it over.

After the documents, an unfiltered export writes what no annotation refers to, one
line each: a canonical source nobody's span is mapped to, and an annotator who
neither owns nor reviewed an annotation::

    {"source": {"name": "UNRWA", "type": "un_agency", "aliases": ["UN relief agency"]}}
    {"annotator": {"name": "sam"}}
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from annotator.io.export import closing_stream, json_line, plain_number
from annotator.io.layers import layers
from annotator.io.textfile import InputError, content_hash, prepare_text
from annotator.text.bounds import (
    ALIAS_MAX,
    ANNOTATOR_MAX,
    QUALIFIER_MAX,
    SOURCE_NAME_MAX,
    SOURCE_TYPE_MAX,
    UNIT_MAX,
    check_name,
    check_string,
    finite_number,
)
from db.annotations import LINK_ENDS
from db.document_records import (
    DocumentRecord,
    Key,
    LinkRecord,
    PositionRecord,
    SourceRecord,
    SpanRecord,
    StateRecord,
)
from db.models import LABELS, LINK_TYPES, ORIGINS, SENTENCE_STATES, STATUSES, as_utc
from db.values import figure_of

DOCUMENT_FORMATS = ("jsonl", "prodigy", "doccano")
SOURCE_KEYS = ("source_name", "source_type")
FIGURE_KEYS = ("value", "unit", "qualifier")
RESERVED_ATTRS = frozenset(SOURCE_KEYS + FIGURE_KEYS)
DEFAULT_IMPORT_ORIGIN = "imported"


def is_native(record: Any) -> bool:
    """Whether a JSONL object is a native document line (it has an ``annotations`` list)."""
    return isinstance(record, dict) and isinstance(record.get("annotations"), list)


def is_registry(record: Any) -> bool:
    """Whether a JSONL object is a native registry line: ``{"source": {...}}`` or
    ``{"annotator": {...}}`` and nothing else (a document line always has ``text``)."""
    return (isinstance(record, dict) and len(record) == 1
            and isinstance(record.get("source", record.get("annotator")), dict))


def parse_registry(record: dict[str, Any]) -> SourceRecord | str:
    """A registry line as the :class:`SourceRecord` or the annotator name it holds;
    raises :class:`InputError` naming the problem."""
    if "source" in record:
        return _source(record["source"], "source")
    name = record["annotator"].get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError("annotator: needs a non-empty \"name\"")
    return check_name(name.strip(), "annotator: \"name\"")


# --- reading the native format -------------------------------------------------------------

def parse_native(
    record: dict[str, Any], *, title: str, origin: str, external_id: str | None,
    meta: dict[str, Any],
) -> DocumentRecord:
    """A native line as a :class:`DocumentRecord`; raises :class:`InputError` naming the problem.

    ``title``, ``origin``, ``external_id`` and ``meta`` are what the plain JSONL
    reader made of the line; the text must already be in stored form (LF line ends),
    since the offsets refer to it exactly.
    """
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError("missing or non-string \"text\" field")
    if prepare_text(text) != text:
        raise InputError("text has CR line ends; the offsets would not match the stored "
                         "text (convert it to LF line ends and the offsets with it)")
    described = _sources(record.get("sources"))
    spans = [_span(item, number, text, described)
             for number, item in enumerate(record["annotations"], start=1)]
    keys: dict[Key, str] = {}
    for span in spans:
        if span.key in keys:
            raise InputError(f"annotation id {span.key!r} is used twice")
        keys[span.key] = span.label
    links = _links(record.get("links"), keys)
    stated_origin = record.get("origin")
    if "external_id" in record:  # null: the "id" was only the exporting database's number
        external_id = _optional_str(record["external_id"], "\"external_id\"")
    return DocumentRecord(
        title=title, text=text, content_hash=content_hash(text),
        origin=stated_origin if isinstance(stated_origin, str) and stated_origin else origin,
        external_id=external_id, meta=meta, annotations=tuple(spans), links=tuple(links),
        sources=tuple(described.values()),
        states=tuple(_progress(record.get("states"), "states", text, _state)),
        positions=tuple(_progress(record.get("positions"), "positions", text, _position)),
    )


def _progress(items: Any, key: str, text: str, build: Any) -> list[Any]:
    """The ``states`` or ``positions`` of a line (absent in older files: none)."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputError(f"\"{key}\" must be a list")
    found = []
    for number, item in enumerate(items, start=1):
        where = f"{key[:-1]} {number}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: must be a JSON object")
        annotator = item.get("annotator")
        if not isinstance(annotator, str) or not annotator.strip():
            raise InputError(f"{where}: needs a non-empty \"annotator\"")
        check_name(annotator.strip(), f"{where}: \"annotator\"")
        start, end = item.get("start"), item.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise InputError(f"{where}: \"start\" and \"end\" must be integers")
        if not 0 <= start < end <= len(text):
            raise InputError(f"{where}: sentence offsets {start}:{end} do not fit the text "
                             f"of length {len(text)}")
        found.append(build(item, where, annotator.strip(), start, end))
    return found


def _state(item: dict[str, Any], where: str, annotator: str, start: int, end: int) -> StateRecord:
    state = item.get("state", "done")
    if state not in SENTENCE_STATES:
        raise InputError(f"{where}: \"state\" must be one of {', '.join(SENTENCE_STATES)}")
    return StateRecord(annotator, start, end, state,
                       _timestamp(item.get("at"), f"{where}: \"at\""))


def _position(
    _item: dict[str, Any], _where: str, annotator: str, start: int, end: int
) -> PositionRecord:
    return PositionRecord(annotator, start, end)


def _optional_str(value: Any, what: str, limit: int | None = None) -> str | None:
    """A string field (or nothing); one both engines store alike, at most ``limit`` long."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return check_string(value, what, limit)
    raise InputError(f"{what} must be a string")


def _number(value: Any, what: str) -> float | None:
    return None if value is None else finite_number(value, what)


def _sources(items: Any) -> dict[str, SourceRecord]:
    if items is None:
        return {}
    if not isinstance(items, list):
        raise InputError("\"sources\" must be a list")
    found: dict[str, SourceRecord] = {}
    for number, item in enumerate(items, start=1):
        source = _source(item, f"source {number}")
        found[source.name] = source
    return found


def _source(item: Any, where: str) -> SourceRecord:
    """One described source (``name``, ``type``, ``aliases``); ``where`` names it in errors."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
            or not item["name"].strip():
        raise InputError(f"{where}: needs a non-empty \"name\"")
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise InputError(f"{where}: \"aliases\" must be a list of strings")
    name = check_string(item["name"].strip(), f"{where}: \"name\"", SOURCE_NAME_MAX)
    for alias in aliases:
        check_string(alias.strip(), f"{where}: alias", ALIAS_MAX)
    return SourceRecord(
        name, _optional_str(item.get("type"), f"{where}: \"type\"", SOURCE_TYPE_MAX),
        tuple(a.strip() for a in aliases if a.strip()))


def _span(item: Any, number: int, text: str, sources: dict[str, SourceRecord]) -> SpanRecord:
    where = f"annotation {number}"
    if not isinstance(item, dict):
        raise InputError(f"{where}: must be a JSON object")
    key = item.get("id", f"#{number}")
    if isinstance(key, bool) or not isinstance(key, str | int):
        raise InputError(f"{where}: \"id\" must be a string or an integer")
    where = f"annotation {key!r}"
    annotator = item.get("annotator")
    if not isinstance(annotator, str) or not annotator.strip():
        raise InputError(f"{where}: needs a non-empty \"annotator\"")
    check_name(annotator.strip(), f"{where}: \"annotator\"")
    label = item.get("label")
    if label not in LABELS:
        raise InputError(f"{where}: \"label\" must be one of {', '.join(LABELS)}")
    start, end = item.get("start"), item.get("end")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise InputError(f"{where}: \"start\" and \"end\" must be integers")
    if not 0 <= start < end <= len(text):
        raise InputError(f"{where}: offsets {start}:{end} do not fit the text "
                         f"of length {len(text)}")
    if "text" in item and item["text"] != text[start:end]:
        raise InputError(f"{where}: \"text\" {item['text']!r} is not the text at "
                         f"{start}:{end} ({text[start:end]!r})")
    status = item.get("status", "accepted")
    if status not in STATUSES:
        raise InputError(f"{where}: \"status\" must be one of {', '.join(STATUSES)}")
    origin = item.get("origin", DEFAULT_IMPORT_ORIGIN)
    if origin not in ORIGINS:
        raise InputError(f"{where}: \"origin\" must be one of {', '.join(ORIGINS)}")
    attrs = item.get("attrs") or {}
    if not isinstance(attrs, dict):
        raise InputError(f"{where}: \"attrs\" must be a JSON object")
    _check_cue(attrs, text, where)
    source = _optional_str(attrs.get("source_name"), f"{where}: \"source_name\"",
                           SOURCE_NAME_MAX)
    source_type = _optional_str(attrs.get("source_type"), f"{where}: \"source_type\"",
                                SOURCE_TYPE_MAX)
    if source is not None:
        source = source.strip()
        known = sources.get(source)
        if known is None:
            sources[source] = SourceRecord(source, source_type)
        elif source_type is not None and known.source_type is None:
            sources[source] = SourceRecord(source, source_type, known.aliases)
        elif source_type is not None and known.source_type != source_type:
            raise InputError(f"{where}: source {source!r} has type {source_type!r} here "
                             f"but {known.source_type!r} elsewhere in this line")
    elif source_type is not None:
        raise InputError(f"{where}: \"source_type\" without \"source_name\"")
    note = item.get("note")
    if note is not None and not isinstance(note, str):
        raise InputError(f"{where}: \"note\" must be a string")
    reviewer = _optional_str(item.get("reviewed_by"), f"{where}: \"reviewed_by\"",
                             ANNOTATOR_MAX)
    reviewed_at = _timestamp(item.get("reviewed_at"), f"{where}: \"reviewed_at\"")
    return SpanRecord(
        key=key, annotator=annotator.strip(), label=label, doc_start=start, doc_end=end,
        text=text[start:end], status=status, origin=origin, source=source,
        figure=figure_of(
            _number(attrs.get("value"), f"{where}: \"value\""),
            _optional_str(attrs.get("unit"), f"{where}: \"unit\"", UNIT_MAX),
            _optional_str(attrs.get("qualifier"), f"{where}: \"qualifier\"", QUALIFIER_MAX),
        ),
        attrs={k: v for k, v in attrs.items() if k not in RESERVED_ATTRS},
        note=None if note is None else check_string(note, f"{where}: \"note\""),
        reviewed_by=None if reviewer is None else reviewer.strip() or None,
        reviewed_at=reviewed_at,
    )


def _check_cue(attrs: dict[str, Any], text: str, where: str) -> None:
    """A reporting cue's offsets (``cue_start``/``cue_end``, into the document) hold its
    text (``cue``), as every stored cue does (db.suggestions.CUE*)."""
    if "cue_start" not in attrs and "cue_end" not in attrs:
        return
    start, end, cue = attrs.get("cue_start"), attrs.get("cue_end"), attrs.get("cue")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise InputError(f"{where}: \"cue_start\" and \"cue_end\" must be integers")
    if not 0 <= start < end <= len(text) or text[start:end] != cue:
        raise InputError(f"{where}: the cue {str(cue)[:40]!r} is not the text at "
                         f"{start}:{end}")


def _timestamp(value: Any, what: str) -> datetime | None:
    """An ISO 8601 time (UTC when it names no offset), or nothing."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{what} must be an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what} {value[:40]!r} is not an ISO 8601 time") from None
    return as_utc(moment)


def _timestamp_out(value: datetime | None) -> str | None:
    if value is None:
        return None
    return as_utc(value).isoformat()


def _links(items: Any, labels: dict[Key, str]) -> list[LinkRecord]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputError("\"links\" must be a list")
    links = []
    for number, item in enumerate(items, start=1):
        where = f"link {number}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: must be a JSON object")
        kind, source, target = item.get("type"), item.get("from"), item.get("to")
        if kind not in LINK_TYPES:
            raise InputError(f"{where}: \"type\" must be one of {', '.join(LINK_TYPES)}")
        for end in (source, target):
            if isinstance(end, bool) or not isinstance(end, str | int) or end not in labels:
                raise InputError(f"{where}: no annotation with id {end!r} in this line")
        if source == target:
            raise InputError(f"{where}: links annotation {source!r} to itself")
        if (labels[source], labels[target]) != LINK_ENDS[kind]:
            expected = " -> ".join(LINK_ENDS[kind])
            raise InputError(f"{where}: {kind} links {expected}, not "
                             f"{labels[source]} -> {labels[target]}")
        links.append(LinkRecord(source, target, kind))
    return links


# --- writing -------------------------------------------------------------------------------

def document_id_text(record: DocumentRecord) -> str:
    """The id a document gets in an export: its own external id, else its database id."""
    return record.external_id or str(record.document_id)


def _number_out(value: float | None) -> int | float | None:
    return None if value is None else plain_number(value)


def native_record(record: DocumentRecord) -> dict[str, Any]:
    """A document in the native lossless format (see the module docstring)."""
    types = {source.name: source.source_type for source in record.sources}
    annotations = []
    for span in record.annotations:
        attrs: dict[str, Any] = {}
        if span.source is not None:
            attrs["source_name"] = span.source
            attrs["source_type"] = types.get(span.source)
        figure = span.figure
        if figure is not None:
            attrs["value"] = _number_out(figure.value)
            attrs["unit"] = figure.unit
            attrs["qualifier"] = figure.qualifier
        elif span.label == "figure":
            attrs.update(value=None, unit=None, qualifier=None)  # a figure left unset
        attrs.update((k, v) for k, v in span.attrs.items() if k not in RESERVED_ATTRS)
        annotation = {
            "id": span.key, "annotator": span.annotator, "label": span.label,
            "start": span.doc_start, "end": span.doc_end, "text": span.text,
            "status": span.status, "origin": span.origin, "attrs": attrs,
        }
        # Written when set only: absent means none, as in files written before them.
        review = {"note": span.note, "reviewed_by": span.reviewed_by,
                  "reviewed_at": _timestamp_out(span.reviewed_at)}
        annotation.update((k, v) for k, v in review.items() if v is not None)
        annotations.append(annotation)
    document: dict[str, Any] = {"id": document_id_text(record)}
    if record.external_id is None:
        document["external_id"] = None  # the "id" is the database's number, not the document's
    line = {
        **document, "title": record.title, "text": record.text,
        "meta": record.meta, "origin": record.origin, "annotations": annotations,
        "links": [{"from": link.from_key, "to": link.to_key, "type": link.type}
                  for link in record.links],
        "sources": [{"name": s.name, "type": s.source_type, "aliases": list(s.aliases)}
                    for s in record.sources],
    }
    # Written when there are any (as a note is): a document nobody marked reads as before.
    if record.states:
        line["states"] = [
            {"annotator": item.annotator, "start": item.start, "end": item.end,
             "state": item.state,
             **({"at": _timestamp_out(item.updated_at)} if item.updated_at else {})}
            for item in record.states]
    if record.positions:
        line["positions"] = [{"annotator": item.annotator, "start": item.start,
                              "end": item.end} for item in record.positions]
    return line


def doccano_record(record: DocumentRecord, annotator: str | None = None) -> dict[str, Any]:
    """doccano's "sequence labeling with relations" JSONL: ``entities`` and ``relations``.

    ``record`` is one annotator's layer (:mod:`annotator.io.layers`), named by ``annotator``
    (a key doccano keeps as metadata); its links are those that count.
    """
    layer = {} if annotator is None else {"annotator": annotator}
    return {
        "id": document_id_text(record), **layer, "text": record.text,
        "entities": [{"id": span.key, "label": span.label, "start_offset": span.doc_start,
                      "end_offset": span.doc_end} for span in record.annotations],
        "relations": [{"id": number, "from_id": link.from_key, "to_id": link.to_key,
                       "type": link.type} for number, link in enumerate(record.links, start=1)],
        "meta": {"title": record.title, **record.meta},
    }


_NON_SPACE = re.compile(r"\S+")


def _tokens(text: str, cuts: set[int]) -> list[tuple[int, int]]:
    """Whitespace tokens, also cut at every span boundary so each span is whole tokens."""
    ordered = sorted(cuts)
    tokens = []
    for match in _NON_SPACE.finditer(text):
        start = match.start()
        first = bisect_right(ordered, start)
        last = bisect_left(ordered, match.end())
        for cut in ordered[first:last]:
            tokens.append((start, cut))
            start = cut
        tokens.append((start, match.end()))
    return tokens


def prodigy_record(record: DocumentRecord, annotator: str | None = None) -> dict[str, Any]:
    """Prodigy's span and relation task format (``text``, ``tokens``, ``spans``, ``relations``).

    ``record`` is one annotator's layer (:mod:`annotator.io.layers`), named by
    ``annotator`` in ``_annotator_id`` as Prodigy names who answered a task; its links
    are those that count.

    Tokens are whitespace-separated words cut at span boundaries; a relation's
    ``head``/``child`` is the last token of its span, as Prodigy's ``rel.manual`` writes.
    """
    text = record.text
    cuts = {span.doc_start for span in record.annotations} | {
        span.doc_end for span in record.annotations}
    tokens = _tokens(text, cuts)
    first_at = {start: number for number, (start, _) in enumerate(tokens)}
    last_at = {end: number for number, (_, end) in enumerate(tokens)}
    spans: dict[Key, dict[str, Any]] = {}
    for span in record.annotations:
        spans[span.key] = {
            "start": span.doc_start, "end": span.doc_end, "text": span.text,
            "token_start": _first_token(text, span.doc_start, span.doc_end, first_at),
            "token_end": _last_token(text, span.doc_start, span.doc_end, last_at),
            "label": span.label,
        }
    relations = []
    for link in record.links:
        head, child = spans[link.from_key], spans[link.to_key]
        relations.append({"head": head["token_end"], "child": child["token_end"],
                          "head_span": head, "child_span": child, "label": link.type})
    return {
        "text": text,
        "tokens": [{"text": text[start:end], "start": start, "end": end, "id": number,
                    "ws": end < len(text) and text[end].isspace()}
                   for number, (start, end) in enumerate(tokens)],
        "spans": list(spans.values()),
        "relations": relations,
        "meta": {"id": document_id_text(record), "title": record.title, **(
            {} if annotator is None else {"annotator": annotator})},
        **({} if annotator is None else {"_annotator_id": annotator}),
    }


def _first_token(text: str, start: int, end: int, first_at: dict[int, int]) -> int | None:
    # A span may begin with spaces the tokens skip: its first token starts after them.
    while start < end and start not in first_at:
        start += 1
    return first_at.get(start)


def _last_token(text: str, start: int, end: int, last_at: dict[int, int]) -> int | None:
    while end > start and end not in last_at:
        end -= 1
    return last_at.get(end)


TOOL_FORMATTERS = {"prodigy": prodigy_record, "doccano": doccano_record}


def write_documents(
    out: TextIO, records: Iterable[DocumentRecord], fmt: str, *,
    sources: Iterable[SourceRecord] = (), annotators: Iterable[str] = (),
    layers_of: tuple[str, ...] = (),
) -> int:
    """Write one JSON document per line in ``fmt``; returns the number of lines written.

    ``sources`` and ``annotators`` (the native format only) are what no annotation
    refers to, written after the documents as registry lines (see the module docstring).
    Prodigy and doccano write one line per document and annotator of ``layers_of``
    with annotations in it (see :func:`annotator.io.layers.layers`).
    """
    count = 0
    with closing_stream(records):
        if fmt == "jsonl":
            for record in records:
                out.write(json_line(native_record(record), f"document {record.document_id}"))
                count += 1
        else:
            formatter = TOOL_FORMATTERS[fmt]
            for name, layer in layers(records, layers_of):
                out.write(json_line(formatter(layer, name), f"document {layer.document_id}"))
                count += 1
    if fmt == "jsonl":
        with closing_stream(sources):
            for source in sources:
                out.write(json_line({"source": {
                    "name": source.name, "type": source.source_type,
                    "aliases": list(source.aliases)}}, f"source {source.name!r}"))
        with closing_stream(annotators):
            for name in annotators:
                out.write(json_line({"annotator": {"name": name}}, f"annotator {name!r}"))
    return count
