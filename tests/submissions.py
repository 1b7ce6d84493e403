"""The submissions the pipeline tests put through intake and autograde, made at test time.

``write_batch`` writes, into an intake folder, good submissions with known scores and every
kind of bad one an instructor meets (a loop, ``os._exit``, 100 MB of printing: all only
text now, since grading runs nothing; a deleted, an edited and a duplicated cell, damaged
and empty files, an old notebook format, the wrong assessment, a 60 MB file, unsafe
learner ids), and returns what should become of each. Large files are generated here, in
the test's temporary folder, never committed.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.instructor.assessments import Assessment, load_assessment, nbgrader_meta, read_notebook_json, solutions
from course.instructor.coursedir import CourseDir
from course.instructor.demo import answer_line, fill_answers

ASSESSMENT = "01_exosome_biology"
OTHER = "02_quality_and_contamination"


@dataclass(frozen=True)
class Expected:
    """What should become of one file: filed as ``learner`` with ``score``, or rejected."""

    file: str                       # path relative to the intake folder
    learner: str | None             # safe id, None when the file must be rejected
    score: float | None = None      # autograded points expected
    status: str = "accepted"        # accepted, repaired or rejected
    reason: str = ""                # a phrase the rejection reason must contain
    note: str = ""                  # a phrase the autograde notes must contain


def _cell(notebook: dict[str, Any], grade_id: str) -> dict[str, Any]:
    for cell in notebook["cells"]:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


def _index(notebook: dict[str, Any], grade_id: str) -> int:
    return notebook["cells"].index(_cell(notebook, grade_id))


def _write(folder: Path, name: str, notebook: dict[str, Any]) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def correct_answers(course: CourseDir, assessment_id: str = ASSESSMENT) -> dict[int, str]:
    return {n: str(v) for n, v in solutions(course.source_notebook(assessment_id)).items()}


def wrong_for(assessment: Assessment, number: int, right: str) -> str:
    item = assessment.item(number)
    if item.kind == "letter":
        return next(c for c in item.choices if c != right)
    if item.kind == "letters":
        return item.choices[-1]
    return "123456789"


def write_batch(course: CourseDir, folder: Path, huge_mb: int = 60) -> list[Expected]:
    """Write the test batch for ``01_exosome_biology`` into ``folder``."""
    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    release = read_notebook_json(course.release_notebook(ASSESSMENT))
    right = correct_answers(course)
    total = float(len(assessment.items))
    n_items = len(assessment.items)
    expected: list[Expected] = []

    def good(answers: dict[int, str] | None = None) -> dict[str, Any]:
        return fill_answers(release, assessment, answers or right)

    # --- good submissions with known scores
    _write(folder, "good-all.ipynb", good())
    expected.append(Expected("good-all.ipynb", "good-all", total))

    mixed = {n: (v if n <= 4 else wrong_for(assessment, n, v)) for n, v in right.items()}
    _write(folder, "good-mixed.ipynb", good(mixed))
    expected.append(Expected("good-mixed.ipynb", "good-mixed", 4.0))

    # the same right answers, written the other ways course._answers accepts
    def other_format(number: int, value: str) -> str:
        kind = assessment.item(number).kind
        if kind == "letter":
            return f" {value.lower()} "
        if kind == "letters":
            return " and ".join(x.strip().lower() for x in value.split(","))
        return f"{float(value) / 100:g} x 10^2"
    _write(folder, "good-formats.ipynb", good({n: other_format(n, v) for n, v in right.items()}))
    expected.append(Expected("good-formats.ipynb", "good-formats", total))

    # --- notebooks that would misbehave if they were run: grading reads them, so each earns
    # exactly what its answer lines say
    looping = good()
    _cell(looping, assessment.item(2).answer_cell)["source"] = "while True:\n    pass\n" + answer_line("answer_2", right[2])
    _write(folder, "loop.ipynb", looping)
    expected.append(Expected("loop.ipynb", "loop", total))

    exiting = good()
    _cell(exiting, assessment.item(4).answer_cell)["source"] = "import os\nos._exit(1)\n" + answer_line("answer_4", right[4])
    _write(folder, "exit.ipynb", exiting)
    expected.append(Expected("exit.ipynb", "exit", total))

    flooding = good()
    _cell(flooding, assessment.item(1).answer_cell)["source"] = (
        answer_line("answer_1", right[1]) + "\nfor _ in range(1_000_000):\n    print('x' * 99)  # 100 MB\n")
    _write(folder, "flood.ipynb", flooding)
    expected.append(Expected("flood.ipynb", "flood", total))

    # --- notebooks a learner changed by hand
    deleted = good()
    del deleted["cells"][_index(deleted, assessment.item(3).test_cell)]
    _write(folder, "deleted-test.ipynb", deleted)
    expected.append(Expected("deleted-test.ipynb", "deleted-test", total, note="put back"))

    edited = good({**right, 5: wrong_for(assessment, 5, right[5])})
    _cell(edited, assessment.item(5).test_cell)["source"] = "print('Question 5: format OK (your answer is recorded).')"
    _write(folder, "edited-test.ipynb", edited)
    expected.append(Expected("edited-test.ipynb", "edited-test", total - 1, note="restored"))

    duplicated = good()
    position = _index(duplicated, assessment.item(6).answer_cell)
    duplicated["cells"].insert(position + 1, copy.deepcopy(duplicated["cells"][position]))  # same cell id too
    _write(folder, "duplicated-cell.ipynb", duplicated)
    expected.append(Expected("duplicated-cell.ipynb", "duplicated-cell", total, status="repaired"))

    # --- files intake must reject, each with its reason
    (folder / "malformed.ipynb").write_text('{"cells": [{"cell_type": "code", ', encoding="utf-8")
    expected.append(Expected("malformed.ipynb", None, status="rejected", reason="not valid notebook JSON"))
    (folder / "empty.ipynb").write_bytes(b"")
    expected.append(Expected("empty.ipynb", None, status="rejected", reason="empty"))
    old = {"nbformat": 3, "nbformat_minor": 0, "metadata": {},
           "worksheets": [{"cells": [{"cell_type": "code", "input": "answer_1 = 'B'", "outputs": [],
                                      "language": "python"}]}]}
    _write(folder, "nbformat3.ipynb", old)
    expected.append(Expected("nbformat3.ipynb", None, status="rejected", reason="format 3"))
    _write(folder, "wrong-assessment.ipynb", read_notebook_json(course.release_notebook(OTHER)))
    expected.append(Expected("wrong-assessment.ipynb", None, status="rejected", reason=OTHER))
    huge = good()
    _cell(huge, assessment.item(1).answer_cell)["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "y" * (huge_mb * 1_000_000)}]
    _write(folder, "huge.ipynb", huge)
    expected.append(Expected("huge.ipynb", None, status="rejected", reason="limit"))

    # --- learner ids that are not safe as they stand
    _write(folder, "..sneaky/work.ipynb", good())
    expected.append(Expected("..sneaky/work.ipynb", "sneaky", total))
    _write(folder, "Sam Lee.ipynb", good())
    expected.append(Expected("Sam Lee.ipynb", "Sam_Lee", total))
    _write(folder, "Sam_Lee.ipynb", good())
    expected.append(Expected("Sam_Lee.ipynb", "Sam_Lee_2", total))
    _write(folder, "ctrl\x07char.ipynb", good())
    expected.append(Expected("ctrl\x07char.ipynb", "ctrlchar", total))

    # --- the two reference points: the source notebook itself, and the untouched release
    _write(folder, "source.ipynb", read_notebook_json(course.source_notebook(ASSESSMENT)))
    expected.append(Expected("source.ipynb", "source", total))
    _write(folder, "untouched.ipynb", copy.deepcopy(release))
    expected.append(Expected("untouched.ipynb", "untouched", 0.0))

    assert n_items >= 6  # the batch relies on items 1-6 existing (a test-helper invariant)
    return expected
