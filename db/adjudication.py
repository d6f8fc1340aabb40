"""Adjudication storage: the annotators' spans per sentence with their links, and taking
versions into gold.

The gold layer is the annotator named ``gold``. Taking a version copies the span
(label, source, figure fields, attributes) into it, replacing whatever gold had for the
same span (the same offsets once edge punctuation, quotes and spaces are stripped, see
:func:`core_offsets`) with one of the labels being decided, and gives the copy the
version's links: a claim's source span and supporting figures are copied into gold too
(or the gold span already there for them is used), so the gold claim carries the source
the version had; a figure's or a source span's links are copied when gold holds the
other end. Rejecting both versions leaves a rejected gold span at the span's offsets
(``attrs["decision"] == "none"``): gold holds nothing there, and the row is decided.
One call is one transaction and one change-log group of the adjudicator, so their undo
reverts it.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from db.annotations import SpanError, annotator_named
from db.engine import Database
from db.history import ChangeRecorder, annotation_snapshot, link_snapshot
from db.models import Annotation, Annotator, Link, Sentence, Source, utcnow
from db.read_models import SpanVersion
from db.sources import register_alias, register_source, rerun_on_conflict
from db.values import figure_of

GOLD = "gold"
SENTENCE_BATCH = 200
# attrs of a gold span: "edited" when the adjudicator changed the version taken, "none"
# on the rejected gold span that records "neither version" for a row.
DECISION = "decision"
EDITED = "edited"
NONE = "none"


# --- what counts as the same span -------------------------------------------------------

def _is_edge(character: str) -> bool:
    """Punctuation (quotes, curly or typewriter, included) or a space."""
    return character.isspace() or unicodedata.category(character).startswith("P")


def core_offsets(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` moved inwards past edge punctuation, quotes and spaces of ``text``
    (the span's text, ``end - start`` long); unchanged when nothing else is left."""
    lead = 0
    while lead < len(text) and _is_edge(text[lead]):
        lead += 1
    if lead == len(text):
        return start, end
    trail = 0
    while _is_edge(text[len(text) - 1 - trail]):
        trail += 1
    return start + lead, end - trail


# --- reading the versions ----------------------------------------------------------------

def _version_query(names: Sequence[str]) -> Any:
    return (
        select(Annotation.id, Annotator.name, Annotation.label, Annotation.start,
               Annotation.end, Annotation.text, Annotation.status, Source.name,
               Source.source_type, Annotation.figure_value, Annotation.figure_unit,
               Annotation.figure_qualifier, Annotation.sentence_id, Annotation.doc_start,
               Annotation.attrs["attribution"].as_string(),
               Annotation.attrs[DECISION].as_string())
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .outerjoin(Source, Source.id == Annotation.source_id)
        # Only what an annotator accepted is their version (a suggestion nobody accepted
        # is not an annotation; a span a reviewer rejected is not anyone's any more); a
        # rejected gold span is gold's "neither" decision.
        .where(Annotator.name.in_(names),
               or_(Annotation.status == "accepted", Annotator.name == GOLD))
        .order_by(Annotation.start, Annotation.end, Annotation.id)
    )


@dataclass(frozen=True)
class _End:
    """The other end of one link of a version."""

    link_type: str
    outgoing: bool
    id: int
    label: str
    key: tuple[int, int]  # core document offsets
    text: str
    source_name: str | None


def _link_query(outgoing: bool) -> Any:
    """The links leaving (or reaching) the annotations of the sentences ``:sentences``,
    each with its other end."""
    other = aliased(Annotation)
    other_source = aliased(Source)
    mine, theirs = (Link.from_id, Link.to_id) if outgoing else (Link.to_id, Link.from_id)
    in_sentences = select(Annotation.id).where(
        Annotation.sentence_id.in_(bindparam("sentences", expanding=True)))
    return (
        select(mine, Link.type, other.id, other.label, other.doc_start, other.doc_end,
               other.text, other_source.name)
        .join(other, other.id == theirs)
        .outerjoin(other_source, other_source.id == other.source_id)
        .where(mine.in_(in_sentences), other.status == "accepted")
        .order_by(other.id)
    )


# Built once: building (and compiling) the aliased statements costs ten times running them.
_LINK_QUERIES = ((True, _link_query(True)), (False, _link_query(False)))


