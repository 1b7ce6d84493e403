"""The course as a learner meets it in JupyterLab, in real headless Chromium.

A learner's session (``make lab``, Binder, the learner edition: binder/'s configuration)
shows the course and not nbgrader's instructor tools; lessons read like a textbook before
anything runs; keys pressed in a course widget stay in the widget; and the course's own
pages and widgets pass axe-core with no critical or serious violation.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from course._figures.timeline import KINDS
from course._questions import load_bank
from tests.browser import (
    CHROMIUM,
    axe_violations,
    chromium_page,
    jupyterlab,
    learner_view,
    notebook_state,
    open_and_run_all,
    open_notebook,
)
from tests.conftest import ROOT
from tests.notebooks import lesson_paths

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed: `make test` "
                                 "installs it as root, or run `sudo apt-get install chromium`")]
ARTIFACTS = ROOT / "tests" / "artifacts"
ACCESSIBILITY_DOC = ROOT / "docs" / "accessibility.md"


@pytest.fixture
def learner_lab(tmp_path: Path, learner_home: Path):
    """JupyterLab as a learner gets it: binder/'s configuration over the learner view."""
    with jupyterlab(tmp_path, learner_home, learner=True, root=learner_view(tmp_path)) as url:
        yield url


def plugins(page) -> list[str]:
    return page.evaluate("() => window.jupyterapp.listPlugins()")


def status_of(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_learner_session_shows_the_course_and_none_of_nbgraders_instructor_tools(learner_lab):
    with chromium_page() as page:
        open_notebook(page, learner_lab.format(path="modules/00_start_here.ipynb"))
        loaded = plugins(page)
        assert "@jupyterlab/notebook-extension:tracker" in loaded
        assert not [p for p in loaded if p.startswith("@jupyter/nbgrader")], "nbgrader's lab plugins are on"
        menus = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()
        assert "File" in menus and not any("grader" in m.lower() for m in menus), menus
        body = page.inner_text("body")
        for instructor_only in ("Formgrader", "Create Assignment", "Validate", "Error fetching courses"):
            assert instructor_only not in body
        # nbgrader's server side is off too: its pages do not exist.
        base = learner_lab.split("/lab/")[0]
        token = learner_lab.split("token=")[1]
        assert status_of(f"{base}/formgrader?token={token}") == 404
        # The file browser reaches the lessons and the released assessments, nothing else.
        page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:go-to-path', {path: '/'})")
        listing = page.locator(".jp-DirListing-itemText")
        listing.first.wait_for()
        page.wait_for_function("() => document.querySelectorAll('.jp-DirListing-itemText').length >= 2")
        assert sorted(listing.all_inner_texts()) == ["assessments", "modules"]
        page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:go-to-path', "
                      "{path: '/assessments/01_exosome_biology'})")
        page.get_by_text("assessment.ipynb").first.wait_for(timeout=15_000)
        # No news or update notification, now or after the check would have run.
        page.wait_for_timeout(3_000)
        assert page.locator(".jp-Notification-Toast, .Toastify__toast").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "browser-learner-session.png"))


def test_an_instructor_session_keeps_formgrader(tmp_path: Path, learner_home: Path):
    """The same harness without the learner configuration: the switch is binder/'s config, nothing else."""
    with jupyterlab(tmp_path, learner_home) as url, chromium_page() as page:
        open_notebook(page, url.format(path="00_start_here.ipynb"))
        assert "@jupyter/nbgrader:formgrader" in plugins(page)
        base, token = url.split("/lab/")[0], url.split("token=")[1]
        assert status_of(f"{base}/formgrader?token={token}") == 200


def test_before_anything_runs_a_lesson_reads_like_a_textbook(learner_lab):
    with chromium_page() as page:
        open_notebook(page, learner_lab.format(path="modules/01_exosome_biology.ipynb"))
        text = page.inner_text(".jp-Notebook")
        assert "[@" not in text
        # Code cells are collapsed: a placeholder bar, no code editor, for every code cell.
        hidden = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets"
                               ".filter(c => c.model.type === 'code').map(c => c.inputHidden)")
        assert len(hidden) > 10 and all(hidden)
        page.wait_for_function("() => document.querySelectorAll('.jp-CodeCell').length === "
                               "document.querySelectorAll('.jp-CodeCell .jp-InputPlaceholder').length")
        assert page.locator(".jp-CodeCell .jp-InputArea-editor:visible").count() == 0
        # A citation is an author-year link to the lesson's own reference list ...
        citation = page.locator(".jp-MarkdownOutput a", has_text="Théry et al., 2018 (MISEV2018)").first
        assert citation.get_attribute("href") == "#ref-misev2018"
        entry = page.locator('[data-jupyter-id="ref-misev2018"], #ref-misev2018').first
        entry.wait_for(state="attached")                     # the list is rendered, far below
        page.wait_for_timeout(500)
        citation.click()
        page.wait_for_function(
            """() => { const e = document.querySelector('[data-jupyter-id="ref-misev2018"], #ref-misev2018');
                       const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }""",
            timeout=10_000)
        # ... whose entry links to the DOI; a regulator's entry says what its link is.
        references = page.locator(".jp-MarkdownOutput", has=page.locator("h2", has_text="References")).last
        assert references.locator('a[href="https://doi.org/10.1080/20013078.2018.1535750"]').count() == 1
        assert "no direct address was verified" in references.inner_text()


def executions(page) -> list[int | None]:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.map(c => c.model.executionCount)")


