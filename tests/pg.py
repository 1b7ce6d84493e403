"""A real, throwaway PostgreSQL server for the tests (Debian's `postgresql` package).

``running_postgres()`` runs initdb into a new temporary folder, starts ``postgres`` on a
free 127.0.0.1 port and yields a SQLAlchemy URL for a fresh database; it stops the server
and deletes the folder afterwards. PostgreSQL refuses to run as root, so as root the
server runs as the ``postgres`` user (``runuser -u postgres --``) in a folder it owns.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_postgres(database: str = "gradebook") -> Iterator[str]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: run `make postgres` (or apt-get install postgresql).")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    # Not under pytest's tmp_path: its folders are private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="exocourse-pg-"))
    data, socket_dir, log = base / "data", base / "socket", base / "server.log"
    socket_dir.mkdir()
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(socket_dir, "postgres")
    port = free_port()

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync",
            "-E", "UTF8")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
            f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        try:
            run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database)
            yield f"postgresql://postgres@127.0.0.1:{port}/{database}"   # the URL the docs give
        finally:
            subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=120)
    finally:
        shutil.rmtree(base, ignore_errors=True)