def _links(connection: Any, sentence_ids: Sequence[int]) -> dict[int, list[_End]]:
    """The links of every annotation of the sentences ``sentence_ids``, by annotation
    id, each with its other end."""
    found: dict[int, list[_End]] = defaultdict(list)
    for outgoing, query in _LINK_QUERIES:
        rows = connection.execute(query, {"sentences": list(sentence_ids)})
        for annotation, link_type, other_id, label, doc_start, doc_end, text, name in rows:
            key = core_offsets(text, doc_start, doc_end)
            found[annotation].append(
                _End(link_type, outgoing, other_id, label, key, text, name))
    return found


def _attribution(own_source: str | None, author: str | None,
                 ends: Sequence[_End]) -> tuple[str, str]:
    """A claim's attribution as agreement counts it, and as the screen says it."""
    targets = [end for end in ends if end.outgoing and end.link_type == "attributed_to"]
    target = targets[0] if targets else None  # the lowest id, as agreement reads it
    name = target.source_name if target is not None and target.source_name else own_source
    if name is not None:
        return f"source:{name}", name
    if target is not None:
        return f"span:{target.key[0]}-{target.key[1]}", f"span “{target.text}” (no source)"
    if author == "author":
        return "author", "author's voice"
    return "none", "not attributed"


def _version(row: Any, ends: Sequence[_End]) -> SpanVersion:
    (identifier, annotator, label, start, end, text, status, source_name, source_type, value,
     unit, qualifier, _sentence, doc_start, author, decision) = tuple(row)
    attribution = attribution_text = None
    if label == "claim":
        attribution, attribution_text = _attribution(source_name, author, ends)
        linked = [e for e in ends if not e.outgoing and e.link_type == "supports"]
    elif label == "figure":
        linked = [e for e in ends if e.outgoing and e.link_type == "supports"]
    else:
        linked = []
    linked.sort(key=lambda e: e.key)
    return SpanVersion(
        id=identifier, annotator=annotator, label=label, start=start, end=end, text=text,
        status=status, source_name=source_name, source_type=source_type,
        figure=figure_of(value, unit, qualifier), doc_start=doc_start,
        attribution=attribution, attribution_text=attribution_text,
        linked=tuple(e.key for e in linked), linked_text=tuple(e.text for e in linked),
        decision=decision if annotator == GOLD else None,
    )


def sentence_versions(
    database: Database, sentence_id: int, names: Sequence[str]
) -> list[SpanVersion]:
    """The spans of the annotators ``names`` in one sentence (what they accepted, and any
    of gold's), with their links."""
    with database.engine.connect() as connection:
        links = _links(connection, [sentence_id])
        rows = connection.execute(
            _version_query(names).where(Annotation.sentence_id == sentence_id)
        )
        return [_version(row, links.get(row[0], ())) for row in rows]


def iter_sentence_versions(
    database: Database, names: Sequence[str]
) -> Iterator[tuple[int, list[SpanVersion]]]:
    """Every sentence some of ``names`` annotated, with their versions, in sentence order.

    Reads a batch of sentences at a time, so a whole corpus streams in flat memory.
    """
    after = 0
    while True:
        ids = adjudication_sentences(database, names, after, SENTENCE_BATCH)
        if not ids:
            return
        by_sentence: dict[int, list[SpanVersion]] = {sentence: [] for sentence in ids}
        with database.engine.connect() as connection:
            links = _links(connection, ids)
            for row in connection.execute(
                _version_query(names).where(Annotation.sentence_id.in_(ids))
            ):
                by_sentence[row[12]].append(_version(row, links.get(row[0], ())))
        yield from by_sentence.items()
        after = ids[-1]


def adjudication_sentences(
    database: Database, names: Sequence[str], after: int = 0, limit: int = 1,
    *, backwards: bool = False,
) -> list[int]:
    """Ids of sentences some of ``names`` annotated, after (or before) ``after``, in order.

    Walks the sentences from ``after`` and probes each one's annotations through the
    (sentence, annotator, ...) unique index: a step costs the sentences skipped, not
    a sort of every annotation of these annotators (300 ms on 200,000 annotations).
    """
    annotated = (
        select(Annotation.id)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(Annotation.sentence_id == Sentence.id, Annotator.name.in_(names),
               Annotation.status == "accepted")
        .exists()
    )
    query = select(Sentence.id).where(annotated)
    if backwards:
        query = query.where(Sentence.id < after).order_by(Sentence.id.desc())
    else:
        query = query.where(Sentence.id > after).order_by(Sentence.id)
    with database.engine.connect() as connection:
        return [int(found) for found in connection.scalars(query.limit(limit))]


# --- taking versions into gold ------------------------------------------------------------

