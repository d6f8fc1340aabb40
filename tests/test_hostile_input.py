"""Hostile and odd input through the real paths: ``annotator import``, the TUI, export.

For each input: a clear one-line error (and exit 1) or the exact stored result, never
a traceback, nothing already stored lost or altered. Large inputs are generated here
at test time, never committed.
"""

from __future__ import annotations

import codecs
import csv
import fcntl
import io
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SAMPLE
from table_snapshot import table_snapshot
from tui_helpers import SIZE, main_screen

from annotator.cli import cli
from annotator.io.textfile import MAX_DOCUMENT_CHARS, TOO_LARGE_HINT
from annotator.text.segment import split_sentences
from annotator.tui.app import AnnotatorApp
from annotator.tui.render import visible
from annotator.workspace import Workspace
from db.engine import Database, open_database

MB = 1024 * 1024
PROSE = "officials said talks on the second phase would resume in Cairo after mediators met"


@pytest.fixture
def stocked(db_url: str) -> Iterator[Database]:
    """A database that already holds work: the sample with its reference labels."""
    database = open_database(db_url)
    result = CliRunner().invoke(cli, ["import", str(SAMPLE / "gaza-aid-talks.labels.jsonl"),
                                      "--db", db_url])
    assert result.exit_code == 0, result.output
    yield database
    database.dispose()


def _import(database: Database, *paths: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["import", *map(str, paths), "--db", database.url])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def _documents(database: Database) -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    """(title, text, sentences) of every document beyond the sample, in id order."""
    rows = table_snapshot(database.engine)
    documents = [row for row in rows["documents"] if row["id"] > 1]
    result = []
    for document in documents:
        sentences = [(s["start"], s["end"], s["text"]) for s in rows["sentences"]
                     if s["document_id"] == document["id"]]
        assert all(document["text"][start:end] == text for start, end, text in sentences)
        result.append((document["title"], document["text"], sentences))
    return result


# --- refused inputs: one line naming the file, exit 1, nothing stored changed ----------

Maker = Callable[[Path], Path]


def _file(name: str, data: bytes) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return make


