"""course/_lesson.py: the lesson frame. Running a lesson completes nothing; the learner marks a
module complete once its completion rule (from the syllabus) is met."""
from __future__ import annotations

import re

import pytest

from course import _syllabus
from course._activity import TRACKER, Tracker
from course._lesson import FinishView, cited_keys, completion_rule_text, completion_status, finish, start
from course._progress import default_store
from course._questions import load_bank
from course._quiz import QuizView
from course._references import keys_in_text, load_references
from course._reflect import ReflectionView
from course._syllabus import load_syllabus


class Clock:
    def __init__(self) -> None:
        self.at = 1_800_000_000.0

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    """The HTML the lesson frame shows (outside a kernel there is no page to show it on)."""
    from course import _lesson

    markup: list[str] = []
    monkeypatch.setattr(_lesson, "show_html", markup.append)
    monkeypatch.setattr(_lesson, "show", lambda widget: markup.append(widget.children[1].value))
    return markup


def test_start_notes_the_first_opening_and_begins_a_sitting(shown):
    start("01")
    entry = default_store().load()["modules"]["01"]
    assert entry["first_opened"] and entry["sittings"][0]["actions"] >= 1
    assert "completed" not in entry


def test_the_start_page_states_the_time_and_completion_rules_from_the_syllabus(shown):
    start("00")
    out = "".join(shown)
    cap = load_syllabus().record.gap_cap_minutes
    assert "How your time is counted" in out and f"never more than {cap:g} minutes for one gap" in out
    assert "How a module is completed" in out and "Mark this module complete" in out
    assert "Running all of a lesson" in out


