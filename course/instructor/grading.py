"""Grading that never runs learner code: nbgrader's autograde step, reading answers as text.

Every autograded item of this course is a literal typed into a one-line answer cell
(``answer_3 = "A, C"``). ``GradeAnswersFromKey`` takes the place of nbgrader's ``Execute``
in ``Autograde.autograde_preprocessors`` (set in ``grading/nbgrader_config.py``, so
``exocourse autograde``, plain ``nbgrader autograde`` and Formgrader's autograde button
grade alike). For each graded check cell it

1. finds the item in the instructor's key, ``<course>/assessments/<assignment>.yml``, by
   the check cell's grade_id (the item's kind, options, key and answer cell all come
   from that file, never from the submission's metadata);
2. reads the answer cell's text from the submitted notebook, in this process, with
   ``course._answers.read_answer`` (Python's ``ast``: nothing is executed, imported or
   evaluated; the same reader the learner's own format check uses);
3. scores it against the key and writes the cell's outputs so that
   ``nbgrader.utils.determine_grade`` gives the score: an error output for no mark, none
   for full marks. The outputs say what the learner typed and the verdict, never the key.

nbgrader's other steps stay as they are: the sanitising steps (the locked cells restored
from the instructor's copy in the gradebook, missing grade cells added back, duplicated
ids set aside), ``SaveAutoGrades``, late penalties, manual grading, overrides and
``nbgrader export``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets import Integer, Unicode

from course._answers import (
    ANSWER,
    BLANK,
    MISSING,
    NOT_AN_ANSWER,
    AnswerReading,
    letter,
    letters,
    number,
    read_answer,
)
from course.instructor.assessments import Assessment, Item, assessment_file, load_assessment, number_text

try:  # nbgrader is an instructor dependency; the learner's side never imports this module
    from nbgrader import utils as nbgrader_utils
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError as exc:  # pragma: no cover - only without the instructor tools
    from course._errors import ConfigurationError

    raise ConfigurationError("Grading needs nbgrader: install the course with "
                             "`python -m pip install -e .` in the course repository.") from exc

RIGHT, WRONG, WRONG_FORMAT, NOT_ANSWERED = "right", "wrong", "not in the question's format", "not answered"
LOG_PREFIX = "exocourse:"


@dataclass(frozen=True)
class Score:
    """One item's score and the reason, in words an instructor and a learner can read."""

    points: float
    reason: str           # right, wrong, not an answer, not in the question's format, not answered

    @property
    def earned(self) -> bool:
        return self.reason == RIGHT


def score_answer(item: Item, reading: AnswerReading) -> Score:
    """Score what a learner typed (as ``read_answer`` read it) against ``item``'s key."""
    if reading.status in (MISSING, BLANK):
        return Score(0.0, NOT_ANSWERED)
    if reading.status == NOT_AN_ANSWER or reading.status != ANSWER:
        return Score(0.0, NOT_AN_ANSWER)
    value = reading.value
    if item.kind == "letter":
        picked = letter(value)
        if picked is None or picked not in item.choices:
            return Score(0.0, WRONG_FORMAT)
        right = picked in item.correct_letters
    elif item.kind == "letters":
        picked_set = letters(value)
        if picked_set is None or not picked_set <= set(item.choices):
            return Score(0.0, WRONG_FORMAT)
        right = picked_set == item.correct_letters
    else:
        parsed = number(value)
        if parsed is None or item.answer is None:
            return Score(0.0, WRONG_FORMAT)
        right = abs(parsed - item.answer) <= (item.tolerance or 0.0)
    return Score(item.points, RIGHT) if right else Score(0.0, WRONG)


