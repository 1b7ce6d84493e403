"""A real JupyterLab server and a real headless Chromium, for the browser tests."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(workdir: Path, home: Path) -> Iterator[str]:
    """Start JupyterLab on a free loopback port over a copy of the lessons; yield its base URL."""
    lessons = workdir / "modules"
    shutil.copytree(ROOT / "modules", lessons)
    settings = workdir / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No news or update pop-ups over the notebook.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "EXOCOURSE_HOME": str(home), "JUPYTERLAB_SETTINGS_DIR": str(workdir / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(workdir / "lab-workspaces"), "JUPYTER_RUNTIME_DIR": str(workdir / "rt")}
    log = (workdir / "jupyterlab.log").open("w")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={lessons}",
               "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=False"]
    if os.getuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=lessons)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (workdir / "jupyterlab.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield f"{base}/lab/tree/{{path}}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@contextmanager
def chromium_page(viewport: dict[str, int] | None = None) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport=viewport or {"width": 1280, "height": 1000})
            yield page
        finally:
            browser.close()


def open_and_run_all(page, url: str, done_text: str, timeout_ms: int = 180_000) -> None:
    """Open a notebook, wait for its kernel, run all cells and wait for ``done_text``."""
    page.goto(url, wait_until="domcontentloaded")
    # A notebook without kernel metadata asks which kernel to use; the lessons carry it,
    # but accept the default rather than hang if one ever does not.
    select = page.get_by_role("button", name="Select", exact=True)
    try:
        select.wait_for(timeout=4_000)
        select.click()
    except Exception:  # noqa: BLE001 - no dialog is the normal case
        pass
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.get_by_text(done_text).first.wait_for(timeout=timeout_ms)
