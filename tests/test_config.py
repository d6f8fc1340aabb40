"""annotator/config.py: one owner for the configuration, and the project scheme reaching
every command that uses it (the source picker, the suggester, `labels`, exports)."""

from __future__ import annotations

import ast
import csv
import getpass
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input, OptionList

from annotator import config
from annotator.cli import cli
from annotator.config import ConfigError, resolve
from annotator.review.session import ReviewSession
from annotator.scheme import Scheme, default_scheme
from annotator.tui import launch as tui_launch
from annotator.tui.app import AnnotatorApp
from annotator.tui.dialogs.source_picker import SourcePickerScreen
from annotator.tui.review_app import ReviewApp
from annotator.workspace import Workspace
from db.engine import open_database
from db.read_models import ReviewQuery

REPO = Path(__file__).resolve().parents[1]
SIZE = (120, 40)
ARTICLE = "Plenty said the harvest doubled. A pundit said prices would fall.\n"
# A project scheme whose source types and known source the built-in scheme does not have.
PROJECT_SCHEME = """
version = "project-1"

[[source_types]]
key = "ministry"
description = "a ministry of state"
keywords = ["ministry"]

[[source_types]]
key = "pundit"
description = "a television pundit"
keywords = ["pundit"]

[classify]
order = ["pundit", "ministry"]

[[known_sources]]
name = "Ministry of Plenty"
type = "ministry"
aliases = ["Plenty"]
"""
PROJECT_TYPES = ["ministry", "pundit"]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No configuration from the test run's own environment or working folder."""
    for name in (config.DB_ENV_VAR, config.NAME_ENV_VAR, config.SCHEME_ENV_VAR,
                 config.NO_SUGGEST_ENV_VAR):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def project_scheme(tmp_path: Path) -> Path:
    path = tmp_path / "project-scheme.toml"
    path.write_text(PROJECT_SCHEME, encoding="utf-8")
    return path


@pytest.fixture
def article_db(tmp_path: Path, db_url: str, runner: CliRunner) -> str:
    """The database (both engines) with the two-sentence article imported."""
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = runner.invoke(cli, ["import", str(article), "--db", db_url])
    assert result.exit_code == 0, result.output
    return db_url


# --- precedence -------------------------------------------------------------------------
def test_database_option_then_environment_then_default(clean_environment: Path) -> None:
    env = {config.DB_ENV_VAR: "postgresql+psycopg://u@h/d"}
    assert resolve(db="x.db", environ=env).db == "x.db"
    assert resolve(environ=env).db == "postgresql+psycopg://u@h/d"
    assert resolve(environ={}).db == "annotations.db"
    assert resolve(environ={config.DB_ENV_VAR: ""}).db == "annotations.db"


def test_annotator_option_then_environment_then_login_name(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "login")
    env = {config.NAME_ENV_VAR: " maria "}
    assert resolve(annotator=" li ", environ=env).annotator == "li"
    assert resolve(environ=env).annotator == "maria"
    assert resolve(environ={}).annotator == "login"

    def no_login() -> str:
        raise KeyError("uid not in passwd")

    monkeypatch.setattr(getpass, "getuser", no_login)
    assert resolve(environ={}).annotator == config.FALLBACK_ANNOTATOR


