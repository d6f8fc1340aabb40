"""The extended stats: active time, pace, sources and types, the command's tables and bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from annotator.cli import cli
from annotator.io.importer import import_paths
from annotator.reports.stats import StatsReport, TypeUsage, active_time, build_stats, by_type
from annotator.reports.stats_tables import bar, duration, source_table
from db.annotations import (
    NewSpan,
    add_span,
    attribute_to_source,
    attribute_to_span,
    ensure_annotator,
    link_figure,
    set_sentence_state,
)
from db.engine import Database, open_database
from db.models import Annotator, ChangeLogEntry
from db.sources import create_source
from db.stats import SourceUsage
from db.values import Figure

TEXT = "Hamas said 5 people died. The ministry denied it.\n"
BASE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_active_time_excludes_idle_gaps_whole() -> None:
    seconds = [0, 60, 180, 480, 1000, 1030]  # gaps 60, 120, 300 (kept), 520 (a break), 30
    times = [BASE + timedelta(seconds=s) for s in reversed(seconds)]
    assert active_time(times) == timedelta(seconds=60 + 120 + 300 + 30)
    assert active_time([BASE]) == timedelta()
    assert active_time([]) == timedelta()


def test_bar_and_duration() -> None:
    assert bar(5, 10, width=4).plain == "██"
    assert bar(1, 16, width=2).plain == "▏"  # one eighth of a cell
    assert bar(0, 10).plain == bar(3, 0).plain == ""
    assert (duration(40), duration(12 * 60), duration(3900)) == ("40 s", "12 min", "1 h 05 min")


def _fill(database: Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    assert not import_paths(database, [tmp_path / "a.txt"]).problems
    hamas = create_source(database, "Hamas", "party_or_armed_group")
    ministry = create_source(database, "[b]Gov[/b]", "government")
    ana_id = ensure_annotator(database, "ana")
    source = add_span(database, ana_id, NewSpan(1, "source", 0, 5, source_id=hamas))
    claim = add_span(database, ana_id, NewSpan(1, "claim", 11, 24))
    attribute_to_span(database, ana_id, claim, source)
    figure = add_span(database, ana_id, NewSpan(1, "figure", 11, 19, figure=Figure(5)))
    link_figure(database, ana_id, figure, claim)
    denial = add_span(database, ana_id, NewSpan(2, "claim", 13, 22))
    attribute_to_source(database, ana_id, denial, ministry)
    set_sentence_state(database, ana_id, 1, "done")
    ben_id = ensure_annotator(database, "ben")
    ben_claim = add_span(database, ben_id, NewSpan(1, "claim", 11, 24, origin="imported"))
    attribute_to_source(database, ben_id, ben_claim, hamas)
    rejected = add_span(database, ben_id, NewSpan(1, "figure", 11, 12, status="rejected",
                                                 origin="suggested"))
    link_figure(database, ben_id, rejected, ben_claim)


def _space_out_actions(database: Database, name: str) -> int:
    """Give ``name``'s log entries times 2 min apart, with one 15-minute break after the third
    and 1 min apart after it; returns how many entries there are."""
    with database.transaction() as session:
        ids = list(session.scalars(
            select(ChangeLogEntry.id).join(Annotator, Annotator.id == ChangeLogEntry.annotator_id)
            .where(Annotator.name == name).order_by(ChangeLogEntry.id)))
        offsets = [0, 120, 240] + [240 + 900 + 60 * k for k in range(len(ids) - 3)]
        for entry_id, offset in zip(ids, offsets, strict=True):
            session.execute(update(ChangeLogEntry).where(ChangeLogEntry.id == entry_id)
                            .values(at=BASE + timedelta(seconds=offset)))
    return len(ids)


def test_stats_per_annotator_source_and_type(database: Database, tmp_path: Path) -> None:
    _fill(database, tmp_path)
    entries = _space_out_actions(database, "ana")
    assert entries >= 5
    report = build_stats(database)
    ana, ben = report.annotators
    assert (ana.name, ana.sentences_done, ana.annotations) == (
        "ana", 1, {"source": 1, "claim": 2, "figure": 1})
    # Gaps: 2 min, 2 min, then a 15-minute break (left out), then 1 min each.
    active = 240 + 60 * (entries - 4)
    assert ana.active_seconds == pytest.approx(active)
    assert ana.per_hour == pytest.approx(4 * 3600 / active)
    # ben's claim was imported and his figure rejected: nothing made here, no pace (all his
    # actions happened within the same second).
    assert (ben.sentences_done, ben.annotations, ben.made_here, ben.per_hour) == (
        0, {"claim": 1}, 0, None)
    by_name = {source.name: source for source in report.sources}
    # Hamas: ana's claim (through her span) and ben's (directly); ana's figure supports hers;
    # ben's rejected figure does not count.
    assert (by_name["Hamas"].claims, by_name["Hamas"].figures) == (2, 1)
    assert (by_name["[b]Gov[/b]"].claims, by_name["[b]Gov[/b]"].figures) == (1, 0)
    assert [source.name for source in report.sources] == ["Hamas", "[b]Gov[/b]"]
    assert report.types == [TypeUsage("party_or_armed_group", 1, 2, 1),
                            TypeUsage("government", 1, 1, 0)]


def test_stats_command_shows_tables_and_bars(runner: CliRunner, db_url: str,
                                             tmp_path: Path) -> None:
    database = open_database(db_url)
    try:
        _fill(database, tmp_path)
    finally:
        database.dispose()
    result = runner.invoke(cli, ["stats", "--db", db_url])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[:2] == ["documents: 1", "sentences: 2"]
    for title in ("Annotations per label", "Annotators", "Canonical sources", "Source types"):
        assert title in out
    # A source name is shown as typed, never read as markup.
    assert "[b]Gov[/b]" in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines()
            if line.startswith("│")}
    assert "█" * 12 in rows["Hamas"]  # the most claims: a full bar
    assert "█" * 6 in rows["[b]Gov[/b]"] and "█" * 7 not in rows["[b]Gov[/b]"]
    assert rows["ana"].split("│")[2].strip() == "1"  # sentences done


def test_source_table_shows_the_top_twenty_and_says_how_many_more() -> None:
    sources = [SourceUsage(number, f"Source {number}", "ngo", 30 - number, 0)
               for number in range(1, 26)]
    report = StatsReport(1, 1, {}, [], sources, by_type(sources))
    table = source_table(report)
    assert table.row_count == 20
    assert table.caption == "and 5 more sources"
    assert source_table(report, limit=30).caption is None
    assert report.types == [TypeUsage("ngo", 25, sum(range(5, 30)), 0)]
