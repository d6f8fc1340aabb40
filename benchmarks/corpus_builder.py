"""Build large benchmark databases quickly: synthetic documents and sentences in bulk.

Segmentation is skipped on purpose (each synthetic sentence's span is known
when the text is built), so a 1,000,000-sentence database takes about a minute.
The offsets invariant still holds for every row written here.

Usage: python benchmarks/corpus_builder.py OUT.db [--sentences 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from pathlib import Path

from sqlalchemy import insert

from db.engine import open_database
from db.models import Document, Sentence

PROSE = (
    "officials said talks on the second phase of the ceasefire would resume in Cairo after "
    "mediators from Egypt and Qatar reported progress while rights groups warned that over "
    "160,000 people had been hurt and more than 14,000 remain missing according to the U.N."
)
WORDS = PROSE.split(" ")
SENTENCES_PER_DOCUMENT = 30
BATCH_DOCUMENTS = 500


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 30))
    return " ".join(words).capitalize() + "."


def build(target: str, sentences: int, seed: int = 11) -> tuple[int, int]:
    """Fill an empty database with ``sentences`` sentences in 30-sentence documents."""
    rng = random.Random(seed)
    database = open_database(target)
    documents = (sentences + SENTENCES_PER_DOCUMENT - 1) // SENTENCES_PER_DOCUMENT
    written = 0
    with database.engine.connect() as connection:
        for batch_start in range(0, documents, BATCH_DOCUMENTS):
            document_rows, sentence_rows = [], []
            for number in range(batch_start, min(documents, batch_start + BATCH_DOCUMENTS)):
                count = min(SENTENCES_PER_DOCUMENT, sentences - written)
                parts = [_sentence(rng) for _ in range(count)]
                text = " ".join(parts)
                document_id = number + 1
                document_rows.append({
                    "id": document_id, "title": f"Synthetic article {document_id}",
                    "origin": "benchmark", "external_id": None, "text": text,
                    "content_hash": hashlib.sha256(text.encode()).hexdigest(), "meta": {},
                })
                offset = 0
                for index, part in enumerate(parts):
                    sentence_rows.append({"document_id": document_id, "index": index,
                                          "start": offset, "end": offset + len(part),
                                          "text": part})
                    offset += len(part) + 1
                written += count
            with connection.begin():
                connection.execute(insert(Document), document_rows)
                connection.execute(insert(Sentence), sentence_rows)
    database.dispose()
    return documents, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists; remove it first")
    started = time.perf_counter()
    documents, sentences = build(str(args.out), args.sentences)
    print(f"built {args.out}: {documents} documents, {sentences} sentences "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
