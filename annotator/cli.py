"""The ``annotator`` command line: parse arguments, resolve the configuration once
(:mod:`annotator.config`), call domain functions with it, print results."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click
from rich.console import Console

from annotator import __version__
from annotator.config import (
    DB_ENV_VAR,
    NAME_ENV_VAR,
    NO_SUGGEST_ENV_VAR,
    SCHEME_ENV_VAR,
    SCHEME_FILE_NAME,
    Config,
    ConfigError,
    database_target,
    may_create,
    resolve,
    resolve_scheme,
)
from annotator.io.export_tables import TABLE_VIEWS
from annotator.io.output import (
    OutputError,
    atomic_text_file,
    check_target,
    protected_files,
)
from annotator.text.bounds import ID_MAX, BoundsError, check_name
from annotator.text.visible import json_visible, visible_lines
from db.documents import count_documents, missing_document_ids
from db.engine import (
    Database,
    DatabaseError,
    damaged_database,
    mask_password,
    open_database,
    resolve_url,
    sqlite_path,
)
from db.models import LABELS, STATUSES
from db.retry import refusal
from db.write_errors import server_lost

if TYPE_CHECKING:
    from annotator.io.importer import ImportSummary
    from annotator.io.merge import MergeSummary
    from db.filters import AnnotationFilter

# Modules that only some commands need (segmentation loads blingfire and NumPy) are
# imported inside those commands, so that `annotator annotate` starts quickly.

PROGRESS_MIN_FILES = 4

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)


T = TypeVar("T")


def shown(message: str) -> str:
    """``message`` as it may reach a terminal: every line through the one verbatim rendering
    (annotator/text/visible.py), so a name or title can never send an escape sequence."""
    return visible_lines(message)


def echo(message: str = "", *, err: bool = False) -> None:
    """Print one message (which may quote stored or imported text) on a line of its own."""
    click.echo(shown(message), err=err)


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


class DocumentId(click.ParamType):
    """A document id option: an integer a row id can be (1 to 2**31 - 1, see
    annotator/text/bounds.py). Anything else is one line naming the value, the same on both
    engines (the drivers would fail differently: OverflowError, "integer out of range")."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        option = param.opts[0] if param is not None and param.opts else "ID"
        digits = text.removeprefix("-").removeprefix("+")
        if not (digits.isascii() and digits.isdigit()):
            self.fail(f"{_short(text)!r} is not a valid integer", param, ctx)
        if len(digits) > len(str(ID_MAX)) or not 1 <= int(text) <= ID_MAX:
            raise click.ClickException(f"{option} {_short(text)}: not a document id (ids are "
                                       f"1 to {ID_MAX})")
        return int(text)


class AnnotatorName(click.ParamType):
    """An annotator name option: one both engines store alike (no NUL, at most 200
    characters), else one line naming the option."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        option = param.opts[0] if param is not None and param.opts else "NAME"
        return checked_name(str(value), option)


def checked_name(value: str, option: str) -> str:
    """``value`` when it can be an annotator name; a one-line error naming ``option``."""
    try:
        return check_name(value, f"{option} {_short(value)!r}")
    except BoundsError as error:
        raise click.ClickException(str(error)) from None


DOCUMENT_ID = DocumentId()
ANNOTATOR_NAME = AnnotatorName()


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--db`` option every command shares."""
    return click.option(
        "--db", "db", metavar="PATH|URL", default=None,
        help=f"Database file or SQLAlchemy URL [default: ${DB_ENV_VAR} or ./annotations.db].",
    )(function)


