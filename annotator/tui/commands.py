"""Command palette entries for the main actions of the annotation screen."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, action on the current screen, help line)
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Next sentence", "next_sentence", "j / down"),
    ("Previous sentence", "previous_sentence", "k / up"),
    ("Next document", "next_document", "J"),
    ("Previous document", "previous_document", "K"),
    ("Next sentence not done", "next_unfinished", "n"),
    ("Go to document / sentence, or search text", "goto", "g"),
    ("Mark sentence done / not done", "toggle_done", "d"),
    ("Tag selection as claim", "tag('claim')", "c"),
    ("Tag selection as source", "tag('source')", "s"),
    ("Tag selection as figure", "tag('figure')", "f"),
    ("Attribute claim to a source", "attribute", "a"),
    ("Link figure to a claim", "link_figure", "F"),
    ("Undo", "undo", "u / ctrl+z"),
    ("Redo", "redo", "ctrl+y"),
    ("Statistics: progress, pace, sources", "stats", "ctrl+s"),
    ("Help: all keys", "help", "?"),
    ("Quit", "quit", "q"),
)


class AnnotatorCommands(Provider):
    """Offers the annotation screen's actions by name."""

    def _available(self) -> list[tuple[str, Callable[[], object], str]]:
        screen = self.screen
        return [
            (title, partial(screen.run_action, action), f"key: {keys}")
            for title, action, keys in ACTIONS
            if hasattr(screen, "action_" + action.split("(")[0])
        ]

    async def discover(self) -> Hits:
        """All actions, before anything is typed."""
        for title, command, help_text in self._available():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        """Actions whose title matches ``query``."""
        matcher = self.matcher(query)
        for title, command, help_text in self._available():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)