def test_keys_pressed_in_a_quiz_or_the_reflection_stay_there(learner_lab):
    # The single-choice question with the longest option in lesson 01: the one most likely to wrap.
    question = max((q for q in load_bank("01").questions if q.type == "single"),
                   key=lambda q: max(len(o.text) for o in q.options))
    with chromium_page(viewport={"width": 900, "height": 1000}) as page:
        open_and_run_all(page, learner_lab.format(path="modules/01_exosome_biology.ipynb"))
        longest = max(range(len(question.options)), key=lambda i: len(question.options[i].text))
        fragment = re.sub(r"[*`\"“”]", "", question.options[longest].text)[3:40]
        label = page.locator(".widget-radio-box label", has_text=fragment).first
        box = page.locator(".erc-quiz", has=label).first
        box.scroll_into_view_if_needed()

        # Command-mode keys on a focused button: no cell moved, deleted or added.
        check = box.get_by_role("button", name="Check")
        check.focus()
        before = notebook_state(page)
        for key in ("ArrowDown", "d", "d", "b", "ArrowUp"):
            page.keyboard.press(key)
        assert notebook_state(page) == before, "a key pressed on a course button moved, added or deleted a cell"

        # Keyboard focus on Check is plainly visible.
        outline = check.evaluate("b => { const s = getComputedStyle(b); return [s.outlineStyle, s.outlineWidth]; }")
        assert outline[0] == "solid" and float(outline[1].rstrip("px")) >= 3

        # The arrow keys choose between the options, as on any web page.
        radios = box.locator("input[type=radio]")
        radios.first.click()
        before = notebook_state(page)
        page.keyboard.press("ArrowDown")
        assert radios.nth(1).is_checked(), "the arrow key should choose the next option"
        assert notebook_state(page) == before, "the arrow key on a radio button jumped to another cell"

        # A long option wraps beside its radio button: the button sits on the first line.
        radio_box, label_box = label.locator("input").bounding_box(), label.bounding_box()
        assert label_box["height"] > 2 * radio_box["height"], "the long option should wrap at this width"
        assert radio_box["y"] - label_box["y"] < radio_box["height"], "the radio button is apart from its text"

        # Shift+Enter in the reflection is a new line; on its Save button it does nothing:
        # it neither runs the cell again (which redrew the form) nor moves on or adds a cell.
        reflection = page.locator(".erc-quiz textarea").last
        reflection.scroll_into_view_if_needed()
        reflection.fill("")
        reflection.type("First line")
        page.keyboard.press("Shift+Enter")
        reflection.type("second line")
        assert reflection.input_value() == "First line\nsecond line"
        save = page.get_by_role("button", name="Save my reflection").first
        save.focus()
        before, runs = notebook_state(page), executions(page)
        page.keyboard.press("Shift+Enter")
        page.wait_for_timeout(1_500)
        assert notebook_state(page) == before and executions(page) == runs


def test_the_timeline_legend_shows_every_kind_in_full(learner_lab):
    with chromium_page(viewport={"width": 1000, "height": 1000}) as page:
        open_and_run_all(page, learner_lab.format(path="modules/03_regulation_and_warnings.ipynb"))
        plot = page.locator(".js-plotly-plot", has=page.locator(".legendtext", has_text="Enforcement letter")).first
        plot.scroll_into_view_if_needed()
        # The plot and its legend measured in one step, relative to the plot: outputs still
        # rendering above it move the whole plot, which separate measurements would misread.
        measured = plot.evaluate("""p => {
            const svg = p.querySelector('.main-svg').getBoundingClientRect();
            return [...p.querySelectorAll('.legendtext')].map(t => {
                const b = t.getBoundingClientRect();
                return {text: t.textContent, left: b.left - svg.left, right: svg.right - b.right,
                        bottom: svg.bottom - b.bottom};
            });
        }""")
        shown = [m["text"] for m in measured]
        assert set(KINDS.values()) >= set(shown) and "Enforcement letter" in shown
        for m in measured:
            assert m["left"] >= 0 and m["right"] >= -0.5 and m["bottom"] >= -0.5, m
        plot.screenshot(path=str(ARTIFACTS / "browser-03-timeline.png"))


def documented_jupyterlab_rules() -> set[str]:
    """The axe rules docs/accessibility.md lists as JupyterLab's own, with what a learner can do."""
    text = ACCESSIBILITY_DOC.read_text(encoding="utf-8")
    section = text.split("## JupyterLab's own", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([a-z0-9-]+)`", section, re.M))


@pytest.mark.parametrize("path", lesson_paths(), ids=[p.stem for p in lesson_paths()])
def test_axe_finds_no_serious_violation_in_the_course_and_only_documented_ones_in_jupyterlab(path, learner_lab):
    with chromium_page() as page:
        open_and_run_all(page, learner_lab.format(path=f"modules/{path.name}"))
        page.wait_for_timeout(1_500)               # widgets and figures finish drawing
        violations = axe_violations(page)
    ours = [(v["id"], v["impact"], n["target"], n["html"]) for v in violations for n in v["nodes"] if n["course"]]
    assert not ours, f"{path.name}: the course's own content fails axe: {ours}"
    theirs = {v["id"] for v in violations if any(not n["course"] for n in v["nodes"])}
    undocumented = theirs - documented_jupyterlab_rules()
    assert not undocumented, f"{path.name}: JupyterLab violations not listed in docs/accessibility.md: {undocumented}"
