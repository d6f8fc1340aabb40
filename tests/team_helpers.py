"""What the team-path scenario (tests/test_team_path.py) repeats: the real article, running
the CLI, tagging by text, and counting what a database holds in engine-neutral terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result
from paths import SHARED
from sqlalchemy import func, select

from annotator.cli import cli
from annotator.workspace import Workspace
from db.engine import Database
from db.models import Annotation, Annotator, ChangeLogEntry, Document, Link, Sentence, SentenceState

_CORPUS = SHARED / "corpus"
ARTICLE: Path | None = next(iter(sorted(_CORPUS.glob("*.txt"))), None) if _CORPUS.is_dir() else None


def run(*args: str) -> Result:
    """``annotator ARGS`` through Click's runner (no terminal, nothing on stdin)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, f"annotator {' '.join(args)}: {result.output}"
    return result.output


def sentence_ids(workspace: Workspace) -> list[int]:
    """The first document's sentence ids, in reading order."""
    first = workspace.start_position()
    assert first is not None
    document_id = workspace.view(first).document_id
    ids = [first]
    while (following := workspace.next_sentence(ids[-1])) is not None:
        if workspace.view(following).document_id != document_id:
            break
        ids.append(following)
    return ids


@dataclass(frozen=True)
class TeamCounts:
    """What must survive merge and round trip, by annotator, independent of row ids."""

    annotations: int
    links: int
    done: int
    # annotator -> (document title, 0-based sentence index) of the remembered position
    positions: dict[str, tuple[str, int] | None] = field(default_factory=dict)
    history: int = 0


def counts(database: Database) -> TeamCounts:
    with database.reads() as session:
        annotations = session.scalar(select(func.count()).select_from(Annotation)) or 0
        links = session.scalar(select(func.count()).select_from(Link)) or 0
        done = session.scalar(select(func.count()).select_from(SentenceState)
                              .where(SentenceState.state == "done")) or 0
        history = session.scalar(select(func.count()).select_from(ChangeLogEntry)) or 0
        rows = session.execute(
            select(Annotator.name, Document.title, Sentence.index)
            .outerjoin(Sentence, Sentence.id == Annotator.last_sentence_id)
            .outerjoin(Document, Document.id == Sentence.document_id)).all()
    positions = {name: (title, index) if title is not None else None
                 for name, title, index in rows if name in ("ana", "bob")}
    return TeamCounts(annotations, links, done, positions, history)
