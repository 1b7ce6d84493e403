"""The shape of a progress record: reading a file's text, setting aside bad parts, migrating.

Pure functions (no files, no messages): ``read_record(text)`` turns whatever a progress
file holds into a current, well-shaped record and says, in plain words, what it had to
set aside. Hostile shapes are normal input here: ``learner`` as a list, ``modules.01``
as ``[1]``, ``seconds: "abc"``, NaN, a 5,000-digit integer, 100,000-deep nesting.
"""
from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import cache
from typing import Any

SCHEMA_VERSION = 2
REFLECTION_FIELDS = ("activity", "learned", "changed", "code")
EVALUATION_FIELDS = ("satisfaction", "learned", "intend_to_change", "saved")


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


# ================================================================ reading a record's text
class _Unusable:
    """Stands in, while parsing, for a value no record may hold (NaN, an absurdly long integer)."""

    def __repr__(self) -> str:
        return "<unusable value>"


UNUSABLE = _Unusable()
_MAX_INTEGER_DIGITS = 20       # no count or time in a record comes near this
_MAX_DEPTH = 24                # deeper than any record part, and safe for every JSON encoder


def _parse_int(text: str) -> int | _Unusable:
    return int(text) if len(text.lstrip("-")) <= _MAX_INTEGER_DIGITS else UNUSABLE


def _parse_float(text: str) -> float | _Unusable:
    value = float(text)
    return value if math.isfinite(value) else UNUSABLE


class Reading:
    """What ``read_record`` made of a file's text."""

    def __init__(self, record: dict[str, Any], set_aside: list[str] | None = None,
                 migrated_from: int | None = None, unreadable: str | None = None) -> None:
        self.record = record
        self.set_aside = set_aside or []
        self.migrated_from = migrated_from
        self.unreadable = unreadable

    @property
    def clean(self) -> bool:
        return not self.set_aside and self.migrated_from is None and self.unreadable is None

    def summary(self) -> str:
        if self.set_aside:
            return f"parts set aside ({'; '.join(self.set_aside)})"
        return "converting from an earlier version of the course"


def read_record(text: str | None) -> Reading:
    """A progress file's text as a current, well-shaped record. Pure: never raises, writes nothing."""
    if text is None:
        return Reading(empty_record(), unreadable="it is not a text file")
    try:
        data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                          parse_constant=lambda _name: UNUSABLE)
    except RecursionError:
        return Reading(empty_record(), unreadable="it is nested far too deeply to be a progress record")
    except ValueError:
        return Reading(empty_record(), unreadable="it is not valid JSON (perhaps it was cut short or edited)")
    if not isinstance(data, dict):
        return Reading(empty_record(), unreadable="it does not hold a progress record")
    migrated_from = None
    if needs_migration(data):
        migrated_from = data.get("schema", 0) if isinstance(data.get("schema"), int) else 0
        try:
            data = migrate(data)
        except (TypeError, ValueError, AttributeError, KeyError):
            return Reading(empty_record(),
                           unreadable="it came from an earlier version of the course and could not be converted")
    record, set_aside = clean_record(data)
    return Reading(record, set_aside, migrated_from)


# ================================================================ the shape of a record
_TOP_LEVEL = {"schema", "course_version", "shuffle_seed", "learner", "modules", "attempts", "reflections",
              "evaluation", "migrated_from"}
_SEED = re.compile(r"[0-9a-f]{8,64}")


