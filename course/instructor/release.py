"""Release: build the learners' copies of assessments with nbgrader's generate_assignment.

``release/<id>/assessment.ipynb`` has the solution regions taken out; nbgrader saves the
source cells in the gradebook, from which autograding restores any locked cell a learner
edits or deletes. The key is not in the source folder at all (it lives in
``assessments/<id>.yml``), and each release is checked before it is reported: one
notebook, no solution or hidden-test marker, no keyed answer line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course._errors import ConfigurationError
from course.instructor._logs import CapturedLog, summary
from course.instructor.assessments import MARKERS, assessment_file, nbgrader_meta, read_notebook_json
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
        released = read_notebook_json(notebook)
        check_release(course, assessment, notebook, released)
        results.append(_describe(assessment, notebook, released))
    return results


def _describe(assessment: str, notebook: Path, released: dict[str, Any]) -> Released:
    """Counts from the released notebook's own grade cells (what nbgrader will grade)."""
    items = autograded = manual = 0.0
    for cell in released["cells"]:
        meta = nbgrader_meta(cell)
        if not meta.get("grade"):
            continue
        if meta.get("solution"):
            manual += float(meta.get("points", 0))
        else:
            items += 1
            autograded += float(meta.get("points", 0))
    return Released(assessment, notebook, int(items), autograded, manual)


def check_release(course: CourseDir, assessment: str, notebook: Path, released: dict[str, Any]) -> None:
    """Refuse a release that holds anything of the key: other files beside the notebook, a
    solution or hidden-test marker anywhere (sources or metadata), or, when the course has
    the assessment's key, anything ``leaks.audit_release`` finds (keyed answers in any
    form, solution lines, marking guide, model answer)."""
    folder = notebook.parent
    extra = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p != notebook)
    problems = [f"extra files {', '.join(extra)}"] if extra else []
    text = json.dumps(released, ensure_ascii=False)
    problems += [f"the marker {m!r}" for m in MARKERS if m in text]
    if assessment_file(course.root, assessment).exists():
        from course.instructor.leaks import audit_release

        audit = audit_release(course, assessment)
        problems += audit.messages()[:5]
    if problems:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)      # nothing half-safe is left to hand out
        raise ConfigurationError(f"The release of {assessment} would have given learners part of the key "
                                 f"({'; '.join(problems)}), so {folder} was deleted. Remove those from "
                                 f"source/{assessment}/ (only assessment.ipynb belongs there) and release again.")
