"""course/record.py: the learning record a learner downloads as CPD evidence, and the evaluation."""
import base64
import json
import re
from pathlib import Path

import pytest

from course._activity import time_rule
from course._errors import AnswerFormatError
from course._lesson import completion_rule_text
from course._pdf import choose_font, core_safe
from course._progress import default_store
from course._questions import load_bank
from course._record import (
    BINDER_NOTICE,
    RECORD_LABEL,
    EvaluationView,
    RecordView,
    evaluate,
    learning_record,
    record,
    save_evaluation,
    save_learning_record,
    write_learning_record_json,
    write_learning_record_pdf,
)
from course._reflect import QUESTIONS
from course._syllabus import load_syllabus
from tests.pdf_text import pdf_text

NAME = "Dr Zoë O’Brien-Łukasiewicz"
REFLECTION = {
    "activity": "Self-directed e-learning, module 01.",
    "learned": "A product that claims ≥ 10¹⁰ particles/mL says nothing about purity.",
    "changed": "I now ask suppliers for the certificate of analysis before anything else.",
    "code": "Practise effectively: keep my knowledge up to date.",
}


@pytest.fixture
def core_font(monkeypatch):
    """The built-in PDF font, whose text a test can read back."""
    monkeypatch.setenv("EXOCOURSE_PDF_FONT", "core")


@pytest.fixture
def progress():
    """A learner who completed module 01 (25 active minutes over two sittings), tried two
    self-checks (one right at the first try, one on the second) and wrote a reflection;
    module 02 is opened but not completed."""
    questions = [q.id for q in load_bank("01").questions]
    return {
        "schema": 2, "course_version": "1.1.0",
        "learner": {"name": NAME, "registration": "NMC 12A3456B"},
        "modules": {
            "01": {"first_opened": "2025-03-01T09:00:00+00:00", "completed": "2025-03-02T10:25:00+00:00",
                   "sittings": [
                       {"id": "a", "began": "2025-03-01T09:00:00+00:00", "last": "2025-03-01T09:15:00+00:00",
                        "seconds": 900.0, "actions": 20},
                       {"id": "b", "began": "2025-03-02T10:15:00+00:00", "last": "2025-03-02T10:25:00+00:00",
                        "seconds": 600.0, "actions": 9}]},
            "02": {"first_opened": "2025-03-02T09:00:00+00:00"},
        },
        "attempts": [
            {"module": "01", "question": questions[0], "answer": "a", "correct": False, "at": "2025-03-01T09:05:00+00:00"},
            {"module": "01", "question": questions[0], "answer": "b", "correct": True, "at": "2025-03-01T09:06:00+00:00"},
            {"module": "01", "question": questions[1], "answer": "c", "correct": True, "at": "2025-03-01T09:10:00+00:00"},
        ],
        "reflections": {"01": {**REFLECTION, "saved": "2025-03-01T09:24:00+00:00"}},
        "evaluation": {},
    }


# ---------------------------------------------------------------- the record as data
def test_the_record_holds_each_module_with_dates_minutes_objectives_score_and_reflection(progress):
    data = learning_record(progress)
    assert data["label"] == RECORD_LABEL == "Self-assessed learning record"
    assert data["learner"] == {"name": NAME, "registration": "NMC 12A3456B"}
    assert [m["id"] for m in data["modules"]] == [m.id for m in load_syllabus().modules]
    one = data["modules"][1]
    assert one["completed"] == "2025-03-02" and one["first_opened"] == "2025-03-01"
    assert one["active_minutes"] == 25.0 and one["estimated_minutes"] == load_syllabus().module("01").minutes
    assert [s["active_minutes"] for s in one["sittings"]] == [15.0, 10.0]
    assert [o["id"] for o in one["objectives"]] == ["1.1", "1.2", "1.3", "1.4"]
    assert one["self_check"] == {"questions": len(load_bank("01").questions), "answered_correctly": 2,
                                 "questions_tried": 2, "attempts": 3, "first_try_correct": 1}
    assert one["reflection"]["learned"] == REFLECTION["learned"] and one["reflection"]["saved"] == "2025-03-01"
    two = data["modules"][2]
    assert two["completed"] is None and two["first_opened"] == "2025-03-02" and two["active_minutes"] == 0
    assert two["reflection"] is None and two["self_check"]["attempts"] == 0
    assert data["summary"] == {"modules_completed": 1, "modules_total": len(data["modules"]),
                               "estimated_minutes_completed": load_syllabus().module("01").minutes,
                               "active_minutes": 25.0}
    assert data["rules"]["time"] == time_rule() and data["rules"]["completion"] == completion_rule_text()
    assert data["declaration"] == "I confirm this record is accurate."


