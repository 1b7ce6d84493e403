"""A learner's data on the instructor's side: export all of it, or erase it.

``exocourse export-learner ID`` writes everything the course folder holds about one
learner as JSON (a subject-access copy). ``exocourse forget ID`` erases the learner
from the gradebook, their submissions, autograded notebooks, feedback, reports (the LMS
grade files included), roster line, certificate PDF and entry in ``learner-ids.json``,
removes every other file in the course folder named after them (an intake folder's
``learner-05.ipynb``) and the files intake took for them, and says what it removed; what
it cannot remove (a file in a shared LMS zip, a download outside the course folder) it
lists. It keeps one thing: the learner's
lines in the certificate register, because anyone holding a certificate must still be
able to verify it (see ``docs/privacy.md``).

Learners' own progress files are on their own computers; the instructor holds none.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from course._errors import ConfigurationError
from course.instructor._csv import read_csv, write_csv
from course.instructor.certificates import ROSTER_FILE, certificate_pdf_path, read_register
from course.instructor.coursedir import CourseDir
from course.instructor.learner_ids import IDS_FILE, LearnerIds

# Folders whose per-learner subfolder holds only that learner's files.
LEARNER_FOLDERS = ("submitted", "autograded", "feedback")
# Never searched for mentions: hand-written sources, releases, and the register (kept on purpose).
_NOT_LEARNER_DATA = ("source", "release", "assessments")
# The course's own files, never removed for being "named after" a learner whose id happens to match.
_COURSE_FILES = {"register.csv", "nbgrader_config.py", "gradebook-location.json", IDS_FILE, ROSTER_FILE}


def _check_id(learner: str) -> str:
    learner = learner.strip()
    if not learner or learner in (".", "..") or "/" in learner or "\\" in learner:
        raise ConfigurationError(f"{learner!r} is not a learner id. Use the id shown by `exocourse report` "
                                 "(the name of the learner's folder under submitted/).")
    return learner


# ------------------------------------------------------------------ export
def export_learner(course: CourseDir, learner: str) -> dict[str, Any]:
    """Everything the course folder holds about ``learner``, as a JSON-ready dict."""
    learner = _check_id(learner)
    from course._syllabus import load_syllabus

    info = load_syllabus().course
    data: dict[str, Any] = {
        "learner": learner,
        "exported": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "course": {"title": info.title, "version": info.version, "provider": info.provider,
                   "course_folder": str(course.root)},
        "roster": _roster_row(course, learner),
        "gradebook": _gradebook_entry(course, learner),
        "reports": _report_rows(course, learner),
        "certificates": [c.row() for c in read_register(course.root) if c.learner_id == learner],
        "files": [],
    }
    for path in _learner_files(course, learner):
        entry: dict[str, Any] = {"path": str(path.relative_to(course.root)), "bytes": path.stat().st_size,
                                 "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        if path.suffix == ".ipynb":
            entry["answers"] = _answers(path)
        data["files"].append(entry)
    return data


def holds_anything(data: dict[str, Any]) -> bool:
    return bool(data["roster"] or data["gradebook"] or data["reports"] or data["certificates"] or data["files"])


def write_export(course: CourseDir, learner: str, output: Path) -> tuple[Path, dict[str, Any]]:
    data = export_learner(course, learner)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return output, data


# ------------------------------------------------------------------ forget
@dataclass
class ForgetResult:
    """What ``forget`` removed, what it kept on purpose, and anything that still mentions the learner."""

    learner: str
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    not_removed: list[str] = field(default_factory=list)     # files about them it could not remove, and why
    still_mentioned_in: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.removed or self.kept or self.not_removed)


def forget(course: CourseDir, learner: str) -> ForgetResult:
    """Erase ``learner`` from the course folder (keeping only their certificate register lines)."""
    learner = _check_id(learner)
    result = ForgetResult(learner)
    register = read_register(course.root)  # read first: a damaged register is reported before anything is erased

    ids = LearnerIds.load(course.root)     # read first too: a damaged id map stops before anything is erased
    lms_ids = _lms_ids(ids, learner)
    downloaded = _downloaded_files(ids, learner)

    removed_from_gradebook = _remove_from_gradebook(course, learner)
    if removed_from_gradebook:
        result.removed.append(f"gradebook: the learner and {removed_from_gradebook}")
    for folder in LEARNER_FOLDERS:
        path = course.root / folder / learner
        if path.is_dir():
            count = sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
            result.removed.append(f"{folder}/{learner}/ ({count} file{'s' if count != 1 else ''})")
    for csv_path in sorted(course.reports_dir.glob("*.csv")) if course.reports_dir.is_dir() else []:
        if _drop_rows(csv_path, lambda row: bool(row) and row[0] == learner):
            result.removed.append(f"reports/{csv_path.name}: the learner's row (run `exocourse report` to "
                                  "refresh the item statistics, which hold no names)")
    roster = course.root / ROSTER_FILE
    if roster.exists() and _drop_rows(roster, lambda row: bool(row) and row[0].strip() == learner):
        result.removed.append(f"{ROSTER_FILE}: the learner's line (name and registration number)")
    lms_folder = course.reports_dir / "lms"
    for csv_path in sorted(lms_folder.glob("*.csv")) if lms_folder.is_dir() and lms_ids else []:
        if _drop_rows(csv_path, lambda row: any(cell in lms_ids for cell in row[:2])):
            result.removed.append(f"reports/lms/{csv_path.name}: the learner's row")
    pdf = certificate_pdf_path(course.root, learner)
    if pdf.exists():
        pdf.unlink()
        result.removed.append(f"certificates/{pdf.name}")
    keys = ids.forget(learner)
    if keys:
        ids.save()
        result.removed.append(f"{IDS_FILE}: the learner's entry ({len(keys)} LMS id{'s' if len(keys) != 1 else ''})")
    _remove_named_files(course, learner, downloaded, result)
    numbers = [entry.credential.certificate_id for entry in register if entry.learner_id == learner]
    if numbers:
        result.kept.append(f"certificates/register.csv: {len(numbers)} line(s) (certificate {', '.join(numbers)}), "
                           "kept so that the certificate can still be verified")
    result.still_mentioned_in = mentions(course, learner)
    return result


def _lms_ids(ids: LearnerIds, learner: str) -> set[str]:
    """How the LMS grade files name the learner: Canvas's user id, Moodle's participant ids."""
    info = ids.learners.get(learner, {})
    found = {str(info["lms_id"])} if info.get("lms_id") else set()
    for submission in info.get("assessments", {}).values():
        if isinstance(submission, dict) and submission.get("lms_id"):
            found |= {str(submission["lms_id"]), f"Participant {submission['lms_id']}"}
    return found


def _downloaded_files(ids: LearnerIds, learner: str) -> list[tuple[Path, str]]:
    """The files intake took for the learner: (the download, the path inside it)."""
    info = ids.learners.get(learner, {})
    return [(Path(str(s["download"])), str(s["path_in_download"])) for s in info.get("assessments", {}).values()
            if isinstance(s, dict) and s.get("download") and s.get("path_in_download")]


def _named_after(learner: str) -> re.Pattern[str]:
    """The learner's id in a file name, not inside a longer name ("ann" in "ann_notes.txt", not in "joanne")."""
    return re.compile(rf"(?<![^\W_]){re.escape(learner)}(?![^\W_])")