def scheme_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--scheme`` option of every command the scheme matters to."""
    return click.option(
        "--scheme", "scheme_path", metavar="PATH", default=None,
        help=f"Scheme file [default: ${SCHEME_ENV_VAR}, ./{SCHEME_FILE_NAME} or built-in].",
    )(function)


def configure(
    *, db: str | None, annotator: str | None, scheme_path: str | None,
    no_suggest: bool | None = None, annotator_option: str = "--annotator",
) -> Config:
    """The command's configuration (see :func:`annotator.config.resolve`), or stop with a
    one-line error."""
    try:
        return resolve(db=db, annotator=annotator, scheme=scheme_path, no_suggest=no_suggest,
                       annotator_option=annotator_option)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def open_or_fail(
    target: str | None, *, create: bool, lock_wait_ms: int | None = None,
    pre_ping: bool = True, announce: bool = True,
) -> Database:
    """Open the database ``target`` (``None``: ``$ANNOTATOR_DB``, else the default; options
    as :func:`db.engine.open_database`), creating it only with ``create`` (a command's
    :func:`annotator.config.may_create`) and then saying so (unless not ``announce``: the
    caller says it, see :func:`announce_created`); or stop with a one-line error."""
    try:
        database = open_database(database_target(target), create=create,
                                 lock_wait_ms=lock_wait_ms, pre_ping=pre_ping)
    except (DatabaseError, ConfigError) as error:
        raise click.ClickException(str(error)) from None
    if database.created and announce:
        announce_created(database)
    return database


def announce_created(database: Database) -> None:
    """Say that this command created ``database``."""
    path = sqlite_path(database.url)
    echo(f"created new database {path if path is not None else mask_password(database.url)}",
         err=True)


class _Commands(click.Group):
    """Every command: a write the storage refuses (read-only, disk full), or a database
    another program kept locked longer than the engine waits, is one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:  # may quote a name, a path, a value: shown
            error.message = shown(error.message)
            raise
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:  # refused by the storage, or busy, whichever the driver
            # The same words the screens use (db/retry.py); a damaged file is one line too.
            problem = refusal(error) or damaged_database(error)
            if problem is None:
                raise
            raise click.ClickException(problem) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="annotator")
def cli() -> None:
    """Annotate claims, their sources and their figures in news articles, sentence by sentence."""


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def import_command(paths: tuple[Path, ...], db: str | None) -> None:
    """Import .txt/.md files, folders, JSONL or CSV (a "text" column) into the database.

    Each document is split into sentences with exact character offsets and stored
    in its own transaction. Importing the same text again adds nothing. Files that
    cannot be read are reported and skipped; the exit code is then 1.
    """
    database = open_or_fail(db, create=may_create("import"))
    try:
        summary = _import_with_progress(database, list(paths))
    except Exception as error:
        lost = server_lost(error)
        if lost is None:
            raise
        raise click.ClickException(
            f"{lost}: the import stopped; every document stored before it stays, and the "
            "same command imports the rest once the server is back") from None
    finally:
        database.dispose()
    report_import(summary, summary_to_stderr=False)
    if summary.problems:
        sys.exit(1)


def report_import(summary: ImportSummary, *, summary_to_stderr: bool) -> None:
    """Each skipped input and each conflict on its own line, then the one-line summary."""
    for problem in summary.problems:
        echo(f"skipped: {problem}", err=True)
    for conflict in summary.conflicts:
        echo(f"conflict: {conflict}", err=True)
    echo(summary.describe(), err=summary_to_stderr)


def _import_with_progress(database: Database, paths: list[Path]) -> ImportSummary:
    from annotator.io.importer import count_input_files, import_paths

    total = count_input_files(paths)
    if total < PROGRESS_MIN_FILES:
        return import_paths(database, paths)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("import", total=total)
        return import_paths(database, paths, on_file=lambda _path: progress.advance(task))


@cli.command("annotate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--annotator", "annotator", type=ANNOTATOR_NAME, default=None, metavar="NAME",
              help=f"Who is annotating [default: ${NAME_ENV_VAR} or the login name].")
@click.option("--document", "document", type=DOCUMENT_ID, default=None, metavar="ID",
              help="Open this document instead of resuming.")
@click.option("--show-others", is_flag=True, help="Also show other annotators' spans.")
@click.option("--no-suggest", is_flag=True,
              help=f"Neither compute nor show suggestions [or set ${NO_SUGGEST_ENV_VAR}=1].")
