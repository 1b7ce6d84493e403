"""The instructor pipeline over nbgrader: release → intake → autograde → feedback → report.

Each step is one module with one public function and a typed result::

    from course.instructor import open_course, release, intake, autograde, feedback, report
    course = open_course("grading")                  # or open_course(path, db_url=...)
    release.release(course, ["01"])
    intake.intake(course, "downloads/", "01")
    autograde.autograde(course, "01", workers=2)
    feedback.feedback(course, "01")
    report.collect_grades(course)                    # -> list[LearnerGrades]
    report.write_report(course)                      # reports/grades.csv, reports/items.html

``exocourse`` (course/cli.py) is a thin command layer over these. Importing this package
does not import nbgrader; each step imports it when it runs.
"""
from __future__ import annotations

from course.instructor.coursedir import CourseDir, open_course

__all__ = ["CourseDir", "open_course"]
