"""Answer cells in the graded assessments: reading what a learner typed, and the format check.

An assessment asks you to type your answer into a one-line cell, for example::

    answer_3 = "B"          # one letter
    answer_4 = "A, C"       # several letters, separated by commas
    answer_5 = "3e10"       # a number: 3e10, 3 x 10^10 or 30,000,000,000

The cell below each answer runs ``check_format``, which tells you at once whether your
answer is in the right *format*. It never tells you whether the answer is right: that
is decided when your assessment is graded. The last cell, ``check_my_answers()``, lists
every question that is still unanswered or in the wrong format.

One reader serves everyone: ``read_answer`` reads an answer cell's *text* without running
it (Python's ``ast``: a string, a number, a list of strings, simple arithmetic on
numbers). The grader scores exactly what it reads, and the format check in your notebook
reads your cell the same way, so "format OK" here means the grader can read your answer.

In your notebook the first cell (``answer_sheet``) also makes answer cells forgiving: a
line such as ``answer_1 = b`` or ``answer_4 = A, B`` prints one line saying what to type
instead of stopping "Run All" with an error.

This module is imported inside learners' kernels and by the grader for every
submission, so it imports nothing heavy (no plotly, ipywidgets, nbgrader or nbformat).
"""
from __future__ import annotations

import ast
import inspect
import math
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["check_format", "check_my_answers", "answer_sheet", "read_answer", "AnswerReading",
           "format_problem", "letter", "letters", "number", "close", "KINDS"]

KINDS = ("letter", "letters", "number")

# An answer cell longer than this is not "a one-line answer": it is not parsed at all.
MAX_ANSWER_CHARS = 10_000
# Nesting deeper than this in an answer's arithmetic is not an answer (and never recursion trouble).
MAX_DEPTH = 32
MAX_LIST = 26

# Marks a value the caller did not pass, so check_format can look the name up itself.
_LOOK_UP = object()

_LETTER = re.compile(r"^\(?([A-Za-z])[).]?$")
_LETTER_SEPARATORS = re.compile(r"\s*(?:,|;|/|\+|&|\band\b|\s)\s*", re.IGNORECASE)
_ANSWER_LINE = re.compile(r"^[ \t]*(answer_\d+)[ \t]*(?::[^=\n]*)?=(?!=)(.*)$", re.MULTILINE)

ANSWER, BLANK, MISSING, NOT_AN_ANSWER = "answer", "blank", "missing", "not an answer"


# ---------------------------------------------------------------- what a learner typed

def letter(value: Any) -> str | None:
    """The single option letter a learner typed ("b", " B ", "(B)", "B." all give "B"),
    or None when the value is not exactly one letter."""
    if not isinstance(value, str):
        return None
    match = _LETTER.match(value.strip())
    return match.group(1).upper() if match else None


def _letter_list(value: Any) -> list[str] | None:
    """The option letters a learner typed, in their order, or None."""
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
    found: list[str] = []
    for part in parts:
        single = letter(part)
        if single is None:
            return None
        if single not in found:
            found.append(single)
    return found or None


def letters(value: Any) -> frozenset[str] | None:
    """The set of option letters a learner typed ("A, C", "a c", "AC", ["A", "C"] all give
    {"A", "C"}), or None when the value holds anything other than letters."""
    found = _letter_list(value)
    return frozenset(found) if found else None


def number(value: Any) -> float | None:
    """The number a learner typed (``3e10``, ``3 x 10^10``, ``3×10¹⁰``, ``30,000,000,000``;
    or a number written without quotes), or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return None
    # The same reader as the self-check quizzes, so both accept the same formats.
    from course._errors import AnswerFormatError
    from course._questions import parse_number

    try:
        parsed = parse_number(value)
    except (AnswerFormatError, ValueError, OverflowError):
        return None
    return parsed if math.isfinite(parsed) else None


def close(value: Any, target: float, tolerance: float) -> bool:
    """True when the learner's number lies within ``tolerance`` of ``target``."""
    parsed = number(value)
    return parsed is not None and abs(parsed - target) <= tolerance


