"""Annotation spans: database constraints and the offset invariant."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from annotator.io.importer import import_paths
from db.annotations import NewSpan, SpanError, add_span, ensure_annotator
from db.engine import Database, open_database
from db.models import Annotation, ChangeLogEntry, Document, Sentence


@pytest.fixture
def imported(database: Database, tmp_path: Path) -> Database:
    (tmp_path / "a.txt").write_text(
        "Hamas spokesperson Abdul Latif Al-Qanoua said talks go on.\n"
        "Egypt’s State Information Service confirmed over 160,000 casualties.\n",
        encoding="utf-8",
    )
    import_paths(database, [tmp_path / "a.txt"])
    return database


def test_span_offsets_in_sentence_and_document(imported: Database) -> None:
    sentence_text = "Egypt’s State Information Service confirmed over 160,000 casualties."
    start = sentence_text.index("over 160,000")
    ana_id = ensure_annotator(imported, "ana")
    annotation_id = add_span(imported, ana_id, NewSpan(sentence_id=2, label="figure",
                                                      start=start, end=start + 12))
    with imported.transaction() as session:
        annotation = session.get_one(Annotation, annotation_id)
        sentence = session.get_one(Sentence, annotation.sentence_id)
        document = session.get_one(Document, annotation.document_id)
        assert annotation.text == "over 160,000"
        assert sentence.text[annotation.start : annotation.end] == annotation.text
        assert document.text[annotation.doc_start : annotation.doc_end] == annotation.text
        log = session.scalars(select(ChangeLogEntry)).one()
        assert (log.action, log.entity, log.entity_id) == ("tag", "annotation", annotation_id)
        assert log.after is not None and log.after["text"] == "over 160,000"


def test_span_outside_sentence_or_bad_label_refused(imported: Database) -> None:
    ana_id = ensure_annotator(imported, "ana")
    with pytest.raises(SpanError, match="does not fit"):
        add_span(imported, ana_id, NewSpan(sentence_id=1, label="claim", start=10, end=500))
    with pytest.raises(SpanError, match="unknown label"):
        add_span(imported, ana_id, NewSpan(sentence_id=1, label="opinion", start=0, end=5))


def test_duplicate_span_refused_by_the_database(imported: Database) -> None:
    span = NewSpan(sentence_id=1, label="source", start=0, end=40)
    ana_id = ensure_annotator(imported, "ana")
    add_span(imported, ana_id, span)
    ben_id = ensure_annotator(imported, "ben")
    add_span(imported, ben_id, span)  # another annotator may tag the same span
    with pytest.raises(SpanError, match=r"^“.+” is already tagged as source$"):
        add_span(imported, ana_id, span)  # the database's constraint, told as a user error


def test_check_constraint_on_offsets(imported: Database) -> None:
    with pytest.raises(IntegrityError), imported.transaction() as session:
        session.add(Annotation(sentence_id=1, document_id=1, annotator_id=1, label="claim",
                               start=5, end=5, doc_start=5, doc_end=5, text=""))
        session.flush()


def test_deleting_a_document_cascades(imported: Database) -> None:
    ana_id = ensure_annotator(imported, "ana")
    add_span(imported, ana_id, NewSpan(sentence_id=1, label="claim", start=0, end=5))
    with imported.transaction() as session:
        session.execute(delete(Document))
    with imported.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Sentence)) == 0
        assert session.scalar(select(func.count()).select_from(Annotation)) == 0


TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_characters="\x00\r"),
        st.sampled_from(list(". “”\n👍🏽é\u0301\u202eالعربية中文")),
    ),
    min_size=1, max_size=200,
).filter(lambda text: bool(text.strip()))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS, picks=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6),
                                            st.sampled_from(["claim", "source", "figure"])),
                                  max_size=8))
def test_property_every_span_matches_both_texts(
    text: str, picks: list[tuple[int, int, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("span")
    (folder / "doc.txt").write_text(text, encoding="utf-8", newline="")
    database = open_database(str(folder / "p.db"))
    try:
        import_paths(database, [folder / "doc.txt"])
        with database.transaction() as session:
            sentences = [(s.id, len(s.text)) for s in session.scalars(select(Sentence))]
        prop_id = ensure_annotator(database, "prop")
        for number, (a, b, label) in enumerate(picks):
            sentence_id, length = sentences[number % len(sentences)]
            start, end = sorted((a % length, b % length + 1))
            if start == end:
                continue
            with contextlib.suppress(SpanError):  # the same span twice is refused
                add_span(database, prop_id, NewSpan(sentence_id, label, start, end))
        with database.transaction() as session:
            for annotation, sentence, document in session.execute(
                select(Annotation, Sentence, Document)
                .join(Sentence, Sentence.id == Annotation.sentence_id)
                .join(Document, Document.id == Annotation.document_id)
            ):
                assert sentence.text[annotation.start : annotation.end] == annotation.text
                assert document.text[annotation.doc_start : annotation.doc_end] == annotation.text
            for sentence, document in session.execute(
                select(Sentence, Document).join(Document)
            ):
                assert document.text[sentence.start : sentence.end] == sentence.text
    finally:
        database.dispose()
