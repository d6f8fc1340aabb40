"""Review screen responsiveness on a large database, beside baselines measured in the same run.

Builds (or reuses) a SQLite database with ``--annotations`` annotations (the
corpus of ``bench_export``: five spans per synthetic sentence, three annotators),
then measures:

* **open**: the review app under Textual's Pilot, from starting the app to the
  first page of rows on screen (count, first page, the selected row's context),
  beside a baseline app that shows a DataTable of a page of constant rows under
  the same harness (what Textual and Pilot cost alone);
* **data** (no Textual): what each key asks of the database (first page and
  count; a label, an annotator, a text filter; the page after row 100,000; the
  label sort), each beside a raw ``sqlite3`` query for the same page;
* **filter in the app**: applying a filter through the filter dialog under Pilot
  (from pressing enter to the new first page shown), beside the baseline app
  closing a one-input dialog on enter and replacing its rows;
* **adjudication** (no Textual): the first sentence of two annotators and its
  groups, and a step to the next sentence;
* **bulk**: accepting every row of an annotator's figures and undoing it.

Medians of ``--repeat`` runs. Usage:
python benchmarks/bench_review.py [--annotations 200000] [--db PATH] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_export import SPANS_PER_SENTENCE, build_annotations
from corpus_builder import build
from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input

from annotator.review.adjudication_session import AdjudicationSession
from annotator.review.session import ReviewSession
from annotator.tui.review_app import ReviewApp
from annotator.tui.screens.review import ReviewScreen
from db.engine import open_database
from db.filters import AnnotationFilter
from db.read_models import ReviewQuery
from db.review import PAGE_SIZE

SIZE = (140, 40)
RAW_PAGE = """
SELECT a.id, a.document_id, d.title, a.sentence_id, s."index", a.label, a.text, a.start,
       a."end", n.name, a.status, a.origin, a.source_id, src.name, src.source_type,
       a.figure_value, a.figure_unit, a.figure_qualifier, a.note, r.name, a.reviewed_at
FROM annotations a JOIN annotators n ON n.id = a.annotator_id
JOIN sentences s ON s.id = a.sentence_id JOIN documents d ON d.id = a.document_id
LEFT JOIN sources src ON src.id = a.source_id LEFT JOIN annotators r ON r.id = a.reviewed_by
{where} ORDER BY {order} LIMIT {limit}
"""


def median_ms(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class BaselineDialog(ModalScreen[str]):
    """One input; enter closes it (the review filter dialog's shape, nothing else)."""

    def compose(self) -> ComposeResult:
        yield Input("figure")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class BaselineApp(App[None]):
    """A DataTable of a page of constant rows; ``r`` opens a dialog whose enter replaces them.

    What Textual and Pilot cost alone to show a first table, and to close a dialog
    and show other rows.
    """

    BINDINGS = [("r", "replace", "Replace rows")]

    def __init__(self) -> None:
        super().__init__()
        self.replaced = 0

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(f"c{n}" for n in range(9)))
        self._fill(table)

    def _fill(self, table: DataTable) -> None:
        for number in range(PAGE_SIZE):
            table.add_row(*(f"cell {number} {n} {self.replaced}" for n in range(9)))

    def action_replace(self) -> None:
        def closed(_value: str | None) -> None:
            table = self.query_one(DataTable)
            table.clear()
            self.replaced += 1
            self._fill(table)

        self.push_screen(BaselineDialog(), closed)


async def _baseline_replace() -> float:
    app = BaselineApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("enter")
        while app.replaced == 0:
            await pilot.pause()
        elapsed = time.perf_counter() - started
    return elapsed * 1000


async def _open(make: Callable[[], App[None]], ready: Callable[[App[None]], bool]) -> float:
    started = time.perf_counter()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        while not ready(app):
            await pilot.pause()
        elapsed = time.perf_counter() - started
        await pilot.press("q") if isinstance(app, ReviewApp) else app.exit()
    return elapsed * 1000


def _review_ready(app: App[None]) -> bool:
    screen = app.screen_stack[0] if app.screen_stack else None
    return isinstance(screen, ReviewScreen) and screen.table.row_count > 0


async def _filter_in_app(db: str, field: str, value: str) -> float:
    """Pilot: open the filter dialog, type a filter, press enter; time to the new page."""
    database = open_database(db)
    app = ReviewApp(ReviewSession(database, "bench"))
    async with app.run_test(size=SIZE) as pilot:
        while not _review_ready(app):
            await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        app.screen.query_one(f"#filter-{field}", Input).value = value
        screen = app.screen_stack[0]
        assert isinstance(screen, ReviewScreen)
        old = screen.query_now
        started = time.perf_counter()
        await pilot.press("enter")
        while screen.query_now == old or app.screen is not screen:
            await pilot.pause()
        elapsed = time.perf_counter() - started
        await pilot.press("q")
    database.dispose()
    return elapsed * 1000


