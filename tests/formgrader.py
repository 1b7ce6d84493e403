"""A real Jupyter server with nbgrader's Formgrader, over a course folder, for browser tests.

``formgrader(course_root, db_url)`` starts ``jupyter server`` in the course folder (as an
instructor does: ``make instructor`` opens JupyterLab there) with the formgrader server
extension on and ``EXOCOURSE_DB_URL`` set to ``db_url``, so Formgrader reads the gradebook
exactly as ``nbgrader_config.py`` tells every tool to. It yields the base URL and the token.
(JupyterLab itself is not needed: Formgrader's pages are served by the extension.)
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMGRADER = "nbgrader.server_extensions.formgrader"


@dataclass(frozen=True)
class Server:
    base: str
    token: str
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}{'&' if '?' in path else '?'}token={self.token}"

    def log_in(self, page: Any) -> None:
        """Open a Jupyter page with the token, as an instructor's first visit does: the server
        sets its login cookie, which Formgrader's own API calls then carry."""
        page.goto(self.url("tree"), wait_until="domcontentloaded")
        if not any(c["name"].startswith("username-") for c in page.context.cookies()):
            raise RuntimeError("the Jupyter server set no login cookie")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def formgrader(course_root: Path, db_url: str, workdir: Path) -> Iterator[Server]:
    port, token = free_port(), secrets.token_hex(16)
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "EXOCOURSE_DB_URL": db_url, "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
           "JUPYTER_DATA_DIR": str(workdir / "data"), "JUPYTERLAB_SETTINGS_DIR": str(workdir / "lab-settings")}
    log_path = workdir / "formgrader.log"
    command = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course_root}",
               f"--ServerApp.jpserver_extensions={FORMGRADER}=True"]
    if os.getuid() == 0:
        command.append("--allow-root")
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=course_root)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("Formgrader did not start:\n" + log_path.read_text()[-3000:]) from None
                    time.sleep(0.3)
            yield Server(base, token, log_path)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)
