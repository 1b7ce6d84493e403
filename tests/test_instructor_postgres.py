"""One PostgreSQL gradebook for every tool, on a real server started for the tests (tests/pg.py).

The URL is the one the docs give, ``postgresql://user@host:port/db`` (no driver named):
exocourse runs release, intake, autograde and report on it; nbgrader's own CLI, run in the
course folder with ``EXOCOURSE_DB_URL`` set, lists the same learners; a shell that forgot
the variable is stopped (exocourse and nbgrader alike) instead of starting an empty SQLite
gradebook; and Formgrader, in headless Chromium, marks a reflection that is then read back
from PostgreSQL.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from course.instructor.autograde import autograde
from course.instructor.coursedir import GRADEBOOK_RECORD, SQLITE_FILE, CourseDir
from course.instructor.intake import intake
from course.instructor.release import release
from course.instructor.report import collect_grades, write_report
from tests.instructor_course import make_course
from tests.pg import postgres_bin, running_postgres
from tests.submissions import ASSESSMENT, correct_answers, wrong_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def postgres_url() -> str:
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be installed in CI (make test installs it)")
        pytest.skip("PostgreSQL is not installed here: `make postgres` installs it")
    with running_postgres() as url:
        yield url


@dataclass
class GradedCourse:
    course: CourseDir
    url: str
    expected: dict[str, float]


@pytest.fixture(scope="module")
def graded(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    from course.instructor.assessments import load_assessment, read_notebook_json
    from course.instructor.demo import fill_answers

    assert postgres_url.startswith("postgresql://")                    # the documented form, no driver
    base = tmp_path_factory.mktemp("pg")
    course = make_course(base / "course", db_url=postgres_url)
    release(course, [ASSESSMENT])
    assessment = load_assessment(course.source_notebook(ASSESSMENT))
    release_nb = read_notebook_json(course.release_notebook(ASSESSMENT))
    right = correct_answers(course)
    inbox = base / "inbox"
    inbox.mkdir()
    expected: dict[str, float] = {}
    for learner, n_right in (("pg-strong", 7), ("pg-middle", 5), ("pg-weak", 2), ("pg-none", 0)):
        answers = {n: (v if n <= n_right else wrong_for(assessment, n, v)) for n, v in right.items()}
        (inbox / f"{learner}.ipynb").write_text(json.dumps(fill_answers(release_nb, assessment, answers)))
        expected[learner] = float(n_right)
    (inbox / "pg-broken.ipynb").write_text("{not json")
    taken = intake(course, inbox, ASSESSMENT)
    assert sorted(taken.learners) == sorted(expected)
    result = autograde(course, ASSESSMENT, progress=None)
    assert not result.failed and result.scores() == expected
    return GradedCourse(course, postgres_url, expected)


def test_release_intake_autograde_and_report_on_postgresql(graded: GradedCourse) -> None:
    course = graded.course
    assert course.db_url.startswith("postgresql+psycopg")               # normalised to an installed driver
    assert not (course.root / SQLITE_FILE).exists()                     # nothing went to SQLite
    report = write_report(course)
    rows = {r["learner"]: r for r in csv.DictReader(report.grades_csv.open(encoding="utf-8"))}
    assert rows["pg-strong"][f"{ASSESSMENT} passed"] == "yes" and rows["pg-strong"]["CPD minutes"] == "40"
    assert rows["pg-middle"][f"{ASSESSMENT} passed"] == "no"
    assert {g.learner for g in collect_grades(course)} == set(graded.expected)

    import psycopg  # the grades really live in PostgreSQL

    with psycopg.connect(graded.url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM student")
        assert cursor.fetchone()[0] == len(graded.expected)
    record = json.loads((course.root / GRADEBOOK_RECORD).read_text(encoding="utf-8"))
    assert record["gradebook"].startswith("postgresql://postgres@127.0.0.1:")


def run_in_course(course: CourseDir, *command: str, db_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "EXOCOURSE_DB_URL"}
    if db_url:
        env["EXOCOURSE_DB_URL"] = db_url
    return subprocess.run(list(command), cwd=course.root, env=env, capture_output=True, text=True, timeout=180)


def nbgrader_command() -> str:
    return str(Path(sys.executable).parent / "nbgrader")


def test_nbgraders_own_cli_reads_the_same_postgresql_gradebook(graded: GradedCourse) -> None:
    run = run_in_course(graded.course, nbgrader_command(), "db", "student", "list", db_url=graded.url)
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"There are {len(graded.expected)} students in the database" in run.stdout
    for learner in graded.expected:
        assert learner in run.stdout
    assert "No module named" not in run.stderr


def test_with_only_psycopg2_installed_the_documented_url_still_reaches_nbgrader(graded: GradedCourse,
                                                                                tmp_path: Path) -> None:
    pytest.importorskip("psycopg2")
    blocker = tmp_path / "no-psycopg3"
    blocker.mkdir()
    # Python imports sitecustomize at start-up: this one makes psycopg 3 unimportable, as on a
    # machine that has only psycopg2 (SQLAlchemy 2 would then fail on a plain postgresql:// URL).
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['psycopg'] = None\n", encoding="utf-8")
    env_path = os.pathsep.join(filter(None, [str(blocker), os.environ.get("PYTHONPATH")]))
    run = subprocess.run([nbgrader_command(), "db", "student", "list"], cwd=graded.course.root, capture_output=True,
                         text=True, timeout=180, env={**os.environ, "EXOCOURSE_DB_URL": graded.url,
                                                      "PYTHONPATH": env_path})
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"There are {len(graded.expected)} students" in run.stdout


def test_a_shell_that_forgot_the_url_is_stopped_not_given_a_second_gradebook(graded: GradedCourse) -> None:
    course = graded.course
    report = run_in_course(course, sys.executable, "-m", "course.cli", "--course-dir", str(course.root), "report",
                           db_url=None)
    assert report.returncode == 2 and "export EXOCOURSE_DB_URL='postgresql://postgres:PASSWORD@127.0.0.1:" in report.stderr
    assert "Traceback" not in report.stderr
    listing = run_in_course(course, nbgrader_command(), "db", "student", "list", db_url=None)
    assert listing.returncode != 0 and "EXOCOURSE_DB_URL" in listing.stderr
    assert not (course.root / SQLITE_FILE).exists()                     # neither tool made an empty one


# ---------------------------------------------------------------- Formgrader in Chromium

CHROMIUM = Path("/usr/bin/chromium")


def reflection_grade_id(course: CourseDir) -> str:
    notebook = json.loads(course.source_notebook(ASSESSMENT).read_text(encoding="utf-8"))
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in notebook["cells"]
           if c["metadata"].get("nbgrader", {}).get("solution") and c["metadata"]["nbgrader"].get("grade")]
    assert len(ids) == 1, ids
    return str(ids[0])


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)")
def test_formgrader_marks_a_reflection_in_chromium_and_the_mark_is_in_postgresql(graded: GradedCourse,
                                                                                 tmp_path: Path) -> None:
    from tests.browser import chromium_page
    from tests.formgrader import formgrader

    course = graded.course
    grade_id = reflection_grade_id(course)
    with formgrader(course.root, graded.url, tmp_path / "server") as server, chromium_page() as page:
        server.log_in(page)                              # as opening JupyterLab with its token does
        page.goto(f"{server.base}/formgrader/gradebook/{ASSESSMENT}/assessment", wait_until="domcontentloaded")
        # The page loads its list from the gradebook: with the wrong driver it never got past
        # "Loading, please wait...".
        link = page.locator("a", has_text="Submission #").first
        link.wait_for(timeout=60_000)
        assert page.get_by_text("Loading, please wait").count() == 0 or not page.get_by_text(
            "Loading, please wait").first.is_visible()
        rows = page.locator("a", has_text="Submission #").count()
        assert rows == len(graded.expected), server.log.read_text()[-2000:]
        link.click()
        # Formgrader fills the placeholder once it has loaded this grade from the gradebook.
        score = page.locator(f"input.score[id='{grade_id}'][placeholder]")
        score.wait_for(timeout=60_000)
        score.fill("3")
        score.dispatch_event("change")                   # as leaving the box does: Formgrader saves the mark
        deadline = time.monotonic() + 30
        while not (marked := manual_marks(course, grade_id, graded.expected)) and time.monotonic() < deadline:
            page.wait_for_timeout(250)
    assert list(marked.values()) == [3.0], marked        # one reflection marked, read back from PostgreSQL


def manual_marks(course: CourseDir, grade_id: str, learners: Iterable[str]) -> dict[str, float]:
    """The hand-given marks of the reflection, straight from the gradebook."""
    from nbgrader.api import Gradebook

    gradebook = Gradebook(course.db_url, course.course_id)
    try:
        grades = {learner: gradebook.find_grade(grade_id, "assessment", ASSESSMENT, learner) for learner in learners}
        return {learner: float(g.manual_score) for learner, g in grades.items()
                if g.manual_score is not None and not g.needs_manual_grade}
    finally:
        gradebook.close()
