"""course/_reflect.py: "Save my reflection" puts the four NMC answers into the learner's record,
where the learning record and the completion rule find them."""
from __future__ import annotations

from course._activity import TRACKER
from course._lesson import completion_status
from course._progress import ProgressStore, default_store
from course._record import learning_record
from course._reflect import QUESTIONS, ReflectionView, reflect

ANSWERS = {"activity": "Module 01, self-study.", "learned": "Size alone cannot identify an EV.",
           "changed": "I ask for the certificate of analysis.", "code": "Practise effectively."}


def test_the_four_boxes_ask_the_nmc_questions_and_the_activity_is_filled_in():
    view = ReflectionView("01")
    assert [box.description for box in view.boxes.values()] == list(QUESTIONS.values())
    assert "module 01" in view.boxes["activity"].value


def test_save_puts_the_answers_in_the_record_and_says_so():
    view = ReflectionView("01")
    for name, box in view.boxes.items():
        box.value = ANSWERS[name]
    view.save_button.click()
    saved = default_store().load()["reflections"]["01"]
    assert {name: saved[name] for name in ANSWERS} == ANSWERS and saved["saved"]
    assert "Saved to your learning record" in view.status.value
    assert learning_record(default_store().load())["modules"][1]["reflection"]["learned"] == ANSWERS["learned"]
    assert completion_status("01", default_store().load()).reflection_saved
    assert TRACKER.sitting("01") is not None            # saving is an action in the time record


def test_reopening_the_lesson_shows_what_was_saved():
    view = ReflectionView("01")
    view.boxes["changed"].value = "Checked the lot number."
    view.save()
    again = ReflectionView("01")
    assert again.boxes["changed"].value == "Checked the lot number." and "Last saved" in again.status.value


def test_a_reflection_that_cannot_be_saved_says_so_and_is_kept_for_the_session(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    view = ReflectionView("01", store=ProgressStore(blocked / "progress.json", notify=lambda _: None))
    view.boxes["learned"].value = "kept in memory"
    view.save()
    assert "not yet saved" in view.status.value and "Saved to your learning record" not in view.status.value
    assert view.store.load()["reflections"]["01"]["learned"] == "kept in memory"


def test_while_nbgrader_executes_nothing_is_shown(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    reflect("01")
    assert capsys.readouterr().out == ""
