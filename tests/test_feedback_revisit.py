"""Where feedback sends a learner back to: each objective's ``revisit`` sections in the syllabus,
which must be real headings of the module's lesson (so a renamed section is caught)."""
from __future__ import annotations

import copy

import pytest

from course._errors import ContentError
from course._syllabus import SYLLABUS_FILE, lesson_headings, load_syllabus, parse_syllabus
from course._yaml import read_yaml


@pytest.fixture(scope="module")
def data() -> object:
    return read_yaml(SYLLABUS_FILE)


def test_every_assessed_objective_names_sections_of_its_own_lesson():
    syllabus = load_syllabus()
    headings = lesson_headings()
    for module in syllabus.modules:
        if not module.assessed:
            continue
        for objective in module.objectives:
            assert objective.revisit, f"objective {objective.id} has no revisit sections"
            for section in objective.revisit:
                assert section in headings[module.slug], (objective.id, section)


def test_lesson_headings_are_read_from_the_notebooks_with_their_quotes():
    headings = lesson_headings()
    assert "2.1 The process is the product" in headings["02_quality_and_contamination"]
    assert any('"' in h for h in headings["01_exosome_biology"])      # escaped quotes decoded


def test_a_section_that_is_not_a_heading_of_the_lesson_is_an_authoring_error(data):
    changed = copy.deepcopy(data)
    changed["modules"][2]["objectives"][0]["revisit"] = ["2.1 The process is the produce"]
    with pytest.raises(ContentError, match=r"objective 2\.1.*revisit names “2\.1 The process is the produce”"):
        parse_syllabus(changed, known_keys=None, lesson_headings=lesson_headings())


def test_revisit_must_be_a_list_of_headings(data):
    changed = copy.deepcopy(data)
    changed["modules"][2]["objectives"][0]["revisit"] = [3]
    with pytest.raises(ContentError, match="revisit must list section headings"):
        parse_syllabus(changed)


def test_without_the_lessons_at_hand_revisit_is_taken_as_written(data):
    changed = copy.deepcopy(data)
    changed["modules"][2]["objectives"][0]["revisit"] = "Any heading"
    assert parse_syllabus(changed).objective("2.1").revisit == ("Any heading",)
