"""The learner's local record: quiz attempts, reflections, lesson times.

One JSON file on the learner's own side (``$EXOCOURSE_HOME/progress.json``, default
``~/.exosome-reality-check/progress.json``). Every change re-reads the file, applies
the change and writes it atomically, so two cells (or two lessons open at once) never
overwrite each other's work with a stale copy, and a crash mid-write cannot leave half
a file. A file that cannot be read is moved aside to ``*.bak`` (never deleted) with a
one-line message, and a fresh record starts: a lesson never fails because of it.
"""
from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from course import _atomic as atomic

SCHEMA_VERSION = 1
PROGRESS_FILE = "progress.json"
# A lesson left open overnight should not count as eight hours of CPD.
MAX_SESSION_SECONDS = 3 * 60 * 60

REFLECTION_FIELDS = ("activity", "learned", "changed", "code")


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def empty_record() -> dict[str, Any]:
    from course import __version__

    return {
        "schema": SCHEMA_VERSION,
        "course_version": __version__,
        "learner": {"name": "", "registration": ""},
        "modules": {},
        "attempts": [],
        "reflections": {},
        "evaluation": {},
    }


def record_home() -> Path:
    """Where the learner's record lives: ``$EXOCOURSE_HOME`` or ``~/.exosome-reality-check``."""
    configured = os.environ.get("EXOCOURSE_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".exosome-reality-check"


class ProgressStore:
    """A learner's progress file. All methods are safe to call from any lesson cell."""

    def __init__(self, path: Path | str | None = None, notify: Callable[[str], None] | None = None) -> None:
        self.path = Path(path) if path is not None else record_home() / PROGRESS_FILE
        self._notify = notify or print

    # ------------------------------------------------------------ reading
    def load(self) -> dict[str, Any]:
        """The record as a dict. Never raises for a missing or broken file."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return empty_record()
        except (OSError, UnicodeDecodeError) as exc:
            return self._set_aside(f"it could not be read ({getattr(exc, 'strerror', None) or exc})")
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return self._set_aside("it is not valid JSON (perhaps it was cut short or edited)")
        if isinstance(data, dict) and needs_migration(data):
            data = self._migrate(data, text)
        problem = _shape_problem(data)
        if problem:
            return self._set_aside(problem)
        return _with_defaults(data)

    def _migrate(self, data: dict[str, Any], original: str) -> dict[str, Any]:
        """Bring an older record up to date, keeping the original file beside it first."""
        try:
            migrated = migrate(data)
        except (TypeError, ValueError, AttributeError):
            return self._set_aside("it came from an earlier version of the course and could not be converted")
        if _shape_problem(migrated):
            return data  # damaged rather than old: the shape check in `load` sets it aside and says why
        keep = _free_backup_name(self.path, f".v{data.get('schema', 0)}")
        keep.write_text(original, encoding="utf-8")
        self._write(migrated)
        self._notify(f"Your progress record came from an earlier version of the course and has been brought "
                     f"up to date; the original was kept as {keep.name}.")
        return migrated

    def _set_aside(self, why: str) -> dict[str, Any]:
        backup = _free_backup_name(self.path)
        try:
            os.replace(self.path, backup)
            kept = f"the old file was kept as {backup.name}"
        except OSError:
            kept = "the old file was left where it is"
        self._notify(f"Your progress record could not be used because {why}; {kept} "
                     f"and a fresh record has started (your lessons are unaffected).")
        return empty_record()

    # ------------------------------------------------------------ writing
    def update(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply ``change`` to a fresh copy of the record and write it atomically."""
        data = self.load()
        change(data)
        self._write(data)
        return data

    def _write(self, data: dict[str, Any]) -> None:
        atomic.write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))

    # ------------------------------------------------------------ the changes lessons make
    def record_attempt(self, module: str, question: str, answer: Any, correct: bool) -> None:
        self.update(lambda d: d["attempts"].append(
            {"module": module, "question": question, "answer": answer, "correct": bool(correct), "at": now_iso()}))

    def save_reflection(self, module: str, answers: dict[str, str]) -> None:
        def change(d: dict[str, Any]) -> None:
            entry = {name: str(answers.get(name, "")) for name in REFLECTION_FIELDS}
            entry["saved"] = now_iso()
            d["reflections"][module] = entry
        self.update(change)

    def mark_started(self, module: str) -> None:
        def change(d: dict[str, Any]) -> None:
            entry = d["modules"].setdefault(module, {"seconds": 0.0})
            entry.setdefault("first_started", now_iso())
            entry["started"] = now_iso()
        self.update(change)

    def mark_finished(self, module: str) -> float:
        """Mark a lesson done and add the time since it was started; return total seconds."""
        def change(d: dict[str, Any]) -> None:
            entry = d["modules"].setdefault(module, {"seconds": 0.0})
            started = entry.pop("started", None)
            if started:
                elapsed = (datetime.now(timezone.utc) - datetime.fromisoformat(started)).total_seconds()
                entry["seconds"] = float(entry.get("seconds", 0.0)) + min(max(elapsed, 0.0), MAX_SESSION_SECONDS)
            entry["finished"] = now_iso()
        return float(self.update(change)["modules"][module].get("seconds", 0.0))

    def set_learner(self, name: str, registration: str | None = None) -> None:
        def change(d: dict[str, Any]) -> None:
            d["learner"]["name"] = name.strip()
            if registration is not None:
                d["learner"]["registration"] = registration.strip()
        self.update(change)


