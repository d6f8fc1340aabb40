"""What every application of the interface shares: notices drawn verbatim."""

from __future__ import annotations

from textual.app import App
from textual.notifications import SeverityLevel

from annotator.text.visible import visible


class VerbatimApp(App[None]):
    """An app whose notices may quote names, titles and errors: every notice (from any
    screen or dialog, which all notify through the app) is plain text through the one
    verbatim rendering, never markup, never an escape sequence."""

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        super().notify("\n".join(visible(line) for line in message.split("\n")),
                       title=visible(title), severity=severity, timeout=timeout, markup=False)
