"""What Canvas and Moodle give an instructor, and what they take back.

**Downloads.** ``recognise(path)`` reads the learner out of a file's path in an LMS's
"download all submissions" archive (the .zip, or the folder it unpacks to):

- **Canvas** (``lib/content_zipper.rb`` in instructure/canvas-lms, ``get_filename`` and
  ``add_upload_submission``): one flat zip, each file named
  ``<sortable name>_[LATE_]<user id>_<attachment id>_<file name>``, where the name is the
  learner's "Last, First" lowercased with every non-word character removed
  (``doejane``), ``LATE`` marks a submission Canvas counted late (against the learner's own
  due date, extensions included), the user id is Canvas's numeric id (the same in every
  assignment of the course), and the file name is the learner's own, with ``-1``, ``-2``
  added by Canvas when they re-uploaded a file of the same name. With anonymous grading
  the name and user id are replaced by ``anon_<anonymous id>`` (per assignment).
  Text entries and URLs come as ``..._text.html`` and ``..._link.html``.
- **Moodle** (``mod/assign/classes/downloader.php`` in moodle/moodle, ``get_student_prefix``
  and ``load_submissionplugin_filelist``): a prefix ``<Full Name>_<participant id>`` (the
  name with ``_`` turned into spaces; ``Participant`` under blind marking), then
  ``_assignsubmission_file`` (``_onlinetext`` for text); by default one folder per learner
  (``Jane Doe_1234567_assignsubmission_file/assessment.ipynb``), or with "download
  submissions in folders" off, flat files
  (``Jane Doe_1234567_assignsubmission_file_assessment.ipynb``). The participant id comes
  from the ``assign_user_mapping`` table and is **different in every assignment**. Moodle
  writes no lateness into the names, and its zip writer stamps every entry with the time of
  the download (``core_files\\local\\archive_writer\\zip_writer``: the current time unless
  told otherwise), so a Moodle file's time is not its submission time.

**Grade imports.** ``canvas_grades`` and ``moodle_worksheet`` give the rows of the CSV files
those gradebooks import:

- Canvas's Gradebook "Import" (``app/models/gradebook_importer.rb``): a header whose first
  cells are ``Student``, ``ID`` and ``Section`` (Canvas matches learners by the ``ID``
  column, its user id), then one column per assignment, matched to an existing assignment
  by ``Title (assignment id)`` or by its exact title, otherwise offered as a new one; an
  optional second row ``Points Possible``. A blank cell changes nothing.
- Moodle's assignment "Upload grading worksheet" (``assignfeedback_offline``'s
  ``grade_importer``): columns ``Identifier`` (``Participant <participant id>``), ``Grade``
  and ``Last modified (grade)`` are required (English column names); a row whose
  participant id Moodle does not know is skipped. One worksheet per assignment.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

CANVAS, MOODLE, PLAIN = "canvas", "moodle", "plain"
LMS_NAMES = {CANVAS: "Canvas", MOODLE: "Moodle", PLAIN: "a plain folder"}

_CANVAS = re.compile(r"^(?P<name>.*?)_(?:(?P<late>LATE)_)?(?P<uid>\d+)_(?P<attachment>\d+)_(?P<file>.+)$")
_CANVAS_ANON = re.compile(r"^(?:(?P<late>LATE)_)?anon_(?P<anon>[A-Za-z0-9]+)_(?P<attachment>\d+)_(?P<file>.+)$")
_CANVAS_INLINE = re.compile(r"^(?P<name>.*?)_(?:LATE_)?(?:\d+|anon_[A-Za-z0-9]+)_(?:text|link)\.html$")
_MOODLE_PREFIX = r"(?P<name>[^_/]+)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
_MOODLE_FOLDER = re.compile(rf"^{_MOODLE_PREFIX}$")
_MOODLE_FLAT = re.compile(rf"^{_MOODLE_PREFIX}_(?P<file>.+)$")
# A date and time written into a file name, as nbgrader's zip_collect examples and many
# export tools do: 2026-12-01-17-05-00, 2026-12-01T17:05:00, 20261201_170500 ...
_TIMESTAMP = re.compile(r"(?<!\d)(?P<y>20\d\d)-?(?P<mo>[01]\d)-?(?P<d>[0-3]\d)[T _-]?(?P<h>[0-2]\d)[-:.]?"
                        r"(?P<mi>[0-5]\d)[-:.]?(?P<s>[0-5]\d)(?!\d)")


@dataclass(frozen=True)
class LmsName:
    """Who a downloaded file belongs to, as its LMS named it."""

    lms: str                    # "canvas" or "moodle"
    key: str                    # identity across batches, e.g. "canvas:12345"
    display_name: str           # e.g. "doejane" (Canvas) or "Jane Doe" (Moodle)
    lms_id: str                 # Canvas user id, Moodle participant id, or Canvas anonymous id
    late: bool = False          # the LMS itself marked it late (Canvas)
    anonymous: bool = False     # blind marking / anonymous grading: no name in the download
    per_assessment: bool = False  # the id differs in every assessment (Moodle, Canvas anonymous)

    @property
    def lms_label(self) -> str:
        return LMS_NAMES[self.lms]


def recognise(relative: str, assessment: str) -> LmsName | None:
    """The learner a path in an LMS download belongs to, or None when it is not an LMS name."""
    parts = PurePosixPath(relative).parts
    for index in range(len(parts) - 1, -1, -1):     # the file, then the folders or zips around it
        found = _recognise_part(parts[index], assessment, is_file=index == len(parts) - 1)
        if found is not None:
            return found
    return None


def _recognise_part(part: str, assessment: str, is_file: bool) -> LmsName | None:
    # Moodle's folder per learner, or its flat file name
    moodle = _MOODLE_FLAT.match(part) if is_file else _MOODLE_FOLDER.match(part)
    if moodle:
        return _moodle(moodle, assessment)
    anon = _CANVAS_ANON.match(part)
    if anon:
        return LmsName(CANVAS, f"canvas-anon:{assessment}:{anon['anon']}", f"anonymous {anon['anon']}",
                       anon["anon"], late=bool(anon["late"]), anonymous=True, per_assessment=True)
    canvas = _CANVAS.match(part)                   # a file, or a learner's own zip in Canvas's zip
    if canvas and (is_file or part.lower().endswith(".zip")):
        return LmsName(CANVAS, f"canvas:{canvas['uid']}", canvas["name"] or canvas["uid"], canvas["uid"],
                       late=bool(canvas["late"]))
    return None


def _moodle(match: re.Match[str], assessment: str) -> LmsName:
    name, pid = match["name"].strip(), match["pid"]
    blind = name.casefold() == "participant"
    return LmsName(MOODLE, f"moodle:{assessment}:{pid}", f"Participant {pid}" if blind else name, pid,
                   anonymous=blind, per_assessment=True)


def is_inline_text(relative: str) -> bool:
    """A typed answer (Canvas text entry or URL, Moodle online text), not an uploaded file."""
    name = PurePosixPath(relative).name
    return bool(_CANVAS_INLINE.match(name)) or "_assignsubmission_onlinetext" in relative


def timestamp_in_name(relative: str) -> datetime | None:
    """A date and time written into the file's name (naive: the zone is not written), or None."""
    matches = list(_TIMESTAMP.finditer(PurePosixPath(relative).name))
    if not matches:
        return None
    match = matches[-1]                                        # the last one is the most specific
    try:
        y, mo, d, h, mi, sec = (int(match[g]) for g in ("y", "mo", "d", "h", "mi", "s"))
        return datetime(y, mo, d, h, mi, sec)
    except ValueError:
        return None


