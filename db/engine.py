"""Open a database: resolve the URL, set SQLite pragmas, create or upgrade the schema.

Every command goes through :func:`open_database`, so every connection gets the
same pragmas and no command ever runs against an unmigrated or newer schema; and its
``create`` flag is the one place that decides whether a missing database may be created.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import DatabaseError as DriverDatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.schema import DropTable

from db.write_errors import translate_write_error

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_MAGIC = b"SQLite format 3\x00"
# Labels are research data: a new database file (and so its -wal/-shm companions, which
# SQLite creates with the main file's mode) and a backup are readable by their owner only.
PRIVATE_FILE_MODE = 0o600
# The password of a URL's user part: everything up to the *last* "@" of the run, so that a
# password with an unencoded "@" is hidden whole (masking a little more is the safe side).
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)\S*@")
# A password given as a query parameter (libpq's and the drivers' spellings).
_QUERY_PASSWORD = re.compile(r"([?&](?:password|passwd|pass|pwd)=)[^&\s]*", re.IGNORECASE)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration's revision. Opening an up-to-date database compares against it
# and never imports Alembic, which is a third of the start-up time of every command;
# tests/test_engine.py checks it against the migration scripts.
SCHEMA_HEAD = "0004"


class DatabaseError(Exception):
    """A database cannot be opened; the message is meant for the user as is."""


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer version of the tool."""


