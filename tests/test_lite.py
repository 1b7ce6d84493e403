"""The JupyterLite edition, as a learner meets it: a static site in real headless Chromium.

The site is built by ``course.instructor.lite`` (what ``make lite`` runs) and served on
127.0.0.1 by a plain static file server. Chromium resolves no other host, and every request
the page, its workers and its service worker make is recorded: one to any other host fails
the test, so a CDN fallback (Pyodide, a wheel, a font) cannot hide.

A built site is kept between runs on one machine under
``~/.cache/exosome-reality-check/lite/sites/<hash of the inputs>`` (never in git): a changed
lesson, pin or library file makes a new hash and a new build.

The only thing the test adds to the site is ``exposeAppInBrowser`` in the served settings,
so it can read the kernel's state and the notebook's outputs as JupyterLab holds them.
"""
from __future__ import annotations

import base64
import importlib.util
import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser import CHROMIUM, CHROMIUM_FLAGS, run_all_cells
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = sorted(p.name for p in (ROOT / "modules").glob("*.ipynb"))
ASSESSMENT = "01_exosome_biology"
UNICODE_NAME = "Zoë Łukasiewicz-Ōtsuka"
KERNEL_TIMEOUT_MS = 180_000
RUN_TIMEOUT_MS = 240_000


def _missing_prerequisite() -> str | None:
    """Why the site cannot be built or driven here, or None. `make test` installs all of these."""
    if not CHROMIUM.exists():
        return "Chromium is missing (make test installs it as root; otherwise: sudo apt-get install chromium)"
    if shutil.which("npm") is None:
        return "npm is missing (make test installs it as root; otherwise: sudo apt-get install nodejs npm)"
    for module in ("playwright", "jupyterlite_core", "jupyterlite_pyodide_kernel"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed: run `make test`, which installs the test and lite extras"
    return None


_MISSING = _missing_prerequisite()
if _MISSING:
    pytestmark.append(pytest.mark.skip(reason=_MISSING))


# ------------------------------------------------------------------ the site, built once per input hash
@pytest.fixture(scope="session")
def lite_site() -> Path:
    from course.instructor.lite import cached_site

    started = time.monotonic()
    site = cached_site(progress=lambda line: print(f"[lite build] {line}", flush=True))
    print(f"[lite site] {site} ready in {time.monotonic() - started:.0f} s", flush=True)
    return site


@dataclass
class Server:
    base: str
    served: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(lite_site: Path) -> Iterator[Server]:
    from course.instructor.lite import serving

    served: list[str] = []
    with serving(lite_site, expose_app=True, log=served) as base:
        yield Server(base, served)


@dataclass
class Browser:
    context: Any
    page: Any
    base: str
    foreign: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # No host but 127.0.0.1 resolves: a request elsewhere fails loudly as well as being recorded.
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            *CHROMIUM_FLAGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 1000})
        state = Browser(context, context.new_page(), server.base)

        def watch(request: Any) -> None:
            url = request.url
            if not url.startswith(("data:", "blob:", "about:")) and urlparse(url).hostname != "127.0.0.1":
                state.foreign.append(url)

        context.on("request", watch)
        try:
            yield state
        finally:
            context.close()
            chromium.close()


# ------------------------------------------------------------------ driving JupyterLite
KERNEL_IDLE = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
               " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
               " return !!k && k.status === 'idle'; }")
ALL_RUN = ("() => { const w = window.jupyterapp.shell.currentWidget; const s = w && w.sessionContext.session;"
           " const k = s && s.kernel;"
           " if (!k || k.status !== 'idle') return false;"
           " return w.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim())"
           "   .every(c => c.model.executionCount !== null); }")
PROBLEMS = ("() => { const out = []; for (const c of window.jupyterapp.shell.currentWidget.content.widgets) {"
            " if (c.model.type !== 'code') continue;"
            " for (const o of c.model.outputs.toJSON()) {"
            "  if (o.output_type === 'error') out.push(o.ename + ': ' + o.evalue);"
            "  else if (o.output_type === 'stream' && o.name === 'stderr' && /Traceback|Error/.test(String(o.text)))"
            "   out.push(String(o.text).slice(0, 500)); } } return out; }")


