"""The screens' side of the one write runner (:class:`db.retry.WriteRunner`).

Every screen runs a session action through :meth:`WritingScreen.perform` and reads one
:class:`Outcome`. A write that finds the database held by another program is queued on the
runner's worker thread instead of freezing the event loop: the screen keeps painting, says
at once that it waits, says when the change is saved (or why not), and draws again then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from db.retry import WriteDeferred, WriteRunner, refusal
from db.write_errors import NOT_SAVED, server_lost

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of one action: ``done`` (saved now, ``value`` is its result),
    ``waiting`` (queued behind another writer, saved later, a notice says so), or neither
    (refused, and the screen already said why)."""

    value: T | None = None
    done: bool = False
    waiting: bool = False


class WritingScreen(Screen[None]):
    """A screen whose actions write through a session's :class:`WriteRunner`."""

    class Waiting(Message):
        """A write was queued behind another program's lock."""

    class Saved(Message):
        """Every queued write is saved."""

        def __init__(self, waited: float) -> None:
            super().__init__()
            self.waited = waited

    class Refused(Message):
        """A queued write was refused, and ``dropped`` writes queued behind it with it."""

        def __init__(self, message: str, dropped: int) -> None:
            super().__init__()
            self.message = message
            self.dropped = dropped

    _runner: WriteRunner | None = None
    _waiting = False  # a waiting notice is up, until the queue is saved or refused
    _quit_when_saved = False
    _server_lost = False

    def attach_writes(self, runner: WriteRunner) -> None:
        """From now on, writes that must wait run on the runner's worker."""
        self._runner = runner
        runner.attach(_ScreenListener(self))

    def perform(self, call: Callable[[], T]) -> Outcome[T]:
        """Run one session action; a refusal is shown, not raised."""
        try:
            outcome = Outcome(call(), done=True)
        except WriteDeferred:
            return Outcome(waiting=True)
        except ValueError as error:  # a refused action: StorageError, DatabaseBusyError too
            self.refused(str(error))
        except Exception as error:  # a driver error: refused, the server gone, or a bug
            message = refusal(error)
            if message is None:
                lost = server_lost(error)
                if lost is None:
                    raise
                self.server_gone(lost)
                message = f"{lost}: {NOT_SAVED}"
            self.refused(message)
        else:
            self.server_back()
            return outcome
        return Outcome()

    def run_history(self, step: Callable[[], int | None], verb: str,
                    show: Callable[[int], None]) -> None:
        """Undo or redo (``verb``) through ``step``; ``show`` the sentence it touched, then
        say so; or say there was nothing to do (a refusal was already said)."""
        outcome = self.perform(step)
        if not outcome.done:
            return
        if outcome.value is None:
            self.notify(f"Nothing to {verb}.", markup=False)
            return
        show(outcome.value)
        self.notify("Undone." if verb == "undo" else "Redone.", markup=False)

    def refused(self, message: str) -> None:
        """Say, in one line, that an action was not done."""
        self.notify(message, title="Not done", severity="error", markup=False)

    def writes_settled(self) -> None:
        """Queued writes were saved or refused: show the database as it is now."""

    # --- a PostgreSQL server that stops or restarts ---------------------------------------
    def server_gone(self, problem: str) -> None:
        """The server stopped answering (``problem``, one line): say so once, keep what is
        shown. The pool's connections were invalidated, so every later read or write
        connects afresh, and the first that succeeds calls :meth:`server_back`."""
        if self._server_lost:
            return
        self._server_lost = True
        self.notify(f"{problem}. What is shown stays; changes are refused until it is back "
                    "(everything saved before is intact).", title="Database server gone",
                    severity="error", timeout=30, markup=False)

    def server_back(self) -> None:
        """A read or write reached the server again after :meth:`server_gone`."""
        if self._server_lost:
            self._server_lost = False
            self.notify("The database server is back; keys work again.",
                        title="Database server", markup=False)

    def quit_when_saved(self) -> None:
        """Leave now, or once the writes still waiting for the database are saved."""
        runner = self._runner
        if runner is None or runner.queued == 0:
            self.app.exit()
            return
        self._quit_when_saved = True
        self.notify(f"Saving {runner.queued} waiting change(s) first; the screen closes "
                    "once they are saved.", title="Database busy", severity="warning",
                    markup=False)

    # --- told by the runner, on the event loop ------------------------------------------
    def on_writing_screen_waiting(self, _message: WritingScreen.Waiting) -> None:
        if self._waiting:
            return
        self._waiting = True
        self.notify("Waiting for the database: another program is writing to it… "
                    "(keep working; this change is saved once it is free)",
                    title="Database busy", severity="warning", markup=False)

    def on_writing_screen_saved(self, message: WritingScreen.Saved) -> None:
        self._waiting = False
        self.notify(f"Saved after waiting {message.waited:.1f} s for the database.",
                    title="Database busy", markup=False)
        self._settled()

    def on_writing_screen_refused(self, message: WritingScreen.Refused) -> None:
        self._waiting = False
        later = f" ({message.dropped} later change(s) waiting behind it were not saved either)"
        self.refused(message.message + (later if message.dropped else ""))
        self._settled()

    def _settled(self) -> None:
        self.writes_settled()
        if self._quit_when_saved and (self._runner is None or self._runner.queued == 0):
            self.app.exit()


class _ScreenListener:
    """Hands what the runner reports to the screen's message queue (thread-safe, and it
    never blocks the runner's worker, even once the app has stopped)."""

    def __init__(self, screen: WritingScreen) -> None:
        self.screen = screen

    def writes_waiting(self, queued: int) -> None:
        self.screen.post_message(WritingScreen.Waiting())

    def writes_saved(self, waited: float) -> None:
        self.screen.post_message(WritingScreen.Saved(waited))

    def writes_refused(self, message: str, dropped: int) -> None:
        self.screen.post_message(WritingScreen.Refused(message, dropped))


def dialog_write(dialog: Widget, call: Callable[[], object], *,
                 show_error: Callable[[str], None] | None = None) -> bool:
    """Run a dialog's action (its checks and its one write); whether the dialog may close:
    saved, or queued behind another program's lock (the screen below says so). A refusal
    is shown (as a notice, or by ``show_error``) and the dialog stays open."""
    try:
        call()
    except WriteDeferred:
        return True
    except ValueError as error:
        if show_error is None:
            dialog.notify(str(error), severity="error", markup=False)
        else:
            show_error(str(error))
        return False
    return True
