"""Exosome Reality Check: the helper library behind the lessons and the grading.

In a lesson you need only a few verbs::

    import course
    course.start("01")              # the lesson's objectives and minutes
    course.quiz("01", "ev-term")    # a self-check question with feedback
    course.figure("size_ladder")    # a figure, its description and its data table
    course.diagram("ev_release")    # a diagram, with its alt text and description
    course.cite("misev2018")        # a short citation with its link
    course.reflect("01")            # your reflective notes, saved to your record
    course.finish("01")             # the lesson's end: mark it complete when you are ready
    course.record()                 # your learning record, to view and download

In a graded assessment, ``course.check_format(...)`` under each answer says whether the
answer's *format* is right (never whether the answer is); the first cell,
``course.answer_sheet(...)``, makes answer lines forgiving, and the last,
``course.check_my_answers()``, lists every question still unanswered or in the wrong format.

Everything else in the package is private (modules whose names start with ``_``) and
may change between versions. ``import course`` is light on purpose: each verb's module is imported when the
notebook first uses it, and plotly, ipywidgets, PyYAML and fpdf2 only inside the verbs
that need them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from course._errors import (
    AnswerFormatError,
    ConfigurationError,
    ContentError,
    CourseError,
    SubmissionError,
)

# Each verb's module is imported the first time a notebook uses the verb (PEP 562), so a
# lesson pays only for what it shows: ``course.start`` needs neither the checklist nor the
# dossier checker nor the record's PDF writer.
_VERBS = {
    "answer_sheet": "course._answers", "check_format": "course._answers", "check_my_answers": "course._answers",
    "checklist": "course._checklist", "diagram": "course._diagrams", "dossier_checker": "course._dossier",
    "factcheck": "course._factcheck", "figure": "course._figures", "start": "course._lesson",
    "finish": "course._lesson", "quiz": "course._quiz", "record": "course._record", "evaluate": "course._record",
    "cite": "course._references", "reflect": "course._reflect",
}

if TYPE_CHECKING:
    from course._answers import answer_sheet, check_format, check_my_answers
    from course._checklist import checklist
    from course._diagrams import diagram
    from course._dossier import dossier_checker
    from course._factcheck import factcheck
    from course._figures import figure
    from course._lesson import finish, start
    from course._quiz import quiz
    from course._record import evaluate, record
    from course._references import cite
    from course._reflect import reflect


def __getattr__(name: str) -> Any:
    if name not in _VERBS:
        raise AttributeError(f"module 'course' has no attribute {name!r}")
    import importlib

    verb = getattr(importlib.import_module(_VERBS[name]), name)
    globals()[name] = verb
    return verb


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_VERBS))


__version__ = "1.0.0"

__all__ = [
    "start",
    "finish",
    "quiz",
    "figure",
    "diagram",
    "cite",
    "reflect",
    "record",
    "evaluate",
    "dossier_checker",
    "factcheck",
    "checklist",
    "check_format",
    "answer_sheet",
    "check_my_answers",
    "CourseError",
    "ContentError",
    "AnswerFormatError",
    "SubmissionError",
    "ConfigurationError",
    "__version__",
]
