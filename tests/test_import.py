"""Importing through the CLI and the library: idempotence, bad files, exact offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.cli import cli
from annotator.io.importer import import_paths
from db.engine import Database, open_database
from db.models import Document, Sentence


def _sentences(database: Database) -> list[tuple[int, int, int, str]]:
    with database.transaction() as session:
        rows = session.execute(
            select(Sentence.document_id, Sentence.start, Sentence.end, Sentence.text)
            .order_by(Sentence.document_id, Sentence.index)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _texts(database: Database) -> dict[int, str]:
    with database.transaction() as session:
        return {row.id: row.text for row in session.execute(select(Document.id, Document.text))}


def assert_sentence_offsets(database: Database) -> None:
    """Every stored sentence is exactly the document text between its offsets."""
    texts = _texts(database)
    for document_id, start, end, text in _sentences(database):
        assert texts[document_id][start:end] == text


def test_import_then_reimport_adds_nothing(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Talks resumed. Officials met on Monday.\nNo deal yet.\n", encoding="utf-8")
    first = runner.invoke(cli, ["import", str(article), "--db", db_url])
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "imported 1 document (3 sentences); 0 skipped"
    second = runner.invoke(cli, ["import", str(article), "--db", db_url])
    assert second.exit_code == 0, second.output
    assert second.stdout.strip() == (
        "imported 0 documents (0 sentences); 1 already present, nothing added for them; 0 skipped"
    )
    database = open_database(db_url)
    try:
        assert len(_texts(database)) == 1
        assert len(_sentences(database)) == 3
    finally:
        database.dispose()


def test_same_text_with_crlf_is_the_same_document(database: Database, tmp_path: Path) -> None:
    (tmp_path / "unix.txt").write_bytes(b"One line.\nTwo line.\n")
    (tmp_path / "dos.txt").write_bytes(b"One line.\r\nTwo line.\r\n")
    summary = import_paths(database, [tmp_path])
    assert (summary.documents, summary.duplicates) == (1, 1)
    assert list(_texts(database).values()) == ["One line.\nTwo line.\n"]


def test_bad_files_are_skipped_others_import(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Aid arrived. More is needed.\n", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)))
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Le café est fermé.".encode("latin-1"))
    result = runner.invoke(
        cli, ["import", str(binary), str(good), str(latin), "--db", db_url]
    )
    assert result.exit_code == 1
    # The first line says the import created the database (a new file, or the schema).
    assert result.stderr.splitlines()[0].startswith("created new database ")
    assert result.stderr.splitlines()[1:] == [
        f"skipped: {binary}: binary file (NUL byte at offset 0), not text",
        f"skipped: {latin}: not valid UTF-8 (byte 0xe9 at offset 6)",
    ]
    assert result.stdout.strip() == "imported 1 document (2 sentences); 2 skipped"
    assert "Traceback" not in result.output


def test_missing_path_and_empty_folder(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["import", str(tmp_path / "nope.txt"), str(empty), "--db", db_url])
    assert result.exit_code == 1
    # The first line says the import created the database (a new file, or the schema).
    assert result.stderr.splitlines()[0].startswith("created new database ")
    assert result.stderr.splitlines()[1:] == [
        f"skipped: {tmp_path / 'nope.txt'}: no such file or folder",
        f"skipped: {empty}: folder holds no .txt, .md, .jsonl or .csv files",
    ]


def test_jsonl_and_csv_import(database: Database, tmp_path: Path) -> None:
    (tmp_path / "docs.jsonl").write_text(
        json.dumps({"id": "d1", "title": "One", "text": "First story. It ends."}) + "\n"
        + json.dumps({"id": "d2", "text": "Second story.", "meta": {"outlet": "Wire"}}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "docs.csv").write_text("title,text\nThree,Third story.\n", encoding="utf-8")
    summary = import_paths(database, [tmp_path])
    assert (summary.documents, summary.sentences, summary.skipped) == (3, 4, 0)
    with database.transaction() as session:
        stored = session.execute(
            select(Document.title, Document.external_id, Document.meta).order_by(Document.id)
        ).all()
    assert [tuple(row) for row in stored] == [
        ("Three", None, {}),
        ("One", "d1", {}),
        ("d2", "d2", {"outlet": "Wire"}),
    ]
    assert_sentence_offsets(database)


def test_import_refuses_a_bad_database(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("not a database")
    article = tmp_path / "a.txt"
    article.write_text("Hello.\n")
    result = runner.invoke(cli, ["import", str(article), "--db", str(notes)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {notes} is not a SQLite database; refusing to touch it"
    assert notes.read_text() == "not a database"


ODD_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_characters="\x00\r"),
        st.sampled_from(list(".!?…“”\"'\n []()\\ U.S. Dr. 3.5 \u202e\u200f👍🏽é\u0301")),
    ),
    min_size=1,
    max_size=300,
).filter(lambda text: bool(text.strip()))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(ODD_TEXT, min_size=1, max_size=4, unique=True))
def test_property_sentence_offsets_are_exact(
    texts: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("docs")
    with (folder / "batch.jsonl").open("w", encoding="utf-8") as handle:
        for text in texts:
            handle.write(json.dumps({"text": text}) + "\n")
    database = open_database(str(folder / "p.db"))
    try:
        summary = import_paths(database, [folder / "batch.jsonl"])
        assert summary.skipped == 0
        assert_sentence_offsets(database)
        stored = _texts(database)
        covered = {doc: "".join(t for d, _s, _e, t in _sentences(database) if d == doc)
                   for doc in stored}
        for document_id, text in stored.items():
            assert "".join(text.split()) == "".join(covered[document_id].split())
    finally:
        database.dispose()


def test_many_files_progress_goes_to_stderr(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    for number in range(6):
        (tmp_path / f"story{number}.txt").write_text(
            f"Story number {number} began. It ended.\n", encoding="utf-8"
        )
    result = runner.invoke(cli, ["import", str(tmp_path), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 6 documents (12 sentences); 0 skipped\n"
