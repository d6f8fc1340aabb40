"""A corpus where ana and bob mark the same claim but attribute it differently (issue 15,
item 4), shared by the adjudication tests of the database and of the screen.

Sentence 0: ana marks “Hamas” (with its quotes) as a source mapped to Hamas, bob marks
Hamas (without) mapped to Hamas and "the army" mapped to Israeli army. Both mark the claim
"160,000 people fled the city": ana attributes it to her “Hamas”, bob to "the army". Both
mark the figure "160,000 people" (160000 people); ana's supports her claim. Sentence 1:
both mark the same claim, attributed to nobody, alike (an agreed row).
"""

from __future__ import annotations

from pathlib import Path

from review_helpers import span
from sqlalchemy import select

from annotator.io.importer import import_paths
from db.annotations import attribute_to_span, ensure_annotator, link_figure, set_figure
from db.annotations import set_source as map_source
from db.engine import Database
from db.models import Annotation, Annotator, Link, Source
from db.sources import create_source

TEXT = (
    "“Hamas” said 160,000 people fled the city, the army said.\n"
    "Talks resumed in Cairo on Monday.\n"
)
CLAIM = "160,000 people fled the city"


def build_attribution_corpus(database: Database, folder: Path) -> dict[str, int]:
    """The corpus above; returns the annotations' ids by name."""
    folder.mkdir(exist_ok=True)
    (folder / "news.txt").write_text(TEXT, encoding="utf-8")
    summary = import_paths(database, [folder / "news.txt"])
    assert not summary.problems
    hamas = create_source(database, "Hamas", "organization")
    army = create_source(database, "Israeli army", "military")
    ana, bob = ensure_annotator(database, "ana"), ensure_annotator(database, "bob")
    ids = {
        "ana_hamas": span(database, "ana", 0, "“Hamas”", "source"),
        "bob_hamas": span(database, "bob", 0, "Hamas", "source"),
        "bob_army": span(database, "bob", 0, "the army", "source"),
        "ana_claim": span(database, "ana", 0, CLAIM, "claim"),
        "bob_claim": span(database, "bob", 0, CLAIM, "claim"),
        "ana_figure": span(database, "ana", 0, "160,000 people", "figure"),
        "bob_figure": span(database, "bob", 0, "160,000 people", "figure"),
        "ana_talks": span(database, "ana", 1, "Talks resumed in Cairo", "claim"),
        "bob_talks": span(database, "bob", 1, "Talks resumed in Cairo", "claim"),
    }
    map_source(database, ana, ids["ana_hamas"], hamas)
    map_source(database, bob, ids["bob_hamas"], hamas)
    map_source(database, bob, ids["bob_army"], army)
    attribute_to_span(database, ana, ids["ana_claim"], ids["ana_hamas"])
    attribute_to_span(database, bob, ids["bob_claim"], ids["bob_army"])
    set_figure(database, ana, ids["ana_figure"], 160000, "people", None)
    set_figure(database, bob, ids["bob_figure"], 160000, "people", None)
    link_figure(database, ana, ids["ana_figure"], ids["ana_claim"])
    link_figure(database, bob, ids["bob_figure"], ids["bob_claim"])
    return ids


def gold_spans(database: Database) -> list[tuple[str, str, str]]:
    """Gold's spans as (label, text, status), in document order."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Annotation.label, Annotation.text, Annotation.status)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotator.name == "gold")
            .order_by(Annotation.doc_start, Annotation.label, Annotation.doc_end))
        return [(label, text, status) for label, text, status in rows]


def gold_claim_sources(database: Database) -> dict[str, str | None]:
    """Each accepted gold claim's text and the canonical source it is attributed to:
    through its gold source span (which must be gold's too), else directly."""
    with database.engine.connect() as connection:
        gold = connection.scalar(select(Annotator.id).where(Annotator.name == "gold"))
        claims = connection.execute(
            select(Annotation.id, Annotation.text, Annotation.source_id)
            .where(Annotation.annotator_id == gold, Annotation.label == "claim",
                   Annotation.status == "accepted")).all()
        found: dict[str, str | None] = {}
        for claim_id, text, own in claims:
            target = connection.execute(
                select(Annotation.annotator_id, Annotation.source_id)
                .join(Link, Link.to_id == Annotation.id)
                .where(Link.from_id == claim_id, Link.type == "attributed_to")).first()
            if target is not None:
                assert target[0] == gold  # a gold claim's source span is gold's
            source_id = target[1] if target is not None else own
            found[text] = connection.scalar(select(Source.name).where(Source.id == source_id))
        return found


def gold_claim_figures(database: Database) -> dict[str, list[tuple[str, float | None,
                                                                    str | None]]]:
    """Each gold claim's supporting gold figures: (text, value, unit)."""
    with database.engine.connect() as connection:
        gold = connection.scalar(select(Annotator.id).where(Annotator.name == "gold"))
        claim_ids = dict(connection.execute(
            select(Annotation.id, Annotation.text)
            .where(Annotation.annotator_id == gold, Annotation.label == "claim")).all())
        found: dict[str, list[tuple[str, float | None, str | None]]] = {
            text: [] for text in claim_ids.values()}
        rows = connection.execute(
            select(Link.to_id, Annotation.annotator_id, Annotation.text,
                   Annotation.figure_value, Annotation.figure_unit)
            .join(Annotation, Annotation.id == Link.from_id)
            .where(Link.type == "supports", Link.to_id.in_(list(claim_ids))))
        for claim_id, owner, text, value, unit in rows:
            assert owner == gold
            found[claim_ids[claim_id]].append((text, value, unit))
        return found
