"""Cited prose for plain-text outputs (course/_plaintext.py)."""
from __future__ import annotations

import pytest

from course._errors import ContentError
from course._plaintext import plain_citations
from course._references import load_references


def test_a_citation_group_becomes_the_short_citations_in_brackets() -> None:
    refs = load_references()
    text = plain_citations("None is approved [@fda2019; @fda2020].")
    assert text == f"None is approved ({refs.get('fda2019').short}; {refs.get('fda2020').short})."


def test_text_without_citations_is_unchanged_and_an_unknown_key_is_a_content_error() -> None:
    assert plain_citations("No citation here, nor [this].") == "No citation here, nor [this]."
    with pytest.raises(ContentError, match="smith2099"):
        plain_citations("[@smith2099]")
