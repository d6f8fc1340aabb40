"""What a killed or starved annotator process left in its SQLite file, and a native JSONL
corpus big enough to kill an import in the middle of."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

ANNOTATOR = "crash"


@dataclass(frozen=True)
class Facts:
    """What the database holds of the annotator's work: done sentences and spans."""

    done: frozenset[int]
    spans: frozenset[tuple[int, str, int, int, str]]


def read_facts(db_path: Path) -> Facts:
    """The annotator's done marks and spans, by sentence index, through a new connection."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        done = connection.execute(
            "SELECT s.[index] FROM sentence_states st JOIN sentences s ON s.id = st.sentence_id "
            "JOIN annotators a ON a.id = st.annotator_id WHERE a.name = ? AND st.state = 'done'",
            (ANNOTATOR,)).fetchall()
        spans = connection.execute(
            "SELECT s.[index], an.label, an.start, an.[end], an.text FROM annotations an "
            "JOIN sentences s ON s.id = an.sentence_id "
            "JOIN annotators a ON a.id = an.annotator_id WHERE a.name = ?",
            (ANNOTATOR,)).fetchall()
    return Facts(frozenset(index for (index,) in done), frozenset(spans))


def write_native_corpus(path: Path, count: int) -> None:
    """``count`` native JSONL documents, each with two sentences, two spans and a link."""
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            head = f"Report {number} from the border\n"
            claim = f"{number + 100} people were hurt in town {number}"
            text = f"{head}Hamas said {claim}. Officials confirmed it on day {number}.\n"
            start = len(head)
            claim_start = text.index(claim)
            handle.write(json.dumps({
                "id": f"doc-{number}", "text": text,
                "annotations": [
                    {"id": "s", "annotator": "ana", "label": "source", "start": start,
                     "end": start + 5, "text": "Hamas"},
                    {"id": "c", "annotator": "ana", "label": "claim", "start": claim_start,
                     "end": claim_start + len(claim), "text": claim},
                ],
                "links": [{"from": "c", "to": "s", "type": "attributed_to"}],
            }) + "\n")
