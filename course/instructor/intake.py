"""Intake: take learners' notebooks as an LMS gives them and file them for grading.

What ``intake`` accepts (see ``course.instructor.downloads`` and ``course.instructor.lms``):

- a **Canvas** or **Moodle** "download all submissions" archive, as the .zip itself or the
  folder it unpacks to, recognised by the LMS's own file and folder names (no option to
  give); the LMS's participant ids keep two learners with one name apart;
- a plain folder: ``DIR/<learner_id>.ipynb`` or ``DIR/<learner_id>/<any name>.ipynb``;
- anything else with ``id_pattern``: a regular expression searched in each file's path;
  the learner id is its group ``id`` (or ``student_id``, or its first group) and an
  optional group ``timestamp`` is the submission time.

Each learner keeps their id from batch to batch (``learner-ids.json``, see
``course.instructor.learner_ids``). Each file is checked (size, readable JSON, notebook
format 4, this assessment), repaired where that is safe (duplicated or copied cell ids,
damaged cell metadata), checked for edited or deleted check cells (reported: grading
restores them), and written to ``submitted/<id>/<assessment>/assessment.ipynb`` with
nbgrader's ``timestamp.txt`` beside it. The submission time comes from the LMS's name
when it gives one, else from the file; a file is flagged late when Canvas marked it so, or
when a trustworthy time is after the due date (``exocourse release ID --due``) plus any
extension nbgrader records. Files of an LMS archive carry the download's time, not the
submission's, so for them only the LMS's own marker counts.

Intake writes under ``submitted/`` and ``learner-ids.json`` only, never into the
download, and one bad file never stops the batch: whatever is wrong with it (its JSON
shape included), it is rejected with its reason and the rest go on.
"""
from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from course import _atomic as atomic
from course._errors import ConfigurationError, CourseError, SubmissionError
from course.instructor.coursedir import NOTEBOOK, CourseDir
from course.instructor.downloads import DownloadedFile, is_zip, list_files
from course.instructor.learner_ids import LearnerIds
from course.instructor.lms import CANVAS, MOODLE, LmsName, is_inline_text, recognise, timestamp_in_name

DEFAULT_MAX_MB = 20.0
TIMESTAMP_FILE = "timestamp.txt"          # nbgrader's name (CourseDirectory.timestamp_file)

ACCEPTED, REPAIRED, REJECTED = "accepted", "repaired", "rejected"
FROM_NAME, FROM_FILE = "the LMS's file name", "the file's time"


@dataclass(frozen=True)
class Candidate:
    """A file found in the download, and who it belongs to."""

    file: DownloadedFile
    given_id: str | None          # the id as the download gives it (None when none could be read)
    key: str | None = None        # identity across batches (see learner_ids)
    lms: LmsName | None = None
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
    notes: tuple[str, ...] = ()   # what the instructor should know (edited check cells, id links ...)
    submitted: datetime | None = None
    time_source: str = ""         # FROM_NAME or FROM_FILE
    late: bool | None = None      # None: cannot be told
    late_reason: str = ""
    shown: str = ""               # the file as the instructor sees it in their download

    def line(self, base: Path | None = None) -> str:
        """One line for the instructor: what happened to this file."""
        if self.shown:
            name = self.shown
        else:
            name = str(self.file.relative_to(base)) if base and self.file.is_relative_to(base) else str(self.file)
        name = ascii_visible(name)
        if self.status == REJECTED:
            return f"rejected  {name}: {self.reason}"
        mapping = f"learner {self.learner}"
        if self.given_id is not None and self.given_id != self.learner:
            mapping = f"learner {ascii_visible(self.given_id)!s} → {self.learner}"
        extra = f" ({self.reason})" if self.reason else ""
        replaced = " [replaces an earlier submission]" if self.replaced else ""
        late = f" [LATE: {self.late_reason}]" if self.late else ""
        notes = "".join(f"; note: {ascii_visible(n)}" for n in self.notes)
        return f"{self.status:<9} {name} → {mapping}{extra}{replaced}{late}{notes}"