SHOWN = ("() => { const r = {widgets: 0, figures: 0, figure_cells: [], widget_cells: []}; const cells = window.jupyterapp.shell"
         ".currentWidget.content.widgets; cells.forEach((c, i) => { if (c.model.type !== 'code') return;"
         " for (const o of c.model.outputs.toJSON()) { const d = o.data || {};"
         "  if ('application/vnd.jupyter.widget-view+json' in d) { r.widgets += 1; r.widget_cells.push(i); }"
         "  if ('application/vnd.plotly.v1+json' in d) { r.figures += 1; r.figure_cells.push(i); } } });"
         " return r; }")


CLOSE_ALL = ("async () => { const app = window.jupyterapp; if (!app) return;"
             " await app.commands.execute('docmanager:save-all'); await app.commands.execute('application:close-all'); }")
CELLS = ("() => window.jupyterapp.shell.currentWidget.content.widgets.map((c, i) => c.model.type !== 'code' ? null :"
         " [i, c.model.executionCount, c.model.sharedModel.getSource().slice(0, 50),"
         "  c.model.outputs.toJSON().map(o => o.output_type + ' ' + Object.keys(o.data || {}).join('|'))]).filter(x => x)")


def scroll_to_cell(page: Any, index: int) -> None:
    page.evaluate("(i) => { const nb = window.jupyterapp.shell.currentWidget.content; nb.activeCellIndex = i;"
                  " return nb.scrollToItem(i, 'center'); }", index)


def wait_for_kernel(browser: Browser) -> None:
    """Wait for the notebook's kernel; a kernel that never starts says which other host it wanted."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        browser.page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_TIMEOUT_MS, polling=250)
    except PlaywrightTimeout:
        assert not browser.foreign, f"the kernel did not start; it asked other hosts for {browser.foreign[:5]}"
        raise


def open_notebook(browser: Browser, path: str) -> float:
    """Open ``path`` in JupyterLite and wait for its kernel; return the seconds it took.

    The notebooks open before are saved and closed first: JupyterLab restores the tabs of its last
    visit and starts a kernel for each, so a sixth lesson would otherwise start six kernels."""
    if browser.page.url.startswith(browser.base):
        browser.page.evaluate(CLOSE_ALL)
    started = time.monotonic()
    browser.page.goto(f"{browser.base}/lab/index.html?path={path}", wait_until="domcontentloaded")
    wait_for_kernel(browser)
    return time.monotonic() - started


def run_all(browser: Browser) -> float:
    started = time.monotonic()
    run_all_cells(browser.page)
    browser.page.wait_for_function(ALL_RUN, timeout=RUN_TIMEOUT_MS, polling=250)
    return time.monotonic() - started


def answer_first_self_check(page: Any) -> None:
    boxes = page.locator(".erc-quiz").filter(has=page.get_by_role("button", name="Check", exact=True))
    box = boxes.first
    box.scroll_into_view_if_needed()
    if box.locator("input[type=radio]").count():
        box.locator("input[type=radio]").first.check()
    elif box.locator("input[type=checkbox]").count():
        box.locator("input[type=checkbox]").first.check()
    else:
        box.locator("input[type=text]").first.fill("1")
    box.get_by_role("button", name="Check", exact=True).click()
    # The feedback box is there (empty) from the start: wait for the kernel's verdict in it.
    box.locator(".erc-feedback").filter(has_text=re.compile(r"\w")).first.wait_for(timeout=60_000)


def scroll_to_source(page: Any, text: str) -> None:
    """Bring the (last) code cell whose source contains ``text`` on screen, so its outputs are drawn."""
    index = page.evaluate("(t) => window.jupyterapp.shell.currentWidget.content.widgets"
                          ".map(c => c.model.sharedModel.getSource()).findLastIndex(s => s.includes(t))", text)
    assert index >= 0, f"no cell calls {text}"
    scroll_to_cell(page, index)


def save_reflection(page: Any, text: str) -> None:
    scroll_to_source(page, "course.reflect(")
    reflection = page.locator(".erc-quiz", has=page.get_by_role("button", name="Save my reflection")).first
    reflection.scroll_into_view_if_needed()
    reflection.locator("textarea").nth(1).fill(text)
    reflection.get_by_role("button", name="Save my reflection").click()
    reflection.get_by_text(re.compile("Saved")).first.wait_for(timeout=30_000)


def stored_records(page: Any) -> dict[str, Any]:
    """Every ``progress.json`` in JupyterLite's browser storage (what the kernel sees as /drive), by path."""
    return page.evaluate("""async () => {
        const contents = window.jupyterapp.serviceManager.contents, found = {};
        async function walk(path) {
          const listing = await contents.get(path, {content: true});
          for (const item of listing.content) {
            if (item.type === 'directory') await walk(item.path);
            else if (item.name === 'progress.json') {
              const file = await contents.get(item.path, {content: true}); found[item.path] = [file.format, file.content]; }
          }
        }
        await walk('');
        return found; }""")


