"""course.instructor.intake: what an LMS really gives, taken in without traps.

Canvas and Moodle downloads (folders and zips, built by tests/lms_downloads.py with those
LMSs' own naming rules), two learners sharing a name, resubmissions in later batches,
late flags, hostile JSON shapes and hostile zips in one batch with good files after them,
and edited as well as deleted check cells. (The full batch through intake and grading is
in test_instructor_pipeline.py.)
"""
from __future__ import annotations

import copy
import json
import os
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from course._errors import ConfigurationError, SubmissionError
from course.instructor.coursedir import CourseDir
from course.instructor.intake import (
    ACCEPTED,
    REJECTED,
    TIMESTAMP_FILE,
    Candidate,
    IntakeResult,
    check_assessment,
    find_submissions,
    intake,
    lateness,
    read_submission,
    repair,
    safe_learner_id,
)
from course.instructor.learner_ids import IDS_FILE, LearnerIds
from course.instructor.lms import recognise
from tests.instructor_course import make_course, snapshot
from tests.lms_downloads import CanvasSubmission, MoodleSubmission, canvas_name, write_canvas, write_moodle

ASSESSMENT = "01_exosome_biology"


@pytest.fixture
def course(tmp_path: Path) -> CourseDir:
    return make_course(tmp_path / "course")


def notebook(course: CourseDir, assessment: str = ASSESSMENT) -> dict[str, Any]:
    """A complete copy of the assessment (its source notebook passes every intake check)."""
    return json.loads(course.source_notebook(assessment).read_text(encoding="utf-8"))


def nb_bytes(course: CourseDir, **changes: Any) -> bytes:
    return json.dumps({**notebook(course), **changes}).encode()


def by_file(result: IntakeResult) -> dict[str, Any]:
    return {e.shown: e for e in result.entries}


# ---------------------------------------------------------------- learner ids

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


# ---------------------------------------------------------------- recognising LMS names

def test_canvas_names_are_read_as_canvas_gives_them() -> None:
    late = CanvasSubmission("Doe, Jane", 12345, 67890, "assessment-1.ipynb", b"", late=True)
    assert canvas_name(late) == "doejane_LATE_12345_67890_assessment-1.ipynb"
    name = recognise(canvas_name(late), ASSESSMENT)
    assert name is not None and (name.lms, name.key, name.lms_id, name.late) == ("canvas", "canvas:12345", "12345", True)
    anonymous = CanvasSubmission("Doe, Jane", 1, 2, "assessment.ipynb", b"", anonymous_id="Xy12Z")
    name = recognise(canvas_name(anonymous), ASSESSMENT)
    assert name is not None and name.anonymous and name.key == f"canvas-anon:{ASSESSMENT}:Xy12Z"


def test_moodle_names_keep_the_participant_id_per_assignment() -> None:
    for path in ("Jane Doe_1234567_assignsubmission_file/assessment.ipynb",
                 "Jane Doe_1234567_assignsubmission_file_assessment.ipynb"):
        name = recognise(path, ASSESSMENT)
        assert name is not None and (name.lms, name.display_name, name.lms_id) == ("moodle", "Jane Doe", "1234567")
        assert name.key == f"moodle:{ASSESSMENT}:1234567" and name.per_assessment
    blind = recognise("Participant_7654321_assignsubmission_file/x.ipynb", ASSESSMENT)
    assert blind is not None and blind.anonymous
    assert recognise("Sam Lee.ipynb", ASSESSMENT) is None


