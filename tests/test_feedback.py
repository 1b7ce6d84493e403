"""Feedback pages from the real pipeline: nbgrader's own ``generate_feedback``, ``exocourse
feedback`` and their agreement, on a course folder graded by the real steps.

Five learners take module 02: one answers every question with the key, one gets every
question wrong, one is right on just enough to pass at 60 % but not at 80 %, one hands in
the untouched release, and one (``eve-copier``) pastes another learner's reflection, a
roster line and an encoded sentence of the model answer into her reflection. Every honest
page is written and holds no key, hidden test, solution, marking guide or anybody else's
data; Eve's page is refused and reported without repeating what it held (the copied
reflection alone would not stop it: her page shows the words she wrote herself).
"""
from __future__ import annotations

import base64
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from course.instructor import leaks
from course.instructor.assessments import load_assessment, read_notebook_json
from course.instructor.coursedir import CourseDir, open_course

pytestmark = pytest.mark.slow

ASSESSMENT = "02_quality_and_contamination"
RIGHT, WRONG, MIXED, BLANK, COPIER = "ada-right", "bob-wrong", "cy-mixed", "dee-blank", "eve-copier"
HONEST = (RIGHT, WRONG, MIXED, BLANK)
BOB_REFLECTION = ("Before buying I would phone the supplier's quality manager and ask for the batch "
                  "records of the very lot our clinic would receive, signed and dated.")
ADA_REFLECTION = "I would ask for protein markers, a purity ratio and the endotoxin and mycoplasma results."
ROSTER = [(RIGHT, "Ada Quintero", "NMC 11A1111A"), (WRONG, "Bob Ørsted-Lund", "GMC 2222222"),
          (MIXED, "Cy Nakamura", "NMC 33C3333C"), (BLANK, "Dee Okafor", "GDC 444444"),
          (COPIER, "Eve Marsh", "NMC 55E5555E")]

_built: Path | None = None


def mixed_count(items: int) -> int:
    """How many right answers pass at 60 % but not at 80 %."""
    count = math.ceil(0.6 * items)
    assert count < 0.8 * items, "the assessment is too short to tell 60 % from 80 %"
    return count