@dataclass(frozen=True)
class GoldEdit:
    """What the adjudicator changes in a version on its way into gold (``None``: as is).

    ``edges`` are new sentence offsets; ``figure`` a figure's value, unit and qualifier;
    a canonical source is ``source_id`` (with ``alias`` recorded as another name of it),
    or a source registered as ``new_source`` (name, type, aliases), or none at all with
    ``clear_source``. For a claim the source becomes its attribution: it is attributed
    to that canonical source directly, no longer through the version's source span.
    """

    edges: tuple[int, int] | None = None
    figure: tuple[float | None, str | None, str | None] | None = None
    source_id: int | None = None
    alias: str | None = None
    new_source: tuple[str, str | None, tuple[str, ...]] | None = None
    clear_source: bool = False

    @property
    def changes_source(self) -> bool:
        """Whether the edit sets or clears the canonical source."""
        return self.clear_source or self.source_id is not None or self.new_source is not None


Choice = tuple[int, Sequence[str]]  # an annotation id, the labels its row decides between


def take_versions(
    database: Database, adjudicator_id: int, choices: Sequence[Choice],
    edit: GoldEdit | None = None,
) -> list[int]:
    """Copy each chosen annotation into the gold layer with its links, all as one undoable
    action; ``edit`` changes the (single) chosen version on its way.

    ``choices`` pairs an annotation id with the labels its row decides between: gold
    spans of the same span with one of those labels are replaced. Returns the gold
    annotations' ids.
    """
    if edit is not None and len(choices) != 1:
        raise SpanError("an edit applies to one version taken")

    def unit() -> list[int]:
        with database.transaction() as session:
            recorder = ChangeRecorder(session, adjudicator_id, "take_gold")
            gold_id = annotator_named(session, GOLD)  # the layer written, made on first use
            taken = [_take(recorder, gold_id, chosen, labels, edit)
                     for chosen, labels in choices]
            for (chosen, _labels), gold in zip(choices, taken, strict=True):
                _copy_links(recorder, gold_id, chosen, gold, edit)
            return taken

    # An edit registering a source can lose an insert race; its rerun finds the winner's.
    return unit() if edit is None else rerun_on_conflict(unit)


def reject_versions(
    database: Database, adjudicator_id: int, chosen_id: int, labels: Sequence[str]
) -> int:
    """Decide a row as "neither": gold's spans of it go, and one rejected gold span per
    label (``attrs["decision"] == "none"``) records the decision. ``chosen_id`` is any
    version of the row. One transaction, one undo step; returns the sentence id."""
    with database.transaction() as session:
        recorder = ChangeRecorder(session, adjudicator_id, "reject_gold")
        gold_id = annotator_named(session, GOLD)
        chosen = _annotation(session, chosen_id, gold_id)
        key = core_offsets(chosen.text, chosen.start, chosen.end)
        for gold in _gold_of_row(session, gold_id, chosen, set(labels), {key}):
            _delete(recorder, gold)
        lead = key[0] - chosen.start
        text = chosen.text[lead:lead + key[1] - key[0]]
        for label in sorted({chosen.label, *labels}):
            marker = Annotation(
                sentence_id=chosen.sentence_id, document_id=chosen.document_id,
                annotator_id=gold_id, label=label, start=key[0], end=key[1],
                doc_start=chosen.doc_start + lead, doc_end=chosen.doc_start + lead + len(text),
                text=text, origin="manual", status="rejected", attrs={DECISION: NONE},
                reviewed_by=adjudicator_id, reviewed_at=utcnow(),
            )
            session.add(marker)
            session.flush()
            recorder.record("annotation", marker.id, None, annotation_snapshot(marker))
        return chosen.sentence_id


def _annotation(session: Session, annotation_id: int, gold_id: int) -> Annotation:
    found = session.get(Annotation, annotation_id)
    if found is None:
        raise SpanError(f"no annotation with id {annotation_id}")
    if found.annotator_id == gold_id:
        raise SpanError(f"annotation {annotation_id} is already in the gold layer")
    return found


def _gold_of_row(
    session: Session, gold_id: int, chosen: Annotation, labels: set[str],
    keys: set[tuple[int, int]],
) -> list[Annotation]:
    """Gold's spans in the chosen version's sentence with one of ``labels`` whose core
    offsets are one of ``keys`` (any status: a "neither" decision too)."""
    candidates = session.scalars(select(Annotation).where(
        Annotation.annotator_id == gold_id, Annotation.sentence_id == chosen.sentence_id,
        Annotation.label.in_(sorted(labels)),
    )).all()
    return [gold for gold in candidates
            if core_offsets(gold.text, gold.start, gold.end) in keys]


