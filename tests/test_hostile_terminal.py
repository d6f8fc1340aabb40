"""No escape sequence from stored or imported text reaches the terminal, from any command:
the real binary runs in a pseudo-terminal and the bytes it writes there are checked.

Names of annotators and sources, titles, scheme descriptions and file names carry a payload
set (OSC 0/8/52, CSI, DCS, BEL, C1 controls, bidi overrides, zero-width characters); every
printing path (stats and agreement tables, agreement as JSON, labels, merge conflict lines,
import problem lines, error messages, the in-screen notices) must show them as placeholders.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.text.visible import json_visible, visible
from annotator.workspace import Workspace
from db.engine import open_database

BINARY = Path(sys.executable).parent / "annotator"
SAMPLE = Path(__file__).resolve().parents[1] / "sample"

PAYLOADS = {
    "osc0": "\x1b]0;PWNED\x07",
    "osc8": "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "osc52": "\x1b]52;c;cm0gLXJmIH4K\x07",
    "csi": "\x1b[2J\x1b[31m",
    "dcs": "\x1bP1$qm\x1b\\",
    "bel": "ding\x07",
    "c1": "\x9b2J\x9d0;t\x9c",
    "bidi": "\u202eevil\u202c\u2066iso\u2069\u200f",
    "zero_width": "a\u200bb\u200dc\ufeffd",
}
ALL = "".join(PAYLOADS.values())
# What a terminal would obey or hide; only SGR colour sequences (Rich's own) may remain.
FORBIDDEN = ["\x07", "\x1b]", "\x1bP", "\x1b\\", *map(chr, range(0x80, 0xA0)),
             "\u202e", "\u202c", "\u2066", "\u2069", "\u200f", "\u200b", "\u200d", "\ufeff"]
OWN_SEQUENCE = re.compile(r"\x1b\[[0-9;]*m")


def in_pty(*args: str, timeout: float = 60.0) -> tuple[int, str]:
    """Run the real binary with its stdout and stderr on a pseudo-terminal; its exit code
    and every character it wrote there."""
    controller, terminal = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="160", FORCE_COLOR="1")
    process = subprocess.Popen([str(BINARY), *args], stdin=subprocess.DEVNULL,
                               stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + timeout
    while True:
        assert time.monotonic() < deadline, "the command did not finish"
        ready = select.select([controller], [], [], 0.1)[0]
        if ready:
            try:
                chunk = os.read(controller, 1 << 16)
            except OSError:  # the other side closed
                chunk = b""
            if not chunk and process.poll() is not None:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    return process.wait(), seen.decode("utf-8", errors="replace")


def assert_nothing_obeyable(shown: str) -> None:
    rest = OWN_SEQUENCE.sub("", shown)
    assert "\x1b" not in rest, repr(rest[rest.index("\x1b") - 20:rest.index("\x1b") + 20])
    for raw in FORBIDDEN:
        assert raw not in rest, (raw, rest[:400])
    assert "Traceback" not in rest


@pytest.fixture
def hostile_db(db_url: str, tmp_path: Path) -> str:
    """Two annotators and a source whose names carry every payload, with the same done
    sentence, so that stats and agreement have rows to print."""
    from annotator.io.importer import import_paths

    database = open_database(db_url)
    try:
        assert not import_paths(database, [SAMPLE]).problems
        names = [f"ana{PAYLOADS['osc0']}{PAYLOADS['bidi']}", f"ben{PAYLOADS['osc52']}"
                 f"{PAYLOADS['c1']}{PAYLOADS['zero_width']}"]
        for name in names:
            workspace = Workspace(database, name)
            sentence = workspace.start_position()
            assert sentence is not None
            source = workspace.tag(sentence, "source", 0, 5)
            workspace.tag(sentence, "claim", 6, 12)
            source_id = workspace.create_source(f"Ministry {ALL}", "government")
            workspace.set_source(source, source_id)
            workspace.toggle_done(sentence)
        # The sample's reference layer is compared too: it marks the same sentence done, or
        # agreement would count no sentence (and say so, exiting 1).
        reference = Workspace(database, "reference")
        reference.toggle_done(reference.start_position() or 0)
    finally:
        database.dispose()
    return db_url


@pytest.mark.parametrize("command", [["stats"], ["agreement"], ["agreement", "--all"]])
def test_report_tables_show_names_verbatim(hostile_db: str, command: list[str]) -> None:
    code, shown = in_pty(*command, "--db", hostile_db)
    assert code == 0, shown
    assert_nothing_obeyable(shown)
    assert "\u241b]0;PWNED\u2407" in shown or "\u241b]0;PWNED" in shown  # placeholders


def test_agreement_as_json_is_the_same_value_with_nothing_obeyable(hostile_db: str) -> None:
    code, shown = in_pty("agreement", "--json", "--db", hostile_db)
    assert code == 0, shown
    assert_nothing_obeyable(shown)
    report = json.loads(shown.replace("\r\n", "\n"))
    assert any("PWNED" in name for name in report["annotators"])
    assert any(PAYLOADS["osc0"] in name for name in report["annotators"])  # exact value


def test_merge_conflict_lines_show_names_verbatim(hostile_db: str, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    database = open_database(str(other))
    try:
        from annotator.io.importer import import_paths

        assert not import_paths(database, [SAMPLE]).problems
        workspace = Workspace(database, f"cy{PAYLOADS['dcs']}")
        sentence = workspace.start_position()
        assert sentence is not None
        source = workspace.tag(sentence, "source", 0, 5)
        # The same canonical name with another type: a conflict line naming it.
        workspace.set_source(source, workspace.create_source(f"Ministry {ALL}", "military"))
    finally:
        database.dispose()
    code, shown = in_pty("merge", str(other), "--db", hostile_db)
    assert code == 0, shown
    assert "conflict" in shown
    assert_nothing_obeyable(shown)


def test_scheme_descriptions_are_shown_verbatim(tmp_path: Path) -> None:
    scheme = tmp_path / "scheme.toml"
    description = json.dumps(f"said by {ALL}")  # a TOML basic string takes JSON's escapes
    scheme.write_text(f"[labels]\nclaim = {description}\nsource = {description}\n"
                      f"figure = {description}\n", encoding="utf-8")
    code, shown = in_pty("labels", "--scheme", str(scheme))
    assert code == 0, shown
    assert_nothing_obeyable(shown)
    code, shown = in_pty("labels", "--json", "--scheme", str(scheme))
    assert code == 0, shown
    assert_nothing_obeyable(shown)


def test_problem_lines_and_errors_quote_file_names_verbatim(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"bad{PAYLOADS['osc0']}{PAYLOADS['bidi']}.txt").write_bytes(b"\x00\x01\xff binary")
    database = tmp_path / "a.db"
    code, shown = in_pty("import", str(folder), "--db", str(database))
    assert "bad" in shown
    assert_nothing_obeyable(shown)
    code, shown = in_pty("export", "--db", str(database), "--view", "sentences", "--out",
                         str(tmp_path / f"no{PAYLOADS['osc52']}" / "t.csv"))
    assert code == 1 and "does not exist" in shown
    assert_nothing_obeyable(shown)
    code, shown = in_pty("review", "--db", str(database), "--annotator",
                         f"who{PAYLOADS['csi']}")
    assert code != 0
    assert_nothing_obeyable(shown)


def test_the_one_rendering_is_one_code_point_per_code_point() -> None:
    for payload in PAYLOADS.values():
        shown = visible(payload)
        assert len(shown) == len(payload)
        assert_nothing_obeyable(shown)
        assert json.loads(json_visible(json.dumps(payload, ensure_ascii=False))) == payload


async def test_every_notice_of_every_app_is_drawn_verbatim(tmp_path: Path) -> None:
    from annotator.review.session import ReviewSession
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.review_app import ReviewApp

    database = open_database(str(tmp_path / "a.db"))
    try:
        from annotator.io.importer import import_paths

        assert not import_paths(database, [SAMPLE]).problems
        for app in (AnnotatorApp(Workspace(database, "ana")),
                    ReviewApp(ReviewSession(database, "rita"))):
            async with app.run_test(notifications=True) as pilot:
                await pilot.pause()
                app.screen.notify(f"source {ALL} [bold]x[/bold]", title=PAYLOADS["osc0"])
                await pilot.pause()
                notice = list(app._notifications)[-1]
                assert_nothing_obeyable(str(notice.message) + notice.title)
                assert "[bold]x[/bold]" in str(notice.message)  # never read as markup
    finally:
        database.dispose()