def test_a_blank_name_is_refused_naming_the_option(clean_environment: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--annotator needs a non-empty name$"):
        resolve(annotator="  ", environ={})
    with pytest.raises(ConfigError, match=r"^--reviewer needs a non-empty name$"):
        resolve(environ={config.NAME_ENV_VAR: " "}, annotator_option="--reviewer")


def test_scheme_option_then_environment_then_working_folder_then_built_in(
    clean_environment: Path, tmp_path: Path
) -> None:
    built_in = resolve(environ={}, cwd=clean_environment)
    assert built_in.scheme is default_scheme() and built_in.scheme_path is None
    local = clean_environment / config.SCHEME_FILE_NAME
    local.write_text('version = "cwd"\n', encoding="utf-8")
    assert resolve(environ={}).scheme.version == "cwd"
    assert resolve(environ={}).scheme_path == local
    from_env = tmp_path / "env.toml"
    from_env.write_text('version = "env"\n', encoding="utf-8")
    env = {config.SCHEME_ENV_VAR: str(from_env)}
    assert resolve(environ=env).scheme.version == "env"
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('version = "explicit"\n', encoding="utf-8")
    chosen = resolve(scheme=explicit, environ=env)
    assert (chosen.scheme.version, chosen.scheme_path) == ("explicit", explicit)


def test_a_bad_scheme_file_is_one_line_naming_it(clean_environment: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[known_sources]]\nname = "X"\ntype = "nonsense"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        resolve(environ={config.SCHEME_ENV_VAR: str(bad)})
    assert str(raised.value) == f"{bad}: known source 'X' has unknown type 'nonsense'"


@pytest.mark.parametrize(("flag", "value", "on"), [
    (False, None, True), (True, None, False), (False, "1", False), (False, "yes", False),
    (False, "ON", False), (False, "0", True), (False, "false", True), (False, "", True),
    (True, "0", False),
])
def test_suggestions_flag_then_environment_then_on(
    clean_environment: Path, flag: bool, value: str | None, on: bool
) -> None:
    env = {} if value is None else {config.NO_SUGGEST_ENV_VAR: value}
    assert resolve(no_suggest=flag, environ=env).suggestions is on


def test_a_bad_no_suggest_word_is_refused_where_the_switch_exists(clean_environment: Path) -> None:
    env = {config.NO_SUGGEST_ENV_VAR: "maybe"}
    with pytest.raises(ConfigError, match=r"ANNOTATOR_NO_SUGGEST must be 1 or 0.*'maybe'"):
        resolve(no_suggest=False, environ=env)
    # A command without --no-suggest (suggest, review) neither reads nor refuses it.
    assert resolve(environ=env).suggestions is True


def test_the_process_environment_is_the_default_mapping(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.DB_ENV_VAR, "team.db")
    monkeypatch.setenv(config.NAME_ENV_VAR, "sam")
    resolved = resolve()
    assert (resolved.db, resolved.annotator) == ("team.db", "sam")


def test_textual_frame_rate_default_and_the_users_own() -> None:
    environ: dict[str, str] = {}
    config.prepare_textual(environ)
    assert environ == {"TEXTUAL_FPS": config.DEFAULT_TEXTUAL_FPS}
    mine = {"TEXTUAL_FPS": "30"}
    config.prepare_textual(mine)
    assert mine == {"TEXTUAL_FPS": "30"}


# --- one owner ----------------------------------------------------------------------------
def _environment_reads(path: Path) -> list[str]:
    """Every ``os.environ``/``os.getenv``/``environ``/``getenv`` use in a module."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {alias.name for alias in node.names} & {"environ", "getenv", "environb"}
            found += [f"{path.relative_to(REPO)}:{node.lineno}: from os import {name}"
                      for name in sorted(names)]
    return found


def test_only_config_reads_the_environment() -> None:
    owner = REPO / "annotator" / "config.py"
    files = [path for folder in ("annotator", "db") for path in (REPO / folder).rglob("*.py")
             if path != owner and "migrations" not in path.parts]
    assert len(files) > 50
    assert [read for path in files for read in _environment_reads(path)] == []
    assert _environment_reads(owner)  # the check does see a read where there is one


def test_db_reads_no_environment_even_in_migrations() -> None:
    files = list((REPO / "db").rglob("*.py"))
    assert files
    assert [read for path in files for read in _environment_reads(path)] == []


# --- the project scheme reaches every command ---------------------------------------------
def test_labels_prints_the_project_scheme_from_option_and_environment(
    clean_environment: Path, project_scheme: Path, runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    by_option = runner.invoke(cli, ["labels", "--scheme", str(project_scheme), "--json"])
    assert by_option.exit_code == 0, by_option.output
    data = json.loads(by_option.stdout)
    assert [item["key"] for item in data["source_types"]] == PROJECT_TYPES
    assert data["known_sources"] == [
        {"name": "Ministry of Plenty", "type": "ministry", "aliases": ["Plenty"]}]
    monkeypatch.setenv(config.SCHEME_ENV_VAR, str(project_scheme))
    by_environment = runner.invoke(cli, ["labels"])
    assert by_environment.exit_code == 0, by_environment.output
    assert by_environment.stdout.startswith("scheme version project-1 ")
    assert "a television pundit" in by_environment.stdout
    assert "government" not in by_environment.stdout


def _suggested_sources(runner: CliRunner, db_url: str, annotator: str) -> list[dict]:
    result = runner.invoke(cli, ["export", "--db", db_url, "--format", "jsonl",
                                 "--annotator", annotator])
    assert result.exit_code == 0, result.output
    (document,) = [json.loads(line) for line in result.stdout.splitlines()]
    return [span["attrs"]["suggested_source"] for span in document["annotations"]
            if span["label"] == "source"]


def test_suggest_proposes_the_project_known_source_with_its_type(
    clean_environment: Path, project_scheme: Path, article_db: str, runner: CliRunner,
) -> None:
    project = runner.invoke(cli, ["suggest", "--db", article_db, "--annotator", "ana",
                                  "--scheme", str(project_scheme)])
    assert project.exit_code == 0, project.output
    built_in = runner.invoke(cli, ["suggest", "--db", article_db, "--annotator", "bob"])
    assert built_in.exit_code == 0, built_in.output
    assert _suggested_sources(runner, article_db, "ana") == [
        {"name": "Ministry of Plenty", "type": "ministry"},
        {"name": "pundit", "type": "pundit"},
    ]
    assert _suggested_sources(runner, article_db, "bob") == [
        {"name": "Plenty", "type": None}, {"name": "pundit", "type": None}]


def test_export_writes_the_project_types_an_annotator_accepted(
    clean_environment: Path, project_scheme: Path, article_db: str, runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(config.SCHEME_ENV_VAR, str(project_scheme))
    assert runner.invoke(cli, ["suggest", "--db", article_db, "--annotator", "ana"]).exit_code == 0
    database = open_database(article_db)
    try:
        workspace = Workspace(database, "ana", suggestions=True,
                              scheme=config.resolve_scheme(project_scheme))
        first = workspace.start_position()
        assert first is not None
        pending = [a.id for a in workspace.view(first).annotations if a.label == "source"]
        assert workspace.accept(pending) == 1
    finally:
        database.dispose()
    spans = runner.invoke(cli, ["export", "--db", article_db, "--label", "source"])
    assert spans.exit_code == 0, spans.output
    rows = list(csv.DictReader(io.StringIO(spans.stdout)))
    assert [(r["text"], r["source_name"], r["source_type"]) for r in rows] == [
        ("Plenty", "Ministry of Plenty", "ministry")]
    registry = runner.invoke(cli, ["export", "--db", article_db, "--view", "sources"])
    rows = list(csv.DictReader(io.StringIO(registry.stdout)))
    # Accepting a suggestion registers the proposed name and type (not the scheme's aliases).
    assert [(r["name"], r["source_type"]) for r in rows] == [("Ministry of Plenty", "ministry")]


@pytest.fixture
def opened_apps(monkeypatch: pytest.MonkeyPatch) -> list[AnnotatorApp | ReviewApp]:
    """The apps the commands build (through the real launch functions), not run."""
    apps: list[AnnotatorApp | ReviewApp] = []
    monkeypatch.setattr(AnnotatorApp, "run", lambda self: apps.append(self))
    monkeypatch.setattr(ReviewApp, "run", lambda self: apps.append(self))
    return apps


def _picker_types(picker: SourcePickerScreen) -> list[str]:
    types = picker.query_one("#source-types", OptionList)
    return [str(types.get_option_at_index(i).id) for i in range(types.option_count)]


async def test_annotate_source_picker_offers_the_project_types_and_known_source(
    clean_environment: Path, project_scheme: Path, article_db: str, runner: CliRunner,
    opened_apps: list,
) -> None:
    result = runner.invoke(cli, ["annotate", "--db", article_db, "--annotator", "ana",
                                 "--no-suggest", "--scheme", str(project_scheme)])
    assert result.exit_code == 0, result.output
    (app,) = opened_apps
    assert app.workspace.scheme.origin == str(project_scheme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")  # tag the word under the cursor: "Plenty"
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, SourcePickerScreen)
        assert _picker_types(picker) == [*PROJECT_TYPES, "(no type)"]
        assert [choice.kind for choice in picker.choices] == ["known", "new"]
        assert picker.choices[0].known is not None
        assert picker.choices[0].known.name == "Ministry of Plenty"
        await pilot.press("enter")  # the known source: added to the registry and mapped
        await pilot.pause()
        assert not isinstance(app.screen, SourcePickerScreen)
    (chosen,) = app.workspace.find_sources("Plenty")
    assert (chosen.name, chosen.source_type, chosen.aliases) == (
        "Ministry of Plenty", "ministry", ("Plenty",))


async def test_the_built_in_types_without_a_project_scheme(
    clean_environment: Path, article_db: str, runner: CliRunner, opened_apps: list,
) -> None:
    result = runner.invoke(cli, ["annotate", "--db", article_db, "--annotator", "ana",
                                 "--no-suggest"])
    assert result.exit_code == 0, result.output
    (app,) = opened_apps
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, SourcePickerScreen)
        assert _picker_types(picker) == [*default_scheme().source_type_keys(), "(no type)"]
        assert [choice.kind for choice in picker.choices] == ["new"]


async def test_review_source_picker_offers_the_project_types(
    clean_environment: Path, project_scheme: Path, article_db: str, runner: CliRunner,
    opened_apps: list, monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = open_database(article_db)
    try:
        workspace = Workspace(database, "ana")
        first = workspace.start_position()
        assert first is not None
        workspace.tag(first, "source", 0, 6)  # "Plenty"
    finally:
        database.dispose()
    monkeypatch.setenv(config.SCHEME_ENV_VAR, str(project_scheme))
    result = runner.invoke(cli, ["review", "--db", article_db, "--reviewer", "rita"])
    assert result.exit_code == 0, result.output
    (app,) = opened_apps
    assert isinstance(app.session, ReviewSession)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, SourcePickerScreen)
        assert _picker_types(picker) == [*PROJECT_TYPES, "(no type)"]
        picker.query_one("#source-query", Input).value = "Plenty Watchers"
        await pilot.pause()
        assert [choice.kind for choice in picker.choices] == ["new"]
        await pilot.press("enter", "down", "enter")  # a new source, the second type: pundit
        await pilot.pause()
        assert not isinstance(app.screen, SourcePickerScreen)
    (created,) = app.session.find_sources("Plenty Watchers")
    assert created.source_type == "pundit"


# --- the CLI hands the one resolved configuration down --------------------------------------
@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, Scheme]]]:
    calls: list[tuple[str, str, Scheme]] = []

    def annotate(database, annotator, *, show_others, document_id, suggestions, scheme):  # type: ignore[no-untyped-def]
        calls.append(("annotate", annotator, scheme))

    def review(database, reviewer, query: ReviewQuery, scheme: Scheme) -> None:  # type: ignore[no-untyped-def]
        calls.append(("review", reviewer, scheme))

    monkeypatch.setattr(tui_launch, "run_annotator", annotate)
    monkeypatch.setattr(tui_launch, "run_review", review)
    yield calls


def test_annotate_and_review_take_the_scheme_from_the_working_folder(
    clean_environment: Path, article_db: str, runner: CliRunner, launched: list,
) -> None:
    (clean_environment / config.SCHEME_FILE_NAME).write_text(PROJECT_SCHEME, encoding="utf-8")
    assert runner.invoke(cli, ["annotate", "--db", article_db, "--annotator", "ana"]).exit_code == 0
    assert runner.invoke(cli, ["review", "--db", article_db, "--reviewer", "rita"]).exit_code == 0
    assert [(command, name, scheme.source_type_keys()) for command, name, scheme in launched] == [
        ("annotate", "ana", tuple(PROJECT_TYPES)), ("review", "rita", tuple(PROJECT_TYPES))]


def test_a_bad_scheme_stops_every_command_that_uses_it_in_one_line(
    clean_environment: Path, article_db: str, runner: CliRunner, launched: list,
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("version = [", encoding="utf-8")
    for command in (["annotate", "--annotator", "ana"], ["review"], ["suggest"], ["labels"]):
        db = [] if command == ["labels"] else ["--db", article_db]
        result = runner.invoke(cli, [*command, *db, "--scheme", str(bad)])
        assert result.exit_code == 1, (command, result.output)
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"Error: {bad}: not a valid TOML scheme"), line
    assert launched == []


def test_a_bad_no_suggest_value_is_one_line(
    clean_environment: Path, article_db: str, runner: CliRunner, launched: list,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(config.NO_SUGGEST_ENV_VAR, "maybe")
    result = runner.invoke(cli, ["annotate", "--db", article_db, "--annotator", "ana"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: $ANNOTATOR_NO_SUGGEST must be 1 or 0 (true/false, "
                             "yes/no, on/off), not 'maybe'\n")
    assert launched == []


def test_the_database_comes_from_the_environment_when_not_given(
    clean_environment: Path, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv(config.DB_ENV_VAR, str(tmp_path / "from-env.db"))
    assert runner.invoke(cli, ["import", str(article)]).exit_code == 0
    assert (tmp_path / "from-env.db").is_file()
    monkeypatch.delenv(config.DB_ENV_VAR)
    assert runner.invoke(cli, ["import", str(article)]).exit_code == 0
    assert (clean_environment / config.DEFAULT_DB_PATH).is_file()
