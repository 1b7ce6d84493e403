"""course/questions.py: question banks are validated, and answers are scored."""
import copy

import pytest

from course._errors import AnswerFormatError, ContentError
from course._questions import in_learner_order, load_all_banks, parse_bank, parse_number, score

SINGLE = {
    "id": "ev-term", "objective": "1.1", "type": "single", "prompt": "Which term?",
    "options": [
        {"id": "exosome", "text": "Exosome", "correct": False, "feedback": "Needs proof of origin.", "cite": ["misev2018"]},
        {"id": "small-ev", "text": "Small EV", "correct": True, "feedback": "The umbrella term.", "cite": ["misev2018"]},
        {"id": "microvesicle", "text": "Microvesicle", "correct": False, "feedback": "Another subtype.", "cite": ["misev2018"]},
    ],
}
MULTIPLE = {**copy.deepcopy(SINGLE), "id": "cargo", "type": "multiple"}
MULTIPLE["options"][2]["correct"] = True
NUMERIC = {"id": "ratio", "objective": "1.4", "type": "numeric", "prompt": "How many times?",
           "answer": 700, "tolerance": 400, "unit": "times", "example": "700",
           "feedback": {"correct": "Yes.", "incorrect": "No."}, "cite": ["misev2018"]}
TRUEFALSE = {"id": "dna", "objective": "1.4", "type": "truefalse", "prompt": "DNA-free means risk-free.",
             "options": [{"id": "true", "text": "True", "correct": False, "feedback": "No.", "cite": ["wang2024"]},
                         {"id": "false", "text": "False", "correct": True, "feedback": "Right.", "cite": ["wang2024"]}]}


def bank(*questions):
    return parse_bank({"module": "01", "questions": [copy.deepcopy(q) for q in questions]}, file="01_test.yml")


def mistake(question, match):
    with pytest.raises(ContentError, match=match) as info:
        bank(question)
    assert "01_test.yml" in str(info.value) and "Fix:" in str(info.value)


# ------------------------------------------------------------------ authoring mistakes

def test_a_valid_bank_loads_with_every_type():
    b = bank(SINGLE, MULTIPLE, NUMERIC, TRUEFALSE)
    assert [q.type for q in b.questions] == ["single", "multiple", "numeric", "truefalse"]


def test_unknown_reference_key_names_question_and_key():
    q = copy.deepcopy(SINGLE)
    q["options"][0]["cite"] = ["misev2019"]
    mistake(q, r"question 'ev-term'.*unknown reference key `misev2019`")


def test_unknown_objective_names_the_objectives_that_exist():
    mistake({**SINGLE, "objective": "1.9"}, r"unknown objective '1.9'.*1.1, 1.2, 1.3, 1.4")


def test_objective_of_another_module_is_refused():
    mistake({**SINGLE, "objective": "2.1"}, r"unknown objective '2.1'")


def test_duplicate_question_id():
    with pytest.raises(ContentError, match=r"question 'ev-term'.*duplicate question id"):
        bank(SINGLE, SINGLE)


def test_choice_question_without_a_correct_option():
    q = copy.deepcopy(SINGLE)
    q["options"][1]["correct"] = False
    mistake(q, "has no correct option.*correct: true")


def test_single_choice_with_two_correct_options():
    mistake(MULTIPLE | {"type": "single"}, "single-answer but has 2 correct options")


def test_option_without_feedback():
    q = copy.deepcopy(SINGLE)
    del q["options"][2]["feedback"]
    mistake(q, r"option 3.*has no feedback")


def test_option_without_a_citation():
    q = copy.deepcopy(SINGLE)
    q["options"][0]["cite"] = []
    mistake(q, r"option 1.*no citation")


def test_numeric_question_without_a_tolerance():
    q = {k: v for k, v in NUMERIC.items() if k != "tolerance"}
    mistake(q, "numeric question has no tolerance")


def test_numeric_tolerance_must_be_positive():
    mistake({**NUMERIC, "tolerance": 0}, "tolerance must be a number greater than 0")


def test_choice_question_needs_three_options():
    q = copy.deepcopy(SINGLE)
    q["options"] = q["options"][:2]
    mistake(q, "has 2 options.*at least three")


def test_truefalse_needs_exactly_true_and_false():
    q = copy.deepcopy(TRUEFALSE)
    q["options"][0]["text"] = "Yes"
    mistake(q, 'exactly the options "True" and "False"')


def test_bank_for_the_wrong_module():
    with pytest.raises(ContentError, match="says module '02' but is the bank for module '01'"):
        parse_bank({"module": "02", "questions": []}, file="x.yml", module="01")


def test_all_course_banks_load():
    banks = load_all_banks()
    assert banks, "no question banks found"
    assert all(b.questions for b in banks)


# ------------------------------------------------------------------ scoring

def test_single_choice_right_and_wrong_with_that_options_feedback():
    q = bank(SINGLE).questions[0]
    wrong = score(q, "exosome")
    assert not wrong.correct and wrong.feedback[0].explanation == "Needs proof of origin."
    right = score(q, "small-ev")
    assert right.correct and right.feedback[0].cite == ("misev2018",) and right.answer == "small-ev"


