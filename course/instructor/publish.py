"""The learner edition: the course as learners receive it, with no answer in it.

``exocourse publish DIR`` writes the lessons, the released assessments (built with
nbgrader from ``grading/source`` in a throw-away course folder, never in the
repository), the helper library, the environment and Binder files, and a learner
README. It leaves out ``grading/`` (sources, gradebook, submissions, feedback),
the tests and the instructor documents.

Before anything is written to ``DIR`` the edition is built beside it and audited:
every solution line and hidden-test line of every source assessment is looked for in
every file of the edition. One found stops the publication (the previous edition, if
any, stays as it was). The edition's own ``make test`` executes its lessons and
assessments with the edition's own copy of the library.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from course._errors import ConfigurationError
from course._syllabus import PROJECT_ROOT, load_syllabus

MARKER = ".exosome-reality-check-edition.json"
ASSESSMENTS_DIR = "assessments"
# What of the repository a learner receives, as (source, destination) relative paths.
COPIED = ("course", "modules", "assets", "binder", "environment.yml", "pyproject.toml", "LICENSE")
_SKIPPED_NAMES = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo", ".bak", ".tmp"}

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_GENERIC = re.compile(r"^(?:import \S+|from \S+ import [\w, ]+|[\W_]*|\w{1,3}:?)$")
_MIN_SIGNIFICANT = 6


# ------------------------------------------------------------------ the leak audit
@dataclass(frozen=True)
class SecretLine:
    """A line of a solution or hidden test in a source assessment."""

    text: str
    assessment: str
    kind: str  # "solution" or "hidden test"


@dataclass(frozen=True)
class Leak:
    secret: SecretLine
    file: str  # relative to the edition


def secret_lines(source_dir: Path) -> list[SecretLine]:
    """Every solution and hidden-test line in ``source_dir/*/*.ipynb``, less trivially generic
    lines (blank, punctuation, imports, and lines the released notebook shows anyway)."""
    secrets: dict[str, SecretLine] = {}
    for notebook in sorted(Path(source_dir).glob("*/*.ipynb")):
        cells = _read_json(notebook).get("cells", [])
        visible = set()
        for cell in cells:
            for kind, line in _regions(_source(cell)):
                if kind is None:
                    visible.add(line.strip())
        for cell in cells:
            for kind, line in _regions(_source(cell)):
                text = line.strip()
                if kind is None or text in visible or _generic(text):
                    continue
                secrets.setdefault(text, SecretLine(text, notebook.parent.name, kind))
    return list(secrets.values())


def _regions(source: str) -> Iterable[tuple[str | None, str]]:
    """Each line of a cell with the region it is in: "solution", "hidden test" or None."""
    region: str | None = None
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            region = "solution"
        elif marker == BEGIN_HIDDEN:
            region = "hidden test"
        elif marker in (END_SOLUTION, END_HIDDEN):
            region = None
        else:
            yield region, line


def _generic(text: str) -> bool:
    return len(re.sub(r"\s", "", text)) < _MIN_SIGNIFICANT or bool(_GENERIC.match(text))


def audit(folder: Path, secrets: list[SecretLine]) -> list[Leak]:
    """Every secret line found in any file under ``folder`` (notebooks are also searched
    as decoded text, so JSON escaping cannot hide a line)."""
    leaks: list[Leak] = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        text = searchable_text(path)
        if text is None:
            continue
        for secret in secrets:
            if secret.text in text:
                leaks.append(Leak(secret, str(path.relative_to(folder))))
    return leaks


