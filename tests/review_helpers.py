"""The small corpus the review and adjudication tests share: three sentences that ana and
bob annotate, some spans left as suggestions."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from annotator.io.importer import import_paths
from db.annotations import NewSpan, add_span, attribute_to_span, ensure_annotator, set_figure
from db.engine import Database
from db.models import Sentence

TEXT = (
    "Officials said over 160,000 people fled the city.\n"
    "The ministry reported $53 billion in damage.\n"
    "Hamas denied the [bold]report[/bold] on Monday.\n"
)


def sentence_ids(database: Database) -> list[int]:
    """The corpus's sentence ids in document order."""
    with database.engine.connect() as connection:
        return list(connection.scalars(select(Sentence.id).order_by(Sentence.id)))


def span(database: Database, annotator: str, sentence: int, words: str, label: str,
         status: str = "accepted") -> int:
    """Tag the first occurrence of ``words`` in sentence number ``sentence`` (0-based)."""
    sentence_id = sentence_ids(database)[sentence]
    with database.engine.connect() as connection:
        text = connection.scalar(select(Sentence.text).where(Sentence.id == sentence_id))
    assert text is not None and words in text
    start = text.index(words)
    annotator_id = ensure_annotator(database, annotator)
    return add_span(database, annotator_id, NewSpan(sentence_id, label, start, start + len(words),
                                                    status=status))


def build_review_corpus(database: Database, folder: Path) -> dict[str, int]:
    """Three sentences; ana and bob annotate, some spans are suggestions. Returns ids by name."""
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    summary = import_paths(database, [folder / "a.txt"])
    assert not summary.problems
    ids = {
        "ana_claim": span(database, "ana", 0, "over 160,000 people fled the city", "claim"),
        "ana_source": span(database, "ana", 0, "Officials", "source"),
        "ana_figure": span(database, "ana", 0, "over 160,000 people", "figure"),
        "bob_claim": span(database, "bob", 0, "over 160,000 people fled the city", "claim"),
        "bob_figure": span(database, "bob", 1, "$53 billion", "figure", status="suggested"),
        "bob_source": span(database, "bob", 2, "Hamas", "source", status="suggested"),
        "ana_markup": span(database, "ana", 2, "[bold]report[/bold]", "claim"),
    }
    ana_id = ensure_annotator(database, "ana")
    attribute_to_span(database, ana_id, ids["ana_claim"], ids["ana_source"])
    set_figure(database, ana_id, ids["ana_figure"], 160000, "people", "over")
    return ids
