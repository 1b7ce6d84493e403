"""The learning record in a real JupyterLab, driven by headless Chromium.

On Binder a self-study learner runs the start page, types their name and downloads a PDF
of their learning record; the page says plainly that nothing is kept after the session.
In lesson 01, "Run All" completes nothing; once the learner has tried every self-check
and saved a reflection, "Mark this module complete" works and the record shows the
active minutes of this sitting added to an earlier one.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, answer_self_check, chromium_page, jupyterlab, open_and_run_all
from tests.conftest import ROOT
from tests.pdf_text import pdf_text

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed: `make test` "
                                 "installs it as root, or run `sudo apt-get install chromium`")]
ARTIFACTS = ROOT / "tests" / "artifacts"
NAME = "Dr Zoë Okafor"


@pytest.fixture
def binder_lab(tmp_path: Path, learner_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BINDER_SERVICE_HOST", "10.0.0.1")   # what Binder sets in a session
    monkeypatch.setenv("EXOCOURSE_PDF_FONT", "core")         # so the test can read the PDF's text
    with jupyterlab(tmp_path, learner_home) as url:
        yield url


def test_on_binder_a_learner_finishes_the_start_page_and_downloads_their_learning_record(binder_lab, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        open_and_run_all(page, binder_lab.format(path="00_start_here.ipynb"), "Modules, time and self-checks")
        record = page.locator(".erc-quiz", has_text="Your learning record").last
        record.scroll_into_view_if_needed()
        assert "Nothing is kept after this session" in record.inner_text()

        record.get_by_label("Your name (as it should appear):").fill(NAME)
        record.get_by_role("button", name="Write my learning record (PDF and JSON)").click()
        link = record.get_by_role("link", name="Download my learning record (PDF)")
        link.wait_for(timeout=30_000)
        assert "download them now" in record.inner_text()
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        assert download.suggested_filename == "learning-record.pdf"
        saved = tmp_path / "downloaded.pdf"
        download.save_as(saved)
        record.screenshot(path=str(ARTIFACTS / "browser-record-binder.png"))

    text = pdf_text(saved)
    assert "SELF-ASSESSED LEARNING RECORD" in text and f"Learner: {NAME}" in text
    assert "Module 00: Start here First opened: 20" in text and "Completed: not yet" in text  # Run All completes nothing
    assert "Page 1 of" in text and "I confirm this record is accurate." in text


# ---------------------------------------------------------------- lesson 01: completion is the learner's act
EARLIER_SITTING_MINUTES = 25   # yesterday's sitting, so that today's few minutes meet the time rule


@pytest.fixture
def lab_with_an_earlier_sitting(tmp_path: Path, learner_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("EXOCOURSE_PDF_FONT", "core")
    from course._progress import ProgressStore

    ProgressStore(learner_home / "progress.json").save_sitting("01", {
        "id": "yesterday", "began": "2026-11-30T09:00:00+00:00", "last": "2026-11-30T09:30:00+00:00",
        "seconds": EARLIER_SITTING_MINUTES * 60.0, "actions": 40})
    with jupyterlab(tmp_path, learner_home) as url:
        yield url


def answer_every_self_check(page) -> int:
    """Give some answer to every self-check on the page and check it; return how many."""
    boxes = page.locator(".erc-quiz").filter(has=page.get_by_role("button", name="Check", exact=True))
    for index in range(boxes.count()):
        answer_self_check(boxes.nth(index))
    return boxes.count()


def test_run_all_completes_nothing_and_the_learner_completes_lesson_01_themselves(lab_with_an_earlier_sitting,
                                                                                  learner_home, tmp_path):
    from course._questions import load_bank

    progress_file = learner_home / "progress.json"
    with chromium_page() as page:
        open_and_run_all(page, lab_with_an_earlier_sitting.format(path="01_exosome_biology.ipynb"),
                         "Modules, time and self-checks")
        finish = page.locator(".erc-quiz", has_text="End of module 01").first
        finish.scroll_into_view_if_needed()
        complete = finish.get_by_role("button", name="Mark this module complete")
        assert complete.is_disabled() and "Before you can mark this module complete" in finish.inner_text()
        assert "completed" not in json.loads(progress_file.read_text())["modules"]["01"]

        assert answer_every_self_check(page) == len(load_bank("01").questions)
        reflection = page.locator(".erc-quiz", has=page.get_by_role("button", name="Save my reflection")).first
        reflection.scroll_into_view_if_needed()
        reflection.locator("textarea").nth(1).fill("Size alone cannot tell an EV from a lipoprotein.")
        reflection.get_by_role("button", name="Save my reflection").click()
        reflection.get_by_text("Saved to your learning record").wait_for(timeout=30_000)

        finish.scroll_into_view_if_needed()
        try:
            finish.get_by_text("Everything this module asks for is done").wait_for(timeout=30_000)  # updated live
        except Exception as error:  # noqa: BLE001 - say what the page and the record show
            raise AssertionError(f"{finish.inner_text()}\n{progress_file.read_text()}") from error
        complete.click()
        finish.get_by_text("Module 01 complete").wait_for(timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        finish.screenshot(path=str(ARTIFACTS / "browser-01-complete.png"))

        record = page.locator(".erc-quiz", has_text="Your learning record").last
        record.scroll_into_view_if_needed()
        record.get_by_label("Your name (as it should appear):").fill(NAME)
        record.get_by_role("button", name="Write my learning record (PDF and JSON)").click()
        link = record.get_by_role("link", name="Download my learning record data (JSON)")
        link.wait_for(timeout=30_000)
        with page.expect_download() as download_info:
            link.click()
        saved = tmp_path / "record.json"
        download_info.value.save_as(saved)

    exported = json.loads(saved.read_text(encoding="utf-8"))
    one = next(m for m in exported["modules"] if m["id"] == "01")
    assert one["completed"] and one["reflection"]["learned"].startswith("Size alone")
    assert one["self_check"]["questions_tried"] == one["self_check"]["questions"]
    assert one["active_minutes"] > EARLIER_SITTING_MINUTES                 # today's sitting added real time
    today = [s for s in one["sittings"] if not s["began"].startswith("2026-11-30")]
    assert today and all(s["active_minutes"] > 0 for s in today)
    assert "never more than" in exported["rules"]["time"]
