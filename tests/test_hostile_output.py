"""Export never writes through a planted link, never replaces what is not a regular file or
is the database being read, and a file appears whole or not at all (annotator/io/output.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.io.output import OutputError, atomic_text_file

SAMPLE = Path(__file__).resolve().parents[1] / "sample"
PRECIOUS = "precious, not to be overwritten\n"


@pytest.fixture
def exported_db(tmp_path: Path) -> Path:
    database = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["import", str(SAMPLE), "--db", str(database)])
    assert result.exit_code == 0, result.output
    return database


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file of the user's that a planted link points at."""
    path = tmp_path / "elsewhere" / "victim.txt"
    path.parent.mkdir()
    path.write_text(PRECIOUS, encoding="utf-8")
    return path


def export(database: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["export", "--db", str(database), "--view", "sentences",
                                      *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_link_planted_at_the_old_temporary_name_is_not_followed(
    exported_db: Path, victim: Path, tmp_path: Path, fmt: str,
) -> None:
    out = tmp_path / "out" / f"table.{fmt}"
    out.parent.mkdir()
    (out.parent / f".{out.name}.partial").symlink_to(victim)
    code, output = export(exported_db, "--format", fmt, "--out", str(out))
    assert code == 0, output
    assert victim.read_text(encoding="utf-8") == PRECIOUS
    assert out.is_file() and not out.is_symlink() and out.stat().st_size > 0


@pytest.mark.parametrize("force", [False, True])
def test_the_output_itself_a_link_is_refused_even_with_force(
    exported_db: Path, victim: Path, tmp_path: Path, force: bool,
) -> None:
    out = tmp_path / "table.csv"
    out.symlink_to(victim)
    code, output = export(exported_db, "--out", str(out), *(["--force"] if force else []))
    assert code == 1
    assert len(output.strip().splitlines()) == 1 and "Traceback" not in output
    assert victim.read_text(encoding="utf-8") == PRECIOUS and out.is_symlink()


def test_force_never_replaces_the_database_a_folder_or_a_device(
    exported_db: Path, tmp_path: Path,
) -> None:
    before = exported_db.read_bytes()
    for target in (exported_db, tmp_path, Path(os.devnull)):
        code, output = export(exported_db, "--out", str(target), "--force")
        assert code == 1, (target, output)
        assert str(target) in output and "Traceback" not in output
    assert exported_db.read_bytes() == before
    assert CliRunner().invoke(cli, ["stats", "--db", str(exported_db)]).exit_code == 0


def test_force_replaces_a_regular_file(exported_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    out.write_text("old\n", encoding="utf-8")
    assert export(exported_db, "--out", str(out))[0] == 1  # without --force: refused
    assert out.read_text(encoding="utf-8") == "old\n"
    code, output = export(exported_db, "--out", str(out), "--force")
    assert code == 0, output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "document_id,document_title,sentence_number,start,end,text"
    assert len(lines) > 1


@pytest.mark.parametrize("force", [False, True])
def test_brat_never_writes_through_a_link_in_the_folder(
    exported_db: Path, victim: Path, tmp_path: Path, force: bool,
) -> None:
    folder = tmp_path / "brat"
    (folder / "reference").mkdir(parents=True)  # the sample's one annotator's layer
    for stem in ("1", "2"):  # whichever document holds the sample's labels
        (folder / "reference" / f"{stem}.ann").symlink_to(victim)
    result = CliRunner().invoke(cli, ["export", "--db", str(exported_db), "--format", "brat",
                                      "--out", str(folder), *(["--force"] if force else [])])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert victim.read_text(encoding="utf-8") == PRECIOUS


def test_brat_refuses_a_folder_that_is_a_link(
    exported_db: Path, tmp_path: Path,
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "brat"
    link.symlink_to(real, target_is_directory=True)
    result = CliRunner().invoke(cli, ["export", "--db", str(exported_db), "--format", "brat",
                                      "--out", str(link), "--force"])
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert list(real.iterdir()) == []


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text_file(out, "utf-8", force=True) as handle:
        handle.write("half of the new")
        raise RuntimeError("killed midway")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    with atomic_text_file(out, "utf-8", force=False) as handle:
        handle.write("x\n")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_missing_folder_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"), atomic_text_file(
            tmp_path / "no" / "t.csv", "utf-8", force=False):
        pass
