"""Annotation actions: each is one transaction and one change-log group (one undo step)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.history import (
    ChangeRecorder,
    annotation_snapshot,
    link_snapshot,
    write_sentence_state,
)
from db.models import LABELS, Annotation, Annotator, Link, Sentence, SentenceState, Source
from db.navigation import leaving_marks_done
from db.sources import (
    BY_SUGGESTION,
    RegistryReads,
    adopt_source,
    register_alias,
    register_source,
    rerun_on_conflict,
)
from db.values import Figure, figure_columns


class SpanError(ValueError):
    """An action that does not fit the data (bad offsets, label, owner or link)."""


class DuplicateSpanError(SpanError):
    """The annotator already has a span with this label and these offsets."""


@dataclass(frozen=True)
class SpanEdit:
    """What deleting or relabelling a span changed: the span as it was, and how many of
    its links went with it (undo brings them back)."""

    sentence_id: int
    label: str
    text: str
    links_removed: int
    new_label: str | None = None  # a relabel's new label


@dataclass(frozen=True)
class NewSpan:
    """A span to add: offsets are relative to the sentence text."""

    sentence_id: int
    label: str
    start: int
    end: int
    status: str = "accepted"
    origin: str = "manual"
    source_id: int | None = None
    figure: Figure | None = None


# Which labels each link type joins: (from, to).
LINK_ENDS = {"attributed_to": ("claim", "source"), "supports": ("figure", "claim")}


def annotator_named(session: Session, name: str) -> int:
    """The id of the annotator called ``name``, created on first use (in the caller's
    transaction). Sessions resolve their annotator once (:func:`ensure_annotator`); every
    write below takes that id."""
    found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None:
        return found
    annotator = Annotator(name=name)
    session.add(annotator)
    session.flush()
    return annotator.id


def ensure_annotator(database: Database, name: str) -> int:
    """The id of the annotator called ``name``, registered in its own transaction if new."""
    name = name.strip()
    if not name:
        raise SpanError("an annotator needs a name")
    with database.reads() as session:  # known already (every start but the first): no write
        found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None:
        return found
    try:
        with database.transaction() as session:
            return annotator_named(session, name)
    except IntegrityError:  # registered by another process at the same moment
        with database.transaction() as session:
            return annotator_named(session, name)


@contextmanager
def _action(database: Database, annotator_id: int, action: str) -> Iterator[ChangeRecorder]:
    with database.transaction() as session:
        yield ChangeRecorder(session, annotator_id, action)


def _own(recorder: ChangeRecorder, annotation_id: int) -> Annotation:
    annotation = recorder.session.get(Annotation, annotation_id)
    if annotation is None:
        raise SpanError(f"no annotation with id {annotation_id}")
    if annotation.annotator_id != recorder.annotator_id:
        raise SpanError(f"annotation {annotation_id} belongs to another annotator")
    return annotation


def _flush_span(recorder: ChangeRecorder, annotation: Annotation) -> None:
    """Write the span; one with the same annotator, label and offsets is a user error."""
    try:
        recorder.session.flush()
    except IntegrityError:
        raise DuplicateSpanError(
            f"“{annotation.text}” is already tagged as {annotation.label}") from None


def _update(recorder: ChangeRecorder, annotation: Annotation, **values: Any) -> None:
    before = annotation_snapshot(annotation)
    for key, value in values.items():
        setattr(annotation, key, value)
    _flush_span(recorder, annotation)
    recorder.record("annotation", annotation.id, before, annotation_snapshot(annotation))


def _remove_links(recorder: ChangeRecorder, *conditions: Any) -> int:
    """Delete (and log) the links matching ``conditions``; returns how many."""
    removed = 0
    for link in recorder.session.scalars(select(Link).where(*conditions)):
        recorder.record("link", link.id, link_snapshot(link), None)
        recorder.session.delete(link)
        removed += 1
    recorder.session.flush()
    return removed


def _checked_sentence(session: Session, span: NewSpan) -> Sentence:
    """The span's sentence, once its label and offsets are known to fit it."""
    if span.label not in LABELS:
        raise SpanError(f"unknown label {span.label!r}; expected one of {', '.join(LABELS)}")
    sentence = session.get(Sentence, span.sentence_id)
    if sentence is None:
        raise SpanError(f"no sentence with id {span.sentence_id}")
    if not 0 <= span.start < span.end <= len(sentence.text):
        raise SpanError(
            f"span {span.start}:{span.end} does not fit sentence {span.sentence_id} "
            f"of length {len(sentence.text)}"
        )
    return sentence