def test_a_damaged_or_empty_progress_dict_still_gives_a_record_rather_than_an_error():
    data = learning_record({"attempts": "oops", "modules": {"01": "yesterday"}, "reflections": None,
                            "learner": None})
    assert data["summary"]["modules_completed"] == 0 and data["learner"]["name"] == ""
    assert learning_record({})["summary"]["active_minutes"] == 0


def test_the_json_export_is_the_record_with_every_character_as_typed(progress, tmp_path):
    path = write_learning_record_json(progress, tmp_path / "record.json")
    text = path.read_text(encoding="utf-8")
    assert NAME in text and "≥ 10¹⁰" in text  # not escaped, not simplified
    exported = json.loads(text)
    expected = learning_record(progress)
    exported.pop("generated"), expected.pop("generated")
    assert exported == expected


# ---------------------------------------------------------------- the PDF
def test_the_pdf_shows_the_label_the_learner_and_every_part_of_each_module(progress, tmp_path, core_font):
    path = write_learning_record_pdf(progress, tmp_path / "record.pdf")
    text = pdf_text(path)
    assert "SELF-ASSESSED LEARNING RECORD" in text and "It is not a certificate" in text
    assert "Learner: Dr Zoë O’Brien-Lukasiewicz" in text  # Ł is the one letter the built-in font lacks
    assert "Registration number: NMC 12A3456B" in text
    for module in load_syllabus().modules:
        assert f"Module {module.id}: {module.title}" in text
    assert "First opened: 2025-03-01" in text and "Completed: 2025-03-02" in text
    minutes = load_syllabus().module("01").minutes
    assert f"Active time: 25 minutes (estimated: {minutes} minutes), over 2 sittings" in text
    assert "Active time in all (as recorded): 25 minutes" in text
    total = len(load_bank("01").questions)
    assert f"Self-check questions: 2 of {total} tried; 1 right at the first try (3 attempts in all)" in text
    assert "How time is counted" in text and core_safe(time_rule()) in text
    assert "How a module is completed" in text and core_safe(completion_rule_text()) in text
    assert "1.3" in text and "lipoproteins" in text.lower()  # the objectives are printed
    for question in QUESTIONS.values():
        assert question in text
    assert "I now ask suppliers for the certificate of analysis" in text
    assert "claims >= 10^10 particles/mL" in text  # simplified, and the PDF says so
    assert "the JSON export of this record keeps every character exactly as typed" in text
    assert "Declaration I confirm this record is accurate. Signature:" in text


def test_every_page_of_the_pdf_is_numbered_page_n_of_m(progress, tmp_path, core_font):
    text = pdf_text(write_learning_record_pdf(progress, tmp_path / "record.pdf"))
    numbers = re.findall(r"Page (\d+) of (\d+)", text)
    pages = len(numbers)
    assert pages >= 2 and numbers == [(str(n), str(pages)) for n in range(1, pages + 1)]
    assert text.count(f"{RECORD_LABEL} · {NAME[:10]}") == pages           # the footer names whose record it is


def test_a_learner_with_nothing_done_still_gets_a_valid_pdf_that_asks_for_a_name(tmp_path, core_font):
    text = pdf_text(write_learning_record_pdf({}, tmp_path / "empty.pdf"))
    assert "Modules completed (marked complete by the learner): 0 of" in text and "no name given" in text


@pytest.mark.skipif(choose_font().path is None, reason="no Unicode TrueType font on this machine")
def test_with_a_unicode_font_the_pdf_embeds_it_and_needs_no_simplification(progress, tmp_path, monkeypatch):
    monkeypatch.delenv("EXOCOURSE_PDF_FONT", raising=False)
    data = (write_learning_record_pdf(progress, tmp_path / "record.pdf")).read_bytes()
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data  # the TrueType font is embedded


