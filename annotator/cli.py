"""The ``annotator`` command line: parse arguments, call domain functions, print results."""

from __future__ import annotations

import getpass
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from annotator import __version__
from annotator.export import SENTENCE_COLUMNS, sentence_records, write_csv, write_jsonl
from annotator.importer import ImportSummary, count_input_files, import_paths
from db.documents import count_documents, iter_sentences, missing_document_ids
from db.engine import ENV_VAR, Database, DatabaseError, open_database
from db.stats import corpus_counts

PROGRESS_MIN_FILES = 4

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--db`` option every command shares."""
    return click.option(
        "--db", "db", metavar="PATH|URL", default=None,
        help=f"Database file or SQLAlchemy URL [default: ${ENV_VAR} or ./annotations.db].",
    )(function)


def open_or_fail(target: str | None) -> Database:
    """Open the database or stop with a one-line error."""
    try:
        return open_database(target)
    except DatabaseError as error:
        raise click.ClickException(str(error)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    database = open_or_fail(db)
    try:
        summary = _import_with_progress(database, list(paths))
    finally:
        database.dispose()
    for problem in summary.problems:
        click.echo(f"skipped: {problem}", err=True)
    click.echo(summary.describe())
    if summary.problems:
        sys.exit(1)


def _import_with_progress(database: Database, paths: list[Path]) -> ImportSummary:
    total = count_input_files(paths)
    if total < PROGRESS_MIN_FILES:
        return import_paths(database, paths)
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("import", total=total)
        return import_paths(database, paths, on_file=lambda _path: progress.advance(task))


def default_annotator() -> str:
    """``$ANNOTATOR_NAME``, else the login name."""
    name = os.environ.get("ANNOTATOR_NAME")
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "annotator"


@cli.command("annotate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--annotator", "annotator", default=None, metavar="NAME",
              help="Who is annotating [default: $ANNOTATOR_NAME or the login name].")
@click.option("--document", "document", type=int, default=None, metavar="ID",
              help="Open this document instead of resuming.")
@click.option("--show-others", is_flag=True, help="Also show other annotators' spans.")
@db_option
def annotate_command(
    paths: tuple[Path, ...], annotator: str | None, document: int | None, show_others: bool,
    db: str | None,
) -> None:
    """Open the annotation screen (importing PATHs first, as `annotator import`).

    With an empty database and no PATH, the bundled sample article is imported
    so there is something to annotate.
    """
    database = open_or_fail(db)
    try:
        to_import = list(paths)
        if not to_import and count_documents(database) == 0:
            sample = bundled_sample()
            if sample is None:
                raise click.ClickException("the database is empty: import articles first "
                                           "with `annotator import PATH`")
            to_import = [sample]
        if to_import:
            summary = _import_with_progress(database, to_import)
            for problem in summary.problems:
                click.echo(f"skipped: {problem}", err=True)
            click.echo(summary.describe(), err=True)
        if document is not None and missing_document_ids(database, [document]):
            raise click.ClickException(f"no document with id {document}")
        if count_documents(database) == 0:
            raise click.ClickException("nothing to annotate: no document was imported")
        from annotator.tui_launch import run_annotator  # Textual loads only when needed

        name = (annotator or default_annotator()).strip()
        if not name:
            raise click.ClickException("--annotator needs a non-empty name")
        run_annotator(database, name, show_others=show_others, document_id=document)
    finally:
        database.dispose()


def bundled_sample() -> Path | None:
    """The sample article beside the package (a source checkout or editable install)."""
    candidate = Path(__file__).resolve().parents[1] / "sample" / "gaza-aid-talks.txt"
    return candidate if candidate.is_file() else None


@cli.command("export")
@click.option("--view", type=click.Choice(["sentences"]), default="sentences", show_default=True,
              help="What one row is.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True)
@click.option("--document", "documents", type=int, multiple=True, metavar="ID",
              help="Only these documents (repeatable).")
@click.option("--out", "out", default="-", metavar="FILE|-", show_default=True,
              help="Output file; '-' is standard output.")
@click.option("--excel", is_flag=True, help="Start the CSV with a UTF-8 BOM for Excel.")
@click.option("--raw", is_flag=True, help="Do not neutralize cells that look like formulas.")
@db_option
def export_command(
    view: str, fmt: str, documents: tuple[int, ...], out: str, excel: bool, raw: bool,
    db: str | None,
) -> None:
    """Export sentences as CSV or JSONL, streamed (offsets are into the document text)."""
    database = open_or_fail(db)
    try:
        missing = missing_document_ids(database, documents)
        if missing:
            raise click.ClickException(f"no document with id {', '.join(map(str, missing))}")
        records = sentence_records(iter_sentences(database, documents or None))
        encoding = "utf-8-sig" if excel and fmt == "csv" else "utf-8"
        with _output(out, encoding) as handle:
            if fmt == "csv":
                count = write_csv(handle, SENTENCE_COLUMNS, records, safe=not raw)
            else:
                count = write_jsonl(handle, SENTENCE_COLUMNS, records)
    finally:
        database.dispose()
    if out != "-":
        click.echo(f"wrote {count} {view} rows to {out}", err=True)


@contextmanager
def _output(target: str, encoding: str) -> Iterator[TextIO]:
    """Standard output, or a file that appears only once it is complete."""
    if target == "-":
        # Wrap the byte stream so CSV's CRLF and the chosen encoding reach it unchanged.
        stream = io.TextIOWrapper(
            sys.stdout.buffer, encoding=encoding, newline="", write_through=True
        )
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()
        return
    path = Path(target)
    if not path.parent.is_dir():
        raise click.ClickException(f"cannot write {target}: folder {path.parent} does not exist")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding=encoding, newline="") as handle:
            yield handle
        os.replace(partial, path)
    except OSError as error:
        raise click.ClickException(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)


@cli.command("stats")
@db_option
def stats_command(db: str | None) -> None:
    """Documents, sentences, and annotations per label and per annotator."""
    database = open_or_fail(db)
    try:
        counts = corpus_counts(database)
    finally:
        database.dispose()
    click.echo(f"documents: {counts.documents}")
    click.echo(f"sentences: {counts.sentences}")
    labels = ("claim", "source", "figure")
    by_label = Table("label", "annotations", title="Annotations per label", title_justify="left")
    for label in labels:
        by_label.add_row(label, str(counts.by_label.get(label, 0)))
    by_label.add_row("total", str(sum(counts.by_label.values())), style="bold")
    out_console.print(by_label)
    if counts.by_annotator:
        table = Table("annotator", *labels, "total", title="Annotations per annotator",
                      title_justify="left")
        for name, per_label in counts.by_annotator.items():
            cells = [str(per_label.get(label, 0)) for label in labels]
            table.add_row(Text(name), *cells, str(sum(per_label.values())))
        out_console.print(table)


def main() -> None:
    """Console-script entry point: user errors exit with a message, never a traceback."""
    try:
        cli.main(prog_name="annotator")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
