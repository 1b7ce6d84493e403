"""The learner's checklist state (course/_checklist/state.py): what is answered, as JSON."""
from __future__ import annotations

import importlib

import pytest

cl = importlib.import_module("course._checklist")


@pytest.fixture(scope="module")
def supplier_questions() -> cl.SupplierChecklist:
    return cl.load_supplier_questions()


def test_with_nothing_answered_every_question_is_outstanding(supplier_questions):
    assert cl.outstanding(supplier_questions, cl.ChecklistState()) == list(supplier_questions.questions)


def test_answering_one_question_removes_exactly_that_one(supplier_questions):
    for question in supplier_questions.questions:
        state = cl.ChecklistState(responses={question.id: cl.Response(answered=True)})
        remaining = cl.outstanding(supplier_questions, state)
        assert question not in remaining
        assert len(remaining) == len(supplier_questions.questions) - 1


def test_a_note_without_a_tick_does_not_count_as_answered(supplier_questions):
    state = cl.ChecklistState(responses={"sterility": cl.Response(answered=False, note="They said it's fine")})
    assert supplier_questions.question("sterility") in cl.outstanding(supplier_questions, state)


def test_answers_are_tallied_by_area(supplier_questions):
    state = cl.ChecklistState(responses={"sterility": cl.Response(True), "endotoxin": cl.Response(True),
                                         "cell-source": cl.Response(True)})
    tally = {group.id: answered for group, answered in cl.answered_by_group(supplier_questions, state)}
    assert tally == {"source": 1, "process": 0, "characterisation": 0, "release": 2, "regulatory": 0,
                     "cold-chain": 0}


def test_a_saved_answer_to_a_question_since_removed_is_dropped(supplier_questions):
    data = {"schema": 1, "supplier": "A", "product": "B",
            "responses": {"retired-question": {"answered": True, "note": ""},
                          "sterility": {"answered": True, "note": "ok"}}}
    state = cl.state_from_json(data, supplier_questions)
    assert dict(state.responses) == {"sterility": cl.Response(True, "ok")}


@pytest.mark.parametrize("data", [None, [], {"schema": 2}, {"schema": 1, "responses": []}])
def test_something_that_is_not_a_saved_state_is_refused_in_plain_words(supplier_questions, data):
    from course._errors import CourseError

    with pytest.raises(CourseError, match="saved supplier checklist"):
        cl.state_from_json(data, supplier_questions)
