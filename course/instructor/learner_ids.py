"""The course folder's learner ids: who each learner is in the LMS, kept across batches.

``learner-ids.json`` maps what a download says about a learner (a *key*: Canvas's user id,
Moodle's participant id in one assignment, or the plain name a file was given) to the
course's own learner id, the folder name under ``submitted/``. Once given, an id is kept:
the second "Sam Lee" stays ``Sam_Lee_2`` in every later batch, and two different "Jane
Doe"s with different LMS ids never become one learner.

Moodle's participant ids differ in every assignment, so a Moodle learner new to an
assessment is linked by name to the one Moodle learner of that name who has no
submission of it yet; when that is ambiguous they get a new id and the instructor is told.

For each learner the file also keeps, per assessment, what intake saw (the LMS's id, when
the file was received and how that is known, whether it was late, the file's name in
the download): ``exocourse report`` writes the LMS grade-import files from it, and
``exocourse forget`` removes the entry.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import _atomic as atomic
from course._errors import ConfigurationError
from course.instructor.lms import MOODLE, LmsName, plain_text

IDS_FILE = "learner-ids.json"
VERSION = 1


@dataclass
class Assignment:
    """How one key was resolved: the learner id, and a note when it needs the instructor's eye."""

    learner: str
    new: bool
    note: str = ""


@dataclass
class LearnerIds:
    """The id map of one course folder (load with ``load``, write with ``save``)."""

    path: Path
    keys: dict[str, str] = field(default_factory=dict)
    learners: dict[str, dict[str, Any]] = field(default_factory=dict)

    # ---------------------------------------------------------------- reading and writing
    @classmethod
    def load(cls, root: Path) -> LearnerIds:
        path = root / IDS_FILE
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            keys, learners = data["keys"], data["learners"]
            if not (isinstance(keys, dict) and isinstance(learners, dict)
                    and all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items())
                    and all(isinstance(v, dict) for v in learners.values())):
                raise ValueError("unexpected structure")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"{path} cannot be read ({exc}). It keeps each learner's id across intake batches: restore it "
                "from your backup before taking in more submissions (without it, ids could change).") from None
        return cls(path, dict(keys), {str(k): dict(v) for k, v in learners.items()})

    def save(self) -> None:
        atomic.write_text(self.path, json.dumps({
            "version": VERSION,
            "why": ("Each learner's id in this course and who they are in the LMS, so that ids stay the same "
                    "across intake batches. Written by exocourse intake; exocourse forget removes a learner."),
            "keys": dict(sorted(self.keys.items())),
            "learners": dict(sorted(self.learners.items())),
        }, indent=1, ensure_ascii=False) + "\n")

    # ---------------------------------------------------------------- resolving
    def taken(self) -> set[str]:
        return set(self.learners) | set(self.keys.values())

    def resolve(self, key: str, lms_name: LmsName | None, assessment: str, base_id: str,
                also_taken: set[str]) -> Assignment:
        """The learner id for ``key`` (given earlier, linked by name, or new). Nothing is
        stored until ``remember``: a file that is then rejected leaves no trace."""
        if key in self.keys:
            return Assignment(self.keys[key], new=False)
        if lms_name is not None and lms_name.lms == MOODLE and not lms_name.anonymous:
            same_name = [learner for learner, info in self.learners.items()
                         if info.get("lms") == MOODLE and plain_text(str(info.get("name", ""))) ==
                         plain_text(lms_name.display_name) and assessment not in info.get("assessments", {})]
            if len(same_name) == 1:
                return Assignment(same_name[0], new=False,
                                  note=f"linked by name to {same_name[0]} (Moodle gives a new participant "
                                       "number in every assignment)")
            if len(same_name) > 1:
                learner = self._new_id(base_id, also_taken)
                return Assignment(learner, new=True, note=(
                    f"{len(same_name)} learners called {lms_name.display_name!r} are known "
                    f"({', '.join(sorted(same_name))}); filed as a new learner {learner}: if this is one of them, "
                    f"move the key {key!r} to that learner in {IDS_FILE}"))
        return Assignment(self._new_id(base_id, also_taken), new=True)

    def _new_id(self, base: str, also_taken: set[str]) -> str:
        taken = self.taken() | also_taken
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        return candidate

    def remember(self, key: str, learner: str, lms_name: LmsName | None, display_name: str,
                 assessment: str, submission: dict[str, Any]) -> None:
        """Store ``key`` → ``learner`` and what intake saw of this submission."""
        self.keys[key] = learner
        info = self.learners.setdefault(learner, {})
        info["lms"] = lms_name.lms if lms_name else "plain"
        if lms_name is not None and not lms_name.per_assessment:
            info["lms_id"] = lms_name.lms_id
        info.setdefault("name", display_name)
        info.setdefault("assessments", {})[assessment] = submission

    # ---------------------------------------------------------------- reading back
    def lms_of(self, learner: str) -> str | None:
        info = self.learners.get(learner)
        return str(info["lms"]) if info and "lms" in info else None

    def submission(self, learner: str, assessment: str) -> dict[str, Any] | None:
        info = self.learners.get(learner, {})
        found = info.get("assessments", {}).get(assessment)
        return found if isinstance(found, dict) else None

    def forget(self, learner: str) -> list[str]:
        """Remove ``learner`` and every key that leads to them; return the keys removed."""
        removed = sorted(k for k, v in self.keys.items() if v == learner)
        for key in removed:
            del self.keys[key]
        self.learners.pop(learner, None)
        return removed

    def files_of(self, learner: str) -> list[str]:
        """The download files intake took for ``learner`` (as it showed them)."""
        info = self.learners.get(learner, {})
        return sorted({str(s.get("file")) for s in info.get("assessments", {}).values()
                       if isinstance(s, dict) and s.get("file")})
