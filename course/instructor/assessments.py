"""What an assessment notebook contains: its items, their objectives and answer cells.

Read from the source notebook's cell metadata (``metadata.nbgrader`` and
``metadata.exocourse``), so the report, the demo and the tests all share one
description of each item rather than parsing prompts.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course._errors import ContentError

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


@dataclass(frozen=True)
class Item:
    """One autograded question."""

    number: int
    objective: str
    kind: str                 # "letter", "letters" or "number"
    choices: str              # option letters, e.g. "ABCD" ("" for numbers)
    variable: str             # the answer's name in the notebook, e.g. "answer_3"
    answer_cell: str          # grade_id of the learner's answer cell
    test_cell: str            # grade_id of the graded test cell
    points: float
    prompt: str               # the question's Markdown (options included)

    @property
    def is_choice(self) -> bool:
        return self.kind in ("letter", "letters")


@dataclass(frozen=True)
class Reflection:
    """The manually graded written answer."""

    grade_id: str
    objective: str
    points: float
    prompt: str


@dataclass(frozen=True)
class Assessment:
    id: str                   # e.g. "02_quality_and_contamination"
    module: str               # e.g. "02"
    items: tuple[Item, ...]
    reflection: Reflection | None

    @property
    def autograded_points(self) -> float:
        return sum(item.points for item in self.items)

    def item(self, number: int) -> Item:
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(number)


def cell_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader_meta(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def read_notebook_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContentError(str(path), None, f"cannot be read as a notebook ({exc})",
                           "restore it from version control") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ContentError(str(path), None, "is not a notebook", "restore it from version control")
    return data


def load_assessment(path: Path, assessment_id: str | None = None) -> Assessment:
    """The items of the assessment notebook at ``path`` (source or release)."""
    notebook = read_notebook_json(path)
    assessment_id = assessment_id or path.parent.name
    module = str(notebook.get("metadata", {}).get("exocourse", {}).get("module")
                 or assessment_id.split("_", 1)[0])
    items: list[Item] = []
    reflection: Reflection | None = None
    previous_markdown = ""
    for cell in notebook["cells"]:
        meta = nbgrader_meta(cell)
        extra = cell.get("metadata", {}).get("exocourse", {})
        if cell.get("cell_type") == "markdown" and not meta.get("solution"):
            previous_markdown = cell_text(cell)
        if meta.get("grade") and isinstance(extra, dict) and "item" in extra:
            items.append(Item(
                number=int(extra["item"]), objective=str(extra["objective"]), kind=str(extra["kind"]),
                choices=str(extra.get("choices", "")), variable=str(extra["variable"]),
                answer_cell=str(extra["answer_cell"]), test_cell=str(meta["grade_id"]),
                points=float(meta.get("points", 0)), prompt=previous_markdown))
        elif meta.get("grade") and meta.get("solution") and isinstance(extra, dict) and extra.get("reflection"):
            reflection = Reflection(grade_id=str(meta["grade_id"]), objective=str(extra["objective"]),
                                    points=float(meta.get("points", 0)), prompt=previous_markdown)
    return Assessment(id=assessment_id, module=module, items=tuple(items), reflection=reflection)


def solution_region(source: str) -> str:
    """The code between the solution delimiters of a source answer cell."""
    match = re.search(re.escape(SOLUTION_BEGIN) + r"\n(.*?)\n?" + re.escape(SOLUTION_END), source, re.S)
    return match.group(1) if match else ""


def assigned_value(source: str, variable: str) -> Any:
    """The last literal value a cell assigns to ``variable`` (None if there is none, or if the
    cell is not valid Python). Reads the code without running it."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    value: Any = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == variable for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError, RecursionError):
                value = None
    return value


def solutions(source_notebook: Path) -> dict[int, Any]:
    """The keyed answers of each item, read from the source notebook's solution regions.
    For instructors' tools only (the demo cohort, tests): never shown to learners."""
    notebook = read_notebook_json(source_notebook)
    assessment = load_assessment(source_notebook)
    by_cell = {nbgrader_meta(c).get("grade_id"): c for c in notebook["cells"]}
    answers: dict[int, Any] = {}
    for item in assessment.items:
        cell = by_cell.get(item.answer_cell)
        if cell is not None:
            answers[item.number] = assigned_value(solution_region(cell_text(cell)), item.variable)
    return answers


def learner_answers(notebook: dict[str, Any], assessment: Assessment) -> dict[int, Any]:
    """What a learner typed for each item, read from their notebook's answer cells."""
    by_cell: dict[str, dict[str, Any]] = {}
    for cell in notebook.get("cells", []):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id and grade_id not in by_cell:
            by_cell[grade_id] = cell
    answers: dict[int, Any] = {}
    for item in assessment.items:
        cell = by_cell.get(item.answer_cell)
        answers[item.number] = assigned_value(cell_text(cell), item.variable) if cell else None
    return answers
