"""The one way the instructor side writes and reads a CSV file.

Every CSV the project writes (the certificate register, ``reports/grades.csv``, the LMS
grade files, the privacy tools' rewrites) goes through ``write_csv``, and every CSV it
reads through ``read_csv``. Both open files with ``newline=""`` semantics, so a name with
a line break inside quotes stays one field instead of breaking the file.

Spreadsheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some of
them, a tab or a carriage return) as a formula: a learner named ``=HYPERLINK("http://…")``
would run in the instructor's Excel. The writer "neutralises" such a cell the way OWASP
recommends, by putting an apostrophe in front (spreadsheets show the text, not a formula).
Plain numbers such as ``-1.5`` are left as they are: they are not formulas. The reader
removes exactly the apostrophe the writer added, so what goes in comes back out unchanged.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from course import _atomic as atomic
from course._errors import ConfigurationError

Cell = str | int | float | None

# What makes a spreadsheet read a cell as a formula (OWASP's list, and the full-width forms
# that LibreOffice also accepts).
FORMULA_LEADERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
GUARD = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
LINE_END = "\r\n"  # RFC 4180, what every LMS import reads
_BARE_CR = re.compile(r"\r(?!\n)")
_CR_STAND_IN = "\ue00d"  # a private-use character, only while the csv module parses


def _looks_like_formula(value: str) -> bool:
    """True when a spreadsheet could take ``value`` as a formula, or when ``value`` is such a
    cell already guarded (so that the reader's unguarding is exact, whatever the text)."""
    stripped = value.lstrip(" ")
    if not stripped:
        return False
    if stripped[0] == GUARD:
        return _looks_like_formula(stripped[1:])
    return stripped[0] in FORMULA_LEADERS and not _PLAIN_NUMBER.fullmatch(stripped)


def neutralise(value: Cell) -> str:
    """The text written for one cell: ``value`` as text, with an apostrophe in front when a
    spreadsheet would otherwise read it as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else format(value, "g") if isinstance(value, float) else str(value)
    return GUARD + text if _looks_like_formula(text) else text


def restore(text: str) -> str:
    """The value ``neutralise`` was given, from the text it wrote."""
    if text.startswith(GUARD) and _looks_like_formula(text[1:]):
        return text[1:]
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell] | Mapping[str, Cell]]) -> str:
    """The CSV text of ``header`` and ``rows`` (lists in header order, or dicts by column name)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=LINE_END)
    writer.writerow([neutralise(name) for name in header])
    for row in rows:
        cells = [row.get(name) for name in header] if isinstance(row, Mapping) else list(row)
        writer.writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue()


def write_csv(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[Cell] | Mapping[str, Cell]],
              mode: int | None = None) -> Path:
    """Write a CSV file atomically (UTF-8, RFC 4180 line ends, formula cells neutralised)."""
    return atomic.write_text(path, csv_text(header, rows), mode=mode)


@dataclass(frozen=True)
class CsvRow:
    """One record of a CSV file: the line it starts on and its cells (apostrophe guards removed)."""

    line: int
    cells: tuple[str, ...]
    header: tuple[str, ...]

    def get(self, column: str, default: str = "") -> str:
        """The cell under ``column`` ("" or ``default`` when the row is short or has no such column)."""
        try:
            return self.cells[self.header.index(column)]
        except (ValueError, IndexError):
            return default

    def as_dict(self) -> dict[str, str]:
        return {name: self.get(name) for name in self.header}

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


@dataclass(frozen=True)
class CsvTable:
    path: Path
    header: tuple[str, ...]
    rows: tuple[CsvRow, ...]


def parse_csv(text: str, path: Path | str = "<text>", required: Sequence[str] = (), fix: str = "") -> CsvTable:
    """``text`` read as CSV; see ``read_csv``."""
    path = Path(path)
    advice = f" {fix}" if fix else ""
    text = text.removeprefix("\ufeff")
    lines_end_at_lf = "\n" in text  # otherwise an old Mac file, whose lines end at CR
    if lines_end_at_lf:
        # A carriage return on its own is then a character inside a field (a pasted name, say),
        # kept so that the caller can reject it by name and line instead of the csv module
        # ending the record there and shifting every later field.
        text = _BARE_CR.sub(_CR_STAND_IN, text)
    reader = csv.reader(io.StringIO(text, newline="\n" if lines_end_at_lf else ""), strict=True)
    try:
        header = tuple(restore(name).strip() for name in next(reader, []))
        missing = [name for name in required if name not in header]
        if missing:
            raise ConfigurationError(
                f"{path}: the first line should name the columns {','.join(required)}, but "
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing.{advice}")
        rows: list[CsvRow] = []
        line = reader.line_num + 1
        for cells in reader:
            rows.append(CsvRow(line, tuple(restore(cell.replace(_CR_STAND_IN, "\r")) for cell in cells), header))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ConfigurationError(f"{path}, line {reader.line_num}: this is not valid CSV ({exc}).{advice}") from None
    return CsvTable(path, header, tuple(rows))


def read_csv(path: Path | str, required: Sequence[str] = (), fix: str = "") -> CsvTable:
    """Read a CSV file written by ``write_csv`` or by a spreadsheet (UTF-8, with or without a BOM).

    Raises ConfigurationError naming the file (and the line, for a malformed record) with
    ``fix`` appended, when the file cannot be read, is not UTF-8, is not valid CSV, or lacks
    a ``required`` column. A missing file is FileNotFoundError: callers decide whether that
    is an error.
    """
    path = Path(path)
    advice = f" {fix}" if fix else ""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path} is not UTF-8 text. Save it as \"CSV UTF-8\" and try again.{advice}") from None
    except OSError as exc:
        raise ConfigurationError(f"{path} cannot be read ({exc.strerror or exc}).{advice}") from None
    return parse_csv(text, path, required, fix)


__all__ = ["write_csv", "csv_text", "read_csv", "parse_csv", "neutralise", "restore", "CsvRow", "CsvTable",
           "FORMULA_LEADERS"]