@dataclass(frozen=True)
class IntakeResult:
    assessment: str
    entries: tuple[IntakeEntry, ...] = field(default_factory=tuple)
    due: datetime | None = None
    lms_seen: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def learners(self) -> list[str]:
        return [e.learner for e in self.entries if e.learner]

    @property
    def late(self) -> int:
        return sum(1 for e in self.entries if e.late)

    @property
    def due_note(self) -> str:
        """What the late flags rest on, in one sentence."""
        if self.due is None:
            text = (f"no due date is set for {self.assessment}, so lateness is flagged only where Canvas marked "
                    f"it (set one with: exocourse release {self.assessment.split('_', 1)[0]} --due 'YYYY-MM-DD HH:MM')")
        else:
            from course.instructor.duedates import describe

            text = f"due {describe(self.due)}"
        if MOODLE in self.lms_seen:
            text += "; Moodle's download holds no submission times, so check lateness in Moodle's grading table"
        return text


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


# ---------------------------------------------------------------- who each file belongs to

def _compile(id_pattern: str | None) -> re.Pattern[str] | None:
    if not id_pattern:
        return None
    try:
        return re.compile(id_pattern)
    except re.error as exc:
        raise ConfigurationError(f"--id-pattern {id_pattern!r} is not a valid regular expression: {exc}.") from None


def _id_from_pattern(pattern: re.Pattern[str], relative: str) -> str | None:
    match = pattern.search(relative)
    if not match:
        return None
    for group in ("id", "student_id"):
        if group in pattern.groupindex:
            return match.group(group)
    return match.group(1) if pattern.groups else match.group(0)


def _plain_id(relative: str) -> str:
    """A plain folder's learner: the top folder's name, or the file's own name."""
    first = PurePosixPath(relative).parts[0]
    return PurePosixPath(first).stem if len(PurePosixPath(relative).parts) == 1 or is_zip(Path(first)) else first


def identify(file: DownloadedFile, assessment: str, pattern: re.Pattern[str] | None) -> Candidate:
    """Who ``file`` belongs to: the LMS's name, then --id-pattern, then the plain layout."""
    if file.problem:
        return Candidate(file, None, problem=file.problem)
    lms_name = recognise(file.relative, assessment)
    if lms_name is not None:
        candidate = Candidate(file, lms_name.display_name, lms_name.key, lms_name)
    elif pattern is not None:
        given = _id_from_pattern(pattern, file.relative)
        if not given:
            return Candidate(file, None, problem="its name does not match --id-pattern")
        candidate = Candidate(file, given, f"name:{given}")
    else:
        given = _plain_id(file.relative)
        candidate = Candidate(file, given, f"name:{given}")
    if file.suffix != ".ipynb":
        what = "a typed text entry, not a notebook" if is_inline_text(file.relative) else \
            "is not a notebook (.ipynb) file"
        return Candidate(file, candidate.given_id, candidate.key, candidate.lms, problem=what)
    return candidate


def choose_one_per_learner(candidates: list[Candidate]) -> list[Candidate]:
    """Several notebooks for one learner in one batch: ``assessment.ipynb`` wins when it is
    the only one of that name; otherwise none is guessed at and each is rejected."""
    by_key: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if not c.problem and c.key:
            by_key[c.key].append(c)
    chosen: list[Candidate] = []
    for c in candidates:
        group = by_key.get(c.key or "", [])
        if c.problem or len(group) <= 1:
            chosen.append(c)
            continue
        preferred = [g for g in group if PurePosixPath(g.file.relative).name == f"{NOTEBOOK}.ipynb"]
        if len(preferred) == 1:
            if c is preferred[0]:
                chosen.append(c)
            continue                      # the others are simply not the one to grade
        chosen.append(Candidate(c.file, c.given_id, c.key, c.lms, problem=(
            f"{len(group)} notebooks for one learner in this download; keep only the one to grade "
            "(or name it assessment.ipynb)")))
    return chosen


def find_submissions(directory: Path, id_pattern: str | None = None, assessment: str = "") -> list[Candidate]:
    """Every file in ``directory`` (a folder or a .zip) that is, or looks meant to be, a submission."""
    pattern = _compile(id_pattern)
    return choose_one_per_learner([identify(f, assessment, pattern) for f in list_files(directory)])