def shown_answer(value: Any, limit: int = 80) -> str:
    """A learner's answer as their feedback shows it: printable, and cut at ``limit`` characters."""
    if isinstance(value, tuple):
        text = ", ".join(value)
    elif isinstance(value, float):
        text = number_text(value)
    else:
        text = str(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[:limit] + "…"


def _points(points: float) -> str:
    return f"{points:g} mark" + ("" if points == 1 else "s")


def verdict_outputs(item: Item, reading: AnswerReading, score: Score, limit: int = 80) -> list[dict[str, Any]]:
    """The check cell's outputs for ``score``: a line with the learner's answer and, for no
    mark, an error output (which ``determine_grade`` scores 0). Never the key."""
    from nbformat.v4 import new_output

    label = f"Question {item.number}"
    if score.earned:
        return [new_output("stream", name="stdout",
                           text=f'{label}: your answer "{shown_answer(reading.value, limit)}" earned '
                                f"{_points(item.points)}.\n")]
    if score.reason == NOT_ANSWERED:
        message = f"{label}: not answered, so it did not earn its mark."
    elif score.reason == NOT_AN_ANSWER:
        message = (f"{label}: not an answer (the answer line is not a plain answer in quotes, so it could "
                   "not be read), so it did not earn its mark.")
    elif score.reason == WRONG_FORMAT:
        message = (f'{label}: your answer "{shown_answer(reading.value, limit)}" is not in the question\'s '
                   "format, so it did not earn its mark.")
    else:
        message = f'{label}: your answer "{shown_answer(reading.value, limit)}" did not earn its mark.'
    return [new_output("error", ename="NoMark", evalue=message, traceback=[message])]


def answer_sources(cells: list[Any], assessment: Assessment) -> dict[int, str]:
    """Each item's answer-cell text, found by the answer cell's grade_id from the key (the one
    cell left with it: intake and nbgrader's DeduplicateIds set copies aside; else the first).
    An item whose answer cell is gone is read from the last code cell the learner added that
    assigns its answer name, if any (what they typed is their answer, wherever they typed it)."""
    by_grade_id: dict[str, str] = {}
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if isinstance(grade_id, str) and grade_id not in by_grade_id:
            by_grade_id[grade_id] = _text(cell)
    sources: dict[int, str] = {}
    for item in assessment.items:
        if item.answer_cell in by_grade_id:
            sources[item.number] = by_grade_id[item.answer_cell]
            continue
        for cell in reversed(cells):      # only cells the learner made: code, with no grade_id
            if cell.get("cell_type") != "code" or cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"):
                continue
            text = _text(cell)
            if item.variable in text and read_answer(text, item.variable).status != MISSING:
                sources[item.number] = text
                break
    return sources


def _text(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


class GradeAnswersFromKey(NbGraderPreprocessor):
    """Score each graded check cell from the instructor's key, reading the learner's answer
    cell as text. Replaces nbgrader's ``Execute``: no kernel starts and no learner code runs."""

    assessments_dir = Unicode(
        "", help="Folder of the assessments' keys (<assessment>.yml). Empty: <course root>/assessments."
    ).tag(config=True)
    shown_answer_chars = Integer(
        80, help="How much of a learner's own answer their feedback repeats (longer answers are cut)."
    ).tag(config=True)

    def key_file(self, assignment: str) -> Path:
        if self.assessments_dir:
            return Path(self.assessments_dir) / f"{assignment}.yml"
        from nbgrader.coursedir import CourseDirectory

        return assessment_file(Path(CourseDirectory(config=self.config).root), assignment)

    def preprocess(self, nb: Any, resources: Any) -> Any:
        assignment = resources["nbgrader"]["assignment"]
        assessment = load_assessment(self.key_file(assignment))
        sources = answer_sources(nb.cells, assessment)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            cell.outputs, cell.execution_count = [], None
            if not nbgrader_utils.is_grade(cell) or nbgrader_utils.is_solution(cell):
                continue
            grade_id = cell.metadata.nbgrader.get("grade_id", "")
            item = assessment.item_for_check_cell(grade_id)
            if item is None:
                message = (f"This graded cell ({grade_id}) has no question in the key "
                           f"{self.key_file(assignment).name}, so it cannot be marked automatically.")
                cell.outputs = [_error(message)]
                self.log.warning("%s graded cell %s is not in the key", LOG_PREFIX, grade_id)
                continue
            source = sources.get(item.number)
            reading = read_answer(source, item.variable) if source is not None else AnswerReading(MISSING)
            score = score_answer(item, reading)
            cell.outputs = verdict_outputs(item, reading, score, self.shown_answer_chars)
            if score.reason == NOT_AN_ANSWER:
                self.log.warning("%s question %d is not an answer", LOG_PREFIX, item.number)
            elif source is not None and item.answer_cell not in _grade_ids(nb.cells):
                self.log.warning("%s question %d was read from another cell", LOG_PREFIX, item.number)
        return nb, resources


def _grade_ids(cells: list[Any]) -> set[str]:
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in cells}


def _error(message: str) -> Any:
    from nbformat.v4 import new_output

    return new_output("error", ename="NoMark", evalue=message, traceback=[message])
