"""Writing each assessment's nbgrader source notebook from its YAML (``make assessments``).

``grading/source/<id>/assessment.ipynb`` is generated, never edited by hand: a test
checks that every committed notebook equals what this module writes from
``grading/assessments/<id>.yml``. The notebook is a thin view of the YAML:

- the introduction (locked), with the pass mark from the syllabus;
- a locked setup cell, ``answer_sheet(...)``: the format of every answer, and forgiving
  answer cells in the learner's kernel;
- per question: the prompt (locked), a one-line answer cell ``answer_N = ""`` whose
  solution region holds the keyed answer (so the source notebook itself scores full
  marks), and a locked graded check cell whose code is only the visible format check;
- the written task (locked prompt; a manually graded Markdown answer cell whose solution
  region is the marking guide and model answer);
- a last "Check my answers" cell.

No cell's metadata holds the key: nbgrader copies metadata into ``release/``. The
grader (``course.instructor.grading``) scores each check cell from the YAML.

``build_notebook(..., hidden_tests=True)`` writes the stock-nbgrader variant whose check
cells also hold executable ``assert`` hidden tests; only the benchmark uses it, to grade
the same submissions with nbgrader's own ``Execute``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from course._errors import CourseError
from course.instructor.assessments import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    KIND_LABELS,
    SOLUTION_BEGIN,
    SOLUTION_END,
    Assessment,
    Item,
    Reflection,
    assessments_dir,
    load_all,
)

NOTEBOOK_NAME = "assessment.ipynb"
# Until the static grader replaces nbgrader's Execute, the committed source notebooks keep
# executable hidden tests so that grading stays right in between (issue 8, step 2 removes them).
HIDDEN_TESTS_IN_SOURCE = False
_YOUR_ANSWER = {
    "letter": "one letter",
    "letters": "every letter that applies, separated by commas",
    "number": "a number only, without units",
}


# ---------------------------------------------------------------- Markdown of each part

def _points_text(points: float) -> str:
    return f"{points:g} mark" + ("" if points == 1 else "s")


def _scientific_forms(example: str) -> str:
    """ "2.5e9" -> ' You may also write it as `2.5 x 10^9` or `2,500,000,000`.' ("" otherwise)."""
    if "e" not in example.lower():
        return ""
    mantissa, _, exponent = example.lower().partition("e")
    try:
        value = float(example)
    except ValueError:
        return ""
    forms = [f"`{mantissa} x 10^{int(exponent)}`"]
    if value == int(value) and abs(value) < 1e16:
        forms.append(f"`{int(value):,}`")
    return " You may also write it as " + " or ".join(forms) + "."


def item_markdown(item: Item) -> str:
    """The prompt cell of one question, as the learner reads it."""
    parts = [f"### Question {item.number} · {KIND_LABELS[item.kind]} · *(objective {item.objective})*",
             item.stem]
    if item.options:
        parts.append("\n".join(f"- **{o.letter}.** {o.text}" for o in item.options))
    answer = (f"**Your answer:** {_YOUR_ANSWER[item.kind]}, for example "
              f'`{item.variable} = "{item.example}"`.')
    if item.kind == "number":
        answer += _scientific_forms(item.example)
    parts.append(answer)
    return "\n\n".join(parts)


def written_markdown(written: Reflection) -> str:
    """The prompt cell of the written task, with what it is marked on."""
    criteria = "\n".join(f"- {c.text} ({_points_text(c.points)})" for c in written.criteria)
    return (f"### {written.title} *(objective {written.objective})* · {_points_text(written.points)}, "
            f"marked by your course team\n\n{written.task}\n\n"
            "Write in the cell below (double-click it to edit, then Shift+Enter to display it). Do not\n"
            "name or describe any real patient or colleague in a way that could identify them.\n\n"
            f"**You will be marked on:**\n{criteria}\n")


def _marking_guide(written: Reflection) -> str:
    per_point = ("one mark per point" if all(c.points == 1 for c in written.criteria)
                 else "the marks for each point are listed with the criteria")
    return (f"{SOLUTION_BEGIN}\n**Marking guide for the course team** ({per_point}; half marks are not used):"
            f"\n\n{written.marking_guide}\n\n**A model answer:** {written.model_answer}\n{SOLUTION_END}")


def intro_markdown(assessment: Assessment) -> str:
    """The introduction: what the assessment holds, how to answer, and the pass mark."""
    from course._syllabus import load_syllabus

    syllabus = load_syllabus()
    module = syllabus.module(assessment.module)
    course_name = syllabus.course.title.split(":")[0].strip()
    n = len(assessment.items)
    points = {item.points for item in assessment.items}
    marks = (f"{n} questions worth {_points_text(points.pop())} each" if len(points) == 1
             else f"{n} questions worth {assessment.autograded_points:g} marks in all")
    written = assessment.reflection
    if written is not None:
        name = written.title.lower() if "written" in written.title.lower() else f"written {written.title.lower()}"
        marks += f", and one {name} worth {_points_text(written.points)}"
    marked_by_hand = (f" Your course team marks the {written.title.lower()} by hand and\ngives you written "
                      "feedback." if written is not None else "")
    return f"""# Graded assessment: {assessment.title}

