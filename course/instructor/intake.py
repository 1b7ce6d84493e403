"""Intake: take learners' notebooks as an instructor receives them and file them for grading.

Accepted layouts of the folder handed to ``intake``:

- ``DIR/<learner_id>.ipynb``
- ``DIR/<learner_id>/<any name>.ipynb`` (one notebook per learner's folder)
- anything an LMS produces, with ``id_pattern``: a regular expression searched in the path
  relative to ``DIR``; the learner id is its group ``id`` (or its first group).

Each file is checked (size, readable JSON, notebook format 4, this assessment), repaired
where that is safe (duplicated or copied cell ids), and written to
``submitted/<safe id>/<assessment>/assessment.ipynb``. Intake writes nowhere else, and one
bad file never stops the batch: it is rejected with its reason and the rest go on.
"""
from __future__ import annotations

import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import _atomic as atomic
from course._errors import ConfigurationError, SubmissionError
from course.instructor.assessments import nbgrader_meta, read_notebook_json
from course.instructor.coursedir import NOTEBOOK, CourseDir

DEFAULT_MAX_MB = 20.0

ACCEPTED, REPAIRED, REJECTED = "accepted", "repaired", "rejected"


@dataclass(frozen=True)
class Candidate:
    """A file found in the intake folder, and the learner id its name gives."""

    file: Path
    given_id: str | None          # None when the name did not yield an id
    problem: str = ""             # set when the file cannot be a submission


@dataclass(frozen=True)
class IntakeEntry:
    file: Path
    given_id: str | None
    learner: str | None           # the safe id under submitted/ (None when rejected)
    status: str                   # accepted, repaired or rejected
    reason: str = ""              # what was repaired, or why the file was rejected
    destination: Path | None = None
    replaced: bool = False        # an earlier submission of this learner was replaced

    def line(self, base: Path | None = None) -> str:
        """One line for the instructor: what happened to this file."""
        name = str(self.file.relative_to(base)) if base and self.file.is_relative_to(base) else str(self.file)
        name = ascii_visible(name)
        if self.status == REJECTED:
            return f"rejected  {name}: {self.reason}"
        mapping = f"learner {self.learner}"
        if self.given_id is not None and self.given_id != self.learner:
            mapping = f"learner {ascii_visible(self.given_id)!s} → {self.learner}"
        extra = f" ({self.reason})" if self.reason else ""
        replaced = " [replaces an earlier submission]" if self.replaced else ""
        return f"{self.status:<9} {name} → {mapping}{extra}{replaced}"


@dataclass(frozen=True)
class IntakeResult:
    assessment: str
    entries: tuple[IntakeEntry, ...] = field(default_factory=tuple)

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def learners(self) -> list[str]:
        return [e.learner for e in self.entries if e.learner]


# ---------------------------------------------------------------- learner ids

def ascii_visible(text: str) -> str:
    """``text`` with control characters shown as escapes, safe to print on one line."""
    return "".join(ch if unicodedata.category(ch)[0] != "C" else repr(ch)[1:-1] for ch in text)


def safe_learner_id(given: str) -> str:
    """A learner id that is safe as a folder name and a gradebook key: no path separators,
    no leading dots, no control characters; spaces become underscores."""
    text = unicodedata.normalize("NFKC", given)
    text = re.sub(r"\s+", "_", text.strip())                 # spaces, tabs, newlines
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = re.sub(r"[^\w.@+-]", "_", text)          # separators, wildcards, quotes ...
    text = re.sub(r"\.{2,}", ".", text)              # no ".." anywhere
    text = re.sub(r"_{2,}", "_", text)
    text = text.lstrip("._-+").rstrip(".")
    return text[:64] or "learner"


