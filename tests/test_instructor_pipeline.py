"""The instructor pipeline on real files: release, intake, autograde, feedback, report.

One batch goes through the real nbgrader (SQLite gradebook): good submissions with known
scores and every kind of bad one. Each file is graded or rejected with its reason, no file
is written outside the course directory, and the scores equal a plain `nbgrader autograde`
run with the course's configuration (the same grading step, so Formgrader agrees too).
"""
from __future__ import annotations

import csv
import html
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from course.instructor.autograde import AutogradeResult, autograde
from course.instructor.coursedir import CourseDir
from course.instructor.feedback import FeedbackResult, feedback
from course.instructor.intake import IntakeResult, intake
from course.instructor.release import release
from course.instructor.report import ReportFiles, collect_grades, write_report
from tests.instructor_course import make_course, snapshot
from tests.submissions import ASSESSMENT, OTHER, Expected, write_batch

pytestmark = pytest.mark.slow


@dataclass
class Batch:
    course: CourseDir
    inbox: Path
    expected: list[Expected]
    intake: IntakeResult
    graded: AutogradeResult
    pages: FeedbackResult
    report: ReportFiles
    outside_before: dict[str, tuple[int, int]]
    outside_after: dict[str, tuple[int, int]]
    course_before_intake: dict[str, tuple[int, int]]
    course_after_intake: dict[str, tuple[int, int]]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    base = tmp_path_factory.mktemp("pipeline")
    course = make_course(base / "course")
    release(course, [ASSESSMENT, OTHER])
    inbox = base / "inbox"
    expected = write_batch(course, inbox)
    outside_before = snapshot(base, skip=course.root)
    course_before = snapshot(course.root)
    taken = intake(course, inbox, ASSESSMENT)
    course_after = snapshot(course.root)
    graded = autograde(course, ASSESSMENT, progress=None)
    pages = feedback(course, ASSESSMENT)
    report = write_report(course)
    outside_after = snapshot(base, skip=course.root)
    return Batch(course, inbox, expected, taken, graded, pages, report, outside_before, outside_after,
                 course_before, course_after)


def entry_for(batch: Batch, relative: str):
    matches = [e for e in batch.intake.entries if e.file == batch.inbox / relative]
    assert len(matches) == 1, f"intake reported {len(matches)} lines for {relative!r}"
    return matches[0]


def test_intake_files_every_good_submission_under_its_safe_id(batch: Batch) -> None:
    for case in batch.expected:
        entry = entry_for(batch, case.file)
        if case.learner is None:
            continue
        assert entry.status == case.status, (case.file, entry.line())
        assert entry.learner == case.learner
        assert entry.destination == batch.course.submitted_notebook(case.learner, ASSESSMENT)
        assert entry.destination.exists()


def test_intake_rejects_each_bad_file_with_its_reason(batch: Batch) -> None:
    for case in (c for c in batch.expected if c.learner is None):
        entry = entry_for(batch, case.file)
        assert entry.status == "rejected", entry.line()
        assert case.reason in entry.reason, (case.file, entry.reason)
        assert entry.line().startswith("rejected")


def test_intake_repairs_a_duplicated_cell_and_says_so(batch: Batch) -> None:
    entry = entry_for(batch, "duplicated-cell.ipynb")
    assert entry.status == "repaired"
    assert "copied question cell" in entry.reason and "cell id" in entry.reason
    filed = json.loads(entry.destination.read_text(encoding="utf-8"))
    ids = [c["id"] for c in filed["cells"]]
    assert len(ids) == len(set(ids))


def test_intake_prints_the_id_mapping_and_never_a_control_character(batch: Batch) -> None:
    line = entry_for(batch, "ctrl\x07char.ipynb").line(batch.inbox)
    assert "→ ctrlchar" in line and "\x07" not in line and "\\x07" in line
    assert "learner Sam Lee → Sam_Lee" in entry_for(batch, "Sam Lee.ipynb").line(batch.inbox)


def test_intake_writes_nothing_but_submissions(batch: Batch) -> None:
    new = set(batch.course_after_intake) - set(batch.course_before_intake)
    changed = {k for k in batch.course_before_intake
               if batch.course_after_intake.get(k) != batch.course_before_intake[k]}
    # submitted/ and the learner id map (learner-ids.json), nothing else
    assert new and all(path.startswith("submitted/") or path == "learner-ids.json" for path in new), sorted(new)
    assert not changed, sorted(changed)


def test_nothing_is_written_outside_the_course_directory(batch: Batch) -> None:
    assert batch.outside_after == batch.outside_before


def _item_count(batch: Batch) -> float:
    """One mark per autograded item: the assessment's item count, read from its key."""
    from course.instructor.assessments import load_assessment

    return float(len(load_assessment(batch.course.source_notebook(ASSESSMENT)).items))


def test_good_submissions_get_exactly_their_expected_scores(batch: Batch) -> None:
    scores = batch.graded.scores()
    graded = {g.learner: g for g in batch.graded.learners}
    for case in (c for c in batch.expected if c.learner is not None):
        assert graded[case.learner].status == "graded", (case.learner, graded[case.learner].notes)
        assert scores[case.learner] == case.score, (case.learner, graded[case.learner].notes)
        assert graded[case.learner].max_score == _item_count(batch)


