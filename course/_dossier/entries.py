"""Reading what a learner typed or passed into the checker, without ever raising.

The widget sends strings and booleans, but ``check_dossier`` is also called from a
notebook with whatever a learner writes: numbers where names belong, lists of numbers,
``None``, a list instead of a mapping. Every such entry becomes a plain-words problem
("Positive EV markers: type the names, separated by commas") and is left out of the
rules; nothing is guessed and nothing raises.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from course._dossier.spec import DossierField, DossierSpec, EntryValue
from course._errors import AnswerFormatError


@dataclass
class ReadEntries:
    """The entries as the rules use them: one clean value per field, and what could not be read.

    ``values`` holds, per field key: ``str`` (text, choice), ``bool`` (checkbox),
    ``float`` or ``None`` (number), ``tuple[str, ...]`` (list). A field whose entry could
    not be read is absent from ``values`` and named in ``problems``.
    """
    values: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)


def split_names(value: object) -> tuple[str, ...]:
    """Marker or method names from "CD9, CD63; TSG101" or a list, without blanks or repeats.

    Anything that is not text or a list of texts gives no names (``read_entries`` reports it).
    """
    if isinstance(value, str):
        parts: list[str] = re.split(r"[,;\n]", value)
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        parts = list(value)
    else:
        return ()
    names: dict[str, str] = {}
    for part in parts:
        name = " ".join(part.split())
        if name:
            names.setdefault(name.lower(), name)
    return tuple(names.values())


def parse_amount(value: object, label: str) -> float | None:
    """A positive amount typed by a learner, or None when left blank.

    Accepts 2.4e11, 2.4 x 10^11, 2.4×10¹¹ and 240,000,000,000; anything else raises
    AnswerFormatError naming the field and the format.
    """
    from course._questions import parse_number

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise AnswerFormatError(f"{label}: type a number, for example 2.4e11.")
    if isinstance(value, str):
        try:
            number = parse_number(value)
        except AnswerFormatError:
            raise AnswerFormatError(
                f"{label}: “{value.strip()}” is not a number I can read. Type digits only, "
                "for example 2.4e11 or 2.4 x 10^11 (the unit is already in the label).") from None
    else:
        number = float(value)
    if not math.isfinite(number):
        raise AnswerFormatError(f"{label}: type an ordinary number, for example 2.4e11.")
    if number <= 0:
        raise AnswerFormatError(f"{label}: the amount must be more than zero.")
    return number


def _read_one(item: DossierField, value: object) -> object:
    """The clean value of one entry; AnswerFormatError (naming the field) when it cannot be read."""
    if item.kind == "number":
        return parse_amount(value, item.label)
    if value is None:
        return "" if item.kind == "text" else (False if item.kind == "checkbox" else
                                                ("not_stated" if item.kind == "choice" else ()))
    if item.kind == "checkbox":
        if isinstance(value, bool):
            return value
        raise AnswerFormatError(f"{item.label}: use True when the documents show it, False when they do not.")
    if item.kind == "choice":
        text = value if isinstance(value, str) else None
        allowed = {c.value: c.label for c in item.choices}
        if text is not None and text.strip() in allowed:
            return text.strip()
        if text is not None and not text.strip():
            return "not_stated"
        choices = "; ".join(f"“{v}” ({label})" for v, label in allowed.items())
        raise AnswerFormatError(f"{item.label}: choose one of {choices}.")
    if item.kind == "list":
        if isinstance(value, str) or (isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)):
            return split_names(value)
        raise AnswerFormatError(f"{item.label}: type the names as text, separated by commas, "
                                "for example “CD9, CD63, TSG101”.")
    if isinstance(value, str):
        return value.strip()
    raise AnswerFormatError(f"{item.label}: type the supplier's words as text.")


def read_entries(spec: DossierSpec, entries: object) -> ReadEntries:
    """Read every entry; unknown keys and unreadable values become problems, never exceptions."""
    read = ReadEntries()
    if entries is None:
        entries = {}
    if not isinstance(entries, Mapping):
        read.problems.append("The checker expects the dossier as field names and values, for example "
                             "course._dossier.check_dossier({\"cell_source\": \"umbilical cord\"}); "
                             "nothing was read.")
        entries = {}
    known = {f.key for f in spec.fields}
    read.problems += [f"“{key}” is not a field of the checker and was ignored."
                      for key in entries if key not in known]
    for item in spec.fields:
        try:
            read.values[item.key] = _read_one(item, entries.get(item.key))
        except AnswerFormatError as problem:
            read.problems.append(str(problem))
            read.unreadable.add(item.key)
    return read


def is_missing(item: DossierField, value: object) -> bool:
    """True when a cleanly read value means "not documented"."""
    if item.kind == "checkbox":
        return value is not True
    if item.kind == "choice":
        return value in ("", "not_stated")
    if item.kind == "number":
        return value is None
    return not value


__all__ = ["ReadEntries", "read_entries", "split_names", "parse_amount", "is_missing", "EntryValue"]