# ------------------------------------------------------------------ the built site, read as files
def test_the_kernel_loads_pyodide_and_every_wheel_from_the_site_itself(lite_site: Path) -> None:
    import hashlib

    from course.instructor.lite import COURSE_DISTRIBUTION, KERNEL_PLUGIN

    settings = json.loads((lite_site / "jupyter-lite.json").read_text(encoding="utf-8"))
    kernel = settings["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs" and kernel["disablePyPIFallback"] is True
    lock = json.loads((lite_site / "static" / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    for name, entry in lock["packages"].items():
        wheel = lite_site / "static" / "pyodide" / entry["file_name"]
        assert wheel.is_file(), name
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], name
        assert set(entry["depends"]) <= set(lock["packages"]), name
    # Everything the kernel needs is loaded at start: no install cell, no index consulted.
    assert set(kernel["loadPyodideOptions"]["packages"]) <= set(lock["packages"])
    assert COURSE_DISTRIBUTION in kernel["loadPyodideOptions"]["packages"]


def test_the_site_carries_nothing_of_the_instructors_side(lite_site: Path) -> None:
    files = {str(p.relative_to(lite_site)) for p in lite_site.rglob("*") if p.is_file()}
    assert not [f for f in files if "grading" in f or "gradebook" in f or f.endswith(".db")]
    assert not [f for f in files if "nbgrader" in f.lower()]  # no Formgrader or assignment extensions
    notebooks = sorted(f for f in files if f.startswith("files/") and f.endswith(".ipynb"))
    assert notebooks == sorted([f"files/modules/{name}" for name in LESSONS] +
                               [f"files/assessments/{p.parent.name}/assessment.ipynb"
                                for p in (ROOT / "grading" / "source").glob("*/assessment.ipynb")])


def test_a_leak_into_the_site_stops_the_build(tmp_path: Path) -> None:
    from course._errors import ConfigurationError
    from course.instructor.assessments import load_assessment
    from course.instructor.demo import answer_line
    from course.instructor.lite import audit_site
    from tests.instructor_course import make_course
    from tests.submissions import correct_answers

    course = make_course(tmp_path / "course")
    item = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT).items[0]
    keyed = answer_line(item.variable, correct_answers(course, ASSESSMENT)[item.number])
    site = tmp_path / "site"
    lesson = ROOT / "modules" / LESSONS[1]
    (site / "files" / "modules").mkdir(parents=True)
    shutil.copy2(lesson, site / "files" / "modules" / lesson.name)
    audit_site(site, ROOT, set(), tmp_path / "scratch-clean")  # a lesson alone is clean
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    notebook["cells"][-1]["source"] += f"\n\nFor the record: {keyed}\n"
    (site / "files" / "modules" / lesson.name).write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="NOT built"):
        audit_site(site, ROOT, set(), tmp_path / "scratch-leak")


