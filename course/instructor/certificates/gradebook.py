"""Where the certificates meet the gradebook: the report's grades, and the gradebook's names."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from course.instructor.coursedir import CourseDir
    from course.instructor.report import LearnerGrades


def learners_from_gradebook(course: CourseDir) -> tuple[list[LearnerGrades], dict[str, str]]:
    """Every graded learner's grades (the report's ``collect_grades``), and learner id -> the
    first and last name the gradebook holds, for learners the roster does not list."""
    from course.instructor.report import collect_grades

    names: dict[str, str] = {}
    with course.gradebook() as gb:
        for student in gb.students:
            full = " ".join(part for part in (student.first_name, student.last_name) if part)
            if full:
                names[student.id] = full
    return collect_grades(course), names


__all__ = ["learners_from_gradebook"]
