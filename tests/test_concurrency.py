"""Many annotators at once: 8 processes annotate the same sentences through the Workspace.

They start together on a database that does not exist yet: each opens it (one creates the
schema, the others wait for it and find it made) and imports the same article (stored
once), then works. Two of them are the same annotator in two terminals. Connections wait only a few
milliseconds for a lock, so the engine's "busy" answers reach the retry layer
(db/retry.py) instead of being absorbed by SQLite's busy handler.
"""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from annotator.io.importer import import_paths
from annotator.workspace import Workspace
from db.engine import open_database
from db.models import Annotation, Annotator, ChangeLogEntry, Document, Source
from db.retry import RetryPolicy, Wait

TEXT = (
    "Officials said over 160,000 people fled the area. The ministry reported damage. "
    "Rights groups warned of worse.\n"
    "Talks resume on Monday in Cairo. Envoys from Qatar attended. Nothing else happened.\n"
)
# (annotator, terminal): "ana" works from two terminals at once.
WORKERS = [("ana", 1), ("ana", 2), ("ben", 1), ("ben", 2), ("cy", 1), ("dee", 1), ("eve", 1),
           ("fay", 1)]
SHARED_SOURCES = ["Ministry of Health", "U.N. office", "Hamas spokesperson"]
LOCK_WAIT_MS = 5


def annotate_everything(url: str, name: str, article: Path, barrier: Any,
                        results: Any) -> None:
    """One terminal: open (first creating) the database, import the article, walk every
    sentence, tag it, map sources, mark it done (child process)."""
    waits: list[str] = []
    acknowledged: list[tuple[int, int, str, int, int]] = []
    sources: dict[str, int] = {}
    try:
        barrier.wait(timeout=60)
        opened = open_database(url)  # all at once, on a database that does not exist yet
        import_paths(opened, [article])
        opened.dispose()
        database = open_database(url).with_lock_wait(LOCK_WAIT_MS)

        def waited(wait: Wait) -> None:
            waits.append(wait.reason)

        workspace = Workspace(database, name, on_wait=waited,
                              retry_policy=RetryPolicy(first_delay=0.005, max_delay=0.1))
        # From the first sentence, not where this annotator was: the other terminal of the
        # same annotator may already have moved on (under load, before this one starts).
        sentence = workspace.goto(1, 1)
        while sentence is not None:
            view = workspace.view(sentence)
            first_word = view.text.split(" ")[0]
            for label, start, end in (("source", 0, len(first_word)),
                                      ("claim", 0, len(view.text))):
                annotation_id = workspace.tag(sentence, label, start, end)
                acknowledged.append((annotation_id, sentence, label, start, end))
                if label == "source":
                    source_name = SHARED_SOURCES[view.index % len(SHARED_SOURCES)]
                    # The source picker's "new source" choice: one transaction.
                    source_id = workspace.create_and_set_source(
                        annotation_id, source_name, "government", (first_word,))
                    sources[source_name] = source_id
            workspace.toggle_done(sentence)
            following = workspace.following(view)
            if following is not None:
                workspace.move(sentence, following)
            sentence = following
        database.dispose()
        results.put((name, acknowledged, sources, waits, None))
    except BaseException:  # reported to the parent, which fails the test with it
        results.put((name, acknowledged, sources, waits, traceback.format_exc()))


def test_eight_processes_annotate_the_same_sentences_at_once(
    db_url: str, tmp_path: Path
) -> None:
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(WORKERS))
    results = context.Queue()
    processes = [context.Process(target=annotate_everything,
                                 args=(db_url, name, tmp_path / "doc.txt", barrier, results))
                 for name, _terminal in WORKERS]
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    errors = [f"{name}: {error}" for name, _, _, _, error in reports if error]
    assert not errors, "\n".join(errors)
    assert [process.exitcode for process in processes] == [0] * len(WORKERS)

    database = open_database(db_url)
    with database.sessions() as session:
        stored = {row.id: row for row in session.execute(
            select(Annotation.id, Annotator.name, Annotation.sentence_id, Annotation.label,
                   Annotation.start, Annotation.end, Annotation.source_id)
            .join(Annotator, Annotator.id == Annotation.annotator_id))}
        source_names = list(session.scalars(select(Source.name)))
        sentences = session.scalar(select(func.count(func.distinct(Annotation.sentence_id))))
        tag_entries = session.scalar(select(func.count()).select_from(ChangeLogEntry)
                                     .where(ChangeLogEntry.action == "tag"))
        documents = session.scalar(select(func.count()).select_from(Document))
    database.dispose()

    # Every acknowledged annotation is stored, exactly as acknowledged.
    for name, acknowledged, _, _, _ in reports:
        for annotation_id, sentence_id, label, start, end in acknowledged:
            row = stored[annotation_id]
            assert (row.name, row.sentence_id, row.label, row.start, row.end) == (
                name, sentence_id, label, start, end)
    # No span is stored twice: two terminals of one annotator share theirs.
    keys = [(r.name, r.sentence_id, r.label, r.start, r.end) for r in stored.values()]
    assert len(keys) == len(set(keys))
    assert sentences == 6 and documents == 1  # imported by all eight, stored once
    assert len(stored) == 6 * 2 * len({name for name, _ in WORKERS})
    assert tag_entries == len(stored)  # a span found already present is not a second action
    ana = [set(ack) for name, ack, _, _, _ in reports if name == "ana"]
    assert ana[0] == ana[1]
    # The shared registry: one row per name, the same id for everyone who created it.
    assert sorted(source_names) == sorted(SHARED_SOURCES)
    ids = {(name, source_id) for _, _, created, _, _ in reports
           for name, source_id in created.items()}
    assert len(ids) == len(SHARED_SOURCES)
    assert all(stored[a].source_id is not None
               for _, ack, _, _, _ in reports for a, _, label, _, _ in ack if label == "source")
