"""Cited prose written out for plain-text outputs: PDFs, Markdown downloads, data tables.

HTML views link each citation (``course._display.inline_markdown``); a plain-text output
cannot, so ``[@fda2019; @fda2020]`` becomes "(US FDA, 6 Dec 2019; US FDA, 22 Jul 2020)".
"""
from __future__ import annotations


def plain_citations(text: str) -> str:
    """``text`` with every ``[@key]`` group replaced by the references' short citations."""
    from course._references import _CITATION_GROUP, _KEY, load_references

    bibliography = load_references()
    return _CITATION_GROUP.sub(
        lambda m: "(" + "; ".join(bibliography.get(k).short for k in _KEY.findall(m.group(1))) + ")", text)


__all__ = ["plain_citations"]