def test_changed_notebooks_are_noted_for_the_instructor(batch: Batch) -> None:
    graded = {g.learner: g for g in batch.graded.learners}
    for case in (c for c in batch.expected if c.note):
        assert any(case.note in note for note in graded[case.learner].notes), (case.learner, graded[case.learner].notes)


def test_code_that_would_print_100_mb_is_never_run(batch: Batch) -> None:
    notebook = batch.course.autograded_notebook("flood", ASSESSMENT)
    assert notebook.stat().st_size < 100_000
    assert "x" * 99 not in notebook.read_text(encoding="utf-8")


def test_the_source_notebook_earns_full_marks_and_the_untouched_release_none(batch: Batch) -> None:
    scores = batch.graded.scores()
    assert scores["source"] == _item_count(batch)
    assert scores["untouched"] == 0.0


def test_feedback_shows_answers_scores_and_verdicts_but_no_key(batch: Batch) -> None:
    from course.instructor.assessments import load_assessment

    # The learner who handed in the instructor's source notebook wrote the model answer as their
    # reflection: their page would show it, so it is held back and reported (what it found, not the text).
    assert {f.learner for f in batch.pages.failed} <= {"source"}, batch.pages.failed
    assert all("model answer" in f.problem for f in batch.pages.failed)
    assert "HIDDEN TESTS" not in batch.course.source_notebook(ASSESSMENT).read_text(encoding="utf-8")  # none any more
    assessment = load_assessment(batch.course.source_notebook(ASSESSMENT))
    for page in batch.pages.written:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.path.read_text(encoding="utf-8")))
        if page.learner == "source":
            continue                # handed in the instructor's own notebook: its page shows what it holds
        assert "HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
        assert assessment.reflection is not None and assessment.reflection.model_answer[:60] not in text
    mixed = html.unescape(re.sub(r"<[^>]+>", "", batch.course.feedback_file("good-mixed", ASSESSMENT)
                                 .read_text(encoding="utf-8")))
    assert "(0 of 1)" in mixed and "(1 of 1)" in mixed   # their scores
    assert "no mark this time" in mixed and "earned its mark" in mixed
    blank = html.unescape(re.sub(r"<[^>]+>", "", batch.course.feedback_file("untouched", ASSESSMENT)
                                 .read_text(encoding="utf-8")))
    assert "(0 of 1)" in blank and "(1 of 1)" not in blank
    assert "You left this question blank" in blank or "There was no answer" in blank
    # The keyed answers never appear as an answer line on a page of someone who did not type them.
    from tests.submissions import correct_answers
    for number, value in correct_answers(batch.course).items():
        assert f'answer_{number} = "{value}"' not in blank


def test_report_writes_grades_with_pass_and_cpd_minutes(batch: Batch) -> None:
    rows = {r["learner"]: r for r in csv.DictReader(batch.report.grades_csv.open(encoding="utf-8"))}
    assert rows["good-all"][f"{ASSESSMENT} passed"] == "yes"
    assert rows["good-all"]["CPD minutes"] == "40"          # module 01's syllabus minutes
    assert rows["good-mixed"][f"{ASSESSMENT} passed"] == "no"   # 4 of 8 is under 80 %
    assert rows["good-mixed"]["CPD minutes"] == "0"
    assert rows["good-all"][f"{ASSESSMENT} reflection"] == "0/4"  # left blank: "No response" scores 0
    grades = {g.learner: g for g in collect_grades(batch.course)}
    n = _item_count(batch)
    assert grades["edited-test"].assessments[ASSESSMENT].percent == pytest.approx(100 * (n - 1) / n)


def test_report_item_analysis_page_has_charts_and_flags(batch: Batch) -> None:
    page = batch.report.items_html.read_text(encoding="utf-8")
    assert "plotly" in page.lower() and page.count("Plotly.newPlot") >= 3
    assert "difficulty" in page and "point-biserial" in page
    assert any(s.flags for s in batch.report.items)    # a cohort this odd has items to review


def test_scores_equal_a_serial_nbgrader_autograde(batch: Batch, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "serial"
    # A fresh gradebook, so every score below comes from the serial run itself.
    shutil.copytree(batch.course.root, copy, ignore=shutil.ignore_patterns(
        "autograded", "feedback", "reports", "release", "gradebook.db", ".gradebook.lock"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("EXOCOURSE_DB_URL", None)
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    for command in (["generate_assignment", ASSESSMENT, "--force"],
                    ["autograde", ASSESSMENT, "--force", "--student", "good-*"]):
        subprocess.run([nbgrader, *command], cwd=copy, env=env, check=True, capture_output=True, timeout=600)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:
        serial = {s: gb.find_submission(ASSESSMENT, s).code_score for s in ("good-all", "good-mixed", "good-formats")}
    ours = batch.graded.scores()
    assert serial == {s: ours[s] for s in serial}
