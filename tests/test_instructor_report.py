"""course.instructor.report: pass marks, CPD minutes and the item statistics' rules."""
from __future__ import annotations

import pytest

from course.instructor.report import AssessmentGrade, ItemStats, LearnerGrades, OptionShare, point_biserial


def grade(score: float, maximum: float = 10.0, module: str = "01", minutes: int = 40,
          reflection: float | None = None) -> AssessmentGrade:
    return AssessmentGrade(f"{module}_x", module, score, maximum, reflection, 4.0, minutes)


def test_a_module_is_passed_at_80_percent_of_the_autograded_marks() -> None:
    assert grade(8).passed and not grade(7.99).passed
    assert grade(8).percent == 80.0
    assert not grade(0, maximum=0).passed


def test_the_pass_mark_comes_from_the_syllabus_not_the_code(pass_mark_60: float) -> None:
    assert grade(6).passed and not grade(5.99).passed
    learner = LearnerGrades("ann", {"01_x": grade(6.5, minutes=40)})
    assert learner.modules_passed == ["01"] and learner.cpd_minutes == 40


def test_an_assessment_of_a_module_the_syllabus_lacks_is_an_error_not_a_default() -> None:
    from course import ContentError

    with pytest.raises(ContentError, match="module '09'"):
        _ = grade(9, module="09").passed


def test_cpd_minutes_count_only_passed_modules() -> None:
    learner = LearnerGrades("ann", {"01_x": grade(9, minutes=40), "02_x": grade(5, module="02", minutes=45),
                                    "03_x": grade(10, module="03", minutes=35)})
    assert learner.modules_passed == ["01", "03"] and learner.cpd_minutes == 75


def test_an_unmarked_reflection_is_flagged_for_marking() -> None:
    assert grade(9).needs_marking and not grade(9, reflection=3).needs_marking


def test_point_biserial_is_the_correlation_with_the_rest_of_the_score() -> None:
    assert point_biserial([1, 1, 0, 0], [5, 4, 1, 0]) == pytest.approx(4 / 17 ** 0.5)   # cov 4, variances 1 and 17
    assert point_biserial([1, 0, 1, 0], [0, 5, 0, 5]) == pytest.approx(-1.0)
    assert point_biserial([1, 1, 1, 1], [1, 2, 3, 4]) is None       # no variation: undefined


def test_items_outside_the_usual_ranges_are_flagged() -> None:
    fine = ItemStats("01_x", 1, "1.1", "letter", 30, 0.6, 0.35,
                     (OptionShare("A", 0.6, 18), OptionShare("B", 0.2, 6), OptionShare("C", 0.2, 6)))
    assert fine.flags == []
    odd = ItemStats("01_x", 2, "1.1", "letter", 30, 0.95, 0.1,
                    (OptionShare("A", 0.95, 29), OptionShare("B", 0.03, 1), OptionShare("C", 0.0, 0)))
    flags = "; ".join(odd.flags)
    assert "difficulty 0.95 outside 0.30–0.90" in flags
    assert "point-biserial 0.10 under 0.20" in flags
    assert "options B, C chosen by under 5%" in flags
