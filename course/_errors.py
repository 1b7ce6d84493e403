"""The course's one family of errors.

Every error the library raises on purpose is a ``CourseError``. Errors from YAML,
nbformat and nbgrader are translated into these where they enter, so a learner,
an author or an instructor reads what went wrong and what to do, never a bare
traceback from a library they have not heard of.
"""
from __future__ import annotations


class CourseError(Exception):
    """Base class: something the course cannot do, said in plain words."""


class ContentError(CourseError):
    """An authoring mistake in the course content (syllabus, references, question banks)."""

    def __init__(self, file: str, item: str | None, problem: str, fix: str) -> None:
        self.file, self.item, self.problem, self.fix = file, item, problem, fix
        where = f"{file}, {item}" if item else file
        super().__init__(f"{where}: {problem}. Fix: {fix}")


class AnswerFormatError(CourseError):
    """A learner's answer is not in the format the question expects (nothing is recorded)."""


class SubmissionError(CourseError):
    """A submitted notebook cannot be accepted as it is (intake rejects it with this reason)."""


class ConfigurationError(CourseError):
    """The course directory, key file, register or gradebook is missing or unusable."""
