"""PDF primitives shared by the learning record, the checklist and the certificates (fpdf2).

fpdf2's built-in fonts cover only the Windows-1252 character set: they cannot print "≥",
Greek letters, a name in Cyrillic or Chinese, or an emoji. So a document uses, in order:

1. the font ``EXOCOURSE_PDF_FONT`` names (a path to a .ttf file), or the built-in
   Helvetica when it says ``core``;
2. otherwise DejaVu Sans, bundled with the course in ``assets/fonts/`` (Latin, Greek,
   Cyrillic and every symbol the course uses), so the learner's PDFs look the same on
   every computer, JupyterLite included, with nothing to install and no Pillow;
3. for characters that font lacks, Debian's Noto fonts where they are installed
   (``make`` installs them on the instructor's machine): Noto Sans CJK for Chinese,
   Japanese and Korean, Noto Color Emoji, Noto Sans and its symbol fonts. They are
   added to a document only when a text needs them (fpdf2's fallback fonts), because
   reading the CJK font takes a fraction of a second.

A character no available font can print is replaced (with a careful transliteration:
"≥" becomes ">=") and ``Document.changed_characters`` says so; ``unprintable`` tells a
caller beforehand which characters of a text would be, and what to install, so that a
certificate is never issued with a blank where a name should be.
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from course import _atomic as atomic
from course._errors import ConfigurationError

FONT_ENV = "EXOCOURSE_PDF_FONT"
CORE_FAMILY = "Helvetica"
UNICODE_FAMILY = "CourseSans"
CORE_ENCODING = "windows-1252"
BUNDLED_REGULAR = "fonts/DejaVuSans.ttf"
BUNDLED_BOLD = "fonts/DejaVuSans-Bold.ttf"

# Where Debian and Ubuntu put the fonts, and where a Mac or another distribution may.
_SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
_NOTO = Path("/usr/share/fonts/truetype/noto")
_NOTO_CJK = Path("/usr/share/fonts/opentype/noto")

# Characters Windows-1252 lacks that course text really uses, spelled the way a
# reader expects; anything else falls back to its Unicode decomposition, then "?".
_TRANSLITERATION = {
    "≥": ">=", "≤": "<=", "≈": "~", "≠": "!=", "→": "->", "←": "<-", "↔": "<->", "−": "-",
    "‐": "-", "‑": "-", "′": "'", "″": '"', "✔": "[x]", "✘": "[ ]", "✓": "[x]",
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "λ": "lambda",
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "ħ": "h", "Ħ": "H",
}

# Scripts that are written right to left or whose letters join and reorder: printing them
# letter by letter (fpdf2 without the HarfBuzz shaping engine) gives wrong text, not a
# blank, so they count as unprintable unless the engine is installed.
_NEEDS_SHAPING = ((0x0590, 0x08FF), (0x0900, 0x0DFF), (0x0F00, 0x109F), (0x1780, 0x18AF),
                  (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF), (0x10800, 0x10FFF), (0x1E800, 0x1EFFF))
_CJK = ((0x1100, 0x11FF), (0x2E80, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F),
        (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
_EMOJI = ((0x2600, 0x27BF), (0x1F000, 0x1FAFF), (0xFE00, 0xFE0F))
_INVISIBLE = frozenset("\u200d\u200c\ufe0f\ufe0e")  # joiners and variation selectors: no glyph needed


def _in(ranges: Sequence[tuple[int, int]], char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


@dataclass(frozen=True)
class FontChoice:
    """The main font of a document: a TrueType file, or the built-in Helvetica (``path`` None)."""

    path: Path | None
    bold_path: Path | None = None

    @property
    def unicode(self) -> bool:
        return self.path is not None


@dataclass(frozen=True)
class FallbackFont:
    """A system font used for the characters the main font lacks."""

    key: str
    covers: str                     # for messages: what a reader would call it
    package: str                    # the Debian package that installs it
    regular: Path
    bold: Path | None = None
    collection_number: int = 0      # the face in a .ttc collection
    needs_pillow: bool = False      # colour emoji are bitmaps, which fpdf2 draws with Pillow

    @property
    def available(self) -> bool:
        return self.regular.is_file() and (not self.needs_pillow or find_spec("PIL") is not None)


def _cjk_face(text: str) -> int:
    """Which face of Noto Sans CJK suits a text: Japanese with kana, Korean with hangul, else Chinese."""
    if any(0x3040 <= ord(c) <= 0x30FF for c in text):
        return 0
    if any(0xAC00 <= ord(c) <= 0xD7AF or 0x1100 <= ord(c) <= 0x11FF for c in text):
        return 1
    return 2


def fallback_fonts(text: str = "") -> tuple[FallbackFont, ...]:
    """The system fonts a document may fall back on, in order of preference."""
    face = _cjk_face(text)
    return (
        FallbackFont("cjk", "Chinese, Japanese and Korean", "fonts-noto-cjk", _NOTO_CJK / "NotoSansCJK-Regular.ttc",
                     _NOTO_CJK / "NotoSansCJK-Bold.ttc", face),
        FallbackFont("noto", "many alphabets", "fonts-noto-core", _NOTO / "NotoSans-Regular.ttf",
                     _NOTO / "NotoSans-Bold.ttf"),
        FallbackFont("symbols", "symbols", "fonts-noto-core", _NOTO / "NotoSansSymbols2-Regular.ttf"),
        FallbackFont("math", "mathematical signs", "fonts-noto-core", _NOTO / "NotoSansMath-Regular.ttf"),
        FallbackFont("emoji", "emoji", "fonts-noto-color-emoji", _NOTO / "NotoColorEmoji.ttf", needs_pillow=True),
    )


def choose_font() -> FontChoice:
    """The main font: ``EXOCOURSE_PDF_FONT``, else the bundled DejaVu Sans, else a system copy,
    else the built-in font."""
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
    from course._assets import asset_path

    try:
        regular = asset_path(BUNDLED_REGULAR)
    except ConfigurationError:
        regular = None  # a damaged install: a system copy, else the built-in font and a note in the PDF
    if regular is not None:
        return FontChoice(regular, _bold_sibling(regular))
    for directory in (*_SYSTEM_FONT_DIRS, _matplotlib_font_dir()):
        if directory is not None and (directory / "DejaVuSans.ttf").is_file():
            system = directory / "DejaVuSans.ttf"
            return FontChoice(system, _bold_sibling(system))
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


@lru_cache(maxsize=32)
def coverage(path: Path, collection_number: int = 0) -> frozenset[int]:
    """The code points a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), fontNumber=collection_number, lazy=True)
        return frozenset(font.getBestCmap() or {})
    except Exception as exc:  # fontTools raises many kinds on a damaged file
        raise ConfigurationError(f"The font file {path} cannot be read ({exc}). Reinstall it or choose "
                                 f"another font with {FONT_ENV}.") from None


