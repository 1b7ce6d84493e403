"""The learner edition: the course as learners receive it, with no answer in it.

``exocourse publish DIR`` writes the lessons, the released assessments (built with
nbgrader from ``grading/source`` in a throw-away course folder, never in the
repository), the helper library, the environment and Binder files, and a learner
README. It leaves out ``grading/`` (sources, gradebook, submissions, feedback),
the tests and the instructor documents.

Before anything is written to ``DIR`` the edition is built beside it and audited with
``course.instructor.leaks``: every key, solution line, hidden-test line, marking guide and
model answer of every source assessment (and the instructor's key files) is looked for in
every file of the edition, inside archives and in any text encoding, with quotes, case and
spacing normalised. One found, or a file that cannot be examined, stops the publication
(the previous edition, if any, stays as it was). The edition's own ``make test`` executes
its lessons and assessments with the edition's own copy of the library.

The README's words are content (``course/content/learner_edition.yml``), filled in from
the syllabus, with their citations rendered.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course._errors import ConfigurationError, ContentError
from course._syllabus import PROJECT_ROOT, load_syllabus
from course._yaml import CONTENT_DIR, read_yaml, require

if TYPE_CHECKING:
    from course.instructor.leaks import Audit, Secrets

MARKER = ".exosome-reality-check-edition.json"
ASSESSMENTS_DIR = "assessments"
# What of the repository a learner receives, as (source, destination) relative paths.
COPIED = ("course", "modules", "assets", "binder", "environment.yml", "pyproject.toml", "LICENSE")
_SKIPPED_NAMES = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo", ".bak", ".tmp"}

README_FILE = CONTENT_DIR / "learner_edition.yml"


# ------------------------------------------------------------------ the leak audit
def edition_secrets(grading: Path) -> dict[str, Secrets]:
    """Per assessment of ``grading/source``, everything a learner must not see: its keys,
    solution and hidden-test lines, marking guide, model answer and key file. (The nbgrader
    markers themselves are not secrets here: the edition's own library names them.)"""
    from course.instructor.leaks import assessment_secrets

    source_dir = grading / "source"
    secrets: dict[str, Secrets] = {}
    for notebook in sorted(source_dir.glob("*/*.ipynb")):
        assessment = notebook.parent.name
        keys = [grading / "assessments" / f"{assessment}{suffix}" for suffix in (".yml", ".yaml")]
        secrets[assessment] = assessment_secrets(notebook, assessment, key_file=next((k for k in keys if k.is_file()), None),
                                                 delimiters=False)
    if not any(secrets.values()):
        raise ConfigurationError(f"No assessment was found in {source_dir}: the leak audit would prove nothing. "
                                 "Check that the assessments are there.")
    return secrets


@dataclass(frozen=True)
class PublicText:
    """Text learners are meant to read, which a secret's fragment may share without leaking."""

    assessments: str = ""   # everything outside the solution regions of the source notebooks
    lessons: str = ""       # the lesson sources and the content data, which model answers restate


def public_text(project_root: Path) -> PublicText:
    """The repository's own public text (never the edition's, which could hold the leak itself)."""
    from course.instructor.leaks import regions

    prompts: list[str] = []
    for notebook in sorted((project_root / "grading" / "source").glob("*/*.ipynb")):
        for cell in _read_json(notebook).get("cells", []):
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            prompts += [line for kind, line in regions(text) if kind is None]
    lessons = [path.read_text(encoding="utf-8", errors="replace")
               for pattern in ("lessons/*.md", "course/content/*.yml", "course/content/**/*.yml")
               for path in sorted(project_root.glob(pattern))]
    return PublicText("\n".join(prompts), "\n".join(lessons))


def audit(folder: Path, secrets: dict[str, Secrets], public: PublicText | None = None) -> Audit:
    """Every secret found in any file under ``folder`` (archives opened, every encoding tried,
    quotes and spacing normalised); ``audit.ok`` only when nothing leaked and every file could
    be examined.

    - A released assessment is searched for all of its own secrets (``answer_N`` means question
      N of the notebook it is in) and for every assessment's marking guide and model answer.
    - Lessons, the README and every other file outside the library: for everything.
    - The library (``course/``), whose self-check banks mark their own correct options and
      whose code shows ``answer_N = ...`` examples by design: for solution and hidden-test
      lines, marking guides, model answers and copies of a key file.
    A fragment that an assessment's visible text also holds (``public.assessments``) is not a
    secret; nor is a fragment of a model answer or marking guide that the lesson sources or
    content data say (``public.lessons``): those restate what was taught. Solution lines, keys
    and key files are never excused that way, and a marking guide pasted whole into a lesson
    is still found by its fragments that no lesson says."""
    from course.instructor.leaks import (
        HIDDEN_TEST,
        KEY_FILE,
        MARKING_GUIDE,
        MODEL_ANSWER,
        SOLUTION,
        Audit,
        Secrets,
        scan_tree,
    )

    public = public or PublicText()

    def excused(one: Secrets) -> Secrets:
        one = one.without(public.assessments) if public.assessments else one
        taught = one.of_kind(MODEL_ANSWER, MARKING_GUIDE)
        if public.lessons:
            taught = taught.without(public.lessons)
        rest = Secrets([t for t in one.texts if t.kind not in (MODEL_ANSWER, MARKING_GUIDE)], one.keys,
                       one.fingerprints)
        return rest + Secrets(taught.texts)

    shared, everything, library = Secrets(), Secrets(), Secrets()
    for one in secrets.values():
        shared += one.of_kind(MARKING_GUIDE, MODEL_ANSWER, KEY_FILE)
        everything += one
        library += one.of_kind(SOLUTION, HIDDEN_TEST, MARKING_GUIDE, MODEL_ANSWER, KEY_FILE)
    # In the library, an ``answer_N = "B"`` solution line is an example of the answer format
    # (question N of no notebook): keys are looked for where they mean something.
    library = Secrets([t for t in library.texts if not (t.kind == SOLUTION and _ANSWER_LINE.match(t.text))],
                      library.keys, library.fingerprints)
    shared, everything, library = excused(shared), excused(everything), excused(library)
    result = Audit()
    released = folder / ASSESSMENTS_DIR
    for path in sorted(folder.iterdir()):
        if path == released:
            for part in sorted(released.iterdir()):
                own = secrets[part.name] + shared if part.name in secrets else everything
                result.extend(scan_tree(part, own, relative_to=folder))
        else:
            result.extend(scan_tree(path, library if path.name == "course" else everything, relative_to=folder))
    return result


_ANSWER_LINE = re.compile(r"^answer_\d+=")     # a normalised one-line answer (leaks.normalise drops spaces)


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
    secrets = edition_secrets(root / "grading")
    learner_readme([])                   # a content mistake in the README stops us before any building
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
        found = audit(build, secrets, public_text(root))
        if not found.ok:
            problems = found.messages()
            raise ConfigurationError(f"The learner edition was NOT published: {len(problems)} problem"
                                     f"{'s' if len(problems) != 1 else ''} found ({'; '.join(problems[:5])}). Remove "
                                     "the answers from the files named (or the files that cannot be checked) and "
                                     "publish again.")
        files = sorted(str(p.relative_to(build)) for p in build.rglob("*") if p.is_file())
        _replace(build, target)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return Edition(path=target, files=files, assessments=assessments,
                   secrets_checked=sum(len(one) for one in secrets.values()))


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
        _copy(root / "grading" / "assessments", course_root / "assessments")   # the keys the release checks against
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


def learner_readme(assessments: list[str], source: Path = README_FILE) -> str:
    """The edition's README.md: the words of ``course/content/learner_edition.yml``, filled in
    from the syllabus, with author-year citations and a reference list."""
    from course._progress import PROGRESS_FILE
    from course._references import reference_list_markdown, render_citations

    name = source.name
    template = require(read_yaml(source), "readme", name, None, str,
                       "give the README's Markdown as `readme: |` followed by the text")
    syllabus = load_syllabus()
    info = syllabus.course
    values = {
        "title": info.title, "version": info.version, "review_date": info.content_review_date,
        "provider": info.provider, "declaration_of_interests": info.declaration_of_interests,
        "safety_note": info.safety_note,
        "lessons": "\n".join(f"- `modules/{m.slug}.ipynb`: {m.title} ({m.minutes} min)" for m in syllabus.modules),
        "assessments": "\n".join(f"- `{ASSESSMENTS_DIR}/{a}/assessment.ipynb`" for a in assessments)
        or "- (none released in this edition)",
        "progress_file": f"~/.exosome-reality-check/{PROGRESS_FILE}",
    }
    try:
        text = template.format(**values)
    except KeyError as exc:
        raise ContentError(name, "readme", f"uses the placeholder {{{exc.args[0]}}}, which is not one of "
                           + ", ".join("{" + k + "}" for k in values),
                           "use one of those, or write {{ }} for a literal brace") from None
    except (ValueError, IndexError) as exc:
        raise ContentError(name, "readme", f"has a stray brace ({exc})", "write {{ or }} for a literal brace") from None
    try:
        text, keys = render_citations(text, link_to="entry")
    except ContentError as unknown:
        raise ContentError(name, "readme", f"cites a key that is not in references.yml ({unknown.item or unknown})",
                           "use a key listed in course/content/references.yml") from None
    if keys:
        text = text.rstrip() + "\n\n" + reference_list_markdown(keys)
    return text


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
