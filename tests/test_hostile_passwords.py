"""No password is printed: one masker (db.engine.mask_password) for every URL the program
prints, logs or shows in a ``repr``, whatever the spelling of the password."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from annotator.cli import cli
from db.engine import Database, display_url, mask_password, open_database

SECRET = "hunter2"

SPELLINGS = [
    f"postgresql+psycopg://ana:{SECRET}@db.example/corpus",
    f"postgresql+psycopg://ana:{SECRET}%40x@db.example:5432/corpus",
    f"postgresql+psycopg://ana:x@{SECRET}@db.example/corpus",  # an unencoded "@"
    f"postgresql+psycopg://ana:{SECRET}@@db.example/corpus",
    f"postgresql+psycopg://ana@db.example/corpus?password={SECRET}",
    f"postgresql+psycopg://ana@db.example/corpus?sslmode=require&PASSWORD={SECRET}&x=1",
    f"postgresql://ana:{SECRET}@db.example/corpus?password={SECRET}",
]


@pytest.mark.parametrize("url", SPELLINGS)
def test_every_spelling_of_a_password_is_masked(url: str) -> None:
    for shown in (mask_password(url), display_url(url), mask_password(f"error: {url}: gone")):
        assert SECRET not in shown
        assert "db.example" in shown  # the rest stays readable


def test_text_without_a_password_is_unchanged() -> None:
    for text in ("sqlite:///a.db", "postgresql://ana@db.example/corpus",
                 "copied a.db to b.db: documents 3", "mailto:ana@example.org"):
        assert mask_password(text) == text


def test_a_database_repr_never_holds_the_password(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "a.db"))
    try:
        database.url = f"postgresql+psycopg://ana:{SECRET}@db.example/corpus"
        assert SECRET not in repr(database)
        assert SECRET not in f"{database!r} {database}"
    finally:
        database.url = "sqlite://"
        database.dispose()
    assert isinstance(database, Database)


@pytest.mark.parametrize("url", SPELLINGS)
def test_an_unreachable_url_is_one_line_without_the_password(url: str) -> None:
    unreachable = url.replace("db.example", "127.0.0.1:9").replace(":5432", "")
    result = CliRunner().invoke(cli, ["stats", "--db", unreachable])
    assert result.exit_code != 0
    assert SECRET not in result.output
    assert "Traceback" not in result.output


def test_copy_prints_the_target_without_its_password(db_url: str, tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    runner = CliRunner()
    sample = Path(__file__).resolve().parents[1] / "sample"
    assert runner.invoke(cli, ["import", str(sample), "--db", str(source)]).exit_code == 0
    if db_url.startswith("sqlite"):
        target = db_url
        secret_free = True
    else:  # the test server trusts loopback, so any password is accepted and ignored
        target = make_url(db_url).set(password=SECRET).render_as_string(hide_password=False)
        assert SECRET in target
        secret_free = False
    result = runner.invoke(cli, ["copy", str(source), target])
    assert result.exit_code == 0, result.output
    assert "copied" in result.output
    assert SECRET not in result.output
    if not secret_free:
        assert "***" in result.output


async def test_a_crash_in_a_screen_is_one_line_without_locals_or_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from annotator.io.importer import import_paths
    from annotator.tui.app import AnnotatorApp
    from annotator.workspace import Workspace

    sample = Path(__file__).resolve().parents[1] / "sample"
    database = open_database(str(tmp_path / "a.db"))
    assert not import_paths(database, [sample]).problems
    app = AnnotatorApp(Workspace(database, "ana"))
    secret_url = f"postgresql+psycopg://ana:{SECRET}@db.example/corpus"
    with pytest.raises(RuntimeError):
        async with app.run_test() as pilot:
            await pilot.pause()
            password_in_a_local = secret_url  # what Textual's traceback would have shown
            try:
                raise RuntimeError(f"lost {password_in_a_local}")
            except RuntimeError as error:
                app._handle_exception(error)
            await pilot.pause()
    shown = capsys.readouterr()
    printed = shown.out + shown.err
    assert "annotator stopped on an unexpected error" in printed
    assert SECRET not in printed and "Traceback" not in printed
    assert "password_in_a_local" not in printed  # no locals
    report = printed.split("details in ")[1].split()[0]
    text = Path(report).read_text(encoding="utf-8")
    assert "RuntimeError" in text and SECRET not in text
    assert Path(report).stat().st_mode & 0o077 == 0
    database.dispose()
