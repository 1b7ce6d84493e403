"""Canvas and Moodle "download all submissions" archives, built the way those LMSs build them.

The names are computed with the LMSs' own rules, transcribed here so that a test fixture
is what an instructor really downloads:

- Canvas: instructure/canvas-lms ``lib/content_zipper.rb`` (``get_filename``,
  ``sanitize_user_name``, ``sanitize_file_name``, ``add_upload_submission``,
  ``sanitize_attachment_filename``): ``<sortable name, lowercased, non-word characters
  removed>_[LATE_]<user id>_<attachment id>_<file name>``, one flat zip; a re-uploaded file
  of the same name is ``assessment-1.ipynb`` (Canvas's unique-name rule for the learner's
  files); anonymous grading writes ``anon_<anonymous id>`` instead of name and user id.
- Moodle: moodle/moodle ``mod/assign/classes/downloader.php`` (``get_student_prefix``,
  ``load_submissionplugin_filelist``, ``get_zip_filename``): ``<full name with _ as
  space>_<participant id>_assignsubmission_file/<file>`` (folders, the default since
  Moodle 3.1) or ``..._assignsubmission_file_<file>`` (flat); ``Participant`` for the name
  under blind marking; the zip is ``<course short name>-<assignment name>-<cmid>.zip``.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CanvasSubmission:
    sortable_name: str          # "Doe, Jane"
    user_id: int
    attachment_id: int
    file_name: str              # the learner's own file name, e.g. "assessment.ipynb"
    content: bytes
    late: bool = False
    anonymous_id: str | None = None   # set under anonymous grading


def canvas_name(s: CanvasSubmission) -> str:
    """The file's name in Canvas's submissions.zip."""
    if s.anonymous_id:
        parts = ["LATE" if s.late else None, f"anon_{s.anonymous_id}"]
    else:
        user_name = re.sub(r"_(\d+)_", r"\1", s.sortable_name)
        user_name = re.sub(r"^(\d+)$", r"\1", user_name).lower()
        parts = [user_name, "LATE" if s.late else None, str(s.user_id)]
    filename = re.sub(r"[^\w]", "", "_".join(p for p in parts if p is not None))
    attachment = re.sub(r'[\x00/\\:*?"<>|]+', "_", s.file_name)
    return f"{filename}_{s.attachment_id}_{attachment}"


def write_canvas(target: Path, submissions: list[CanvasSubmission], as_zip: bool) -> Path:
    """Canvas's download as ``target``/ (a folder of the unpacked zip) or ``target``.zip."""
    if as_zip:
        path = target.with_suffix(".zip")
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for s in submissions:
                archive.writestr(canvas_name(s), s.content)
        return path
    target.mkdir(parents=True, exist_ok=True)
    for s in submissions:
        (target / canvas_name(s)).write_bytes(s.content)
    return target


@dataclass(frozen=True)
class MoodleSubmission:
    full_name: str              # "Jane Doe"
    participant_id: int         # assign_user_mapping id: different in every assignment
    files: dict[str, bytes]     # file name -> content
    blind: bool = False


def _clean_filename(text: str) -> str:
    return re.sub(r'[\x00-\x1f/\\:*?"<>|]', "", text)


def moodle_prefix(s: MoodleSubmission) -> str:
    name = "Participant" if s.blind else s.full_name
    return _clean_filename(name.replace("_", " ") + "_" + str(s.participant_id))


def moodle_paths(s: MoodleSubmission, folders: bool) -> dict[str, bytes]:
    prefix = f"{moodle_prefix(s)}_assignsubmission_file"
    if folders:
        return {f"{prefix}/{name}": content for name, content in s.files.items()}
    return {_clean_filename(f"{prefix}_{name}"): content for name, content in s.files.items()}


def write_moodle(target: Path, submissions: list[MoodleSubmission], as_zip: bool, folders: bool = True,
                 course: str = "EXO101", assignment: str = "Assessment 1", cmid: int = 42) -> Path:
    """Moodle's download unpacked into ``target``/, or as its zip beside ``target``."""
    files = {path: content for s in submissions for path, content in moodle_paths(s, folders).items()}
    if as_zip:
        path = target.parent / _clean_filename(f"{course}-{assignment}-{cmid}.zip")
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        return path
    for name, content in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(content)
    return target