def default_store() -> ProgressStore:
    """The learner's store in the default place (see ``record_home``)."""
    return ProgressStore()


def _free_backup_name(path: Path, tag: str = "") -> Path:
    backup = path.with_name(f"{path.name}{tag}.bak")
    counter = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}{tag}.{counter}.bak")
        counter += 1
    return backup


def _shape_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "it does not hold a progress record"
    for name, kind in (("modules", dict), ("attempts", list), ("reflections", dict)):
        if name in data and not isinstance(data[name], kind):
            return f"its `{name}` part is damaged"
    return None


def _with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    record = empty_record()
    merged = {**record, **copy.deepcopy(data)}
    merged["learner"] = {**record["learner"], **(data.get("learner") or {})}
    return merged


# ------------------------------------------------------------ older records
# Schema 0 is the flat, unversioned file written by the pre-release course (0.x):
#   {"name": "...", "registration": "...",
#    "completed": {"01": iso}, "minutes": {"01": 42},
#    "quiz": {"01": {"ev-term": true}}, "reflections": {"01": "one free-text note"}}
# A file without "schema" that already has the version-1 parts is version 1 unstamped.
# A file from a newer course (schema > SCHEMA_VERSION) is read as it is: keys this
# version does not know are kept untouched, so nothing is lost by an older course.
_SCHEMA_0_KEYS = ("name", "completed", "minutes", "quiz")


def needs_migration(data: dict[str, Any]) -> bool:
    """True for a record written by an older version of the course."""
    return "schema" not in data or (isinstance(data["schema"], int) and data["schema"] < SCHEMA_VERSION)


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """An older progress record in the current schema; every learner-written word is carried over."""
    if any(name in data for name in ("modules", "attempts")) and not any(name in data for name in _SCHEMA_0_KEYS):
        return {**copy.deepcopy(data), "schema": SCHEMA_VERSION}
    record = empty_record()
    record["learner"] = {"name": str(data.get("name") or ""), "registration": str(data.get("registration") or "")}
    completed: dict[str, Any] = dict(data.get("completed") or {})
    for module, minutes in dict(data.get("minutes") or {}).items():
        record["modules"].setdefault(str(module), {})["seconds"] = float(minutes) * 60
    for module, finished in completed.items():
        record["modules"].setdefault(str(module), {"seconds": 0.0})["finished"] = str(finished)
    migrated_at = now_iso()
    for module, answers in dict(data.get("quiz") or {}).items():
        for question, correct in dict(answers).items():
            record["attempts"].append({"module": str(module), "question": str(question), "answer": None,
                                       "correct": bool(correct), "at": str(completed.get(module) or migrated_at)})
    for module, note in dict(data.get("reflections") or {}).items():
        if isinstance(note, dict):
            entry = {name: str(note.get(name, "")) for name in REFLECTION_FIELDS}
        else:  # one free-text note: it answered "what did you learn"
            entry = {name: "" for name in REFLECTION_FIELDS} | {"learned": str(note)}
        entry["saved"] = migrated_at
        record["reflections"][str(module)] = entry
    record["migrated_from"] = {"schema": data.get("schema", 0), "at": migrated_at}
    return record