@scheme_option
@db_option
def annotate_command(
    paths: tuple[Path, ...], annotator: str | None, document: int | None, show_others: bool,
    no_suggest: bool, scheme_path: str | None, db: str | None,
) -> None:
    """Open the annotation screen (importing PATHs first, as `annotator import`).

    With an empty database and no PATH, the bundled sample article is imported
    so there is something to annotate.
    """
    config = configure(db=db, annotator=annotator, scheme_path=scheme_path,
                       no_suggest=no_suggest)
    checked_name(config.annotator, "--annotator")  # $ANNOTATOR_NAME too, not only the option
    from annotator.tui import launch as tui_launch  # Textual loads only when the screen opens

    # One engine, the screen's, serves the checks below too: each engine costs a
    # connection (and, on PostgreSQL, its set-up queries) before the first frame.
    database = open_or_fail(config.db, create=may_create("annotate"),
                            lock_wait_ms=tui_launch.INTERACTIVE_LOCK_WAIT_MS, pre_ping=False)
    try:
        to_import = list(paths)
        if not to_import and count_documents(database) == 0:
            sample = bundled_sample()
            if sample is None:
                raise click.ClickException("the database is empty: import articles first "
                                           "with `annotator import PATH`")
            to_import = [sample]
        if to_import:
            _import_patiently(config.db, to_import)
        if document is not None and missing_document_ids(database, [document]):
            raise click.ClickException(f"no document with id {document}")
        if count_documents(database) == 0:
            raise click.ClickException("nothing to annotate: no document was imported")
        status = tui_launch.run_annotator(database, config.annotator, show_others=show_others,
                                          document_id=document, suggestions=config.suggestions,
                                          scheme=config.project_scheme)
    finally:
        database.dispose()
    if status:  # the screen stopped on an error, or the file turned out damaged: said
        sys.exit(status)


def _import_patiently(db: str, paths: list[Path]) -> None:
    """Import as `annotator import` does, through connections that wait for other writers
    as long as the defaults allow (not the screen's, which give up after half a second)."""
    importing = open_or_fail(db, create=may_create("import"))
    try:
        summary = _import_with_progress(importing, paths)
    finally:
        importing.dispose()
    report_import(summary, summary_to_stderr=True)


def bundled_sample() -> Path | None:
    """The sample article beside the package (a source checkout or editable install)."""
    candidate = Path(__file__).resolve().parents[1] / "sample" / "gaza-aid-talks.txt"
    return candidate if candidate.is_file() else None


EXPORT_VIEWS = (*TABLE_VIEWS, "documents")
EXPORT_FORMATS = ("csv", "jsonl", "prodigy", "doccano", "brat")


@cli.command("export")
@click.option("--view", type=click.Choice(EXPORT_VIEWS), default=None,
              help="What one row is [default: spans for csv, documents for the other formats].")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv",
              show_default=True,
              help="jsonl without --view (or with --view documents) is the native lossless "
                   "format, one document per line; with a table view, one row per line.")
@click.option("--annotator", "annotators", type=ANNOTATOR_NAME, multiple=True, metavar="NAME",
              help="Only this annotator's annotations (repeatable; gold is the adjudicated "
                   "layer). prodigy, doccano and brat keep each annotator apart.")
@click.option("--all-annotators", "every_annotator", is_flag=True,
              help="prodigy, doccano, brat: every annotator, each kept apart (without it, "
                   "annotations by several annotators need --annotator).")
@click.option("--label", "labels", multiple=True, type=click.Choice(LABELS),
              help="Only annotations with this label (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only annotations with this status (repeatable) [default: accepted; "
                   "every status for the native jsonl and brat].")
@click.option("--document", "documents", type=DOCUMENT_ID, multiple=True, metavar="ID",
              help="Only these documents (repeatable).")
@click.option("--out", "out", default="-", metavar="FILE|DIR|-", show_default=True,
              help="Output file ('-' is standard output); a folder for --format brat.")
