"""Every "nothing was found" statement carries the date it was last checked.

That date is the syllabus's content review date (course/content/syllabus.yml), written
"as of 25 November 2026"; the tests format it from the syllabus, so changing the review
date without re-dating the statements fails here.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from course._syllabus import load_syllabus

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "course" / "content"

# "we found no report", "the course found no ...", "no MHRA statement was found", "None was found",
# "what we did not find". (A regulator's finding, "the FDA found no written procedures", is not one.)
ABSENCE = re.compile(r"\b((we|course) found no(thing)?|none was found|we did (\*\*)?not(\*\*)? find|"
                     r"no\b[^.;:]{0,120}?\b(was|were) found)\b", re.IGNORECASE)


def review_date() -> str:
    reviewed = date.fromisoformat(load_syllabus().course.content_review_date)
    return f"{reviewed.day} {reviewed:%B %Y}"


def _units_in_yaml(path: Path) -> list[tuple[str, str]]:
    """(where, text) for every question, option (text with its feedback) and prose field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    units: list[tuple[str, str]] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if "text" in node and "feedback" in node:        # an option: its text is answered by its feedback
                units.append((where, f"{node['text']} {node['feedback']}"))
                return
            for key, value in node.items():
                walk(value, f"{where}/{node.get('id', key) if key == 'options' else key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{value.get('id', index) if isinstance(value, dict) else index}]")
        elif isinstance(node, str):
            units.append((where, node))

    walk(data, path.name)
    return units


YAML_FILES = sorted([*CONTENT.glob("*.yml"), *(CONTENT / "questions").glob("*.yml")])
YAML_FILES = [p for p in YAML_FILES if p.name not in ("references.yml", "reference_links.yml")]
YAML_FILES += sorted((ROOT / "grading" / "assessments").glob("*.yml"))


@pytest.mark.parametrize("path", YAML_FILES, ids=[f"{p.parent.name}/{p.name}" for p in YAML_FILES])
def test_every_absence_of_evidence_statement_in_content_is_dated(path: Path) -> None:
    when = f"as of {review_date()}"
    undated = [f"{where}: {' '.join(text.split())[:140]}" for where, text in _units_in_yaml(path)
               if ABSENCE.search(text) and when not in " ".join(text.split())]
    assert not undated, f"say when it was last checked ({when!r}):\n" + "\n".join(undated)


def test_the_review_date_is_written_the_way_the_content_writes_it() -> None:
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", review_date())


LESSONS = sorted((ROOT / "lessons").glob("*.md"))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_absence_of_evidence_statement_in_a_lesson_is_dated(path: Path) -> None:
    when = f"as of {review_date()}"
    paragraphs = re.split(r"\n\s*\n|\n(?=- |\| )", path.read_text(encoding="utf-8"))
    undated = [" ".join(p.split())[:160] for p in paragraphs if not p.lstrip().startswith("#")   # headings
               and ABSENCE.search(" ".join(p.split())) and when not in " ".join(p.split())]
    assert not undated, f"say when it was last checked ({when!r}):\n" + "\n".join(undated)


def test_the_pattern_finds_what_it_is_for() -> None:
    for text in ("We found no published report of infection.", "No MHRA statement was found.",
                 "What we did **not** find: any statement", "None was found; granulomas are published."):
        assert ABSENCE.search(text), text
    assert not ABSENCE.search("The FDA found no written procedures to prevent microbial contamination.")