def shaping_available() -> bool:
    return find_spec("uharfbuzz") is not None


def _needs_glyph(char: str) -> bool:
    return not (char.isspace() or char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cf"))


def unprintable(text: str, font: FontChoice | None = None) -> dict[str, str]:
    """Characters of ``text`` that no available font can print correctly, each with what to do.

    Empty when the whole text prints. Used before anything is signed or issued, so that the
    fix (a font to install) comes first.
    """
    font = font if font is not None else choose_font()
    if not font.unicode:
        return {c: "set EXOCOURSE_PDF_FONT to a Unicode font (it is set to 'core')"
                for c in dict.fromkeys(text) if _needs_glyph(c) and not _encodable(c)}
    assert font.path is not None
    covered = set(coverage(font.path))
    for fallback in fallback_fonts(text):
        if fallback.available:
            covered |= coverage(fallback.regular, fallback.collection_number)
    problems: dict[str, str] = {}
    for char in dict.fromkeys(text):
        if not _needs_glyph(char):
            continue
        if _in(_NEEDS_SHAPING, char) and not shaping_available():
            problems[char] = ("is written in a script whose letters join or run right to left, which needs the "
                              "HarfBuzz text-shaping engine: install it with `pip install uharfbuzz`")
        elif ord(char) not in covered:
            problems[char] = install_advice(char)
    return problems


def install_advice(char: str) -> str:
    """What to install so that ``char`` prints."""
    if _in(_CJK, char):
        package, what = "fonts-noto-cjk", "Chinese, Japanese and Korean"
    elif _in(_EMOJI, char):
        package, what = "fonts-noto-color-emoji", "emoji"
        if (_NOTO / "NotoColorEmoji.ttf").is_file() and find_spec("PIL") is None:
            return "needs Pillow to draw colour emoji: install it with `pip install pillow`"
    else:
        package, what = "fonts-noto-core", "many alphabets and symbols"
    return (f"needs a font for {what}: install it with `sudo apt-get install {package}` "
            "(`make lab` and `make test` do this when run as root)")


def describe_unprintable(problems: dict[str, str]) -> str:
    """``unprintable``'s answer as one sentence per fix."""
    by_fix: dict[str, list[str]] = {}
    for char, fix in problems.items():
        by_fix.setdefault(fix, []).append(f"{char} (U+{ord(char):04X})")
    return "; ".join(f"{', '.join(chars)} {fix}" for fix, chars in by_fix.items())


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
    return "".join(_simplified(char, _encodable) for char in text)


def _simplified(char: str, printable: Any) -> str:
    if printable(char):
        return char
    if char in _TRANSLITERATION and all(printable(c) for c in _TRANSLITERATION[char]):
        return _TRANSLITERATION[char]
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return decomposed if decomposed and all(printable(c) for c in decomposed) else "?"


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
        self._covered: set[int] = set()
        if self.font.path is not None:
            pdf.add_font(UNICODE_FAMILY, "", str(self.font.path))
            pdf.add_font(UNICODE_FAMILY, "B", str(self.font.bold_path or self.font.path))
            self.family = UNICODE_FAMILY
            self._covered = set(coverage(self.font.path))
        else:
            pdf.core_fonts_encoding = CORE_ENCODING
            self.family = CORE_FAMILY
        pdf.add_page()
        self.pdf: Any = pdf
        self.changed_characters = False
        self.fallbacks: list[str] = []      # the fallback fonts this document embeds, by key
        self._shaping = False

    def text(self, value: str) -> str:
        """What will actually be printed for ``value``: fallback fonts are added for characters
        the main font lacks, and a character no font has is simplified."""
        if not self.font.unicode:
            safe = core_safe(value)
            if safe != value:
                self.changed_characters = True
            return safe
        missing = {c for c in value if _needs_glyph(c) and ord(c) not in self._covered}
        if missing:
            self._add_fallbacks(value, missing)
        if any(_in(_NEEDS_SHAPING, c) for c in value) and shaping_available() and not self._shaping:
            self.pdf.set_text_shaping(True)
            self._shaping = True
        printed = "".join(c if not _needs_glyph(c) or ord(c) in self._covered
                          else _simplified(c, lambda x: all(ord(y) in self._covered for y in x)) for c in value)
        if printed != value:
            self.changed_characters = True
        return printed

    def _add_fallbacks(self, value: str, missing: set[str]) -> None:
        added = False
        for fallback in fallback_fonts(value):
            if fallback.key in self.fallbacks or not fallback.available:
                continue
            covers = coverage(fallback.regular, fallback.collection_number)
            if not any(ord(c) in covers for c in missing):
                continue
            family = f"Fallback{fallback.key.title()}"
            self.pdf.add_font(family, "", str(fallback.regular), collection_font_number=fallback.collection_number)
            bold = fallback.bold if fallback.bold is not None and fallback.bold.is_file() else None
            if bold is not None:
                self.pdf.add_font(family, "B", str(bold), collection_font_number=fallback.collection_number)
            self.fallbacks.append(fallback.key)
            self._covered |= covers
            missing = {c for c in missing if ord(c) not in covers}
            added = True
            if not missing:
                break
        if added:
            self.pdf.set_fallback_fonts([f"Fallback{key.title()}" for key in self.fallbacks], exact_match=False)

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

    def squares(self, dark: Sequence[Sequence[bool]], x: float, y: float, cell: float) -> None:
        """Draw a matrix of dark and light squares (a QR code) with its top left corner at (x, y),
        as vector shapes: sharp at any size, and no image library needed."""
        self.pdf.set_fill_color(0, 0, 0)
        for row_number, row in enumerate(dark):
            column = 0
            while column < len(row):
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                # One rectangle per run of dark squares: a tenth of the drawing operations.
                self.pdf.rect(x + start * cell, y + row_number * cell, (column - start) * cell, cell, style="F")

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