@click.option("--excel", is_flag=True, help="Start the CSV with a UTF-8 BOM for Excel.")
@click.option("--raw", is_flag=True, help="Do not neutralize cells that look like formulas.")
@click.option("--force", is_flag=True, help="Replace an existing --out file (or brat files).")
@db_option
def export_command(
    view: str | None, fmt: str, annotators: tuple[str, ...], every_annotator: bool,
    labels: tuple[str, ...], statuses: tuple[str, ...], documents: tuple[int, ...], out: str,
    excel: bool, raw: bool, force: bool, db: str | None,
) -> None:
    """Export annotations or sentences as tables (CSV, JSONL) or whole documents, streamed.

    Table views: spans (one row per annotation), claims (one per claim, with its
    source), figures (one per figure supporting a claim), sources (one per canonical
    source), sentences; sentence numbers are 1-based. Document formats: jsonl (native,
    lossless, re-importable), prodigy, doccano, brat (one annotator's layer per document).
    """
    from annotator.io.export import export_statuses, table, write_csv, write_jsonl
    from db.document_records import iter_document_records
    from db.filters import AnnotationFilter, unknown_annotators

    view = view or ("spans" if fmt == "csv" else "documents")
    _check_export_options(view, fmt, annotators, labels, statuses, out)
    if every_annotator and (fmt not in TOOL_FORMATS or annotators):
        raise click.UsageError("--all-annotators is for --format prodigy, doccano or brat, "
                               "without --annotator")
    selection = AnnotationFilter(annotators, labels, export_statuses(view, fmt, statuses),
                                 documents)
    database = open_or_fail(db, create=may_create("export"))
    protect = protected_files(sqlite_path(database.url))
    try:
        if out != "-" and fmt != "brat":
            _checked(lambda: check_target(Path(out), force=force, protect=protect))
        missing = missing_document_ids(database, documents)
        if missing:
            raise click.ClickException(f"no document with id {', '.join(map(str, missing))}")
        unknown = unknown_annotators(database, annotators)
        if unknown:
            raise click.ClickException(f"no annotator called {', '.join(map(repr, unknown))}")
        layers_of: tuple[str, ...] = ()
        if fmt in TOOL_FORMATS:
            layers_of = _tool_layers(database, selection, annotators, every_annotator, fmt)
        if not force:
            _refuse_overwrite(out, brat=fmt == "brat", layers_of=layers_of)
        if fmt == "brat":
            count = _export_brat(database, selection, out, layers_of, force=force,
                                 protect=protect)
        elif view == "documents":
            from annotator.io.interchange import write_documents
            from db.document_records import iter_source_records, iter_unused_annotators

            # The native format carries the annotators' progress (done marks, positions).
            records = iter_document_records(database, selection, with_progress=fmt == "jsonl")
            # What no annotation refers to belongs to a whole export only (a filtered one
            # leaves out the sources and annotators of what it leaves out anyway).
            whole = fmt == "jsonl" and selection == AnnotationFilter()
            with _output(out, "utf-8", force=force, protect=protect) as handle:
                count = write_documents(
                    handle, records, fmt,
                    sources=iter_source_records(database, unused=True) if whole else (),
                    annotators=iter_unused_annotators(database) if whole else (),
                    layers_of=layers_of)
        else:
            columns, rows = table(database, view, selection)
            encoding = "utf-8-sig" if excel and fmt == "csv" else "utf-8"
            with _output(out, encoding, force=force, protect=protect) as handle:
                if fmt == "csv":
                    count = write_csv(handle, columns, rows, safe=not raw)
                else:
                    count = write_jsonl(handle, columns, rows)
    finally:
        database.dispose()
    if out != "-":
        what = f"{count} document{'s' * (count != 1)}" if view == "documents" \
            else f"{count} {view} rows"
        if len(layers_of) > 1:
            what = f"{count} record{'s' * (count != 1)} (one per document and annotator: " \
                   f"{', '.join(layers_of)})"
        elif fmt in TOOL_FORMATS:
            what += f" ({_layers_text(layers_of)})"
        echo(f"wrote {what} to {out}", err=True)


TOOL_FORMATS = ("prodigy", "doccano", "brat")


def _tool_layers(database: Database, selection: AnnotationFilter, annotators: tuple[str, ...],
                 every: bool, fmt: str) -> tuple[str, ...]:
    """The annotators a prodigy, doccano or brat export holds, each kept apart."""
    from annotator.io.layers import choose_layers
    from db.export_rows import annotators_in

    found = () if annotators else annotators_in(database, selection)
    try:
        return choose_layers(found, annotators, every=every, fmt=fmt)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _layers_text(names: tuple[str, ...]) -> str:
    return f"annotator {names[0]}" if names else "texts only: no annotations"