def _big_text(folder: Path) -> Path:
    path = folder / "fifty-megabytes.txt"
    line = (PROSE + ". ").encode() * 1000 + b"\n"
    with path.open("wb") as handle:
        for _ in range(50 * MB // len(line) + 1):
            handle.write(line)
    return path


def _empty_folder(folder: Path) -> Path:
    path = folder / "no texts here"
    path.mkdir()
    (path / "photo.png").write_bytes(b"\x89PNG")
    (path / ".hidden.txt").write_text("Hidden.", "utf-8")
    return path


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
REFUSED: dict[str, tuple[Maker, Callable[[Path], str]]] = {
    "binary": (_file("photo.txt", PNG),
               lambda p: f"{p}: binary file (NUL byte at offset 8), not text"),
    "invalid UTF-8": (_file("latin1.txt", "Café au lait.\n".encode("latin-1")),
                      lambda p: f"{p}: not valid UTF-8 (byte 0xe9 at offset 3)"),
    "NUL bytes": (_file("nul.txt", b"Hello\x00world.\n"),
                  lambda p: f"{p}: binary file (NUL byte at offset 5), not text"),
    "truncated UTF-16": (_file("utf16.txt", codecs.BOM_UTF16_LE + "Hi.".encode("utf-16-le")[:-1]),
                         lambda p: f"{p}: invalid UTF-16 at byte 6"),
    "empty": (_file("empty.txt", b""), lambda p: f"{p}: empty document (no text)"),
    "whitespace only": (_file("blank.md", b" \n\t\r\n \xc2\xa0\n"),
                        lambda p: f"{p}: empty document (no text)"),
    "NUL in JSONL": (_file("nul.jsonl", b'{"text": "Hello\\u0000world."}\n'),
                     lambda p: f"{p}:1: text contains a NUL character at offset 5"),
    "lone surrogate in JSONL": (
        _file("surrogate.jsonl", b'{"text": "Bad \\ud800 here."}\n'),
        lambda p: f"{p}:1: text contains an unpaired surrogate at offset 4"),
    "50 MB file": (_big_text, lambda p: (
        f"{p}: file too large for one document ({p.stat().st_size:,} bytes; at most "
        f"{MAX_DOCUMENT_CHARS:,} characters per document): {TOO_LARGE_HINT}")),
    "path that does not exist": (lambda folder: folder / "missing.txt",
                                 lambda p: f"{p}: no such file or folder"),
    "folder with no text files": (
        _empty_folder, lambda p: f"{p}: folder holds no .txt, .md, .jsonl or .csv files"),
    "newline in the file name": (
        _file("bad\nname.txt", b"\xff"),
        lambda p: f"{str(p)[:-len('bad')-9]}bad\\nname.txt: not valid UTF-8 (byte 0xff at "
                  "offset 0)"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_input_is_one_line_and_changes_nothing(
    stocked: Database, tmp_path: Path, case: str
) -> None:
    make, message = REFUSED[case]
    path = make(tmp_path)
    before = table_snapshot(stocked.engine)
    code, out, err = _import(stocked, path)
    assert (code, err, out) == (1, f"skipped: {message(path)}\n",
                                "imported 0 documents (0 sentences); 1 skipped\n")
    assert table_snapshot(stocked.engine) == before


def test_a_fifty_megabyte_jsonl_is_streamed_and_its_oversized_line_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "corpus.jsonl"
    big = (PROSE + ". ") * (50 * MB // (len(PROSE) + 2))
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "a", "text": "First story.\nIt is short.\n"}) + "\n")
        handle.write(json.dumps({"id": "big", "text": big}) + "\n")
        handle.write(json.dumps({"id": "b", "text": "Second story.\n"}) + "\n")
    assert path.stat().st_size > 50 * MB
    database = open_database(str(tmp_path / "big.db"))
    try:
        code, out, err = _import(database, path)
        assert err == (f"skipped: {path}:2: document too large ({len(big):,} characters; at "
                       f"most {MAX_DOCUMENT_CHARS:,} per document): {TOO_LARGE_HINT}\n")
        assert (code, out) == (1, "imported 2 documents (3 sentences); 1 skipped\n")
    finally:
        database.dispose()


# --- accepted inputs: the exact stored text and offsets ---------------------------------

def test_utf16_with_bom_both_byte_orders(stocked: Database, tmp_path: Path) -> None:
    text = "Ägypten meldet 42 Lkw.\r\nZweiter Satz — ja.\n"
    (tmp_path / "le.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes(codecs.BOM_UTF16_BE + text.replace("42", "43")
                                      .encode("utf-16-be"))
    code, _out, err = _import(stocked, tmp_path / "le.txt", tmp_path / "be.txt")
    assert (code, err) == (0, "")
    assert [text_ for _, text_, _ in _documents(stocked)] == [
        "Ägypten meldet 42 Lkw.\nZweiter Satz — ja.\n",
        "Ägypten meldet 43 Lkw.\nZweiter Satz — ja.\n"]


def test_crlf_and_lone_cr_become_lf_once(stocked: Database, tmp_path: Path) -> None:
    (tmp_path / "mixed.txt").write_bytes(b"Head line\r\nOne here.\rTwo here.\r\n\r\nThree.")
    code, _, err = _import(stocked, tmp_path / "mixed.txt")
    assert (code, err) == (0, "")
    [(title, text, sentences)] = _documents(stocked)
    assert (title, text) == ("Head line", "Head line\nOne here.\nTwo here.\n\nThree.")
    assert [s[2] for s in sentences] == ["Head line", "One here.", "Two here.", "Three."]


HOSTILE_LINES = [
    "Rich [bold red]markup[/] and [link=https://evil.example]a link[/link] stay as written.",
    "An OSC title \x1b]0;PWNED\x07 and an OSC link \x1b]8;;https://evil.example\x1b\\here\x1b]8;;"
    "\x1b\\ end.",
    "Clear \x1b[2J\x1b[H screen, red \x1b[31mtext\x1b[0m, bell \x07, backspace \x08 and DEL \x7f.",
    "C1 \x9b31m controls \x85 and a tab\there.",
    "Bidi \u202eevil\u202c and \u2066isolate\u2069 marks in \u05e2\u05d1\u05e8\u05d9\u05ea "
    "and \u0627\u0644\u0639\u0631\u0628\u064a\u0629.",
    "Combining e\u0301 and n\u0303, emoji 👍🏽 and family 👨‍👩‍👧 and flag 🇵🇸 here.",
]


@pytest.fixture
def hostile_document(stocked: Database, tmp_path: Path) -> tuple[Database, str]:
    """The hostile lines as one plain-text article, imported through the CLI."""
    text = "Hostile headline \x1b[2J\n" + "\n".join(HOSTILE_LINES) + "\n"
    (tmp_path / "hostile.txt").write_text(text, encoding="utf-8")
    code, _out, err = _import(stocked, tmp_path / "hostile.txt")
    assert (code, err) == (0, "")
    return stocked, text


def test_escapes_markup_bidi_and_emoji_are_stored_verbatim(
    hostile_document: tuple[Database, str],
) -> None:
    database, text = hostile_document
    [(title, stored, sentences)] = _documents(database)
    assert stored == text  # nothing stripped, nothing re-encoded
    assert title == "Hostile headline \x1b[2J"
    assert [(start, end) for start, end, _ in sentences] == split_sentences(text)
    assert {line for _, _, line in sentences} >= {HOSTILE_LINES[0], HOSTILE_LINES[5]}


async def test_escapes_markup_bidi_and_emoji_render_as_placeholders(
    hostile_document: tuple[Database, str],
) -> None:
    database, _text = hostile_document
    workspace = Workspace(database, "reader")
    first = workspace.goto(2, 1)
    assert first is not None
    app = AnnotatorApp(workspace, document_id=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        seen = 0
        while screen.current is not None and screen.current.document_number == 2:
            shown = screen.viewer.area.current.plain
            assert shown == visible(screen.current.text)  # one code point per code point
            assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in shown)
            seen += 1
            before = screen.current.sentence_id
            await pilot.press("j")
            await pilot.pause()
            if screen.current.sentence_id == before:
                break
        assert seen == 1 + len(HOSTILE_LINES)


def test_offsets_are_code_points_in_every_export(
    hostile_document: tuple[Database, str], tmp_path: Path
) -> None:
    database, text = hostile_document
    workspace = Workspace(database, "ana")
    sentence = workspace.goto(2, 7)  # the combining characters and emoji
    assert sentence is not None
    sentence_text = workspace.view(sentence).text
    assert sentence_text == HOSTILE_LINES[5]
    word = "👨‍👩‍👧"
    start = sentence_text.index(word)
    workspace.tag(sentence, "claim", start, start + len(word))
    doc_start = text.index(word)
    runner = CliRunner()

    def export(*options: str) -> str:
        result = runner.invoke(cli, ["export", *options, "--annotator", "ana",
                                     "--document", "2", "--db", database.url])
        assert result.exit_code == 0, result.output
        return result.stdout

    [row] = list(csv.DictReader(io.StringIO(export())))
    assert (row["text"], int(row["start"]), int(row["end"])) == (word, start, start + 5)
    assert (int(row["doc_start"]), int(row["doc_end"])) == (doc_start, doc_start + 5)
    native = json.loads(export("--format", "jsonl"))
    [span] = native["annotations"]
    assert native["text"][span["start"]:span["end"]] == word == span["text"]
    prodigy = json.loads(export("--format", "prodigy"))
    assert (prodigy["spans"][0]["start"], prodigy["spans"][0]["end"]) == (doc_start,
                                                                          doc_start + 5)
    doccano = json.loads(export("--format", "doccano"))
    entity = doccano["entities"][0]
    assert (entity["start_offset"], entity["end_offset"]) == (doc_start, doc_start + 5)
    brat = tmp_path / "brat"
    result = runner.invoke(cli, ["export", "--format", "brat", "--annotator", "ana",
                                 "--document", "2", "--out", str(brat), "--db", database.url])
    assert result.exit_code == 0, result.output
    ann = (brat / "ana" / "2.ann").read_text("utf-8")  # ana's layer, in a folder of its own
    assert f"T1\tclaim {doc_start} {doc_start + 5}\t{word}" in ann
    assert (brat / "ana" / "2.txt").read_bytes().decode("utf-8") == text
    # And back: the native line imports into an empty database with the same offsets.
    (tmp_path / "native.jsonl").write_text(json.dumps(native) + "\n", "utf-8")
    fresh = open_database(str(tmp_path / "fresh.db"))
    try:
        code, _, err = _import(fresh, tmp_path / "native.jsonl")
        assert (code, err) == (0, "")
        [restored] = table_snapshot(fresh.engine)["annotations"]
        assert (restored["doc_start"], restored["doc_end"], restored["text"]) == (
            doc_start, doc_start + 5, word)
    finally:
        fresh.dispose()


def test_csv_formula_cells_import_verbatim_and_export_neutralized(
    stocked: Database, tmp_path: Path
) -> None:
    path = tmp_path / "formulas.csv"
    formula = '=HYPERLINK("https://evil.example","click me")'
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "text"])
        writer.writerow(["+cmd|' /C calc'!A0", f"{formula} said officials."])
    code, _, err = _import(stocked, path)
    assert (code, err) == (0, "")
    [(title, text, _)] = _documents(stocked)
    assert (title, text) == ("+cmd|' /C calc'!A0", f"{formula} said officials.")
    runner = CliRunner()
    exported = runner.invoke(cli, ["export", "--view", "sentences", "--document", "2",
                                   "--db", stocked.url])
    [row] = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert (row["document_title"], row["text"]) == ("'+cmd|' /C calc'!A0",
                                                     f"'{formula} said officials.")
    raw = runner.invoke(cli, ["export", "--view", "sentences", "--document", "2", "--raw",
                              "--db", stocked.url])
    assert next(iter(csv.DictReader(io.StringIO(raw.stdout))))["text"].startswith(formula)


