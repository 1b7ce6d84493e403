"""Feedback: one HTML page per learner, safe and truthful, written by nbgrader's GenerateFeedback.

The pages are built by the steps in ``course.instructor.feedback_steps``, which
``grading/nbgrader_config.py`` lists for ``GenerateFeedback``; so this step, plain
``nbgrader generate_feedback`` and Formgrader's "Generate Feedback" button write the same
pages. A page shows the learner's own answers and the verdict from the final marks
(overrides included), says "not yet marked" for a reflection nobody has marked, passes or
fails by the course's one rule (``Module.passed``), and names the lesson sections to
revisit for a missed question; never a key, a hidden test, a solution, a marking guide
or another learner's data.

``feedback()`` adds what only the instructor's command can: it refuses a course folder
whose configuration lacks those steps, warns about reflections not yet marked and, with
``hold_unmarked``, keeps those learners' pages back (and removes an older one) until
they are marked; it checks every written page once more with ``course.instructor.leaks``
and deletes and reports any that fails; one learner's failure never stops the others.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course._errors import ConfigurationError
from course.instructor._logs import CapturedLog, summary
from course.instructor.coursedir import CourseDir

WRITTEN, FAILED, HELD = "written", "failed", "held"


@dataclass(frozen=True)
class FeedbackFile:
    """One learner's page: written (``path``), held back until marked, or failed (``problem``)."""

    learner: str
    path: Path | None
    problem: str = ""
    status: str = WRITTEN
    unmarked: bool = False        # the learner's reflection is not marked yet


@dataclass(frozen=True)
class FeedbackResult:
    assessment: str
    files: tuple[FeedbackFile, ...] = field(default_factory=tuple)

    @property
    def written(self) -> list[FeedbackFile]:
        return [f for f in self.files if f.status == WRITTEN]

    @property
    def failed(self) -> list[FeedbackFile]:
        return [f for f in self.files if f.status == FAILED]

    @property
    def held(self) -> list[FeedbackFile]:
        return [f for f in self.files if f.status == HELD]

    @property
    def unmarked(self) -> list[FeedbackFile]:
        """Pages that were written although the reflection is not marked yet (they say so)."""
        return [f for f in self.files if f.unmarked and f.status == WRITTEN]


def check_configuration(course: CourseDir) -> None:
    """Stop unless the course's nbgrader_config.py uses the safe feedback steps (without them
    nbgrader's own page shows hidden tests and keyed answers)."""
    from course.instructor.feedback_steps import EXPORTER, PREPROCESSORS

    section: Any = course.config.get("GenerateFeedback", {})
    configured = [p if isinstance(p, str) else f"{p.__module__}.{p.__name__}"
                  for p in section.get("preprocessors", [])]
    exporter = section.get("exporter_class", "")
    exporter = exporter if isinstance(exporter, str) else f"{exporter.__module__}.{exporter.__name__}"
    if configured != PREPROCESSORS or exporter != EXPORTER:
        lines = "\n".join(f'    "{p}",' for p in PREPROCESSORS)
        raise ConfigurationError(
            f"{course.root / 'nbgrader_config.py'} does not configure the course's feedback steps, so nbgrader's "
            "own feedback (which shows hidden tests and keyed answers) would be written. Add:\n"
            f"c.GenerateFeedback.preprocessors = [\n{lines}\n]\n"
            f'c.GenerateFeedback.exporter_class = "{EXPORTER}"')


def unmarked_reflections(course: CourseDir, assessment: str, learners: list[str]) -> set[str]:
    """The learners among ``learners`` whose written reflection nobody has marked yet."""
    from nbgrader.api import MissingEntry

    from course.instructor.assessments import load_assessment

    described = load_assessment(course.source_notebook(assessment), assessment)
    if described.reflection is None:
        return set()
    found: set[str] = set()
    with course.gradebook() as gradebook:
        for learner in learners:
            try:
                grade = gradebook.find_grade(described.reflection.grade_id, "assessment", assessment, learner)
            except MissingEntry:
                continue
            if grade.manual_score is None and (grade.needs_manual_grade or grade.auto_score is None):
                found.add(learner)
    return found


