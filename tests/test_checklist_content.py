"""The checklist's content (course/_checklist/content.py): the supplier questions, validated."""
from __future__ import annotations

import importlib

import pytest

from course._errors import ContentError
from course._references import load_references

cl = importlib.import_module("course._checklist")


@pytest.fixture(scope="module")
def supplier_questions() -> cl.SupplierChecklist:
    return cl.load_supplier_questions()


def _minimal_yaml(groups: list[dict]) -> dict:
    return {"groups": groups}


def _group(group_id: str, *questions: dict) -> dict:
    return {"id": group_id, "title": group_id.title(), "questions": list(questions)}


def _question(qid: str, cite: list[str] | None = None) -> dict:
    return {"id": qid, "label": qid, "ask": "Ask?", "look_for": "An answer.", "why": "Because.",
            "cite": ["misev2018"] if cite is None else cite}


def _all_groups() -> list[dict]:
    return [_group(g, _question(f"{g}-q")) for g in cl.REQUIRED_GROUPS]


# ---------------------------------------------------------------- content

def test_the_shipped_checklist_covers_every_area_of_objective_5_1(supplier_questions):
    assert [g.id for g in supplier_questions.groups] == list(cl.REQUIRED_GROUPS)
    assert all(g.questions for g in supplier_questions.groups)


def test_every_question_says_what_to_ask_what_to_look_for_and_why_with_a_known_citation(supplier_questions):
    bibliography = load_references()
    for question in supplier_questions.questions:
        assert question.ask.endswith("?"), question.id
        assert question.look_for and question.why and question.label
        assert question.cite and all(key in bibliography for key in question.cite)


def test_release_tests_cover_sterility_endotoxin_and_mycoplasma(supplier_questions):
    release = {q.id for q in supplier_questions.questions if q.group == "release"}
    assert {"sterility", "endotoxin", "mycoplasma"} <= release


def test_a_missing_area_is_an_authoring_error_that_names_it():
    groups = [g for g in _all_groups() if g["id"] != "cold-chain"]
    with pytest.raises(ContentError, match="cold-chain"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_an_unknown_reference_key_is_an_authoring_error_naming_the_question():
    groups = _all_groups()
    groups[0]["questions"].append(_question("made-up", cite=["smith2099"]))
    with pytest.raises(ContentError, match=r"made-up.*smith2099"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_a_question_without_a_citation_is_refused():
    groups = _all_groups()
    groups[1]["questions"].append(_question("uncited", cite=[]))
    with pytest.raises(ContentError, match="uncited.*no citation"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_a_duplicate_question_id_is_refused():
    groups = _all_groups()
    groups[2]["questions"].append(_question("source-q"))
    with pytest.raises(ContentError, match="duplicate"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_an_unknown_area_is_refused():
    groups = _all_groups() + [_group("marketing", _question("likes"))]
    with pytest.raises(ContentError, match="marketing"):
        cl.parse_supplier_questions(_minimal_yaml(groups))


def test_asking_for_a_question_that_does_not_exist_names_the_ones_that_do(supplier_questions):
    with pytest.raises(ContentError, match=r"supplier_questions.yml, question 'sterilty': does not exist.*sterility"):
        supplier_questions.question("sterilty")


def test_the_disclaimer_is_content_with_dated_vetted_citations(supplier_questions):
    assert "6 December 2019" in supplier_questions.disclaimer and "22 July 2020" in supplier_questions.disclaimer
    assert {"fda2019", "fda2020"} <= set(supplier_questions.cite_keys())


def test_a_disclaimer_citing_an_unvetted_source_is_refused():
    data = {"groups": _all_groups(), "disclaimer": "No product is approved [@smith2099]."}
    with pytest.raises(ContentError, match="disclaimer.*smith2099"):
        cl.parse_supplier_questions(data)
