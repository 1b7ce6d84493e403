"""Read the text of the course's PDFs back, so tests check what a reader would see.

The course writes PDFs with fpdf2. With the built-in font every line is a literal
string shown by a ``Tj`` operator in a Flate-compressed content stream; this helper
inflates the streams and collects those strings in order. It is for tests only (the
project needs no PDF reader) and deliberately small: it reads what fpdf2 writes.
"""
from __future__ import annotations

import re
import zlib
from pathlib import Path

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def pdf_lines(path: Path) -> list[str]:
    """Every text line drawn in the PDF at ``path``, in drawing order."""
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-64:]:
        raise ValueError(f"{path} is not a complete PDF file")
    lines: list[str] = []
    for match in _STREAM.finditer(data):
        try:
            content = zlib.decompress(match.group(1))
        except zlib.error:
            continue  # fonts and images, not page content
        for shown in _SHOWN.finditer(content):
            raw = re.sub(rb"\\([nrtbf()\\])", lambda m: _ESCAPES[m.group(1)], shown.group(1))
            lines.append(raw.decode("cp1252"))
    return lines


def pdf_text(path: Path) -> str:
    """All the PDF's text as one string, lines joined by single spaces."""
    return " ".join(" ".join(pdf_lines(path)).split())


def page_count(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", Path(path).read_bytes()))