# ---------------------------------------------------------------- checking one file

def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _nbgrader(cell: Any) -> dict[str, Any]:
    """A cell's nbgrader metadata, whatever shape the cell or its metadata has."""
    return _dict(_dict(_dict(cell).get("metadata")).get("nbgrader"))


def _source(cell: Any) -> str:
    source = _dict(cell).get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _cells(notebook: dict[str, Any]) -> list[Any]:
    cells = notebook.get("cells")
    return cells if isinstance(cells, list) else []


def read_submission(data: bytes) -> dict[str, Any]:
    """The notebook in ``data`` as JSON, or SubmissionError saying what is wrong with it."""
    if not data:
        raise SubmissionError("the file is empty; ask the learner to save the notebook and send it again")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError("the file is not a notebook (it is not text); ask the learner to download "
                              "the .ipynb file again") from None
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"the file is damaged (not valid notebook JSON at line {exc.lineno}, column "
                              f"{exc.colno}); ask the learner to send it again") from None
    except RecursionError:
        raise SubmissionError("the file is not a notebook (its JSON is nested thousands of levels deep)") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", notebook.get("worksheets")), list):
        raise SubmissionError("the file is JSON but not a Jupyter notebook")
    major = notebook.get("nbformat")
    if major != 4:
        raise SubmissionError(f"the notebook is in format {major!r}, not 4; ask the learner to open it in "
                              "JupyterLab and save it again (that converts it)")
    return notebook


def grade_ids(notebook: dict[str, Any]) -> set[str]:
    return {str(_nbgrader(c)["grade_id"]) for c in _cells(notebook) if _nbgrader(c).get("grade_id")}