def _check_export_options(
    view: str, fmt: str, annotators: tuple[str, ...], labels: tuple[str, ...],
    statuses: tuple[str, ...], out: str,
) -> None:
    """Refuse combinations that would silently mean something else."""
    if view == "documents" and fmt == "csv":
        raise click.UsageError("--view documents needs --format jsonl, prodigy, doccano or brat")
    if fmt in ("prodigy", "doccano", "brat") and view != "documents":
        raise click.UsageError(f"--format {fmt} writes whole documents; leave out --view")
    if view == "sentences" and (annotators or labels or statuses):
        raise click.UsageError("--annotator, --label and --status do not apply to "
                               "--view sentences")
    if view in ("claims", "figures", "sources") and labels:
        raise click.UsageError(f"--label does not apply to --view {view}")
    if fmt == "brat" and out == "-":
        raise click.UsageError("--format brat writes a folder: give --out DIR")


def _refuse_overwrite(out: str, *, brat: bool, layers_of: tuple[str, ...] = ()) -> None:
    """Stop before an export would replace a file the user already has."""
    if out == "-":
        return
    path = Path(out)
    if brat:
        from annotator.io.brat import layer_folder

        # The folders this export writes: one per annotator, or the folder itself.
        folders = [path / layer_folder(name) for name in layers_of] or [path]
        if any(folder.is_dir() and any(
            child.name == "annotation.conf" or child.suffix in (".txt", ".ann")
            for child in folder.iterdir()
        ) for folder in folders):
            raise click.ClickException(f"{out} already holds brat files; add --force to "
                                       "replace files of the same name")
    elif path.exists() or path.is_symlink():
        raise click.ClickException(f"{out} already exists; add --force to replace it")


def _export_brat(database: Database, selection: AnnotationFilter, out: str,
                 layers_of: tuple[str, ...], *, force: bool, protect: tuple[Path, ...]) -> int:
    from annotator.io.brat import write_brat
    from db.document_records import iter_document_records

    folder = Path(out)
    return _checked(lambda: write_brat(folder, iter_document_records(database, selection),
                                       annotators=layers_of, force=force, protect=protect))


def _checked(action: Callable[[], T]) -> T:
    """Run an output step; a refused output is one line."""
    try:
        return action()
    except OutputError as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def _output(target: str, encoding: str, *, force: bool,
            protect: tuple[Path, ...]) -> Iterator[TextIO]:
    """Standard output, or a file that appears only once it is complete (io/output.py)."""
    if target == "-":
        # Wrap the byte stream so CSV's CRLF and the chosen encoding reach it unchanged.
        stream = io.TextIOWrapper(
            sys.stdout.buffer, encoding=encoding, newline="", write_through=True
        )
        try:
            yield stream
            stream.flush()
        except OutputError as error:  # e.g. a value JSON cannot hold: what was written stays
            stream.flush()
            raise click.ClickException(str(error)) from None
        finally:
            stream.detach()
        return
    try:
        with atomic_text_file(Path(target), encoding, force=force, protect=protect) as handle:
            yield handle
    except OutputError as error:
        raise click.ClickException(str(error)) from None


@cli.command("merge")
@click.argument("others", nargs=-1, required=True, metavar="OTHER.db|URL...")
@db_option
def merge_command(others: tuple[str, ...], db: str | None) -> None:
    """Bring documents, sources, annotations and links of other databases into this one.

    Documents match by their text, sources by name and aliases, annotations by
    annotator, label and offsets, so nothing is duplicated and merging twice adds
    nothing. Nothing here is overwritten: differences are reported as conflicts.
    Each document is merged in its own transaction. The exit code is 1 if a
    database could not be opened or a document could not be merged.
    """
    database = open_or_fail(db, create=may_create("merge"))
    failed = False
    try:
        for other in others:
            summary = _merge_one(database, other)
            if summary is None:
                failed = True
                continue
            for conflict in summary.conflicts:
                echo(f"conflict: {conflict}", err=True)
            for problem in summary.problems:
                echo(f"not merged: {problem}", err=True)
            failed = failed or bool(summary.problems)
            echo(summary.describe())
    finally:
        database.dispose()
    if failed:
        sys.exit(1)