*Module {assessment.module} of {course_name} · {marks}.*

**How to answer.** Each question has one answer cell below it, a single line such as
`answer_4 = ""` for question 4. Type your answer **between the quotes**, then run the cell
(Shift+Enter).
The cell after it checks only the *format* of your answer (one letter, several letters,
or a number): it never tells you whether the answer is right. "Not answered yet" means
the quotes are still empty.

- **One letter:** `answer_N = "B"` (N is the question's number)
- **Several letters** (select all that apply), separated by commas: `answer_N = "A, C"`
- **A number**, without units: `answer_N = "2.5e9"`; you may also write `2.5 x 10^9` or
  `2,500,000,000`.

Each question shows its own example; examples show the format only, not the answer.

When you have finished, choose **Run → Run All Cells**. The last cell, **Check my answers**,
lists every question that is still unanswered or in the wrong format; when it says all are
in the right format, save the notebook and hand it in as your course team asks. Please do
not delete, copy or move cells; if something goes wrong, download a fresh copy and copy
your answers across.

**Marking.** The questions are marked automatically after you hand in, from what you typed
in each answer line (nothing in your notebook is run when it is marked); you pass the
module with **{module.pass_percent} of the question marks**.{marked_by_hand} {assessment.notice}
""".rstrip() + "\n"


# ---------------------------------------------------------------- cells

def _cell(cell_type: str, grade_id: str, source: str, *, grade: bool = False, solution: bool = False,
          locked: bool = True, points: float | None = None) -> dict[str, Any]:
    nbgrader: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                                "schema_version": 3, "solution": solution}
    if points is not None:
        nbgrader["points"] = int(points) if points == int(points) else points
    metadata: dict[str, Any] = {}
    if locked:
        metadata.update({"deletable": False, "editable": False})
    metadata["nbgrader"] = nbgrader
    cell: dict[str, Any] = {"cell_type": cell_type, "id": grade_id, "metadata": metadata,
                            "source": source}
    if cell_type == "code":
        cell.update({"execution_count": None, "outputs": []})
    return cell


def _answer_source(item: Item) -> str:
    keyed = json.dumps(item.solution_text, ensure_ascii=False)
    return f'{item.variable} = ""\n{SOLUTION_BEGIN}\n{item.variable} = {keyed}\n{SOLUTION_END}'


def check_source(item: Item) -> str:
    """The visible code of a graded check cell: the format check only."""
    choices = f', choices="{item.choices}"' if item.choices else ""
    return (f'from course import check_format\n'
            f'check_format("{item.variable}", kind="{item.kind}"{choices}, example="{item.example}")')


def hidden_test(item: Item) -> str:
    """An executable hidden test equivalent to the grader's scoring (for stock nbgrader only)."""
    if item.kind == "letter":
        test = f"from course._answers import letter\nassert letter({item.variable}) == {item.solution_text!r}"
    elif item.kind == "letters":
        keyed = "{" + ", ".join(repr(c) for c in sorted(item.correct_letters)) + "}"
        test = f"from course._answers import letters\nassert letters({item.variable}) == {keyed}"
    else:
        test = (f"from course._answers import close\n"
                f"assert close({item.variable}, {item.answer!r}, tolerance={item.tolerance!r})")
    return f"{HIDDEN_BEGIN}\n{test}\n{HIDDEN_END}"


def _sheet_source(assessment: Assessment) -> str:
    formats = "".join(f'    {item.variable}="{item.kind}{" " + item.choices if item.choices else ""}",\n'
                      for item in assessment.items)
    return f"from course import answer_sheet\n\nanswer_sheet(\n{formats})"


class _Citations:
    """``[@key]`` rendered as author–year links to the notebook's own reference list
    (course._references, the lessons' renderer), collecting the keys the learner sees."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def __call__(self, markdown: str) -> str:
        from course._references import render_citations

        rendered, keys = render_citations(markdown)
        self.keys += [k for k in keys if k not in self.keys]
        return rendered


def _for_the_marker(markdown: str) -> str:
    """The marking guide's citations linked straight to their sources (it has no reference list)."""
    from course._references import render_citations

    return render_citations(markdown, link_to="source")[0]


def build_notebook(assessment: Assessment, *, hidden_tests: bool = False) -> dict[str, Any]:
    """The nbgrader source notebook of ``assessment`` (an nbformat 4.5 dict)."""
    from course._references import reference_list_markdown

    p = assessment.prefix
    cite = _Citations()
    cells = [_cell("markdown", f"{p}_intro", cite(intro_markdown(assessment))),
             _cell("code", f"{p}_setup", _sheet_source(assessment))]
    for item in assessment.items:
        check = check_source(item) + ("\n" + hidden_test(item) if hidden_tests else "")
        base = item.test_cell.removesuffix("_check")
        cells += [_cell("markdown", f"{base}_prompt", cite(item.prompt)),
                  _cell("code", item.answer_cell, _answer_source(item), solution=True, locked=False),
                  _cell("code", item.test_cell, check, grade=True, points=item.points)]
    written = assessment.reflection
    if written is not None:
        cells += [_cell("markdown", f"{written.grade_id}_prompt", cite(written.prompt)),
                  _cell("markdown", written.grade_id, _for_the_marker(_marking_guide(written)), grade=True,
                        solution=True, locked=False, points=written.points)]
    if cite.keys:
        cells.append(_cell("markdown", f"{p}_references", reference_list_markdown(cite.keys, "### References")))
    cells += [_cell("markdown", f"{p}_check_answers_intro",
                    "### Check my answers\n\nRun this last cell (or choose **Run → Run All Cells**): it lists "
                    "every question that is still unanswered or in the wrong format. It checks the format "
                    "only, never whether an answer is right."),
              _cell("code", f"{p}_check_answers", "from course import check_my_answers\n\ncheck_my_answers()")]
    return {
        "cells": cells,
        "metadata": {
            "exocourse": {"assessment": assessment.id, "module": assessment.module},
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(notebook: dict[str, Any]) -> str:
    """A notebook serialised as nbformat writes it (so saving it in JupyterLab changes nothing)."""
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- the make target

def expected_notebooks(course_root: Path) -> dict[Path, str]:
    """Each source notebook path under ``course_root`` with the text it should have."""
    return {Path(course_root) / "source" / a.id / NOTEBOOK_NAME:
            notebook_text(build_notebook(a, hidden_tests=HIDDEN_TESTS_IN_SOURCE)) for a in load_all(course_root)}


def stale_notebooks(course_root: Path) -> list[Path]:
    """Source notebooks that differ from their YAML (or are missing), and notebooks with no YAML."""
    expected = expected_notebooks(course_root)
    stale = [path for path, text in expected.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    orphans = [p for p in sorted((Path(course_root) / "source").glob(f"*/{NOTEBOOK_NAME}")) if p not in expected]
    return stale + orphans


def write_notebooks(course_root: Path) -> list[Path]:
    """Write every source notebook from its YAML; return those that changed."""
    from course._atomic import write_text

    changed = []
    for path, text in expected_notebooks(course_root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text(path, text)
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.instructor.assessment_notebooks",
                                     description="Write grading/source/*/assessment.ipynb from grading/assessments/*.yml.")
    parser.add_argument("--course-dir", default="grading", help="the course's grading folder (default: grading)")
    parser.add_argument("--check", action="store_true", help="change nothing; fail if a notebook is out of date")
    args = parser.parse_args(argv)
    root = Path(args.course_dir)
    try:
        if not assessments_dir(root).is_dir():
            raise CourseError(f"{assessments_dir(root)} does not exist: point --course-dir at the grading folder.")
        if args.check:
            stale = stale_notebooks(root)
            for path in stale:
                print(f"out of date: {path} (run `make assessments`)")
            return 1 if stale else 0
        for path in write_notebooks(root):
            print(f"wrote {path}")
        orphans = stale_notebooks(root)
        for path in orphans:
            print(f"no YAML for {path}: add {assessments_dir(root)}/{path.parent.name}.yml or delete the notebook")
        return 1 if orphans else 0
    except CourseError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
