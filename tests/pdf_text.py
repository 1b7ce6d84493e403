"""Read the text and the fonts of the course's PDFs back, so tests check what a reader would see.

The course writes PDFs with fpdf2. Text is shown by ``Tj`` operators in Flate-compressed
content streams, after a ``/Fn size Tf`` that picks the font. With the built-in fonts a
string is Windows-1252 text; with an embedded TrueType, CFF or Type 3 font (DejaVu, Noto
CJK, Noto Color Emoji) it is a run of glyph codes that the font's ``ToUnicode`` map turns
back into characters. This helper does both. It is for tests only (the project needs no PDF
reader) and deliberately small: it reads what fpdf2 writes.
"""
from __future__ import annotations

import re
import zlib
from pathlib import Path

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_TOKENS = re.compile(rb"/([A-Za-z0-9]+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj|<([0-9A-Fa-f]*)>\s*Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        return bytes([int(escaped, 8) & 255]) if escaped[:1].isdigit() else _ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(data)}


def _inflate(body: bytes) -> bytes | None:
    match = _STREAM.search(body)
    if not match:
        return None
    try:
        return zlib.decompress(match.group(1))
    except zlib.error:
        return match.group(1)


def _to_unicode(cmap: bytes) -> tuple[int, dict[bytes, str]]:
    """(code length in bytes, code -> text) from a ToUnicode CMap."""
    table: dict[bytes, str] = {}
    width = 1

    def text(hex_value: bytes) -> str:
        return bytes.fromhex(hex_value.decode()).decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            width = len(source) // 2
            table[bytes.fromhex(source.decode())] = text(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            width = len(low) // 2
            start, end, first = int(low, 16), int(high, 16), int(target, 16)
            for offset in range(end - start + 1):
                table[(start + offset).to_bytes(width, "big")] = chr(first + offset)
    return width, table


def _fonts(data: bytes) -> dict[bytes, tuple[str, tuple[int, dict[bytes, str]] | None]]:
    """Font resource name (b"F1") -> (BaseFont name, its ToUnicode map or None for a built-in font)."""
    objects = _objects(data)
    fonts = {}
    for resources in re.findall(rb"/Font\s*<<(.*?)>>", data, re.S):
        for name, number in re.findall(rb"/(F\d+)\s+(\d+)\s+0\s+R", resources):
            body = objects.get(int(number), b"")
            base = re.search(rb"/BaseFont\s*/([^\s/>]+)", body)
            subtype = re.search(rb"/Subtype\s*/(\w+)", body)
            label = base.group(1).decode() if base else (subtype.group(1).decode() if subtype else "?")
            unicode_ref = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", body)
            cmap = _inflate(objects.get(int(unicode_ref.group(1)), b"")) if unicode_ref else None
            fonts[name] = (label, _to_unicode(cmap) if cmap else None)
    return fonts


def _decode(raw: bytes, font: tuple[str, tuple[int, dict[bytes, str]] | None] | None) -> str:
    if font is None or font[1] is None:
        return raw.decode("cp1252")
    width, table = font[1]
    return "".join(table.get(raw[i:i + width], "\ufffd") for i in range(0, len(raw), width))


def pdf_lines(path: Path) -> list[str]:
    """Every text string drawn in the PDF at ``path``, in drawing order."""
    return [text for text, _ in pdf_runs(path)]


def pdf_runs(path: Path) -> list[tuple[str, str]]:
    """(text, font name) for every string the PDF draws."""
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-64:]:
        raise ValueError(f"{path} is not a complete PDF file")
    fonts = _fonts(data)
    runs: list[tuple[str, str]] = []
    for body in _objects(data).values():
        if b"/FontFile" in body or b"/Length1" in body:
            continue
        content = _inflate(body)
        if content is None or (b"Tj" not in content):
            continue
        current: tuple[str, tuple[int, dict[bytes, str]] | None] | None = None
        for match in _TOKENS.finditer(content):
            if match.group(1) is not None:
                current = fonts.get(match.group(1).encode() if isinstance(match.group(1), str) else match.group(1))
            elif match.group(2) is not None:
                runs.append((_decode(_unescape(match.group(2)), current), current[0] if current else "?"))
            else:
                runs.append((_decode(bytes.fromhex(match.group(3).decode()), current), current[0] if current else "?"))
    return runs


def pdf_text(path: Path) -> str:
    """All the PDF's text as one string, strings joined by single spaces (each font's run apart)."""
    return " ".join(" ".join(pdf_lines(path)).split())


def pdf_fonts(path: Path) -> list[str]:
    """The names of the fonts the PDF uses ("MPDFAA+NotoSansCJKSC", "Type3" for a colour emoji font, ...)."""
    return sorted({name for name, _ in _fonts(Path(path).read_bytes()).values()})


def font_of(path: Path, text: str) -> set[str]:
    """The fonts with which the characters of ``text`` are drawn."""
    return {font for run, font in pdf_runs(path) for char in text if char in run}


def page_count(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", Path(path).read_bytes()))