# ---------------------------------------------------------------- reading an answer cell

@dataclass(frozen=True)
class AnswerReading:
    """What an answer cell's text holds for one answer name, read without running it."""

    status: str                 # "answer", "blank", "missing" or "not an answer"
    value: str | float | tuple[str, ...] | None = None
    hint: str = ""              # for "not an answer": what to type instead, for the learner

    @property
    def readable(self) -> bool:
        return self.status == ANSWER


class _NotLiteral(Exception):
    pass


def _literal(node: ast.AST, depth: int = 0) -> str | float | tuple[str, ...]:
    """The value of an answer expression: a string, a number, a list of strings, or
    arithmetic (+ - * / **) on numbers. Anything else raises _NotLiteral. Nothing is run."""
    if depth > MAX_DEPTH:
        raise _NotLiteral
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return _finite(node.value)
        raise _NotLiteral
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        if len(node.elts) > MAX_LIST:
            raise _NotLiteral
        items = []
        for element in node.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                raise _NotLiteral
            items.append(element.value)
        return tuple(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        operand = _literal(node.operand, depth + 1)
        if not isinstance(operand, float):
            raise _NotLiteral
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        left, right = _literal(node.left, depth + 1), _literal(node.right, depth + 1)
        if not (isinstance(left, float) and isinstance(right, float)):
            raise _NotLiteral
        try:
            # Float arithmetic only: 10 ** 10 ** 10 overflows at once instead of computing for ever.
            if isinstance(node.op, ast.Add):
                result: Any = left + right
            elif isinstance(node.op, ast.Sub):
                result = left - right
            elif isinstance(node.op, ast.Mult):
                result = left * right
            elif isinstance(node.op, ast.Div):
                result = left / right
            else:
                result = left ** right
        except (OverflowError, ZeroDivisionError, ValueError):
            raise _NotLiteral from None
        if not isinstance(result, float):      # e.g. (-8) ** 0.5 is complex
            raise _NotLiteral
        return _finite(result)
    raise _NotLiteral


def _finite(value: float | int) -> float:
    try:
        result = float(value)
    except OverflowError:
        raise _NotLiteral from None
    if not math.isfinite(result):
        raise _NotLiteral
    return result


def _assigns(statement: ast.stmt, variable: str) -> bool | None:
    """True if the top-level ``statement`` assigns ``variable`` a value we can read; False if
    it changes ``variable`` some other way; None if it leaves it alone."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            if isinstance(target, ast.Name) and target.id == variable:
                return True
            if any(isinstance(n, ast.Name) and n.id == variable for n in ast.walk(target)):
                return False
        return None
    if isinstance(statement, ast.AnnAssign):
        if isinstance(statement.target, ast.Name) and statement.target.id == variable:
            return statement.value is not None or None
        return None
    if isinstance(statement, ast.AugAssign):
        target = statement.target
        return False if isinstance(target, ast.Name) and target.id == variable else None
    return None


def read_answer(source: str, variable: str) -> AnswerReading:
    """Read the answer ``variable`` from an answer cell's text, without running anything.

    The answer is the value of the cell's last top-level assignment to ``variable`` (as
    Python would leave it): a string, a number, a list of strings or simple arithmetic on
    numbers. Anything else (a name, a call, code, a syntax error, a cell too long or too
    deeply nested to be an answer) is "not an answer", with a hint for the learner.
    """
    if not isinstance(source, str):
        return AnswerReading(MISSING)
    if len(source) > MAX_ANSWER_CHARS:
        return AnswerReading(NOT_AN_ANSWER, hint=f"Keep the answer cell to the one line {variable} = \"...\"")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return AnswerReading(NOT_AN_ANSWER, hint=_hint(source, variable))
    last: ast.stmt | None = None
    readable = False
    for statement in tree.body:
        assigned = _assigns(statement, variable)
        if assigned is not None:
            last, readable = statement, assigned
    if last is None:
        return AnswerReading(MISSING)
    if not readable:
        return AnswerReading(NOT_AN_ANSWER, hint=_hint(source, variable))
    value_node = last.value if isinstance(last, (ast.Assign, ast.AnnAssign)) else None
    try:
        value = _literal(value_node) if value_node is not None else None
    except (_NotLiteral, RecursionError):
        return AnswerReading(NOT_AN_ANSWER, hint=_hint(source, variable))
    if value is None:
        return AnswerReading(NOT_AN_ANSWER, hint=_hint(source, variable))
    if (isinstance(value, str) and not value.strip()) or value == ():
        return AnswerReading(BLANK, value=value)
    return AnswerReading(ANSWER, value=value)


_NUMBER_THEN_WORDS = re.compile(
    r"^([-+]?\d[\d,]*(?:\.\d+)?(?:\s*(?:[eE]|[x×*]\s*10\s*(?:\^|\*\*)?)\s*[-+]?\d+)?)\s*([^\d\s].*)$")


def _hint(source: str, variable: str) -> str:
    """What to type instead of an answer line that cannot be read, e.g.
    'Put your answer in quotes: answer_1 = "B"'."""
    typed = ""
    for match in _ANSWER_LINE.finditer(source[:MAX_ANSWER_CHARS]):
        if match.group(1) == variable:
            typed = match.group(2)
    typed = typed.split("#", 1)[0].strip() if typed.count("#") and not typed.count('"') else typed.strip()
    quotes = "\"'“”‘’"
    bare = typed.strip(quotes + " ")
    if not bare:
        return f'Type your answer between the quotes: {variable} = ""'
    straight = typed.count('"') + typed.count("'")
    if straight == 1 and typed[0] in "\"'" and typed[-1] not in "\"'":
        return f'Close the quotes at the end: {variable} = "{bare}"'
    picked = _letter_list(bare.replace('"', "").replace("'", ""))
    if picked and len(bare) <= 60:
        return f'Put your answer in quotes: {variable} = "{", ".join(picked)}"'
    if number(bare) is not None:
        return f'Put your answer in quotes: {variable} = "{bare}"'
    with_unit = _NUMBER_THEN_WORDS.match(bare)
    if with_unit and number(with_unit.group(1)) is not None:
        return f'Type the number only, without units, in quotes: {variable} = "{with_unit.group(1)}"'
    return f'Type only your answer, between the quotes: {variable} = "..."'


# ---------------------------------------------------------------- the format check

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


def format_problem(value: Any, kind: str, choices: str = "", example: str = "") -> str | None:
    """What is wrong with the format of ``value``, in words for the learner; None if nothing.

    ``example`` is the question's own format example (checked never to be its answer);
    without one the message gives none, so it can never name an answer by chance.
    """
    allowed = sorted(set(choices.upper())) if choices else []
    listed = ", ".join(allowed)
    shown = f', e.g. "{example}"' if example else ""
    if kind == "letter":
        picked = letter(value)
        if picked is None or (allowed and picked not in allowed):
            hint = f" ({listed})" if allowed else ""
            return f"please type one letter{hint} between the quotes{shown}"
        return None
    if kind == "letters":
        picked_set = letters(value)
        if picked_set is None or (allowed and not picked_set <= set(allowed)):
            hint = f" from {listed}" if allowed else ""
            return f"please type the letters{hint} separated by commas, between the quotes{shown}"
        return None
    if kind == "number":
        if number(value) is None:
            return ("please type a number only (no units or words) between the quotes"
                    + (f'{shown}; powers of ten may be written with e or as "x 10^"'))
        return None
    return f"this check is set up wrongly (unknown kind {kind!r}); please tell your course team"


@dataclass(frozen=True)
class _Verdict:
    ok: bool
    line: str


def _verdict_for(name: str, reading: AnswerReading, kind: str, choices: str, example: str) -> _Verdict:
    label = _question_label(name)
    if kind not in KINDS:
        # An authoring slip in the assessment, not the learner's fault: say so plainly.
        return _Verdict(False, f"{label}: this check is set up wrongly (unknown kind {kind!r}); "
                               "please tell your course team. Your answer is still saved in the notebook.")
    if reading.status == MISSING:
        return _Verdict(False, f"{label}: no answer is recorded yet. Run the answer cell above (it starts "
                               f'with {name} =), or if it is gone, add a cell with {name} = "" and type your '
                               "answer between the quotes.")
    if reading.status == NOT_AN_ANSWER:
        return _Verdict(False, f"{label}: {reading.hint}.")
    if reading.status == BLANK or _blank(reading.value):
        return _Verdict(False, f"{label}: not answered yet. Type your answer between the quotes in the "
                               f"cell above ({name} = ...) and run it.")
    problem = format_problem(reading.value, kind, choices, example)
    if problem:
        return _Verdict(False, f"{label}: {problem}.")
    return _Verdict(True, f"{label}: format OK (your answer is recorded).")


def _reading_from_value(value: Any) -> AnswerReading:
    if _blank(value):
        return AnswerReading(BLANK, value=value)
    return AnswerReading(ANSWER, value=value)


def _reading_in_kernel(name: str, namespace: dict[str, Any]) -> AnswerReading:
    """The answer ``name`` as the grader will read it: from the text of the answer cell
    the learner last ran (kept by the forgiving input step), else from the notebook's value."""
    if name in _SOURCES:
        return read_answer(_SOURCES[name], name)
    if name not in namespace:
        return AnswerReading(MISSING)
    return _reading_from_value(namespace[name])