def searchable_text(path: Path) -> str | None:
    """A file's text as a reader (or a program) would see it; None for binary files."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    if path.suffix in (".ipynb", ".json"):
        try:
            return raw + "\n" + "\n".join(_strings(json.loads(raw)))
        except json.JSONDecodeError:
            return raw
    return raw


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        if value and all(isinstance(v, str) for v in value):
            yield "".join(value)  # a notebook cell's source, split into lines
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


# ------------------------------------------------------------------ publishing
@dataclass
class Edition:
    """What ``publish`` wrote."""

    path: Path
    files: list[str] = field(default_factory=list)
    assessments: list[str] = field(default_factory=list)
    secrets_checked: int = 0


def publish(destination: Path | str, project_root: Path = PROJECT_ROOT) -> Edition:
    """Write the learner edition into ``destination`` (a new folder, an empty one, or an
    earlier edition, which is replaced)."""
    target = Path(destination).expanduser().absolute()
    root = project_root.resolve()
    _check_destination(target, root)
    source_dir = root / "grading" / "source"
    secrets = secret_lines(source_dir)
    if not secrets:
        raise ConfigurationError(f"No solution or hidden-test lines were found in {source_dir}: the leak audit "
                                 "would prove nothing. Check that the assessments are there.")
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        for name in COPIED:
            _copy(root / name, build / name)
        for notebook in (build / "modules").glob("*.ipynb"):
            _strip_outputs(notebook)
        assessments = _release_into(root, build / ASSESSMENTS_DIR)
        (build / "README.md").write_text(learner_readme(assessments), encoding="utf-8")
        (build / "Makefile").write_text(EDITION_MAKEFILE, encoding="utf-8")
        (build / ".gitignore").write_text(".venv/\n__pycache__/\n.ipynb_checkpoints/\n", encoding="utf-8")
        (build / MARKER).write_text(json.dumps({
            "course_version": load_syllabus().course.version,
            "published": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "assessments": assessments,
        }, indent=1) + "\n", encoding="utf-8")
        leaks = audit(build, secrets)
        if leaks:
            shown = "; ".join(f"{leak.file}: {leak.secret.kind} line of {leak.secret.assessment} "
                              f"{leak.secret.text[:60]!r}" for leak in leaks[:5])
            raise ConfigurationError(f"The learner edition was NOT published: it would contain answers "
                                     f"({len(leaks)} found; {shown}). Remove them from the files named and "
                                     "publish again.")
        files = sorted(str(p.relative_to(build)) for p in build.rglob("*") if p.is_file())
        _replace(build, target)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return Edition(path=target, files=files, assessments=assessments, secrets_checked=len(secrets))


def _check_destination(target: Path, root: Path) -> None:
    resolved = target.resolve()
    if resolved == root or resolved.is_relative_to(root) or root.is_relative_to(resolved):
        raise ConfigurationError(f"Publish the learner edition outside the course repository, not into "
                                 f"{target}: for example exocourse publish ../exosome-reality-check-learners")
    if target.exists() and not target.is_dir():
        raise ConfigurationError(f"{target} is a file. Give a folder for the learner edition.")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise ConfigurationError(f"{target} is not empty and is not an earlier learner edition, so publishing "
                                 "there could overwrite other files. Choose a new or empty folder.")


def _copy(source: Path, destination: Path) -> None:
    if not source.exists():
        return
    if source.is_file():
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        return
    shutil.copytree(source, destination, ignore=lambda folder, names: [
        n for n in names if n in _SKIPPED_NAMES or Path(n).suffix in _SKIPPED_SUFFIXES])


def _strip_outputs(notebook: Path) -> None:
    data = _read_json(notebook)
    for cell in data.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _release_into(root: Path, destination: Path) -> list[str]:
    """Release every assessment with nbgrader in a throw-away course folder; copy the releases."""
    from course.instructor.coursedir import CONFIG_FILE, open_course
    from course.instructor.release import release

    with tempfile.TemporaryDirectory(prefix="exocourse-release-") as scratch:
        course_root = Path(scratch) / "grading"
        course_root.mkdir()
        shutil.copy2(root / "grading" / CONFIG_FILE, course_root / CONFIG_FILE)
        _copy(root / "grading" / "source", course_root / "source")
        # An explicit SQLite gradebook in the scratch folder: a configured PostgreSQL
        # gradebook (EXOCOURSE_DB_URL) must never receive a throw-away release.
        course = open_course(course_root, db_url=f"sqlite:///{course_root / 'gradebook.db'}")
        released = release(course)
        for item in released:
            target = destination / item.assessment / item.notebook.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item.notebook, target)
            _strip_outputs(target)
        return [item.assessment for item in released]


def _replace(build: Path, target: Path) -> None:
    """Put the finished edition in place; an earlier edition is removed only once the new one is whole."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(build, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(build, target)


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


# ------------------------------------------------------------------ the edition's own files
EDITION_MAKEFILE = """\
# The learner edition of Exosome Reality Check.
#   make lab    opens the course in JupyterLab (first creates .venv if it is missing)
#   make test   runs every lesson and assessment once, to check that this copy works
SHELL := /bin/bash
PYTHON ?= python3
BIN := .venv/bin
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab test

.venv/.installed: pyproject.toml
\t@test -x $(BIN)/python || $(PYTHON) -m venv .venv
\t$(BIN)/python -m pip install --quiet -e '.[lab]'
\t@touch $@

lab: .venv/.installed
\t$(BIN)/jupyter lab $(ROOT_FLAG) modules/00_start_here.ipynb

test: .venv/.installed
\t$(BIN)/python -m course.instructor.publish --check .
"""