def _merge_one(database: Database, other: str) -> MergeSummary | None:
    from annotator.io.merge import merge_database

    """Merge one database; reports and returns ``None`` when it cannot be opened."""
    try:
        url = resolve_url(other)
    except DatabaseError as error:
        echo(f"error: {mask_password(other)}: {error}", err=True)
        return None
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        # Opening would create an empty database: a typo must not pass for "nothing to merge".
        echo(f"error: {mask_password(other)}: no such database file", err=True)
        return None
    here = sqlite_path(database.url)
    if url == database.url or (path is not None and here is not None and here.exists()
                               and path.samefile(here)):
        echo(f"error: {mask_password(other)}: is the database being merged into", err=True)
        return None
    try:
        source = open_database(url, create=False)
    except DatabaseError as error:  # the message already names the file or URL
        echo(f"error: {error}", err=True)
        return None
    try:
        return merge_database(database, source, mask_password(other))
    finally:
        source.dispose()


@cli.command("suggest")
@click.option("--annotator", "annotator", type=ANNOTATOR_NAME, default=None, metavar="NAME",
              help=f"Whose layer gets the suggestions [default: ${NAME_ENV_VAR} or the login "
                   "name].")
@click.option("--document", "documents", type=DOCUMENT_ID, multiple=True, metavar="ID",
              help="Only these documents (repeatable) [default: all].")
@scheme_option
@db_option
def suggest_command(
    annotator: str | None, documents: tuple[int, ...], scheme_path: str | None, db: str | None,
) -> None:
    """Compute suggested claims, sources and figures and store them for an annotator.

    Suggestions are pending until accepted in `annotator annotate`; spans the
    annotator already has, including rejected suggestions, are never suggested
    again, so running this twice adds nothing. One transaction per document.
    """
    config = configure(db=db, annotator=annotator, scheme_path=scheme_path)
    checked_name(config.annotator, "--annotator")  # $ANNOTATOR_NAME too, not only the option
    database = open_or_fail(config.db, create=may_create("suggest"))
    try:
        missing = missing_document_ids(database, documents)
        if missing:
            raise click.ClickException(f"no document with id {', '.join(map(str, missing))}")
        from annotator.suggest.store import suggest_documents

        total = len(documents) or count_documents(database)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("suggesting"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err_console, transient=True,
                      disable=total < PROGRESS_MIN_FILES) as progress:
            task = progress.add_task("suggest", total=total)
            summary = suggest_documents(database, config.annotator, config.scheme, documents,
                                        on_document=lambda: progress.advance(task))
    finally:
        database.dispose()
    echo(summary.describe(config.annotator))


@cli.command("copy")
@click.argument("source", metavar="SOURCE.db|URL")
@click.argument("target", metavar="[TARGET.db|URL]", required=False)
@db_option
def copy_command(source: str, target: str | None, db: str | None) -> None:
    """Copy everything of SOURCE into the empty database TARGET, ids and history included.

    TARGET may also be given as --db (or $ANNOTATOR_DB). How a team moves a SQLite
    file to PostgreSQL: documents, sentences, the source registry, annotations,
    links, who marked what done, where each annotator left off, and the change log
    (undo, review history) all arrive unchanged, in one transaction.
    """
    from db.copy import CopyError, copy_database

    if target is not None and db is not None and target != db:
        raise click.UsageError("give TARGET or --db, not both")
    target = target or db
    try:
        source_url, target_url = resolve_url(source), resolve_url(database_target(target))
    except (DatabaseError, ConfigError) as error:
        raise click.ClickException(str(error)) from None
    target = target or target_url
    path = sqlite_path(source_url)
    if path is not None and not path.is_file():
        raise click.ClickException(f"{mask_password(source)}: no such database file")
    if source_url == target_url:
        raise click.ClickException("SOURCE and TARGET are the same database")
    origin = open_or_fail(source_url, create=False)  # only read
    try:
        destination = open_or_fail(target_url, create=may_create("copy"), announce=False)
        try:
            copied = copy_database(origin, destination)
        except Exception as error:
            destination.dispose()
            created = sqlite_path(destination.url) if destination.created else None
            for leftover in ([] if created is None else
                             [created, *(created.with_name(created.name + end)
                                         for end in ("-wal", "-shm", "-journal"))]):
                leftover.unlink(missing_ok=True)  # this command made it: nothing was copied
            if isinstance(error, CopyError):
                raise click.ClickException(str(error)) from None
            raise
        finally:
            destination.dispose()
        if destination.created:
            announce_created(destination)
    finally:
        origin.dispose()
    echo(f"copied {mask_password(source)} to {mask_password(target)}: " + ", ".join(
        f"{table} {count}" for table, count in copied.items()))


