"""The supplier-questions checklist (course/checklist.py): its content, its rules, the
document a learner downloads, and the widget form over them."""
from __future__ import annotations

import base64
import importlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

from course._errors import ContentError, CourseError
from course._references import load_references

# `course._checklist`, the attribute, is the learner-facing verb; the rules live in the module.
cl = importlib.import_module("course._checklist")


@pytest.fixture(scope="module")
def supplier_questions() -> cl.SupplierChecklist:
    return cl.load_supplier_questions()


def _minimal_yaml(groups: list[dict]) -> dict:
    return {"groups": groups}


def _group(group_id: str, *questions: dict) -> dict:
    return {"id": group_id, "title": group_id.title(), "questions": list(questions)}


def _question(qid: str, cite: list[str] | None = None) -> dict:
    return {"id": qid, "label": qid, "ask": "Ask?", "look_for": "An answer.", "why": "Because.",
            "cite": ["misev2018"] if cite is None else cite}


def _all_groups() -> list[dict]:
    return [_group(g, _question(f"{g}-q")) for g in cl.REQUIRED_GROUPS]


# ---------------------------------------------------------------- content

def test_the_shipped_checklist_covers_every_area_of_objective_5_1(supplier_questions):
    assert [g.id for g in supplier_questions.groups] == list(cl.REQUIRED_GROUPS)
    assert all(g.questions for g in supplier_questions.groups)


def test_every_question_says_what_to_ask_what_to_look_for_and_why_with_a_known_citation(supplier_questions):
    bibliography = load_references()
    for question in supplier_questions.questions:
        assert question.ask.endswith("?"), question.id
        assert question.look_for and question.why and question.label
        assert question.cite and all(key in bibliography for key in question.cite)


def test_release_tests_cover_sterility_endotoxin_and_mycoplasma(supplier_questions):
    release = {q.id for q in supplier_questions.questions if q.group == "release"}
    assert {"sterility", "endotoxin", "mycoplasma"} <= release


def test_a_missing_area_is_an_authoring_error_that_names_it():
    groups = [g for g in _all_groups() if g["id"] != "cold-chain"]
    with pytest.raises(ContentError, match="cold-chain"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_an_unknown_reference_key_is_an_authoring_error_naming_the_question():
    groups = _all_groups()
    groups[0]["questions"].append(_question("made-up", cite=["smith2099"]))
    with pytest.raises(ContentError, match=r"made-up.*smith2099"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_a_question_without_a_citation_is_refused():
    groups = _all_groups()
    groups[1]["questions"].append(_question("uncited", cite=[]))
    with pytest.raises(ContentError, match="uncited.*no citation"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_a_duplicate_question_id_is_refused():
    groups = _all_groups()
    groups[2]["questions"].append(_question("source-q"))
    with pytest.raises(ContentError, match="duplicate"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_an_unknown_area_is_refused():
    groups = _all_groups() + [_group("marketing", _question("likes"))]
    with pytest.raises(ContentError, match="marketing"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


# ---------------------------------------------------------------- rules

def test_with_nothing_answered_every_question_is_outstanding(supplier_questions):
    assert cl.outstanding(supplier_questions, cl.ChecklistState()) == list(supplier_questions.questions)


def test_answering_one_question_removes_exactly_that_one(supplier_questions):
    for question in supplier_questions.questions:
        state = cl.ChecklistState(responses={question.id: cl.Response(answered=True)})
        remaining = cl.outstanding(supplier_questions, state)
        assert question not in remaining
        assert len(remaining) == len(supplier_questions.questions) - 1


def test_a_note_without_a_tick_does_not_count_as_answered(supplier_questions):
    state = cl.ChecklistState(responses={"sterility": cl.Response(answered=False, note="They said it's fine")})
    assert supplier_questions.question("sterility") in cl.outstanding(supplier_questions, state)


def test_answers_are_tallied_by_area(supplier_questions):
    state = cl.ChecklistState(responses={"sterility": cl.Response(True), "endotoxin": cl.Response(True),
                                         "cell-source": cl.Response(True)})
    tally = {group.id: answered for group, answered in cl.answered_by_group(supplier_questions, state)}
    assert tally == {"source": 1, "process": 0, "characterisation": 0, "release": 2, "regulatory": 0,
                     "cold-chain": 0}


# ---------------------------------------------------------------- the document

def test_the_document_shows_ticks_notes_what_is_still_missing_and_full_references(supplier_questions):
    state = cl.ChecklistState(supplier="Acme Bio", product="Serum X",
                              responses={"sterility": cl.Response(True, "CoA lot 23-114, dated 2 May"),
                                         "endotoxin": cl.Response(False, "promised next week")})
    text = cl.render_markdown(supplier_questions, state, on=date(2025, 5, 2))
    assert "- Supplier: Acme Bio" in text and "- Date: 2025-05-02" in text
    assert "Answered in writing: 1 of 20" in text
    assert "- [x] **Sterility test.**" in text
    assert "- [ ] **Endotoxin test.**" in text
    assert "My notes: CoA lot 23-114, dated 2 May" in text and "My notes: promised next week" in text
    still = text.split("## Still to obtain")[1].split("## References")[0]
    assert "Sterility test" not in still and "Endotoxin test" in still
    assert len(re.findall(r"^- ", still, flags=re.M)) == len(supplier_questions.questions) - 1
    references = text.split("## References")[1]
    for key in supplier_questions.cite_keys():
        assert load_references().get(key).citation in references
    assert "no exosome product is approved by the FDA" in text


def test_a_multiline_note_stays_inside_its_question(supplier_questions):
    state = cl.ChecklistState(responses={"mycoplasma": cl.Response(True, "PCR negative\nlot 7")})
    text = cl.render_markdown(supplier_questions, state)
    assert "  - My notes: PCR negative\n    lot 7" in text


def test_the_file_name_comes_from_the_supplier_name():
    assert cl.document_name(cl.ChecklistState(supplier="Acme Bio (UK) Ltd.")) == "supplier-checklist-acme-bio-uk-ltd.md"
    assert cl.document_name(cl.ChecklistState(supplier="  ")) == "supplier-checklist-unnamed-supplier.md"
    assert cl.document_name(cl.ChecklistState(supplier="../../etc")) == "supplier-checklist-etc.md"


def test_the_download_link_carries_the_document_itself():
    text = "# Checklist\n\nµ ≥ 3 × 10¹⁰ <b>\n"
    link = cl.download_link_html("supplier-checklist-acme.md", text)
    assert 'download="supplier-checklist-acme.md"' in link
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)\"", link).group(1)
    assert base64.b64decode(payload).decode("utf-8") == text


# ---------------------------------------------------------------- saving and reopening

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


def test_a_saved_answer_to_a_question_since_removed_is_dropped(supplier_questions):
    data = {"schema": 1, "supplier": "A", "product": "B",
            "responses": {"retired-question": {"answered": True, "note": ""},
                          "sterility": {"answered": True, "note": "ok"}}}
    state = cl.state_from_json(data, supplier_questions)
    assert dict(state.responses) == {"sterility": cl.Response(True, "ok")}


def test_a_folder_that_cannot_be_written_gives_a_plain_message(supplier_questions, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(CourseError, match="Could not save the checklist.*download link"):
        cl.save_checklist(supplier_questions, cl.ChecklistState(), blocker / "record")


# ---------------------------------------------------------------- the widget form

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
        open_and_run_all(page, url.format(path="05_duty_of_care.ipynb"), "References for this lesson")
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