def learner_readme(assessments: list[str]) -> str:
    syllabus = load_syllabus()
    info = syllabus.course
    lessons = "\n".join(f"- `modules/{m.slug}.ipynb`: {m.title} ({m.minutes} min)" for m in syllabus.modules)
    graded = "\n".join(f"- `{ASSESSMENTS_DIR}/{a}/assessment.ipynb`" for a in assessments)
    return f"""# {info.title}

Course version {info.version} · content reviewed {info.content_review_date} · provider: {info.provider}

An evidence-based CPD course for aesthetic practitioners (doctors, nurses, dentists). No
programming is needed: each lesson is a page of reading with short self-check questions,
figures and a reflection, and you run it one cell at a time.

{info.declaration_of_interests}

No exosome product is approved by the US FDA for aesthetic use, and this course does not
qualify anyone to administer one.

## Start

- **In your browser, with nothing to install:** use the Binder link your course provider gives
  you. Binder keeps nothing after your session ends: download your learning record before you
  leave.
- **On your own computer** (Python 3.10 or later): run `make lab` in this folder, or
  `python -m pip install -e '.[lab]'` and then `jupyter lab modules/00_start_here.ipynb`.

Open `modules/00_start_here.ipynb` first.

## Lessons

{lessons}

## Graded assessments

Your instructor will tell you how to submit them. Each answer cell has a format check that
says whether your answer is in the right form, never whether it is right.

{graded}

## Your learning record and your data

The course keeps one file on your computer: `~/.exosome-reality-check/progress.json` (or in the
folder named by the environment variable `EXOCOURSE_HOME`). It holds the lessons you finished
and when, your self-check answers, reflections and course evaluation, and your name and
registration number only if you type them. Nothing is sent anywhere. `course.record()` at the
end of each lesson writes your *self-assessed* learning record as a PDF and as JSON. A
certificate comes only from your instructor, after your graded assessments.

## Checking this copy

`make test` runs every lesson and assessment once and reports any that fail.
"""


# ------------------------------------------------------------------ the edition's own check
@dataclass(frozen=True)
class NotebookCheck:
    notebook: str
    ok: bool
    problem: str = ""


def check_edition(edition: Path | str, timeout: int = 180) -> list[NotebookCheck]:
    """Execute every lesson and released assessment of an edition with the edition's own library.

    A scratch learner record is used, so checking never touches a real one.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    root = Path(edition).resolve()
    notebooks = sorted((root / "modules").glob("*.ipynb")) + sorted((root / ASSESSMENTS_DIR).glob("*/*.ipynb"))
    if not notebooks:
        raise ConfigurationError(f"{root} holds no lessons: is it a learner edition?")
    results: list[NotebookCheck] = []
    saved = {name: os.environ.get(name) for name in ("PYTHONPATH", "EXOCOURSE_HOME")}
    with tempfile.TemporaryDirectory(prefix="exocourse-check-") as home:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [saved["PYTHONPATH"]])])
        os.environ["EXOCOURSE_HOME"] = home
        try:
            _require_own_library(root)
            for path in notebooks:
                notebook = nbformat.read(path, as_version=4)
                client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                        resources={"metadata": {"path": str(path.parent)}})
                name = str(path.relative_to(root))
                try:
                    client.execute()
                    results.append(NotebookCheck(name, True))
                except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
                    results.append(NotebookCheck(name, False, str(exc).strip().splitlines()[-1][:300]))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return results


def _require_own_library(root: Path) -> None:
    """The kernels must import the edition's ``course``, or the check would prove nothing."""
    import subprocess
    import sys

    found = subprocess.run([sys.executable, "-c", "import course; print(course.__file__)"], cwd=root / "modules",
                           capture_output=True, text=True).stdout.strip()
    if not found or not Path(found).resolve().is_relative_to(root):
        raise ConfigurationError(f"The check would run the course library at {found or '(none)'} instead of the "
                                 f"edition's own copy in {root}/course. Run it with the edition's environment.")


def _main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course.instructor.publish",
                                     description="Check a learner edition: run every lesson and assessment.")
    parser.add_argument("--check", metavar="DIR", required=True, help="the edition's folder")
    args = parser.parse_args(argv)
    try:
        results = check_edition(args.check)
    except ConfigurationError as problem:
        print(problem)
        return 2
    for result in results:
        print(f"{'ok    ' if result.ok else 'FAILED'} {result.notebook}" + (f": {result.problem}" if result.problem else ""))
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(_main())
