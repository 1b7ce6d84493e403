"""Saving and reopening the checklist (course/_checklist/storage.py)."""
from __future__ import annotations

import importlib
from datetime import date

import pytest

from course._errors import CourseError

cl = importlib.import_module("course._checklist")


@pytest.fixture(scope="module")
def supplier_questions() -> cl.SupplierChecklist:
    return cl.load_supplier_questions()


def test_saving_writes_the_document_and_the_state_and_reopening_restores_it(supplier_questions, tmp_path):
    state = cl.ChecklistState(supplier="Acme Bio", product="Serum X",
                              responses={"markers": cl.Response(True, "CD63, CD81, TSG101; calnexin absent")})
    saved = cl.save_checklist(supplier_questions, state, tmp_path / "record", on=date(2025, 5, 2))
    assert saved.document == tmp_path / "record" / "supplier-checklist-acme-bio.md"
    assert saved.document.read_text(encoding="utf-8") == cl.render_markdown(supplier_questions, state,
                                                                           on=date(2025, 5, 2))
    reopened, message = cl.load_saved_state(tmp_path / "record", supplier_questions)
    assert reopened.supplier == "Acme Bio" and reopened.product == "Serum X"
    assert reopened.response("markers") == cl.Response(True, "CD63, CD81, TSG101; calnexin absent")
    assert message and "Reopened" in message
    assert saved.pdf == tmp_path / "record" / "supplier-checklist-acme-bio.pdf"
    assert saved.pdf.read_bytes().startswith(b"%PDF")
    assert not list((tmp_path / "record").glob("*.tmp"))


def test_no_saved_file_gives_an_empty_checklist_and_no_message(supplier_questions, tmp_path):
    assert cl.load_saved_state(tmp_path, supplier_questions) == (cl.ChecklistState(), None)


def test_a_corrupt_saved_file_gives_an_empty_checklist_a_message_and_is_left_alone(supplier_questions, tmp_path):
    state_file = tmp_path / cl.STATE_FILE_NAME
    state_file.write_text("{not json", encoding="utf-8")
    state, message = cl.load_saved_state(tmp_path, supplier_questions)
    assert state == cl.ChecklistState()
    assert "could not be read" in message and "\n" not in message
    assert state_file.read_text(encoding="utf-8") == "{not json"


def test_a_folder_that_cannot_be_written_gives_a_plain_message(supplier_questions, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(CourseError, match="Could not save the checklist.*download link"):
        cl.save_checklist(supplier_questions, cl.ChecklistState(), blocker / "record")


def test_in_the_browser_edition_the_message_says_the_checklist_is_kept_in_the_browser(
        supplier_questions, tmp_path, monkeypatch):
    import sys

    from course import _progress

    cl.save_checklist(supplier_questions, cl.ChecklistState(supplier="Acme Bio"), tmp_path, on=date(2025, 5, 2))
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(_progress, "BROWSER_DRIVE", tmp_path.parent)  # this test's folder stands for /drive
    _, message = cl.load_saved_state(tmp_path, supplier_questions)
    assert message and "kept in this browser, for this site" in message and str(tmp_path.parent) not in message
