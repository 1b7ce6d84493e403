"""The graded assessments follow the blueprint, and work for a learner who is not a programmer.

Blueprint (COURSE_DESIGN): per module 01–05, six to ten autograded items (single choice
with at least three options, multiple select, numeric with tolerance) and one manually
graded reflection; every item names an objective of its module; every objective is
assessed; no item repeats a formative question.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from course.instructor.assessments import (
    HIDDEN_BEGIN,
    SOLUTION_BEGIN,
    cell_text,
    load_assessment,
    nbgrader_meta,
    read_notebook_json,
    solutions,
)
from tests.conftest import ROOT

SOURCE = ROOT / "grading" / "source"
ASSESSMENTS = ["01_exosome_biology", "02_quality_and_contamination", "03_regulation_and_warnings",
               "04_case_studies", "05_duty_of_care"]


def source(assessment_id: str) -> Path:
    return SOURCE / assessment_id / "assessment.ipynb"


def words(text: str) -> str:
    text = re.sub(r"\[@[^\]]+\]", " ", text)
    text = re.sub(r"[*_`#>]|\*\(objective [\d.]+\)\*", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def test_there_is_one_assessment_per_assessed_module() -> None:
    from course._syllabus import load_syllabus

    assessed = [m.slug for m in load_syllabus().modules if m.assessed]
    assert assessed == ASSESSMENTS
    assert sorted(p.parent.name for p in SOURCE.glob("*/assessment.ipynb")) == ASSESSMENTS


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_blueprint_item_count_and_types(assessment_id: str) -> None:
    assessment = load_assessment(source(assessment_id))
    assert 6 <= len(assessment.items) <= 10
    kinds = [item.kind for item in assessment.items]
    assert {"letter", "letters", "number"} <= set(kinds)
    for item in assessment.items:
        if item.is_choice:
            assert len(item.choices) >= 3, f"Q{item.number} has fewer than three options"
        assert item.points == 1
    assert [item.number for item in assessment.items] == list(range(1, len(assessment.items) + 1))


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_one_manually_graded_reflection(assessment_id: str) -> None:
    notebook = read_notebook_json(source(assessment_id))
    manual = [c for c in notebook["cells"] if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution")]
    assert len(manual) == 1 and manual[0]["cell_type"] == "markdown"
    assert nbgrader_meta(manual[0])["points"] >= 1
    assessment = load_assessment(source(assessment_id))
    assert assessment.reflection is not None and "marked by your course team" in assessment.reflection.prompt
    assert "You will be marked on" in assessment.reflection.prompt          # the rubric, for the learner
    assert "Marking guide for the course team" in cell_text(manual[0])       # and in full, for the marker


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_every_item_names_an_objective_of_its_module_and_every_objective_is_assessed(assessment_id: str) -> None:
    from course._syllabus import load_syllabus

    assessment = load_assessment(source(assessment_id))
    module = load_syllabus().module(assessment.module)
    objectives = {o.id for o in module.objectives}
    for item in assessment.items:
        assert item.objective in objectives
        assert f"*(objective {item.objective})*" in item.prompt
    assert assessment.reflection is not None and assessment.reflection.objective in objectives
    covered = {item.objective for item in assessment.items} | {assessment.reflection.objective}
    assert covered == objectives


def test_no_item_repeats_a_formative_question() -> None:
    from course._questions import load_all_banks

    formative = [words(q.prompt) for bank in load_all_banks() for q in bank.questions]
    assert formative, "the formative banks are empty"
    for assessment_id in ASSESSMENTS:
        for item in load_assessment(source(assessment_id)).items:
            stem = words(item.prompt.split("\n- **A.**")[0].split("\n", 1)[-1])
            for prompt in formative:
                similarity = difflib.SequenceMatcher(None, stem, prompt).ratio()
                assert similarity < 0.7, (assessment_id, item.number, prompt)


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_every_citation_is_a_known_reference(assessment_id: str) -> None:
    from course._references import keys_in_text, load_references

    bibliography = load_references()
    text = "\n".join(cell_text(c) for c in read_notebook_json(source(assessment_id))["cells"])
    keys = keys_in_text(text)
    assert keys
    assert [k for k in keys if k not in bibliography] == []


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_answer_cells_are_one_line_with_options_and_example_above(assessment_id: str) -> None:
    notebook = read_notebook_json(source(assessment_id))
    assessment = load_assessment(source(assessment_id))
    keyed = solutions(source(assessment_id))
    cells = {nbgrader_meta(c).get("grade_id"): c for c in notebook["cells"]}
    for item in assessment.items:
        answer = cell_text(cells[item.answer_cell])
        assert answer.startswith(f'{item.variable} = ""\n{SOLUTION_BEGIN}')
        assert keyed[item.number] not in (None, "")
        example = re.search(rf'`{item.variable} = "([^"]+)"`', item.prompt)
        assert example, f"Q{item.number} shows no example answer line"
        assert example.group(1) != str(keyed[item.number]), f"Q{item.number}'s example is its answer"
        for letter in item.choices:
            assert f"- **{letter}.**" in item.prompt
        test = cell_text(cells[item.test_cell])
        assert test.startswith("from course import check_format\ncheck_format(")
        assert HIDDEN_BEGIN in test


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_source_notebooks_are_committed_without_outputs(assessment_id: str) -> None:
    for cell in read_notebook_json(source(assessment_id))["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


# ---------------------------------------------------------------- executing them, as a learner would

@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory):
    from course.instructor.release import release
    from tests.instructor_course import make_course

    course = make_course(tmp_path_factory.mktemp("assessments") / "course")
    release(course)
    return course


def run_all(path: Path, env_extra: dict[str, str] | None = None):
    import os

    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in (env_extra or {})}
    os.environ.update(env_extra or {})
    try:
        NotebookClient(notebook, timeout=60, kernel_name="python3").execute()   # raises on any error
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return notebook


def outputs_text(notebook) -> str:
    return "\n".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)


@pytest.mark.slow
@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_the_released_notebook_runs_all_and_says_not_answered_yet(released, assessment_id: str) -> None:
    path = released.release_notebook(assessment_id)
    notebook = read_notebook_json(path)
    assessment = load_assessment(source(assessment_id))
    cells = {nbgrader_meta(c).get("grade_id"): c for c in notebook["cells"]}
    for item in assessment.items:
        assert cell_text(cells[item.answer_cell]).strip() == f'{item.variable} = ""'
        assert HIDDEN_BEGIN not in cell_text(cells[item.test_cell])
    assert SOLUTION_BEGIN not in path.read_text(encoding="utf-8")
    executed = run_all(path)
    text = outputs_text(executed)
    assert text.count("not answered yet") == len(assessment.items)
    assert "format OK" not in text


@pytest.mark.slow
@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_the_keyed_answers_pass_every_hidden_test_under_nbgrader_execution(assessment_id: str) -> None:
    # The source notebook holds the keyed answers and the hidden tests: Run All must raise nothing.
    executed = run_all(source(assessment_id), {"NBGRADER_EXECUTION": "autograde"})
    assessment = load_assessment(source(assessment_id))
    assert outputs_text(executed).count("format OK") == len(assessment.items)
