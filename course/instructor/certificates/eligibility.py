"""Who may have a certificate, from the grades report's records and the roster.

One pass rule: a learner qualifies when every assessed module of the syllabus has an
autograded grade that ``AssessmentGrade.passed`` (the syllabus's ``Module.passed``) says
is a pass, and no reflection still waits to be marked. The CPD time is the report's
``LearnerGrades.cpd_minutes`` (the syllabus minutes of the modules passed), in quarter
hours rounded down. A learner also needs a printable name: from the roster, else the
gradebook; one with a problem on their roster line, or with characters no installed font
can print, is told why, and the others go ahead.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from course.instructor.certificates.credential import (
    Achievement,
    Credential,
    ModuleScore,
    clean_text,
    text_problem,
)
from course.instructor.certificates.roster import ROSTER_FILE, Roster

if TYPE_CHECKING:
    from course.instructor.report import LearnerGrades


@dataclass(frozen=True)
class Candidate:
    """A learner who qualifies, with the name and registration number to print."""

    grades: LearnerGrades
    name: str
    registration: str

    @property
    def learner_id(self) -> str:
        return self.grades.learner

    def credential(self, achievement: Achievement, key_id: str, serial: str, issued: date) -> Credential:
        """The certificate's fields, in the order of the syllabus's assessed modules."""
        grades = self.grades.assessments.values()
        by_module = {g.module: g for g in grades}
        earned, available = sum(g.score for g in grades), sum(g.max_score for g in grades)
        return Credential(
            key_id=key_id, serial=serial, valid_from=issued, course_version=achievement.version,
            achievement_digest=achievement.digest.hex(), name=self.name, registration=self.registration,
            cpd_quarter_hours=quarter_hours(self.grades.cpd_minutes),
            overall_tenths=tenths(100.0 * earned / available if available else 0.0),
            modules=tuple(ModuleScore(module, tenths(by_module[module].percent)) for module, _ in achievement.modules))


def quarter_hours(minutes: float) -> int:
    """CPD time in whole quarter hours, rounded down (a claim never exceeds the time)."""
    return math.floor(minutes / 15)


def cpd_hours(minutes: float) -> float:
    return quarter_hours(minutes) / 4


def tenths(percent: float) -> int:
    """A percentage in tenths, rounded half up (92.45 -> 925), within 0..1000."""
    return min(1000, max(0, math.floor(percent * 10 + 0.5)))


def not_passed(grades: LearnerGrades, achievement: Achievement) -> list[str]:
    """The assessed modules this learner has not passed yet (empty when they passed all)."""
    passed = {g.module for g in grades.assessments.values() if g.passed}
    return [module for module, _ in achievement.modules if module not in passed]


def assess(learners: list[LearnerGrades], roster: Roster, achievement: Achievement,
           gradebook_names: dict[str, str] | None = None) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """The learners who qualify, and (learner id, why not) for each of the others."""
    from course._pdf import describe_unprintable, unprintable

    gradebook_names = gradebook_names or {}
    candidates: list[Candidate] = []
    refused: list[tuple[str, str]] = []
    for grades in sorted(learners, key=lambda g: g.learner):
        learner = grades.learner
        missing = not_passed(grades, achievement)
        if missing:
            refused.append((learner, "not yet passed: module " + ", ".join(missing)))
            continue
        unmarked = [g.module for g in grades.assessments.values() if g.needs_marking]
        if unmarked:
            refused.append((learner, "reflection still to be marked: module " + ", ".join(unmarked)))
            continue
        if learner in roster.problems:
            refused.append((learner, roster.problems[learner]))
            continue
        entry = roster.entries.get(learner)
        name, registration = (entry.name, entry.registration) if entry else (gradebook_names.get(learner, ""), "")
        name, registration = clean_text(name), clean_text(registration)
        if not name:
            refused.append((learner, f"no name: add the learner to {ROSTER_FILE} (learner,name,registration) and "
                                     "run again"))
            continue
        problem = text_problem(name, "the name") or text_problem(registration, "the registration number")
        if problem:
            refused.append((learner, f"{problem} (or give the name in {ROSTER_FILE})"))
            continue
        cannot_print = unprintable(f"{name} {registration}")
        if cannot_print:
            refused.append((learner, f"the name cannot be printed on this computer: {describe_unprintable(cannot_print)}; "
                                     "then run again"))
            continue
        candidates.append(Candidate(grades, name, registration))
    return candidates, refused


__all__ = ["Candidate", "assess", "not_passed", "cpd_hours", "quarter_hours", "tenths"]
