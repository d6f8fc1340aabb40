"""A PostgreSQL server of a test's own, which the test stops and starts again under a
running program (the shared server the other tests use must never be stopped)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import create_engine, text


def postgres_bin() -> Path | None:
    """The folder of the newest installed PostgreSQL's initdb and pg_ctl, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: [int(x) for x in p.parent.parent.name.split(".")
                                  if x.isdigit()])
    return found[-1].parent if found else None


def can_run_a_server() -> bool:
    """Whether :func:`throwaway_server` can start one on this machine."""
    return postgres_bin() is not None and (os.getuid() != 0 or shutil.which("runuser")
                                           is not None)


class ThrowawayServer:
    """A PostgreSQL server of this test's own on a free port (started as ``.ci/run``
    starts one), which the test stops and starts again under a running program."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, str(self.bin_dir / program), *args], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, name: str) -> str:
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)


@contextmanager
def throwaway_server() -> Iterator[ThrowawayServer]:
    """A started :class:`ThrowawayServer`, stopped and deleted afterwards; callers check
    :func:`can_run_a_server` first."""
    bin_dir = postgres_bin()
    assert bin_dir is not None
    # Not under pytest's folder, which the postgres user may not enter (as in .ci/run).
    root = Path(tempfile.mkdtemp(prefix="annotator-test-pg."))
    try:
        started = ThrowawayServer(bin_dir, root)
        try:
            yield started
        finally:
            with suppress(subprocess.CalledProcessError):
                started.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
