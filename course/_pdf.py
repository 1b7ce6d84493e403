"""PDF primitives shared by the learning record and the certificates (fpdf2).

fpdf2's built-in fonts cover only the Windows-1252 character set: they cannot print
"≥", Greek letters or a name written in Cyrillic. So a document uses a Unicode
TrueType font when the machine has one (DejaVu Sans, which Debian/Ubuntu and
matplotlib ship) and otherwise falls back to the built-in Helvetica with a careful
transliteration ("≥" becomes ">=", "10¹⁰" becomes "10^10"). The JSON export always
keeps every character exactly as typed.

``EXOCOURSE_PDF_FONT`` chooses: a path to a .ttf file, or ``core`` for the built-in font.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from course import _atomic as atomic
from course._errors import ConfigurationError

FONT_ENV = "EXOCOURSE_PDF_FONT"
CORE_FAMILY = "Helvetica"
UNICODE_FAMILY = "CourseSans"
CORE_ENCODING = "windows-1252"

_SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)

# Characters Windows-1252 lacks that course text really uses, spelled the way a
# reader expects; anything else falls back to its Unicode decomposition, then "?".
_TRANSLITERATION = {
    "≥": ">=", "≤": "<=", "≈": "~", "≠": "!=", "→": "->", "←": "<-", "↔": "<->", "−": "-",
    "‐": "-", "‑": "-", "′": "'", "″": '"', "✔": "[x]", "✘": "[ ]", "✓": "[x]",
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "λ": "lambda",
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "ħ": "h", "Ħ": "H",
}


@dataclass(frozen=True)
class FontChoice:
    """Which font a document uses: a TrueType file, or the built-in Helvetica (``path`` None)."""

    path: Path | None
    bold_path: Path | None = None

    @property
    def unicode(self) -> bool:
        return self.path is not None


def choose_font() -> FontChoice:
    """A Unicode TrueType font if one is configured or found, else the built-in font."""
    configured = os.environ.get(FONT_ENV, "").strip()
    if configured.lower() == "core":
        return FontChoice(None)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise ConfigurationError(
                f"{FONT_ENV} points to {path}, which is not a font file. Set it to the path of a .ttf "
                f"font, or to 'core' to use the built-in font, or unset it.")
        return FontChoice(path, _bold_sibling(path))
    for directory in (*_SYSTEM_FONT_DIRS, _matplotlib_font_dir()):
        if directory is not None and (directory / "DejaVuSans.ttf").is_file():
            regular = directory / "DejaVuSans.ttf"
            return FontChoice(regular, _bold_sibling(regular))
    return FontChoice(None)


def _bold_sibling(regular: Path) -> Path | None:
    bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
    return bold if bold.is_file() else None


def _matplotlib_font_dir() -> Path | None:
    # Found without importing matplotlib (which would cost seconds and is not a dependency).
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"
_SUPERSCRIPT_RUN = re.compile(f"[{_SUPERSCRIPTS}]+")


def _plain_exponent(match: re.Match[str]) -> str:
    run = match.group(0)
    if _encodable(run):  # "cm²" prints as it is
        return run
    return "^" + run.translate(str.maketrans(_SUPERSCRIPTS, "0123456789-"))


def core_safe(text: str) -> str:
    """``text`` with every character the built-in fonts cannot print replaced sensibly."""
    text = _SUPERSCRIPT_RUN.sub(_plain_exponent, text)
    out: list[str] = []
    for char in text:
        if _encodable(char):
            out.append(char)
            continue
        if char in _TRANSLITERATION and _encodable(_TRANSLITERATION[char]):
            out.append(_TRANSLITERATION[char])
            continue
        decomposed = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(decomposed if decomposed and all(_encodable(c) for c in decomposed) else "?")
    return "".join(out)


def _encodable(text: str) -> bool:
    try:
        text.encode(CORE_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class Document:
    """A plain A4 document with the few text styles the course's PDFs need."""

    def __init__(self, title: str, font: FontChoice | None = None) -> None:
        from fpdf import FPDF

        self.font = font if font is not None else choose_font()
        pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        pdf.set_title(title)
        pdf.set_creator("Exosome Reality Check")
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_margins(18, 18, 18)
        if self.font.path is not None:
            pdf.add_font(UNICODE_FAMILY, "", str(self.font.path))
            pdf.add_font(UNICODE_FAMILY, "B", str(self.font.bold_path or self.font.path))
            self.family = UNICODE_FAMILY
        else:
            pdf.core_fonts_encoding = CORE_ENCODING
            self.family = CORE_FAMILY
        pdf.add_page()
        self.pdf: Any = pdf
        self.changed_characters = False

    def text(self, value: str) -> str:
        """What will actually be printed for ``value`` with this document's font."""
        if self.font.unicode:
            return value
        safe = core_safe(value)
        if safe != value:
            self.changed_characters = True
        return safe

    def heading(self, value: str, size: float = 16) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1.5)

    def paragraph(self, value: str, size: float = 10.5, bold: bool = False, indent: float = 0) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        if indent:
            self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(0, size * 0.48, self.text(value), align="L", new_x="LMARGIN", new_y="NEXT")

    def field(self, label: str, value: str, size: float = 10.5) -> None:
        """A "Label: value" line, the label in bold."""
        self.pdf.set_font(self.family, "B", size)
        self.pdf.write(size * 0.48, self.text(label + ": "))
        self.pdf.set_font(self.family, "", size)
        self.pdf.write(size * 0.48, self.text(value))
        self.pdf.ln(size * 0.55)

    def space(self, mm: float = 3) -> None:
        self.pdf.ln(mm)

    def keep_room(self, mm: float) -> None:
        """Start a new page unless ``mm`` millimetres are left (a heading never ends a page)."""
        if self.pdf.get_y() + mm > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()

    def rule(self) -> None:
        y = self.pdf.get_y()
        self.pdf.set_draw_color(118, 118, 118)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.ln(2.5)

    def number_pages(self, left: str = "") -> None:
        """Print ``left`` and "Page N of M" at the foot of every page, the current one included."""
        self._footer_left = left
        self.pdf.alias_nb_pages()
        self.pdf.footer = self._footer  # fpdf2 calls pdf.footer() as it closes each page

    def _footer(self) -> None:
        pdf = self.pdf
        pdf.set_y(-12)
        pdf.set_font(self.family, "", 8)
        pdf.cell(0, 5, self.text(self._footer_left), align="L")
        pdf.set_x(pdf.l_margin)
        pdf.cell(0, 5, f"Page {pdf.page_no()} of {{nb}}", align="R")

    def save(self, path: Path) -> Path:
        """Write the PDF atomically (a half-written file never replaces a good one)."""
        return atomic.write_bytes(path, bytes(self.pdf.output()))
