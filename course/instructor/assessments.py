"""The graded assessments as data: ``grading/assessments/<id>.yml``, validated.

Each assessment's one source is a YAML file kept *outside* ``source/`` (nbgrader copies
a source folder's other files, and all cell metadata, into ``release/``): its items in
order, each with a stable ``id``, its objective, its kind (``letter``, ``letters`` or
``number``), the prompt, the options with ``correct:`` flags or the numeric ``answer``
and ``tolerance``, the format ``example`` and the ``points``; and the hand-marked
written task. This file *is* the key: no released notebook, and no cell metadata,
holds it. ``course.instructor.assessment_notebooks`` writes the nbgrader source
notebook from it; ``course.instructor.grading`` scores submissions against it.

The report, the demo and the tests read one description of each item from here
(``load_assessment``), never by parsing prompts. The format is published as a JSON
Schema in ``schema/assessment.schema.json`` for authors' editors.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course._errors import ContentError

# The markers nbgrader looks for (its ClearSolutions and ClearHiddenTests defaults). The
# one definition in the project: the generator writes them, the leak audits look for them.
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
MARKERS = (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END)

ASSESSMENTS_FOLDER = "assessments"     # beside source/ in a course folder (grading/assessments/)
KINDS = ("letter", "letters", "number")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_TOP_FIELDS = {"id", "notice", "items", "written"}
_ITEM_FIELDS = {"id", "objective", "kind", "prompt", "options", "answer", "tolerance", "example", "points"}
_OPTION_FIELDS = {"text", "correct"}
_WRITTEN_FIELDS = {"title", "objective", "points", "prompt", "criteria", "marking_guide", "model_answer"}
_CRITERION_FIELDS = {"text", "points"}
KIND_LABELS = {"letter": "single choice", "letters": "select all that apply", "number": "numeric"}


@dataclass(frozen=True)
class Option:
    letter: str               # "A", "B", ... by position
    text: str
    correct: bool


@dataclass(frozen=True)
class Item:
    """One autograded question."""

    number: int               # its position, 1-based: the learner's "Question 3" and answer_3
    id: str                   # stable across reordering, e.g. "particle-protein-ratio"
    objective: str
    kind: str                 # "letter", "letters" or "number"
    choices: str              # option letters, e.g. "ABCD" ("" for numbers)
    variable: str             # the answer's name in the notebook, e.g. "answer_3"
    answer_cell: str          # grade_id of the learner's answer cell
    test_cell: str            # grade_id of the graded check cell (the one nbgrader scores)
    points: float
    prompt: str               # the question's Markdown as the learner reads it (options included)
    stem: str = ""            # the question text alone, as written in the YAML
    options: tuple[Option, ...] = ()
    answer: float | None = None       # numbers only
    tolerance: float | None = None    # numbers only
    example: str = ""                 # the format example shown to the learner

    @property
    def is_choice(self) -> bool:
        return self.kind in ("letter", "letters")

    @property
    def check_cell(self) -> str:
        return self.test_cell

    @property
    def correct_letters(self) -> frozenset[str]:
        return frozenset(o.letter for o in self.options if o.correct)

    @property
    def solution_text(self) -> str:
        """The keyed answer written as a learner would type it: "B", "A, C" or "4e10"."""
        if self.kind == "number":
            return number_text(self.answer if self.answer is not None else 0.0)
        return ", ".join(sorted(self.correct_letters))


@dataclass(frozen=True)
class Criterion:
    text: str
    points: float


@dataclass(frozen=True)
class Reflection:
    """The manually graded written task."""

    grade_id: str
    objective: str
    points: float
    prompt: str               # the task's Markdown as the learner reads it (criteria included)
    title: str = "Reflection"
    task: str = ""            # the task text alone, as written in the YAML
    criteria: tuple[Criterion, ...] = ()
    marking_guide: str = ""
    model_answer: str = ""


@dataclass(frozen=True)
class Assessment:
    id: str                   # e.g. "02_quality_and_contamination"
    module: str               # e.g. "02"
    items: tuple[Item, ...]
    reflection: Reflection | None
    title: str = ""
    notice: str = ""
    source: Path | None = None    # the YAML file

    @property
    def autograded_points(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def prefix(self) -> str:
        return f"m{self.module}"

    def item(self, number: int) -> Item:
        for item in self.items:
            if item.number == number:
                return item
        raise ContentError(str(self.source or self.id), f"question {number}", "does not exist",
                           f"use a question number from 1 to {len(self.items)}")

    def item_for_check_cell(self, grade_id: str) -> Item | None:
        """The item graded by the check cell ``grade_id`` (None if no item is)."""
        for item in self.items:
            if item.test_cell == grade_id:
                return item
        return None


# ---------------------------------------------------------------- notebook helpers (shared)

def cell_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader_meta(cell: dict[str, Any]) -> dict[str, Any]:
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
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


def number_text(value: float) -> str:
    """A number as an answer line shows it: 500, 63.3, 4e10."""
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:g}".replace("e+", "e").replace("e0", "e").replace("e-0", "e-")


# ---------------------------------------------------------------- where the YAML lives

def assessments_dir(course_root: Path) -> Path:
    """``<course folder>/assessments``: the instructor's keys, beside (never inside) source/."""
    return Path(course_root) / ASSESSMENTS_FOLDER


