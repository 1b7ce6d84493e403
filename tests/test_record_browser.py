"""course/record.py in a real JupyterLab, driven by headless Chromium, as on Binder: a
self-study learner finishes the start page, types their name, and downloads a PDF of
their learning record; the page says plainly that nothing is kept after the session."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, chromium_page, jupyterlab, open_and_run_all
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
        open_and_run_all(page, binder_lab.format(path="00_start_here.ipynb"), "Module 00 complete")
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
    assert "Module 00: Start here Completed: 20" in text  # finished, with its date
