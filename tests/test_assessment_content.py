"""The graded items' content agrees with the syllabus, the lessons' data and each other.

Figures that an assessment quotes (the course's total minutes, the trial's difference, the
course's small-EV working range) are tested against their one source, and the written
tasks are named for what they are.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from course._syllabus import load_syllabus
from course.instructor.assessments import load_assessment

ROOT = Path(__file__).resolve().parents[1]
KEYS = ROOT / "grading" / "assessments"
IDS = [m.slug for m in load_syllabus().modules if m.pass_mark is not None]   # the graded modules


def assessment(slug: str):
    return load_assessment(KEYS / f"{slug}.yml")


def item(slug: str, item_id: str):
    return next(i for i in assessment(slug).items if i.id == item_id)


def test_the_model_reflective_account_states_the_syllabus_total_of_minutes() -> None:
    total = sum(m.minutes for m in load_syllabus().modules)
    model = assessment("05_duty_of_care").reflection.model_answer
    stated = [int(n) for n in re.findall(r"(\d+) minutes", model)]
    assert stated == [total], f"the model answer should say {total} minutes (the syllabus total), not {stated}"
    assert "hours" not in model      # an hour figure would be a second, unchecked copy of the same number


def test_the_model_reflective_account_dates_the_fda_position() -> None:
    model = assessment("05_duty_of_care").reflection.model_answer
    assert "6 December 2019" in model and "22 July 2020" in model


@pytest.mark.parametrize("slug", [s for s in IDS if s != "05_duty_of_care"])
def test_written_tasks_of_modules_01_to_04_are_named_short_written_answers(slug: str) -> None:
    assert assessment(slug).reflection.title == "Short written answer"


def test_the_written_task_of_module_05_is_a_reflective_account_for_objective_5_3() -> None:
    written = assessment("05_duty_of_care").reflection
    assert written.title == "Reflective account" and written.objective == "5.3"


def test_the_split_face_items_use_the_lessons_absolute_difference_and_its_share() -> None:
    exosome, control = 32.5, 19.9               # kwon2020, as lesson 04 gives them
    relative = item("04_case_studies", "relative-or-absolute")
    key = next(o.text for o in relative.options if o.correct)
    assert f"{exosome - control:.1f} points" in key
    share = item("04_case_studies", "control-share")
    assert share.answer == pytest.approx(round(control / exosome * 100, 1))


def test_the_thousand_times_vesicle_lies_in_the_courses_small_ev_working_range() -> None:
    from course._figures.size_ladder import SMALL_EV, find, load_sizes

    small_ev = find(load_sizes(), SMALL_EV)
    key = item("01_exosome_biology", "thousand-times-vesicle").answer
    assert key is not None and small_ev.min_nm <= key <= small_ev.max_nm


def test_the_purity_ratio_item_is_the_ratio_of_its_own_numbers() -> None:
    ratio = item("02_quality_and_contamination", "particle-protein-ratio")
    assert "2.4 × 10¹¹" in ratio.stem and "6 µg" in ratio.stem
    assert ratio.answer == pytest.approx(2.4e11 / 6)


@pytest.mark.parametrize("item_id", ["redness-claim-verdict", "collagen-claim-verdict"])
def test_verdict_items_use_the_fact_check_exercises_three_verdicts(item_id: str) -> None:
    from course._factcheck import load_exercise

    options = item("04_case_studies", item_id).options
    assert [o.text.split(":")[0].lower() for o in options] == list(load_exercise().verdicts)