# ------------------------------------------------------------------ the tests in the browser
def test_the_landing_page_opens_the_start_page(browser: Browser) -> None:
    page = browser.page
    started = time.monotonic()
    page.goto(f"{browser.base}/", wait_until="domcontentloaded")
    page.wait_for_url(re.compile(r"/lab/index\.html\?path=modules/00_start_here\.ipynb"), timeout=30_000)
    wait_for_kernel(browser)
    browser.timings["kernel ready (start page)"] = time.monotonic() - started
    title = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    assert title == "modules/00_start_here.ipynb"
    assert not browser.foreign, browser.foreign


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_runs_in_the_browser_with_its_widgets_and_figures(browser: Browser, lesson: str,
                                                                       server: Server) -> None:
    page = browser.page
    browser.timings[f"kernel ready {lesson}"] = open_notebook(browser, f"modules/{lesson}")
    browser.timings[f"run all {lesson}"] = run_all(browser)
    assert page.evaluate(PROBLEMS) == []
    source = (ROOT / "modules" / lesson).read_text(encoding="utf-8")
    quizzes = source.count("course.quiz(")
    figures = source.count("course.figure(")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # The browser kernel's display messages can trail its replies: wait for every widget and figure.
    expected = {"widgets": quizzes, "figures": figures}
    try:
        page.wait_for_function(f"(e) => {{ const r = ({SHOWN})(); return r.widgets >= e.widgets && r.figures >= e.figures; }}",
                               arg=expected, timeout=60_000, polling=250)
    except PlaywrightTimeout:
        pass  # the assertion below says what was missing
    shown = page.evaluate(SHOWN)
    assert shown["widgets"] >= quizzes and shown["figures"] >= figures, (expected, shown, page.evaluate(CELLS))
    if quizzes:
        scroll_to_cell(page, shown["widget_cells"][0])
        answer_first_self_check(page)
    for index in shown["figure_cells"]:  # each figure drawn, not only sent (cells off screen are not drawn)
        scroll_to_cell(page, index)
        page.wait_for_function("(i) => { const node = window.jupyterapp.shell.currentWidget.content.widgets[i].node;"
                               " return node.isConnected && !!node.querySelector('.js-plotly-plot .main-svg'); }",
                               arg=index, timeout=60_000, polling=250)
    if "course.reflect(" in source:
        save_reflection(page, f"In the browser edition, lesson {lesson[:2]} made me check the product's dossier.")
    assert not browser.foreign, browser.foreign
    # The kernel came from the site's own files, and the library from its own wheel.
    assert any(path.startswith("/static/pyodide/pyodide.asm.wasm") for path in server.served)
    assert any(re.match(r"/static/pyodide/exosome_reality_check-.*\.whl", path) for path in server.served)


def test_the_progress_is_kept_in_the_browser_across_a_reload(browser: Browser) -> None:
    page = browser.page
    page.reload(wait_until="domcontentloaded")
    wait_for_kernel(browser)
    stored = stored_records(page)
    assert len(stored) == 1, f"after the reload the browser's storage holds these progress records: {sorted(stored)}"
    (path, (form, content)), = stored.items()
    assert not path.startswith(("modules/", "assessments/")), f"the record is among the lessons: {path}"
    # The kernel writes files as bytes, which JupyterLite keeps base64-encoded.
    record = json.loads(base64.b64decode(content) if form == "base64" else content) if isinstance(content, str) else content
    answered = {a["module"] for a in record["attempts"]}
    reflected = set(record["reflections"])
    quizzed = {name[:2] for name in LESSONS if "course.quiz(" in (ROOT / "modules" / name).read_text(encoding="utf-8")}
    reflective = {name[:2] for name in LESSONS if "course.reflect(" in (ROOT / "modules" / name).read_text(encoding="utf-8")}
    assert quizzed <= answered, (quizzed, answered)
    assert reflective <= reflected, (reflective, reflected)
    assert not browser.foreign, browser.foreign


