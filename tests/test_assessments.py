"""The graded assessments: YAML sources the library validates, notebooks generated from them,
and items that follow the blueprint.

Blueprint (COURSE_DESIGN): per module 01–05, six to ten autograded items (single choice
with at least three options, multiple select, numeric with tolerance) and one manually
graded written task; every item names an objective of its module; every objective is
assessed; no item repeats a formative question.
"""
from __future__ import annotations

import copy
import difflib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from course._errors import ContentError
from course.instructor.assessment_notebooks import (
    build_notebook,
    intro_markdown,
    notebook_text,
    stale_notebooks,
    write_notebooks,
)
from course.instructor.assessments import (
    SOLUTION_BEGIN,
    SOLUTION_END,
    cell_text,
    load_assessment,
    nbgrader_meta,
    parse_assessment,
    read_notebook_json,
    solutions,
)
from tests.conftest import ROOT

GRADING = ROOT / "grading"
SOURCE = GRADING / "source"
YAML_DIR = GRADING / "assessments"
SCHEMA = ROOT / "schema" / "assessment.schema.json"
ASSESSMENTS = ["01_exosome_biology", "02_quality_and_contamination", "03_regulation_and_warnings",
               "04_case_studies", "05_duty_of_care"]


def source(assessment_id: str) -> Path:
    return SOURCE / assessment_id / "assessment.ipynb"


def yaml_file(assessment_id: str) -> Path:
    return YAML_DIR / f"{assessment_id}.yml"


def raw(assessment_id: str) -> dict[str, Any]:
    return yaml.safe_load(yaml_file(assessment_id).read_text(encoding="utf-8"))


