"""The screens' side of the one write runner (:class:`db.retry.WriteRunner`).

Every screen runs a session action through :meth:`WritingScreen.perform` and reads one
:class:`Outcome`. A write that finds the database held by another program is queued on the
runner's worker thread instead of freezing the event loop: the screen keeps painting, says
at once that it waits, says when the change is saved (or why not), and draws again then.

A database that goes away under a screen (the PostgreSQL server stopped or restarted, the
SQLite file damaged) is not a bug: every step of every screen runs under
:func:`survives_database_loss` (callbacks under :meth:`WritingScreen.guard`), which says so
in one line and keeps what is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Concatenate, Generic, ParamSpec, TypeVar

from rich.text import Text
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from annotator.text.visible import visible
from db.engine import damage_reason, display_url, sqlite_path
from db.retry import WriteDeferred, WriteRunner, refusal
from db.write_errors import NOT_SAVED, server_lost

T = TypeVar("T")
P = ParamSpec("P")
S = TypeVar("S", bound="WritingScreen")


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
    _where = "the database"  # the file or (masked) URL, as notices name it
    _damaged: str | None = None  # the notice, once the SQLite file was found damaged

    def attach_writes(self, runner: WriteRunner, url: str | None = None) -> None:
        """From now on, writes that must wait run on the runner's worker; ``url`` is the
        database's, for the notices."""
        self._runner = runner
        runner.attach(_ScreenListener(self))
        if url is not None:
            path = sqlite_path(url)
            self._where = str(path) if path is not None else display_url(url)

    def perform(self, call: Callable[[], T]) -> Outcome[T]:
        """Run one session action; a refusal is shown, not raised."""
        if self._damaged is not None:  # writing more into a damaged file could lose more
            self.refused(self._damaged)
            return Outcome()
        try:
            outcome = Outcome(call(), done=True)
        except WriteDeferred:
            return Outcome(waiting=True)
        except ValueError as error:  # a refused action: StorageError, DatabaseBusyError too
            self.refused(str(error))
        except Exception as error:  # a driver error: refused, the server gone, or a bug
            message = refusal(error)
            if message is None:
                if (damage := damage_reason(error)) is not None:
                    self.database_damaged(damage)
                    return Outcome()
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

    def database_failed(self, error: BaseException) -> bool:
        """Whether ``error`` (raised by a key, a poll, a callback) means the database is
        gone: the PostgreSQL server stopped or restarted (said once, the next step connects
        afresh) or the SQLite file is damaged (said, and no more writes are tried). Then
        the screen keeps what it shows and goes on; any other error is a bug, for the
        caller to raise."""
        if (damage := damage_reason(error)) is not None:
            self.database_damaged(damage)
            return True
        if (lost := server_lost(error)) is not None:
            self.server_gone(lost)
            return True
        return False

    def database_damaged(self, reason: str) -> None:
        """The SQLite file is damaged (``reason``, SQLite's words): say so in one line, the
        first time; from then on every write is refused with the same line."""
        first = self._damaged is None
        self._damaged = (f"{reason}: {self._where} — nothing more can be saved; quit and "
                         "restore it from a backup")
        if first:
            self.notify(self._damaged, title="Database damaged", severity="error",
                        timeout=60, markup=False)

    def guard(self, callback: Callable[P, object]) -> Callable[P, None]:
        """``callback`` (a dialog's result callback, say) made to survive the database's
        loss as :func:`survives_database_loss` makes a method."""

        @wraps(callback)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                callback(*args, **kwargs)
            except Exception as error:
                if not self.database_failed(error):
                    raise

        return guarded

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
        if self._damaged is not None:  # what still waits cannot be saved either
            self.app.exit(return_code=1, message=Text(visible(self._damaged)))
            return
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


def survives_database_loss(
    method: Callable[Concatenate[S, P], None],
) -> Callable[Concatenate[S, P], None]:
    """Run a key, a message handler, a poll or an after-paint step of a screen; if the
    PostgreSQL server stopped or restarted under it, or the SQLite file turned out damaged,
    the screen says so in one line (:meth:`WritingScreen.database_failed`) and keeps showing
    what it showed, instead of the error ending the application. (Textual stops a widget's
    message loop after an error it is handed, so the guard must be here, at each step.)"""

    @wraps(method)
    def guarded(self: S, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            method(self, *args, **kwargs)
        except Exception as error:
            if not self.database_failed(error):
                raise

    return guarded


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
