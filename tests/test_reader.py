"""Reading import inputs: every format, folders, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.io.reader import RawDocument, ReadProblem, expand_inputs, guess_title, read_documents


def _read(path: Path) -> list[RawDocument | ReadProblem]:
    return list(read_documents(path))


def test_plain_text_headline_becomes_title(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(b"Aid talks resume in Cairo\r\nOfficials met on Monday.\r\n")
    [document] = _read(path)
    assert isinstance(document, RawDocument)
    assert document.title == "Aid talks resume in Cairo"
    assert document.text == "Aid talks resume in Cairo\nOfficials met on Monday.\n"
    assert document.origin == str(path)


def test_body_first_line_falls_back_to_file_name() -> None:
    assert guess_title("Officials met on Monday. They talked.", "story") == "story"


def test_markdown_heading_is_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("Intro line.\n\n## Talks stall again\n\nText here.\n", encoding="utf-8")
    [document] = _read(path)
    assert isinstance(document, RawDocument)
    assert document.title == "Talks stall again"


def test_jsonl_documents_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"text": "One. Two.", "title": "T1", "id": "x1", "meta": {"lang": "en"}}),
        "",
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps({"text": "Three.", "url": "https://example.org/a"}),
        json.dumps(["a list"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = _read(path)
    documents = [r for r in results if isinstance(r, RawDocument)]
    problems = [str(r) for r in results if isinstance(r, ReadProblem)]
    assert [(d.title, d.external_id, d.meta) for d in documents] == [
        ("T1", "x1", {"lang": "en"}),
        ("batch:5", None, {}),
    ]
    assert documents[1].origin == "https://example.org/a"
    assert problems == [
        f"{path}:3: invalid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{path}:4: missing or non-string \"text\" field",
        f"{path}:6: each line must be a JSON object with a \"text\" field",
    ]


def test_csv_with_text_column_and_meta(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "\ufeffid,title,text,outlet\r\n"
        "a1,First,\"Line one.\r\nLine two.\",Wire\r\n"
        "a2,,\"   \",Wire\r\n",
        encoding="utf-8", newline="",
    )
    results = _read(path)
    first, second = results
    assert isinstance(first, RawDocument)
    assert first.text == "Line one.\nLine two."
    assert (first.title, first.external_id, first.meta) == ("First", "a1", {"outlet": "Wire"})
    assert isinstance(second, ReadProblem)
    assert str(second) == f"{path} row 2: empty document (no text)"


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("body\nhello\n", encoding="utf-8")
    assert [str(r) for r in _read(path)] == [f"{path}: CSV has no \"text\" column"]


def test_csv_with_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"text\nok\n\xff\xfe bad\n")
    [problem] = [r for r in _read(path) if isinstance(r, ReadProblem)]
    assert str(problem) == f"{path}: not valid UTF-8 (byte 0xff)"


def test_binary_and_invalid_utf8_files(tmp_path: Path) -> None:
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café".encode("latin-1"))
    assert [str(r) for r in _read(binary)] == [
        f"{binary}: binary file (NUL byte at offset 8), not text"
    ]
    assert [str(r) for r in _read(latin)] == [
        f"{latin}: not valid UTF-8 (byte 0xe9 at offset 3)"
    ]


def test_folders_are_walked_recursively_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep.md").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text("x")
    assert list(expand_inputs([tmp_path])) == [tmp_path / "a.txt", tmp_path / "b" / "deep.md"]


def test_bad_paths_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF")
    results = [str(r) for r in expand_inputs([tmp_path / "missing.txt", empty, pdf])]
    assert results == [
        f"{tmp_path / 'missing.txt'}: no such file or folder",
        f"{empty}: folder holds no .txt, .md, .jsonl or .csv files",
        f"{pdf}: unsupported file type (.pdf); expected .txt, .md, .jsonl or .csv",
    ]


def test_odd_file_names(tmp_path: Path) -> None:
    odd = tmp_path / "it's a \"quoted\"\nname.txt"
    odd.write_text("Hello there.\n", encoding="utf-8")
    [document] = _read(odd)
    assert isinstance(document, RawDocument)
    [problem] = list(expand_inputs([tmp_path / "gone\nfile.txt"]))
    assert isinstance(problem, ReadProblem)
    assert "\n" not in str(problem)
