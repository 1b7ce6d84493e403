"""course/syllabus.py: the manifest of modules and objectives."""
import copy

import pytest

from course._errors import ContentError
from course._syllabus import SYLLABUS_FILE, load_syllabus, parse_syllabus
from course._yaml import read_yaml


def raw():
    return copy.deepcopy(read_yaml(SYLLABUS_FILE))


def test_the_course_has_six_modules_in_order_with_the_designed_minutes():
    s = load_syllabus()
    assert [(m.id, m.minutes) for m in s.modules] == [
        ("00", 10), ("01", 40), ("02", 45), ("03", 35), ("04", 45), ("05", 30)]
    assert s.module("01").slug == "01_exosome_biology"
    assert [o.id for o in s.module("01").objectives] == ["1.1", "1.2", "1.3", "1.4"]


def test_assessed_modules_pass_at_80_percent():
    assert all(m.pass_mark == 0.8 for m in load_syllabus().modules if m.id != "00")
    assert not load_syllabus().module("00").assessed


def test_every_lesson_notebook_named_by_the_syllabus_exists():
    s = load_syllabus()
    for m in s.modules:
        assert s.notebook_path(m.id).exists(), f"missing lesson {s.notebook_path(m.id)}"


def test_unknown_module_error_lists_the_known_ids():
    with pytest.raises(ContentError, match="module '09'.*00, 01, 02"):
        load_syllabus().module("09")


def test_objective_of_the_wrong_module_is_an_authoring_error():
    data = raw()
    data["modules"][1]["objectives"][0]["id"] = "2.9"
    with pytest.raises(ContentError, match=r"objective 2.9.*does not belong to module 01"):
        parse_syllabus(data)


def test_unknown_reference_key_in_an_objective_is_an_authoring_error():
    data = raw()
    data["modules"][1]["objectives"][0]["cite"] = ["nosuch2020"]
    with pytest.raises(ContentError, match="objective 1.1.*nosuch2020"):
        parse_syllabus(data, known_keys={"misev2018"})


def test_pass_mark_must_be_a_fraction():
    data = raw()
    data["modules"][1]["pass_mark"] = 80
    with pytest.raises(ContentError, match="module 01.*pass_mark"):
        parse_syllabus(data)