def feedback(course: CourseDir, assessment: str, learners: list[str] | None = None,
             hold_unmarked: bool = False, progress: Callable[[int, int], None] | None = None) -> FeedbackResult:
    """Write ``feedback/<learner>/<assessment>/assessment.html`` for every autograded learner
    (or only ``learners``); with ``hold_unmarked``, not for those whose reflection is not
    marked yet. ``progress(done, total)`` is called after each learner."""
    from course.instructor import leaks as leak_check
    from course.instructor.feedback_steps import page_secrets, without_plotly_js

    assessment = course.resolve(assessment)
    check_configuration(course)
    if not course.release_notebook(assessment).exists():
        raise ConfigurationError(f"{assessment} has not been released: run `exocourse release {assessment}`.")
    graded = sorted(p.parent.parent.name for p in course.autograded_dir.glob(f"*/{assessment}/assessment.ipynb"))
    if learners is not None:
        unknown = sorted(set(learners) - set(graded))
        if unknown:
            raise ConfigurationError(f"No autograded submission of {assessment} from: {', '.join(unknown)}. "
                                     f"Run `exocourse autograde {assessment}` for them first.")
        graded = [g for g in graded if g in set(learners)]
    if not graded:
        raise ConfigurationError(f"Nobody has been autograded on {assessment} yet: run "
                                 f"`exocourse autograde {assessment}` first.")
    unmarked = unmarked_reflections(course, assessment, graded)
    files: list[FeedbackFile] = []
    for done, learner in enumerate(graded, 1):
        page = course.feedback_file(learner, assessment)
        if hold_unmarked and learner in unmarked:
            _remove(page)
            files.append(FeedbackFile(learner, None, "held back: the reflection is not marked yet", HELD, True))
        else:
            problem = _generate(course, assessment, learner)
            if not problem and page.exists():
                found = leak_check.find_leaks(without_plotly_js(page.read_text(encoding="utf-8")),
                                              page_secrets(course.root, assessment, learner, course.db_url),
                                              str(page))
                if found:
                    problem = "the page would have shown " + "; ".join(str(x) for x in found[:3])
            if problem or not page.exists():
                _remove(page)
                files.append(FeedbackFile(learner, None, problem or "no page was written", FAILED,
                                          learner in unmarked))
            else:
                files.append(FeedbackFile(learner, page, unmarked=learner in unmarked))
        if progress is not None:
            progress(done, len(graded))
    return FeedbackResult(assessment, tuple(files))


def _generate(course: CourseDir, assessment: str, learner: str) -> str:
    """Run nbgrader's GenerateFeedback for one learner; "" or what went wrong, in a line."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.converters.base import NbGraderException

    log = CapturedLog("feedback")
    try:
        converter = GenerateFeedback(coursedir=course.nbgrader_coursedir(assessment, learner),
                                     config=course.config, log=log.logger)
        converter.force = True
        converter.start()
        return ""
    except NbGraderException:
        return _reason(log.messages) or "nbgrader could not write the page"
    except Exception as exc:  # anything nbgrader did not expect: this learner only
        return f"{type(exc).__name__}: {exc}"[:300]
    finally:
        log.close()


def _reason(messages: list[str] | tuple[str, ...]) -> str:
    """The useful line of nbgrader's log: our own error's message when there is one."""
    for message in messages:
        for line in str(message).splitlines():
            if "FeedbackLeakError:" in line or "CourseError:" in line or "ContentError:" in line:
                return line.split("Error:", 1)[1].strip()[:600]
    return summary(list(messages), limit=1)[:300]


def _remove(page: Path) -> None:
    try:
        page.unlink()
    except FileNotFoundError:
        pass
