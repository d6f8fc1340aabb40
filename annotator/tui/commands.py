"""Command palette entries: the annotation screen's palette keys of :mod:`annotator.tui.keys`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from annotator.tui.keys import PALETTE


class AnnotatorCommands(Provider):
    """Offers the current screen's palette actions by name, with their keys as help."""

    def _available(self) -> list[tuple[str, Callable[[], object], str]]:
        screen = self.screen
        return [
            (key.description, partial(screen.run_action, key.screen_action),
             f"key: {key.display}")
            for key in PALETTE
            if hasattr(screen, "action_" + key.screen_action.split("(")[0])
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
