"""course.instructor.intake: learner ids, the layouts it accepts, and the checks on each file.
(The full batch through intake and autograde is in test_instructor_pipeline.py.)"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from course._errors import ConfigurationError, SubmissionError
from course.instructor.intake import (
    assign_safe_ids,
    check_assessment,
    find_submissions,
    read_submission,
    repair,
    safe_learner_id,
)


@pytest.mark.parametrize("given,safe", [
    ("jane.doe", "jane.doe"),
    ("Sam Lee", "Sam_Lee"),
    ("../../etc/passwd", "etc_passwd"),
    ("..hidden", "hidden"),
    ("a..b", "a.b"),
    ("bell\x07ring", "bellring"),
    ("tab\there", "tab_here"),
    ("back\\slash", "back_slash"),
    ("star*?[x]", "star_x_"),
    ("", "learner"),
    ("...", "learner"),
    ("Zoë Ångström", "Zoë_Ångström"),
])
def test_safe_learner_id(given: str, safe: str) -> None:
    assert safe_learner_id(given) == safe


def test_safe_ids_never_separate_paths_or_start_with_a_dot() -> None:
    for given in ("/abs/path", "..", ".", "a/../../b", "\x00x", " .x", "-x"):
        safe = safe_learner_id(given)
        assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
        assert all(ord(ch) >= 32 for ch in safe)


def test_colliding_ids_get_a_suffix_and_repeats_keep_theirs() -> None:
    assert assign_safe_ids(["Sam Lee", "Sam_Lee", "Sam Lee", "Sam  Lee"]) == {
        "Sam Lee": "Sam_Lee", "Sam_Lee": "Sam_Lee_2", "Sam  Lee": "Sam_Lee_3"}


def write(path: Path, text: str = "{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_finds_flat_files_learner_folders_and_skips_system_junk(tmp_path: Path) -> None:
    write(tmp_path / "ann.ipynb")
    write(tmp_path / "bob" / "my work.ipynb")
    write(tmp_path / "bob" / ".ipynb_checkpoints" / "my work-checkpoint.ipynb")
    write(tmp_path / "cat" / "assessment.ipynb")
    write(tmp_path / "cat" / "scratch.ipynb")
    write(tmp_path / ".DS_Store")
    write(tmp_path / "notes.pdf")
    found = {c.file.relative_to(tmp_path).as_posix(): (c.given_id, c.problem) for c in find_submissions(tmp_path)}
    assert found == {
        "ann.ipynb": ("ann", ""),
        "bob/my work.ipynb": ("bob", ""),
        "cat/assessment.ipynb": ("cat", ""),          # the one named assessment.ipynb wins
        "notes.pdf": ("notes", "is not a notebook (.ipynb) file"),
    }


def test_id_pattern_reads_lms_download_names(tmp_path: Path) -> None:
    write(tmp_path / "Jane Doe_123456_assignsubmission_file_assessment.ipynb")
    write(tmp_path / "Ali Khan_654321_assignsubmission_file_" / "assessment.ipynb")
    write(tmp_path / "stray.ipynb")
    found = {c.file.name if c.file.parent == tmp_path else c.file.parent.name: (c.given_id, c.problem)
             for c in find_submissions(tmp_path, r"^(?P<id>[^_]+)_\d+_assignsubmission")}
    assert found["Jane Doe_123456_assignsubmission_file_assessment.ipynb"] == ("Jane Doe", "")
    assert found["Ali Khan_654321_assignsubmission_file_"] == ("Ali Khan", "")
    assert found["stray.ipynb"] == (None, "its name does not match --id-pattern")


def test_a_bad_id_pattern_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not a valid regular expression"):
        find_submissions(tmp_path, "(unclosed")


@pytest.mark.parametrize("content,reason", [
    ("", "empty"),
    ('{"cells": [', "not valid notebook JSON"),
    ("[1, 2]", "not a Jupyter notebook"),
    ('{"nbformat": 3, "worksheets": []}', "format 3"),
])
def test_read_submission_rejects_with_a_reason(tmp_path: Path, content: str, reason: str) -> None:
    with pytest.raises(SubmissionError, match=reason):
        read_submission(write(tmp_path / "x.ipynb", content), max_bytes=10_000_000)


def test_read_submission_checks_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.ipynb"
    with path.open("wb") as stream:
        stream.truncate(3_000_000)             # sparse: no 3 MB written, but that is its size
    with pytest.raises(SubmissionError, match=r"3\.0 MB, over the 2 MB limit"):
        read_submission(path, max_bytes=2_000_000)


def cell(grade_id: str, cell_id: str) -> dict:
    return {"cell_type": "code", "id": cell_id, "metadata": {"nbgrader": {"grade_id": grade_id}},
            "source": "", "outputs": [], "execution_count": None}


def test_repair_sets_aside_copied_question_cells_and_renews_duplicate_ids() -> None:
    notebook = {"nbformat": 4, "nbformat_minor": 5,
                "cells": [cell("q1", "a"), cell("q1", "a"), cell("q2", "b"),
                          {"cell_type": "markdown", "id": "b", "metadata": {"nbgrader": {}}, "source": ""}]}
    repairs = repair(notebook)
    assert repairs == ["1 copied question cell set aside", "2 duplicated or missing cell ids renewed"]
    assert "nbgrader" in notebook["cells"][0]["metadata"] and "nbgrader" not in notebook["cells"][1]["metadata"]
    assert "nbgrader" not in notebook["cells"][3]["metadata"]         # an emptied entry breaks nbgrader
    assert len({c["id"] for c in notebook["cells"]}) == 4
    assert repair(notebook) == []                                      # nothing left to repair


def test_check_assessment_names_the_assessment_a_wrong_notebook_belongs_to() -> None:
    notebook = {"metadata": {}, "cells": [cell("m02_q1_test", "x")]}
    with pytest.raises(SubmissionError, match="assessment 02_quality"):
        check_assessment(notebook, "01_exosome_biology", {"m01_q1_test"},
                         {"02_quality_and_contamination": {"m02_q1_test"}})
    declared = {"metadata": {"exocourse": {"assessment": "03_regulation_and_warnings"}},
                "cells": [cell("m01_q1_test", "x")]}
    with pytest.raises(SubmissionError, match="03_regulation"):
        check_assessment(declared, "01_exosome_biology", {"m01_q1_test"}, {})
    check_assessment({"metadata": {}, "cells": [cell("m01_q1_test", "x")]}, "01_exosome_biology",
                     {"m01_q1_test"}, {})


def test_intake_of_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    from course.instructor.intake import intake
    from tests.instructor_course import make_course

    course = make_course(tmp_path / "course")
    with pytest.raises(ConfigurationError, match="does not exist"):
        intake(course, tmp_path / "nowhere", "01")
    with pytest.raises(ConfigurationError, match="no assessment '99'"):
        intake(course, tmp_path, "99")
    assert json.loads((course.source_notebook("01_exosome_biology")).read_text())["nbformat"] == 4