def _remove_named_files(course: CourseDir, learner: str, downloaded: list[tuple[Path, str]],
                        result: ForgetResult) -> None:
    """Remove the files named after the learner (e.g. ``intake/learner-05.ipynb``) and the files
    intake took for them, inside the course folder; list those it cannot remove."""
    root = course.root.resolve()
    named = _named_after(learner)
    targets: dict[Path, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        relative = path.relative_to(root)
        if relative.parts[0] in _NOT_LEARNER_DATA or relative.name in _COURSE_FILES or path.suffix in (".db", ".lock"):
            continue
        if named.search(path.name):
            targets[path] = "named after the learner"
    for download, inside in downloaded:
        if download.is_file():        # an LMS zip: it holds other learners' files too
            where = download if not download.is_relative_to(root) else download.relative_to(root)
            result.not_removed.append(f"{where}: the LMS download (a zip) holds their file {inside!r} and other "
                                      "learners' files; delete the whole download when you no longer need it")
            continue
        path = download / inside
        if not path.exists():
            continue
        if path.resolve().is_relative_to(root):
            targets[path] = "taken in by intake"
        else:
            result.not_removed.append(f"{path}: their downloaded file, outside the course folder; delete it yourself")
    for path, why in sorted(targets.items()):
        relative = path.relative_to(root) if path.is_relative_to(root) else path
        try:
            path.unlink()
            result.removed.append(f"{relative} ({why})")
        except OSError as exc:
            result.not_removed.append(f"{relative}: could not be removed ({exc.strerror or exc})")


def mentions(course: CourseDir, learner: str) -> list[str]:
    """Files in the course folder (other than sources, releases and the register) that mention ``learner``."""
    word = re.compile(rf"(?<![\w-]){re.escape(learner)}(?![\w-])".encode())
    found = []
    for path in sorted(p for p in course.root.rglob("*") if p.is_file()):
        relative = path.relative_to(course.root)
        if relative.parts[0] in _NOT_LEARNER_DATA or relative.name == "register.csv":
            continue
        if path.suffix in (".db", ".sqlite", ".lock"):
            continue  # the gradebook is handled through its own API; lock files hold no data
        if word.search(path.read_bytes()):
            found.append(str(relative))
    return found


# ------------------------------------------------------------------ helpers
def _roster_row(course: CourseDir, learner: str) -> dict[str, str] | None:
    path = course.root / ROSTER_FILE
    if not path.exists():
        return None
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("learner") or "").strip() == learner:
                return {k: v for k, v in row.items() if k}
    return None


