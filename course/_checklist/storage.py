"""Saving the checklist beside the learner's record, and reopening it.

The Markdown document, its PDF and the form's state are written atomically
(``course._atomic``), so an interrupted save never leaves half a file; a state file
that cannot be read is left untouched and the form starts empty, with a message.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from course import _atomic as atomic
from course._checklist.content import SupplierChecklist
from course._checklist.document import document_name, render_markdown, render_pdf
from course._checklist.state import ChecklistState, state_from_json, state_to_json
from course._errors import CourseError
from course._progress import where

# The checklist state kept beside the learner's record, so a re-run cell loses nothing.
STATE_FILE_NAME = "supplier-checklist.json"


@dataclass(frozen=True)
class SavedChecklist:
    """Where a saved checklist went: the Markdown document, its PDF, and the form's state."""
    document: Path
    pdf: Path
    state: Path


def save_checklist(checklist: SupplierChecklist, state: ChecklistState, directory: Path,
                   on: date | None = None) -> SavedChecklist:
    """Write the document (Markdown and PDF) and the state into ``directory``, atomically.

    An unwritable folder raises CourseError saying where and what to do.
    """
    document = directory / document_name(state)
    pdf = document.with_suffix(".pdf")
    state_path = directory / STATE_FILE_NAME
    state_json = json.dumps({**state_to_json(state), "saved": datetime.now().isoformat(timespec="seconds")},
                            ensure_ascii=False, indent=2)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(document, render_markdown(checklist, state, on).encode("utf-8"))
        atomic.write_bytes(pdf, render_pdf(checklist, state, on))
        atomic.write_bytes(state_path, state_json.encode("utf-8"))
    except OSError as exc:
        raise CourseError(f"Could not save the checklist in {directory} ({exc.strerror or exc}). "
                          "Your ticks and notes are still in the form: use the download link, "
                          "or check that the folder exists and you may write to it.") from exc
    return SavedChecklist(document=document, pdf=pdf, state=state_path)


def load_saved_state(directory: Path, checklist: SupplierChecklist) -> tuple[ChecklistState, str | None]:
    """The last saved state in ``directory`` and a message for the learner, if any.

    No file gives an empty checklist and no message; an unreadable file gives an empty
    checklist and a one-line message (the file is left where it is, untouched).
    """
    path = directory / STATE_FILE_NAME
    if not path.exists():
        return ChecklistState(), None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return state_from_json(data, checklist), f"Reopened your checklist saved in {where(path)}."
    except (OSError, ValueError, CourseError):
        return ChecklistState(), (f"Your saved checklist in {where(path)} could not be read, so the form starts "
                                  "empty; the file has not been changed.")


def record_directory() -> Path:
    """The folder that holds the learner's progress record (where the checklist is saved)."""
    from course._progress import default_store

    return Path(default_store().path).parent


__all__ = ["STATE_FILE_NAME", "SavedChecklist", "save_checklist", "load_saved_state", "record_directory"]
