"""course.instructor.grading: the autograde step that reads answers as text and never runs them.

Each test feeds one notebook to the preprocessor in this process (no kernel, no gradebook),
then asks nbgrader's own ``determine_grade`` what each check cell scores.
"""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbgrader.utils import determine_grade
from traitlets.config import Config

from course._answers import read_answer
from course.instructor.assessments import load_assessment, read_notebook_json
from course.instructor.grading import (
    NOT_AN_ANSWER,
    NOT_ANSWERED,
    RIGHT,
    WRONG,
    WRONG_FORMAT,
    GradeAnswersFromKey,
    score_answer,
    shown_answer,
)
from tests.conftest import ROOT

ASSESSMENT = "02_quality_and_contamination"
KEYS = ROOT / "grading" / "assessments"
SOURCE = ROOT / "grading" / "source" / ASSESSMENT / "assessment.ipynb"

# A fixed key for these tests, so that they do not change when the course's items are
# rewritten (the committed assessments are checked by test_assessments and the battery).
FIXTURE = {
    "id": ASSESSMENT,
    "items": [
        {"id": "q-letters-abcd", "objective": "2.1", "kind": "letters", "prompt": "Which four?", "example": "A, E",
         "points": 1, "options": [{"text": f"Option {c}", **({"correct": True} if c in "ABCD" else {})}
                                  for c in "ABCDE"]},
        {"id": "q-letter-a", "objective": "2.1", "kind": "letter", "prompt": "Which one?", "example": "B",
         "points": 1, "options": [{"text": f"Option {c}", **({"correct": True} if c == "A" else {})} for c in "ABCD"]},
        {"id": "q-letters-ab", "objective": "2.2", "kind": "letters", "prompt": "Which two?", "example": "C, D",
         "points": 1, "options": [{"text": f"Option {c}", **({"correct": True} if c in "AB" else {})}
                                  for c in "ABCD"]},
        {"id": "q-letter-b", "objective": "2.2", "kind": "letter", "prompt": "Which one?", "example": "D",
         "points": 1, "options": [{"text": f"Option {c}", **({"correct": True} if c == "B" else {})} for c in "ABCD"]},
        {"id": "q-number", "objective": "2.3", "kind": "number", "prompt": "How many?", "example": "2.5e9",
         "points": 1, "answer": 4.0e10, "tolerance": 2.0e9},
        {"id": "q-letter-c", "objective": "2.3", "kind": "letter", "prompt": "Which one?", "example": "A",
         "points": 1, "options": [{"text": f"Option {c}", **({"correct": True} if c == "C" else {})} for c in "ABCD"]},
        {"id": "q-letters-abc", "objective": "2.3", "kind": "letters", "prompt": "Which three?", "example": "B, E",
         "points": 1, "options": [{"text": f"Option {c}", **({"correct": True} if c in "ABC" else {})}
                                  for c in "ABCDE"]},
        {"id": "q-letters-ab-2", "objective": "2.4", "kind": "letters", "prompt": "Which two?", "example": "C, D",
         "points": 1, "options": [{"text": f"Option {c}", **({"correct": True} if c in "AB" else {})}
                                  for c in "ABCD"]},
    ],
    "written": {"objective": "2.3", "points": 4, "prompt": "Write.", "criteria": [{"text": "Says it", "points": 4}],
                "marking_guide": "1. Says it.", "model_answer": "It."},
}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import yaml

    folder = tmp_path_factory.mktemp("keys")
    (folder / f"{ASSESSMENT}.yml").write_text(yaml.safe_dump(FIXTURE, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def assessment(keys: Path):
    return load_assessment(keys / f"{ASSESSMENT}.yml")


@pytest.fixture(scope="module")
def source_notebook(assessment) -> Any:
    from course.instructor.assessment_notebooks import build_notebook, notebook_text

    return nbformat.reads(notebook_text(build_notebook(assessment)), as_version=4)


_KEYS_DIR: Path = KEYS


@pytest.fixture(autouse=True)
def _use_the_fixture_keys(keys: Path) -> None:
    global _KEYS_DIR
    _KEYS_DIR = keys


def grader() -> GradeAnswersFromKey:
    config = Config()
    config.GradeAnswersFromKey.assessments_dir = str(_KEYS_DIR)
    return GradeAnswersFromKey(config=config)


def released(assessment) -> Any:
    """The source notebook with every answer cell emptied, as a learner receives it."""
    from course.instructor.assessment_notebooks import build_notebook, notebook_text

    notebook = nbformat.reads(notebook_text(build_notebook(assessment)), as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = cell.source.split("\n")[0]
    return notebook


def answer(notebook: Any, assessment, number: int, source: str) -> Any:
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == assessment.item(number).answer_cell:
            cell.source = source
    return notebook


def grade(notebook: Any) -> Any:
    graded, _ = grader().preprocess(copy.deepcopy(notebook), {"nbgrader": {"assignment": ASSESSMENT}})
    return graded


def scores(notebook: Any, assessment) -> dict[int, float]:
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook.cells}
    return {item.number: determine_grade(cells[item.test_cell])[0] for item in assessment.items}


def outputs_text(notebook: Any) -> str:
    return json.dumps([c.get("outputs", []) for c in notebook.cells], ensure_ascii=False)


# ---------------------------------------------------------------- scores

def test_the_source_notebook_scores_full_marks_and_the_release_none(assessment, source_notebook) -> None:
    source = source_notebook
    assert scores(grade(source), assessment) == {item.number: item.points for item in assessment.items}
    assert set(scores(grade(released(assessment)), assessment).values()) == {0}


def test_each_answer_earns_exactly_what_the_key_says(assessment) -> None:
    notebook = released(assessment)
    typed = {1: 'answer_1 = "d, c, b, a"', 2: 'answer_2 = "(A)"', 3: 'answer_3 = ["A", "B", "C"]',
             4: "answer_4 = 'C'", 5: "answer_5 = 2.4e11 / 6", 6: 'answer_6 = "C."', 7: 'answer_7 = "A B"',
             8: 'answer_8 = "A, B, F"'}
    for number, source in typed.items():
        answer(notebook, assessment, number, source)
    # 3: a superset of the key, 7: a strict subset, 8: a letter that is not an option: no mark.
    assert scores(grade(notebook), assessment) == {1: 1, 2: 1, 3: 0, 4: 0, 5: 1, 6: 1, 7: 0, 8: 0}


def test_a_number_counts_within_its_tolerance_only(assessment) -> None:
    item = assessment.item(5)
    for typed, reason in (("4.2e10", RIGHT), ("4.19e10", RIGHT), ("3.7e10", WRONG), ("4e10 per µg", WRONG_FORMAT)):
        assert score_answer(item, read_answer(f'answer_5 = "{typed}"', "answer_5")).reason == reason, typed


@pytest.mark.parametrize("source,reason", [
    ('answer_2 = ""', NOT_ANSWERED),
    ("", NOT_ANSWERED),
    ("# I am not sure", NOT_ANSWERED),
    ("answer_2 = b", NOT_AN_ANSWER),
    ("answer_2 = A, B", NOT_AN_ANSWER),
    ('answer_2 = "A', NOT_AN_ANSWER),
    ('answer_2 = "A".lower()', NOT_AN_ANSWER),
    ('answer_2 = f"{chr(65)}"', NOT_AN_ANSWER),
    ('answer_2 = "A"\nanswer_2 += ""', NOT_AN_ANSWER),
    ('answer_2 = "Z"', WRONG_FORMAT),
    ('answer_2 = "A, B"', WRONG_FORMAT),
    ('answer_2 = ["A"]', WRONG_FORMAT),
    ('answer_2 = "B"', WRONG),
    ('answer_2 = "A"', RIGHT),
    ('answer_2 = "B"\nanswer_2 = "A"', RIGHT),          # the last assignment counts, as in Python
    ('answer_2: str = "A"', RIGHT),
])
def test_every_kind_of_answer_line_gets_its_reason(assessment, source: str, reason: str) -> None:
    assert score_answer(assessment.item(2), read_answer(source, "answer_2")).reason == reason


def test_outputs_show_the_learners_own_answer_and_the_verdict_never_the_key(assessment) -> None:
    notebook = released(assessment)
    wrong = {1: 'answer_1 = "E"', 2: 'answer_2 = "B"', 5: 'answer_5 = "1e9"', 6: "answer_6 = b"}
    for number, source in wrong.items():
        answer(notebook, assessment, number, source)
    graded = grade(notebook)
    text = outputs_text(graded)
    for item in assessment.items:
        keyed = item.solution_text
        assert f'"{keyed}"' not in text and f"answer_{item.number} = " not in text, keyed
    assert 'Question 2: your answer \\"B\\" did not earn its mark.' in text
    assert "Question 6: not an answer" in text and "Question 3: not answered" in text
    for cell in graded.cells:
        if cell.cell_type == "code" and cell.metadata.nbgrader.get("grade"):
            score, _ = determine_grade(cell)
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert (score == 0) == bool(errors)


def test_a_right_answer_leaves_no_error_output_and_says_so(assessment) -> None:
    graded = grade(answer(released(assessment), assessment, 2, 'answer_2 = "a"'))
    cell = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == assessment.item(2).test_cell)
    assert [o.output_type for o in cell.outputs] == ["stream"]
    assert cell.outputs[0].text == 'Question 2: your answer "a" earned 1 mark.\n'


def test_shown_answers_are_printable_and_short() -> None:
    assert shown_answer("A\x1b[31m\n") == "A?[31m?"
    assert shown_answer("x" * 500, limit=10) == "x" * 10 + "…"
    assert shown_answer(("A", "C")) == "A, C" and shown_answer(4e10) == "4e10"


def test_a_graded_cell_that_is_not_in_the_key_earns_nothing_and_is_reported(assessment, caplog) -> None:
    notebook = released(assessment)
    stray = nbformat.v4.new_code_cell("print('full marks please')")
    stray.metadata["nbgrader"] = {"grade": True, "grade_id": "m02_extra", "locked": True, "points": 5,
                                  "schema_version": 3, "solution": False}
    notebook.cells.insert(3, stray)
    graded = grade(notebook)
    assert determine_grade(graded.cells[3])[0] == 0
    assert "has no question in the key" in graded.cells[3].outputs[0].evalue


def test_a_missing_key_stops_grading_with_where_to_put_it(tmp_path: Path, assessment) -> None:
    from course._errors import ContentError

    config = Config()
    config.GradeAnswersFromKey.assessments_dir = str(tmp_path)
    with pytest.raises(ContentError, match="does not exist"):
        GradeAnswersFromKey(config=config).preprocess(released(assessment), {"nbgrader": {"assignment": ASSESSMENT}})


# ---------------------------------------------------------------- the submission is only text

def test_a_hostile_answer_cell_is_read_as_text_and_never_run(assessment, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    hostile = f'''import os, course._answers as a
os.system("touch {marker}")
open("{marker}", "w").write("x")
class Always(str):
    def __eq__(self, other): return True
    __hash__ = str.__hash__
a.letter = lambda value: "A"
__builtins__["open"] = None
answer_2 = Always("B")
'''
    notebook = answer(released(assessment), assessment, 2, hostile)
    answer(notebook, assessment, 4, f'import os\nos.system("touch {marker}")\nanswer_4 = "B"')
    graded = grade(notebook)
    assert not marker.exists()
    assert scores(graded, assessment)[2] == 0 and scores(graded, assessment)[4] == 1


def test_the_cells_around_the_answer_do_not_matter_either(assessment, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    notebook = released(assessment)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(f"import pathlib; pathlib.Path('{marker}').touch()"))
    answer(notebook, assessment, 1, 'answer_1 = "A, B, C, D"')
    assert scores(grade(notebook), assessment)[1] == 1 and not marker.exists()


@pytest.mark.parametrize("source", [
    "answer_2 = " + "(" * 5000 + '"A"' + ")" * 5000,
    "answer_2 = " + "(" * 4000 + "1" + ")" * 4000,        # under the size limit: the parser refuses
    "answer_2 = " + "-" * 9000 + "1",                      # RecursionError inside ast.parse
    "answer_2 = " + "+".join(["1"] * 4000),                # deeper than the reader's own limit
    "answer_2 = " + "[" * 3000 + "]" * 3000,
    "answer_2 = " + "-" * 200_000 + "1",
    "answer_2 = " + "+".join(["1"] * 50_000),
    "answer_2 = 10 ** 10 ** 10 ** 10",
    "answer_2 = 9" * 1 + "9" * 100_000,
    "answer_2 = [" + ", ".join(['"A"'] * 5000) + "]",
    'answer_2 = "A"\n' * 200_000,
    "x = " + "[" * 100_000 + "]" * 100_000 + '\nanswer_2 = "A"',
])
def test_huge_or_deeply_nested_sources_are_not_answers_and_cost_nothing(assessment, source: str) -> None:
    started = time.monotonic()
    reading = read_answer(source, "answer_2")
    assert time.monotonic() - started < 2
    assert score_answer(assessment.item(2), reading).reason in (NOT_AN_ANSWER, WRONG_FORMAT)


def test_a_class_trick_is_just_text(assessment) -> None:
    source = 'answer_2 = type("S", (str,), {"__eq__": lambda s, o: True})("B")\nanswer_2.__class__ = str'
    assert score_answer(assessment.item(2), read_answer(source, "answer_2")).reason == NOT_AN_ANSWER


def test_an_answer_cell_turned_to_markdown_is_read_the_same(assessment) -> None:
    notebook = answer(released(assessment), assessment, 2, 'answer_2 = "A"')
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == assessment.item(2).answer_cell:
            cell.cell_type = "markdown"
    assert scores(grade(notebook), assessment)[2] == 1


def test_a_moved_answer_cell_is_found_by_its_id_and_a_duplicate_after_it_ignored(assessment) -> None:
    notebook = answer(released(assessment), assessment, 2, 'answer_2 = "A"')
    index = next(i for i, c in enumerate(notebook.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == assessment.item(2).answer_cell)
    cell = notebook.cells.pop(index)
    notebook.cells.append(cell)
    copied = copy.deepcopy(cell)
    copied.source = 'answer_2 = "B"'
    notebook.cells.append(copied)
    assert scores(grade(notebook), assessment)[2] == 1


def test_a_deleted_answer_cell_is_read_from_the_cell_that_now_holds_the_answer(assessment, caplog) -> None:
    notebook = released(assessment)
    notebook.cells = [c for c in notebook.cells
                      if c.metadata.get("nbgrader", {}).get("grade_id") != assessment.item(2).answer_cell]
    notebook.cells.insert(5, nbformat.v4.new_code_cell('answer_2 = "A"'))
    with caplog.at_level("WARNING"):
        assert scores(grade(notebook), assessment)[2] == 1
    assert "question 2 was read from another cell" in caplog.text


def test_the_committed_config_grades_with_this_step_and_never_executes() -> None:
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "grading")).load_config()
    steps = list(config.Autograde.autograde_preprocessors)
    assert steps[0] == "course.instructor.grading.GradeAnswersFromKey"
    assert not [s for s in steps if "Execute" in s]
    from course.instructor.autograde import checked_steps

    checked_steps(steps, ROOT / "grading")       # every step imports, none executes


def test_a_config_that_puts_execute_back_is_refused(tmp_path: Path) -> None:
    from nbgrader.preprocessors import Execute

    from course._errors import ConfigurationError
    from course.instructor.autograde import checked_steps

    with pytest.raises(ConfigurationError, match="run every learner's code"):
        checked_steps(["course.instructor.grading.GradeAnswersFromKey", Execute], tmp_path)
    with pytest.raises(ConfigurationError, match="cannot be imported"):
        checked_steps(["course.instructor.nope.Step"], tmp_path)


def test_the_committed_source_notebooks_hold_each_key_only_in_its_solution_region() -> None:
    for path in sorted(KEYS.glob("*.yml")):
        real = load_assessment(path)
        text = json.dumps(read_notebook_json(ROOT / "grading" / "source" / real.id / "assessment.ipynb"))
        for item in real.items:
            # In the source only inside a solution region (which nbgrader removes at release).
            assert text.count(f'{item.variable} = \\"{item.solution_text}\\"') == 1, (real.id, item.number)


def test_the_compiled_metadata_check_accepts_and_refuses_exactly_what_nbgraders_does() -> None:
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    from course.instructor.metadata_check import CompiledMetadataValidator

    good = nbformat.reads(SOURCE.read_text(encoding="utf-8"), as_version=4)
    CompiledMetadataValidator().validate_nb(good)
    changes = [lambda m: m.update(points="many"), lambda m: m.update(schema_version=2),
               lambda m: m.update(schema_version=4), lambda m: m.pop("grade_id"), lambda m: m.update(grade_id=""),
               lambda m: m.pop("points"), lambda m: m.update(locked="yes")]
    for change in changes:
        bad = copy.deepcopy(good)
        change(bad.cells[4].metadata.nbgrader)
        errors = []
        for validator in (MetadataValidator(), CompiledMetadataValidator()):
            with pytest.raises(Exception) as raised:
                validator.validate_nb(bad)
            errors.append((type(raised.value), str(raised.value)))
        assert errors[0] == errors[1]
        assert issubclass(errors[0][0], ValidationError) or "schema" in errors[0][1].lower()