@contextmanager
def _student_in_gradebook(course: CourseDir, learner: str) -> Iterator[tuple[Any, Any]]:
    """The open gradebook and the learner's record in it; (None, None) when either is absent."""
    from nbgrader.api import MissingEntry

    if not _gradebook_exists(course):
        yield None, None
        return
    with course.gradebook() as gb:
        try:
            student = gb.find_student(learner)
        except MissingEntry:
            student = None
        yield gb, student


def _gradebook_entry(course: CourseDir, learner: str) -> dict[str, Any] | None:
    with _student_in_gradebook(course, learner) as (_, student):
        if student is None:
            return None
        entry: dict[str, Any] = {"student": student.to_dict(), "submissions": []}
        for submission in student.submissions:
            item = submission.to_dict()
            item["grades"] = [g.to_dict() for nb in submission.notebooks for g in nb.grades]
            item["comments"] = [c.to_dict() for nb in submission.notebooks for c in nb.comments if c.comment]
            entry["submissions"].append(item)
        return entry


def _remove_from_gradebook(course: CourseDir, learner: str) -> str | None:
    with _student_in_gradebook(course, learner) as (gb, student):
        if student is None:
            return None
        count = len(student.submissions)
        gb.remove_student(learner)
    if course.db_url.startswith("sqlite:///"):
        # A deleted SQLite row can linger in free pages until the file is rebuilt.
        import sqlite3

        with sqlite3.connect(course.db_url.removeprefix("sqlite:///")) as connection:
            connection.execute("VACUUM")
    return f"{count} submission{'s' if count != 1 else ''} with their grades and comments"


def _gradebook_exists(course: CourseDir) -> bool:
    if course.db_url.startswith("sqlite:///"):
        return Path(course.db_url.removeprefix("sqlite:///")).exists()
    return True


def _learner_files(course: CourseDir, learner: str) -> list[Path]:
    files: list[Path] = []
    for folder in LEARNER_FOLDERS:
        path = course.root / folder / learner
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
    pdf = certificate_pdf_path(course.root, learner)
    if pdf.exists():
        files.append(pdf)
    return files


def _answers(notebook: Path) -> dict[str, str]:
    """What the learner wrote: the source of every cell they were asked to fill in."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    answers = {}
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            source = cell.get("source", "")
            answers[meta.get("grade_id", "?")] = "".join(source) if isinstance(source, list) else str(source)
    return answers


def _report_rows(course: CourseDir, learner: str) -> dict[str, dict[str, str]]:
    rows = {}
    for path in sorted(course.reports_dir.glob("*.csv")) if course.reports_dir.is_dir() else []:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            for row in reader:
                if row and row[0] == learner:
                    rows[path.name] = dict(zip(header, row))
    return rows


def _drop_rows(path: Path, matches: Callable[[list[str]], bool]) -> bool:
    """Rewrite a CSV (keeping its header line) without the rows ``matches`` picks; True when any was dropped."""
    table = read_csv(path)
    kept = [list(row.cells) for row in table.rows if not matches(list(row.cells))]
    if len(kept) == len(table.rows):
        return False
    write_csv(path, table.header, kept)
    return True


__all__ = ["export_learner", "write_export", "forget", "ForgetResult", "mentions", "holds_anything"]
