"""course.instructor.autograde: nbgrader's autograde with the key, notes in plain words, the lock."""
from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest

from course.instructor.assessments import load_assessment
from course.instructor.autograde import _notes, autograde, gradebook_lock


def test_notes_say_what_happened_in_plain_words() -> None:
    messages = (
        "Missing grade cell m01_x_check encountered, adding to notebook",
        "Attribute 'checksum' for cell m01_x_check has changed! (should be: a, got: b)",
        "Attribute 'cell_type' for cell m01_x_check has changed! (should be: code, got: markdown)",
        "Cell with id 'm01_x_answer' exists multiple times!",
        "exocourse: question 3 is not an answer",
        "exocourse: question 5 is not an answer",
        "exocourse: question 3 is not an answer",
        "exocourse: question 2 was read from another cell",
        "exocourse: graded cell m01_extra is not in the key",
        "exocourse: restored the grading role of cell m01_x_answer (grade, points)",
        "exocourse: set aside the grading role of a cell the course does not have (mine)",
        "Something nbgrader says that is not news",
    )
    assert _notes(messages) == (
        "a deleted question cell was put back",
        "an edited locked cell was restored from the instructor's copy",
        "a cell whose type was changed was changed back",
        "a copied question cell was set aside",
        "graded cell m01_extra is not in the key (scored 0)",
        "a cell's grading role was changed back to the instructor's",
        "a cell the learner marked for grading was set aside",
        "not an answer (code or unquoted text, scored 0): Q3, Q5",
        "answer cell missing, answer read from another cell: Q2",
    )
    assert _notes(()) == ()


@pytest.fixture(scope="module")
def taken_in(tmp_path_factory: pytest.TempPathFactory):
    from course.instructor.assessments import load_assessment, read_notebook_json, solutions
    from course.instructor.demo import fill_answers
    from course.instructor.intake import intake
    from course.instructor.release import release
    from tests.instructor_course import make_course

    base = tmp_path_factory.mktemp("autograde")
    course = make_course(base / "course")
    assessment_id = "01_exosome_biology"
    release(course, [assessment_id])
    assessment = load_assessment(course.source_notebook(assessment_id))
    right = solutions(course.source_notebook(assessment_id))
    released = read_notebook_json(course.release_notebook(assessment_id))
    inbox = base / "inbox"
    inbox.mkdir()
    for learner, answers in (("ann", right), ("bo", {1: right[1]}), ("cy", {})):
        (inbox / f"{learner}.ipynb").write_text(json.dumps(fill_answers(released, assessment, answers)))
    roles = fill_answers(released, assessment, right)
    for cell in roles["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade_id") == assessment.item(1).answer_cell:
            meta.update(grade=True, points=100)           # would stop nbgrader's OverwriteCells
    roles["cells"].insert(3, {"cell_type": "code", "id": "mine", "execution_count": None, "outputs": [],
                              "source": "x = 1", "metadata": {"nbgrader": {"grade": True, "locked": True,
                                                                           "points": 9, "schema_version": 3,
                                                                           "solution": False}}})
    (inbox / "dee.ipynb").write_text(json.dumps(roles))
    intake(course, inbox, assessment_id)
    return course, assessment_id


@pytest.mark.slow
def test_cells_whose_grading_role_a_learner_changed_are_graded_by_the_instructors_roles(taken_in) -> None:
    course, assessment_id = taken_in
    result = autograde(course, assessment_id, learners=["dee"], progress=None)
    (dee,) = result.learners
    worth = load_assessment(course.source_notebook(assessment_id)).autograded_points
    assert (dee.status, dee.score, dee.max_score) == ("graded", worth, worth), dee.notes
    assert "a cell's grading role was changed back to the instructor's" in dee.notes


@pytest.mark.slow
def test_grading_waits_for_the_gradebook_lock_held_by_another_grader(taken_in) -> None:
    course, assessment_id = taken_in
    finished: list[object] = []

    def grade() -> None:
        finished.append(autograde(course, assessment_id, learners=["ann", "bo", "cy"], progress=None))

    with gradebook_lock(course.root):
        worker = threading.Thread(target=grade)
        worker.start()
        worker.join(timeout=15)                 # ample for three learners: it must still be waiting
        assert worker.is_alive() and not finished, "autograde wrote the gradebook while another grader held the lock"
    worker.join(timeout=120)
    worth = load_assessment(course.source_notebook(assessment_id)).autograded_points
    assert finished and finished[0].scores() == {"ann": worth, "bo": 1.0, "cy": 0.0}  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_course_folder_without_the_key_stops_before_anyone_is_graded(taken_in, tmp_path: Path) -> None:
    import shutil

    from course._errors import ConfigurationError
    from course.instructor.coursedir import open_course

    course, assessment_id = taken_in
    copy = tmp_path / "copy"
    shutil.copytree(course.root, copy, ignore=shutil.ignore_patterns("assessments", "gradebook-location.json"))
    started = time.monotonic()
    with pytest.raises(ConfigurationError, match="There is no key"):
        autograde(open_course(copy, f"sqlite:///{copy / 'gradebook.db'}"), assessment_id, progress=None)
    assert time.monotonic() - started < 30


