"""course/_pdf.py: PDFs print every character the course and its learners use, or say what is missing."""
import subprocess
import sys
from pathlib import Path

import pytest

from course import _pdf
from course._assets import asset_path
from course._pdf import Document, choose_font, describe_unprintable, unprintable
from tests.pdf_text import font_of, pdf_fonts, pdf_text

HAS_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists()


@pytest.fixture(autouse=True)
def default_font(monkeypatch):
    monkeypatch.delenv("EXOCOURSE_PDF_FONT", raising=False)


def write(tmp_path, *texts):
    doc = Document("t")
    for text in texts:
        doc.paragraph(text)
    return doc, doc.save(tmp_path / "t.pdf")


def test_the_bundled_dejavu_sans_comes_first_and_prints_the_courses_symbols(tmp_path):
    assert choose_font().path == asset_path("fonts/DejaVuSans.ttf")
    symbols = "≥ ≤ ≈ ≠ → ← ↔ − ⚠ ✓ ✔ ✘ 10¹⁰ α β γ δ κ λ Łódź Ελλάδα Москва"
    doc, path = write(tmp_path, symbols)
    assert pdf_text(path) == symbols and not doc.changed_characters
    assert pdf_fonts(path) == ["MPDFAA+DejaVuSansBook"]            # no fallback font read or embedded


@pytest.mark.skipif(not HAS_CJK, reason="Debian's fonts-noto-cjk is not installed")
def test_a_fallback_font_is_embedded_only_for_the_characters_that_need_it(tmp_path):
    doc, path = write(tmp_path, "Dr 王芳 (Wang Fang)")
    assert doc.fallbacks == ["cjk"] and font_of(path, "王芳") == {"MPDFAA+NotoSansCJKSC"}
    assert font_of(path, "Wang") == {"MPDFAA+DejaVuSansBook"}


def test_a_character_no_font_has_is_simplified_and_flagged(tmp_path, monkeypatch):
    monkeypatch.setattr(_pdf, "_NOTO_CJK", tmp_path / "none")
    doc, path = write(tmp_path, "Li 李")
    assert doc.changed_characters and pdf_text(path) == "Li ?"


def test_unprintable_says_which_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(_pdf, "_NOTO_CJK", tmp_path / "none")
    monkeypatch.setattr(_pdf, "_NOTO", tmp_path / "none")
    problems = unprintable("Zoë 李 🧬")
    assert set(problems) == {"李", "🧬"}
    message = describe_unprintable(problems)
    assert "李 (U+674E) needs a font for Chinese, Japanese and Korean: install it with `sudo apt-get install " \
           "fonts-noto-cjk`" in message and "fonts-noto-color-emoji" in message
    assert unprintable("Zoë Ó Súilleabháin, Nguyễn Thị Hoa, Ελένη, Ольга") == {}


def test_right_to_left_text_without_a_shaping_engine_is_unprintable_rather_than_reversed(monkeypatch):
    monkeypatch.setattr(_pdf, "shaping_available", lambda: False)
    assert "HarfBuzz" in unprintable("שלום")["ש"]


def test_the_learners_pdfs_work_without_pillow(tmp_path):
    # As in the JupyterLite edition: no Pillow at all, only the bundled font.
    script = ("import sys; sys.modules['PIL'] = None\n"
              "import warnings; warnings.simplefilter('ignore')\n"
              "from pathlib import Path\n"
              "from course._pdf import Document\n"
              "d = Document('t'); d.heading('Zoë ≥ 10¹⁰ ✔'); d.save(Path(sys.argv[1]))\n"
              "print(d.fallbacks, d.changed_characters)")
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "r.pdf")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[] False" and pdf_text(tmp_path / "r.pdf") == "Zoë ≥ 10¹⁰ ✔"