def test_the_learning_record_downloads_as_a_pdf_that_keeps_unicode(browser: Browser, tmp_path: Path) -> None:
    from tests.pdf_text import pdf_text

    page = browser.page
    open_notebook(browser, f"modules/{LESSONS[-1]}")
    run_all(browser)
    scroll_to_source(page, "course.record(")
    record = page.locator(".erc-quiz", has_text="Your learning record").last
    record.scroll_into_view_if_needed()
    record.get_by_label("Your name (as it should appear):").fill(UNICODE_NAME)
    record.get_by_role("button", name="Write my learning record (PDF and JSON)").click()
    link = record.get_by_role("link", name="Download my learning record (PDF)")
    link.wait_for(timeout=60_000)
    # The message names where the files really are: in this browser, not on a disk.
    assert "kept in this browser" in record.inner_text()
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "record.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    assert UNICODE_NAME in pdf_text(saved)
    assert page.evaluate(PROBLEMS) == []
    assert not browser.foreign, browser.foreign


def test_a_released_assessment_answered_in_the_browser_is_graded_as_it_deserves(browser: Browser,
                                                                                 tmp_path: Path) -> None:
    from course.instructor.assessments import load_assessment
    from course.instructor.autograde import autograde
    from course.instructor.demo import answer_line
    from course.instructor.intake import intake
    from course.instructor.release import release
    from tests.instructor_course import make_course
    from tests.submissions import correct_answers, wrong_for

    course = make_course(tmp_path / "course")
    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    right = correct_answers(course, ASSESSMENT)
    numbers = [item.number for item in assessment.items]
    correct = set(numbers[: max(1, len(numbers) // 2)])
    answers = {n: right[n] if n in correct else wrong_for(assessment, n, right[n]) for n in numbers}

    page = browser.page
    open_notebook(browser, f"assessments/{ASSESSMENT}/assessment.ipynb")
    typed = page.evaluate("""(answers) => {
        const w = window.jupyterapp.shell.currentWidget; let done = 0;
        for (const cell of w.content.widgets) {
          const id = ((cell.model.getMetadata('nbgrader') || {}).grade_id);
          if (id in answers) { cell.model.sharedModel.setSource(answers[id]); done += 1; }
        }
        return done; }""", {item.answer_cell: answer_line(item.variable, answers[item.number])
                            for item in assessment.items})
    assert typed == len(numbers)
    run_all(browser)  # the format checks run in the learner's own (browser) kernel
    assert page.evaluate(PROBLEMS) == []
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)
    with page.expect_download() as download_info:
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:download')")
    # JupyterLite names the download after its path (assessments_01_..._assessment.ipynb): the learner
    # uploads that file as it is, here in the plain one-folder-per-learner layout of an LMS download.
    name = download_info.value.suggested_filename
    assert name.endswith(".ipynb") and ASSESSMENT in name, name
    inbox = tmp_path / "lms-download" / "lite-learner"
    inbox.mkdir(parents=True)
    download_info.value.save_as(inbox / name)

    release(course, [ASSESSMENT])
    taken = intake(course, inbox.parent, ASSESSMENT)
    assert [e.learner for e in taken.entries if e.learner] == ["lite-learner"], taken.entries
    graded = autograde(course, ASSESSMENT, progress=None)
    points = {item.number: float(getattr(item, "points", 1.0)) for item in assessment.items}
    assert graded.scores() == {"lite-learner": sum(points[n] for n in correct)}, graded.learners
    assert not browser.foreign, browser.foreign


def test_timings_for_the_lead(browser: Browser) -> None:
    """Not a speed test (benchmarks/bench_lite.py measures): prints what this run saw."""
    for name, seconds in browser.timings.items():
        print(f"{name}: {seconds:.1f} s")
    assert browser.timings
