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

pytestmark = pytest.mark.slow


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
    answers = [f["answers"] for f in data["files"] if f["path"].startswith("submitted/")]
    assert any("answer_1 = " in text for a in answers for text in a.values())  # what the learner typed
    assert WEAK not in out.read_text(encoding="utf-8")  # nobody else's data


def test_exporting_an_unknown_learner_says_nothing_is_held_and_fails(course, tmp_path):
    run = exocourse(course, "export-learner", "nobody-here", cwd=tmp_path)
    assert run.returncode == 1 and "nothing is held about 'nobody-here'" in run.stdout


def test_forget_erases_the_learner_everywhere_but_the_register_and_says_what_it_removed(course):
    code = issue(course).issued[0].code
    run = exocourse(course, "forget", STRONG)
    assert run.returncode == 0, run.stderr
    said = run.stdout
    for part in ("gradebook: the learner and 5 submissions", f"submitted/{STRONG}/", f"autograded/{STRONG}/",
                 f"feedback/{STRONG}/", "reports/grades.csv", "learners.csv", f"certificates/{STRONG}.pdf"):
        assert f"removed   {part}" in said
    assert f"kept      certificates/register.csv: 1 line(s) ({code})" in said and "check " not in said

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


def test_forgetting_twice_is_harmless_and_says_nothing_is_held(course):
    assert exocourse(course, "forget", WEAK).returncode == 0
    again = exocourse(course, "forget", WEAK)
    assert again.returncode == 0 and f"nothing is held about '{WEAK}'" in again.stdout


def test_a_file_that_still_mentions_the_learner_is_pointed_out(course):
    (course.root / "notes.txt").write_text(f"Extension granted to {STRONG} until Friday.\n", encoding="utf-8")
    result = forget(course, STRONG)
    assert result.still_mentioned_in == ["notes.txt"]


@pytest.mark.parametrize("bad", ["../submitted", "", "a/b"])
def test_an_id_that_is_a_path_is_refused_and_nothing_is_touched(course, bad):
    before = snapshot(course.root)
    run = exocourse(course, "forget", bad)
    assert run.returncode == 2 and "is not a learner id" in run.stderr and "Traceback" not in run.stderr
    assert snapshot(course.root) == before


def test_a_damaged_register_is_reported_before_anything_is_erased(course):
    issue(course)
    (course.root / "certificates" / "register.csv").write_text("garbage\n", encoding="utf-8")
    before = snapshot(course.root)
    run = exocourse(course, "forget", STRONG)
    assert run.returncode == 2 and "register" in run.stderr and "Restore it from your backup" in run.stderr
    assert snapshot(course.root) == before