def _say(verdict: _Verdict) -> None:
    # nbgrader's Validate counts a graded cell as failed only when it writes to stderr or
    # raises: so while validating, a problem goes to stderr, and Validate lists exactly the
    # questions this check (and "Check my answers") lists. A learner never sees a traceback.
    stream = sys.stderr if not verdict.ok and os.environ.get("NBGRADER_VALIDATING") else sys.stdout
    print(verdict.line, file=stream)


def check_format(name: str, value: Any = _LOOK_UP, *, kind: str, choices: str = "",
                 example: str = "") -> None:
    """Say whether your answer to one question is in the right format.

    ``name`` is the answer's name in the notebook, e.g. ``"answer_3"``; ``kind`` is
    ``"letter"``, ``"letters"`` or ``"number"``; ``choices`` lists the option letters,
    e.g. ``"ABCD"``. The answer is read from your answer cell when ``value`` is not given.
    Prints one line. It never raises and never says whether the answer itself is correct.
    """
    try:
        _install_forgiveness()
        if value is _LOOK_UP:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            namespace = caller.f_globals if caller is not None else {}
            reading = _reading_in_kernel(name, namespace)
        else:
            reading = _reading_from_value(value)
        _say(_verdict_for(name, reading, kind, choices, example))
    except Exception as exc:  # a format check must never stop "Run All"
        print(f"{_question_label(name)}: your answer could not be checked ({type(exc).__name__}); "
              "it is still saved in the notebook.")