def assessment_file(course_root: Path, assessment_id: str) -> Path:
    return assessments_dir(course_root) / f"{assessment_id}.yml"


def _yaml_for(path: Path, assessment_id: str | None) -> Path:
    """The YAML behind ``path``: itself, or for ``<root>/<source|release|...>/<id>/x.ipynb``
    the file ``<root>/assessments/<id>.yml``."""
    path = Path(path)
    if path.suffix in (".yml", ".yaml"):
        return path
    assessment_id = assessment_id or path.parent.name
    return assessment_file(path.parent.parent.parent, assessment_id)


# ---------------------------------------------------------------- loading and validation

_cache: dict[tuple[str, int, int], Assessment] = {}


def load_assessment(path: Path, assessment_id: str | None = None) -> Assessment:
    """The assessment described by the YAML file ``path``, or by the YAML behind the
    assessment notebook at ``path`` (source or release: ``<root>/assessments/<id>.yml``).
    Raises ContentError naming the file, the item and the fix for any authoring slip."""
    yaml_path = _yaml_for(path, assessment_id)
    try:
        stat = yaml_path.stat()
    except OSError:
        raise ContentError(str(yaml_path), None, "does not exist",
                           f"write the assessment's YAML there (see schema/assessment.schema.json), or copy "
                           f"the course's {ASSESSMENTS_FOLDER}/ folder beside source/") from None
    key = (str(yaml_path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        from course._yaml import read_yaml

        _cache[key] = parse_assessment(read_yaml(yaml_path), yaml_path)
    return _cache[key]


def load_all(course_root: Path) -> list[Assessment]:
    """Every assessment YAML in ``<course_root>/assessments``, in order."""
    return [load_assessment(p) for p in sorted(assessments_dir(course_root).glob("*.yml"))]


def parse_assessment(data: Any, path: Path) -> Assessment:
    """Validate one assessment's YAML data (read from ``path``) and build its model."""
    from course._references import keys_in_text, load_references
    from course._syllabus import load_syllabus

    file = str(path)
    if not isinstance(data, dict):
        raise ContentError(file, None, "is not a mapping of fields",
                           "start the file with `id:`, `items:` and `written:` (see schema/assessment.schema.json)")
    _no_unknown(data, _TOP_FIELDS, file, None)
    assessment_id = _text(data, "id", file, None, "give the assessment's id, the same as the file name")
    if assessment_id != path.stem:
        raise ContentError(file, None, f"has id `{assessment_id}` but the file is named {path.name}",
                           f"make the id `{path.stem}` or rename the file")
    syllabus = load_syllabus()
    try:
        module = syllabus.module(assessment_id)
    except ContentError:
        raise ContentError(file, None, f"`{assessment_id}` is not the slug of a module in the syllabus",
                           "name the file after its module's slug in course/content/syllabus.yml, "
                           "e.g. 02_quality_and_contamination") from None
    if not module.assessed:
        raise ContentError(file, None, f"module {module.id} has no pass_mark in the syllabus, so it is not graded",
                           "give the module a pass_mark in course/content/syllabus.yml")
    objectives = {o.id for o in module.objectives}
    notice = data.get("notice", "")
    if not isinstance(notice, str):
        raise ContentError(file, "notice", "should be text", "write the notice as one paragraph of Markdown")
    bibliography = load_references()
    bibliography.check_keys(keys_in_text(notice), file, "notice")

    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ContentError(file, None, "has no `items`", "list the questions under `items:`, each starting with `- id:`")
    prefix = f"m{module.id}"
    items: list[Item] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_items, start=1):
        item = _parse_item(raw, number, prefix, objectives, file)
        if item.id in seen:
            raise ContentError(file, f"question {number} ({item.id})", "repeats the id of an earlier question",
                               "give every question its own id")
        seen.add(item.id)
        bibliography.check_keys(keys_in_text(item.stem + " ".join(o.text for o in item.options)), file,
                                f"question {number} ({item.id})")
        items.append(item)
    written = data.get("written")
    reflection = _parse_written(written, prefix, objectives, file) if written is not None else None
    if reflection is not None:
        bibliography.check_keys(keys_in_text(" ".join((reflection.task, reflection.marking_guide,
                                                       reflection.model_answer))), file, "written")
    return Assessment(id=assessment_id, module=module.id, items=tuple(items), reflection=reflection,
                      title=module.title, notice=notice.strip(), source=path)


def _no_unknown(mapping: dict[str, Any], allowed: set[str], file: str, item: str | None) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ContentError(file, item, f"has unknown field(s) {', '.join(f'`{u}`' for u in unknown)}",
                           f"use only {', '.join(sorted(allowed))} (check the spelling)")


def _text(mapping: dict[str, Any], field: str, file: str, item: str | None, fix: str) -> str:
    value = mapping.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(file, item, f"has no `{field}`" if value is None else f"`{field}` should be text", fix)
    return value.strip()


def _points(mapping: dict[str, Any], file: str, item: str) -> float:
    value = mapping.get("points")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ContentError(file, item, "needs `points`, a number above 0", "add e.g. `points: 1`")
    return float(value)


def _number(value: Any, field: str, file: str, item: str) -> float:
    """A number from YAML; "4e10" (which YAML reads as text) is accepted too."""
    if isinstance(value, bool) or value is None:
        raise ContentError(file, item, f"needs `{field}`, a number", f"add e.g. `{field}: 4.0e+10`")
    if isinstance(value, (int, float)):
        return float(value)
    from course._answers import number

    parsed = number(value) if isinstance(value, str) else None
    if parsed is None:
        raise ContentError(file, item, f"`{field}` is {value!r}, not a number", f"write e.g. `{field}: 4.0e+10`")
    return parsed


def _parse_item(raw: Any, number: int, prefix: str, objectives: set[str], file: str) -> Item:
    from course._answers import format_problem

    where = f"question {number}"
    if not isinstance(raw, dict):
        raise ContentError(file, where, "is not a mapping", "start the question with `- id: ...` and indent its fields")
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not _ITEM_ID.match(item_id):
        raise ContentError(file, where, f"has the id {item_id!r}",
                           "give it a short stable id of lower-case letters, digits and hyphens, e.g. `purity-bands`")
    where = f"question {number} ({item_id})"
    _no_unknown(raw, _ITEM_FIELDS, file, where)
    objective = str(raw.get("objective", "")).strip()
    if objective not in objectives:
        raise ContentError(file, where, f"names objective {objective!r}, which is not one of this module's",
                           f"use one of {', '.join(sorted(objectives))} (quote it: `objective: \"2.1\"`)")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ContentError(file, where, f"has kind {kind!r}", "use `kind: letter`, `kind: letters` or `kind: number`")
    stem = _text(raw, "prompt", file, where, "write the question under `prompt: |`")
    points = _points(raw, file, where)
    example = raw.get("example")
    if not isinstance(example, str) or not example.strip():
        raise ContentError(file, where, "has no `example`",
                           'show the format with an example that is not the answer, e.g. `example: "B"`')
    example = example.strip()
    options: tuple[Option, ...] = ()
    answer = tolerance = None
    if kind == "number":
        if "options" in raw:
            raise ContentError(file, where, "is a number question but has `options`",
                               "remove the options, or make it `kind: letter`")
        answer = _number(raw.get("answer"), "answer", file, where)
        tolerance = _number(raw.get("tolerance"), "tolerance", file, where)
        if tolerance < 0:
            raise ContentError(file, where, "has a negative `tolerance`", "give how far from the answer still earns the mark")
    else:
        for field in ("answer", "tolerance"):
            if field in raw:
                raise ContentError(file, where, f"is a choice question but has `{field}`",
                                   "mark the right option(s) with `correct: true` instead")
        options = _parse_options(raw.get("options"), kind, file, where)
    choices = "".join(o.letter for o in options)
    problem = format_problem(example, kind, choices)
    if problem:
        raise ContentError(file, where, f"has the example {example!r}, which a learner could not copy ({problem})",
                           "give an example in the question's own format")
    variable = f"answer_{number}"
    item = Item(number=number, id=item_id, objective=objective, kind=kind, choices=choices, variable=variable,
                answer_cell=f"{prefix}_{item_id}_answer", test_cell=f"{prefix}_{item_id}_check", points=points,
                prompt="", stem=stem, options=options, answer=answer, tolerance=tolerance, example=example)
    if _gives_away(item):
        raise ContentError(file, where, f"shows the keyed answer as its example ({example!r})",
                           "choose an example that is a wrong answer")
    from dataclasses import replace

    from course.instructor.assessment_notebooks import item_markdown

    return replace(item, prompt=item_markdown(item))


def _gives_away(item: Item) -> bool:
    from course._answers import letter, letters, number

    if item.kind == "letter":
        return letter(item.example) in item.correct_letters and len(item.correct_letters) == 1
    if item.kind == "letters":
        return letters(item.example) == item.correct_letters
    value = number(item.example)
    return value is not None and item.answer is not None and abs(value - item.answer) <= (item.tolerance or 0.0)


def _parse_options(raw: Any, kind: str, file: str, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 3:
        raise ContentError(file, where, "needs at least three `options`",
                           "list the options under `options:`, each as `- text: ...`")
    if len(raw) > len(LETTERS):
        raise ContentError(file, where, f"has {len(raw)} options", f"use at most {len(LETTERS)}")
    options: list[Option] = []
    for position, option in enumerate(raw):
        letter = LETTERS[position]
        if not isinstance(option, dict):
            raise ContentError(file, f"{where}, option {letter}", "is not a mapping",
                               "write each option as `- text: ...` (with `correct: true` on the right ones)")
        _no_unknown(option, _OPTION_FIELDS, file, f"{where}, option {letter}")
        text = _text(option, "text", file, f"{where}, option {letter}", "give the option's wording under `text:`")
        correct = option.get("correct", False)
        if not isinstance(correct, bool):
            raise ContentError(file, f"{where}, option {letter}", f"has `correct: {correct!r}`",
                               "write `correct: true` on a right option and leave it out on the others")
        options.append(Option(letter, text, correct))
    keyed = sum(o.correct for o in options)
    if kind == "letter" and keyed != 1:
        raise ContentError(file, where, f"is single choice but has {keyed} options marked correct",
                           "mark exactly one option `correct: true` (or make it `kind: letters`)")
    if kind == "letters" and not keyed:
        raise ContentError(file, where, "has no option marked correct", "mark the right options `correct: true`")
    return tuple(options)


def _parse_written(raw: Any, prefix: str, objectives: set[str], file: str) -> Reflection:
    where = "written"
    if not isinstance(raw, dict):
        raise ContentError(file, where, "is not a mapping", "give the written task's fields under `written:`")
    _no_unknown(raw, _WRITTEN_FIELDS, file, where)
    objective = str(raw.get("objective", "")).strip()
    if objective not in objectives:
        raise ContentError(file, where, f"names objective {objective!r}, which is not one of this module's",
                           f"use one of {', '.join(sorted(objectives))}")
    points = _points(raw, file, where)
    title = str(raw.get("title") or "Reflection").strip()
    task = _text(raw, "prompt", file, where, "write the task under `prompt: |`")
    guide = _text(raw, "marking_guide", file, where, "write the marking guide for the course team under `marking_guide: |`")
    model = _text(raw, "model_answer", file, where, "write a model answer under `model_answer: |`")
    raw_criteria = raw.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        raise ContentError(file, where, "has no `criteria`",
                           "list what learners are marked on, each `- text: ...` with `points:`")
    criteria: list[Criterion] = []
    for n, criterion in enumerate(raw_criteria, start=1):
        here = f"{where}, criterion {n}"
        if not isinstance(criterion, dict):
            raise ContentError(file, here, "is not a mapping", "write `- text: ...` and `points: 1`")
        _no_unknown(criterion, _CRITERION_FIELDS, file, here)
        criteria.append(Criterion(_text(criterion, "text", file, here, "say what earns the mark"),
                                  _points(criterion, file, here)))
    total = sum(c.points for c in criteria)
    if abs(total - points) > 1e-9:
        raise ContentError(file, where, f"is worth {points:g} points but its criteria add up to {total:g}",
                           "make the criteria's points add up to the task's points")
    from course.instructor.assessment_notebooks import written_markdown

    reflection = Reflection(grade_id=f"{prefix}_written", objective=objective, points=points, prompt="",
                            title=title, task=task, criteria=tuple(criteria), marking_guide=guide, model_answer=model)
    from dataclasses import replace

    return replace(reflection, prompt=written_markdown(reflection))


# ---------------------------------------------------------------- answers

def solutions(source_notebook: Path) -> dict[int, str]:
    """The keyed answer of each item, written as a learner would type it ("B", "A, C",
    "4e10"), read from the assessment's YAML. For instructors' tools only (the demo
    cohort, tests): never shown to learners."""
    return {item.number: item.solution_text for item in load_assessment(source_notebook).items}


def learner_answers(notebook: dict[str, Any], assessment: Assessment) -> dict[int, Any]:
    """What a learner typed for each item, read (never run) from their notebook's answer
    cells with the grader's own reader; None where there is no readable answer."""
    from course._answers import read_answer

    by_cell: dict[str, dict[str, Any]] = {}
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict):
            continue
        grade_id = nbgrader_meta(cell).get("grade_id")
        if isinstance(grade_id, str) and grade_id not in by_cell:
            by_cell[grade_id] = cell
    answers: dict[int, Any] = {}
    for item in assessment.items:
        cell = by_cell.get(item.answer_cell)
        answers[item.number] = read_answer(cell_text(cell), item.variable).value if cell else None
    return answers
