"""The downloadable checklist: one document structure, rendered as Markdown and as PDF.

``document_blocks`` walks the checklist and the learner's answers once and returns a
list of blocks (title, fields, the disclaimer, each question with its tick and notes,
what is still to obtain, the references). The Markdown and PDF renderers only lay the
blocks out, so the two files cannot say different things.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from course._checklist.content import SupplierChecklist
from course._checklist.state import ChecklistState, answered_by_group, outstanding
from course._plaintext import plain_citations


@dataclass(frozen=True)
class Block:
    """One piece of the document.

    ``kind`` is one of: ``title``, ``field`` (``label``: ``text``), ``note`` (a paragraph in
    small print), ``heading``, ``question`` (``label``, ``text`` = what to ask, ``answered``,
    ``details`` = (name, text) lines), ``item`` (a bullet), ``reference`` (``text`` plain,
    ``markdown`` with its DOI link).
    """
    kind: str
    text: str = ""
    label: str = ""
    answered: bool = False
    details: tuple[tuple[str, str], ...] = ()
    markdown: str = ""


def one_line(text: str) -> str:
    return " ".join(text.split())


def document_blocks(checklist: SupplierChecklist, state: ChecklistState, on: date | None = None) -> list[Block]:
    """The filled-in checklist as blocks, in reading order."""
    from course._references import load_references

    bibliography = load_references()
    missing = outstanding(checklist, state)
    total = len(checklist.questions)
    blocks = [
        Block("title", "Supplier questions checklist"),
        Block("field", one_line(state.supplier) or "(not given)", label="Supplier"),
        Block("field", one_line(state.product) or "(not given)", label="Product"),
        Block("field", (on or date.today()).isoformat(), label="Date"),
        Block("field", f"{total - len(missing)} of {total}", label="Answered in writing"),
        Block("note", plain_citations(checklist.disclaimer)),
    ]
    for group, answered in answered_by_group(checklist, state):
        blocks.append(Block("heading", f"{group.title} ({answered} of {len(group.questions)} answered)"))
        for question in group.questions:
            response = state.response(question.id)
            cites = "; ".join(bibliography.get(k).short for k in question.cite)
            details = [("A good answer", question.look_for), ("Why it matters", f"{question.why} ({cites})")]
            if response.note.strip():
                details.append(("My notes", response.note.strip()))
            blocks.append(Block("question", question.ask, label=question.label, answered=response.answered,
                                details=tuple(details)))
    blocks.append(Block("heading", "Still to obtain"))
    blocks += [Block("item", f"{q.label}: {q.ask}") for q in missing]
    if not missing:
        blocks.append(Block("item", "Nothing: every question has a written answer. Check the answers against "
                                    "what a good answer contains before you decide."))
    blocks.append(Block("heading", "References"))
    for key in checklist.cite_keys():
        reference = bibliography.get(key)
        blocks.append(Block("reference", reference.citation + (f" doi:{reference.doi}" if reference.doi else ""),
                            markdown=reference.full_markdown()))
    return blocks


def render_markdown(checklist: SupplierChecklist, state: ChecklistState, on: date | None = None) -> str:
    """The filled-in checklist as a Markdown document (readable as plain text too)."""
    lines: list[str] = []
    previous = ""
    for block in document_blocks(checklist, state, on):
        if previous in ("field", "item", "reference") and block.kind not in (previous,):
            lines.append("")
        if block.kind == "title":
            lines += [f"# {block.text}", ""]
        elif block.kind == "field":
            lines.append(f"- {block.label}: {block.text}")
        elif block.kind == "note":
            lines += [block.text, ""]
        elif block.kind == "heading":
            lines += [f"## {block.text}", ""]
        elif block.kind == "question":
            lines.append(f"- [{'x' if block.answered else ' '}] **{block.label}.** {block.text}")
            for name, text in block.details:
                lines.append(f"  - {name}: " + "\n    ".join(text.splitlines()))
            lines.append("")
        elif block.kind == "item":
            lines.append(f"- {block.text}")
        elif block.kind == "reference":
            lines.append(f"- {block.markdown}")
        previous = block.kind
    return "\n".join(lines).rstrip("\n") + "\n"


def render_pdf(checklist: SupplierChecklist, state: ChecklistState, on: date | None = None) -> bytes:
    """The filled-in checklist as a PDF (the same blocks as the Markdown document)."""
    from course._pdf import Document

    title, *body = document_blocks(checklist, state, on)
    document = Document(title.text)
    document.heading(title.text)
    for block in body:
        if block.kind == "field":
            document.field(block.label, block.text)
        elif block.kind == "note":
            document.space()
            document.paragraph(block.text, size=9.5)
        elif block.kind == "heading":
            document.space()
            document.heading(block.text, size=12.5)
        elif block.kind == "question":
            document.paragraph(f"{'[x]' if block.answered else '[  ]'} {block.label}. {block.text}", bold=True)
            for name, text in block.details:
                document.paragraph(f"{name}: {text}", size=9.5, indent=6)
            document.space(1.5)
        elif block.kind == "item":
            document.paragraph(f"- {block.text}", size=10)
        elif block.kind == "reference":
            document.paragraph(block.text, size=9)
    return bytes(document.pdf.output())


def document_name(state: ChecklistState) -> str:
    """A file name for the document, from the supplier's name: ``supplier-checklist-acme.md``."""
    slug = re.sub(r"[^a-z0-9]+", "-", state.supplier.lower()).strip("-")[:40].strip("-")
    return f"supplier-checklist-{slug or 'unnamed-supplier'}.md"


__all__ = ["Block", "document_blocks", "render_markdown", "render_pdf", "document_name"]
