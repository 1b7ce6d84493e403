"""The checklist form (course/_checklist/widget.py), in Python and in a real JupyterLab."""
from __future__ import annotations

import base64
import importlib
import json
import re
from pathlib import Path

import pytest

cl = importlib.import_module("course._checklist")


@pytest.fixture(scope="module")
def supplier_questions() -> cl.SupplierChecklist:
    return cl.load_supplier_questions()


def test_the_form_ticks_annotates_saves_and_offers_the_download(tmp_path, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    view = cl.ChecklistView(directory=tmp_path)
    view.supplier.value = "Acme Bio"
    view.answered["sterility"].value = True
    view.notes["sterility"].value = "CoA lot 23-114"
    assert "1 of 20" in view.tally.value
    release_index = [g.id for g in view.checklist.groups].index("release")
    assert view.groups.get_title(release_index) == "Release tests for each lot (1 of 4 answered)"

    view.save_button.click()

    document = tmp_path / "supplier-checklist-acme-bio.md"
    assert document.exists()
    assert "- [x] **Sterility test.**" in document.read_text(encoding="utf-8")
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)\"", view.result.value).group(1)
    assert base64.b64decode(payload).decode("utf-8") == document.read_text(encoding="utf-8")
    assert "19 question(s) still need a written answer" in view.result.value
    saved = json.loads((tmp_path / cl.STATE_FILE_NAME).read_text(encoding="utf-8"))
    assert saved["responses"] == {"sterility": {"answered": True, "note": "CoA lot 23-114"}}

    reopened = cl.ChecklistView(directory=tmp_path)
    assert reopened.supplier.value == "Acme Bio"
    assert reopened.answered["sterility"].value is True
    assert reopened.notes["sterility"].value == "CoA lot 23-114"


def test_when_saving_fails_the_form_still_offers_the_download(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    view = cl.ChecklistView(directory=blocker / "record")
    view.answered["endotoxin"].value = True
    view.save_button.click()
    assert "Could not save the checklist" in view.result.value
    assert 'download="supplier-checklist-unnamed-supplier.md"' in view.result.value


def test_every_control_has_its_own_non_empty_label(tmp_path):
    view = cl.ChecklistView(directory=tmp_path)
    controls = [view.supplier, view.product, view.save_button, *view.answered.values(), *view.notes.values()]
    labels = [control.description for control in controls]
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)


def test_nothing_is_shown_while_nbgrader_executes(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert cl.checklist() is None
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- in a real JupyterLab

@pytest.mark.browser
def test_in_jupyterlab_a_learner_ticks_a_question_saves_and_downloads_the_checklist(tmp_path, learner_home):
    from tests.browser import CHROMIUM, chromium_page, jupyterlab, open_and_run_all

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: run `sudo apt-get install chromium`")
    with jupyterlab(tmp_path, learner_home) as url, chromium_page() as page:
        open_and_run_all(page, url.format(path="05_duty_of_care.ipynb"), "End of module 05")
        page.get_by_label("Supplier", exact=True).fill("Acme Bio")
        page.get_by_text("Source and donor screening (0 of 2 answered)").click()
        page.get_by_label("Answered in writing: Cell source").check()
        page.get_by_text("Source and donor screening (1 of 2 answered)").wait_for(timeout=10_000)
        page.get_by_role("button", name="Save and download").click()

        with page.expect_download() as text_download:
            page.get_by_role("link", name="Download as text (supplier-checklist-acme-bio.md)").click()
        downloaded = Path(text_download.value.path()).read_text(encoding="utf-8")
        assert text_download.value.suggested_filename == "supplier-checklist-acme-bio.md"
        assert "- [x] **Cell source.**" in downloaded and "- Supplier: Acme Bio" in downloaded
        assert downloaded == (learner_home / "supplier-checklist-acme-bio.md").read_text(encoding="utf-8")

        with page.expect_download() as pdf_download:
            page.get_by_role("link", name="Download as PDF (supplier-checklist-acme-bio.pdf)").click()
        assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")
        page.screenshot(path=str(tmp_path / "checklist.png"), full_page=False)