def test_multiple_select_needs_exactly_the_right_set_and_counts_what_was_missed():
    q = bank(MULTIPLE).questions[0]
    partial = score(q, ["small-ev"])
    assert not partial.correct and partial.missed == 1
    assert [f.verdict for f in partial.feedback] == ["right"]
    assert score(q, ["microvesicle", "small-ev"]).correct
    assert score(q, ["microvesicle", "small-ev"]).answer == ["microvesicle", "small-ev"]  # sorted: order-free
    assert not score(q, ["exosome", "small-ev", "microvesicle"]).correct


def test_numeric_within_tolerance_in_any_accepted_format():
    q = bank(NUMERIC).questions[0]
    assert score(q, "1,000").correct
    assert score(q, "7 x 10^2").correct
    assert not score(q, "3300").correct


@pytest.mark.parametrize("typed", ["abc", "1e10 particles", "", "   ", "12 times", "1..2"])
def test_numeric_answers_in_the_wrong_format_are_refused_with_the_expected_format(typed):
    q = bank(NUMERIC).questions[0]
    with pytest.raises(AnswerFormatError, match="number only, for example 700.*not marked"):
        score(q, typed)


def test_unanswered_choice_is_a_format_message_not_a_wrong_answer():
    q = bank(SINGLE).questions[0]
    with pytest.raises(AnswerFormatError, match="Choose one option"):
        score(q, None)
    with pytest.raises(AnswerFormatError, match="Tick at least one"):
        score(bank(MULTIPLE).questions[0], [])


@pytest.mark.parametrize("typed,value", [
    ("3e10", 3e10), ("3E10", 3e10), ("3 x 10^10", 3e10), ("3×10^10", 3e10), ("3×10¹⁰", 3e10),
    ("3 * 10**10", 3e10), ("30,000,000,000", 3e10), ("30 000 000 000", 3e10), ("1.5e9", 1.5e9),
    ("-2", -2.0), ("0.5", 0.5), ("2×10⁻³", 0.002),
])
def test_parse_number_reads_the_ways_people_write_numbers(typed, value):
    assert parse_number(typed) == pytest.approx(value)


def test_an_option_without_an_id_is_refused_because_attempts_are_stored_by_id():
    q = copy.deepcopy(SINGLE)
    del q["options"][1]["id"]
    mistake(q, r"question 'ev-term', option 2: has no `id`")


def test_two_options_of_one_question_may_not_share_an_id():
    q = copy.deepcopy(SINGLE)
    q["options"][2]["id"] = "exosome"
    mistake(q, r"question 'ev-term'.*two options with the id 'exosome'")


def test_the_legacy_option_order_gives_each_shown_position_one_well_formed_id():
    # Records written by course 1.0.0 stored option positions; this file says which option
    # each position was, so they can be migrated to ids whatever the banks look like now.
    import json
    import re
    from pathlib import Path

    import course

    legacy = json.loads((Path(course.__file__).parent / "content" / "legacy" / "option_order_v1.json").read_text())
    assert legacy["course_version"] == "1.0.0"
    for questions in legacy["modules"].values():
        for ids in questions.values():
            assert len(ids) == len(set(ids)) >= 2 and all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", i) for i in ids)


# ------------------------------------------------------------------ answers are option ids, never positions

@pytest.mark.parametrize("answer", [0, 1, True, 1.0, "no-such-option", ["small-ev", 2], [["small-ev"]]])
def test_an_index_or_an_unknown_id_is_refused_as_a_format_problem_not_scored(answer):
    for raw in (SINGLE, MULTIPLE):
        with pytest.raises(AnswerFormatError, match="Choose"):
            score(bank(raw).questions[0], answer)


def test_reordering_a_banks_options_does_not_change_how_a_stored_answer_scores():
    reordered = copy.deepcopy(SINGLE)
    reordered["options"].reverse()
    for raw in (SINGLE, reordered):
        q = bank(raw).questions[0]
        assert score(q, "small-ev").correct and not score(q, "exosome").correct


def test_each_learner_has_an_own_option_order_that_stays_the_same_for_them():
    q = bank({**SINGLE, "options": SINGLE["options"] + [
        {"id": f"extra-{n}", "text": f"Extra {n}", "correct": False, "feedback": "No.", "cite": ["misev2018"]}
        for n in range(5)]}).questions[0]
    orders = {seed: [o.id for o in in_learner_order(q, seed).options] for seed in ("a1b2c3d4", "0f0f0f0f", "deadbeef")}
    assert orders["a1b2c3d4"] == [o.id for o in in_learner_order(q, "a1b2c3d4").options]   # stable
    assert len({tuple(order) for order in orders.values()}) > 1                             # differs by learner
    assert all(sorted(order) == sorted(o.id for o in q.options) for order in orders.values())
    reversed_bank = bank({**SINGLE, "options": list(reversed(SINGLE["options"]))}).questions[0]
    original = bank(SINGLE).questions[0]
    assert ([o.id for o in in_learner_order(reversed_bank, "a1b2c3d4").options]
            == [o.id for o in in_learner_order(original, "a1b2c3d4").options])             # bank order is irrelevant


def test_true_false_keeps_true_first_and_numeric_has_no_options_to_order():
    tf = bank({**TRUEFALSE, "options": list(reversed(TRUEFALSE["options"]))}).questions[0]
    assert [o.text for o in in_learner_order(tf, "a1b2c3d4").options] == ["True", "False"]
    numeric = bank(NUMERIC).questions[0]
    assert in_learner_order(numeric, "a1b2c3d4") is numeric