def _check(name: str, value: Any = _LOOK_UP, *, kind: str, choices: str = "", example: str = "",
           namespace: dict[str, Any] | None = None) -> _Verdict:
    """check_format's verdict without printing (for tests and check_my_answers)."""
    reading = _reading_from_value(value) if value is not _LOOK_UP else _reading_in_kernel(name, namespace or {})
    return _verdict_for(name, reading, kind, choices, example)


# ---------------------------------------------------------------- the whole answer sheet

@dataclass(frozen=True)
class _Format:
    kind: str
    choices: str


_SHEET: dict[str, _Format] = {}
# The text of the answer cell each answer name was last typed in (kept by the input step).
_SOURCES: dict[str, str] = {}


def _parse_format(name: str, spec: str) -> _Format:
    parts = str(spec).split()
    kind = parts[0] if parts else ""
    choices = parts[1] if len(parts) > 1 else ""
    return _Format(kind, choices.upper())


def answer_sheet(**answers: str) -> None:
    """Set up this notebook's answer cells (the assessment's first cell calls it).

    Each keyword names an answer and its format, e.g.
    ``answer_sheet(answer_1="letter ABCD", answer_2="letters ABCDE", answer_3="number")``.
    From then on an answer line that Python cannot run as typed (``answer_1 = b``,
    ``answer_4 = A, B``, ``answer_5 = 3e10 particles``) prints one line saying what to type,
    instead of an error, and ``check_my_answers()`` lists every question still to fix.
    """
    _SHEET.clear()
    for name, spec in answers.items():
        _SHEET[name] = _parse_format(name, spec)
    _install_forgiveness()


