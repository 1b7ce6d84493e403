"""Release: build the learners' copies of assessments with nbgrader's generate_assignment.

``release/<id>/assessment.ipynb`` has the solutions and hidden tests taken out; the
source cells (with hidden tests) are saved in the gradebook, from which autograding
restores any cell a learner edits or deletes.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course._errors import ConfigurationError
from course.instructor._logs import CapturedLog, summary
from course.instructor.assessments import load_assessment
from course.instructor.coursedir import CourseDir


@dataclass(frozen=True)
class Released:
    assessment: str
    notebook: Path
    items: int
    autograded_points: float
    manual_points: float


def release(course: CourseDir, ids: list[str] | None = None) -> list[Released]:
    """Release the assessments ``ids`` (all of them when None or empty)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException

    wanted = [course.resolve(i) for i in ids] if ids else course.assessment_ids()
    if not wanted:
        raise ConfigurationError(f"There are no assessments in {course.source_dir} to release.")
    results: list[Released] = []
    for assessment in wanted:
        log = CapturedLog("release")
        try:
            converter = GenerateAssignment(coursedir=course.nbgrader_coursedir(assessment, "."),
                                           config=course.config, log=log.logger)
            converter.force = True
            converter.start()
        except NbGraderException as exc:
            details = summary(log.messages) or str(exc)
            raise ConfigurationError(f"Could not release {assessment}: {details}") from exc
        finally:
            log.close()
        notebook = course.release_notebook(assessment)
        if not notebook.exists():
            raise ConfigurationError(f"Releasing {assessment} produced no {notebook}: "
                                     + ("; ".join(log.messages) or "nbgrader gave no reason"))
        description = load_assessment(course.source_notebook(assessment), assessment)
        results.append(Released(
            assessment=assessment, notebook=notebook, items=len(description.items),
            autograded_points=description.autograded_points,
            manual_points=description.reflection.points if description.reflection else 0.0))
    return results