def _edited_span(session: Session, chosen: Annotation,
                 edit: GoldEdit | None) -> tuple[int, int, int, str]:
    """``(start, end, doc_start, text)`` of the gold copy: the version's, or the edit's."""
    if edit is None or edit.edges is None:
        return chosen.start, chosen.end, chosen.doc_start, chosen.text
    start, end = edit.edges
    sentence = session.get(Sentence, chosen.sentence_id)
    assert sentence is not None  # the annotation's foreign key
    if not 0 <= start < end <= len(sentence.text):
        raise SpanError(f"span {start}:{end} does not fit the sentence "
                        f"of length {len(sentence.text)}")
    return start, end, sentence.start + start, sentence.text[start:end]


def _source_of_edit(session: Session, edit: GoldEdit) -> int | None:
    if edit.new_source is not None:
        name, source_type, aliases = edit.new_source
        return register_source(session, name, source_type, aliases)
    if edit.source_id is not None:
        if session.get(Source, edit.source_id) is None:
            raise SpanError(f"no canonical source with id {edit.source_id}")
        register_alias(session, edit.source_id, edit.alias)
        return edit.source_id
    return None


def _take(recorder: ChangeRecorder, gold_id: int, chosen_id: int, labels: Sequence[str],
          edit: GoldEdit | None = None) -> int:
    session = recorder.session
    chosen = _annotation(session, chosen_id, gold_id)
    owner = session.get(Annotator, chosen.annotator_id)
    start, end, doc_start, text = _edited_span(session, chosen, edit)
    keys = {core_offsets(chosen.text, chosen.start, chosen.end), core_offsets(text, start, end)}
    replaced = _gold_of_row(session, gold_id, chosen, {chosen.label, *labels}, keys)
    attrs: dict[str, Any] = {**(chosen.attrs or {}),
                             "taken_from": owner.name if owner else None}
    values: dict[str, Any] = {
        "label": chosen.label, "source_id": chosen.source_id,
        "figure_value": chosen.figure_value, "figure_unit": chosen.figure_unit,
        "figure_qualifier": chosen.figure_qualifier,
        "status": "accepted", "reviewed_by": recorder.annotator_id, "reviewed_at": utcnow(),
        "start": start, "end": end, "doc_start": doc_start,
        "doc_end": doc_start + len(text), "text": text,
    }
    attrs.pop(DECISION, None)
    if edit is not None:
        attrs[DECISION] = EDITED
        if edit.changes_source:
            values["source_id"] = _source_of_edit(session, edit)
            if chosen.label == "claim":  # attributed to that source, nobody's voice else
                attrs.pop("attribution", None)
        if edit.figure is not None:
            if chosen.label != "figure":
                raise SpanError(f"annotation {chosen_id} is a {chosen.label}, not a figure")
            value, unit, qualifier = edit.figure
            values.update(figure_value=value, figure_unit=unit or None,
                          figure_qualifier=qualifier or None)
    values["attrs"] = attrs
    # Gold's span of this label is changed in place (the links other rows gave it stay),
    # the one at these very offsets first.
    alike = sorted((gold for gold in replaced if gold.label == chosen.label),
                   key=lambda gold: ((gold.start, gold.end) != (start, end), gold.id))
    same = alike[0] if alike else None
    for gold in replaced:
        if gold is not same:
            _delete(recorder, gold)
    if same is not None:
        _drop_own_links(recorder, same)
        before = annotation_snapshot(same)
        for key, value in values.items():
            setattr(same, key, value)
        session.flush()
        recorder.record("annotation", same.id, before, annotation_snapshot(same))
        return same.id
    gold = Annotation(
        sentence_id=chosen.sentence_id, document_id=chosen.document_id, annotator_id=gold_id,
        origin="manual", **values,
    )
    session.add(gold)
    session.flush()
    recorder.record("annotation", gold.id, None, annotation_snapshot(gold))
    return gold.id


def _remove_link(recorder: ChangeRecorder, link: Link) -> None:
    recorder.record("link", link.id, link_snapshot(link), None)
    recorder.session.delete(link)


def _drop_own_links(recorder: ChangeRecorder, gold: Annotation) -> None:
    """Remove the links a version of ``gold``'s label decides (a claim's source span and
    supporting figures, a figure's claims); a source span's claims are theirs."""
    if gold.label == "claim":
        condition = ((Link.from_id == gold.id) & (Link.type == "attributed_to")) | (
            (Link.to_id == gold.id) & (Link.type == "supports"))
    elif gold.label == "figure":
        condition = (Link.from_id == gold.id) & (Link.type == "supports")
    else:
        return
    for link in recorder.session.scalars(select(Link).where(condition)).all():
        _remove_link(recorder, link)
    recorder.session.flush()


