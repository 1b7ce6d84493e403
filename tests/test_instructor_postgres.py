"""The same pipeline (release, intake, autograde with two workers, report) on a real
PostgreSQL gradebook, started for the test on a loopback port."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from course.instructor.autograde import autograde
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


def test_release_intake_autograde_and_report_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    from course.instructor.assessments import load_assessment, read_notebook_json
    from course.instructor.demo import fill_answers

    course = make_course(tmp_path / "course", db_url=postgres_url)
    assert course.db_url.startswith("postgresql")
    release(course, [ASSESSMENT])
    assert not (course.root / "gradebook.db").exists()          # nothing went to SQLite

    assessment = load_assessment(course.source_notebook(ASSESSMENT))
    release_nb = read_notebook_json(course.release_notebook(ASSESSMENT))
    right = correct_answers(course)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    expected: dict[str, float] = {}
    import json
    for learner, n_right in (("pg-strong", 7), ("pg-middle", 5), ("pg-weak", 2), ("pg-none", 0)):
        answers = {n: (v if n <= n_right else wrong_for(assessment, n, v)) for n, v in right.items()}
        (inbox / f"{learner}.ipynb").write_text(json.dumps(fill_answers(release_nb, assessment, answers)))
        expected[learner] = float(n_right)
    (inbox / "pg-broken.ipynb").write_text("{not json")

    taken = intake(course, inbox, ASSESSMENT)
    assert sorted(taken.learners) == sorted(expected)
    graded = autograde(course, ASSESSMENT, workers=2, progress=None)
    assert graded.workers == 2 and not graded.failed
    assert graded.scores() == expected

    report = write_report(course)
    rows = {r["learner"]: r for r in csv.DictReader(report.grades_csv.open(encoding="utf-8"))}
    assert rows["pg-strong"][f"{ASSESSMENT} passed"] == "yes" and rows["pg-strong"]["CPD minutes"] == "40"
    assert rows["pg-middle"][f"{ASSESSMENT} passed"] == "no"
    assert {g.learner for g in collect_grades(course)} == set(expected)

    # The grades really live in PostgreSQL: read them back with a plain connection.
    import psycopg2

    with psycopg2.connect(postgres_url.replace("+psycopg2", "")) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM student")
        assert cursor.fetchone()[0] == len(expected)