def test_a_lessons_start_says_what_completes_it_with_its_own_minutes(shown):
    start("01")
    out = "".join(shown)
    module = load_syllabus().module("01")
    needed = -(-module.minutes * module.completion.active_share // 1)
    assert f"at least {needed:g} minutes" in out and f"of the {module.minutes} minutes estimated" in out


def test_the_completion_rule_follows_the_syllabus(tmp_path, monkeypatch):
    text = _syllabus.SYLLABUS_FILE.read_text(encoding="utf-8")
    changed = re.sub(r"active_share: 0\.5\b", "active_share: 0.25", text)
    changed = re.sub(r"reflection: true\b", "reflection: false", changed)
    copy = tmp_path / "syllabus.yml"
    copy.write_text(changed, encoding="utf-8")
    _syllabus.load_syllabus.cache_clear()
    monkeypatch.setattr(_syllabus, "SYLLABUS_FILE", copy)
    try:
        module = load_syllabus().module("01")
        assert "a quarter of the 40 minutes estimated" in completion_rule_text(module)
        assert "reflection" not in completion_rule_text(module)
        status = completion_status("01", {"modules": {"01": {"sittings": [{"seconds": 10 * 60}]}},
                                          "attempts": [{"module": "01", "question": q.id}
                                                       for q in load_bank("01").questions]})
        assert status.met                                      # 10 of 10 minutes, no reflection needed
    finally:
        _syllabus.load_syllabus.cache_clear()


def test_the_safety_note_is_content_data_citing_the_dated_fda_notices():
    note = load_syllabus().course.safety_note
    assert keys_in_text(note) == ["fda2019", "fda2020"]
    assert "6 December 2019" in note and "does not qualify anyone" in note


def test_a_lessons_reference_list_includes_its_markdown_question_and_objective_citations():
    keys = cited_keys("01")
    bibliography = load_references()
    assert {"misev2018", "fda2019"} <= set(keys)
    assert all(k in bibliography for k in keys)


# ---------------------------------------------------------------- finishing is the learner's act
def test_running_start_and_finish_completes_nothing(shown):
    start("01")
    finish("01")
    out = "".join(shown)
    assert "completed" not in default_store().load()["modules"]["01"]
    assert "Before you can mark this module complete" in out
    assert "References for this lesson" not in out   # the lesson's own Markdown list is the one list


@pytest.fixture
def clock(monkeypatch):
    """The kernel's tracker on an injected clock."""
    fake = Clock()
    monkeypatch.setattr(TRACKER, "clock", fake)
    monkeypatch.setattr(TRACKER, "sittings", {})
    monkeypatch.setattr(TRACKER, "listeners", {})
    return fake


def answer_every_self_check(module: str, clock: Clock, seconds_each: float) -> None:
    for question in load_bank(module).questions:
        view = QuizView(question)
        clock.at += seconds_each
        if question.type == "numeric":
            view.text.value = "1"
        elif question.type == "multiple":
            view.boxes[0].value = True
        else:
            view.choice.value = view.question.options[0].id
        assert view.check() is not None


def test_the_complete_control_is_enabled_only_once_the_rule_is_met_and_says_what_is_missing(clock):
    TRACKER.start("01")
    view = FinishView("01")
    assert view.complete_button.disabled and not view.complete()
    text = view.status.value
    assert "Try 11 more self-check questions" in text or "more self-check question" in text
    assert "Save your reflection" in text and "active minutes" in text
    answer_every_self_check("01", clock, seconds_each=60)          # 11 questions, a minute each
    assert "self-check" not in view.status.value                   # updated live, no "check again" needed
    reflection = ReflectionView("01")
    clock.at += 60
    reflection.save()
    assert "Save your reflection" not in view.status.value
    assert view.complete_button.disabled                          # 12 of 20 active minutes
    clock.at += 5 * 60
    TRACKER.note("01", "cell")
    view.refresh(flush=True)                                       # "Check again"
    assert view.complete_button.disabled and "you have 17 of the 20 active minutes" in view.status.value
    clock.at += 4 * 60
    TRACKER.note("01", "cell")
    view.check_button.click()
    assert not view.complete_button.disabled and "Everything this module asks for is done" in view.status.value
    view.complete_button.click()
    entry = default_store().load()["modules"]["01"]
    assert entry["completed"] and entry["completed_with"]["questions_tried"] == len(load_bank("01").questions)
    assert entry["completed_with"]["reflection_saved"] and entry["completed_with"]["active_minutes"] >= 20
    assert "Module 01 complete" in view.status.value and view.complete_button.disabled


def test_the_complete_action_checks_the_rule_again_rather_than_trusting_the_button(clock):
    view = FinishView("01")
    view.complete_button.disabled = False                          # e.g. a stale page
    assert view.complete() is False
    assert "completed" not in default_store().load()["modules"].get("01", {})


def test_time_from_another_sitting_counts_towards_the_rule(clock):
    minutes = load_syllabus().module("00").minutes
    earlier = Tracker(clock=clock)
    earlier.note("00", "start")
    clock.at += minutes * 60          # capped at the gap cap, whatever the estimate
    earlier.note("00", "check")
    answer_every_self_check("00", clock, seconds_each=1)
    status = completion_status("00", default_store().load())
    assert not status.rule.reflection and status.met, status.missing


def test_while_nbgrader_executes_the_frame_shows_and_records_nothing(monkeypatch, capsys, learner_home):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    start("01")
    finish("01")
    assert capsys.readouterr().out == ""
    assert not (learner_home / "progress.json").exists()


def test_run_all_in_a_real_kernel_completes_nothing_and_records_every_cell_run(tmp_path):
    """Lesson 01 run top to bottom in a fresh kernel, as "Run All" does."""
    import json

    from tests.notebooks import MODULES_DIR, cell_source, execute, read

    path = MODULES_DIR / f"{load_syllabus().module('01').slug}.ipynb"
    code_cells = [c for c in read(path)["cells"] if c["cell_type"] == "code" and cell_source(c).strip()]
    execute(path, tmp_path)
    progress = json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))
    entry = progress["modules"]["01"]
    assert "completed" not in entry and progress["attempts"] == []
    [sitting] = entry["sittings"]
    # Every cell's pre- and post-run event and the start: the last burst of cell events
    # reaches the file when the kernel shuts down.
    assert sitting["actions"] >= 2 * len(code_cells)
    assert 0 < sitting["seconds"] < 5 * 60
