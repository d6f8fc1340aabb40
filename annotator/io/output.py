"""Output files that appear whole or not at all, and never write through a planted link.

An export is written to a new temporary file in the target's own folder, created
exclusively (``tempfile.mkstemp``: ``O_CREAT | O_EXCL``, a random name, so no file or
link of another user can be opened in its place), then renamed over the target in one
step (``os.replace`` replaces a link itself, never what it points to). Before that, the
target is checked: a symbolic link, a folder, a device or other special file is never
replaced, ``--force`` is needed to replace a regular file, and the database being read
(with its ``-wal`` and ``-shm`` companions) is never an output.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO


class OutputError(ValueError):
    """An output cannot be written; the message is one line naming the path."""


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def protected_files(database_file: Path | None) -> tuple[Path, ...]:
    """The files an export must never replace: the SQLite database and its companions."""
    if database_file is None:
        return ()
    return tuple(Path(f"{database_file}{suffix}") for suffix in ("", "-wal", "-shm", "-journal"))


def check_target(path: Path, *, force: bool, protect: Iterable[Path] = ()) -> None:
    """Refuse (``OutputError``) to write ``path`` unless it is new, or a regular file and
    ``force``; never a link, folder, device, or one of ``protect``."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(f"cannot write {path}: it is a symbolic link, and export never "
                              "writes through one (remove it, or choose another name)")
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"cannot write {path}: it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"cannot write {path}: it is not a regular file")
        for guarded in protect:
            with suppress(OSError):
                if os.path.samefile(path, guarded):
                    raise OutputError(f"cannot write {path}: it is the database being "
                                      "exported, and export never replaces it")
        if not force:
            raise OutputError(f"{path} already exists; add --force to replace it")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: folder {path.parent} does not exist")


@contextmanager
def atomic_text_file(path: Path, encoding: str, *, force: bool,
                     protect: Iterable[Path] = ()) -> Iterator[TextIO]:
    """A text file that becomes ``path`` only once everything was written; newline="" so
    the bytes are exactly what the writer gave."""
    guarded = tuple(protect)
    check_target(path, force=force, protect=guarded)
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    partial = Path(temporary)
    try:
        os.fchmod(descriptor, 0o666 & ~_umask())  # as an ordinary new file would be
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        check_target(path, force=True, protect=guarded)  # nothing was planted meanwhile
        os.replace(partial, path)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str, *, force: bool,
                          protect: Iterable[Path] = ()) -> None:
    """Write ``text`` (UTF-8) to ``path`` as :func:`atomic_text_file` does."""
    with atomic_text_file(path, "utf-8", force=force, protect=protect) as handle:
        handle.write(text)
