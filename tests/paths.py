"""Where the tests find the repository's files: the sample, and ../shared beside the tree."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "sample"
SAMPLE_TEXT = SAMPLE / "gaza-aid-talks.txt"
SAMPLE_LABELS = SAMPLE / "gaza-aid-talks.labels.jsonl"
