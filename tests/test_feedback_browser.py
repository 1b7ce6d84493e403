"""Formgrader's "Generate Feedback" button, clicked in headless Chromium, writes the course's
safe pages (not nbgrader's), refuses the leaking one and says so in its own dialog."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import CHROMIUM
from tests.test_feedback import ASSESSMENT, COPIER, HONEST, assert_safe, graded, words

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test does)")]


def click_generate_feedback(page, server) -> str:
    """Click the assessment's Generate Feedback icon in Manage Assignments; the dialog's text."""
    page.goto(server.url("formgrader/manage_assignments"), wait_until="domcontentloaded")
    row = page.locator("tr", has_text=ASSESSMENT).first
    button = row.locator(".generate-feedback a")
    button.wait_for(timeout=60_000)
    button.click()
    dialog = page.locator(".modal-dialog").filter(has_text="generat")
    dialog.wait_for(timeout=300_000)
    return str(dialog.inner_text())


def test_formgraders_generate_feedback_writes_the_course_pages(tmp_path: Path) -> None:
    from tests.browser import chromium_page
    from tests.formgrader import formgrader

    course = graded(tmp_path / "grading")
    for learner in HONEST:
        assert not course.feedback_file(learner, ASSESSMENT).exists()
    with formgrader(course.root, course.db_url, tmp_path / "server") as server, chromium_page() as page:
        server.log_in(page)
        # With the copier's submission in: her page is refused, the others are written.
        refused = click_generate_feedback(page, server)
        assert "There was an error generating feedback" in refused, refused
        for learner in HONEST:
            feedback_page = course.feedback_file(learner, ASSESSMENT)
            assert feedback_page.exists(), server.log.read_text()[-3000:]
            text = words(feedback_page)
            assert "Your feedback: module 02" in text and "Test cell" not in text and "Score:" not in text
            assert_safe(course, learner, feedback_page)
        assert not course.feedback_file(COPIER, ASSESSMENT).exists()
        # Without her submission, the button reports success.
        shutil.rmtree(course.autograded_dir / COPIER)
        page.reload()
        done = click_generate_feedback(page, server)
        assert "Successfully generated feedback" in done, done
    for learner in HONEST:
        assert "Question 1" in words(course.feedback_file(learner, ASSESSMENT))