def clean_record(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``data`` with every part of the wrong shape removed, and what was removed, in plain words.

    Parts this version does not know (from a newer course) are kept if they are plain JSON.
    """
    out = empty_record()
    problems: list[str] = []
    for key, value in data.items():
        if key not in _TOP_LEVEL:
            if isinstance(key, str) and _plain(value):
                out[key] = value
            else:
                problems.append(f"the part “{key}”")
    schema = data.get("schema")
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
        out["schema"] = schema        # a newer course's file: keep its stamp
    version = data.get("course_version")
    if isinstance(version, str):
        out["course_version"] = version
    if "shuffle_seed" in data:
        seed = data["shuffle_seed"]
        if isinstance(seed, str) and _SEED.fullmatch(seed):
            out["shuffle_seed"] = seed
        else:
            problems.append("the seed for the order of answer options (a new one is made)")
    if "migrated_from" in data:
        if isinstance(data["migrated_from"], dict) and _plain(data["migrated_from"]):
            out["migrated_from"] = data["migrated_from"]
        else:
            problems.append("the note of an earlier migration")
    _clean_learner(data.get("learner", {}), out, problems)
    _clean_modules(data.get("modules", {}), out, problems)
    _clean_attempts(data.get("attempts", []), out, problems)
    _clean_reflections(data.get("reflections", {}), out, problems)
    _clean_evaluation(data.get("evaluation", {}), out, problems)
    return out, problems


def _clean_learner(value: Any, out: dict[str, Any], problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append("your name and registration number")
        return
    for name in ("name", "registration"):
        if name not in value:
            continue
        if isinstance(value[name], str):
            out["learner"][name] = value[name]
        else:
            problems.append(f"your {'name' if name == 'name' else 'registration number'}")
    for key, extra in value.items():
        if key not in ("name", "registration") and _plain(extra):
            out["learner"][key] = extra


def _clean_modules(value: Any, out: dict[str, Any], problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append("the list of lessons opened and completed")
        return
    for module, entry in value.items():
        if not isinstance(module, str) or not isinstance(entry, dict):
            problems.append(f"module {module}'s entry")
            continue
        kept: dict[str, Any] = {}
        for stamp in ("first_opened", "completed"):
            if stamp in entry:
                if _timestamp(entry[stamp]):
                    kept[stamp] = entry[stamp]
                else:
                    problems.append(f"module {module}'s date {'first opened' if stamp == 'first_opened' else 'completed'}")
        sittings = entry.get("sittings", [])
        if not isinstance(sittings, list):
            problems.append(f"module {module}'s sittings")
            sittings = []
        good = [s for s in sittings if _sitting(s)]
        if len(good) < len(sittings):
            bad = len(sittings) - len(good)
            problems.append(f"{bad} of module {module}'s sittings" if bad > 1 else f"one of module {module}'s sittings")
        if good or "sittings" in entry:
            kept["sittings"] = good
        for key, extra in entry.items():
            if key in ("first_opened", "completed", "sittings"):
                continue
            if _plain(extra):
                kept[key] = extra
            else:
                problems.append(f"module {module}'s “{key}”")
        out["modules"][module] = kept


def _sitting(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("id"), str) and _timestamp(value.get("began"))
            and _timestamp(value.get("last")) and _number(value.get("seconds")) and value["seconds"] >= 0
            and isinstance(value.get("actions"), int) and not isinstance(value["actions"], bool)
            and value["actions"] >= 0 and all(_plain(v) for v in value.values()))


def _clean_attempts(value: Any, out: dict[str, Any], problems: list[str]) -> None:
    if not isinstance(value, list):
        problems.append("the self-check attempts")
        return
    kept = [a for a in value if _attempt(a)]
    out["attempts"] = kept
    bad = len(value) - len(kept)
    if bad:
        problems.append(f"{bad} self-check attempts" if bad > 1 else "one self-check attempt")


def _attempt(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    answer = value.get("answer")
    answer_ok = (answer is None or isinstance(answer, str) or _number(answer)
                 or (isinstance(answer, list) and all(isinstance(a, str) for a in answer)))
    return (isinstance(value.get("module"), str) and isinstance(value.get("question"), str) and answer_ok
            and isinstance(value.get("correct"), bool) and _timestamp(value.get("at"))
            and all(_plain(v) for k, v in value.items() if k not in _ATTEMPT_CHECKED))


_ATTEMPT_CHECKED = frozenset({"module", "question", "answer", "correct", "at"})


def _clean_reflections(value: Any, out: dict[str, Any], problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append("the reflections")
        return
    for module, entry in value.items():
        fields = (*REFLECTION_FIELDS, "saved")
        if isinstance(module, str) and isinstance(entry, dict) and all(
                isinstance(entry.get(name, ""), str) for name in fields):
            out["reflections"][module] = {name: entry.get(name, "") for name in fields}
        else:
            problems.append(f"the reflection on module {module}")


def _clean_evaluation(value: Any, out: dict[str, Any], problems: list[str]) -> None:
    if isinstance(value, dict) and all(isinstance(value.get(name, ""), str) for name in EVALUATION_FIELDS):
        out["evaluation"] = {name: value[name] for name in EVALUATION_FIELDS if name in value}
    else:
        problems.append("the course evaluation")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _plain(value: Any) -> bool:
    """True for JSON a record may keep as it is: no unusable number, at most ``_MAX_DEPTH`` deep."""
    if value is None or isinstance(value, (str, bool, int)):
        return True                # the common case, without building a stack
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_DEPTH or item is UNUSABLE:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True


# ================================================================ older records
# Schema 0 is the flat, unversioned file written by the pre-release course (0.x):
#   {"name": "...", "registration": "...",
#    "completed": {"01": iso}, "minutes": {"01": 42},
#    "quiz": {"01": {"ev-term": true}}, "reflections": {"01": "one free-text note"}}
# Schema 1 is course 1.0.0's: modules hold wall-clock "seconds" and a "finished" stamp
# written by running the lesson's last cell, and quiz answers are option *indices*.
# A file without "schema" that already has the version-1 parts is version 1 unstamped.
# A file from a newer course (schema > SCHEMA_VERSION) is read as it is: keys this
# version does not know are kept untouched, so nothing is lost by an older course.
_SCHEMA_0_KEYS = ("name", "completed", "minutes", "quiz")


def needs_migration(data: dict[str, Any]) -> bool:
    """True for a record written by an older version of the course."""
    schema = data.get("schema")
    return "schema" not in data or (isinstance(schema, int) and not isinstance(schema, bool)
                                    and schema < SCHEMA_VERSION)


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """An older progress record in the current schema; every learner-written word is carried over."""
    schema = data.get("schema")
    if schema is None and any(k in data for k in ("modules", "attempts")) and not any(k in data for k in _SCHEMA_0_KEYS):
        schema = 1
    if not schema:
        data = migrate_0_to_1(data)
    return migrate_1_to_2(data)


def migrate_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"schema": 1, "course_version": "0", "modules": {}, "attempts": [],
                              "reflections": {}, "evaluation": {}}
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
    record["migrated_from"] = {"schema": 0, "at": migrated_at}
    return record


def migrate_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Course 1.0.0's record: answers by index become option ids; times and "finished" are kept
    as they were (under ``recorded_by_1_0``) but count for nothing, because 1.0.0 measured the
    wall clock between a lesson's first and last cell and "finished" meant only that the last
    cell ran."""
    record = copy.deepcopy(data)
    record["schema"] = SCHEMA_VERSION
    record.setdefault("migrated_from", {"schema": data.get("schema", 1), "at": now_iso()})
    modules = record.get("modules")
    if isinstance(modules, dict):
        for entry in modules.values():
            if not isinstance(entry, dict):
                continue
            old = {k: entry.pop(k) for k in ("seconds", "started", "first_started", "finished") if k in entry}
            opened = old.get("first_started") or old.get("started")
            if _timestamp(opened):
                entry.setdefault("first_opened", opened)
            if old:
                entry["recorded_by_1_0"] = old
    attempts = record.get("attempts")
    if isinstance(attempts, list):
        for attempt in attempts:
            if isinstance(attempt, dict) and "answer" in attempt:
                old_answer = attempt["answer"]
                attempt["answer"] = answer_by_id(str(attempt.get("module")), str(attempt.get("question")), old_answer)
                if attempt["answer"] != old_answer:
                    attempt["answer_1_0"] = old_answer
    return record


def answer_by_id(module: str, question: str, answer: Any) -> Any:
    """A 1.0.0 stored answer (an option index, or a list of them) as option ids.

    Numbers typed into numeric questions are kept; an index with no meaning becomes None.
    """
    order = _option_order_v1().get(module, {}).get(question)
    if order is None:  # a numeric question's number, or a question 1.0.0 did not have
        return answer if answer is None or isinstance(answer, str) or _number(answer) else None
    def one(index: Any) -> str | None:
        valid = isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(order)
        return order[index] if valid else None
    if isinstance(answer, list):
        ids = [one(i) for i in answer]
        return sorted(i for i in ids if i is not None) if all(i is not None for i in ids) else None
    return one(answer)


@cache
def _option_order_v1() -> dict[str, dict[str, list[str]]]:
    from course._yaml import CONTENT_DIR

    data = json.loads((CONTENT_DIR / "legacy" / "option_order_v1.json").read_text(encoding="utf-8"))
    return {str(m): {str(q): [str(i) for i in ids] for q, ids in qs.items()} for m, qs in data["modules"].items()}


def iter_attempts(progress: dict[str, Any], module: str) -> Iterator[dict[str, Any]]:
    """A module's attempts in the order they were made."""
    for attempt in progress.get("attempts") or []:
        if isinstance(attempt, dict) and attempt.get("module") == module:
            yield attempt