def plain_text(text: str) -> str:
    """A name compared across batches: case, accents' forms and spacing made alike."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# ---------------------------------------------------------------- grade imports

@dataclass(frozen=True)
class LmsGrade:
    """One learner's mark in one assessment, for an LMS gradebook."""

    learner: str                 # the course's own id
    display_name: str
    lms_id: str                  # Canvas user id, or Moodle participant id of this assessment
    assessment: str
    score: float | None          # None: not ready to send (e.g. the reflection is not marked yet)
    max_score: float


CANVAS_HEADER = ["Student", "ID", "Section"]
MOODLE_HEADER = ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"]


def canvas_grades(grades: Iterable[LmsGrade], titles: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a Canvas Gradebook import: one row per Canvas learner, one column per
    assessment (``titles``: assessment id → column title), then a ``Points Possible`` row."""
    by_learner: dict[str, dict[str, LmsGrade]] = {}
    for grade in grades:
        by_learner.setdefault(grade.lms_id, {})[grade.assessment] = grade
    assessments = list(titles)
    header = CANVAS_HEADER + [titles[a] for a in assessments]
    maxima = {g.assessment: g.max_score for row in by_learner.values() for g in row.values()}
    rows = [["Points Possible", "", ""] + [f"{maxima[a]:g}" if a in maxima else "" for a in assessments]]
    for lms_id in sorted(by_learner, key=lambda i: (len(i), i)):
        row = by_learner[lms_id]
        first = next(iter(row.values()))
        cells = [f"{row[a].score:g}" if a in row and row[a].score is not None else "" for a in assessments]
        rows.append([first.display_name, lms_id, ""] + cells)
    return header, rows


def moodle_worksheet(grades: Iterable[LmsGrade], when: datetime) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a Moodle grading worksheet for one assessment (learners whose mark
    is not ready are left out, so Moodle keeps what it has)."""
    stamp = when.isoformat(timespec="seconds")       # strtotime() reads ISO 8601 with its offset
    rows = [[f"Participant {g.lms_id}", g.display_name, f"{g.score:g}", f"{g.max_score:g}", stamp]
            for g in sorted(grades, key=lambda g: (len(g.lms_id), g.lms_id)) if g.score is not None]
    return MOODLE_HEADER, rows
