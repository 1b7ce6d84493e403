"""Reading the course's content files (YAML and CSV), with errors an author understands."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from course._errors import ContentError

CONTENT_DIR = Path(__file__).parent / "content"


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error names the file and line."""
    import yaml  # PyYAML is light, but only content loaders need it

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(str(path), None, f"cannot be read ({exc.strerror})",
                           "check the file exists and is readable") from exc
    # libyaml's loader is ten times faster than the pure-Python one (a lesson reads every
    # question bank for the learning record); both are "safe" loaders.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        item = f"line {mark.line + 1}" if mark else None
        raise ContentError(str(path), item, f"is not valid YAML ({getattr(exc, 'problem', exc)})",
                           "check indentation and quoting near that line") from exc


def require(mapping: Any, field: str, file: str, item: str | None, kind: type | tuple[type, ...],
            fix: str) -> Any:
    """Return ``mapping[field]`` if present and of the right kind, else a ContentError."""
    if not isinstance(mapping, dict) or field not in mapping or mapping[field] is None:
        raise ContentError(file, item, f"has no `{field}`", fix)
    value = mapping[field]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ContentError(file, item, f"`{field}` should be {names}, not {type(value).__name__}", fix)
    return value


def read_csv(path: Path, columns: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The rows of a data CSV as dicts; a missing file or column names the file and the fix."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ContentError(path.name, None, f"lacks the column(s) {', '.join(missing)}",
                                   f"give the file the header row {','.join(columns)}")
            return list(reader)
    except OSError as exc:
        raise ContentError(path.name, None, f"cannot be read ({exc.strerror})",
                           "check the file exists in course/content/data/") from exc
