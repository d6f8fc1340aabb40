"""Another process holding the database's write lock, for tests of waiting writers."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from db.engine import open_database


def hold_write_lock(db_url: str, seconds: float, locked: threading.Event,
                    release: threading.Event | None = None) -> None:
    """Another connection writes and keeps its transaction open for ``seconds`` (or, with
    ``release``, until it is set, ``seconds`` at the most)."""
    holder = open_database(db_url)
    with holder.engine.connect() as connection:
        if holder.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            # Every table a user action writes; readers are not blocked, as in WAL.
            connection.execute(text("LOCK TABLE annotators, sources, source_aliases, "
                                    "annotations, links, sentence_states, change_log "
                                    "IN EXCLUSIVE MODE"))
        connection.execute(text("UPDATE annotators SET name = name"))
        locked.set()
        if release is None:
            time.sleep(seconds)
        else:
            release.wait(seconds)
        connection.commit()
    holder.dispose()
