"""The JupyterLite edition against JupyterLab, in headless Chromium, in the same run.

- site size (MB; goal under 60 MB): the whole folder a host serves;
- time to the first kernel ready (s; goal within 15 s): from opening the start page's URL
  in a fresh browser (nothing cached) to the Pyodide kernel reporting idle;
- per lesson, Run All in JupyterLite over Run All of the same lesson in JupyterLab (the
  server `make lab` starts), kernel start excluded in both (goal within 2x).

Lessons are measured interleaved (JupyterLite, then JupyterLab, lesson by lesson), so a
change in the machine's load falls on both sides alike. The site is the one the tests use
(built once per input hash under ~/.cache/exosome-reality-check/lite/sites).
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KERNEL_IDLE = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
               " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
               " return !!k && k.status === 'idle'; }")
ALL_RUN = ("() => { const w = window.jupyterapp.shell.currentWidget; const s = w && w.sessionContext.session;"
           " const k = s && s.kernel;"
           " if (!k || k.status !== 'idle') return false;"
           " return w.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim())"
           "   .every(c => c.model.executionCount !== null); }")
CLOSE_ALL = ("async () => { const app = window.jupyterapp; if (!app) return;"
             " await app.commands.execute('docmanager:save-all'); await app.commands.execute('application:close-all'); }")
SITE_GOAL_MB, KERNEL_GOAL_S, RATIO_GOAL = 60.0, 15.0, 2.0


def _open(page: Any, url: str) -> float:
    # Save and close what is open: JupyterLab restores the last visit's tabs, a kernel for each.
    if page.url.startswith("http"):
        page.evaluate(CLOSE_ALL)
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(KERNEL_IDLE, timeout=240_000, polling=100)
    return time.perf_counter() - started


STATE = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
         " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
         " const cells = w && w.content && w.content.widgets ? w.content.widgets.filter(c => c.model.type === 'code'"
         "   && c.model.sharedModel.getSource().trim()) : [];"
         " return {title: w ? w.title.label : null, kernel: k ? k.status : null,"
         "   not_run: cells.filter(c => c.model.executionCount === null).length, cells: cells.length,"
         "   dialog: !!document.querySelector('.jp-Dialog')}; }")


def _run_all(page: Any) -> float:
    """Seconds Run All took; raises RuntimeError saying what the page showed if it never ended."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.browser import run_all_cells

    started = time.perf_counter()
    run_all_cells(page)
    try:
        page.wait_for_function(ALL_RUN, timeout=300_000, polling=100)
    except PlaywrightTimeout:
        raise RuntimeError(f"Run All did not end within 300 s: {page.evaluate(STATE)}") from None
    return time.perf_counter() - started


def run() -> dict[str, dict]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from course.instructor.lite import cached_site, serving
    from tests.browser import CHROMIUM, CHROMIUM_FLAGS, jupyterlab

    site = cached_site(progress=lambda line: print(f"  [lite build] {line}", flush=True))
    size_mb = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6
    lessons = sorted(p.name for p in (ROOT / "modules").glob("*.ipynb"))
    lite_runs: dict[str, float] = {}
    lab_runs: dict[str, float] = {}
    kernel_ready: list[float] = []
    failures: dict[str, str] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-lite-"))
    home = work / "home"
    home.mkdir()
    os.environ["EXOCOURSE_HOME"] = str(home)
    with serving(site, expose_app=True) as base, jupyterlab(work / "lab", home) as lab_url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            *CHROMIUM_FLAGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        try:
            first = browser.new_context()  # nothing cached: what a learner's first visit costs
            kernel_ready.append(_open(first.new_page(), f"{base}/lab/index.html?path=modules/{lessons[0]}"))
            first.close()
            lite_page = browser.new_context().new_page()
            lab_page = browser.new_context().new_page()
            for lesson in lessons:
                try:   # one lesson that never finishes is reported; the others are still measured
                    kernel_ready.append(_open(lite_page, f"{base}/lab/index.html?path=modules/{lesson}"))
                    lite_runs[lesson] = _run_all(lite_page)
                    _open(lab_page, lab_url.format(path=lesson))
                    lab_runs[lesson] = _run_all(lab_page)
                except (RuntimeError, PlaywrightTimeout) as stalled:
                    failures[lesson] = str(stalled)
                    print(f"  {lesson}: {stalled}", flush=True)
                    continue
                print(f"  {lesson}: JupyterLite {lite_runs[lesson]:.1f} s, JupyterLab {lab_runs[lesson]:.1f} s",
                      flush=True)
        finally:
            browser.close()
    metrics: dict[str, dict] = {
        "lite_site_size_mb": {"value": size_mb, "unit": "MB", "target": f"< {SITE_GOAL_MB:g}",
                              "ok": size_mb < SITE_GOAL_MB, "detail": str(site)},
        "lite_first_kernel_ready_seconds": {
            "value": kernel_ready[0], "unit": "s", "target": f"<= {KERNEL_GOAL_S:g}", "ok": kernel_ready[0] <= KERNEL_GOAL_S,
            "detail": f"fresh browser, page load included; median over all opens {statistics.median(kernel_ready):.1f} s"},
    }
    for lesson, why in failures.items():
        metrics[f"lite_{Path(lesson).stem}_run_all_ratio"] = {
            "value": float("nan"), "unit": "x", "target": f"<= {RATIO_GOAL:g}", "ok": False, "detail": why}
    for lesson in (name for name in lessons if name not in failures):
        ratio = lite_runs[lesson] / lab_runs[lesson]
        metrics[f"lite_{Path(lesson).stem}_run_all_ratio"] = {
            "value": ratio, "unit": "x", "target": f"<= {RATIO_GOAL:g}", "ok": ratio <= RATIO_GOAL,
            "detail": f"JupyterLite {lite_runs[lesson]:.2f} s over JupyterLab {lab_runs[lesson]:.2f} s (kernel start excluded)"}
    return metrics


if __name__ == "__main__":
    for name, row in run().items():
        print(f"{name:44} {row['value']:>10.3f} {row['unit']:4} {row['target']:>8}  {row['detail']}")