def mask_password(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``: in the user part
    (even holding an unencoded ``@``) and as a ``password=`` query parameter. The one masker
    of the program: every message, log line and ``repr`` that may hold a URL goes through it."""
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))


def display_url(url: str) -> str:
    """A database URL as messages show it: never with its password."""
    return mask_password(url)


def resolve_url(target: str) -> str:
    """Turn a database target (a path or a SQLAlchemy URL) into a URL. Which target, of
    ``--db``, ``$ANNOTATOR_DB`` and the default, is the application's to say
    (:func:`annotator.config.database_target`): ``db/`` never reads the environment."""
    value = target
    if not value.strip():
        raise DatabaseError(f"no database named: {value!r} is empty; give a file path or a URL")
    if "://" not in value and _URL_WITHOUT_SLASHES.match(value):
        shown = mask_password(value)
        path = shown.split(":", 1)[1].lstrip("/") or "PATH"
        raise DatabaseError(f"not a database path or URL: {shown!r} looks like a URL without "
                            f"'//'; write sqlite:///{path} (or the path {path}) for a SQLite "
                            "file, postgresql+psycopg://USER@HOST/NAME for PostgreSQL")
    if "://" in value:
        if value.split("://", 1)[1].split("/", 1)[0].count("@") > 1:
            # The drivers would read the password's tail as the host, and echo it back.
            raise DatabaseError(f"not a valid database URL: {mask_password(value)!r}: the "
                                "password holds an unencoded '@'; write it as %40")
        try:
            url = make_url(value)
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number
            raise DatabaseError(f"not a valid database URL: {mask_password(value)!r}") from None
        _check_backend(url, value)
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
# "file:a.db", "sqlite:a.db", "postgresql:..." : a scheme and no "//". Taken as a path, it
# would name a new file called "file:a.db"; one letter is a Windows drive ("C:\\data").
_URL_WITHOUT_SLASHES = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


def _check_backend(url: URL, value: str) -> None:
    """Refuse, in one line naming the URL, what could only fail later with a traceback: an
    engine annotator does not support, a driver that is not installed, and a SQLite URL
    with a host (``sqlite://a.db`` means the host "a.db" and an in-memory database)."""
    shown = repr(mask_password(value))
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        hint = "; write postgresql+psycopg://" if backend == "postgres" else ""
        raise DatabaseError(f"not a supported database URL: {shown}: annotator stores its data "
                            f"in SQLite (a path, or sqlite:///PATH) or PostgreSQL "
                            f"(postgresql+psycopg://USER@HOST/NAME){hint}")
    if backend == "sqlite" and url.host:
        raise DatabaseError(f"not a valid database URL: {shown}: a SQLite URL has three "
                            f"slashes before a path (sqlite:///{url.host}"
                            f"{'/' + url.database if url.database else ''})")
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        raise DatabaseError(f"not a supported database URL: {shown}: no driver "
                            f"{url.get_driver_name()!r} for {backend}") from None
    try:
        dialect.import_dbapi()
    except ImportError as error:
        module = getattr(error, "name", None) or url.get_driver_name()
        raise DatabaseError(f"cannot open database {shown}: its driver ({module}) is not "
                            "installed; for PostgreSQL install claim-annotator[postgres] and "
                            "use postgresql+psycopg://") from None


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or ``None`` for in-memory and other engines."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri") == "true" and parsed.database.startswith("file:"):
        # sqlite:///file:PATH?mode=ro&uri=true opens PATH through SQLite's URI syntax.
        return Path(unquote(parsed.database.removeprefix("file:")))
    return Path(parsed.database)


def sqlite_read_only(url: str) -> bool:
    """Whether a SQLite URL opens its file read-only (``?mode=ro&uri=true``)."""
    query = make_url(url).query
    return query.get("uri") == "true" and query.get("mode") == "ro"


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The busy timeout is the driver's ``timeout`` argument (sqlite3 sets it on connect).
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL survives any process crash; only power loss can drop
        # the very last commits, and it saves an fsync per user action.
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _json_text(value: Any) -> str:
    """JSON columns as stored: never NaN or Infinity, which are not JSON (PostgreSQL's jsonb
    refuses them, SQLite would keep them and every export would write invalid JSON)."""
    return json.dumps(value, allow_nan=False)


def make_engine(url: str, lock_wait_ms: int | None = None, *, pre_ping: bool = True) -> Engine:
    """Create an engine whose every connection carries the project's settings.

    ``lock_wait_ms`` bounds how long one statement waits for another writer's lock
    before the engine reports it (SQLite's busy timeout, PostgreSQL's ``lock_timeout``);
    ``None`` keeps the defaults: 10 s on SQLite, no limit on PostgreSQL. ``pre_ping``
    tests a pooled PostgreSQL connection (a ``SELECT 1`` round trip) before every unit
    of work.
    """
    if make_url(url).get_backend_name() == "sqlite":
        busy_ms = SQLITE_BUSY_TIMEOUT_MS if lock_wait_ms is None else lock_wait_ms
        engine = create_engine(url, connect_args={"timeout": busy_ms / 1000},
                               json_serializer=_json_text)
        event.listen(engine, "connect", _set_sqlite_pragmas)
    elif lock_wait_ms is None:
        engine = create_engine(url, pool_pre_ping=pre_ping, json_serializer=_json_text)
    else:
        engine = create_engine(url, pool_pre_ping=pre_ping, json_serializer=_json_text,
                               connect_args={"options": f"-c lock_timeout={int(lock_wait_ms)}"})
    event.listen(engine, "handle_error", translate_write_error)
    return engine


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped inside this package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@dataclass(repr=False)
class Database:
    """An open, migrated database: an engine and its session factory."""

    def __repr__(self) -> str:  # what a traceback or a log shows: never the password
        return f"Database(url={mask_password(self.url)!r})"

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    # Whether opening it created it (a new SQLite file, or the schema in an empty server
    # database), so a command that may create one can say so.
    created: bool = False

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        with self.sessions.begin() as session:
            yield session

    @cached_property
    def _autocommit(self) -> Engine:
        """This engine with every statement in autocommit (PostgreSQL: no ``BEGIN`` and
        ``COMMIT``/``ROLLBACK`` round trips), built once."""
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def reads(self) -> Iterator[Session]:
        """A read-only unit of work. On PostgreSQL its statements run in autocommit, which
        spares the ``BEGIN`` and ``ROLLBACK`` round trips of a transaction: under READ
        COMMITTED each statement sees its own snapshot either way. SQLite's driver opens no
        transaction for reads, so there it is a plain session."""
        if self.engine.dialect.name == "sqlite":
            with self.sessions() as session:
                yield session
            return
        with Session(self._autocommit, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def read_statement(self) -> Iterator[Connection]:
        """A Core connection for one read-only statement, without the ORM session's set-up
        (the change marker that every move probes); in autocommit on PostgreSQL, as
        :meth:`reads`."""
        engine = self.engine if self.engine.dialect.name == "sqlite" else self._autocommit
        with engine.connect() as connection:
            yield connection

    @contextmanager
    def single_statement(self) -> Iterator[Session]:
        """A unit of work of one write statement, atomic by itself: in autocommit on
        PostgreSQL (one round trip instead of three), a committed transaction on SQLite."""
        if self.engine.dialect.name == "sqlite":
            with self.transaction() as session:
                yield session
            return
        with Session(self._autocommit, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def with_lock_wait(self, lock_wait_ms: int) -> Database:
        """The same database through connections that wait at most ``lock_wait_ms`` for
        another writer, so an interactive caller can retry and say so (see db/retry.py).

        Its connections are not pinged before each unit of work: every keypress of the
        annotation screen is one or two units, and a ping is a server round trip each on
        PostgreSQL. A connection the server dropped fails its next statement, which
        invalidates the pool (SQLAlchemy's disconnect handling), so one action reports
        the error and the next runs on a fresh connection."""
        engine = make_engine(self.url, lock_wait_ms, pre_ping=False)
        return Database(self.url, engine, sessionmaker(engine, expire_on_commit=False))


NO_DATABASE_HINT = 'create one with "annotator import"'


def _check_sqlite_file(path: Path, *, create: bool = True, read_only: bool = False) -> bool:
    """Check the file behind a SQLite URL, creating it (empty) when it may; whether it did."""
    if path.exists():
        if path.is_dir():
            raise DatabaseError(f"{path} is a folder, not a database file")
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
        if head and head != SQLITE_MAGIC:
            raise DatabaseError(f"{path} is not a SQLite database; refusing to touch it")
        return False
    if read_only:
        raise DatabaseError(f"{path}: no such database file")
    if not create:
        raise DatabaseError(f"no database at {path} ({NO_DATABASE_HINT})")
    if not path.parent.is_dir():
        raise DatabaseError(f"cannot create database {path}: folder {path.parent} does not exist")
    _create_private(path)
    return True


def _create_private(path: Path) -> None:
    """Create an empty file readable by its owner only (an empty file is an empty database)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:  # created by another process meanwhile: theirs stands
        pass
    except OSError as error:
        raise DatabaseError(f"cannot create database {path}: {error.strerror or error}") from None


def _on_read_only_disk(url: str, path: Path) -> str:
    """The URL to read a SQLite file whose folder cannot be written (a read-only mount).

    SQLite needs a ``-shm`` file beside a WAL database even to read it; where none can
    be created, the file is opened immutable (nothing can change it there anyway), so it
    can still be read and every write is refused as read-only.
    """
    if sqlite_read_only(url) or not path.is_file() or os.access(path.parent, os.W_OK) \
            or Path(f"{path}-shm").exists():
        return url
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise DatabaseError(f"{path} is on a read-only disk with changes still in {wal.name}; "
                            "open it once where it can be written")
    return f"sqlite:///file:{quote(str(path))}?mode=ro&immutable=1&uri=true"


def _backup_sqlite(path: Path, revision: str) -> Path:
    """Copy the SQLite file to ``NAME.before-REVISION.bak`` once: a backup already there is
    the file as it was before the first attempt at this upgrade and is never replaced (an
    attempt killed midway left the database unchanged, so it still is the original).

    The copy is made in a private temporary file beside it and linked into place whole,
    so a kill during the copy never leaves a partial backup under the real name."""
    backup = path.with_name(f"{path.name}.before-{revision}.bak")
    # Copies left by a killed attempt (the caller holds the schema lock: none is in use).
    for stale in path.parent.glob(f".{glob.escape(backup.name)}.*.partial"):
        stale.unlink(missing_ok=True)
    if backup.exists():
        return backup
    handle, name = tempfile.mkstemp(prefix=f".{backup.name}.", suffix=".partial",
                                    dir=path.parent)  # mode 0600
    os.close(handle)
    partial = Path(name)
    try:
        source = sqlite3.connect(path)
        try:
            target = sqlite3.connect(partial)
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
        with suppress(FileExistsError):  # made by another process meanwhile: theirs stands
            os.link(partial, backup)
    finally:
        partial.unlink(missing_ok=True)
    return backup


def _current_revision(engine: Engine) -> tuple[str | None, set[str]]:
    """The stored schema revision, and the tables the database holds when it has none
    (empty when it is new)."""
    with engine.connect() as connection:
        # Every open of an annotator database finds the version table: read it directly,
        # without reflecting the table list (a catalogue query and, on PostgreSQL, the
        # compiling of its statement, ~10 ms of every start).
        try:
            revision = connection.execute(text("SELECT version_num FROM alembic_version"))
        except DriverDatabaseError as error:  # no such table (or not a database): look closer
            connection.rollback()
            failure = error
        else:
            return revision.scalar(), {"alembic_version"}
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" in tables:  # there, yet unreadable: that error is the answer
            raise failure
        return None, tables


# The key of the PostgreSQL advisory lock that every process creating or upgrading the
# schema of a database takes first ("anno" in ASCII); it is held to the transaction's end.
_SCHEMA_LOCK_KEY = 0x616E6E6F
# Batch mode (SQLite) rebuilds a table as _alembic_tmp_NAME, then drops NAME and renames.
_BATCH_COPY_PREFIX = "_alembic_tmp_"


@contextmanager
def _schema_transaction(engine: Engine) -> Iterator[Connection]:
    """One connection in one transaction that holds the database's schema lock, so that
    creating or upgrading the schema is all or nothing and one process does it at a time.

    SQLite: pysqlite opens no transaction before DDL statements, so each ``CREATE`` and
    ``DROP`` of a migration would commit on its own; in the driver's autocommit mode it
    leaves statements alone, and the ``BEGIN IMMEDIATE`` sent here makes the whole
    migration one transaction that takes the write lock at once (waiting up to the busy
    timeout for another process's creation). Foreign keys are off meanwhile: SQLite
    rebuilds an altered table by dropping the old one, which would cascade, and the
    pragma only takes effect outside a transaction. PostgreSQL: DDL is transactional, and
    ``pg_advisory_xact_lock`` makes a second process wait instead of failing on the first
    one's uncommitted tables."""
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": _SCHEMA_LOCK_KEY})
                yield connection
            return
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.commit()  # ends SQLAlchemy's autobegun (empty) transaction
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                yield connection
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.commit()


def _stored_schema(connection: Connection) -> tuple[str | None, set[str]]:
    """The revision and the tables, read inside the schema transaction (a failed statement
    would abort a PostgreSQL transaction, so the catalogue is asked first)."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables:
        return None, tables
    revision = connection.execute(text("SELECT version_num FROM alembic_version"))
    return revision.scalar(), tables


def _ours(table: str) -> bool:
    from db.models import Base

    return table.removeprefix(_BATCH_COPY_PREFIX) in Base.metadata.tables


def _clear_unfinished_creation(connection: Connection, tables: set[str], url: str) -> None:
    """Drop what a first creation killed midway left (by a version that ran DDL outside a
    transaction): only annotator tables, every one empty, and no version table. Anything
    else is not an annotator database and is refused untouched."""
    if not tables:
        return
    foreign = DatabaseError(
        f"{display_url(url)} already holds tables that are not an annotator database")
    if not all(_ours(table) for table in tables):
        raise foreign
    found = MetaData()
    found.reflect(connection, only=sorted(tables))
    for table in found.sorted_tables:
        if connection.execute(select(table).limit(1)).first() is not None:
            raise foreign
    found.drop_all(connection)


def _finish_interrupted_copies(connection: Connection, tables: set[str]) -> None:
    """Settle the table copies an upgrade killed midway left (by a version that ran DDL
    outside a transaction): a copy beside its table never replaced it and is dropped; a
    copy whose table is gone replaced it whole and takes its name."""
    from alembic.ddl.base import RenameTable  # the compiler of each dialect comes with it

    for table in sorted(t for t in tables if t.startswith(_BATCH_COPY_PREFIX)):
        name = table.removeprefix(_BATCH_COPY_PREFIX)
        copy = Table(table, MetaData())
        if name in tables:
            connection.execute(DropTable(copy))
        else:
            connection.execute(RenameTable(table, name))


def _not_ours(url: str) -> DatabaseError:
    return DatabaseError(f"{display_url(url)} is not an annotator database (it holds no "
                         f"annotator tables); {NO_DATABASE_HINT}")


def _migrate(engine: Engine, url: str, *, patient: bool = True, create: bool = True) -> bool:
    """Create or upgrade the schema as needed; whether it was created. Without ``create``,
    a database without the schema is refused untouched."""
    current, _tables = _current_revision(engine)
    if current == SCHEMA_HEAD:
        return False
    if current is None and not create:
        raise _not_ours(url)
    if not patient:
        # The engine gives up on another writer's lock quickly (an interactive one): an
        # upgrade, once per version, waits as long as the defaults allow instead.
        upgrader = make_engine(url)
        try:
            return _migrate(upgrader, url, create=create)
        finally:
            upgrader.dispose()
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    with _schema_transaction(engine) as connection:
        # Again under the lock: another process may have created or upgraded it meanwhile.
        current, tables = _stored_schema(connection)
        if current == SCHEMA_HEAD:
            return False
        if current is None:
            if not create:
                raise _not_ours(url)
            _clear_unfinished_creation(connection, tables, url)
        else:
            try:
                script.get_revision(current)
            except CommandError:
                raise SchemaTooNewError(
                    f"database schema {current!r} was written by a newer version of "
                    "annotator; upgrade claim-annotator to open it"
                ) from None
            path = sqlite_path(url)
            if path is not None:
                _backup_sqlite(path, current)
            _finish_interrupted_copies(connection, tables)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if connection.dialect.name == "sqlite" \
                and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise DatabaseError(f"upgrading {display_url(url)} would break references; "
                                "nothing was changed")
    return current is None


def open_database(
    target: str, *, create: bool = True, migrate: bool = True, lock_wait_ms: int | None = None,
    pre_ping: bool = True,
) -> Database:
    """Open (upgrading as needed) the database named by ``target``; ``lock_wait_ms`` and
    ``pre_ping`` as for :func:`make_engine` (an interactive caller opens it as
    :meth:`Database.with_lock_wait` would, with one engine instead of two).

    The one place that decides whether a database may be created: with ``create`` a
    missing SQLite file is created and an empty database gets the schema (``created`` on
    the result says so); without it both are refused untouched (``no database at PATH``,
    ``... is not an annotator database``), which is what every command that only reads
    wants: a typo must not pass for an empty database.

    Raises :class:`DatabaseError` with a one-line message for anything the user
    must fix: a file that is not a database, a newer schema, an unreachable server.
    """
    url = resolve_url(target)
    path = sqlite_path(url)
    created_file = False
    if path is not None:
        created_file = _check_sqlite_file(path, create=create,
                                          read_only=sqlite_read_only(url))
        url = _on_read_only_disk(url, path)
    engine = make_engine(url, lock_wait_ms, pre_ping=pre_ping)
    created = created_file
    try:
        if migrate:
            created = _migrate(engine, url, patient=lock_wait_ms is None,
                               create=create) or created_file
    except DatabaseError:
        engine.dispose()
        raise
    except (OperationalError, sqlite3.DatabaseError) as error:
        engine.dispose()
        raise DatabaseError(f"cannot open database {display_url(url)}: "
                            f"{_first_line(error)}") from None
    except SQLAlchemyError as error:
        engine.dispose()
        raise DatabaseError(f"cannot open database {display_url(url)}: "
                            f"{_first_line(error)}") from None
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(url=url, engine=engine, sessions=sessions, created=created)


# What SQLite says when the file itself is damaged (a torn or overwritten page).
_DAMAGED = ("database disk image is malformed", "file is not a database")


def damaged_database(error: BaseException) -> str | None:
    """One line for an error that says the SQLite file is damaged, else ``None``.

    A damaged page can pass the checks of :func:`open_database` (they read two tables) and
    fail the first command that reads it; that command then stops with this line (the
    transaction it was in is rolled back; what it committed before stays).
    """
    undecodable = undecodable_text(error)
    if undecodable is not None:
        return (f"the database file holds text that is not valid UTF-8 ({undecodable}), "
                "written by another program; the command stopped and what it was writing "
                "was rolled back. Find the row with `sqlite3 FILE` and fix or delete it")
    message = damage_reason(error)
    if message is None:
        return None
    return (f"the database file is damaged ({message}); the command stopped. Restore it "
            "from a backup, or recover what is readable with `sqlite3 FILE .recover`")


def undecodable_text(error: BaseException) -> str | None:
    """What SQLite's driver said (``Could not decode to UTF-8 column 'title' with text
    ...``) when ``error`` is a stored text that is not UTF-8, else ``None``: this program
    never writes one, another program (or an old tool) can."""
    original = getattr(error, "orig", None) or error
    if not isinstance(original, sqlite3.OperationalError):
        return None
    message = str(original).strip()
    return message if message.startswith("Could not decode to UTF-8") else None


def damage_reason(error: BaseException) -> str | None:
    """What SQLite said (``database disk image is malformed``) when ``error`` means the file
    is damaged, else ``None``; :func:`damaged_database` and the screens word it."""
    original = getattr(error, "orig", None) or error
    if not isinstance(original, sqlite3.DatabaseError):
        return None
    message = str(original).strip()
    if any(damage in message for damage in _DAMAGED):
        return message
    return undecodable_text(error)  # a row the screens cannot show: the same as damage


def _first_line(error: BaseException) -> str:
    text = mask_password(str(getattr(error, "orig", None) or error))
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__

