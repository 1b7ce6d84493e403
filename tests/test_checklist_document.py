"""The downloadable checklist (course/_checklist/document.py): one structure, Markdown and PDF."""
from __future__ import annotations

import base64
import importlib
import re
from datetime import date

import pytest

from course._references import load_references

cl = importlib.import_module("course._checklist")


@pytest.fixture(scope="module")
def supplier_questions() -> cl.SupplierChecklist:
    return cl.load_supplier_questions()


def test_the_document_shows_ticks_notes_what_is_still_missing_and_full_references(supplier_questions):
    state = cl.ChecklistState(supplier="Acme Bio", product="Serum X",
                              responses={"sterility": cl.Response(True, "CoA lot 23-114, dated 2 May"),
                                         "endotoxin": cl.Response(False, "promised next week")})
    text = cl.render_markdown(supplier_questions, state, on=date(2025, 5, 2))
    assert "- Supplier: Acme Bio" in text and "- Date: 2025-05-02" in text
    assert "Answered in writing: 1 of 20" in text
    assert "- [x] **Sterility test.**" in text
    assert "- [ ] **Endotoxin test.**" in text
    assert "My notes: CoA lot 23-114, dated 2 May" in text and "My notes: promised next week" in text
    still = text.split("## Still to obtain")[1].split("## References")[0]
    assert "Sterility test" not in still and "Endotoxin test" in still
    assert len(re.findall(r"^- ", still, flags=re.M)) == len(supplier_questions.questions) - 1
    references = text.split("## References")[1]
    for key in supplier_questions.cite_keys():
        assert load_references().get(key).full_markdown() in references
    assert "no exosome product is approved by the FDA" in text


def test_a_multiline_note_stays_inside_its_question(supplier_questions):
    state = cl.ChecklistState(responses={"mycoplasma": cl.Response(True, "PCR negative\nlot 7")})
    text = cl.render_markdown(supplier_questions, state)
    assert "  - My notes: PCR negative\n    lot 7" in text


def test_the_file_name_comes_from_the_supplier_name():
    assert cl.document_name(cl.ChecklistState(supplier="Acme Bio (UK) Ltd.")) == "supplier-checklist-acme-bio-uk-ltd.md"
    assert cl.document_name(cl.ChecklistState(supplier="  ")) == "supplier-checklist-unnamed-supplier.md"
    assert cl.document_name(cl.ChecklistState(supplier="../../etc")) == "supplier-checklist-etc.md"


def test_the_download_link_carries_the_document_itself():
    text = "# Checklist\n\nµ ≥ 3 × 10¹⁰ <b>\n"
    link = cl.download_link_html("supplier-checklist-acme.md", text)
    assert 'download="supplier-checklist-acme.md"' in link
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)\"", link).group(1)
    assert base64.b64decode(payload).decode("utf-8") == text


def test_markdown_and_pdf_carry_the_same_blocks(supplier_questions, tmp_path, monkeypatch):
    from tests.pdf_text import pdf_text

    monkeypatch.setenv("EXOCOURSE_PDF_FONT", "core")   # the built-in font, which pdf_text reads
    state = cl.ChecklistState(supplier="Acme Bio", responses={"sterility": cl.Response(True, "lot 7")})
    blocks = cl.document_blocks(supplier_questions, state, on=date(2025, 5, 2))
    path = tmp_path / "checklist.pdf"
    path.write_bytes(cl.render_pdf(supplier_questions, state, on=date(2025, 5, 2)))
    flat = pdf_text(path)
    for block in blocks:
        if block.kind in ("heading", "field"):
            assert " ".join(block.text.split())[:40] in flat, block
    assert "My notes: lot 7" in flat
