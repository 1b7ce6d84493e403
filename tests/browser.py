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


BINDER = ROOT / "binder"


def course_settings(workdir: Path) -> Path:
    """An app settings folder holding the course's JupyterLab overrides (binder/overrides.json),
    where ``make lab`` and Binder install them (``overrides.d``); returns the folder."""
    app_settings = workdir / "app-settings"
    (app_settings / "overrides.d").mkdir(parents=True, exist_ok=True)
    shutil.copy(BINDER / "overrides.json", app_settings / "overrides.d" / "exosome-reality-check.json")
    return app_settings


@contextmanager
def jupyterlab(workdir: Path, home: Path, learner: bool = False, root: Path | None = None) -> Iterator[str]:
    """Start JupyterLab on a free loopback port over a copy of the lessons; yield its URL template
    (``url.format(path=...)`` opens a file, relative to the served folder).

    Every session gets the course's JupyterLab settings (binder/overrides.json: no news pop-up,
    keys typed in a widget stay in it). ``learner=True`` adds the learner's configuration from
    binder/ exactly as ``make lab`` and Binder use it (no nbgrader or jupytext extensions);
    without it nbgrader's instructor tools are on, as in ``make instructor``. ``root`` serves
    that folder instead of a copy of the lessons.
    """
    if root is None:
        lessons = workdir / "modules"
        shutil.copytree(ROOT / "modules", lessons)
    else:
        lessons = root
    settings = workdir / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No news or update pop-ups over the notebook (the user-level setting, kept for old callers).
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "EXOCOURSE_HOME": str(home), "JUPYTERLAB_SETTINGS_DIR": str(workdir / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(workdir / "lab-workspaces"), "JUPYTER_RUNTIME_DIR": str(workdir / "rt")}
    env.pop("JUPYTER_CONFIG_PATH", None)
    if learner:
        env["JUPYTER_CONFIG_PATH"] = str(BINDER)
    log = (workdir / "jupyterlab.log").open("w")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={lessons}",
               f"--LabApp.app_settings_dir={course_settings(workdir)}",
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


RUN_ALL = ("async () => { const app = window.jupyterapp; const w = app.shell.currentWidget;"
           " await w.context.ready; await w.sessionContext.ready; app.shell.activateById(w.id);"
           " await app.commands.execute('notebook:run-all-cells'); }")
STARTED = ("() => { const w = window.jupyterapp.shell.currentWidget; const k = w.sessionContext.session"
           " && w.sessionContext.session.kernel; return (k && k.status !== 'idle')"
           " || w.content.widgets.some(c => c.model.type === 'code' && c.model.executionCount !== null); }")


def run_all_cells(page, tries: int = 3) -> None:
    """Run All in the current notebook, once it is ready and active. JupyterLab (and
    JupyterLite) sometimes takes the command before the notebook is its current one and
    runs nothing; then, with nothing started after 10 s, the command is given again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        page.evaluate(RUN_ALL)
        try:
            page.wait_for_function(STARTED, timeout=10_000, polling=100)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def open_and_run_all(page, url: str, done_text: str | None = None, timeout_ms: int = 180_000) -> None:
    """Open a notebook, wait for its kernel, run all cells and wait for ``done_text`` (or, without
    it, until every code cell has run and the kernel is idle again)."""
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
    run_all_cells(page)
    if done_text is not None:
        page.get_by_text(done_text).first.wait_for(timeout=timeout_ms)
        return
    page.wait_for_function(
        """() => { const panel = window.jupyterapp.shell.currentWidget;
                   const cells = panel.content.widgets.filter(c => c.model.type === 'code');
                   return cells.every(c => c.model.executionCount !== null)
                          && panel.sessionContext.session.kernel.status === 'idle'; }""", timeout=timeout_ms)


# ---------------------------------------------------------------- axe-core, the accessibility engine
AXE_VERSION = "4.14.1"
AXE_PREFIX = ROOT / "build" / "npm"
AXE = AXE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
# What a learner reads and uses is the course's own: rendered Markdown and cell outputs (the
# course's widgets, figures and HTML). Everything else on the page is JupyterLab's.
COURSE_CONTENT = ".jp-MarkdownOutput, .jp-OutputArea-output"


def ensure_axe() -> Path:
    """axe-core from npm (``make axe`` installs it into build/npm; npm caches the download)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is missing: install Debian's npm (make test does) to run the accessibility checks.")
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--no-save", "--prefix", str(AXE_PREFIX),
                        f"axe-core@{AXE_VERSION}"], check=True, capture_output=True)
    return AXE


def axe_violations(page, impacts: tuple[str, ...] = ("critical", "serious")) -> list[dict]:
    """Run axe-core on the whole page; return its violations of the given impacts, each node
    marked ``course`` (inside the course's own content) or not (JupyterLab's own interface)."""
    page.add_script_tag(path=str(ensure_axe()))
    found = page.evaluate(
        """async ([impacts, course]) => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => {
                    const el = n.target.length === 1 ? document.querySelector(n.target[0]) : null;
                    return {target: n.target.join(' >> '), html: n.html.slice(0, 240),
                            course: !!(el && el.closest(course))};
                })}));
        }""", [list(impacts), COURSE_CONTENT])
    return found


def notebook_state(page) -> dict:
    """The open notebook's cell count and active cell (to see whether a key moved or added cells)."""
    return page.evaluate("() => { const nb = window.jupyterapp.shell.currentWidget.content; "
                         "return {cells: nb.widgets.length, active: nb.activeCellIndex}; }")


def open_notebook(page, url: str) -> None:
    """Open a notebook and wait until its cells are on the page (without running anything)."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.content "
                           "&& window.jupyterapp.shell.currentWidget.content.widgets "
                           "&& window.jupyterapp.shell.currentWidget.content.widgets.length > 0", timeout=90_000)
    page.locator(".jp-MarkdownOutput").first.wait_for(timeout=60_000)


def learner_view(workdir: Path) -> Path:
    """A learner edition's layout in ``workdir`` (lessons, one released assessment) and the
    folder ``binder/learner_view.py`` makes of it, which a learner's JupyterLab serves."""
    import importlib.util

    edition = workdir / "edition"
    shutil.copytree(ROOT / "modules", edition / "modules")
    released = edition / "assessments" / "01_exosome_biology"
    released.mkdir(parents=True)
    (released / "assessment.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "markdown", "id": "a1", "metadata": {}, "source": "# Assessment 01"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("learner_view", BINDER / "learner_view.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(edition)


def answer_self_check(box) -> None:
    """Give some answer to one self-check (``box``: its ``.erc-quiz``) and press Check.

    Waits for the controls first: JupyterLab renders a cell's widgets only once the cell
    is scrolled into view, so an empty box is not yet a box without controls.
    """
    box.scroll_into_view_if_needed()
    box.locator("input[type=radio], input[type=checkbox], input[type=text]").first.wait_for(timeout=30_000)
    if box.locator("input[type=radio]").count():
        box.locator("input[type=radio]").first.check()
    elif box.locator("input[type=checkbox]").count():
        box.locator("input[type=checkbox]").first.check()
    else:
        box.locator("input[type=text]").first.fill("1")
    box.get_by_role("button", name="Check", exact=True).click()
    box.locator(".erc-feedback").wait_for(timeout=30_000)