@cli.command("stats")
@db_option
def stats_command(db: str | None) -> None:
    """Documents, sentences, annotations per label; per annotator sentences done, annotations
    and annotations per active hour; claims and figures per canonical source and type."""
    from annotator.reports.stats import build_stats
    from annotator.reports.stats_tables import stats_renderables

    database = open_or_fail(db, create=may_create("stats"))
    try:
        report = build_stats(database)
    finally:
        database.dispose()
    for part in stats_renderables(report):
        out_console.print(part)


def spread_option(args: list[str], option: str) -> list[str]:
    """``--option A B C`` as ``--option A --option B --option C``: the values up to the next
    option are all the option's (click options take one value each)."""
    spread: list[str] = []
    taking, took = False, 0
    for arg in [*args, None]:
        if taking and arg is not None and not arg.startswith("-") and arg != option:
            spread += [option, arg]
            took += 1
            continue
        if taking and not took:
            raise click.UsageError(f"{option} needs at least one name")
        taking = arg == option
        took = 0
        if arg is not None and not taking:
            spread.append(arg)
    return spread


class AnnotatorsCommand(click.Command):
    """A command whose ``--annotators`` takes several names, as in ``--annotators ana ben``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_option(args, "--annotators"))


@cli.command("agreement", cls=AnnotatorsCommand)
@click.option("--annotators", "annotators", type=ANNOTATOR_NAME, multiple=True, metavar="A B ...",
              help="Annotators to compare [default: all with accepted annotations but gold].")
@click.option("--label", "labels", multiple=True, type=click.Choice(LABELS),
              help="Only this label (repeatable).")
@click.option("--document", "documents", type=DOCUMENT_ID, multiple=True, metavar="ID",
              help="Only these documents (repeatable).")
@click.option("--all", "all_sentences", is_flag=True,
              help="Count every sentence, not only those all compared annotators marked done "
                   "(for imported work).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@db_option
def agreement_command(
    annotators: tuple[str, ...], labels: tuple[str, ...], documents: tuple[int, ...],
    all_sentences: bool, as_json: bool, db: str | None,
) -> None:
    """Inter-annotator agreement: span precision/recall/F1 (exact and overlap), Cohen's kappa
    and Krippendorff's alpha on source types and attributions, and figure values.

    Only accepted annotations, and only sentences every compared annotator marked
    done (unless --all), are counted. When no sentence is counted, the report is
    followed by a line saying why and the exit code is 1.
    """
    import json

    from annotator.reports.agreement import AgreementError, build_report
    from annotator.reports.agreement_tables import headline, report_tables

    database = open_or_fail(db, create=may_create("agreement"))
    try:
        missing = missing_document_ids(database, documents)
        if missing:
            raise click.ClickException(f"no document with id {', '.join(map(str, missing))}")
        try:
            report = build_report(database, annotators or None, labels, documents, all_sentences)
        except AgreementError as error:
            raise click.ClickException(str(error)) from None
    finally:
        database.dispose()
    if as_json:
        click.echo(json_visible(json.dumps(report.to_dict(), indent=2, ensure_ascii=False,
                                           allow_nan=False)))
    else:
        out_console.print(headline(report))
        for part in report_tables(report):
            out_console.print(part)
    hint = report.empty_hint()
    if hint is not None:
        # A report of dashes alone would pass for "the annotators agree on nothing".
        echo(f"error: {hint}", err=True)
        sys.exit(1)


@cli.command("review")
@click.argument("names", nargs=-1, metavar="[ANNOTATOR...]", type=ANNOTATOR_NAME)
@click.option("--reviewer", type=ANNOTATOR_NAME, default=None, metavar="NAME",
              help=f"Who is reviewing [default: ${NAME_ENV_VAR} or the login name].")
@click.option("--annotator", "annotators", type=ANNOTATOR_NAME, multiple=True, metavar="NAME",
              help="Only this annotator's annotations (repeatable).")
@click.option("--label", "labels", multiple=True, type=click.Choice(LABELS),
              help="Only annotations with this label (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only annotations with this status (repeatable).")
@click.option("--document", "documents", type=DOCUMENT_ID, multiple=True, metavar="ID",
              help="Only these documents (repeatable).")
@click.option("--adjudicate", is_flag=True,
              help="Compare the ANNOTATORs sentence by sentence and take versions into the "
                   "gold layer.")
@scheme_option
@db_option
def review_command(
    names: tuple[str, ...], reviewer: str | None, annotators: tuple[str, ...],
    labels: tuple[str, ...], statuses: tuple[str, ...], documents: tuple[int, ...],
    adjudicate: bool, scheme_path: str | None, db: str | None,
) -> None:
    """Review annotations in a table (accept, reject, edit, note, bulk), or adjudicate.

    `annotator review --adjudicate A B` compares annotators A and B sentence by
    sentence: agreed, only-one-annotator and conflicting spans side by side (agreed
    only when span, label, source, attribution, figure and links all agree), keys to
    take a version into the gold layer (annotator `gold`) with its links, edit it on
    its way, or reject every version.
    """
    config = configure(db=db, annotator=reviewer, scheme_path=scheme_path,
                       annotator_option="--reviewer")
    name = checked_name(config.annotator, "--reviewer")
    if adjudicate:
        if annotators or labels or statuses or documents:
            raise click.UsageError("--annotator, --label, --status and --document do not "
                                   "apply to --adjudicate")
        if len(set(names)) < 2:
            raise click.UsageError("--adjudicate needs two or more annotators: "
                                   "annotator review --adjudicate A B")
        if "gold" in names:
            raise click.UsageError("gold is the layer adjudication writes; compare annotators")
    elif names:
        raise click.UsageError("annotator names as arguments are for --adjudicate; "
                               "filter the table with --annotator NAME")
    from annotator.tui import launch as tui_launch  # Textual loads only when needed
    from db.filters import AnnotationFilter, unknown_annotators

    # The screen's connections report another writer's lock quickly: a write that must
    # wait then waits on a worker thread while the screen keeps painting.
    database = open_or_fail(config.db, create=may_create("review"),
                            lock_wait_ms=tui_launch.INTERACTIVE_LOCK_WAIT_MS)
    try:
        missing = missing_document_ids(database, documents)
        if missing:
            raise click.ClickException(f"no document with id {', '.join(map(str, missing))}")
        unknown = unknown_annotators(database, names or annotators)
        if unknown:
            raise click.ClickException(f"no annotator called {', '.join(map(repr, unknown))}")
        if adjudicate:
            status = tui_launch.run_adjudication(database, name, tuple(dict.fromkeys(names)),
                                                 scheme=config.project_scheme)
        else:
            from db.read_models import ReviewQuery

            selection = AnnotationFilter(annotators, labels, statuses, documents)
            status = tui_launch.run_review(database, name, ReviewQuery(selection),
                                           scheme=config.project_scheme)
    finally:
        database.dispose()
    if status:  # the screen stopped on an error, or the file turned out damaged: said
        sys.exit(status)


@cli.command("labels")
@scheme_option
@click.option("--json", "as_json", is_flag=True, help="Print the scheme as JSON.")
def labels_command(scheme_path: str | None, as_json: bool) -> None:
    """Print the active annotation scheme: labels, source types, cue words, known sources."""
    import json

    try:
        scheme = resolve_scheme(scheme_path)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json_visible(json.dumps(scheme.to_dict(), ensure_ascii=False, indent=2,
                                           allow_nan=False)))
        return
    from annotator.scheme.tables import scheme_renderables

    for renderable in scheme_renderables(scheme):
        out_console.print(renderable)


def main() -> None:
    """Console-script entry point: user errors exit with a message, never a traceback."""
    try:
        cli.main(prog_name="annotator")
    except KeyboardInterrupt:
        echo("interrupted", err=True)
        sys.exit(130)
