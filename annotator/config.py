"""The application's configuration: resolved once, in the CLI, and passed down.

Every read of the process environment by ``annotator/`` and ``db/`` happens here
(tests/test_config.py checks it). A command resolves its options with :func:`resolve` (a
command that only opens a database, with :func:`database_target`) and hands the values to
the domain code: ``db/`` gets an explicit database target; the sessions, the suggester and
through them the source picker get the :class:`~annotator.scheme.definition.Scheme` object.

Each setting has the same precedence: the command-line option, then the environment
variable, then the default.

=================  ==============================  =========================================
setting            option                          environment, then default
=================  ==============================  =========================================
database           ``--db PATH|URL``               ``$ANNOTATOR_DB``, ``./annotations.db``
annotator name     ``--annotator``/``--reviewer``  ``$ANNOTATOR_NAME``, the login name
scheme             ``--scheme PATH``               ``$ANNOTATOR_SCHEME``,
                                                   ``./annotator-scheme.toml``, built-in
suggestions        ``--no-suggest`` (off)          ``$ANNOTATOR_NO_SUGGEST=1`` (off), on
=================  ==============================  =========================================

Only the commands that write may create a database (:data:`DATABASE_CREATORS`: ``import``,
``annotate``, ``merge`` into its ``--db``, ``copy`` into its target); every other command
refuses a database that does not exist (:func:`may_create`, passed as ``create`` to
:func:`db.engine.open_database`, the one place that acts on it). ``--db ''`` is refused;
an empty ``$ANNOTATOR_DB`` counts as unset, as shells write it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotator.scheme.definition import Scheme

__all__ = [
    "DATABASE_CREATORS",
    "DB_ENV_VAR",
    "DEFAULT_DB_PATH",
    "DEFAULT_TEXTUAL_FPS",
    "NAME_ENV_VAR",
    "NO_SUGGEST_ENV_VAR",
    "SCHEME_ENV_VAR",
    "SCHEME_FILE_NAME",
    "TEXTUAL_FPS_ENV_VAR",
    "Config",
    "ConfigError",
    "annotator_name",
    "database_target",
    "may_create",
    "prepare_textual",
    "resolve",
    "resolve_scheme",
    "scheme_path",
    "suggestions_enabled",
]

DB_ENV_VAR = "ANNOTATOR_DB"
NAME_ENV_VAR = "ANNOTATOR_NAME"
SCHEME_ENV_VAR = "ANNOTATOR_SCHEME"
NO_SUGGEST_ENV_VAR = "ANNOTATOR_NO_SUGGEST"
TEXTUAL_FPS_ENV_VAR = "TEXTUAL_FPS"
DEFAULT_DB_PATH = "annotations.db"
SCHEME_FILE_NAME = "annotator-scheme.toml"
FALLBACK_ANNOTATOR = "annotator"  # no login name in some containers
# Textual paints a changed screen on the next tick of a timer running at TEXTUAL_FPS
# (default 60), so a keypress waits on average half a period before its frame is even
# started: 8 ms at 60, 2 ms at 240, against a 15 ms target for `j` (measured with
# benchmarks/bench_tui.py, interleaved runs: real-terminal median 20.7 -> 15.9 ms). Nothing
# is painted more often when nothing changes: the timer only runs while something waits to
# be painted, and animations keep their own 60 fps clock.
DEFAULT_TEXTUAL_FPS = "240"
# The words click accepted for a boolean environment variable, which ANNOTATOR_NO_SUGGEST
# was before this module owned it.
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


# The commands that may create the database they write to; see the module docstring.
DATABASE_CREATORS = frozenset({"import", "annotate", "merge", "copy"})


def may_create(command: str) -> bool:
    """Whether ``command`` may create its database when there is none yet."""
    return command in DATABASE_CREATORS


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line meant for the user as is."""


@dataclass(frozen=True)
class Config:
    """What a command runs with, every value resolved.

    ``db`` is the database target (a path or a SQLAlchemy URL, as
    :func:`db.engine.open_database` takes it); ``scheme_path`` is the project scheme file,
    or ``None`` for the built-in scheme; ``project_scheme`` is that file read (and checked)
    at resolution, ``None`` for the built-in scheme, which is only read when first used
    (``scheme``), so that a command's start, the annotation screen's first frame above
    all, does not pay for it.
    """

    db: str
    annotator: str
    project_scheme: Scheme | None
    scheme_path: Path | None
    suggestions: bool

    @property
    def scheme(self) -> Scheme:
        """The scheme in effect: the project's, else the built-in one."""
        if self.project_scheme is not None:
            return self.project_scheme
        from annotator.scheme.definition import default_scheme

        return default_scheme()


