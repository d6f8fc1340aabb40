"""The two layers stay apart: db/ never imports annotator/, the CLI never touches SQL."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_db_never_imports_annotator() -> None:
    files = list((REPO / "db").rglob("*.py"))
    assert files
    for path in files:
        assert not any(name.split(".")[0] == "annotator" for name in _imports(path)), path


def test_cli_and_domain_modules_build_no_sql() -> None:
    for path in (REPO / "annotator").rglob("*.py"):
        offenders = {name for name in _imports(path) if name.split(".")[0] == "sqlalchemy"}
        assert not offenders, f"{path} imports {offenders}"


def test_test_modules_import_helpers_not_other_test_modules() -> None:
    """What several test modules share lives in conftest.py (fixtures) or in a helper module
    (``tui_helpers.py``, ``paths.py`` ...); a test module imported by another would run its
    tests' module code twice and hide where a fixture comes from."""
    files = sorted((REPO / "tests").glob("*.py"))
    assert len(files) > 10
    for path in files:
        offenders = {name for name in _imports(path)
                     if name.split(".")[0] in {"tests", "conftest"}
                     or name.split(".")[0].startswith("test_")}
        assert not offenders, f"{path.name} imports {offenders}"


def test_the_application_never_imports_benchmarks_or_tests() -> None:
    for package in ("annotator", "db"):
        for path in (REPO / package).rglob("*.py"):
            offenders = {name for name in _imports(path)
                         if name.split(".")[0] in {"benchmarks", "tests"}}
            assert not offenders, f"{path} imports {offenders}"