def _build(root: Path) -> None:
    import random

    from course.instructor.autograde import autograde
    from course.instructor.demo import fill_answers, fill_reflection, wrong_answer
    from course.instructor.intake import intake
    from course.instructor.release import release
    from tests.instructor_course import make_course

    course = make_course(root, f"sqlite:///{root / 'gradebook.db'}")
    release(course, [ASSESSMENT])
    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    released = read_notebook_json(course.release_notebook(ASSESSMENT))
    rng = random.Random(11)
    right = {i.number: i.solution_text for i in assessment.items}
    wrong = {i.number: wrong_answer(i, i.solution_text, rng) for i in assessment.items}
    enough = mixed_count(len(assessment.items))
    mixed = {n: (right[n] if n <= enough else wrong[n]) for n in right}
    model_sentence = next(s for s in re.split(r"(?<=\.)\s+", assessment.reflection.model_answer)
                          if len(s.split()) > 12)
    copier_text = (BOB_REFLECTION + "\n\nAlso: " + ",".join(ROSTER[3]) + "\n\n"
                   + base64.b64encode(model_sentence.encode()).decode() + "\n<script>alert('hi')</script>")
    inbox = root.parent / "inbox"
    inbox.mkdir()
    for learner, answers, reflection in ((RIGHT, right, ADA_REFLECTION), (WRONG, wrong, BOB_REFLECTION),
                                         (MIXED, mixed, None), (BLANK, {}, None), (COPIER, mixed, copier_text)):
        notebook = fill_answers(released, assessment, answers)
        if reflection is not None:
            fill_reflection(notebook, assessment, reflection)
        (inbox / f"{learner}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    intake(course, inbox, ASSESSMENT)
    autograde(course, ASSESSMENT, progress=None)
    with (root / "learners.csv").open("w", encoding="utf-8", newline="") as roster:
        roster.write("learner,name,registration\n" + "".join(",".join(row) + "\n" for row in ROSTER))


def graded(destination: Path) -> CourseDir:
    """A copy of the graded course folder at ``destination`` (built once per test process)."""
    global _built
    if _built is None:
        scratch = Path(tempfile.mkdtemp(prefix="exocourse-feedback-"))
        _build(scratch / "grading")
        _built = scratch / "grading"
    shutil.copytree(_built, destination)
    return open_course(destination, f"sqlite:///{destination / 'gradebook.db'}")


@pytest.fixture
def course(tmp_path: Path) -> CourseDir:
    return graded(tmp_path / "grading")


def nbgrader_generate_feedback(course: CourseDir, *extra: str) -> subprocess.CompletedProcess[str]:
    """Plain ``nbgrader generate_feedback`` in the course folder, as an instructor runs it."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("EXOCOURSE_DB_URL", None)
    return subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "generate_feedback", ASSESSMENT,
                           "--force", *extra], cwd=course.root, env=env, capture_output=True, text=True, timeout=600)


def words(page: Path) -> str:
    import html

    text = re.sub(r"<script.*?</script>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def section(text: str, number: int) -> str:
    """The words of Question ``number``'s section (after the summary table's rows)."""
    start = text.rindex(f"Question {number} ")
    end = text.find(f"Question {number + 1} ", start)
    return text[start: end if end > 0 else text.find("Written", start)]


def mark(course: CourseDir, learner: str, grade_id: str, score: float, comment: str = "",
         comment_id: str | None = None) -> None:
    with course.gradebook() as gb:
        grade = gb.find_grade(grade_id, "assessment", ASSESSMENT, learner)
        grade.manual_score = score
        grade.needs_manual_grade = False
        if comment:
            gb.find_comment(comment_id or grade_id, "assessment", ASSESSMENT, learner).manual_comment = comment
        gb.db.commit()


def assert_safe(course: CourseDir, learner: str, page: Path) -> None:
    """No secret of any kind on ``learner``'s page, by the leak check and by plain reading."""
    from course.instructor.feedback_steps import page_secrets, without_plotly_js

    html = page.read_text(encoding="utf-8")
    assert leaks.find_leaks(without_plotly_js(html), page_secrets(course.root, ASSESSMENT, learner), str(page)) == []
    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    text = words(page)
    for marker in leaks.SOLUTION_BEGIN, leaks.HIDDEN_BEGIN, "Marking guide", "model answer":
        assert marker.lower() not in text.lower(), (learner, marker)
    assert assessment.reflection.model_answer[:80] not in text
    for item in assessment.items:
        assert not re.search(rf"{item.variable}\s*=\s*['\"]{re.escape(item.solution_text)}", html), (learner, item)
    for other, name, registration in ROSTER:
        if other != learner:
            assert other not in text and name not in text and registration not in text, (learner, other)


# ---------------------------------------------------------------- nbgrader's own command

def test_nbgrader_generate_feedback_writes_the_course_pages_and_refuses_the_leaking_one(course):
    result = nbgrader_generate_feedback(course)
    log = result.stdout + result.stderr
    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    for learner in HONEST:
        page = course.feedback_file(learner, ASSESSMENT)
        assert page.exists(), (learner, log[-3000:])
        text = words(page)
        assert "Your feedback: module 02" in text
        assert all(f"Question {i.number}" in text for i in assessment.items)
        assert "Test cell" not in text and "Score:" not in text
        wrote = learner in (RIGHT, WRONG)
        assert ("Written reflection: not yet marked" if wrote else "Written reflection: not written (0 of 4 marks)") \
            in text
        assert not re.search(r"0(\.0)? / 4", text)
        assert_safe(course, learner, page)
    assert not course.feedback_file(COPIER, ASSESSMENT).exists()
    assert "eve-copier" in log and "FeedbackLeakError" in log and "roster" in log and "model answer" in log
    assert ROSTER[3][2] not in log and ROSTER[3][1] not in log


def test_a_right_and_a_wrong_page_say_so_question_by_question(course):
    nbgrader_generate_feedback(course)
    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    right, wrong = words(course.feedback_file(RIGHT, ASSESSMENT)), words(course.feedback_file(WRONG, ASSESSMENT))
    assert "Passed" in right and "Every question earned its mark" in right
    assert "Not passed yet" in wrong and "What to revisit" in wrong
    for item in assessment.items:
        assert "earned its mark" in section(right, item.number)
        missed = section(wrong, item.number)
        assert "no mark this time" in missed and f"objective {item.objective}" in missed
        assert "revisit lesson 02" in missed


# ---------------------------------------------------------------- exocourse feedback

def normalised(html: str) -> str:
    """A page without plotly's random element ids."""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", html)