def write(path: Path, text: str | bytes = "{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)  # type: ignore[operator]
    return path


def test_plain_layouts_and_system_junk(tmp_path: Path) -> None:
    write(tmp_path / "ann.ipynb")
    write(tmp_path / "bob" / "my work.ipynb")
    write(tmp_path / "bob" / ".ipynb_checkpoints" / "my work-checkpoint.ipynb")
    write(tmp_path / "cat" / "assessment.ipynb")
    write(tmp_path / "cat" / "scratch.ipynb")
    write(tmp_path / "__MACOSX" / "._ann.ipynb")
    write(tmp_path / ".DS_Store")
    write(tmp_path / "notes.pdf")
    found = {c.file.relative: (c.given_id, c.problem) for c in find_submissions(tmp_path)}
    assert found == {
        "ann.ipynb": ("ann", ""),
        "bob/my work.ipynb": ("bob", ""),
        "cat/assessment.ipynb": ("cat", ""),          # the one named assessment.ipynb wins
        "notes.pdf": ("notes", "is not a notebook (.ipynb) file"),
    }


def test_id_pattern_for_other_names_with_a_timestamp_group(tmp_path: Path) -> None:
    write(tmp_path / "ps1_ann_attempt_2026-12-01-17-05-00_x.ipynb")
    write(tmp_path / "stray.ipynb")
    found = {c.file.relative: (c.given_id, c.problem)
             for c in find_submissions(tmp_path, r"_(?P<student_id>[a-z]+)_attempt_(?P<timestamp>[\d-]+)_")}
    assert found["ps1_ann_attempt_2026-12-01-17-05-00_x.ipynb"] == ("ann", "")
    assert found["stray.ipynb"] == (None, "its name does not match --id-pattern")
    with pytest.raises(ConfigurationError, match="not a valid regular expression"):
        find_submissions(tmp_path, "(unclosed")


# ---------------------------------------------------------------- Canvas and Moodle downloads

def canvas_batch(course: CourseDir) -> list[CanvasSubmission]:
    good = nb_bytes(course)
    return [
        CanvasSubmission("Doe, Jane", 1001, 5001, "assessment.ipynb", good),
        CanvasSubmission("Doe, Jane", 1002, 5002, "assessment-1.ipynb", good, late=True),  # another Jane, resubmitted
        CanvasSubmission("Lee, Sam", 1003, 5003, "My Assessment (2).ipynb", good),
    ]


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_canvas_download_keeps_two_jane_does_apart_and_flags_canvas_late(course: CourseDir, tmp_path: Path,
                                                                           as_zip: bool) -> None:
    download = write_canvas(tmp_path / "canvas", canvas_batch(course), as_zip)
    before = snapshot(download.parent, skip=course.root)
    result = intake(course, download, "01")
    assert sorted(result.learners) == ["doejane", "doejane_2", "leesam"]
    entries = {e.learner: e for e in result.entries}
    assert entries["doejane_2"].late is True and "Canvas marked it late" in entries["doejane_2"].line()
    assert entries["doejane"].late is False and "LATE" not in entries["doejane"].line()
    ids = LearnerIds.load(course.root)
    assert ids.keys == {"canvas:1001": "doejane", "canvas:1002": "doejane_2", "canvas:1003": "leesam"}
    assert ids.learners["doejane_2"]["lms_id"] == "1002"
    assert (course.submitted_notebook("leesam", ASSESSMENT).parent / TIMESTAMP_FILE).exists()
    assert snapshot(download.parent, skip=course.root) == before          # the download is never changed


@pytest.mark.parametrize("as_zip,folders", [(False, True), (True, True), (True, False)],
                         ids=["folders", "zip-of-folders", "zip-flat"])
def test_a_moodle_download_keeps_participant_ids_so_two_jane_does_stay_two(course: CourseDir, tmp_path: Path,
                                                                           as_zip: bool, folders: bool) -> None:
    good = nb_bytes(course)
    submissions = [MoodleSubmission("Jane Doe", 111, {"assessment.ipynb": good}),
                   MoodleSubmission("Jane Doe", 222, {"assessment.ipynb": good}),
                   MoodleSubmission("", 333, {"work.ipynb": good}, blind=True)]
    download = write_moodle(tmp_path / "moodle", submissions, as_zip, folders)
    result = intake(course, download, "01")
    assert sorted(result.learners) == ["Jane_Doe", "Jane_Doe_2", "Participant_333"]
    assert {e.late for e in result.entries} == {None}                    # Moodle gives no submission time
    assert "check lateness in Moodle" in result.due_note
    assert LearnerIds.load(course.root).keys[f"moodle:{ASSESSMENT}:222"] == "Jane_Doe_2"


def test_a_resubmission_in_a_later_batch_keeps_its_learner_and_never_shifts_ids(course: CourseDir,
                                                                                 tmp_path: Path) -> None:
    good = nb_bytes(course)
    first = write_moodle(tmp_path / "batch1", [MoodleSubmission("Jane Doe", 111, {"a.ipynb": good}),
                                                MoodleSubmission("Jane Doe", 222, {"a.ipynb": good})], False)
    intake(course, first, "01")
    original = course.submitted_notebook("Jane_Doe", ASSESSMENT).read_bytes()
    changed = json.loads(good)
    changed["metadata"]["resubmitted"] = True
    second = write_moodle(tmp_path / "batch2", [MoodleSubmission("Jane Doe", 222,
                                                                 {"a.ipynb": json.dumps(changed).encode()})], False)
    result = intake(course, second, "01")
    (entry,) = result.entries
    assert entry.learner == "Jane_Doe_2" and entry.replaced
    assert course.submitted_notebook("Jane_Doe", ASSESSMENT).read_bytes() == original   # the other Jane untouched
    filed = json.loads(course.submitted_notebook("Jane_Doe_2", ASSESSMENT).read_text())
    assert filed["metadata"]["resubmitted"] is True


def test_plain_names_that_collide_keep_their_suffix_in_every_batch(course: CourseDir, tmp_path: Path) -> None:
    good = nb_bytes(course)
    write(tmp_path / "b1" / "Sam Lee.ipynb", good)
    write(tmp_path / "b1" / "Sam_Lee.ipynb", good)
    first = intake(course, tmp_path / "b1", "01")
    assert {e.given_id: e.learner for e in first.entries} == {"Sam Lee": "Sam_Lee", "Sam_Lee": "Sam_Lee_2"}
    write(tmp_path / "b2" / "Sam_Lee.ipynb", good)                       # only the second Sam resubmits
    (entry,) = intake(course, tmp_path / "b2", "01").entries
    assert entry.learner == "Sam_Lee_2" and entry.replaced


def test_a_moodle_learner_is_linked_across_assessments_by_name_unless_that_is_ambiguous(course: CourseDir,
                                                                                         tmp_path: Path) -> None:
    first = write_moodle(tmp_path / "m01", [MoodleSubmission("Ann Khan", 111, {"a.ipynb": nb_bytes(course)})], False)
    intake(course, first, "01")
    other = json.dumps(notebook(course, "02_quality_and_contamination")).encode()
    second = write_moodle(tmp_path / "m02", [MoodleSubmission("Ann Khan", 987, {"a.ipynb": other})], False)
    (entry,) = intake(course, second, "02").entries
    assert entry.learner == "Ann_Khan" and any("linked by name" in n for n in entry.notes)


def test_two_known_learners_with_one_name_are_never_guessed_between(course: CourseDir, tmp_path: Path) -> None:
    good = nb_bytes(course)
    first = write_moodle(tmp_path / "m01", [MoodleSubmission("Jane Doe", 1, {"a.ipynb": good}),
                                            MoodleSubmission("Jane Doe", 2, {"a.ipynb": good})], False)
    intake(course, first, "01")
    other = json.dumps(notebook(course, "02_quality_and_contamination")).encode()
    second = write_moodle(tmp_path / "m02", [MoodleSubmission("Jane Doe", 77, {"a.ipynb": other})], False)
    (entry,) = intake(course, second, "02").entries
    assert entry.learner == "Jane_Doe_3" and any("2 learners called 'Jane Doe'" in n for n in entry.notes)


def test_a_damaged_id_map_stops_intake_before_anything_is_filed(course: CourseDir, tmp_path: Path) -> None:
    (course.root / IDS_FILE).write_text("{", encoding="utf-8")
    write(tmp_path / "in" / "ann.ipynb", nb_bytes(course))
    with pytest.raises(ConfigurationError, match="keeps each learner's id"):
        intake(course, tmp_path / "in", "01")
    assert not course.submitted_dir.exists()


def test_two_notebooks_for_one_canvas_learner_are_not_guessed_between(course: CourseDir, tmp_path: Path) -> None:
    good = nb_bytes(course)
    download = write_canvas(tmp_path / "c", [CanvasSubmission("Doe, Jane", 1, 10, "draft.ipynb", good),
                                             CanvasSubmission("Doe, Jane", 1, 11, "final.ipynb", good)], False)
    result = intake(course, download, "01")
    assert [e.status for e in result.entries] == [REJECTED, REJECTED]
    assert all("2 notebooks for one learner" in e.reason for e in result.entries)


# ---------------------------------------------------------------- time and lateness

DUE = datetime(2026, 12, 15, 17, 0, tzinfo=timezone.utc)


def plain(name: str) -> Candidate:
    from course.instructor.downloads import DownloadedFile

    return Candidate(DownloadedFile(name, 1, None, Path(name)), name, f"name:{name}")


def test_a_plain_file_after_the_due_date_is_late_by_its_file_time() -> None:
    late, why = lateness(plain("ann.ipynb"), DUE + timedelta(hours=2, minutes=5), "the file's time", DUE, None)
    assert late is True and why == "2 h 5 min after the due date (by the file's time)"
    assert lateness(plain("ann.ipynb"), DUE - timedelta(minutes=1), "the file's time", DUE, None) == (False, "")
    assert lateness(plain("ann.ipynb"), DUE + timedelta(hours=1), "x", DUE, timedelta(days=1)) == (False, "")
    assert lateness(plain("ann.ipynb"), DUE + timedelta(hours=1), "x", None, None) == (None, "")


def test_lms_file_times_are_download_times_so_only_the_lms_marker_counts(course: CourseDir, tmp_path: Path) -> None:
    moodle = Candidate(plain("x").file, "Jane Doe", "moodle:01:1", recognise("Jane Doe_1_assignsubmission_file/a.ipynb", "01"))
    assert lateness(moodle, DUE + timedelta(days=3), "the file's time", DUE, None) == (None, "")
    canvas = Candidate(plain("x").file, "doejane", "canvas:1", recognise("doejane_1_2_a.ipynb", "01"))
    assert lateness(canvas, DUE + timedelta(days=3), "the file's time", DUE, None) == (False, "")


def test_the_submission_time_goes_into_nbgraders_timestamp_file(course: CourseDir, tmp_path: Path) -> None:
    path = write(tmp_path / "in" / "ann.ipynb", nb_bytes(course))
    when = datetime(2026, 12, 14, 9, 30, tzinfo=timezone.utc).timestamp()
    os.utime(path, (when, when))
    (entry,) = intake(course, tmp_path / "in", "01").entries
    stamp = (course.submitted_notebook("ann", ASSESSMENT).parent / TIMESTAMP_FILE).read_text().strip()
    assert stamp == "2026-12-14 09:30:00.000000 UTC" and entry.time_source == "the file's time"
    from nbgrader.utils import parse_utc

    assert parse_utc(stamp) == datetime(2026, 12, 14, 9, 30)          # nbgrader reads it back


@pytest.mark.slow
def test_late_flags_follow_the_due_date_set_on_release(course: CourseDir, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from course.cli import main

    main(["--course-dir", str(course.root), "release", "01", "--due", "2026-12-15T17:00+00:00"])
    assert "due       01_exosome_biology" in capsys.readouterr().out
    for name, hours in (("early", -1), ("late", 26)):
        path = write(tmp_path / "in" / f"{name}.ipynb", nb_bytes(course))
        os.utime(path, (DUE.timestamp() + hours * 3600,) * 2)
    result = intake(course, tmp_path / "in", "01")
    entries = {e.learner: e for e in result.entries}
    assert entries["late"].late and "1 d 2 h after the due date" in entries["late"].line()
    assert entries["early"].late is False and result.late == 1
    assert "due Tuesday 15 December 2026" in result.due_note or "due " in result.due_note


# ---------------------------------------------------------------- hostile files, one batch

def hostile_shapes(course: CourseDir) -> dict[str, bytes]:
    good = notebook(course)
    cell_metadata_list = copy.deepcopy(good)
    cell_metadata_list["cells"][0]["metadata"] = ["not", "a", "mapping"]
    return {
        "a-deep.ipynb": b"[" * 200_000 + b"]" * 200_000,
        "b-deep-object.ipynb": b'{"cells": [' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"]}",
        "c-metadata-string.ipynb": json.dumps({**good, "metadata": "oops"}).encode(),
        "d-cell-metadata-list.ipynb": json.dumps(cell_metadata_list).encode(),
        "e-cells-object.ipynb": json.dumps({**good, "cells": {"0": {}}}).encode(),
        "f-cell-number.ipynb": json.dumps({**good, "cells": [7, *good["cells"]]}).encode(),
        "g-source-mapping.ipynb": json.dumps({**good, "cells": [{**good["cells"][0], "source": {"x": 1}}]}).encode(),
        "h-nbformat-string.ipynb": json.dumps({**good, "nbformat": "4"}).encode(),
        "i-null.ipynb": b"null",
        "j-binary.ipynb": bytes(range(256)) * 10,
        "k-nbgrader-list.ipynb": json.dumps({**good, "cells": [
            {**c, "metadata": {"nbgrader": ["x"]}} for c in good["cells"]]}).encode(),
        "l-exocourse-list.ipynb": json.dumps({**good, "metadata": {"exocourse": [1]}}).encode(),
        "m-huge-int.ipynb": b'{"cells": [], "nbformat": 4' + b"1" * 5000 + b"}",
        "zz-good.ipynb": json.dumps(good).encode(),
    }


def test_hostile_json_shapes_never_stop_the_batch_and_the_good_file_after_them_is_filed(course: CourseDir,
                                                                                           tmp_path: Path) -> None:
    for name, data in hostile_shapes(course).items():
        write(tmp_path / "in" / name, data)
    result = intake(course, tmp_path / "in", "01")
    entries = by_file(result)
    assert len(entries) == len(hostile_shapes(course))
    assert entries["zz-good.ipynb"].status == ACCEPTED and entries["zz-good.ipynb"].learner == "zz-good"
    for name, entry in entries.items():
        assert entry.reason or entry.status == ACCEPTED, name
        assert "Traceback" not in entry.line()
    assert "nested thousands of levels deep" in entries["a-deep.ipynb"].reason


def test_hostile_zips_are_refused_item_by_item_and_nothing_is_written_outside(course: CourseDir,
                                                                             tmp_path: Path) -> None:
    good = nb_bytes(course)
    download = tmp_path / "downloads" / "submissions.zip"
    download.parent.mkdir()
    with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../escaped.ipynb", good)
        archive.writestr("/etc/absolute.ipynb", good)
        link = zipfile.ZipInfo("link.ipynb")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
        archive.writestr("bomb.ipynb", b"\0" * 150_000_000)              # 150 MB of zeros: ~150 kB packed
        inner = _zip_bytes({"deeper.zip": _zip_bytes({"x.ipynb": good})})
        archive.writestr("nested.zip", inner)
        archive.writestr("broken.zip", b"PK\x03\x04 this is not a zip")
        archive.writestr("ann.ipynb", good)
        learner_zip = _zip_bytes({"assessment.ipynb": good})
        archive.writestr("doejane_42_43_mywork.zip", learner_zip)           # a learner zipped their notebook
    outside = snapshot(tmp_path, skip=course.root)
    started = time.monotonic()
    result = intake(course, download, "01")
    assert time.monotonic() - started < 30                              # the bomb was never unpacked
    entries = by_file(result)
    assert entries["ann.ipynb"].status == ACCEPTED
    assert entries["doejane_42_43_mywork.zip/assessment.ipynb"].learner == "doejane"
    for name, phrase in (("../../escaped.ipynb", "outside"), ("etc/absolute.ipynb", "outside"),
                         ("link.ipynb", "symbolic link"), ("bomb.ipynb", "zip bomb"),
                         ("nested.zip/deeper.zip", "zip inside a zip"), ("broken.zip", "not a readable zip")):
        entry = next((e for k, e in entries.items() if k.endswith(name)), None)
        assert entry is not None and entry.status == REJECTED and phrase in entry.reason, (name, entries.keys())
    assert snapshot(tmp_path, skip=course.root) == outside
    assert not list(tmp_path.rglob("escaped.ipynb")) and not (course.root.parent / "escaped.ipynb").exists()


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_header_that_understates_a_members_size_is_cut_off_while_reading(tmp_path: Path) -> None:
    from course.instructor.downloads import DownloadedFile

    path = write(tmp_path / "x.ipynb", b"x" * 5000)
    lying = DownloadedFile("x.ipynb", 10, None, path)                  # says 10 bytes, holds 5000
    with pytest.raises(SubmissionError, match="over the 0 MB limit"):
        lying.read(1000)


# ---------------------------------------------------------------- checks on one file

@pytest.mark.parametrize("content,reason", [
    (b"", "empty"),
    (b'{"cells": [', "not valid notebook JSON"),
    (b"[1, 2]", "not a Jupyter notebook"),
    (b'{"nbformat": 3, "worksheets": []}', "format 3"),
])
def test_read_submission_rejects_with_a_reason(content: bytes, reason: str) -> None:
    with pytest.raises(SubmissionError, match=reason):
        read_submission(content)


def test_an_oversized_file_is_refused_unread(course: CourseDir, tmp_path: Path) -> None:
    path = tmp_path / "in" / "big.ipynb"
    path.parent.mkdir()
    with path.open("wb") as stream:
        stream.truncate(3_000_000)             # sparse: no 3 MB written, but that is its size
    (entry,) = intake(course, tmp_path / "in", "01", max_mb=2).entries
    assert entry.status == REJECTED and "3.0 MB, over the 2 MB limit" in entry.reason


def cell(grade_id: str, cell_id: str) -> dict[str, Any]:
    return {"cell_type": "code", "id": cell_id, "metadata": {"nbgrader": {"grade_id": grade_id}},
            "source": "", "outputs": [], "execution_count": None}


def test_repair_sets_aside_copied_question_cells_and_renews_duplicate_ids() -> None:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [cell("q1", "a"), cell("q1", "a"), cell("q2", "b"),
                    {"cell_type": "markdown", "id": "b", "metadata": {"nbgrader": {}}, "source": ""}]}
    repairs = repair(nb)
    assert repairs == ["1 copied question cell set aside", "2 duplicated or missing cell ids renewed"]
    assert "nbgrader" in nb["cells"][0]["metadata"] and "nbgrader" not in nb["cells"][1]["metadata"]
    assert "nbgrader" not in nb["cells"][3]["metadata"]         # an emptied entry breaks nbgrader
    assert len({c["id"] for c in nb["cells"]}) == 4
    assert repair(nb) == []                                      # nothing left to repair


def test_check_assessment_names_the_assessment_a_wrong_notebook_belongs_to() -> None:
    nb = {"metadata": {}, "cells": [cell("m02_q1_test", "x")]}
    with pytest.raises(SubmissionError, match="assessment 02_quality"):
        check_assessment(nb, ASSESSMENT, {"m01_q1_test"}, {"02_quality_and_contamination": {"m02_q1_test"}})
    declared = {"metadata": {"exocourse": {"assessment": "03_regulation_and_warnings"}},
                "cells": [cell("m01_q1_test", "x")]}
    with pytest.raises(SubmissionError, match="03_regulation"):
        check_assessment(declared, ASSESSMENT, {"m01_q1_test"}, {})


def test_an_edited_check_cell_is_reported_as_well_as_a_deleted_one(course: CourseDir, tmp_path: Path) -> None:
    from course.instructor.intake import check_cells

    nb = notebook(course)
    checks = check_cells(nb)
    assert len(checks) >= 3
    edited, deleted = checks[1][1], checks[2][1]
    for c in nb["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade_id") == edited:
            c["source"] = "print('all fine')"
    nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != deleted]
    write(tmp_path / "in" / "ann.ipynb", json.dumps(nb))
    (entry,) = intake(course, tmp_path / "in", "01").entries
    assert entry.status == ACCEPTED
    assert "check cell of question 2 edited" in entry.line() and "check cell of question 3 deleted" in entry.line()


