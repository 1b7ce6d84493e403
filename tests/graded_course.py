"""A real, fully graded course folder for the instructor-side tests (certificates, privacy,
publish). Built once per test process with the real pipeline (release, intake,
autograde, marking, feedback, report) on the course's real assessments; each test gets
its own copy to change.

Two learners take every assessment: ``ada-lovelace`` answers every item with the key
(passes everything); ``bob-weak`` answers every item wrongly (passes nothing).
"""
from __future__ import annotations

import atexit
import json
import random
import shutil
import tempfile
from pathlib import Path

from course.instructor.coursedir import CONFIG_FILE, CourseDir, open_course

ROOT = Path(__file__).resolve().parent.parent
STRONG, WEAK = "ada-lovelace", "bob-weak"
REFLECTION = "I will ask each supplier for a certificate of analysis and check it against MISEV2018."

_built: Path | None = None


def _build(root: Path) -> None:
    from course.instructor.assessments import load_assessment, read_notebook_json, solutions
    from course.instructor.autograde import autograde
    from course.instructor.demo import fill_answers, fill_reflection, mark_reflections, wrong_answer
    from course.instructor.feedback import feedback
    from course.instructor.intake import intake
    from course.instructor.release import release
    from course.instructor.report import write_report

    root.mkdir(parents=True)
    shutil.copytree(ROOT / "grading" / "assessments", root / "assessments")
    shutil.copytree(ROOT / "grading" / "source", root / "source")
    shutil.copy2(ROOT / "grading" / CONFIG_FILE, root / CONFIG_FILE)
    course = open_course(root, f"sqlite:///{root / 'gradebook.db'}")
    release(course)
    rng = random.Random(5)
    inboxes = root.parent / "inbox"
    for assessment_id in course.assessment_ids():
        assessment = load_assessment(course.source_notebook(assessment_id), assessment_id)
        keyed = solutions(course.source_notebook(assessment_id))
        released = read_notebook_json(course.release_notebook(assessment_id))
        inbox = inboxes / assessment_id
        inbox.mkdir(parents=True)
        for learner, right in ((STRONG, True), (WEAK, False)):
            answers = {item.number: str(keyed[item.number]) if right else wrong_answer(item, str(keyed[item.number]), rng)
                       for item in assessment.items}
            notebook = fill_answers(released, assessment, answers)
            fill_reflection(notebook, assessment, REFLECTION)
            (inbox / f"{learner}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
        intake(course, inbox, assessment_id)
        autograde(course, assessment_id, workers=2, progress=None)
        mark_reflections(course, assessment_id, rng)
        feedback(course, assessment_id)
    write_report(course)


def graded_course(destination: Path) -> CourseDir:
    """A copy of the graded course at ``destination`` (built the first time it is asked for)."""
    global _built
    if _built is None:
        scratch = Path(tempfile.mkdtemp(prefix="exocourse-graded-"))
        atexit.register(shutil.rmtree, scratch, True)
        _build(scratch / "grading")
        _built = scratch / "grading"
    shutil.copytree(_built, destination)
    return open_course(destination, f"sqlite:///{destination / 'gradebook.db'}")
