"""course.instructor.coursedir: one gradebook URL for every tool, and no silent second gradebook.

The URL the docs give (``postgresql://user@host/db``) must reach a driver that is installed;
a missing driver must say how to install it; and a course folder must refuse a gradebook
other than the one it recorded, in exocourse and in nbgrader's own commands alike.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course._errors import ConfigurationError
from course.instructor.coursedir import (
    GRADEBOOK_RECORD,
    SQLITE_FILE,
    check_gradebook,
    gradebook_identity,
    normalise_db_url,
    open_course,
    record_gradebook,
)
from tests.instructor_course import make_course

PG = "postgresql://grader:s3cret@db.example.org:5433/exocourse"


@pytest.fixture
def no_postgres_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither psycopg nor psycopg2 importable, as on a machine without the postgres extra."""
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.setitem(sys.modules, "psycopg2", None)


def test_the_documented_postgresql_url_names_the_installed_driver() -> None:
    assert normalise_db_url("postgresql://grader@db/exo") == "postgresql+psycopg://grader@db/exo"
    assert normalise_db_url("postgres://grader@db/exo") == "postgresql+psycopg://grader@db/exo"
    assert normalise_db_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_a_url_that_names_its_driver_keeps_it_or_says_what_to_install() -> None:
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigurationError, match="psycopg2-binary"):
            normalise_db_url("postgresql+psycopg2://g@db/exo")
    else:
        assert normalise_db_url("postgresql+psycopg2://g@db/exo") == "postgresql+psycopg2://g@db/exo"


def test_only_psycopg2_installed_is_used_for_a_plain_postgresql_url(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("psycopg2")
    monkeypatch.setitem(sys.modules, "psycopg", None)
    assert normalise_db_url("postgresql://g@db/exo") == "postgresql+psycopg2://g@db/exo"


def test_a_missing_driver_gives_the_install_command(no_postgres_driver: None) -> None:
    with pytest.raises(ConfigurationError) as caught:
        normalise_db_url(PG)
    message = str(caught.value)
    assert "pip install 'psycopg[binary]'" in message and ".[postgres]" in message
    assert "s3cret" not in message                                   # never the password


def test_a_missing_driver_is_one_line_from_the_command_not_a_traceback(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    script = ("import sys; sys.modules['psycopg'] = None; sys.modules['psycopg2'] = None\n"
              "from course.cli import main\n"
              f"sys.exit(main(['--course-dir', {str(course.root)!r}, '--db-url', {PG!r}, 'report']))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    assert "pip install" in run.stderr and "Traceback" not in run.stderr and "ModuleNotFoundError" not in run.stderr


def test_the_record_names_the_gradebook_without_its_password(tmp_path: Path) -> None:
    record_gradebook(tmp_path, normalise_db_url(PG))
    text = (tmp_path / GRADEBOOK_RECORD).read_text(encoding="utf-8")
    assert json.loads(text)["gradebook"] == "postgresql://grader@db.example.org:5433/exocourse"
    assert "s3cret" not in text and "psycopg" not in text


def test_identity_ignores_driver_and_password_and_names_sqlite_inside_the_folder_relatively(tmp_path: Path) -> None:
    assert gradebook_identity("postgresql+psycopg2://grader:x@h/db", tmp_path) == gradebook_identity(
        "postgresql://grader:y@h/db", tmp_path)
    assert gradebook_identity(f"sqlite:///{tmp_path / 'gradebook.db'}", tmp_path) == "sqlite:///gradebook.db"


@pytest.mark.slow
def test_opening_the_gradebook_records_it_once(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    assert not (course.root / GRADEBOOK_RECORD).exists()
    with course.gradebook():
        pass
    record = json.loads((course.root / GRADEBOOK_RECORD).read_text(encoding="utf-8"))
    assert record["gradebook"] == f"sqlite:///{SQLITE_FILE}"


def test_a_forgotten_database_url_stops_with_what_to_set_and_creates_no_gradebook(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from course.cli import main

    course = make_course(tmp_path / "course")
    record_gradebook(course.root, normalise_db_url(PG))          # the course lives on PostgreSQL
    monkeypatch.delenv("EXOCOURSE_DB_URL", raising=False)        # ... and this new shell forgot it
    code = main(["--course-dir", str(course.root), "report"])
    err = capsys.readouterr().err
    assert code == 2
    assert "export EXOCOURSE_DB_URL='postgresql://grader:PASSWORD@db.example.org:5433/exocourse'" in err
    assert "second, empty gradebook" in err and "Traceback" not in err
    assert not (course.root / SQLITE_FILE).exists()
    with pytest.raises(ConfigurationError, match="PASSWORD"):
        open_course(course.root)


def test_a_sqlite_course_refuses_a_postgresql_url_given_by_mistake(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    record_gradebook(course.root, course.db_url)
    with pytest.raises(ConfigurationError, match="unset EXOCOURSE_DB_URL"):
        check_gradebook(course.root, normalise_db_url(PG))


def test_a_moved_or_copied_course_folder_keeps_its_sqlite_gradebook(tmp_path: Path) -> None:
    import shutil

    course = make_course(tmp_path / "course")
    record_gradebook(course.root, course.db_url)
    shutil.copytree(course.root, tmp_path / "copy")
    open_course(tmp_path / "copy")                               # no mismatch: same folder-relative file


def test_a_damaged_record_says_what_it_is_for(tmp_path: Path) -> None:
    (tmp_path / GRADEBOOK_RECORD).write_text("{", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="records which gradebook"):
        check_gradebook(tmp_path, "sqlite:///x.db")


def nbgrader(course_root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "EXOCOURSE_DB_URL"}
    return subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=course_root,
                          capture_output=True, text=True, env={**base, **(env or {})}, timeout=120)


@pytest.mark.slow
def test_nbgrader_itself_refuses_a_second_gradebook(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    record_gradebook(course.root, normalise_db_url(PG))
    run = nbgrader(course.root, "db", "student", "list")
    assert run.returncode != 0
    assert "EXOCOURSE_DB_URL" in run.stderr and "Traceback" not in run.stderr
    assert not (course.root / SQLITE_FILE).exists()


@pytest.mark.slow
def test_nbgrader_on_a_new_sqlite_course_works_and_records_it(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    first = nbgrader(course.root, "db", "student", "list")       # creates gradebook.db
    assert first.returncode == 0, first.stderr
    second = nbgrader(course.root, "db", "student", "list")      # finds it, so records it
    assert second.returncode == 0 and "0 students" in second.stdout
    assert json.loads((course.root / GRADEBOOK_RECORD).read_text())["gradebook"] == f"sqlite:///{SQLITE_FILE}"