def check_assessment(notebook: dict[str, Any], assessment: str, expected_ids: set[str],
                     other_ids: dict[str, set[str]]) -> None:
    """Raise SubmissionError unless ``notebook`` is a copy of ``assessment``."""
    declared_id = _dict(_dict(notebook.get("metadata")).get("exocourse")).get("assessment")
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

    - A cell's metadata that is not a mapping (a list, a string) is emptied.
    - A grade cell that appears twice (a learner copied it) keeps its grading role in its
      first copy; the later copies become ordinary cells (nbgrader otherwise stops the
      learner's whole batch, nbgrader #981/#1941).
    - Cell ids (nbformat 4.5) that are duplicated, missing or malformed are renewed.
    """
    repairs: list[str] = []
    if not isinstance(notebook.get("metadata"), dict):
        notebook["metadata"] = {}
        repairs.append("damaged notebook metadata reset")
    seen_grade_ids: set[str] = set()
    set_aside = reset = 0
    for cell in _cells(notebook):
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata")
        if not isinstance(meta, dict):
            cell["metadata"] = meta = {}
            reset += 1
        grade_id = _nbgrader(cell).get("grade_id")
        if "nbgrader" in meta and not grade_id:
            del meta["nbgrader"]          # an emptied nbgrader entry breaks autograding
        elif grade_id:
            if grade_id in seen_grade_ids:
                del meta["nbgrader"]
                set_aside += 1
            seen_grade_ids.add(grade_id)
    if reset:
        repairs.append(f"damaged metadata of {reset} cell{'s' if reset > 1 else ''} reset (an answer in such a "
                       "cell may not be graded: look at the notebook)")
    if set_aside:
        repairs.append(f"{set_aside} copied question cell{'s' if set_aside > 1 else ''} set aside")
    minor = notebook.get("nbformat_minor", 0)
    if isinstance(minor, int) and minor >= 5:
        seen_ids: set[str] = set()
        renewed = 0
        for cell in _cells(notebook):
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

    minor = notebook.get("nbformat_minor", 4)
    try:
        nbformat.validate(notebook, version=4, version_minor=minor if isinstance(minor, int) else 4)
    except ValidationError as exc:
        message = str(exc.message if hasattr(exc, "message") else exc).splitlines()[0][:160]
        raise SubmissionError(f"the notebook's structure is damaged ({message}); ask the learner to "
                              "download a fresh copy and copy their answers across") from None
    except RecursionError:
        raise SubmissionError("the notebook's structure is damaged (nested thousands of levels deep)") from None


def _normalised(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def check_cells(reference: dict[str, Any]) -> list[tuple[int, str, str]]:
    """The graded check cells of the released assessment: (question number, grade_id, source)."""
    found: list[tuple[int, str, str]] = []
    for cell in _cells(reference):
        meta = _nbgrader(cell)
        if meta.get("grade") and not meta.get("solution") and meta.get("grade_id"):
            found.append((len(found) + 1, str(meta["grade_id"]), _normalised(_source(cell))))
    return found


def changed_check_cells(notebook: dict[str, Any], reference: list[tuple[int, str, str]]) -> list[str]:
    """The check cells a learner deleted or edited, in words (grading restores them)."""
    by_id: dict[str, str] = {}
    for cell in _cells(notebook):
        grade_id = _nbgrader(cell).get("grade_id")
        if isinstance(grade_id, str) and grade_id not in by_id:
            by_id[grade_id] = _normalised(_source(cell))
    deleted = [n for n, grade_id, _ in reference if grade_id not in by_id]
    edited = [n for n, grade_id, source in reference if grade_id in by_id and by_id[grade_id] != source]
    notes = []
    if deleted:
        notes.append(f"check cell of question{'s' if len(deleted) > 1 else ''} {_numbers(deleted)} deleted "
                     "(grading puts it back from the source)")
    if edited:
        notes.append(f"check cell of question{'s' if len(edited) > 1 else ''} {_numbers(edited)} edited "
                     "(grading uses the original, not the edit)")
    return notes


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def write_submission(course: CourseDir, learner: str, assessment: str, notebook: dict[str, Any],
                     submitted: datetime | None) -> tuple[Path, bool]:
    """Write atomically to submitted/<learner>/<assessment>/assessment.ipynb (and nbgrader's
    timestamp.txt); True if it replaced an earlier submission."""
    destination = course.submitted_notebook(learner, assessment)
    submitted_root = course.submitted_dir.resolve()
    if not destination.resolve().is_relative_to(submitted_root):
        raise SubmissionError(f"learner id {learner!r} would write outside submitted/")
    replaced = destination.exists()
    try:
        text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
    except (RecursionError, ValueError, TypeError):
        raise SubmissionError("the notebook cannot be written back as JSON (its structure is damaged)") from None
    atomic.write_text(destination, text)
    stamp = destination.parent / TIMESTAMP_FILE
    if submitted is not None:
        # nbgrader's own format (parse_utc reads "<date> <time> <zone>").
        atomic.write_text(stamp, submitted.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC") + "\n")
    elif stamp.exists():
        stamp.unlink()                    # an earlier submission's time is not this one's
    return destination, replaced


# ---------------------------------------------------------------- time and lateness

def submission_time(candidate: Candidate, pattern: re.Pattern[str] | None) -> tuple[datetime | None, str]:
    """When the file was submitted, as well as can be told, and where that comes from."""
    named: datetime | None = None
    if pattern is not None and "timestamp" in pattern.groupindex:
        match = pattern.search(candidate.file.relative)
        if match and match.group("timestamp"):
            from dateutil import parser
            from dateutil.parser import ParserError

            try:
                named = parser.parse(match.group("timestamp"))
            except (ParserError, ValueError, OverflowError):
                named = None
    named = named or timestamp_in_name(candidate.file.relative)
    if named is not None:
        return (named if named.tzinfo else named.astimezone()).astimezone(timezone.utc), FROM_NAME
    if candidate.file.modified is not None:
        return candidate.file.modified, FROM_FILE
    return None, ""


def lateness(candidate: Candidate, submitted: datetime | None, source: str, due: datetime | None,
             extension: timedelta | None) -> tuple[bool | None, str]:
    """Whether the submission is late, and why that is known (None: cannot be told)."""
    if candidate.lms is not None and candidate.lms.lms == CANVAS:
        # Canvas knows each learner's own due date (extensions, overrides): its marker decides.
        return (True, "Canvas marked it late") if candidate.lms.late else (False, "")
    if candidate.lms is not None:
        return None, ""           # an LMS archive's file times are the download's, not the submission's
    if due is None or submitted is None:
        return None, ""
    deadline = due + (extension or timedelta(0))
    if submitted <= deadline:
        return False, ""
    return True, f"{_duration(submitted - deadline)} after the due date{' and extension' if extension else ''} " \
                 f"(by {source})"


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{mins} min"] * (not days)
    return " ".join(parts) or "under a minute"


# ---------------------------------------------------------------- the step

def _reference_notebook(course: CourseDir, assessment: str) -> dict[str, Any]:
    """The released notebook (what learners were given), else the source."""
    for path in (course.release_notebook(assessment), course.source_notebook(assessment)):
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict):
                return data
    return {"cells": []}


def _source_ids(course: CourseDir) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for a in course.assessment_ids():
        try:
            ids[a] = grade_ids(json.loads(course.source_notebook(a).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"{course.source_notebook(a)} cannot be read ({exc}): restore it from "
                                     "version control.") from None
    return ids


def _due(course: CourseDir, assessment: str) -> tuple[datetime | None, dict[str, timedelta]]:
    """The due date, without creating a gradebook that does not exist yet."""
    if course.db_url.startswith("sqlite:///") and not Path(course.db_url.removeprefix("sqlite:///")).exists():
        return None, {}
    from course.instructor.duedates import due_dates

    return due_dates(course, assessment)


@dataclass
class _Batch:
    """What one run of intake shares between its files."""

    course: CourseDir
    assessment: str
    expected: set[str]
    others: dict[str, set[str]]
    reference: list[tuple[int, str, str]]
    max_bytes: int
    pattern: re.Pattern[str] | None
    ids: LearnerIds
    due: datetime | None
    extensions: dict[str, timedelta]
    base: Path
    taken_now: set[str] = field(default_factory=set)
    existing: set[str] = field(default_factory=set)


def intake(course: CourseDir, directory: Path | str, assessment: str, id_pattern: str | None = None,
           max_mb: float = DEFAULT_MAX_MB) -> IntakeResult:
    """File every learner's notebook in ``directory`` (a folder or a .zip) under ``submitted/``."""
    assessment = course.resolve(assessment)
    download = Path(directory).expanduser()
    if not download.exists():
        raise ConfigurationError(f"The download {download} does not exist. Give the folder or the .zip file your "
                                 "LMS gave you.")
    if download.is_file() and not is_zip(download):
        raise ConfigurationError(f"{download} is a single file, not a folder or a .zip: put the notebooks in a "
                                 "folder (one per learner) and give the folder.")
    pattern = _compile(id_pattern)
    source_ids = _source_ids(course)
    expected = source_ids.pop(assessment)
    ids = LearnerIds.load(course.root)
    due, extensions = _due(course, assessment)
    existing = {p.name for p in course.submitted_dir.iterdir() if p.is_dir()} if course.submitted_dir.is_dir() else set()
    batch = _Batch(course, assessment, expected, source_ids, check_cells(_reference_notebook(course, assessment)),
                   int(max_mb * 1e6), pattern, ids, due, extensions, download, existing=existing)
    candidates = choose_one_per_learner([_identify_safely(f, assessment, pattern) for f in list_files(download)])
    entries: list[IntakeEntry] = []
    try:
        for candidate in candidates:
            entries.append(_take_safely(batch, candidate))
    finally:
        if any(e.learner for e in entries):
            ids.save()
    lms_seen = tuple(sorted({c.lms.lms for c in candidates if c.lms}))
    return IntakeResult(assessment=assessment, entries=tuple(entries), due=due, lms_seen=lms_seen)


def _identify_safely(file: DownloadedFile, assessment: str, pattern: re.Pattern[str] | None) -> Candidate:
    try:
        return identify(file, assessment, pattern)
    except Exception as exc:  # noqa: BLE001 - one odd name must never stop the batch
        return Candidate(file, None, problem=f"its name could not be read ({exc.__class__.__name__})")


def _entry_path(batch: _Batch, file: DownloadedFile) -> Path:
    return batch.base / file.relative


def _rejected(batch: _Batch, candidate: Candidate, reason: str) -> IntakeEntry:
    return IntakeEntry(_entry_path(batch, candidate.file), candidate.given_id, None, REJECTED, reason,
                       shown=candidate.file.shown(batch.base))


def _take_safely(batch: _Batch, candidate: Candidate) -> IntakeEntry:
    """``_take_one``, with anything unforeseen turned into this file's rejection."""
    try:
        return _take_one(batch, candidate)
    except CourseError as exc:
        return _rejected(batch, candidate, str(exc))
    except OSError as exc:
        return _rejected(batch, candidate, f"the file could not be read or filed ({exc.strerror or exc})")
    except Exception as exc:  # noqa: BLE001 - hostile input is normal input: one file, one rejection
        return _rejected(batch, candidate, f"the file could not be checked ({exc.__class__.__name__}); ask the "
                                           "learner to download a fresh copy and copy their answers across")


def _take_one(batch: _Batch, candidate: Candidate) -> IntakeEntry:
    if candidate.problem or not candidate.given_id or not candidate.key:
        return _rejected(batch, candidate, candidate.problem or "no learner id could be read from its name")
    size = candidate.file.size
    if size > batch.max_bytes:            # refused unread: a 60 MB file costs nothing
        raise SubmissionError(
            f"the file is {size / 1e6:.1f} MB, over the {batch.max_bytes / 1e6:.0f} MB limit; ask the learner "
            "to clear outputs (Edit → Clear Outputs of All Cells), save and send it again")
    notebook = read_submission(candidate.file.read(batch.max_bytes))
    check_assessment(notebook, batch.assessment, batch.expected, batch.others)
    repairs = repair(notebook)
    validate_structure(notebook)
    notes = changed_check_cells(notebook, batch.reference)

    learner = _learner_id(batch, candidate, notes)
    if learner in batch.taken_now:
        raise SubmissionError(f"a second file for learner {learner} in this download; keep only the one to grade")

    submitted, source = submission_time(candidate, batch.pattern)
    late, late_reason = lateness(candidate, submitted, source, batch.due, batch.extensions.get(learner))
    destination, replaced = write_submission(batch.course, learner, batch.assessment, notebook, submitted)
    batch.taken_now.add(learner)
    batch.ids.remember(candidate.key, learner, candidate.lms, candidate.given_id, batch.assessment, {
        "lms_id": candidate.lms.lms_id if candidate.lms else "",
        "file": candidate.file.shown(batch.base),
        "download": str(batch.base.resolve()),
        "path_in_download": candidate.file.relative,
        "received": submitted.isoformat() if submitted else "",
        "time_from": source,
        "late": late,
        "late_reason": late_reason,
        "taken_in": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    })
    return IntakeEntry(_entry_path(batch, candidate.file), candidate.given_id, learner,
                       REPAIRED if repairs else ACCEPTED, "; ".join(repairs), destination, replaced,
                       tuple(notes), submitted, source, late, late_reason, shown=candidate.file.shown(batch.base))


def _learner_id(batch: _Batch, candidate: Candidate, notes: list[str]) -> str:
    """The learner's id: the one the id map gave them, else (a plain name whose folder was
    filed before the map existed) that folder's, else a new one that clashes with nobody."""
    assert candidate.key is not None and candidate.given_id is not None
    base = safe_learner_id(candidate.given_id)
    if candidate.key not in batch.ids.keys and candidate.lms is None and base in batch.existing \
            and base not in batch.ids.taken() and base not in batch.taken_now:
        return base
    also_taken = batch.taken_now | batch.existing     # never file a new learner over someone's folder
    resolved = batch.ids.resolve(candidate.key, candidate.lms, batch.assessment, base, also_taken)
    if resolved.note:
        notes.append(resolved.note)
    return resolved.learner


def entries_for(result: IntakeResult, learners: Iterable[str]) -> list[IntakeEntry]:
    wanted = set(learners)
    return [e for e in result.entries if e.learner in wanted]
