"""Prose that quotes a rule of the syllabus says what the syllabus says.

The pass mark lives in one place, ``course/content/syllabus.yml`` (``Module.passed`` is the one
rule). Lessons, docs and the README may quote it for readers; this test holds every such
quotation to the syllabus, so changing the pass mark cannot leave a page saying the old one.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from course._syllabus import load_syllabus
from tests.conftest import ROOT

# "80 % of the automatically graded points", "80 % of the question marks", "80% of its autograded marks"
PASS_MARK_QUOTE = re.compile(
    r"(\d+(?:\.\d+)?)\s?%\s+of\s+(?:the|its|each)\s+(?:[a-z\- ]*?)(?:autograded|automatically graded|question)",
    re.IGNORECASE)
PROSE = sorted([*ROOT.glob("lessons/*.md"), *ROOT.glob("docs/*.md"), ROOT / "README.md",
                *ROOT.glob("course/content/*.yml"), *ROOT.glob("grading/assessments/*.yml")])


def quoted_pass_marks(text: str) -> list[str]:
    return [match.group(1) for match in PASS_MARK_QUOTE.finditer(text)]


def test_the_pattern_finds_the_ways_the_course_quotes_its_pass_mark():
    assert quoted_pass_marks("The pass mark is\n80 % of the automatically graded points.") == ["80"]
    assert quoted_pass_marks("you pass with **60 % of the question marks**") == ["60"]
    assert quoted_pass_marks("a score of 80% of its autograded marks") == ["80"]
    assert quoted_pass_marks("about 75 % of bovine EVs were removed") == []


@pytest.mark.parametrize("path", PROSE, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_quoted_pass_mark_is_the_syllabus_pass_mark(path: Path):
    marks = {f"{m.pass_mark * 100:g}" for m in load_syllabus().modules if m.pass_mark is not None}
    assert len(marks) == 1, "modules have different pass marks: quote each module's own, not one figure"
    for quoted in quoted_pass_marks(path.read_text(encoding="utf-8")):
        assert quoted in marks, (f"{path.relative_to(ROOT)} quotes a pass mark of {quoted} %, but the syllabus "
                                 f"says {marks.pop()} %: change the prose (or render it from the syllabus)")
