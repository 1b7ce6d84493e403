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


# ---------------------------------------------------------------- grades back into the LMS

def canvas_accepts(header: list[str]) -> bool:
    """Canvas's own header check (instructure/canvas-lms app/models/gradebook_importer.rb,
    ``row_has_student_headers?`` and ``header?``): "Student", then "ID", and the last student
    information column is "Section" (after optional "SIS User ID", "SIS Login ID")."""
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        return False
    columns = 3
    if header[2].startswith("SIS Login ID"):
        columns = 4
    elif header[2].startswith("SIS User ID") and header[3].startswith("SIS Login ID"):
        columns = 5
    return "Section" in header[columns - 1]


def test_the_canvas_import_has_canvas_columns_points_possible_and_blank_for_unready_marks() -> None:
    from course.instructor.lms import LmsGrade, canvas_grades

    grades = [LmsGrade("doejane", "doejane", "1001", "01_x", 9.0, 11.0),
              LmsGrade("doejane", "doejane", "1001", "02_x", None, 12.0),
              LmsGrade("leesam", "leesam", "1003", "01_x", 4.5, 11.0)]
    header, rows = canvas_grades(grades, {"01_x": "Module 01", "02_x": "Module 02"})
    assert header == ["Student", "ID", "Section", "Module 01", "Module 02"] and canvas_accepts(header)
    assert rows[0] == ["Points Possible", "", "", "11", "12"]
    assert rows[1:] == [["doejane", "1001", "", "9", ""], ["leesam", "1003", "", "4.5", ""]]


def test_the_moodle_worksheet_names_participants_as_moodle_reads_them_and_leaves_out_unready_marks() -> None:
    from datetime import datetime, timezone

    from course.instructor.lms import MOODLE_HEADER, LmsGrade, moodle_worksheet

    when = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)
    header, rows = moodle_worksheet([LmsGrade("Jane_Doe", "Jane Doe", "111", "01_x", 10.0, 11.0),
                                     LmsGrade("Jane_Doe_2", "Jane Doe", "222", "01_x", None, 11.0)], when)
    # assignfeedback_offline's importer needs exactly these column names, and reads the
    # participant id after "Participant " (get_string('hiddenuser', 'assign')).
    assert header == MOODLE_HEADER and {"Identifier", "Grade", "Last modified (grade)"} <= set(header)
    assert rows == [["Participant 111", "Jane Doe", "10", "11", "2026-12-01T18:00:00+00:00"]]


@pytest.mark.slow
def test_report_writes_the_lms_grade_files_from_the_ids_intake_kept(tmp_path) -> None:
    import csv
    import json

    from nbgrader.api import Gradebook

    from course.instructor.assessments import load_assessment, read_notebook_json
    from course.instructor.autograde import autograde
    from course.instructor.demo import fill_answers
    from course.instructor.intake import intake
    from course.instructor.release import release
    from course.instructor.report import write_report
    from tests.instructor_course import make_course
    from tests.lms_downloads import CanvasSubmission, MoodleSubmission, write_canvas, write_moodle
    from tests.submissions import ASSESSMENT, correct_answers

    course = make_course(tmp_path / "course")
    release(course, [ASSESSMENT])
    assessment = load_assessment(course.source_notebook(ASSESSMENT))
    filled = fill_answers(read_notebook_json(course.release_notebook(ASSESSMENT)), assessment, correct_answers(course))
    reflection = assessment.reflection.grade_id
    for cell in filled["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == reflection:
            cell["source"] = "I would ask the supplier for the certificate of analysis and check the lot."
    good = json.dumps(filled).encode()
    intake(course, write_canvas(tmp_path / "canvas", [CanvasSubmission("Doe, Jane", 1001, 1, "a.ipynb", good),
                                                      CanvasSubmission("Lee, Sam", 1003, 2, "a.ipynb", good)],
                                as_zip=True), "01")
    intake(course, write_moodle(tmp_path / "moodle", [MoodleSubmission("Ann Khan", 555, {"a.ipynb": good})],
                                as_zip=True), "01")
    autograde(course, ASSESSMENT, progress=None)
    gradebook = Gradebook(course.db_url, course.course_id)
    try:
        for learner in ("doejane", "Ann_Khan"):                  # marked; leesam's is not (yet)
            grade = gradebook.find_grade(reflection, "assessment", ASSESSMENT, learner)
            grade.manual_score = 3.0
            gradebook.db.commit()
    finally:
        gradebook.close()
    report = write_report(course)
    files = {f.path.name: f for f in report.lms_files}
    assert set(files) == {"canvas-grades.csv", f"moodle-{ASSESSMENT}.csv"}
    total = assessment.autograded_points + 3.0
    canvas = list(csv.reader(files["canvas-grades.csv"].path.open(encoding="utf-8", newline="")))
    assert canvas_accepts(canvas[0]) and canvas[1][0] == "Points Possible"
    by_id = {row[1]: row for row in canvas[2:]}
    assert by_id["1001"][3] == f"{total:g}" and by_id["1003"][3] == ""    # Sam's reflection is not marked
    assert files["canvas-grades.csv"].held_back == ("leesam",)
    moodle = list(csv.DictReader(files[f"moodle-{ASSESSMENT}.csv"].path.open(encoding="utf-8", newline="")))
    assert [(r["Identifier"], r["Grade"]) for r in moodle] == [("Participant 555", f"{total:g}")]