def test_file_names_with_spaces_quotes_and_newlines_import(
    stocked: Database, tmp_path: Path
) -> None:
    odd = tmp_path / "it's a \"quoted\" name\nwith a newline.txt"
    odd.write_text("Odd name headline\nThe body is fine.\n", "utf-8")
    code, out, err = _import(stocked, odd)
    assert (code, err, out) == (0, "", "imported 1 document (2 sentences); 0 skipped\n")
    [document] = [row for row in table_snapshot(stocked.engine)["documents"] if row["id"] > 1]
    assert (document["title"], document["origin"]) == ("Odd name headline", str(odd))


def test_a_one_megabyte_line_without_punctuation(stocked: Database, tmp_path: Path) -> None:
    words = PROSE.split()
    line = " ".join(words[i % len(words)] for i in range(MB // 5))[:MB]
    (tmp_path / "line.txt").write_text(f"Title line\n{line}\n", "utf-8")
    code, _out, err = _import(stocked, tmp_path / "line.txt")
    assert (code, err) == (0, "")
    [(_, text, sentences)] = _documents(stocked)
    assert text == f"Title line\n{line}\n"
    assert [body for _, _, body in sentences] == ["Title line", line.rstrip()]


@pytest.fixture
def long_sentence(tmp_path: Path) -> tuple[Database, str]:
    words = PROSE.split()
    sentence = " ".join(words[i % len(words)] for i in range(20_000))[:99_999].rstrip() + "."
    assert len(sentence) >= 99_990
    (tmp_path / "long.txt").write_text(f"Long one\n{sentence} Short tail.\n", "utf-8")
    database = open_database(str(tmp_path / "long.db"))
    code, _, err = _import(database, tmp_path / "long.txt")
    assert (code, err) == (0, "")
    return database, sentence


async def test_a_hundred_thousand_character_sentence_in_the_tui(
    long_sentence: tuple[Database, str],
) -> None:
    database, sentence = long_sentence
    try:
        app = AnnotatorApp(Workspace(database, "ana"))
        async with app.run_test(size=SIZE) as pilot:
            screen = main_screen(app)
            await pilot.press("j")
            await pilot.pause()
            assert screen.current is not None and screen.current.text == sentence
            assert screen.viewer.area.current.plain == sentence
            await pilot.press("end", "c")  # tag the last word
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            [claim] = screen.current.annotations
            assert sentence[claim.start:claim.end] == claim.text == sentence.split()[-1][:-1]
            await pilot.press("j")
            await pilot.pause()
            assert screen.current.text == "Short tail."
    finally:
        database.dispose()


# --- the real terminal never receives an escape sequence from article text -----------

def test_escape_sequences_never_reach_the_real_terminal(
    hostile_document: tuple[Database, str],
) -> None:
    database, _ = hostile_document
    if not database.url.startswith("sqlite"):
        pytest.skip("one engine is enough for what reaches the terminal")
    binary = Path(sys.executable).parent / "annotator"
    env = dict(os.environ, TERM="xterm-256color", ANNOTATOR_NAME="reader")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real binary on the hostile document
        os.execve(str(binary), [str(binary), "annotate", "--document", "2", "--db",
                                database.url], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    try:
        def read_until(needle: bytes, timeout: float = 30.0) -> None:
            nonlocal seen
            deadline = time.monotonic() + timeout
            while needle not in seen:
                assert time.monotonic() < deadline, f"{needle!r} never shown"
                if select.select([fd], [], [], 0.05)[0]:
                    seen += os.read(fd, 1 << 16)
        for number in range(1, len(HOSTILE_LINES) + 2):
            read_until(f"{number}/{len(HOSTILE_LINES) + 1}".encode())
            os.write(fd, b"j")
        time.sleep(0.3)
        while select.select([fd], [], [], 0.1)[0]:
            seen += os.read(fd, 1 << 16)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    for raw in (b"\x1b]0;PWNED", b"PWNED\x07", b"\x1b]8;;https://evil", b"\x1b[2J\x1b[H",
                b"\x1b[31mtext", b"\x9b31m", b"\x08", b"\x7f", "\u202e".encode()):
        assert raw not in seen, raw
    assert "\u241b]0;PWNED\u2407".encode() in seen  # shown, as placeholders


def test_reading_a_hostile_document_back_with_every_command_is_safe(
    hostile_document: tuple[Database, str],
) -> None:
    database, _ = hostile_document
    runner = CliRunner()
    stats = runner.invoke(cli, ["stats", "--db", database.url])
    assert stats.exit_code == 0 and "\x1b" not in stats.stdout
    exported = subprocess.run([str(Path(sys.executable).parent / "annotator"), "export",
                               "--view", "sentences", "--db", database.url],
                              capture_output=True)
    assert exported.returncode == 0 and b"Traceback" not in exported.stderr
