"""Regular expressions for word lists, built as tries so that matching stays fast.

Python's ``re`` tries the branches of an alternation one by one; a list of a hundred cue words
written as ``said|says|...`` costs a hundred comparisons at every word start. The same list
nested by shared prefixes (``sa(?:id|ys)|...``) costs about one comparison per character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

__all__ = ["WordRuns", "word_finder", "word_trie"]

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


_LOWER_RUNS = re.compile(r"[a-z]+")


class WordRuns:
    """Which spellings of a list can occur in a text, told from the text's lower-case words
    (its runs of a-z after ``str.lower``, as ``attribution.sentence_words`` gives them).

    A spelling found between characters that are not ``\\w`` has each a-z run of its lowered
    form as a whole a-z run of the lowered text, since no such character lowers to a-z: a
    spelling missing one of its runs from the text's words cannot occur there. The runs are
    filed under each spelling's longest run, so that a test is one set intersection.
    """

    def __init__(self, spellings: Iterable[str]) -> None:
        self._by_key: dict[str, list[frozenset[str]]] = {}
        self._always = False  # a spelling without a-z runs may occur anywhere
        for spelling in spellings:
            runs = _LOWER_RUNS.findall(spelling.lower())
            if runs:
                self._by_key.setdefault(max(runs, key=len), []).append(frozenset(runs))
            else:
                self._always = True
        self._keys = frozenset(self._by_key)

    def may_occur(self, words: AbstractSet[str]) -> bool:
        """False only when no spelling can occur in a text with these lower-case words."""
        if self._always:
            return True
        # Loops rather than any() over a generator, which costs more than the test itself.
        for key in self._keys.intersection(words):
            for runs in self._by_key[key]:
                if runs <= words:
                    return True
        return False
