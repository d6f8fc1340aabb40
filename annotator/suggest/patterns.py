"""Regular expressions for word lists, built as tries so that matching stays fast.

Python's ``re`` tries the branches of an alternation one by one; a list of a hundred cue words
written as ``said|says|...`` costs a hundred comparisons at every word start. The same list
nested by shared prefixes (``sa(?:id|ys)|...``) costs about one comparison per character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["word_finder", "word_trie"]

_END = ""


def word_trie(words: Iterable[str]) -> str:
    """A non-capturing pattern matching exactly the given strings (longest first at each step)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _pattern(root) or "(?!)"


def _pattern(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    ends = _END in node
    branches = [re.escape(char) + _pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        # A word that is a prefix of others: the longer ones are tried first, then nothing.
        return "(?:" + body + ")?"
    return body


def word_finder(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern finding the words, lower case or capitalized, as whole words.

    Both cases are spelled out rather than using ``re.IGNORECASE``, which makes ``re`` fold the
    case of every character it compares (measured 1.3-2x slower on news sentences).
    """
    forms = {form for word in words for form in (word.lower(), word[:1].upper() + word[1:])}
    return re.compile(r"\b" + word_trie(forms) + r"(?![^\W\d_])")