def _insert_span(recorder: ChangeRecorder, sentence: Sentence, span: NewSpan) -> Annotation:
    """Add the span to the session (not yet flushed)."""
    annotation = Annotation(
        sentence_id=sentence.id, document_id=sentence.document_id,
        annotator_id=recorder.annotator_id, label=span.label, start=span.start,
        end=span.end, doc_start=sentence.start + span.start,
        doc_end=sentence.start + span.end, text=sentence.text[span.start : span.end],
        source_id=span.source_id, **figure_columns(span.figure), attrs={},
        status=span.status, origin=span.origin,
    )
    recorder.session.add(annotation)
    return annotation


def add_span(database: Database, annotator_id: int, span: NewSpan) -> int:
    """Store one span by the annotator ``annotator_id``; returns its id. One they already
    have (same sentence, label and offsets, in any status) is refused
    (:class:`DuplicateSpanError`); :func:`tag` is the user's action."""
    with _action(database, annotator_id, "tag") as recorder:
        annotation = _insert_span(recorder, _checked_sentence(recorder.session, span), span)
        _flush_span(recorder, annotation)
        recorder.record("annotation", annotation.id, None, annotation_snapshot(annotation))
        return annotation.id


# attrs key of a suggested row holding a proposed canonical source that is not (yet) in
# the registry ({"name": ..., "type": ...}; see db/suggestions.py).
PROPOSED_SOURCE = "suggested_source"


@dataclass(frozen=True)
class PendingSource:
    """What a suggestion proposes as its canonical source, for resolving it against the
    registry as it is when the suggestion is accepted (see :data:`Resolver`): the span's
    label and text, and the name it proposes (registered then, or new)."""

    label: str
    text: str
    proposed_name: str | None
    proposed_type: str | None


# Given a suggestion's pending source and reads of the registry in the accepting
# transaction, the name of the registered source it means now, or None to keep what was
# proposed when it was computed.
Resolver = Callable[[PendingSource, RegistryReads], str | None]


def pending_source(
    session: Session, annotation: Annotation
) -> PendingSource | None:
    """The canonical-source part of a suggestion: a source span's, or a claim's with no
    source span to follow; ``None`` for any other row."""
    if annotation.label not in ("source", "claim"):
        return None
    proposed = (annotation.attrs or {}).get(PROPOSED_SOURCE)
    if isinstance(proposed, dict) and proposed.get("name"):
        name, kind = str(proposed.get("name")), proposed.get("type")
    elif annotation.source_id is not None:
        source = session.get(Source, annotation.source_id)
        name, kind = (source.name, source.source_type) if source is not None else (None, None)
    else:
        name, kind = None, None
    if annotation.label == "claim" and (name is None or session.scalar(select(exists().where(
            Link.from_id == annotation.id, Link.type == "attributed_to")))):
        return None
    return PendingSource(annotation.label, annotation.text, name,
                         str(kind) if kind is not None else None)


def accept_suggestion(
    recorder: ChangeRecorder, annotation: Annotation, resolve: Resolver | None = None
) -> None:
    """Accept one suggestion (pending or rejected) in the recorder's transaction; its
    proposed canonical source (a source span's, or a claim's with no source span) is
    mapped, so accepting means what the list showed: with ``resolve``, the registered
    source it resolves to now (issue 16: a source or alias added since the suggestion was
    computed wins), else the one proposed, registered if new (by the suggestion:
    :func:`db.sources.visible_source`)."""
    values: dict[str, Any] = {"status": "accepted"}
    attrs = dict(annotation.attrs or {})
    pending = pending_source(recorder.session, annotation)
    resolved = (resolve(pending, RegistryReads(recorder.session))
                if resolve is not None and pending is not None else None)
    if resolved:
        source_id = register_source(recorder.session, resolved, pending.proposed_type
                                    if pending is not None else None, origin=BY_SUGGESTION)
        attrs.pop(PROPOSED_SOURCE, None)
        values.update(source_id=source_id, attrs=attrs)
    else:
        proposed = attrs.pop(PROPOSED_SOURCE, None)
        name = str(proposed.get("name") or "").strip() if isinstance(proposed, dict) else ""
        if name and annotation.source_id is None and not _has_source_span(recorder,
                                                                          annotation):
            values["source_id"] = register_source(recorder.session, name,
                                                  proposed.get("type"), origin=BY_SUGGESTION)
            values["attrs"] = attrs
    _update(recorder, annotation, **values)


