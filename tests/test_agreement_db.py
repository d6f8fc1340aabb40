"""``build_report`` and ``annotator agreement`` over real databases (SQLite and PostgreSQL).

The fixture (sentence offsets in brackets), hand-counted in each test:

    1 "Hamas said over 160,000 people were hurt."   done by ana and ben
       ana: source [0,5] Hamas; claim [11,40] attributed to that span; figure [11,30]
            160000 people, qualifier over
       ben: source [0,5] Hamas; claim [11,41] attributed to that span; figure [16,30]
            160000 people, no qualifier; a rejected claim [0,5]
    2 "The ministry denied it."                     done by ana and ben
       ana: source [0,12] Ministry; claim [13,22], the author's own voice
       ben: source [4,12] Ministry
    3 "Nothing else happened."                      done by ana only
       ana: claim [0,21]
       gold: claim [0,21] (excluded unless named)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.reports.agreement import AgreementError, AgreementReport, SpanScore, build_report
from db.annotations import (
    NewSpan,
    add_span,
    attribute_to_span,
    ensure_annotator,
    set_sentence_state,
    unattribute,
)
from db.engine import Database, open_database
from db.sources import create_source
from db.values import Figure

TEXT = "Hamas said over 160,000 people were hurt. The ministry denied it. Nothing else happened.\n"


def _fill(database: Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    summary = import_paths(database, [tmp_path / "a.txt"])
    assert not summary.problems
    hamas = create_source(database, "Hamas", "party_or_armed_group")
    ministry = create_source(database, "Ministry", "government")
    ana_id, ben_id, gold_id = (ensure_annotator(database, name) for name in ("ana", "ben", "gold"))
    for name, claim_end, figure_start, qualifier in (("ana", 40, 11, "over"),
                                                     ("ben", 41, 16, None)):
        name_id = ensure_annotator(database, name)
        source = add_span(database, name_id, NewSpan(1, "source", 0, 5, source_id=hamas))
        claim = add_span(database, name_id, NewSpan(1, "claim", 11, claim_end))
        attribute_to_span(database, name_id, claim, source)
        add_span(database, name_id, NewSpan(1, "figure", figure_start, 30,
                                            figure=Figure(160000, "people", qualifier)))
    add_span(database, ben_id, NewSpan(1, "claim", 0, 5, status="rejected", origin="suggested"))
    add_span(database, ana_id, NewSpan(2, "source", 0, 12, source_id=ministry))
    unattribute(database, ana_id, add_span(database, ana_id, NewSpan(2, "claim", 13, 22)))
    add_span(database, ben_id, NewSpan(2, "source", 4, 12, source_id=ministry))
    add_span(database, ana_id, NewSpan(3, "claim", 0, 21))
    add_span(database, gold_id, NewSpan(3, "claim", 0, 21))
    for name, sentences in (("ana", (1, 2, 3)), ("ben", (1, 2)), ("gold", (3,))):
        name_id = ensure_annotator(database, name)
        for sentence_id in sentences:
            set_sentence_state(database, name_id, sentence_id, "done")


@pytest.fixture
def filled(database: Database, tmp_path: Path) -> Database:
    _fill(database, tmp_path)
    return database


def _score(report: AgreementReport, label: str, match: str) -> SpanScore:
    return next(score for score in report.spans if (score.label, score.match) == (label, match))


def test_done_sentences_only_and_default_annotators(filled: Database) -> None:
    report = build_report(filled)
    assert report.annotators == ["ana", "ben"]  # gold is left out by default
    assert report.sentences == 2  # sentence 3 is not done by ben
    claim_exact, claim_overlap = _score(report, "claim", "exact"), _score(report, "claim",
                                                                          "overlap")
    # The rejected claim of ben and ana's claim in sentence 3 do not count.
    assert (claim_exact.a_spans, claim_exact.b_spans, claim_exact.matched) == (2, 1, 0)
    assert (claim_overlap.matched, claim_overlap.precision, claim_overlap.recall) == (1, 1.0, 0.5)
    assert claim_overlap.f1 == pytest.approx(2 / 3)
    source_exact = _score(report, "source", "exact")
    assert (source_exact.matched, source_exact.f1) == (1, 0.5)
    assert _score(report, "source", "overlap").f1 == 1.0
    assert _score(report, "figure", "exact").matched == 0
    overall = _score(report, "all", "overlap")
    assert (overall.a_spans, overall.b_spans, overall.matched) == (5, 4, 4)
    assert overall.f1 == pytest.approx(8 / 9)


def test_categorical_items_and_figures(filled: Database) -> None:
    report = build_report(filled)
    by_item = {category.item: category for category in report.categories}
    source_type = by_item["source_type"]
    # Two matched source pairs, both the same type, two types in all: kappa and alpha 1.
    assert (source_type.pairs[0].matched, source_type.pairs[0].pairs) == (2, 2)
    assert source_type.pairs[0].kappa == pytest.approx(1.0)
    assert (source_type.units, source_type.alpha) == (2, pytest.approx(1.0))
    attribution = by_item["attribution"]
    # One matched claim pair, both attributed to Hamas: agreement, but kappa is undefined
    # (one category); ana's own-voice claim has no counterpart, so no pairable unit.
    assert (attribution.pairs[0].pairs, attribution.pairs[0].observed) == (1, 1.0)
    assert attribution.pairs[0].kappa is None
    assert (attribution.units, attribution.alpha) == (1, None)
    (figures,) = report.figures
    assert (figures.matched, figures.comparable, figures.value_unit, figures.qualifier) == (
        1, 1, 1.0, 0.0)


def test_all_sentences_and_filters(filled: Database) -> None:
    everything = build_report(filled, all_sentences=True)
    assert everything.sentences == 3
    assert _score(everything, "claim", "exact").a_spans == 3
    only_claims = build_report(filled, ["ana", "gold"], labels=["claim"], all_sentences=True)
    assert only_claims.labels == ["claim"]
    assert {score.label for score in only_claims.spans} == {"claim", "all"}
    assert only_claims.figures == []
    exact = _score(only_claims, "claim", "exact")
    assert (exact.a_spans, exact.b_spans, exact.matched) == (3, 1, 1)
    # ana and gold both finished only sentence 3 together.
    assert build_report(filled, ["ana", "gold"]).sentences == 1
    assert build_report(filled, documents=[99]).sentences == 0


def test_three_annotators_give_every_pair(filled: Database) -> None:
    report = build_report(filled, ["ben", "ana", "gold"], all_sentences=True)
    pairs = {(score.annotator_a, score.annotator_b) for score in report.spans}
    assert pairs == {("ben", "ana"), ("ben", "gold"), ("ana", "gold")}
    assert json.loads(json.dumps(report.to_dict()))["annotators"] == ["ben", "ana", "gold"]
    # Alpha does not depend on the order the annotators are named in; F1 not on who is A.
    reordered = build_report(filled, ["gold", "ana", "ben"], all_sentences=True)
    assert [c.alpha for c in reordered.categories] == [c.alpha for c in report.categories]
    f1 = {(s.annotator_a, s.annotator_b, s.label, s.match): s.f1 for s in report.spans}
    assert all(f1[(s.annotator_b, s.annotator_a, s.label, s.match)] == s.f1
               for s in reordered.spans)


def test_unmapped_spans_are_missing_types_and_compared_by_position(
    database: Database, tmp_path: Path
) -> None:
    (tmp_path / "b.txt").write_text("Officials said the toll rose.\n", encoding="utf-8")
    assert not import_paths(database, [tmp_path / "b.txt"]).problems
    officials = create_source(database, "Officials", "government")
    for name, mapped in (("ana", None), ("ben", officials), ("cai", None)):
        name_id = ensure_annotator(database, name)
        source = add_span(database, name_id, NewSpan(1, "source", 0, 9, source_id=mapped))
        claim = add_span(database, name_id, NewSpan(1, "claim", 15, 28))
        attribute_to_span(database, name_id, claim, source)
        set_sentence_state(database, name_id, 1, "done")
    report = build_report(database)
    by_item = {category.item: category for category in report.categories}
    # Only ben mapped his source span: every pair is matched, none has two types to compare.
    assert [(p.matched, p.pairs) for p in by_item["source_type"].pairs] == [(1, 0)] * 3
    assert (by_item["source_type"].units, by_item["source_type"].alpha) == (0, None)
    # ana and cai attributed the claim to the same unmapped span, ben to the source.
    attribution = {(p.annotator_a, p.annotator_b): p for p in by_item["attribution"].pairs}
    assert attribution[("ana", "cai")].observed == 1.0
    assert (attribution[("ana", "ben")].observed, attribution[("ana", "ben")].kappa) == (
        0.0, 0.0)
    # One unit, values span, source, span: o(span,span) = 1, o(span,source) = o(source,span)
    # = 1, n = 3; alpha = 1 - (n - 1) * 2 / (2*1 + 1*2) = 0.
    assert (by_item["attribution"].units, by_item["attribution"].alpha) == (1, pytest.approx(0.0))


def test_errors_name_the_problem(filled: Database) -> None:
    with pytest.raises(AgreementError, match="no annotator called 'zoe'"):
        build_report(filled, ["ana", "zoe"])
    with pytest.raises(AgreementError, match="at least two annotators"):
        build_report(filled, ["ana"])
    with pytest.raises(AgreementError, match="unknown label 'quote'"):
        build_report(filled, labels=["quote"])


def test_empty_database_has_too_few_annotators(database: Database) -> None:
    with pytest.raises(AgreementError, match=r"found none"):
        build_report(database)


# --- the command -----------------------------------------------------------------------------
@pytest.fixture
def filled_url(db_url: str, tmp_path: Path) -> str:
    database = open_database(db_url)
    try:
        _fill(database, tmp_path)
    finally:
        database.dispose()
    return db_url


def test_agreement_command_table(runner: CliRunner, filled_url: str) -> None:
    result = runner.invoke(cli, ["agreement", "--db", filled_url])
    assert result.exit_code == 0, result.output
    assert "ana, ben: 2 sentences done by all compared annotators" in result.stdout
    rows = [line.split() for line in result.stdout.splitlines()]
    # pair, label, match, |A|, |B|, matched, P, R, F1
    assert ["│", "ana", "│", "ben", "│", "claim", "│", "overlap", "│", "2", "│", "1", "│", "1", "│",
            "1.000", "│", "0.500", "│", "0.667", "│"] in rows


def test_agreement_command_json_and_options(runner: CliRunner, filled_url: str) -> None:
    result = runner.invoke(cli, ["agreement", "--annotators", "ana", "gold", "--label", "claim",
                                 "--all", "--json", "--db", filled_url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["annotators"], data["sentences"], data["labels"]) == (
        ["ana", "gold"], 3, ["claim"])
    exact = next(row for row in data["spans"] if row["label"] == "claim"
                 and row["match"] == "exact")
    assert (exact["a_spans"], exact["b_spans"], exact["matched"]) == (3, 1, 1)


def test_annotators_takes_several_names_and_needs_one(runner: CliRunner, filled_url: str) -> None:
    result = runner.invoke(cli, ["agreement", "--annotators", "ana", "gold", "--annotators",
                                 "ben", "--json", "--all", "--db", filled_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["annotators"] == ["ana", "gold", "ben"]
    result = runner.invoke(cli, ["agreement", "--annotators", "--json", "--db", filled_url])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == \
        "Error: --annotators needs at least one name"


@pytest.mark.parametrize(("arguments", "message"), [
    (["--annotators", "ana", "zoe"], "Error: no annotator called 'zoe'"),
    (["--annotators", "ana"], "Error: agreement needs at least two annotators (found 'ana')"),
    (["--document", "42"], "Error: no document with id 42"),
])
def test_agreement_command_errors(
    runner: CliRunner, filled_url: str, arguments: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["agreement", *arguments, "--db", filled_url])
    assert result.exit_code == 1
    assert result.stderr.strip() == message
