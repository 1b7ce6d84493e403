"""The instructor's class list: who each learner is, for the certificate.

``learners.csv`` in the course folder (or ``--roster``): ``learner,name,registration``,
one line per learner, with the learner id that intake gave their submissions. Names come
from spreadsheets and LMS exports, so a line may hold a carriage return, a tab or an
invisible direction mark: such a line is reported with its line number and the learner
gets no certificate until it is fixed, while every other line is used as usual.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from course.instructor._csv import read_csv
from course.instructor.certificates.credential import clean_text, text_problem

ROSTER_FILE = "learners.csv"
COLUMNS = ("learner", "name", "registration")


@dataclass(frozen=True)
class RosterEntry:
    name: str
    registration: str
    line: int


@dataclass(frozen=True)
class Roster:
    """The usable lines, and a problem for each learner whose line cannot be used."""

    path: Path | None = None
    entries: dict[str, RosterEntry] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)   # learner id -> what is wrong, with the line

    def names(self) -> dict[str, tuple[str, str]]:
        return {learner: (entry.name, entry.registration) for learner, entry in self.entries.items()}


def read_roster(path: Path) -> Roster:
    """The roster at ``path`` (an empty roster when there is no file).

    A file that is not a CSV with a ``learner`` and a ``name`` column is a ConfigurationError;
    a bad line is a problem for that learner only.
    """
    if not path.exists():
        return Roster(path)
    table = read_csv(path, required=("learner", "name"),
                     fix="The roster needs the columns learner,name (and optionally registration); fix it and run again.")
    entries: dict[str, RosterEntry] = {}
    problems: dict[str, str] = {}
    for row in table.rows:
        learner = row.get("learner").strip()
        if not learner or row.blank:
            continue
        where = f"{path.name}, line {row.line}"
        if learner in entries or learner in problems:
            problems[learner] = f"{where}: learner {learner!r} is listed twice; keep one line per learner"
            entries.pop(learner, None)
            continue
        name, registration = clean_text(row.get("name")), clean_text(row.get("registration"))
        problem = text_problem(name, "the name") or text_problem(registration, "the registration number")
        if problem:
            problems[learner] = f"{where}: {problem}"
            continue
        entries[learner] = RosterEntry(name, registration, row.line)
    return Roster(path, entries, problems)


__all__ = ["ROSTER_FILE", "Roster", "RosterEntry", "read_roster"]
