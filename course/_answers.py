"""Answer cells in the graded assessments: reading what a learner typed, and the format check.

An assessment asks you to type your answer into a one-line cell, for example::

    answer_3 = "B"          # one letter
    answer_4 = "A, C"       # several letters, separated by commas
    answer_5 = "3e10"       # a number: 3e10, 3 x 10^10 or 30,000,000,000

The cell below each answer runs ``check_format``, which tells you at once whether your
answer is in the right *format*. It never tells you whether the answer is right: that
is decided when your assessment is graded.

This module is imported inside learners' kernels and by the grader for every
submission, so it imports nothing heavy (no plotly, ipywidgets, nbgrader or nbformat).
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["check_format", "letter", "letters", "number", "close", "KINDS"]

KINDS = ("letter", "letters", "number")

# Marks a value the caller did not pass, so check_format can look the name up itself.
_LOOK_UP = object()

_LETTER = re.compile(r"^\(?([A-Za-z])[).]?$")
_LETTER_SEPARATORS = re.compile(r"\s*(?:,|;|/|\+|&|\band\b|\s)\s*", re.IGNORECASE)


def letter(value: Any) -> str | None:
    """The single option letter a learner typed ("b", " B ", "(B)", "B." all give "B"),
    or None when the value is not exactly one letter."""
    if not isinstance(value, str):
        return None
    match = _LETTER.match(value.strip())
    return match.group(1).upper() if match else None


def letters(value: Any) -> frozenset[str] | None:
    """The set of option letters a learner typed ("A, C", "a c", "AC", ["A", "C"] all give
    {"A", "C"}), or None when the value holds anything other than letters."""
    if isinstance(value, (list, tuple, set, frozenset)):
        parts: Iterable[Any] = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        # "AC" written without separators: every character a letter.
        if re.fullmatch(r"[A-Za-z]{2,}", text) and not re.search(r"and", text, re.IGNORECASE):
            parts = list(text)
        else:
            parts = [p for p in _LETTER_SEPARATORS.split(text) if p]
    else:
        return None
    found: set[str] = set()
    for part in parts:
        single = letter(part)
        if single is None:
            return None
        found.add(single)
    return frozenset(found) if found else None


def number(value: Any) -> float | None:
    """The number a learner typed (``3e10``, ``3 x 10^10``, ``3×10¹⁰``, ``30,000,000,000``;
    or a number written without quotes), or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    # The same reader as the self-check quizzes, so both accept the same formats.
    from course._errors import AnswerFormatError
    from course._questions import parse_number

    try:
        return parse_number(value)
    except AnswerFormatError:
        return None


def close(value: Any, target: float, tolerance: float) -> bool:
    """True when the learner's number lies within ``tolerance`` of ``target``."""
    parsed = number(value)
    return parsed is not None and abs(parsed - target) <= tolerance


def _question_label(name: str) -> str:
    match = re.search(r"(\d+)$", name)
    return f"Question {match.group(1)}" if match else name


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset)):
        return not value
    return False


def _format_problem(value: Any, kind: str, choices: str, example: str) -> str | None:
    """What is wrong with the format of ``value``, in words for the learner; None if nothing."""
    allowed = sorted(set(choices.upper())) if choices else []
    listed = ", ".join(allowed)
    if kind == "letter":
        picked = letter(value)
        if picked is None or (allowed and picked not in allowed):
            hint = f" ({listed})" if allowed else ""
            return f'please type one letter{hint} between the quotes, e.g. "{example or "B"}"'
        return None
    if kind == "letters":
        picked_set = letters(value)
        if picked_set is None or (allowed and not picked_set <= set(allowed)):
            hint = f" from {listed}" if allowed else ""
            return (f"please type the letters{hint} separated by commas, between the quotes, "
                    f'e.g. "{example or "A, C"}"')
        return None
    if kind == "number":
        if number(value) is None:
            return (f'please type a number only (no units or words), e.g. "{example or "3e10"}", '
                    '"3 x 10^10" or "30,000,000,000"')
        return None
    return None


def check_format(name: str, value: Any = _LOOK_UP, *, kind: str, choices: str = "",
                 example: str = "") -> bool:
    """Say whether your answer to one question is in the right format.

    ``name`` is the answer's name in the notebook, e.g. ``"answer_3"``; ``kind`` is
    ``"letter"``, ``"letters"`` or ``"number"``; ``choices`` lists the option letters,
    e.g. ``"ABCD"``. The answer is looked up in your notebook when ``value`` is not given.
    Prints one line and returns True only when the format is right. It never raises and
    never says whether the answer itself is correct.
    """
    label = _question_label(name)
    try:
        if value is _LOOK_UP:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            namespace = caller.f_globals if caller is not None else {}
            if name not in namespace:
                print(f"{label}: the answer line is missing. Add a cell with {name} = \"\" "
                      "above this one, type your answer between the quotes and run it.")
                return False
            value = namespace[name]
        if kind not in KINDS:
            # An authoring slip in the assessment, not the learner's fault: say so plainly.
            print(f"{label}: this check is set up wrongly (unknown kind {kind!r}); "
                  "please tell your course team. Your answer is still saved in the notebook.")
            return False
        if _blank(value):
            print(f"{label}: not answered yet. Type your answer between the quotes in the "
                  f"cell above ({name} = ...) and run it.")
            return False
        problem = _format_problem(value, kind, choices, example)
        if problem:
            print(f"{label}: {problem}.")
            return False
        print(f"{label}: format OK (your answer is recorded).")
        return True
    except Exception as exc:  # a format check must never stop "Run All"
        print(f"{label}: your answer could not be checked ({type(exc).__name__}); "
              "it is still saved in the notebook.")
        return False
