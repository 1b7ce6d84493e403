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
SLOW = pytest.mark.slow


# ---------------------------------------------------------------- the audit
def secret_lines() -> dict[str, str]:
    """Solution lines of grading/source -> where they come from (the keyed answer lines and
    the written task's marking guide and model answer).

    Trivially generic lines are left out: blank, fewer than six visible characters,
    imports, and lines that the notebook also shows outside its solution regions."""
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


def guide_line(assessment: str = "01_exosome_biology") -> str:
    """A point of an assessment's marking guide ("1. Size: ..."): a secret in words."""
    return max((line for line, where in secret_lines().items() if where == assessment
                and re.match(r"\d+\. ", line)), key=len)


def key_line(assessment: str = "01_exosome_biology") -> str:
    return next(line for line, where in secret_lines().items() if where == assessment
                and re.match(r"answer_\d+ = ", line))


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
    """Every secret line found in a file under ``folder``. ``answer_N = ...`` means question N
    of the notebook it is in: in a released assessment only that assessment's answer lines
    count (a format example there may equal another assessment's key), and in the library
    (``course/``, whose code shows answer-format examples) none do."""
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = readable_text(path)
        if text is None:
            continue
        parts = path.relative_to(folder).parts
        for line, where in secrets.items():
            if re.match(r"answer_\d+ = ", line) and ((parts[0] == "assessments" and parts[1] != where)
                                                    or parts[0] == "course"):
                continue
            if line in text:
                leaks.append((str(path.relative_to(folder)), line))
    return leaks


def test_the_independent_audit_has_real_secrets_to_look_for_and_finds_one_when_it_is_there(tmp_path):
    secrets = secret_lines()
    assert {where for where in secrets.values()} == {p.parent.name for p in SOURCE.glob("*/assessment.ipynb")}
    assert any(re.match(r"answer_\d+ = ", line) for line in secrets)      # keyed answers
    assert len(guide_line()) > 40                                          # marking guide, model answer
    line = next(iter(secrets))
    (tmp_path / "lesson.ipynb").write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": [line]}]}))
    assert leaks_in(tmp_path, secrets) == [("lesson.ipynb", line)]


# ---------------------------------------------------------------- publish's own audit (leaks.py)
@pytest.fixture(scope="module")
def secrets():
    from course.instructor.publish import edition_secrets

    return edition_secrets(ROOT / "grading")


def small_edition(tmp_path: Path) -> Path:
    """A few real files of an edition: one lesson, one released assessment, the README."""
    edition = tmp_path / "edition"
    (edition / "modules").mkdir(parents=True)
    shutil.copy2(next((ROOT / "modules").glob("01_*.ipynb")), edition / "modules")
    (edition / "assessments" / "01_exosome_biology").mkdir(parents=True)
    (edition / "README.md").write_text("# The course\n", encoding="utf-8")
    return edition


def test_the_audit_passes_an_edition_without_secrets(tmp_path, secrets):
    from course.instructor.publish import audit

    assert audit(small_edition(tmp_path), secrets).ok


def test_the_audit_finds_a_key_line_with_other_quotes_and_spacing_inside_a_zip(tmp_path, secrets):
    import zipfile

    from course.instructor.publish import audit

    edition = small_edition(tmp_path)
    name, _, value = key_line().partition(" = ")
    disguised = f"{name}   =   '{value.strip(chr(34))}'"               # answer_1 = "B"  ->  answer_1   =   'B'
    with zipfile.ZipFile(edition / "assessments" / "01_exosome_biology" / "extras.zip", "w") as archive:
        archive.writestr("notes/answers.txt", f"For the record: {disguised}\n")
    found = audit(edition, secrets)
    assert not found.ok and any("extras.zip" in m for m in found.messages()), found.messages()


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "cp1252"])
def test_the_audit_finds_marking_guide_words_in_a_file_that_is_not_utf8(tmp_path, secrets, encoding):
    from course.instructor.publish import audit

    edition = small_edition(tmp_path)
    line = guide_line()
    curly = line.replace("'", "\u2019").replace('"', "\u201c")              # quotes a word processor makes
    spaced = "  ".join(curly.split(" "))                                     # and doubled spaces
    text = f"Notes\n{spaced}\n"
    data = text.encode(encoding, errors="replace") if encoding != "utf-16" else text.encode("utf-16")
    (edition / "modules" / "notes.txt").write_bytes(data)
    found = audit(edition, secrets)
    assert not found.ok and any("notes.txt" in m for m in found.messages()), (encoding, found.messages())