def words(text: str) -> str:
    text = re.sub(r"\[@[^\]]+\]", " ", text)
    text = re.sub(r"[*_`#>]|\*\(objective [\d.]+\)\*", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


# ---------------------------------------------------------------- sources and generated notebooks

def test_there_is_one_yaml_and_one_generated_notebook_per_assessed_module() -> None:
    from course._syllabus import load_syllabus

    assessed = [m.slug for m in load_syllabus().modules if m.assessed]
    assert assessed == ASSESSMENTS
    assert sorted(p.stem for p in YAML_DIR.glob("*.yml")) == ASSESSMENTS
    assert sorted(p.parent.name for p in SOURCE.glob("*/assessment.ipynb")) == ASSESSMENTS


def test_the_committed_notebooks_are_exactly_what_the_generator_writes() -> None:
    stale = stale_notebooks(GRADING)
    assert stale == [], f"run `make assessments`: {[str(p) for p in stale]} differ from their YAML"


def test_the_drift_check_notices_a_hand_edit_and_make_assessments_repairs_it(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(YAML_DIR, tmp_path / "assessments")
    shutil.copytree(SOURCE, tmp_path / "source")
    notebook = tmp_path / "source" / ASSESSMENTS[1] / "assessment.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("Storage and handling.", "Storage."),
                        encoding="utf-8")
    (tmp_path / "source" / "99_orphan").mkdir()
    (tmp_path / "source" / "99_orphan" / "assessment.ipynb").write_text("{}", encoding="utf-8")
    assert stale_notebooks(tmp_path) == [notebook, tmp_path / "source" / "99_orphan" / "assessment.ipynb"]
    assert write_notebooks(tmp_path) == [notebook]
    assert stale_notebooks(tmp_path) == [tmp_path / "source" / "99_orphan" / "assessment.ipynb"]


def test_every_committed_yaml_validates_against_the_published_schema() -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for assessment_id in ASSESSMENTS:
        errors = [e.message for e in validator.iter_errors(raw(assessment_id))]
        assert errors == [], (assessment_id, errors)


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_generated_notebooks_are_valid_nbformat_without_outputs(assessment_id: str) -> None:
    import nbformat

    notebook = nbformat.reads(source(assessment_id).read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_no_cell_metadata_holds_anything_but_nbgrader_and_locking(assessment_id: str) -> None:
    # nbgrader copies cell metadata into release/: the key must never be there.
    for cell in read_notebook_json(source(assessment_id))["cells"]:
        assert set(cell["metadata"]) <= {"nbgrader", "deletable", "editable"}, cell["metadata"]
        assert set(nbgrader_meta(cell)) <= {"grade", "grade_id", "locked", "schema_version", "solution", "points"}
    assert set(read_notebook_json(source(assessment_id))["metadata"]["exocourse"]) == {"assessment", "module"}


# ---------------------------------------------------------------- the blueprint

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
def test_one_manually_graded_written_task(assessment_id: str) -> None:
    notebook = read_notebook_json(source(assessment_id))
    manual = [c for c in notebook["cells"] if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution")]
    assert len(manual) == 1 and manual[0]["cell_type"] == "markdown"
    assessment = load_assessment(source(assessment_id))
    written = assessment.reflection
    assert written is not None and nbgrader_meta(manual[0])["points"] == written.points >= 1
    assert "marked by your course team" in written.prompt
    assert "You will be marked on" in written.prompt                       # the rubric, for the learner
    assert sum(c.points for c in written.criteria) == written.points
    text = cell_text(manual[0])
    assert "Marking guide for the course team" in text and written.model_answer in text   # in full, for the marker
    assert text.startswith(SOLUTION_BEGIN) and text.endswith(SOLUTION_END)


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
            # The prompt as the learner reads it, up to the options (the measure of issue 4;
            # engineer E's item-quality check replaces it).
            stem = words(item.prompt.split("\n- **A.**")[0].split("\n", 1)[-1])
            for prompt in formative:
                similarity = difflib.SequenceMatcher(None, stem, prompt).ratio()
                assert similarity < 0.7, (assessment_id, item.number, prompt)


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_citations_read_like_a_textbook_with_the_references_listed(assessment_id: str) -> None:
    from course._references import anchor, keys_in_text, load_references

    bibliography = load_references()
    assessment = load_assessment(source(assessment_id))
    seen_by_learner = "\n".join([assessment.notice, *(i.prompt for i in assessment.items),
                                  assessment.reflection.prompt if assessment.reflection else ""])
    keys = keys_in_text(seen_by_learner)
    assert keys and [k for k in keys if k not in bibliography] == []
    cells = read_notebook_json(source(assessment_id))["cells"]
    assert not [c for c in cells if "[@" in cell_text(c)], "a raw citation key is left for learners to read"
    references = next(cell_text(c) for c in cells if nbgrader_meta(c).get("grade_id", "").endswith("_references"))
    for key in keys:
        assert f'<a id="{anchor(key)}"></a>' in references
        assert f"](#{anchor(key)})" in "\n".join(cell_text(c) for c in cells)


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_answer_cells_are_one_line_with_the_key_in_a_solution_region(assessment_id: str) -> None:
    notebook = read_notebook_json(source(assessment_id))
    assessment = load_assessment(source(assessment_id))
    keyed = solutions(source(assessment_id))
    cells = {nbgrader_meta(c).get("grade_id"): c for c in notebook["cells"]}
    for item in assessment.items:
        answer = cell_text(cells[item.answer_cell])
        assert answer == (f'{item.variable} = ""\n{SOLUTION_BEGIN}\n{item.variable} = '
                          f'{json.dumps(keyed[item.number])}\n{SOLUTION_END}')
        assert keyed[item.number] not in (None, "")
        example = re.search(rf'`{item.variable} = "([^"]+)"`', item.prompt)
        assert example, f"Q{item.number} shows no example answer line"
        assert example.group(1) != str(keyed[item.number]), f"Q{item.number}'s example is its answer"
        for letter in item.choices:
            assert f"- **{letter}.**" in item.prompt
        visible = cell_text(cells[item.test_cell]).split("\n### BEGIN HIDDEN TESTS")[0]
        assert visible == (f'from course import check_format\ncheck_format("{item.variable}", kind="{item.kind}"'
                           + (f', choices="{item.choices}"' if item.choices else "") + f', example="{item.example}")')
        assert nbgrader_meta(cells[item.test_cell]) | {} == {
            "grade": True, "grade_id": item.test_cell, "locked": True, "points": 1, "schema_version": 3,
            "solution": False}


@pytest.mark.parametrize("assessment_id", ASSESSMENTS)
def test_the_notebook_opens_with_the_answer_sheet_and_ends_with_check_my_answers(assessment_id: str) -> None:
    cells = read_notebook_json(source(assessment_id))["cells"]
    assessment = load_assessment(source(assessment_id))
    first_code = next(c for c in cells if c["cell_type"] == "code")
    assert nbgrader_meta(first_code)["locked"] and "answer_sheet(" in cell_text(first_code)
    for item in assessment.items:
        assert f'{item.variable}="{item.kind}' in cell_text(first_code)
    assert cell_text(cells[-1]).endswith("check_my_answers()") and nbgrader_meta(cells[-1])["locked"]


def test_the_pass_mark_in_the_introduction_follows_the_syllabus(pass_mark_60: float) -> None:
    from course._syllabus import load_syllabus

    assessment = load_assessment(source(ASSESSMENTS[0]))
    text = intro_markdown(assessment)
    assert f"**{load_syllabus().module('01').pass_percent} of the question marks**" in text
    assert "60 %" in text and "80 %" not in text


def test_the_committed_introductions_quote_the_syllabus_pass_mark() -> None:
    from course._syllabus import load_syllabus

    for assessment_id in ASSESSMENTS:
        intro = cell_text(read_notebook_json(source(assessment_id))["cells"][0])
        assert f"**{load_syllabus().module(assessment_id).pass_percent} of the question marks**" in intro


# ---------------------------------------------------------------- the model other tools read

def test_load_assessment_reads_the_yaml_behind_a_source_or_release_notebook(tmp_path: Path) -> None:
    by_yaml = load_assessment(yaml_file(ASSESSMENTS[1]))
    assert load_assessment(source(ASSESSMENTS[1])) == by_yaml
    release = tmp_path / "release" / ASSESSMENTS[1] / "assessment.ipynb"
    with pytest.raises(ContentError, match="does not exist") as raised:
        load_assessment(release)
    assert raised.value.file == str(tmp_path / "assessments" / f"{ASSESSMENTS[1]}.yml")
    item = by_yaml.item(5)
    assert (item.id, item.kind, item.answer, item.tolerance, item.solution_text) == (
        "particle-protein-ratio", "number", 4e10, 2e9, "4e10")
    assert by_yaml.item(1).correct_letters == frozenset("ABDE") and by_yaml.item(1).solution_text == "A, B, D, E"
    assert by_yaml.item_for_check_cell(item.test_cell) == item and by_yaml.item_for_check_cell("nope") is None


def test_asking_for_a_question_that_does_not_exist_is_a_content_error() -> None:
    with pytest.raises(ContentError, match="question 99.*does not exist"):
        load_assessment(yaml_file(ASSESSMENTS[0])).item(99)


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw(ASSESSMENTS[1]))
    change(data)
    return data


def _set(mapping: dict[str, Any], key: str, value: Any) -> None:
    mapping[key] = value


BROKEN = [
    ("unknown field", lambda d: _set(d["items"][0], "anwser", 3), "question 1 (batch-variation)", "unknown field"),
    ("id not the file name", lambda d: _set(d, "id", "02_other"), None, "the file is named"),
    ("objective of another module", lambda d: _set(d["items"][1], "objective", "3.1"), "question 2", "objective"),
    ("bad kind", lambda d: _set(d["items"][1], "kind", "choice"), "question 2", "kind"),
    ("two keyed options on single choice", lambda d: _set(d["items"][1]["options"][2], "correct", True),
     "question 2", "2 options marked correct"),
    ("no keyed option", lambda d: [o.pop("correct", None) for o in d["items"][0]["options"]], "question 1",
     "no option marked correct"),
    ("too few options", lambda d: _set(d["items"][1], "options", d["items"][1]["options"][:2]), "question 2",
     "at least three"),
    ("example gives the answer", lambda d: _set(d["items"][1], "example", "A"), "question 2", "keyed answer"),
    ("example in the wrong format", lambda d: _set(d["items"][1], "example", "A, B"), "question 2",
     "could not copy"),
    ("number without tolerance", lambda d: d["items"][4].pop("tolerance"), "question 5", "tolerance"),
    ("number that is not one", lambda d: _set(d["items"][4], "answer", "forty"), "question 5", "not a number"),
    ("options on a number", lambda d: _set(d["items"][4], "options", [{"text": "x"}] * 3), "question 5", "options"),
    ("answer on a choice item", lambda d: _set(d["items"][1], "answer", 3), "question 2", "`answer`"),
    ("duplicate id", lambda d: _set(d["items"][2], "id", "batch-variation"), "question 3", "repeats the id"),
    ("bad id", lambda d: _set(d["items"][2], "id", "Q 3"), "question 3", "id"),
    ("unknown citation", lambda d: _set(d["items"][2], "prompt", "Which? [@nobody2099]"), "question 3",
     "unknown reference key"),
    ("no points", lambda d: d["items"][2].pop("points"), "question 3", "points"),
    ("criteria do not add up", lambda d: _set(d["written"]["criteria"][0], "points", 3), "written", "add up"),
    ("no model answer", lambda d: d["written"].pop("model_answer"), "written", "model_answer"),
    ("no items", lambda d: _set(d, "items", []), None, "no `items`"),
]


@pytest.mark.parametrize("name,change,item,problem", BROKEN, ids=[b[0] for b in BROKEN])
def test_an_authoring_slip_is_a_content_error_naming_file_item_and_fix(name: str, change: Any, item: str | None,
                                                                       problem: str) -> None:
    path = yaml_file(ASSESSMENTS[1])
    with pytest.raises(ContentError) as raised:
        parse_assessment(_broken(change), path)
    error = raised.value
    assert error.file == str(path)
    assert (error.item or "").startswith(item) if item else error.item in (None, "notice")
    assert problem in error.problem, error
    assert error.fix


SCHEMA_CATCHES = ["unknown field", "bad kind", "two keyed options on single choice", "no keyed option",
                  "too few options", "number without tolerance", "options on a number", "answer on a choice item",
                  "bad id", "no points", "no model answer", "no items"]


@pytest.mark.parametrize("name", SCHEMA_CATCHES)
def test_the_schema_rejects_what_an_editor_can_catch(name: str) -> None:
    import jsonschema

    change = next(b[1] for b in BROKEN if b[0] == name)
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(_broken(change))), f"the schema accepts: {name}"


def test_yaml_reads_4e10_as_text_and_the_loader_still_takes_it_as_a_number() -> None:
    data = _broken(lambda d: _set(d["items"][4], "answer", "4e10"))
    assert parse_assessment(data, yaml_file(ASSESSMENTS[1])).item(5).answer == 4e10


def test_the_stock_nbgrader_variant_adds_executable_hidden_tests_for_the_benchmark_only() -> None:
    assessment = load_assessment(yaml_file(ASSESSMENTS[1]))
    stock = notebook_text(build_notebook(assessment, hidden_tests=True))
    assert stock.count("### BEGIN HIDDEN TESTS") == len(assessment.items)
    assert "assert close(answer_5, 40000000000.0, tolerance=2000000000.0)" in stock


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
    text_of_release = path.read_text(encoding="utf-8")
    assert SOLUTION_BEGIN not in text_of_release and "HIDDEN TESTS" not in text_of_release
    assert sorted(p.name for p in path.parent.iterdir()) == ["assessment.ipynb"]
    executed = run_all(path)
    text = outputs_text(executed)
    # Each check cell says so, and "Check my answers" lists every question once more.
    assert text.count("not answered yet") == 2 * len(assessment.items)
    assert f"{len(assessment.items)} of {len(assessment.items)} questions need your attention" in text
    assert "format OK" not in text
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type in ("error", "execute_result")]