def test_exocourse_feedback_and_nbgrader_write_the_same_pages(course, tmp_path):
    from course.instructor.feedback import feedback

    nbgrader_generate_feedback(course)
    by_nbgrader = {learner: normalised(course.feedback_file(learner, ASSESSMENT).read_text(encoding="utf-8"))
                   for learner in HONEST}
    result = feedback(course, ASSESSMENT)
    assert sorted(f.learner for f in result.written) == sorted(HONEST)
    assert [f.learner for f in result.failed] == [COPIER]
    problem = result.failed[0].problem
    assert "roster" in problem and "model answer" in problem and ROSTER[3][2] not in problem
    for learner in HONEST:
        assert normalised(course.feedback_file(learner, ASSESSMENT).read_text(encoding="utf-8")) == by_nbgrader[learner]


def test_a_refused_page_removes_an_older_one_and_stops_nobody_else(course):
    from course.instructor.feedback import feedback

    stale = course.feedback_file(COPIER, ASSESSMENT)
    stale.parent.mkdir(parents=True)
    stale.write_text("an old page", encoding="utf-8")
    result = feedback(course, ASSESSMENT)
    assert not stale.exists()
    assert len(result.written) == len(HONEST)


def test_an_override_changes_the_verdict_and_the_total(course):
    from course.instructor.feedback import feedback

    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    first = assessment.items[0]
    mark(course, WRONG, first.test_cell, first.points, "Your reasoning was sound; I accept it.", first.answer_cell)
    feedback(course, ASSESSMENT, learners=[WRONG])
    text = words(course.feedback_file(WRONG, ASSESSMENT))
    assert f"You earned {first.points:g} of {len(assessment.items)} question marks" in text
    first_section = section(text, 1)
    assert "earned its mark" in first_section and "no mark this time" not in first_section
    assert "set its mark" in first_section and "Your reasoning was sound" in first_section


def test_unmarked_reflections_are_warned_about_and_can_be_held_back_until_marked(course, capsys):
    from course.cli import main

    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    base = ["--course-dir", str(course.root), "--db-url", course.db_url, "feedback", ASSESSMENT]
    assert main(base) == 0
    out, err = capsys.readouterr()
    assert "not yet marked" in err and "--hold-unmarked" in err
    page = course.feedback_file(RIGHT, ASSESSMENT)
    assert page.exists()

    reflection = assessment.reflection
    for learner in (WRONG, MIXED, BLANK, COPIER):
        mark(course, learner, reflection.grade_id, 1.0)
    assert main(base + ["--hold-unmarked"]) == 0
    out, err = capsys.readouterr()
    assert f"held      {RIGHT}" in out and not page.exists()          # the older page is gone too

    mark(course, RIGHT, reflection.grade_id, 3.0, "Clear and specific: well done.")
    assert main(base + ["--hold-unmarked", "--learner", RIGHT]) == 0
    text = words(page)
    assert "Written reflection: 3 of 4 marks" in text and "Clear and specific: well done." in text
    total = len(assessment.items) + 3
    assert f"All marks together: {total:g} of {len(assessment.items) + reflection.points:g}" in text
    assert "not yet marked" not in text


def test_pass_or_not_follows_the_syllabus_pass_mark(course):
    from course.instructor.feedback import feedback

    feedback(course, ASSESSMENT, learners=[MIXED])
    assert "Not passed yet" in words(course.feedback_file(MIXED, ASSESSMENT))


def test_pass_or_not_follows_a_60_percent_pass_mark(course, pass_mark_60):
    from course.instructor.feedback import feedback

    feedback(course, ASSESSMENT, learners=[MIXED])
    text = words(course.feedback_file(MIXED, ASSESSMENT))
    assert "Passed" in text and "Not passed" not in text and "60 % of the question marks" in text


def test_a_course_folder_without_the_feedback_steps_is_refused(course):
    from course._errors import ConfigurationError
    from course.instructor.feedback import feedback

    config = course.root / "nbgrader_config.py"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('    "course.instructor.feedback_steps.ComposeFeedback",\n', ""), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="feedback steps"):
        feedback(open_course(course.root, course.db_url), ASSESSMENT)
    # and nbgrader itself then writes nothing a learner could see
    nbgrader_generate_feedback(course)
    assert not any(course.feedback_file(learner, ASSESSMENT).exists() for learner in HONEST)


def test_feedback_before_autograding_says_what_to_run(course):
    from course._errors import ConfigurationError
    from course.instructor.feedback import feedback

    with pytest.raises(ConfigurationError, match="exocourse autograde"):
        feedback(course, ASSESSMENT, learners=["nobody"])
