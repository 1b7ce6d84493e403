"""course/instructor/privacy.py: an instructor can export everything held about a learner,
and erase it, keeping only the certificate register line that verification needs.

Runs on a real graded course (tests/graded_course.py) through the real `exocourse` command.
"""
import json
import os
import subprocess
import sys

import pytest

from course.instructor.certificates import issue_certificates, learners_from_gradebook, read_roster
from course.instructor.privacy import forget
from tests.graded_course import STRONG, WEAK, graded_course

SLOW = pytest.mark.slow


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.setenv("EXOCOURSE_CERTIFICATE_KEY", str(tmp_path / "key" / "certificate.key"))
    monkeypatch.setenv("EXOCOURSE_PDF_FONT", "core")
    course = graded_course(tmp_path / "grading")
    (course.root / "learners.csv").write_text(
        f"learner,name,registration\n{STRONG},Ada Lovelace,GMC 1815\n{WEAK},Bob Weak,\n", encoding="utf-8")
    return course


def issue(course):
    learners, names = learners_from_gradebook(course)
    return issue_certificates(course.root, learners, read_roster(course.root / "learners.csv"), gradebook_names=names)


def exocourse(course, *args, cwd=None):
    return subprocess.run([sys.executable, "-m", "course.cli", "--course-dir", str(course.root),
                           "--db-url", course.db_url, *args],
                          capture_output=True, text=True, env=os.environ.copy(), cwd=cwd)


def snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@SLOW
def test_export_learner_writes_everything_held_about_them_as_json(course, tmp_path):
    issue(course)
    out = tmp_path / "ada.json"
    run = exocourse(course, "export-learner", STRONG, "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert f"→ {out}" in run.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["learner"] == STRONG
    assert data["roster"] == {"learner": STRONG, "name": "Ada Lovelace", "registration": "GMC 1815"}
    submissions = data["gradebook"]["submissions"]
    assert len(submissions) == len(course.assessment_ids()) and all(s["student"] == STRONG for s in submissions)
    assert all(g["student"] == STRONG for s in submissions for g in s["grades"])
    assert data["reports"]["grades.csv"]["learner"] == STRONG
    assert [c["name"] for c in data["certificates"]] == ["Ada Lovelace"]
    folders = {f["path"].split("/")[0] for f in data["files"]}
    assert folders == {"submitted", "autograded", "feedback", "certificates"}
    answers = [f["answers"] for f in data["files"] if f["path"].startswith("submitted/") and f["path"].endswith(".ipynb")]
    assert any("answer_1 = " in text for a in answers for text in a.values())  # what the learner typed
    assert WEAK not in out.read_text(encoding="utf-8")  # nobody else's data


@SLOW
def test_exporting_an_unknown_learner_says_nothing_is_held_and_fails(course, tmp_path):
    run = exocourse(course, "export-learner", "nobody-here", cwd=tmp_path)
    assert run.returncode == 1 and "nothing is held about 'nobody-here'" in run.stdout


@SLOW
def test_forget_erases_the_learner_everywhere_but_the_register_and_says_what_it_removed(course):
    issued = issue(course).issued[0]
    code, number = issued.code, issued.credential.certificate_id
    run = exocourse(course, "forget", STRONG)
    assert run.returncode == 0, run.stderr
    said = run.stdout
    for part in ("gradebook: the learner and 5 submissions", f"submitted/{STRONG}/", f"autograded/{STRONG}/",
                 f"feedback/{STRONG}/", "reports/grades.csv", "learners.csv", f"certificates/{STRONG}.pdf"):
        assert f"removed   {part}" in said
    assert f"kept      certificates/register.csv: 1 line(s) (certificate {number})" in said and "check " not in said
    assert code not in said   # the long verifiable code is for checking, not for a forget report

    for folder in ("submitted", "autograded", "feedback"):
        assert not (course.root / folder / STRONG).exists() and (course.root / folder / WEAK).is_dir()
    assert STRONG.encode() not in (course.root / "gradebook.db").read_bytes()  # not even in free pages
    grades = (course.root / "reports" / "grades.csv").read_text(encoding="utf-8")
    assert STRONG not in grades and WEAK in grades
    assert "Ada Lovelace" not in (course.root / "learners.csv").read_text(encoding="utf-8")
    register = (course.root / "certificates" / "register.csv").read_text(encoding="utf-8")
    assert code in register and "Ada Lovelace" in register
    verified = exocourse(course, "verify", code)
    assert verified.returncode == 0 and "GENUINE" in verified.stdout

    other = exocourse(course, "export-learner", WEAK, "--output", str(course.root.parent / "bob.json"))
    assert other.returncode == 0
    assert len(json.loads((course.root.parent / "bob.json").read_text())["gradebook"]["submissions"]) == 5


@SLOW
def test_forgetting_twice_is_harmless_and_says_nothing_is_held(course):
    assert exocourse(course, "forget", WEAK).returncode == 0
    again = exocourse(course, "forget", WEAK)
    assert again.returncode == 0 and f"nothing is held about '{WEAK}'" in again.stdout


@SLOW
def test_a_file_that_still_mentions_the_learner_is_pointed_out(course):
    (course.root / "notes.txt").write_text(f"Extension granted to {STRONG} until Friday.\n", encoding="utf-8")
    result = forget(course, STRONG)
    assert result.still_mentioned_in == ["notes.txt"]


@SLOW
@pytest.mark.parametrize("bad", ["../submitted", "", "a/b"])
def test_an_id_that_is_a_path_is_refused_and_nothing_is_touched(course, bad):
    before = snapshot(course.root)
    run = exocourse(course, "forget", bad)
    assert run.returncode == 2 and "is not a learner id" in run.stderr and "Traceback" not in run.stderr
    assert snapshot(course.root) == before


@SLOW
def test_a_damaged_register_is_reported_before_anything_is_erased(course):
    issue(course)
    (course.root / "certificates" / "register.csv").write_text("garbage\n", encoding="utf-8")
    before = snapshot(course.root)
    run = exocourse(course, "forget", STRONG)
    assert run.returncode == 2 and "register" in run.stderr and "Restore it from your backup" in run.stderr
    assert snapshot(course.root) == before


# ---------------------------------------------------------------- files named after the learner, and the id map
@pytest.fixture
def intake_course(tmp_path):
    """A course whose intake folder sits inside it (grading/intake/), as instructors keep it."""
    from course.instructor.intake import intake
    from tests.instructor_course import make_course
    from tests.lms_downloads import CanvasSubmission, write_canvas

    course = make_course(tmp_path / "grading")
    good = course.source_notebook("01_exosome_biology").read_bytes()
    plain = course.root / "intake" / "plain"
    plain.mkdir(parents=True)
    (plain / "learner-05.ipynb").write_bytes(good)
    (plain / "learner-06.ipynb").write_bytes(good)
    intake(course, plain, "01")
    canvas = write_canvas(course.root / "intake" / "canvas", [CanvasSubmission("Doe, Jane", 1001, 1, "a.ipynb", good),
                                                              CanvasSubmission("Lee, Sam", 1003, 2, "a.ipynb", good)],
                          as_zip=True)
    intake(course, canvas, "01")
    lms = course.reports_dir / "lms"
    lms.mkdir(parents=True)
    (lms / "canvas-grades.csv").write_text("Student,ID,Section,M01\r\nPoints Possible,,,11\r\ndoejane,1001,,9\r\n"
                                           "leesam,1003,,8\r\n", encoding="utf-8")
    (course.root / "notes-learner-05.txt").write_text("extension agreed\n", encoding="utf-8")
    return course


def test_forget_removes_files_named_after_the_learner_and_their_id_map_entry(intake_course):
    from course.instructor.learner_ids import LearnerIds

    course = intake_course
    result = forget(course, "learner-05")
    removed = "\n".join(result.removed)
    assert not (course.root / "intake" / "plain" / "learner-05.ipynb").exists()
    assert not (course.root / "notes-learner-05.txt").exists()
    assert (course.root / "intake" / "plain" / "learner-06.ipynb").exists()      # nobody else's
    assert "intake/plain/learner-05.ipynb" in removed and "learner-ids.json" in removed
    ids = LearnerIds.load(course.root)
    assert "learner-05" not in ids.learners and "name:learner-05" not in ids.keys and "learner-06" in ids.learners
    assert result.still_mentioned_in == []


def test_forget_drops_the_lms_grade_row_and_lists_the_shared_lms_zip_it_cannot_clean(intake_course):
    course = intake_course
    result = forget(course, "doejane")
    grades = (course.reports_dir / "lms" / "canvas-grades.csv").read_text(encoding="utf-8")
    assert "1001" not in grades and "1003" in grades
    assert any("canvas.zip" in line and "other learners" in line for line in result.not_removed), result.not_removed
    assert (course.root / "intake" / "canvas.zip").exists()                       # Sam's file is in it too


def test_forget_lists_a_download_outside_the_course_folder_instead_of_touching_it(tmp_path):
    from course.instructor.intake import intake
    from tests.instructor_course import make_course

    course = make_course(tmp_path / "grading")
    outside = tmp_path / "Downloads"
    outside.mkdir()
    (outside / "ann.ipynb").write_bytes(course.source_notebook("01_exosome_biology").read_bytes())
    intake(course, outside, "01")
    result = forget(course, "ann")
    assert (outside / "ann.ipynb").exists()
    assert any(str(outside / "ann.ipynb") in line and "outside the course folder" in line for line in result.not_removed)
