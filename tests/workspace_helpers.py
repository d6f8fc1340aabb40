"""Workspace calls the tests repeat: walking the corpus, tagging words by their text."""

from __future__ import annotations

from annotator.workspace import Workspace

# The two stories of the ``talks_corpus`` fixture (conftest.py).
TALKS_FIRST = (
    "Gaza talks resume\n"
    "Hamas spokesperson Abdul Latif Al-Qanoua said over 160,000 people were hurt. "
    "He stressed that talks would go on.\n"
    "Egypt’s State Information Service confirmed the meeting.\n"
)
TALKS_SECOND = "Second story here\nThe U.N. said 42 days had passed.\n"


def reading_order(workspace: Workspace) -> list[int]:
    """Every sentence id, from where the workspace starts, through ``next_sentence``."""
    first = workspace.start_position()
    assert first is not None
    ids = [first]
    while (following := workspace.next_sentence(ids[-1])) is not None:
        ids.append(following)
    return ids


def tag_words(workspace: Workspace, sentence_id: int, label: str, words: str) -> int:
    """Tag the first occurrence of ``words`` in the sentence with ``label``."""
    text = workspace.view(sentence_id).text
    start = text.index(words)
    return workspace.tag(sentence_id, label, start, start + len(words))
