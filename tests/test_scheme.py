"""The scheme file: default, project overrides, validation errors, `annotator labels`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.config import SCHEME_ENV_VAR, SCHEME_FILE_NAME, resolve_scheme
from annotator.scheme import taxonomy
from annotator.scheme.definition import (
    SchemeError,
    default_scheme,
    load_scheme,
)
from annotator.suggest import Suggester
from db.models import LABELS

# The source types stored before the scheme file existed must stay valid keys.
STORED_SOURCE_TYPES = (
    "government", "military", "party_or_armed_group", "intergovernmental", "ngo", "media",
    "expert", "witness", "anonymous", "document", "author",
)


@pytest.fixture(autouse=True)
def no_project_scheme(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SCHEME_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)


def test_default_scheme_has_the_database_labels_and_the_stored_types() -> None:
    scheme = default_scheme()
    assert tuple(key for key, _ in scheme.labels) == LABELS
    assert scheme.source_type_keys() == STORED_SOURCE_TYPES
    assert scheme.version == "1"
    assert scheme.origin == "default"
    assert "said" in scheme.cue_verbs and "added" in scheme.weak_cue_verbs
    assert "according to" in scheme.according_phrases
    assert any(source.name == "Hamas" for source in scheme.known_sources)


def test_taxonomy_reads_the_scheme_it_is_given(tmp_path: Path) -> None:
    assert taxonomy.LABELS == LABELS
    types = taxonomy.source_types(default_scheme())
    assert [key for key, _ in types] == list(STORED_SOURCE_TYPES)
    assert dict(types)["ngo"] == "NGO or rights group"
    project = load_scheme(_write(tmp_path / "types.toml", PROJECT_TYPES))
    assert taxonomy.source_types(project) == (("ministry", "a ministry"), ("pundit", "a pundit"))


PROJECT_TYPES = """
known_sources = []

[[source_types]]
key = "ministry"
description = "a ministry"

[[source_types]]
key = "pundit"
description = "a pundit"

[classify]
order = []
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GAZETTEER = """
[[known_sources]]
name = "Palestinian Central Bureau of Statistics"
type = "government"
aliases = ["PCBS"]
"""


def test_a_project_file_replaces_only_the_tables_it_gives(tmp_path: Path) -> None:
    path = _write(tmp_path / "project.toml", GAZETTEER)
    scheme = load_scheme(path)
    assert [source.name for source in scheme.known_sources] == [
        "Palestinian Central Bureau of Statistics"]
    assert scheme.source_types == default_scheme().source_types
    assert scheme.cue_verbs == default_scheme().cue_verbs
    assert scheme.origin == str(path)


def test_override_order_explicit_then_env_then_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order is annotator/config.py's (resolve_scheme); load_scheme reads only the file
    it is given and never the environment or the working folder."""
    assert resolve_scheme(None) is default_scheme()
    _write(tmp_path / SCHEME_FILE_NAME, 'version = "cwd"\n')
    assert resolve_scheme(None).version == "cwd"
    env = _write(tmp_path / "env.toml", 'version = "env"\n')
    monkeypatch.setenv(SCHEME_ENV_VAR, str(env))
    assert resolve_scheme(None).version == "env"
    explicit = _write(tmp_path / "explicit.toml", 'version = "explicit"\n')
    assert resolve_scheme(explicit).version == "explicit"
    assert load_scheme() is default_scheme()
    assert load_scheme(explicit).version == "explicit"


def test_project_cue_words_change_the_suggestions(tmp_path: Path) -> None:
    sentence = "Hamas averred that talks were progressing."
    assert Suggester().suggest_sentence(sentence) == []
    path = _write(tmp_path / "cues.toml",
                  '[cues]\nverbs = ["averred"]\nweak_verbs = []\naccording = ["according to"]\n'
                  'participles = []\npronouns = ["he"]\n')
    spans = Suggester(load_scheme(path)).suggest_sentence(sentence)
    assert [(span.label, span.text) for span in spans] == [
        ("source", "Hamas"), ("claim", "talks were progressing")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = [", "not a valid TOML scheme"),
        ('[labels]\nclaim = "c"\nsource = "s"\n', "must describe exactly claim, source, figure"),
        ('[[source_types]]\nkey = "Bad Key"\ndescription = "x"\n', "lower_snake_case"),
        ('[[source_types]]\nkey = "a"\ndescription = "x"\n[[source_types]]\nkey = "a"\n'
         'description = "y"\n[classify]\norder = []\n[[known_sources]]\nname = "X"\n',
         "defined twice"),
        ('[[known_sources]]\nname = "X"\ntype = "nonsense"\n', "unknown type 'nonsense'"),
        ('[cues]\nverbs = "said"\n', "'verbs' must be a list of non-empty strings"),
        ('[classify]\norder = ["nope"]\n', "unknown source type 'nope'"),
        ("known_sources = 3\n", "must be an array of tables"),
    ],
)
def test_bad_scheme_files_name_the_file_and_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _write(tmp_path / "bad.toml", text)
    with pytest.raises(SchemeError) as raised:
        load_scheme(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_labels_command_prints_the_active_scheme() -> None:
    result = CliRunner().invoke(cli, ["labels"])
    assert result.exit_code == 0, result.output
    assert "scheme version 1 (default)" in result.output
    for key in STORED_SOURCE_TYPES:
        assert key in result.output
    assert "Hamas" in result.output


def test_labels_command_json(tmp_path: Path) -> None:
    path = _write(tmp_path / "project.toml", GAZETTEER)
    result = CliRunner().invoke(cli, ["labels", "--scheme", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["origin"] == str(path)
    assert [label["key"] for label in data["labels"]] == list(LABELS)
    assert data["known_sources"] == [{"name": "Palestinian Central Bureau of Statistics",
                                      "type": "government", "aliases": ["PCBS"]}]


def test_labels_command_bad_file_is_one_line_without_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.toml", "version = [")
    result = CliRunner().invoke(cli, ["labels", "--scheme", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert f"{path}: not a valid TOML scheme" in result.output
    missing = CliRunner().invoke(cli, ["labels", "--scheme", str(tmp_path / "none.toml")])
    assert missing.exit_code == 1
    assert "cannot read scheme file" in missing.output
    assert "Traceback" not in result.output + missing.output


def test_labels_command_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SCHEME_ENV_VAR, str(_write(tmp_path / "env.toml", 'version = "7"\n')))
    result = CliRunner().invoke(cli, ["labels"])
    assert result.exit_code == 0
    assert "scheme version 7" in result.output