def test_an_archive_that_cannot_be_examined_fails_the_audit(tmp_path, secrets):
    from course.instructor.publish import audit

    edition = small_edition(tmp_path)
    (edition / "modules" / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    assert not audit(edition, secrets).ok


# ---------------------------------------------------------------- the README is content
def test_the_learner_readme_is_content_with_its_citations_rendered():
    from course.instructor.publish import README_FILE, learner_readme

    readme = learner_readme(["01_exosome_biology"])
    assert "[@" not in readme and "(#ref-fda2019)" in readme and '<a id="ref-fda2019"></a>' in readme
    assert "assessments/01_exosome_biology/assessment.ipynb" in readme
    assert README_FILE.parent.name == "content" and README_FILE.suffix == ".yml"
    assert "Nothing is sent anywhere" in README_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize("text,problem", [
    ("readme: 'Hello {name}'", "placeholder {name}"),
    ("readme: 'See [@nosuchkey2031]'", "nosuchkey2031"),
    ("readme: 'A stray { brace'", "stray brace"),
    ("title: x", "has no `readme`"),
])
def test_a_mistake_in_the_readme_content_names_the_file_and_the_fix(tmp_path, text, problem):
    from course._errors import ContentError
    from course.instructor.publish import learner_readme

    source = tmp_path / "learner_edition.yml"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(problem)) as caught:
        learner_readme([], source)
    assert "learner_edition.yml" in str(caught.value)


# ---------------------------------------------------------------- the edition
@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    target = tmp_path_factory.mktemp("published") / "exosome-reality-check-learners"
    run = subprocess.run([sys.executable, "-m", "course.cli", "publish", str(target)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "leak audit: none of" in run.stdout
    return target


@SLOW
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


@SLOW
def test_the_edition_has_no_grading_sources_gradebook_tests_or_instructor_notes(edition):
    names = [str(p.relative_to(edition)) for p in edition.rglob("*")]
    assert not [n for n in names if n.startswith(("grading", "tests", "benchmarks", "docs", ".git/"))]
    assert not [n for n in names if n.endswith((".db", ".pyc", ".key")) or "__pycache__" in n]
    assert not [n for n in names if "register.csv" in n or "learners.csv" in n]


@SLOW
def test_no_solution_line_is_anywhere_in_the_edition(edition):
    assert leaks_in(edition, secret_lines()) == []
    for notebook in edition.rglob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        cells = json.loads(text)["cells"]
        assert all(c.get("outputs", []) == [] for c in cells if c["cell_type"] == "code")


@SLOW
def test_no_solution_line_is_in_any_feedback_page(tmp_path):
    course = graded_course(tmp_path / "grading")
    pages = list(course.feedback_dir.rglob("*.html"))
    assert len(pages) == 2 * len(course.assessment_ids())
    assert leaks_in(course.feedback_dir, secret_lines()) == []


@SLOW
def test_the_learner_readme_says_how_to_start_and_what_is_kept(edition):
    readme = (edition / "README.md").read_text(encoding="utf-8")
    assert "modules/00_start_here.ipynb" in readme and "make lab" in readme
    assert "progress.json" in readme and "Nothing is sent anywhere" in readme
    assert "exocourse" not in readme and "grading" not in readme


@SLOW
def test_the_editions_own_check_executes_every_lesson_and_assessment_with_its_own_library(edition):
    run = subprocess.run([sys.executable, "-m", "course.instructor.publish", "--check", str(edition)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(edition)},
                         cwd=edition)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    lessons = len(list((edition / "modules").glob("*.ipynb")))
    assessments = len(list((edition / "assessments").glob("*/*.ipynb")))
    assert f"{lessons + assessments} passed, 0 failed" in run.stdout


# ---------------------------------------------------------------- refusing
@SLOW
def test_publish_refuses_and_writes_nothing_when_a_solution_would_leak(tmp_path):
    project = tmp_path / "project"
    for name in ("course", "modules", "assets", "binder", "grading/source", "grading/assessments",
                 "grading/nbgrader_config.py",
                 "environment.yml", "pyproject.toml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)
    leaked = guide_line()
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


@SLOW
def test_publishing_again_over_an_earlier_edition_replaces_it(edition, tmp_path):
    target = tmp_path / "again"
    shutil.copytree(edition, target)
    (target / "modules" / "stale.ipynb").write_text("{}")
    result = publish(target)
    assert not (target / "modules" / "stale.ipynb").exists() and (target / MARKER).exists()
    assert sorted(result.assessments) == sorted(p.parent.name for p in SOURCE.glob("*/assessment.ipynb"))