def test_intake_of_a_missing_download_is_a_clear_error(course: CourseDir, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        intake(course, tmp_path / "nowhere", "01")
    with pytest.raises(ConfigurationError, match="no assessment '99'"):
        intake(course, tmp_path, "99")
    with pytest.raises(ConfigurationError, match="not a folder or a .zip"):
        intake(course, write(tmp_path / "one.ipynb"), "01")


@pytest.mark.slow
def test_nbgrader_export_shows_the_submission_time_and_the_due_date(course: CourseDir, tmp_path: Path) -> None:
    import csv
    import subprocess
    import sys

    from course.instructor.autograde import autograde
    from course.instructor.duedates import set_due_date
    from course.instructor.release import release

    release(course, [ASSESSMENT])
    set_due_date(course, ASSESSMENT, DUE)
    path = write(tmp_path / "in" / "ann.ipynb", nb_bytes(course))
    late = DUE + timedelta(hours=3)
    os.utime(path, (late.timestamp(),) * 2)
    (entry,) = intake(course, tmp_path / "in", "01").entries
    assert entry.late
    autograde(course, ASSESSMENT, progress=None)
    env = {k: v for k, v in os.environ.items() if k != "EXOCOURSE_DB_URL"}
    run = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "export"], cwd=course.root, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    (row,) = list(csv.DictReader((course.root / "grades.csv").open(encoding="utf-8")))
    assert row["student_id"] == "ann"
    assert row["timestamp"].startswith("2026-12-15 20:00:00") and row["duedate"].startswith("2026-12-15 17:00:00")