def _delete(recorder: ChangeRecorder, annotation: Annotation) -> None:
    session = recorder.session
    for link in session.scalars(select(Link).where(
        (Link.from_id == annotation.id) | (Link.to_id == annotation.id)
    )).all():
        _remove_link(recorder, link)
    session.flush()
    before = annotation_snapshot(annotation)
    session.delete(annotation)
    session.flush()
    recorder.record("annotation", annotation.id, before, None)


def _gold_twin(session: Session, gold_id: int, original: Annotation) -> Annotation | None:
    """The gold span of ``original``'s label at the same document offsets, else at the
    same core offsets (any status: a "neither" decision is found too)."""
    key = core_offsets(original.text, original.doc_start, original.doc_end)
    candidates = session.scalars(select(Annotation).where(
        Annotation.annotator_id == gold_id, Annotation.sentence_id == original.sentence_id,
        Annotation.label == original.label,
    ).order_by(Annotation.id)).all()
    exact = [gold for gold in candidates
             if (gold.doc_start, gold.doc_end) == (original.doc_start, original.doc_end)]
    if exact:
        return exact[0]
    return next((gold for gold in candidates
                 if core_offsets(gold.text, gold.doc_start, gold.doc_end) == key), None)


def _copy_span(recorder: ChangeRecorder, gold_id: int, original: Annotation) -> Annotation:
    """A gold copy of a span a taken claim links to (its source span, a figure)."""
    owner = recorder.session.get(Annotator, original.annotator_id)
    copy = Annotation(
        sentence_id=original.sentence_id, document_id=original.document_id,
        annotator_id=gold_id, label=original.label, start=original.start, end=original.end,
        doc_start=original.doc_start, doc_end=original.doc_end, text=original.text,
        source_id=original.source_id, figure_value=original.figure_value,
        figure_unit=original.figure_unit, figure_qualifier=original.figure_qualifier,
        attrs={**{k: v for k, v in (original.attrs or {}).items() if k != DECISION},
               "taken_from": owner.name if owner else None},
        status="accepted", origin="manual", reviewed_by=recorder.annotator_id,
        reviewed_at=utcnow(),
    )
    recorder.session.add(copy)
    recorder.session.flush()
    recorder.record("annotation", copy.id, None, annotation_snapshot(copy))
    return copy


def _copies_other_end(chosen: Annotation, link: Link, outgoing: bool) -> bool:
    """Whether taking ``chosen`` copies the span at the link's other end into gold: a
    claim brings its source span and the figures supporting it."""
    if chosen.label != "claim":
        return False
    return (outgoing and link.type == "attributed_to") or (
        not outgoing and link.type == "supports")


def _copy_links(recorder: ChangeRecorder, gold_id: int, chosen_id: int, gold: int,
                edit: GoldEdit | None = None) -> None:
    """Give the gold copy the chosen version's links, each to the gold span for the other
    end (for a claim's source span and figures, copied into gold when gold has none)."""
    session = recorder.session
    chosen = session.get(Annotation, chosen_id)
    assert chosen is not None  # taken in this transaction
    for link in session.scalars(select(Link).where(
        (Link.from_id == chosen_id) | (Link.to_id == chosen_id)
    ).order_by(Link.id)).all():
        outgoing = link.from_id == chosen_id
        if (edit is not None and edit.changes_source and outgoing
                and link.type == "attributed_to"):
            continue  # the edit attributed the claim to a canonical source instead
        other = session.get(Annotation, link.to_id if outgoing else link.from_id)
        if other is None or other.status != "accepted" or other.annotator_id == gold_id:
            continue
        twin = _gold_twin(session, gold_id, other)
        if twin is None and _copies_other_end(chosen, link, outgoing):
            twin = _copy_span(recorder, gold_id, other)
        if twin is None or twin.id == gold or twin.status == "rejected":
            continue  # not in gold (or decided as nothing there)
        ends = (gold, twin.id) if outgoing else (twin.id, gold)
        exists = session.scalar(select(Link.id).where(
            Link.from_id == ends[0], Link.to_id == ends[1], Link.type == link.type
        ))
        if exists is None:
            copy = Link(from_id=ends[0], to_id=ends[1], type=link.type)
            session.add(copy)
            session.flush()
            recorder.record("link", copy.id, None, link_snapshot(copy))