def test_a_font_setting_that_points_nowhere_is_a_clear_configuration_error(monkeypatch, tmp_path, progress):
    monkeypatch.setenv("EXOCOURSE_PDF_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(Exception, match="not a font file.*'core'"):
        write_learning_record_pdf(progress, tmp_path / "x.pdf")


# ---------------------------------------------------------------- the view
def test_the_button_refuses_without_a_name_and_writes_nothing(learner_home):
    view = RecordView()
    view.name.value = "   "
    view.button.click()
    assert "Type your name first" in view.status.value
    assert not (learner_home / "learning-record.pdf").exists()
    assert not (learner_home / "progress.json").exists()


def test_the_button_saves_the_name_writes_both_files_and_offers_them_for_download(learner_home, core_font):
    store = default_store()
    store.mark_opened("01")
    store.mark_complete("01", {})
    view = RecordView()
    view.name.value, view.registration.value = NAME, "NMC 12A3456B"
    view.button.click()
    assert view.files is not None
    assert store.load()["learner"] == {"name": NAME, "registration": "NMC 12A3456B"}
    pdf, js = learner_home / "learning-record.pdf", learner_home / "learning-record.json"
    assert view.files.pdf == pdf and view.files.json == js
    links = dict(re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', view.status.value))
    assert base64.b64decode(links["learning-record.pdf"]) == pdf.read_bytes()
    assert base64.b64decode(links["learning-record.json"]) == js.read_bytes()
    assert json.loads(js.read_text(encoding="utf-8"))["summary"]["modules_completed"] == 1
    assert "1 of" in view.summary.value  # the summary above the button is refreshed


def test_a_record_that_cannot_be_written_says_so_and_loses_nothing(learner_home, tmp_path):
    default_store().mark_opened("01")
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("x")
    view = RecordView(directory=blocked)
    view.name.value = "Alex"
    assert view.write() is None
    assert "could not be written" in view.status.value and "Nothing in your progress has been lost" in view.status.value
    assert "01" in default_store().load()["modules"]


def test_on_binder_the_record_says_nothing_is_kept_and_elsewhere_it_does_not(monkeypatch):
    assert "Nothing is kept after this session" not in RecordView().summary.value
    monkeypatch.setenv("BINDER_SERVICE_HOST", "10.0.0.1")
    assert BINDER_NOTICE in RecordView().summary.value.replace("&#x27;", "'")


def test_on_binder_the_status_after_writing_asks_for_the_download_now(monkeypatch, learner_home):
    monkeypatch.setenv("BINDER_REPO_URL", "https://github.com/OWNER/REPO")
    view = RecordView()
    view.name.value = "Alex"
    view.write()
    assert "download them now" in view.status.value


def test_while_nbgrader_executes_neither_view_displays_anything(monkeypatch, capsys, learner_home):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    record()
    evaluate()
    assert capsys.readouterr().out == ""
    assert not (learner_home / "progress.json").exists()


# ---------------------------------------------------------------- the evaluation
def test_the_evaluation_is_saved_into_the_progress_record_and_appears_in_the_record(core_font, tmp_path):
    store = default_store()
    save_evaluation(store, "Satisfied", "  Size does not identify EVs. ", "Ask for the CoA first.")
    saved = store.load()["evaluation"]
    assert saved["satisfaction"] == "Satisfied" and saved["learned"] == "Size does not identify EVs."
    assert saved["intend_to_change"] == "Ask for the CoA first." and saved["saved"]
    assert learning_record(store.load())["evaluation"]["satisfaction"] == "Satisfied"
    text = pdf_text(write_learning_record_pdf(store.load(), tmp_path / "r.pdf"))
    assert "Course evaluation" in text and "Ask for the CoA first." in text


def test_an_evaluation_without_a_satisfaction_choice_is_refused_and_nothing_is_saved():
    store = default_store()
    with pytest.raises(AnswerFormatError, match="Choose how satisfied"):
        save_evaluation(store, "", "x", "y")
    view = EvaluationView()
    view.learned.value = "something"
    view.button.click()
    assert "Not saved yet" in view.status.value
    assert store.load()["evaluation"] == {}


def test_the_evaluation_view_saves_and_shows_previous_answers_when_reopened():
    view = EvaluationView()
    view.satisfaction.value = "Very satisfied"
    view.change.value = "Document the product batch in the notes."
    view.button.click()
    assert "Saved to your learning record" in view.status.value
    again = EvaluationView()
    assert again.satisfaction.value == "Very satisfied"
    assert again.change.value == "Document the product batch in the notes."


def test_save_learning_record_writes_into_the_folder_of_the_progress_file_by_default(learner_home, core_font):
    files = save_learning_record(default_store(), "Alex Morgan")
    assert files.pdf.parent == learner_home and Path(files.json).exists()
    assert "Learner: Alex Morgan" in pdf_text(files.pdf)


def test_the_progress_file_itself_is_offered_so_a_binder_learner_can_carry_on_elsewhere(learner_home, tmp_path,
                                                                                        core_font):
    from course._progress import ProgressStore

    default_store().record_attempt("01", load_bank("01").questions[0].id, "x", True)
    view = RecordView()
    view.name.value = "Alex"
    view.write()
    links = dict(re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', view.status.value))
    elsewhere = tmp_path / "other-computer" / "progress.json"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(base64.b64decode(links["progress.json"]))
    assert ProgressStore(elsewhere).load() == default_store().load()
