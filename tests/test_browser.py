"""The course in a real JupyterLab, driven by a real headless Chromium (Debian's package).

These are the tests closest to a learner: run a lesson, answer a question wrongly and
rightly, see the figure, and never see a widget as text or stuck "Loading widget...".
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from course._questions import load_bank
from tests.browser import CHROMIUM, chromium_page, jupyterlab, open_and_run_all
from tests.conftest import ROOT
from tests.notebooks import cell_source, read

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed: `make test` "
                                 "installs it as root, or run `sudo apt-get install chromium`")]
ARTIFACTS = ROOT / "tests" / "artifacts"


def first_single_choice_question(module: str):
    code = " ".join(cell_source(c) for c in read(ROOT / "modules" / f"{load_bank(module).file[:-4]}.ipynb")["cells"]
                    if c["cell_type"] == "code")
    for qid in re.findall(rf'course\.quiz\("{module}",\s*"([a-z0-9-]+)"\)', code):
        question = load_bank(module).get(qid)
        if question.type == "single":
            return question
    raise AssertionError(f"lesson {module} shows no single-choice question")


def plain(text: str, n: int = 50) -> str:
    """A stretch of text as the browser shows it (Markdown marks removed)."""
    return re.sub(r"[*`]", "", text)[:n]


def assert_no_widget_as_text(page) -> None:
    body = page.inner_text("body")
    assert "Loading widget" not in body
    assert not re.search(r"\b(VBox|HBox|RadioButtons|Checkbox|Button)\(", body), "a widget rendered as text"


@pytest.fixture
def lab(tmp_path: Path, learner_home: Path):
    with jupyterlab(tmp_path, learner_home) as url:
        yield url


def test_lesson_01_runs_in_jupyterlab_and_a_learner_gets_feedback_on_a_wrong_then_right_answer(lab):
    question = first_single_choice_question("01")
    wrong = next(o for o in question.options if not o.correct)
    right = next(o for o in question.options if o.correct)
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        open_and_run_all(page, lab.format(path="01_exosome_biology.ipynb"), "End of module 01")

        box = page.locator(".erc-quiz", has_text=plain(question.prompt)).first
        box.scroll_into_view_if_needed()
        box.get_by_label(wrong.text, exact=True).check()
        box.get_by_role("button", name="Check").click()
        feedback = box.locator(".erc-feedback")
        feedback.wait_for()
        assert "Not quite" in feedback.inner_text()
        assert plain(wrong.feedback) in feedback.inner_text()

        box.get_by_role("button", name="Try again").click()
        box.get_by_label(right.text, exact=True).check()
        box.get_by_role("button", name="Check").click()
        box.get_by_text("Correct").first.wait_for()
        assert plain(right.feedback) in box.locator(".erc-feedback").inner_text()

        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
        assert page.locator(".js-plotly-plot .main-svg").count() >= 1
        assert_no_widget_as_text(page)
        box.screenshot(path=str(ARTIFACTS / "browser-01-quiz.png"))
        page.screenshot(path=str(ARTIFACTS / "browser-01.png"), full_page=False)


def test_lesson_02_dossier_checker_lists_gaps_and_places_the_product_on_the_purity_bands(lab):
    with chromium_page() as page:
        open_and_run_all(page, lab.format(path="02_quality_and_contamination.ipynb"), "End of module 02")
        checker = page.locator(".erc-dossier").first
        checker.scroll_into_view_if_needed()
        checker.get_by_role("button", name="Clear all").click()
        checker.get_by_label("Particle count (particles per mL)").fill("5 x 10^10")
        checker.get_by_label("Protein (µg per mL)").fill("2500")
        checker.get_by_label("Sterility test result documented (for the lot)").check()
        checker.get_by_role("button", name="Check dossier").click()
        report = checker.locator(".erc-dossier-report")
        report.get_by_text("What is missing").first.wait_for(timeout=30_000)
        text = report.inner_text()
        # 5e10 particles/mL over 2500 µg/mL = 2e7 particles per µg: below 1.5e9, impure (webber2013).
        assert "particles per µg" in text and "impure" in text.lower()
        assert "Endotoxin" in text and "Mycoplasma" in text          # left unticked: listed as gaps
        assert "Sterility test result" not in text                    # ticked: not a gap
        checker.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
        assert_no_widget_as_text(page)
        ARTIFACTS.mkdir(exist_ok=True)
        report.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "browser-02-dossier.png"))