def check_my_answers() -> None:
    """List every question that is unanswered or in the wrong format (the last cell of an
    assessment). Only the format is checked, never whether an answer is right."""
    try:
        if not _SHEET:
            print("Choose Run → Run All Cells first: this check needs the assessment's first cell to have run.")
            return
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        namespace = caller.f_globals if caller is not None else {}
        verdicts = [_verdict_for(name, _reading_in_kernel(name, namespace), f.kind, f.choices, "")
                    for name, f in sorted(_SHEET.items(), key=lambda kv: _order(kv[0]))]
        problems = [v for v in verdicts if not v.ok]
        if not problems:
            print(f"All {len(verdicts)} questions are answered in the right format. Save the notebook "
                  "(File → Save) and hand it in as your course team asks.")
            return
        print(f"{len(problems)} of {len(verdicts)} questions need your attention before you hand in:")
        for verdict in problems:
            print(f"  - {verdict.line}")
        print("This checks the format only, never whether an answer is right.")
    except Exception as exc:  # never stop the notebook
        print(f"Your answers could not be checked ({type(exc).__name__}); they are still saved in the notebook.")


def _order(name: str) -> tuple[int, str]:
    match = re.search(r"(\d+)$", name)
    return (int(match.group(1)) if match else 10**6, name)


# ---------------------------------------------------------------- forgiving answer cells

def forgive(lines: list[str]) -> list[str]:
    """IPython input step: keep each answer cell's text for the format check, and turn an
    answer cell Python cannot run as typed into one friendly line per problem.

    Only cells made of answer lines (``answer_N = ...``), comments and blank lines are
    ever replaced; any other cell runs exactly as typed. This is the learner's own kernel:
    a convenience, not a safeguard (the grader never runs anything).
    """
    try:
        source = "".join(lines)
        if "answer_" not in source or len(source) > MAX_ANSWER_CHARS:
            return lines
        names = list(dict.fromkeys(m.group(1) for m in _ANSWER_LINE.finditer(source)))
        if not names:
            return lines
        for name in names:
            _SOURCES[name] = source
        readings = {name: read_answer(source, name) for name in names}
        if all(r.status in (ANSWER, BLANK) for r in readings.values()) or not _only_answer_lines(source):
            return lines
        return [f"__import__('course._answers', fromlist=['explain']).explain({names!r})\n"]
    except Exception:  # never get in the way of running a cell
        return lines


def _only_answer_lines(source: str) -> bool:
    for line in source.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not _ANSWER_LINE.match(line):
            return False
    return True


def explain(names: list[str]) -> None:
    """Print what to type for each answer in ``names`` that cannot be read (called by the
    cell ``forgive`` wrote in place of an answer cell Python could not run)."""
    for name in names:
        reading = read_answer(_SOURCES.get(name, ""), name)
        if reading.status == NOT_AN_ANSWER:
            print(f"{_question_label(name)}: {reading.hint}.")


def _install_forgiveness() -> None:
    """Register ``forgive`` with the running IPython shell (once); nothing outside IPython."""
    ipython_module = sys.modules.get("IPython")
    get_ipython = getattr(ipython_module, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    steps = getattr(shell, "input_transformers_post", None)
    if isinstance(steps, list) and forgive not in steps:
        steps.append(forgive)
