"""Learners with known grades, for the certificate tests (no gradebook needed).

Grades are the grades report's own records (``AssessmentGrade``, ``LearnerGrades``), so the
certificates are tested against the one pass rule the report uses.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from course._syllabus import load_syllabus
from course.instructor.certificates.roster import Roster, RosterEntry
from course.instructor.report import AssessmentGrade, LearnerGrades

DAY = date(2026, 12, 1)


def assessed() -> list[str]:
    return [m.id for m in load_syllabus().modules if m.assessed]


def grades(learner: str, percent: float = 90.0, failed: tuple[str, ...] = (), failed_percent: float = 50.0,
           unmarked: tuple[str, ...] = ()) -> LearnerGrades:
    """A learner with ``percent`` of the autograded points in every assessed module (``failed_percent`` in ``failed``)."""
    records = {}
    for module in load_syllabus().modules:
        if not module.assessed:
            continue
        score = failed_percent if module.id in failed else percent
        records[module.id] = AssessmentGrade(module.id, module.id, score / 10, 10.0,
                                              None if module.id in unmarked else 4.0, 5.0, module.minutes)
    return LearnerGrades(learner, records)


def roster(**people: str | tuple[str, str]) -> Roster:
    entries = {}
    for line, (learner, person) in enumerate(people.items(), start=2):
        name, registration = person if isinstance(person, tuple) else (person, "")
        entries[learner] = RosterEntry(name, registration, line)
    return Roster(None, entries)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def without_key_env() -> dict[str, str]:
    """The environment of someone who holds no private key at all."""
    env = {k: v for k, v in os.environ.items() if k != "EXOCOURSE_CERTIFICATE_KEY"}
    env["HOME"] = "/nonexistent"
    return env