def _has_source_span(recorder: ChangeRecorder, annotation: Annotation) -> bool:
    return recorder.session.scalar(select(exists().where(
        Link.from_id == annotation.id, Link.type == "attributed_to"))) is True


_SAME_SPAN = select(Annotation).where(
    Annotation.annotator_id == bindparam("annotator_id"),
    Annotation.sentence_id == bindparam("sentence_id"), Annotation.label == bindparam("label"),
    Annotation.start == bindparam("start"), Annotation.end == bindparam("end"))


def tag(
    database: Database, annotator_id: int, span: NewSpan, resolve: Resolver | None = None
) -> int:
    """The user's tagging of a span: one transaction and at most one change-log group;
    returns the span's id.

    One look for the annotator's row at these offsets with this label decides: a
    suggestion (pending or rejected) is accepted (what accepting it would do, its
    proposed source registered), an accepted span (tagged again, say from another
    terminal) is returned unchanged, and with none the span is inserted. Another
    terminal inserting the same span between the look and the insert makes the
    insert fail and roll back; the rerun then finds that row.
    """
    def unit() -> int:
        with database.transaction() as session:
            sentence = _checked_sentence(session, span)
            found = session.scalar(_SAME_SPAN, {
                "annotator_id": annotator_id, "sentence_id": span.sentence_id,
                "label": span.label, "start": span.start, "end": span.end})
            if found is not None:
                if found.status != "accepted":
                    accept_suggestion(ChangeRecorder(session, annotator_id, "accept"), found,
                                      resolve)
                return found.id
            recorder = ChangeRecorder(session, annotator_id, "tag")
            annotation = _insert_span(recorder, sentence, span)
            session.flush()  # a unique violation here: the other terminal's row, see rerun
            recorder.record("annotation", annotation.id, None, annotation_snapshot(annotation))
            return annotation.id

    return rerun_on_conflict(unit)


def delete_annotation(
    database: Database, annotator_id: int, annotation_id: int
) -> SpanEdit:
    """Delete an annotation and its links (one undo step brings all of them back); returns
    what was deleted and how many links went with it."""
    with _action(database, annotator_id, "delete") as recorder:
        annotation = _own(recorder, annotation_id)
        removed = _remove_links(
            recorder, (Link.from_id == annotation_id) | (Link.to_id == annotation_id))
        before = annotation_snapshot(annotation)
        edit = SpanEdit(annotation.sentence_id, annotation.label, annotation.text, removed)
        recorder.session.delete(annotation)
        recorder.record("annotation", annotation_id, before, None)
        return edit


def relabel(
    database: Database, annotator_id: int, annotation_id: int, label: str
) -> SpanEdit:
    """Change the label; links whose ends no longer fit are removed (and logged, so undo
    restores them). Returns the span as it was and how many links were removed."""
    if label not in LABELS:
        raise SpanError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
    with _action(database, annotator_id, "relabel") as recorder:
        annotation = _own(recorder, annotation_id)
        old_label = annotation.label
        removed = change_label(recorder, annotation, label)
        return SpanEdit(annotation.sentence_id, old_label, annotation.text, removed, label)


def change_label(recorder: ChangeRecorder, annotation: Annotation, label: str) -> int:
    """Relabel inside the recorder's transaction, dropping (and logging) links that no
    longer fit and figure fields a non-figure cannot have; returns how many links went."""
    if annotation.label == label:
        return 0
    removed = 0
    for link_type, (from_label, to_label) in LINK_ENDS.items():
        if label != from_label:
            removed += _remove_links(recorder, Link.from_id == annotation.id,
                                     Link.type == link_type)
        if label != to_label:
            removed += _remove_links(recorder, Link.to_id == annotation.id,
                                     Link.type == link_type)
    values: dict[str, Any] = {"label": label}
    if label != "figure":
        values.update(figure_value=None, figure_unit=None, figure_qualifier=None)
    _update(recorder, annotation, **values)
    return removed


