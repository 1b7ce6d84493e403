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
may change between versions. ``import course`` is light on purpose: the verb modules
import plotly, ipywidgets, PyYAML and fpdf2 only inside the verbs that need them.
"""
from __future__ import annotations

from course._answers import answer_sheet, check_format, check_my_answers
from course._checklist import checklist
from course._diagrams import diagram
from course._dossier import dossier_checker
from course._errors import (
    AnswerFormatError,
    ConfigurationError,
    ContentError,
    CourseError,
    SubmissionError,
)
from course._factcheck import factcheck
from course._figures import figure
from course._lesson import finish, start
from course._quiz import quiz
from course._record import evaluate, record
from course._references import cite
from course._reflect import reflect

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
