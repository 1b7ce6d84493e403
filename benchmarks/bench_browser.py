"""Opening a lesson in JupyterLab (headless Chromium) until all its widgets and figures are shown,
over a one-cell notebook opened the same way in the same run.

Each measurement opens the notebook as a learner does (a learner's session, binder/'s
configuration), runs all its cells and stops the clock when every code cell has run, no
widget still says "Loading widget" and every figure the lesson shows has been drawn. The
kernel is shut down after each measurement, so every run starts its own kernel, as a learner's
first opening does. ``BENCH_BROWSER_RUNS`` sets the number of interleaved runs (default 3).
"""
from __future__ import annotations

import json
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_BROWSER_RUNS", "3"))
BASELINE = "one_cell.ipynb"
SHOWN = """([figures]) => !document.body.innerText.includes('Loading widget')
    && document.querySelectorAll('.js-plotly-plot .main-svg').length >= figures
    && document.querySelectorAll('.jp-OutputArea-output').length > 0"""


def _one_cell_notebook() -> str:
    return json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "id": "one", "metadata": {},
                                  "outputs": [], "source": "1 + 1"}],
                       "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                                   "language": "python"}},
                       "nbformat": 4, "nbformat_minor": 5})


def _figures_shown_by(path: Path) -> int:
    return len(re.findall(r"course\.figure\(", path.read_text(encoding="utf-8")))


def _open_until_shown(page, url: str, figures: int) -> float:
    from tests.browser import open_and_run_all

    page.goto("about:blank")
    started = time.perf_counter()
    open_and_run_all(page, url)
    page.wait_for_function(SHOWN, arg=[figures], timeout=120_000)
    seconds = time.perf_counter() - started
    # Shut the kernel down and close the tab: JupyterLab restores the last visit's tabs, and
    # the next notebook would open beside a restored one (and its kernel).
    page.evaluate("async () => { const app = window.jupyterapp; await app.serviceManager.sessions.shutdownAll();"
                  " await app.commands.execute('docmanager:save-all');"
                  " await app.commands.execute('application:close-all'); }")
    return seconds


def run() -> dict[str, dict]:
    from tests.browser import CHROMIUM, chromium_page, jupyterlab, learner_view
    from tests.notebooks import lesson_paths

    if not CHROMIUM.exists():
        return {"browser_lesson_open_skipped": {"value": 0, "unit": "", "target": "chromium", "ok": False,
                                                "detail": "Debian's chromium is not installed"}}
    work = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    home = work / "home"
    home.mkdir()
    view = learner_view(work)
    (view / "modules" / BASELINE).write_text(_one_cell_notebook(), encoding="utf-8")
    lessons = lesson_paths()
    samples: dict[str, list[float]] = {"baseline": []}
    with jupyterlab(work, home, learner=True, root=view) as url, chromium_page() as page:
        _open_until_shown(page, url.format(path=f"modules/{BASELINE}"), 0)     # warm JupyterLab's own caches
        for run in range(RUNS):   # interleaved, so drift in machine load falls on baseline and lessons alike
            samples["baseline"].append(_open_until_shown(page, url.format(path=f"modules/{BASELINE}"), 0))
            for path in lessons:
                # A fresh copy each visit: the last visit's saved copy holds execution counts.
                fresh = view / "modules" / f"bench-{run}-{path.name}"
                fresh.write_bytes(path.read_bytes())
                samples.setdefault(path.stem, []).append(
                    _open_until_shown(page, url.format(path=f"modules/{fresh.name}"), _figures_shown_by(path)))
    baseline = statistics.median(samples.pop("baseline"))
    metrics = {"browser_one_cell_open_to_shown_seconds": {
        "value": baseline, "unit": "s", "target": "baseline", "ok": True,
        "detail": f"median of {RUNS}: open, kernel start, run all, output shown"}}
    for stem, times in samples.items():
        ratio = statistics.median(times) / baseline
        metrics[f"browser_lesson_{stem}_open_to_shown_ratio"] = {
            "value": ratio, "unit": "x", "target": "report", "ok": True,
            "detail": f"median {statistics.median(times):.2f} s over one-cell {baseline:.2f} s"}
    return metrics