def set_source(
    database: Database, annotator_id: int, annotation_id: int, source_id: int | None
) -> None:
    """Map a span to a canonical source (or clear the mapping)."""
    with _action(database, annotator_id, "set_source") as recorder:
        change_source(recorder, _own(recorder, annotation_id), source_id)


def pick_source_with_alias(
    database: Database, annotator_id: int, annotation_id: int, source_id: int,
    alias: str | None,
) -> None:
    """Map a span to a registered source and record ``alias`` (the span's text, say) as
    another name of it, in one transaction: both are stored or neither."""
    def unit() -> None:
        with _action(database, annotator_id, "set_source") as recorder:
            change_source(recorder, _own(recorder, annotation_id), source_id)
            register_alias(recorder.session, source_id, alias, recorder)

    rerun_on_conflict(unit)


def create_and_set_source(
    database: Database, annotator_id: int, annotation_id: int, name: str,
    source_type: str | None, aliases: tuple[str, ...] = (),
) -> int:
    """Register a source (or find the one of that name) with ``aliases`` and map a span to
    it, in one transaction: if the span cannot take it, the registry is left as it was.
    Returns the source's id."""
    def unit() -> int:
        with _action(database, annotator_id, "set_source") as recorder:
            source_id = register_source(recorder.session, name, source_type, aliases,
                                        recorder=recorder)
            change_source(recorder, _own(recorder, annotation_id), source_id)
            return source_id

    return rerun_on_conflict(unit)


def change_source(recorder: ChangeRecorder, annotation: Annotation, source_id: int | None) -> None:
    """Set the canonical source inside the recorder's transaction (checked, logged); a
    person's choice of a source makes it theirs (:func:`db.sources.adopt_source`)."""
    if source_id is not None and recorder.session.get(Source, source_id) is None:
        raise SpanError(f"no canonical source with id {source_id}")
    if source_id is not None:
        adopt_source(recorder.session, source_id, recorder)
    _update(recorder, annotation, source_id=source_id)


def set_figure(
    database: Database, annotator_id: int, annotation_id: int,
    value: float | None, unit: str | None, qualifier: str | None,
) -> None:
    """Set a figure's normalized value, unit and qualifier."""
    with _action(database, annotator_id, "set_figure") as recorder:
        change_figure(recorder, _own(recorder, annotation_id), value, unit, qualifier)


def change_figure(
    recorder: ChangeRecorder, annotation: Annotation,
    value: float | None, unit: str | None, qualifier: str | None,
) -> None:
    """Set a figure's fields inside the recorder's transaction (checked, logged)."""
    if annotation.label != "figure":
        raise SpanError(f"annotation {annotation.id} is a {annotation.label}, not a figure")
    _update(recorder, annotation, figure_value=value, figure_unit=unit or None,
            figure_qualifier=qualifier or None)


def _claim(recorder: ChangeRecorder, claim_id: int) -> Annotation:
    claim = _own(recorder, claim_id)
    if claim.label != "claim":
        raise SpanError(f"annotation {claim_id} is a {claim.label}, not a claim")
    return claim


def _set_attribution(
    recorder: ChangeRecorder, claim: Annotation, source_id: int | None, attribution: str | None
) -> None:
    """Drop earlier attributions, then record the claim's own source fields."""
    _remove_links(recorder, Link.from_id == claim.id, Link.type == "attributed_to")
    attrs = {k: v for k, v in (claim.attrs or {}).items() if k != "attribution"}
    if attribution is not None:
        attrs["attribution"] = attribution
    if claim.source_id != source_id or attrs != (claim.attrs or {}):
        _update(recorder, claim, source_id=source_id, attrs=attrs)


