"""Exosome Reality Check: the helper library behind the lessons and the grading.

In a lesson you need only a few verbs::

    import course
    course.start("01")              # the lesson's objectives and minutes; starts your clock
    course.quiz("01", "ev-term")    # a self-check question with feedback
    course.figure("size_ladder")    # a figure, its description and its data table
    course.cite("misev2018")        # a short citation with its link
    course.reflect("01")            # your reflective notes, saved to your record
    course.finish("01")             # the lesson's reference list; marks it done
    course.record()                 # your learning record, to view and download

``import course`` is light on purpose: plotly, ipywidgets and nbgrader load only when
a verb that needs them is first used.
"""
from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

from course.errors import (
    AnswerFormatError,
    ConfigurationError,
    ContentError,
    CourseError,
    SubmissionError,
)

__version__ = "1.0.0"

# Public verb -> "module:attribute". Resolved on first use (PEP 562) so that the
# cost of plotly and ipywidgets is paid only by the cells that need them.
_VERBS: dict[str, str] = {
    "start": "course.lesson:start",
    "finish": "course.lesson:finish",
    "quiz": "course.quiz:quiz",
    "figure": "course.figures:figure",
    "cite": "course.references:cite",
    "reflect": "course.reflect:reflect",
    "record": "course.record:record",
    "evaluate": "course.record:evaluate",
    "dossier_checker": "course.dossier:dossier_checker",
    "factcheck": "course.factcheck:factcheck",
    "checklist": "course.checklist:checklist",
}

__all__ = [
    *_VERBS,
    "CourseError",
    "ContentError",
    "AnswerFormatError",
    "SubmissionError",
    "ConfigurationError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    target = _VERBS.get(name)
    if target is None:
        raise AttributeError(f"module 'course' has no attribute {name!r}")
    module_name, attribute = target.split(":")
    value = getattr(import_module(module_name), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _CoursePackage(types.ModuleType):
    """Keeps the verbs callable after their own submodules are imported.

    Importing ``course.quiz`` (the module) makes Python set ``course.quiz`` to that
    module, which would hide the verb ``course.quiz(...)``. Verb names therefore never
    take a submodule as their value; the submodules stay reachable in ``sys.modules``
    and by ``from course.quiz import ...``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _VERBS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _CoursePackage