@pytest.mark.slow
def test_release_refuses_a_source_folder_that_would_hand_out_the_key(tmp_path: Path) -> None:
    from course._errors import ConfigurationError
    from course.instructor.release import release
    from tests.instructor_course import make_course

    course = make_course(tmp_path / "course")
    (course.source_dir / "01_exosome_biology" / "key.yml").write_text(
        (course.root / "assessments" / "01_exosome_biology.yml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="would have given learners part of the key") as refused:
        release(course, ["01"])
    assert "extra files key.yml" in str(refused.value)
    assert not (course.release_dir / "01_exosome_biology").exists()
    (course.source_dir / "01_exosome_biology" / "key.yml").unlink()
    (released,) = release(course, ["01"])
    assert released.items >= 6 and released.autograded_points == released.items and released.manual_points > 0


def _graded_with(course, assessment_id: str, ours: str, step: str, folder: Path, tamper: bool = False):
    """A copy of the taken-in course in ``folder`` with the configured step ``ours`` replaced
    by ``step``, released and autograded (after ``_tampered`` adds its submission)."""
    import shutil

    from course.instructor.coursedir import CONFIG_FILE, open_course
    from course.instructor.release import release

    shutil.copytree(course.root, folder, ignore=shutil.ignore_patterns(
        "autograded", "gradebook.db", "gradebook-location.json", ".gradebook.lock"))
    config = (folder / CONFIG_FILE).read_text(encoding="utf-8")
    assert ours in config
    (folder / CONFIG_FILE).write_text(config.replace(ours, step), encoding="utf-8")
    copy = open_course(folder, f"sqlite:///{folder / 'gradebook.db'}")
    release(copy, [assessment_id])
    if tamper:
        _tampered(copy, assessment_id)
    autograde(copy, assessment_id, progress=None)
    return copy


@pytest.mark.slow
def test_saving_grades_once_per_notebook_records_exactly_what_nbgraders_save_does(taken_in, tmp_path: Path) -> None:
    course, assessment_id = taken_in
    ours_step = "course.instructor.gradebook_steps.SaveAutoGradesOnce"

    def graded_with(save_step: str, folder: Path) -> list[tuple[object, ...]]:
        copy = _graded_with(course, assessment_id, ours_step, save_step, folder)
        with copy.gradebook() as gb:
            return sorted((s.student.id, g.name, g.auto_score, g.needs_manual_grade,
                           next((c.auto_comment for c in n.comments if c.name == g.name), "-"))
                          for s in gb.assignment_submissions(assessment_id) for n in s.notebooks for g in n.grades)

    ours = graded_with(ours_step, tmp_path / "once")
    stock = graded_with("nbgrader.preprocessors.SaveAutoGrades", tmp_path / "stock")
    assert ours == stock and len(ours) > 20


def _tampered(course, assessment_id: str) -> None:
    """A submission with a locked prompt rewritten, a check cell deleted and another one's
    type and points changed, filed beside the others as intake would."""
    from course.instructor.assessments import read_notebook_json

    path = course.root / "submitted" / "ann" / assessment_id / "assessment.ipynb"
    nb = read_notebook_json(path)
    locked = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("locked")]
    checks = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")
              and not c["metadata"]["nbgrader"].get("solution")]
    locked[0]["source"] = "I wrote over the question."
    nb["cells"].remove(checks[0])
    checks[1]["metadata"]["nbgrader"]["points"] = 50
    checks[1]["cell_type"] = "markdown"
    checks[1].pop("outputs", None)
    checks[1].pop("execution_count", None)
    folder = course.root / "submitted" / "eve" / assessment_id
    folder.mkdir(parents=True)
    (folder / "assessment.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (folder / "timestamp.txt").write_text((path.parent / "timestamp.txt").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_restoring_cells_from_cells_read_once_does_exactly_what_nbgraders_overwrite_does(taken_in,
                                                                                        tmp_path: Path) -> None:
    course, assessment_id = taken_in
    ours_step = "course.instructor.gradebook_steps.OverwriteCellsPreloaded"

    def graded_with(step: str, folder: Path) -> tuple[list[tuple[object, ...]], dict[str, str]]:
        copy = _graded_with(course, assessment_id, ours_step, step, folder, tamper=True)
        with copy.gradebook() as gb:
            rows = sorted((s.student.id, g.name, g.auto_score, g.max_score, g.needs_manual_grade)
                          for s in gb.assignment_submissions(assessment_id) for n in s.notebooks for g in n.grades)
        graded = {p.parent.parent.name: json.loads(p.read_text(encoding="utf-8"))
                  for p in (folder / "autograded").glob(f"*/{assessment_id}/assessment.ipynb")}
        for nb in graded.values():
            for cell in nb["cells"]:   # a cell nbgrader puts back gets a new random id
                if re.fullmatch(r"[0-9a-f]{8}", cell.get("id", "")):
                    cell["id"] = "new"
        return rows, graded

    ours_rows, ours_notebooks = graded_with(ours_step, tmp_path / "preloaded")
    stock_rows, stock_notebooks = graded_with("nbgrader.preprocessors.OverwriteCells", tmp_path / "stock")
    assert "eve" in ours_notebooks and "I wrote over the question." not in json.dumps(ours_notebooks["eve"])
    assert ours_rows == stock_rows and len(ours_rows) > 20
    assert ours_notebooks == stock_notebooks