def attribute_to_span(
    database: Database, annotator_id: int, claim_id: int, source_annotation_id: int
) -> None:
    """Attribute a claim to a source span of the same document."""
    with _action(database, annotator_id, "attribute") as recorder:
        claim = _claim(recorder, claim_id)
        source = recorder.session.get(Annotation, source_annotation_id)
        if source is None or source.label != "source":
            raise SpanError(f"annotation {source_annotation_id} is not a source span")
        if source.document_id != claim.document_id:
            raise SpanError("a claim can only be attributed to a source in the same document")
        _set_attribution(recorder, claim, None, None)
        link = Link(from_id=claim.id, to_id=source.id, type="attributed_to")
        recorder.session.add(link)
        recorder.session.flush()
        recorder.record("link", link.id, None, link_snapshot(link))


def attribute_to_source(
    database: Database, annotator_id: int, claim_id: int, source_id: int
) -> None:
    """Attribute a claim directly to a canonical source, with no source span."""
    with _action(database, annotator_id, "attribute") as recorder:
        claim = _claim(recorder, claim_id)
        if recorder.session.get(Source, source_id) is None:
            raise SpanError(f"no canonical source with id {source_id}")
        adopt_source(recorder.session, source_id, recorder)
        _set_attribution(recorder, claim, source_id, None)


def unattribute(database: Database, annotator_id: int, claim_id: int) -> None:
    """Mark a claim as the author's own voice (explicitly unattributed)."""
    with _action(database, annotator_id, "attribute") as recorder:
        _set_attribution(recorder, _claim(recorder, claim_id), None, "author")


def link_figure(database: Database, annotator_id: int, figure_id: int, claim_id: int) -> None:
    """Record that a figure supports a claim of the same document."""
    with _action(database, annotator_id, "link_figure") as recorder:
        figure = _own(recorder, figure_id)
        claim = recorder.session.get(Annotation, claim_id)
        if figure.label != "figure":
            raise SpanError(f"annotation {figure_id} is a {figure.label}, not a figure")
        if claim is None or claim.label != "claim":
            raise SpanError(f"annotation {claim_id} is not a claim")
        if claim.document_id != figure.document_id:
            raise SpanError("a figure can only support a claim in the same document")
        exists = recorder.session.scalar(select(Link.id).where(
            Link.from_id == figure_id, Link.to_id == claim_id, Link.type == "supports"
        ))
        if exists is not None:
            return
        link = Link(from_id=figure_id, to_id=claim_id, type="supports")
        recorder.session.add(link)
        recorder.session.flush()
        recorder.record("link", link.id, None, link_snapshot(link))


def set_sentence_state(
    database: Database, annotator_id: int, sentence_id: int, state: str | None
) -> None:
    """Set (or with ``None`` clear) this annotator's state of a sentence; logged for undo."""
    with _action(database, annotator_id, "state") as recorder:
        current = recorder.session.get(SentenceState, (recorder.annotator_id, sentence_id))
        if (current.state if current else None) != state:
            write_sentence_state(recorder.session, recorder, sentence_id, state)


def toggle_done(database: Database, annotator_id: int, sentence_id: int) -> str | None:
    """Mark the sentence done, or clear the mark if it was done, in one transaction (the
    state read and written together); logged for undo. Returns the new state."""
    with _action(database, annotator_id, "state") as recorder:
        current = recorder.session.get(SentenceState, (annotator_id, sentence_id))
        state = None if current is not None and current.state == "done" else "done"
        write_sentence_state(recorder.session, recorder, sentence_id, state)
        return state


def move(
    database: Database, annotator_id: int, left_id: int | None, arrived_id: int | None
) -> None:
    """Leave one sentence for another in one transaction, as annotator ``annotator_id``.

    The sentence left becomes done if this annotator annotated it and had not set
    its state (an undoable change, logged); the one arrived at (if any) is
    remembered so that reopening resumes there.
    """
    with database.transaction() as session:
        if (left_id is not None and left_id != arrived_id
                and leaving_marks_done(session, annotator_id, left_id)):
            write_sentence_state(session, ChangeRecorder(session, annotator_id, "state"),
                                 left_id, "done", had_state=False)
        if arrived_id is not None:
            session.execute(update(Annotator).where(Annotator.id == annotator_id)
                            .values(last_sentence_id=arrived_id))
