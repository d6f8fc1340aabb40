"""What every application of the interface shares: notices drawn verbatim, and an
unexpected failure told in one line, never as a traceback with locals."""

from __future__ import annotations

import os
import tempfile
import traceback

from rich.text import Text
from textual.app import App
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen

from annotator.text.visible import visible, visible_lines
from annotator.tui.writes import WritingScreen
from db.engine import mask_password


class VerbatimApp(App[None]):
    """An app whose notices may quote names, titles and errors: every notice (from any
    screen or dialog, which all notify through the app) is plain text through the one
    verbatim rendering, never markup, never an escape sequence."""

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        super().notify(visible_lines(message),
                       title=visible(title), severity=severity, timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """A dialog's read or write that found the database gone (the PostgreSQL server
        stopped, the SQLite file damaged) closes the dialog, whose message loop the error
        stopped, and the screen below says so in one line (the screens guard their own
        steps: annotator/tui/writes.py); anything else stops the app as a bug."""
        stack = self.screen_stack
        if len(stack) > 1 and isinstance(stack[-1], ModalScreen):
            below = next((screen for screen in reversed(stack[:-1])
                          if isinstance(screen, WritingScreen)), None)
            if below is not None and below.database_failed(error):
                self.pop_screen()
                return
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """A bug stopped the app. Textual would print a traceback with every frame's locals
        (a session's URL, article text, names): instead the user gets one line, and the
        traceback, without locals and with every URL masked, goes to a private file."""
        error = self._exception
        where = crash_report(error)
        summary = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
        line = (f"annotator stopped on an unexpected error ({summary}); everything shown as "
                "saved is stored")
        line += f"; details in {where}" if where else ""
        self.bell()
        self._exit_renderables.append(Text(visible(mask_password(line))))
        self._close_messages_no_wait()


def crash_report(error: BaseException | None) -> str | None:
    """Write ``error``'s traceback (no locals, URLs masked) to a new private file created
    exclusively in the temporary folder; its path, or ``None`` if it could not be written."""
    if error is None:
        return None
    text = mask_password("".join(traceback.format_exception(error)))
    try:
        descriptor, path = tempfile.mkstemp(prefix="annotator-crash-", suffix=".txt")
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        return None
    return path