def _environment(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def database_target(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``--db``, else ``$ANNOTATOR_DB``, else ``annotations.db`` in the working folder. An
    empty ``--db`` is refused (it would otherwise pass for the default); an empty
    ``$ANNOTATOR_DB`` counts as unset."""
    if explicit is not None:
        if not explicit.strip():
            raise ConfigError(f"--db {explicit!r} is empty: give a database file path or URL")
        return explicit
    return _environment(environ).get(DB_ENV_VAR) or DEFAULT_DB_PATH


def annotator_name(
    explicit: str | None, environ: Mapping[str, str] | None = None, *,
    option: str = "--annotator",
) -> str:
    """``explicit`` (the command's ``option``), else ``$ANNOTATOR_NAME``, else the login
    name; stripped. A name of blanks only is refused, naming ``option``."""
    name = (explicit or _environment(environ).get(NAME_ENV_VAR) or _login_name()).strip()
    if not name:
        raise ConfigError(f"{option} needs a non-empty name")
    return name


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return FALLBACK_ANNOTATOR


def scheme_path(
    explicit: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Path | None:
    """The project scheme file in effect: ``--scheme``, else ``$ANNOTATOR_SCHEME``, else
    ``./annotator-scheme.toml`` (in ``cwd``) when there is one; ``None`` for the built-in
    scheme."""
    if explicit:
        return Path(explicit)
    from_env = _environment(environ).get(SCHEME_ENV_VAR)
    if from_env:
        return Path(from_env)
    local = (Path.cwd() if cwd is None else cwd) / SCHEME_FILE_NAME
    return local if local.is_file() else None


def _load_scheme(path: Path | None) -> Scheme:
    # Imported here: only the commands that need a scheme pay for reading it.
    from annotator.scheme.definition import SchemeError, load_scheme

    try:
        return load_scheme(path)
    except SchemeError as error:
        raise ConfigError(str(error)) from None


def suggestions_enabled(no_suggest: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Off with ``--no-suggest``, or with ``$ANNOTATOR_NO_SUGGEST`` set to a true word
    (``1``, ``true``, ``yes``, ``on``); on otherwise. A word neither true nor false is
    refused."""
    if no_suggest:
        return False
    value = _environment(environ).get(NO_SUGGEST_ENV_VAR, "")
    word = value.strip().lower()
    if not word or word in _FALSE:
        return True
    if word in _TRUE:
        return False
    raise ConfigError(f"${NO_SUGGEST_ENV_VAR} must be 1 or 0 (true/false, yes/no, on/off), "
                      f"not {value!r}")


def resolve(
    *, db: str | None = None, annotator: str | None = None,
    scheme: str | os.PathLike[str] | None = None, no_suggest: bool | None = None,
    environ: Mapping[str, str] | None = None, cwd: Path | None = None,
    annotator_option: str = "--annotator",
) -> Config:
    """Every setting a command runs with, from its explicit options, ``environ`` (the
    process environment when None) and the defaults, by the precedence in the module
    docstring. ``no_suggest=None`` is for a command without ``--no-suggest``: suggestions
    stay on and ``$ANNOTATOR_NO_SUGGEST`` is not read. Raises :class:`ConfigError` (one
    line) for an empty name, a bad ``$ANNOTATOR_NO_SUGGEST``, or a scheme file that cannot
    be read or has the wrong shape (the message names the file)."""
    name = annotator_name(annotator, environ, option=annotator_option)
    path = scheme_path(scheme, environ, cwd)
    return Config(
        db=database_target(db, environ),
        annotator=name,
        project_scheme=None if path is None else _load_scheme(path),
        scheme_path=path,
        suggestions=True if no_suggest is None else suggestions_enabled(no_suggest, environ),
    )


def resolve_scheme(
    explicit: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Scheme:
    """Only the scheme, by the same precedence (``annotator labels``); raises
    :class:`ConfigError` as :func:`resolve` does."""
    return _load_scheme(scheme_path(explicit, environ, cwd))


def prepare_textual(environ: MutableMapping[str, str] | None = None) -> None:
    """Give Textual its frame rate before it is imported (it reads ``$TEXTUAL_FPS`` once,
    at import): :data:`DEFAULT_TEXTUAL_FPS`, unless the user set their own."""
    target = os.environ if environ is None else environ
    target.setdefault(TEXTUAL_FPS_ENV_VAR, DEFAULT_TEXTUAL_FPS)