def assign_safe_ids(given_ids: list[str]) -> dict[str, str]:
    """Safe ids for the distinct given ids of one batch; collisions get ``_2``, ``_3`` ..."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for given in given_ids:
        if given in mapping:
            continue
        base = safe_learner_id(given)
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        mapping[given] = candidate
        taken.add(candidate)
    return mapping


# ---------------------------------------------------------------- finding files

# Files that operating systems and JupyterLab leave behind: never submissions. Other names
# that start with a dot are learner ids like any other (made safe, not skipped).
_JUNK = re.compile(r"^(\.ipynb_checkpoints|\.DS_Store|__MACOSX|Thumbs\.db|\._.*|\.~.*|~\$.*)$")


def _junk(path: Path, base: Path) -> bool:
    return any(_JUNK.match(part) for part in path.relative_to(base).parts)


def _id_from_pattern(pattern: re.Pattern[str], relative: str) -> str | None:
    match = pattern.search(relative)
    if not match:
        return None
    if "id" in pattern.groupindex:
        return match.group("id")
    return match.group(1) if pattern.groups else match.group(0)


def find_submissions(directory: Path, id_pattern: str | None = None) -> list[Candidate]:
    """Every file in ``directory`` that is (or looks meant to be) a submission."""
    pattern = None
    if id_pattern:
        try:
            pattern = re.compile(id_pattern)
        except re.error as exc:
            raise ConfigurationError(f"--id-pattern {id_pattern!r} is not a valid regular expression: {exc}.") from None
    candidates: list[Candidate] = []
    for entry in sorted(directory.iterdir()):
        if _JUNK.match(entry.name):
            continue
        if entry.is_symlink():
            candidates.append(Candidate(entry, None, "is a link, not a file; copy the notebook itself"))
        elif entry.is_file():
            given = _id_from_pattern(pattern, entry.name) if pattern else entry.stem
            if entry.suffix.lower() != ".ipynb":
                candidates.append(Candidate(entry, given, "is not a notebook (.ipynb) file"))
            elif not given:
                candidates.append(Candidate(entry, None, "its name does not match --id-pattern"))
            else:
                candidates.append(Candidate(entry, given))
        elif entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb")
                               if p.is_file() and not _junk(p, entry) and not p.is_symlink())
            if not notebooks:
                continue
            if len(notebooks) > 1:
                preferred = [p for p in notebooks if p.name == f"{NOTEBOOK}.ipynb"]
                if len(preferred) == 1:
                    notebooks = preferred
                else:
                    for extra in notebooks:
                        candidates.append(Candidate(
                            extra, None, f"{len(notebooks)} notebooks in one learner's folder; "
                                         "keep only the one to grade (or name it assessment.ipynb)"))
                    continue
            notebook = notebooks[0]
            relative = notebook.relative_to(directory).as_posix()
            given = _id_from_pattern(pattern, relative) if pattern else entry.name
            candidates.append(Candidate(notebook, given) if given
                              else Candidate(notebook, None, "its name does not match --id-pattern"))
    return candidates


# ---------------------------------------------------------------- checking one file

def read_submission(path: Path, max_bytes: int) -> dict[str, Any]:
    """The notebook in ``path`` as JSON, or SubmissionError saying what is wrong with it."""
    size = path.stat().st_size
    if size == 0:
        raise SubmissionError("the file is empty; ask the learner to save the notebook and send it again")
    if size > max_bytes:
        raise SubmissionError(
            f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit; ask the learner "
            "to clear outputs (Edit → Clear Outputs of All Cells), save and send it again")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError("the file is not a notebook (it is not text); ask the learner to download "
                              "the .ipynb file again") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"the file is damaged (not valid notebook JSON at line {exc.lineno}, column "
                              f"{exc.colno}); ask the learner to send it again") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")), list):
        raise SubmissionError("the file is JSON but not a Jupyter notebook")
    major = data.get("nbformat")
    if major != 4:
        raise SubmissionError(f"the notebook is in format {major}, not 4; ask the learner to open it in "
                              "JupyterLab and save it again (that converts it)")
    return data


def grade_ids(notebook: dict[str, Any]) -> set[str]:
    return {str(nbgrader_meta(c)["grade_id"]) for c in notebook.get("cells", [])
            if isinstance(c, dict) and nbgrader_meta(c).get("grade_id")}


def check_assessment(notebook: dict[str, Any], assessment: str, expected_ids: set[str],
                     other_ids: dict[str, set[str]]) -> None:
    """Raise SubmissionError unless ``notebook`` is a copy of ``assessment``."""
    declared = notebook.get("metadata", {}).get("exocourse", {})
    declared_id = declared.get("assessment") if isinstance(declared, dict) else None
    present = grade_ids(notebook)
    if declared_id and declared_id != assessment:
        raise SubmissionError(f"this is the notebook of assessment {declared_id}, not {assessment}")
    if present & expected_ids:
        return
    for other, ids in other_ids.items():
        if present & ids:
            raise SubmissionError(f"this is the notebook of assessment {other}, not {assessment}")
    raise SubmissionError(f"this notebook is not the {assessment} assessment (none of its question "
                          "cells are there)")


def repair(notebook: dict[str, Any]) -> list[str]:
    """Make copied or duplicated cells safe to grade; return what was changed, in words.

    - A grade cell that appears twice (a learner copied it) keeps its grading role in its
      first copy; the later copies become ordinary cells (nbgrader otherwise stops the
      learner's whole batch, nbgrader #981/#1941).
    - Cell ids (nbformat 4.5) that are duplicated, missing or malformed are renewed.
    """
    repairs: list[str] = []
    seen_grade_ids: set[str] = set()
    set_aside = 0
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata")
        if not isinstance(meta, dict):
            cell["metadata"] = meta = {}
        grade_id = nbgrader_meta(cell).get("grade_id")
        if "nbgrader" in meta and not grade_id:
            del meta["nbgrader"]          # an emptied nbgrader entry breaks autograding
        elif grade_id:
            if grade_id in seen_grade_ids:
                del meta["nbgrader"]
                set_aside += 1
            seen_grade_ids.add(grade_id)
    if set_aside:
        repairs.append(f"{set_aside} copied question cell{'s' if set_aside > 1 else ''} set aside")
    if notebook.get("nbformat_minor", 0) >= 5:
        seen_ids: set[str] = set()
        renewed = 0
        for cell in notebook.get("cells", []):
            if not isinstance(cell, dict):
                continue
            cell_id = cell.get("id")
            if (not isinstance(cell_id, str) or cell_id in seen_ids
                    or not re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", cell_id)):
                cell_id = uuid.uuid4().hex[:16]
                cell["id"] = cell_id
                renewed += 1
            seen_ids.add(cell_id)
        if renewed:
            repairs.append(f"{renewed} duplicated or missing cell id{'s' if renewed > 1 else ''} renewed")
    return repairs


def validate_structure(notebook: dict[str, Any]) -> None:
    """nbformat's schema check, after repair; its first complaint becomes the reason."""
    import nbformat
    from nbformat.validator import ValidationError

    try:
        nbformat.validate(notebook, version=4, version_minor=notebook.get("nbformat_minor", 4))
    except ValidationError as exc:
        message = str(exc.message if hasattr(exc, "message") else exc).splitlines()[0][:160]
        raise SubmissionError(f"the notebook's structure is damaged ({message}); ask the learner to "
                              "download a fresh copy and copy their answers across") from None


def write_submission(course: CourseDir, learner: str, assessment: str, notebook: dict[str, Any]) -> tuple[Path, bool]:
    """Write atomically to submitted/<learner>/<assessment>/assessment.ipynb; True if it replaced one."""
    destination = course.submitted_notebook(learner, assessment)
    submitted = course.submitted_dir.resolve()
    if not destination.resolve().is_relative_to(submitted):
        raise SubmissionError(f"learner id {learner!r} would write outside submitted/")
    replaced = destination.exists()
    atomic.write_text(destination, json.dumps(notebook, ensure_ascii=False, indent=1) + "\n")
    return destination, replaced


# ---------------------------------------------------------------- the step

def intake(course: CourseDir, directory: Path | str, assessment: str, id_pattern: str | None = None,
           max_mb: float = DEFAULT_MAX_MB) -> IntakeResult:
    """File every learner's notebook in ``directory`` under ``submitted/`` for ``assessment``."""
    assessment = course.resolve(assessment)
    folder = Path(directory).expanduser()
    if not folder.is_dir():
        raise ConfigurationError(f"The intake folder {folder} does not exist or is not a folder.")
    source_ids = {a: grade_ids(read_notebook_json(course.source_notebook(a))) for a in course.assessment_ids()}
    expected = source_ids.pop(assessment)
    max_bytes = int(max_mb * 1e6)
    candidates = find_submissions(folder, id_pattern)
    safe_ids = assign_safe_ids([c.given_id for c in candidates if c.given_id and not c.problem])
    entries: list[IntakeEntry] = []
    for candidate in candidates:
        entries.append(_take_one(course, candidate, assessment, expected, source_ids, max_bytes, safe_ids))
    return IntakeResult(assessment=assessment, entries=tuple(entries))


def _take_one(course: CourseDir, candidate: Candidate, assessment: str, expected: set[str],
              others: dict[str, set[str]], max_bytes: int, safe_ids: dict[str, str]) -> IntakeEntry:
    if candidate.problem or not candidate.given_id:
        return IntakeEntry(candidate.file, candidate.given_id, None, REJECTED,
                           candidate.problem or "no learner id could be read from its name")
    learner = safe_ids[candidate.given_id]
    try:
        notebook = read_submission(candidate.file, max_bytes)
        check_assessment(notebook, assessment, expected, others)
        repairs = repair(notebook)
        validate_structure(notebook)
        destination, replaced = write_submission(course, learner, assessment, notebook)
    except SubmissionError as exc:
        return IntakeEntry(candidate.file, candidate.given_id, None, REJECTED, str(exc))
    except OSError as exc:
        return IntakeEntry(candidate.file, candidate.given_id, None, REJECTED,
                           f"the file could not be read or filed ({exc.strerror or exc})")
    status = REPAIRED if repairs else ACCEPTED
    return IntakeEntry(candidate.file, candidate.given_id, learner, status, "; ".join(repairs),
                       destination, replaced)
