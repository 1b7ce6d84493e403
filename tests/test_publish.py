"""course/instructor/publish.py: the learner edition provably contains no solution.

The leak audit here is written independently of publish.py's own guard (so a bug in one
cannot hide a leak from the other): it collects every solution line and hidden-test line
of every source assessment and looks for each in every file of the published edition and
in every feedback page the real pipeline writes.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course._errors import ConfigurationError
from course.instructor.publish import MARKER, publish
from tests.graded_course import graded_course

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "grading" / "source"
pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- the audit
def secret_lines() -> dict[str, str]:
    """Solution and hidden-test lines of grading/source -> where they come from.

    Trivially generic lines are left out: blank, fewer than six visible characters,
    imports, and lines that the notebook also shows outside its secret regions."""
    found: dict[str, str] = {}
    for notebook in sorted(SOURCE.glob("*/assessment.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
        public, secret = set(), []
        for source in sources:
            inside = False
            for line in source.splitlines():
                text = line.strip()
                if text in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                    inside = True
                elif text in ("### END SOLUTION", "### END HIDDEN TESTS"):
                    inside = False
                elif inside:
                    secret.append(text)
                else:
                    public.add(text)
        for text in secret:
            generic = (len(re.sub(r"\s", "", text)) < 6 or re.match(r"^(from \S+ )?import ", text)
                       or text in public)
            if not generic:
                found.setdefault(text, notebook.parent.name)
    return found


def readable_text(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    if path.suffix == ".ipynb":  # also as a reader sees it: JSON escapes undone
        cells = json.loads(text).get("cells", [])
        for cell in cells:
            source = cell.get("source", "")
            text += "\n" + ("".join(source) if isinstance(source, list) else source)
            for output in cell.get("outputs", []):
                text += "\n" + json.dumps(output, ensure_ascii=False)
                for value in output.get("data", {}).values():
                    text += "\n" + ("".join(value) if isinstance(value, list) else str(value))
                text += "\n" + "".join(output.get("text", ""))
    return text


def leaks_in(folder: Path, secrets: dict[str, str]) -> list[tuple[str, str]]:
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = readable_text(path)
        if text is not None:
            leaks += [(str(path.relative_to(folder)), line) for line in secrets if line in text]
    return leaks


def test_the_audit_has_real_secrets_to_look_for_and_finds_one_when_it_is_there(tmp_path):
    secrets = secret_lines()
    assessments = {where for where in secrets.values()}
    assert assessments == {p.parent.name for p in SOURCE.glob("*/assessment.ipynb")} and len(secrets) > 50
    assert any(line.startswith("assert ") for line in secrets)          # hidden tests
    assert any(re.match(r"answer_\d+ = ", line) for line in secrets)      # keyed answers
    line = next(iter(secrets))
    (tmp_path / "lesson.ipynb").write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": [line]}]}))
    assert leaks_in(tmp_path, secrets) == [("lesson.ipynb", line)]


# ---------------------------------------------------------------- the edition
@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    target = tmp_path_factory.mktemp("published") / "exosome-reality-check-learners"
    run = subprocess.run([sys.executable, "-m", "course.cli", "publish", str(target)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "leak audit: none of" in run.stdout
    return target


def test_the_edition_holds_lessons_released_assessments_library_environment_binder_and_readme(edition):
    lessons = sorted(p.name for p in (ROOT / "modules").glob("*.ipynb"))
    assert sorted(p.name for p in (edition / "modules").glob("*.ipynb")) == lessons
    sources = sorted(p.parent.name for p in SOURCE.glob("*/assessment.ipynb"))
    assert sorted(p.parent.name for p in (edition / "assessments").glob("*/assessment.ipynb")) == sources
    for name in ("course/__init__.py", "course/content/syllabus.yml", "environment.yml", "pyproject.toml",
                 "binder/environment.yml", "binder/postBuild", "binder/overrides.json", "README.md", "Makefile",
                 MARKER):
        assert (edition / name).is_file(), name
    assert os.access(edition / "binder" / "postBuild", os.X_OK)


def test_the_edition_has_no_grading_sources_gradebook_tests_or_instructor_notes(edition):
    names = [str(p.relative_to(edition)) for p in edition.rglob("*")]
    assert not [n for n in names if n.startswith(("grading", "tests", "benchmarks", "docs", ".git/"))]
    assert not [n for n in names if n.endswith((".db", ".pyc", ".key")) or "__pycache__" in n]
    assert not [n for n in names if "register.csv" in n or "learners.csv" in n]


def test_no_solution_or_hidden_test_line_is_anywhere_in_the_edition(edition):
    assert leaks_in(edition, secret_lines()) == []
    for notebook in edition.rglob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        cells = json.loads(text)["cells"]
        assert all(c.get("outputs", []) == [] for c in cells if c["cell_type"] == "code")


def test_no_solution_or_hidden_test_line_is_in_any_feedback_page(tmp_path):
    course = graded_course(tmp_path / "grading")
    pages = list(course.feedback_dir.rglob("*.html"))
    assert len(pages) == 2 * len(course.assessment_ids())
    assert leaks_in(course.feedback_dir, secret_lines()) == []


def test_the_learner_readme_says_how_to_start_and_what_is_kept(edition):
    readme = (edition / "README.md").read_text(encoding="utf-8")
    assert "modules/00_start_here.ipynb" in readme and "make lab" in readme
    assert "progress.json" in readme and "Nothing is sent anywhere" in readme
    assert "exocourse" not in readme and "grading" not in readme


def test_the_editions_own_check_executes_every_lesson_and_assessment_with_its_own_library(edition):
    run = subprocess.run([sys.executable, "-m", "course.instructor.publish", "--check", str(edition)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(edition)},
                         cwd=edition)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    lessons = len(list((edition / "modules").glob("*.ipynb")))
    assessments = len(list((edition / "assessments").glob("*/*.ipynb")))
    assert f"{lessons + assessments} passed, 0 failed" in run.stdout


# ---------------------------------------------------------------- refusing
def test_publish_refuses_and_writes_nothing_when_a_solution_would_leak(tmp_path):
    project = tmp_path / "project"
    for name in ("course", "modules", "assets", "binder", "grading/source", "grading/nbgrader_config.py",
                 "environment.yml", "pyproject.toml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)
    leaked = next(line for line in secret_lines() if line.startswith("assert "))
    lesson = next((project / "modules").glob("01_*.ipynb"))
    data = json.loads(lesson.read_text(encoding="utf-8"))
    data["cells"].append({"cell_type": "markdown", "metadata": {}, "source": [f"A hint: {leaked}"]})
    lesson.write_text(json.dumps(data), encoding="utf-8")
    target = tmp_path / "edition"
    with pytest.raises(ConfigurationError, match="NOT published.*modules/01_"):
        publish(target, project_root=project)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["project"]  # no half-built folder left behind


def test_publish_refuses_a_folder_that_is_not_empty_or_is_inside_the_repository(tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.docx").write_text("mine")
    with pytest.raises(ConfigurationError, match="not empty and is not an earlier learner edition"):
        publish(busy)
    assert [p.name for p in busy.iterdir()] == ["thesis.docx"]
    with pytest.raises(ConfigurationError, match="outside the course repository"):
        publish(ROOT / "edition")
    assert not (ROOT / "edition").exists()


def test_publishing_again_over_an_earlier_edition_replaces_it(edition, tmp_path):
    target = tmp_path / "again"
    shutil.copytree(edition, target)
    (target / "modules" / "stale.ipynb").write_text("{}")
    result = publish(target)
    assert not (target / "modules" / "stale.ipynb").exists() and (target / MARKER).exists()
    assert sorted(result.assessments) == sorted(p.parent.name for p in SOURCE.glob("*/assessment.ipynb"))