def data_rows(db: str, repeat: int) -> list[tuple[str, float, float]]:
    """(what, annotator's ms, raw sqlite3 ms) for each database step of the review screen."""
    database = open_database(db)
    session = ReviewSession(database, "bench")
    raw = sqlite3.connect(db)
    position = 'a.document_id, a.doc_start, a.id'
    cases: list[tuple[str, ReviewQuery, str, str]] = [
        ("first page + count (no filter)", ReviewQuery(), "", position),
        ("label = figure", ReviewQuery(AnnotationFilter(labels=("figure",))),
         "WHERE a.label = 'figure'", position),
        ("annotator = bob", ReviewQuery(AnnotationFilter(annotators=("bob",))),
         "WHERE a.annotator_id = (SELECT id FROM annotators WHERE name = 'bob')", position),
        ("text contains 'ceasefire'", ReviewQuery(text="ceasefire"),
         "WHERE lower(a.text) LIKE '%ceasefire%'", position),
        ("annotator = bob, label = figure, text 'cairo'",
         ReviewQuery(AnnotationFilter(annotators=("bob",), labels=("figure",)), text="cairo"),
         "WHERE a.annotator_id = (SELECT id FROM annotators WHERE name = 'bob') "
         "AND a.label = 'figure' AND lower(a.text) LIKE '%cairo%'", position),
        ("sorted by label", ReviewQuery(sort="label"), "", "a.label, a.id"),
    ]
    results = []
    for what, query, where, order in cases:
        ours = median_ms(lambda q=query: (session.count(q), session.page(q)), repeat)
        baseline = median_ms(lambda w=where, o=order: (
            raw.execute(f"SELECT count(*) FROM annotations a {w}").fetchone(),
            raw.execute(RAW_PAGE.format(where=w, order=o, limit=PAGE_SIZE)).fetchall()), repeat)
        results.append((what, ours, baseline))
    # Deep in the listing: the page after row 100,000 (keyset, no OFFSET).
    middle = session.page(ReviewQuery())
    after = middle[-1].sort_key
    for _ in range(100_000 // PAGE_SIZE - 1):
        after = session.page(ReviewQuery(), after)[-1].sort_key
    ours = median_ms(lambda: session.page(ReviewQuery(), after), repeat)
    key = ", ".join(str(part) for part in after)
    baseline = median_ms(lambda: raw.execute(RAW_PAGE.format(
        where=f"WHERE (a.document_id, a.doc_start, a.id) > ({key})", order=position,
        limit=PAGE_SIZE)).fetchall(),
        repeat)
    results.append(("page after row 100,000 (keyset)", ours, baseline))
    context = median_ms(lambda: session.context(middle[0].sentence_id), repeat)
    results.append(("selected row's sentence in context", context, float("nan")))
    adjudication = AdjudicationSession(database, "bench", ("ana", "bob"))
    first = adjudication.first_sentence()
    assert first is not None
    results.append(("adjudication: first sentence and its groups", median_ms(
        lambda: adjudication.groups(adjudication.first_sentence() or 0), repeat), float("nan")))
    results.append(("adjudication: next sentence (`j`) and its groups", median_ms(
        lambda: adjudication.groups(adjudication.next_sentence(first) or 0), repeat),
        float("nan")))
    raw.close()
    database.dispose()
    return results


def bulk_rows(db: str) -> list[tuple[str, float, int]]:
    """Bulk accept of bob's figures and its undo, once each (they write)."""
    database = open_database(db)
    session = ReviewSession(database, "bench")
    query = ReviewQuery(AnnotationFilter(annotators=("bob",), labels=("figure",)))
    count = session.count(query)
    started = time.perf_counter()
    changed = session.bulk(query, "accepted")
    accept_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    session.undo()
    undo_ms = (time.perf_counter() - started) * 1000
    database.dispose()
    assert changed == count
    return [("bulk accept (bob's figures)", accept_ms, changed),
            ("undo of that bulk accept", undo_ms, changed)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=200_000)
    parser.add_argument("--db", type=Path, help="reuse (or build and keep) this database")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-bulk", action="store_true", help="skip the bulk measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db_path = args.db or Path(scratch) / "review.db"
        if not db_path.exists():
            started = time.perf_counter()
            sentences = -(-args.annotations // SPANS_PER_SENTENCE)
            build(str(db_path), sentences)
            count = build_annotations(str(db_path))
            print(f"built {db_path}: {sentences:,} sentences, {count:,} annotations in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        db = str(db_path)
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")

        database = open_database(db)
        opens = [asyncio.run(_open(lambda: ReviewApp(ReviewSession(database, "bench")),
                                   _review_ready)) for _ in range(args.repeat)]
        baseline = [asyncio.run(_open(BaselineApp, lambda app: bool(
            app.screen_stack and app.screen.query(DataTable)
            and app.screen.query_one(DataTable).row_count))) for _ in range(args.repeat)]
        database.dispose()
        print("\n| Pilot (Textual in-process) | review app | baseline app |")
        print("|---|---:|---:|")
        print(f"| open to first page of rows | {statistics.median(opens):.0f} ms | "
              f"{statistics.median(baseline):.0f} ms |")
        for field, value in (("labels", "figure"), ("annotators", "bob"), ("text", "ceasefire")):
            filtered = [asyncio.run(_filter_in_app(db, field, value)) for _ in range(3)]
            replaced = [asyncio.run(_baseline_replace()) for _ in range(3)]
            print(f"| filter {field} = {value!r}: enter in the dialog to the new page "
                  f"(baseline: enter closes a dialog, rows replaced) | "
                  f"{statistics.median(filtered):.0f} ms | "
                  f"{statistics.median(replaced):.0f} ms |")

        print("\n| data step (no Textual) | annotator | raw sqlite3 |")
        print("|---|---:|---:|")
        for what, ours, raw in data_rows(db, args.repeat):
            raw_cell = "–" if raw != raw else f"{raw:.1f} ms"
            print(f"| {what} | {ours:.1f} ms | {raw_cell} |")
        if not args.no_bulk:
            print("\n| bulk | time | rows |")
            print("|---|---:|---:|")
            for what, ms, rows in bulk_rows(db):
                print(f"| {what} | {ms / 1000:.1f} s | {rows:,} |")


if __name__ == "__main__":
    main()
