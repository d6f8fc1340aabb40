"""Security: no SQL built from strings, private database files, masked passwords, no
silent overwrite of exported files."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import REPO, SAMPLE

from annotator.cli import cli
from db.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    DatabaseError,
    display_url,
    mask_password,
    open_database,
)

SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript", "executemany",
             "literal_column"}
UNREACHABLE = "postgresql+psycopg://reader:s3cret-Pw@127.0.0.1:1/labels"


def _built_string(node: ast.expr) -> bool:
    """An f-string with values, a ``+``/``%`` expression, or a ``.format``/``.join`` call."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(value, ast.FormattedValue) for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("format", "join"))


def sql_built_from_strings(root: Path) -> list[str]:
    """Every call that hands SQL built from strings to the database, as "file:line"."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in SQL_CALLS and _built_string(node.args[0]):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_the_scanner_finds_sql_built_from_strings(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        'c.execute(f"SELECT * FROM t WHERE id = {x}")\n'
        'text("SELECT " + column)\n'
        'c.exec_driver_sql("DELETE FROM {}".format(table))\n'
        'c.execute("SELECT %s" % value)\n'
        'c.execute("SELECT 1")\n'
        'text("SELECT :id").bindparams(id=x)\n',
        "utf-8",
    )
    found = sql_built_from_strings(tmp_path)
    assert [entry.rsplit(":", 1)[1] for entry in found] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("package", ["db", "annotator"])
def test_no_sql_is_built_from_strings(package: str) -> None:
    assert sql_built_from_strings(REPO / package) == []


def test_busy_timeout_pragma_matches_its_constant(sqlite_file: Path) -> None:
    database = open_database(str(sqlite_file))
    try:
        with database.engine.connect() as connection:
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert timeout == SQLITE_BUSY_TIMEOUT_MS
    finally:
        database.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_sqlite_file_and_its_companions_are_private(
    sqlite_file: Path, runner: CliRunner
) -> None:
    old_umask = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        result = runner.invoke(cli, ["import", str(SAMPLE / "gaza-aid-talks.txt"),
                                     "--db", str(sqlite_file)])
        assert result.exit_code == 0, result.output
        database = open_database(str(sqlite_file))
        try:
            with database.engine.connect() as connection:  # WAL and SHM exist while open
                connection.exec_driver_sql("SELECT count(*) FROM documents").scalar()
                companions = [Path(f"{sqlite_file}-wal"), Path(f"{sqlite_file}-shm")]
                assert all(path.exists() for path in companions)
                assert [_mode(path) for path in companions] == [0o600, 0o600]
        finally:
            database.dispose()
    finally:
        os.umask(old_umask)
    assert _mode(sqlite_file) == 0o600


def test_migration_backup_is_private(sqlite_file: Path) -> None:
    from alembic import command

    from db.engine import alembic_config, make_engine

    os.close(os.open(sqlite_file, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = make_engine(f"sqlite:///{sqlite_file}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    old_umask = os.umask(0o022)
    try:
        open_database(str(sqlite_file)).dispose()
    finally:
        os.umask(old_umask)
    assert _mode(sqlite_file.with_name(f"{sqlite_file.name}.before-0001.bak")) == 0o600


def test_masking_hides_passwords_only() -> None:
    assert display_url(UNREACHABLE) == "postgresql+psycopg://reader:***@127.0.0.1:1/labels"
    assert display_url("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"
    assert mask_password(f"cannot reach {UNREACHABLE} now") == (
        "cannot reach postgresql+psycopg://reader:***@127.0.0.1:1/labels now")
    assert mask_password("postgresql://u@h/db and a:b@c") == "postgresql://u@h/db and a:b@c"


def test_unreachable_server_error_hides_the_password() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(DatabaseError) as caught:
        open_database(UNREACHABLE)
    message = str(caught.value)
    assert "s3cret" not in message
    assert message.startswith("cannot open database postgresql+psycopg://reader:***@127.0.0.1:1/")


def test_bad_url_error_hides_the_password() -> None:
    with pytest.raises(DatabaseError) as caught:
        open_database("postgresql+psycopg://reader:s3cret-Pw@127.0.0.1:notaport/labels")
    assert "s3cret" not in str(caught.value)
    assert "***" in str(caught.value)


@pytest.mark.parametrize("command", [
    ["stats"], ["export"], ["import", str(SAMPLE / "gaza-aid-talks.txt")],
])
def test_cli_errors_never_print_the_password(runner: CliRunner, command: list[str]) -> None:
    pytest.importorskip("psycopg")
    result = runner.invoke(cli, [*command, "--db", UNREACHABLE])
    assert result.exit_code == 1
    assert "s3cret" not in result.output + result.stderr
    assert "reader:***@127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr


def test_merge_errors_never_print_the_password(runner: CliRunner, sqlite_file: Path) -> None:
    pytest.importorskip("psycopg")
    bad_port = "postgresql+psycopg://reader:s3cret-Pw@127.0.0.1:notaport/labels"
    result = runner.invoke(cli, ["merge", UNREACHABLE, bad_port, "--db", str(sqlite_file)])
    assert result.exit_code == 1
    assert "s3cret" not in result.output + result.stderr
    assert result.stderr.count("reader:***@127.0.0.1") >= 2


@pytest.fixture
def sample_db(runner: CliRunner, tmp_path: Path) -> str:
    path = tmp_path / "sample.db"
    result = runner.invoke(cli, ["import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"),
                                 "--db", str(path)])
    assert result.exit_code == 0, result.output
    return str(path)


@pytest.mark.parametrize("options", [[], ["--format", "jsonl"], ["--view", "claims"],
                                     ["--format", "prodigy"]])
def test_export_never_overwrites_a_file_without_force(
    runner: CliRunner, sample_db: str, tmp_path: Path, options: list[str]
) -> None:
    out = tmp_path / "mine.csv"
    out.write_bytes(b"precious\n")
    refused = runner.invoke(cli, ["export", *options, "--out", str(out), "--db", sample_db])
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: {out} already exists; add --force to replace it\n"
    assert out.read_bytes() == b"precious\n"
    forced = runner.invoke(cli, ["export", *options, "--out", str(out), "--force",
                                 "--db", sample_db])
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes() != b"precious\n"
    assert not list(tmp_path.glob(".*partial"))


def test_brat_export_never_overwrites_without_force(
    runner: CliRunner, sample_db: str, tmp_path: Path
) -> None:
    folder = tmp_path / "brat"
    layer = folder / "reference"  # the sample's one annotator's layer is written here
    layer.mkdir(parents=True)
    (layer / "1.txt").write_text("precious", "utf-8")
    refused = runner.invoke(cli, ["export", "--format", "brat", "--out", str(folder),
                                  "--db", sample_db])
    assert refused.exit_code == 1
    assert refused.stderr == (f"Error: {folder} already holds brat files; add --force to "
                              "replace files of the same name\n")
    assert sorted(path.name for path in layer.iterdir()) == ["1.txt"]
    assert (layer / "1.txt").read_text("utf-8") == "precious"
    forced = runner.invoke(cli, ["export", "--format", "brat", "--out", str(folder), "--force",
                                 "--db", sample_db])
    assert forced.exit_code == 0, forced.output
    assert (layer / "1.txt").read_text("utf-8") != "precious"
    # An empty or unrelated folder needs no --force.
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.md").write_text("mine", "utf-8")
    fresh = runner.invoke(cli, ["export", "--format", "brat", "--out", str(other),
                                "--db", sample_db])
    assert fresh.exit_code == 0, fresh.output
    assert (other / "notes.md").read_text("utf-8") == "mine"
