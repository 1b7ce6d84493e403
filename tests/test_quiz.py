"""course/quiz.py: the self-check widget, exercised through real ipywidgets objects."""
import copy
import json

import pytest

from course._activity import TRACKER
from course._progress import default_store
from course._questions import parse_bank
from course._quiz import QuizView, quiz
from tests.test_questions import MULTIPLE, NUMERIC, SINGLE


def view(question_raw):
    return QuizView(parse_bank({"module": "01", "questions": [copy.deepcopy(question_raw)]}, "t.yml").questions[0])


def test_each_type_of_question_shows_its_own_kind_of_control():
    import ipywidgets as w

    single, multiple, numeric = view(SINGLE), view(MULTIPLE), view(NUMERIC)
    assert single.controls == [single.choice] and isinstance(single.choice, w.RadioButtons)
    assert all(isinstance(c, w.Checkbox) for c in multiple.controls) and len(multiple.controls) == 3
    assert isinstance(numeric.controls[0].children[0], w.Text)
    for v in (single, multiple, numeric):
        assert v.widget.children[1:1 + len(v.controls)] == tuple(v.controls)


def test_every_control_has_a_label_and_the_buttons_say_what_they_do():
    for raw in (SINGLE, MULTIPLE, NUMERIC):
        v = view(raw)
        for control in v.controls:
            children = getattr(control, "children", None) or [control]
            assert any(getattr(c, "description", "") for c in children)
        assert v.check_button.description == "Check" and v.retry_button.description == "Try again"


def test_a_wrong_then_right_answer_shows_each_options_feedback_and_records_both(learner_home):
    v = view(SINGLE)
    v.choice.value = "exosome"
    assert not v.check().correct
    assert "Not quite" in v.feedback.value and "Needs proof of origin." in v.feedback.value
    assert "Théry et al., 2018" in v.feedback.value  # the option's citation
    v.reset()
    assert v.feedback.value == "" and v.choice.value is None
    v.choice.value = "small-ev"
    assert v.check().correct
    assert "Correct" in v.feedback.value and "The umbrella term." in v.feedback.value
    assert "Another subtype." in v.feedback.value  # after a right answer, every option is explained
    attempts = default_store().load()["attempts"]
    assert [(a["question"], a["answer"], a["correct"]) for a in attempts] == [
        ("ev-term", "exosome", False), ("ev-term", "small-ev", True)]  # stored by option id


@pytest.mark.parametrize("typed", ["abc", "1e10 particles"])
def test_a_badly_formatted_number_is_explained_and_nothing_is_recorded(typed):
    v = view(NUMERIC)
    v.text.value = typed
    assert v.check() is None
    assert "number only" in v.feedback.value and "not marked" in v.feedback.value
    assert default_store().load()["attempts"] == []


def test_checking_with_nothing_chosen_asks_for_an_answer_without_recording():
    v = view(SINGLE)
    assert v.check() is None
    assert "Choose one option" in v.feedback.value
    assert default_store().load()["attempts"] == []


def test_a_corrupt_record_mid_lesson_is_reported_in_the_feedback_and_the_quiz_goes_on(learner_home):
    v = view(SINGLE)
    (learner_home / "progress.json").write_text("garbage", encoding="utf-8")
    v.choice.value = "small-ev"
    assert v.check().correct
    assert "fresh record has started" in v.feedback.value
    assert (learner_home / "progress.json.bak").exists()


def test_multiple_select_says_how_many_right_options_were_missed():
    v = view(MULTIPLE)
    v.boxes[[o.id for o in v.question.options].index("small-ev")].value = True
    v.check()
    assert "You missed 1 option" in v.feedback.value


def test_while_nbgrader_executes_no_widget_is_shown(monkeypatch, capsys):
    from course._questions import load_all_banks

    bank = load_all_banks()[0]
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    quiz(bank.module, bank.questions[0].id)
    assert "appear when you open this lesson in JupyterLab" in capsys.readouterr().out


def test_the_public_verb_is_this_function():
    import course

    assert course.quiz is quiz


def test_questions_share_layout_and_style_models_so_each_opens_fewer_comm_channels():
    a, b = view(SINGLE), view(NUMERIC)
    assert a.check_button.layout is b.retry_button.layout
    assert a.feedback.style is b.feedback.style and a.header.layout is b.widget.layout


# ---------------------------------------------------------------- the learner's own option order
def shown(v):
    if v.question.type == "multiple":
        return [box.description for box in v.boxes]
    return [label for label, _ in v.choice.options]


def test_options_appear_in_the_learners_own_order_the_same_after_try_again_and_in_a_new_kernel(learner_home):
    many = {**SINGLE, "options": SINGLE["options"] + [
        {"id": f"extra-{n}", "text": f"Extra {n}", "correct": False, "feedback": "No.", "cite": ["misev2018"]}
        for n in range(5)]}
    first = view(many)
    order = shown(first)
    first.choice.value = "exosome"
    first.check()
    first.reset()
    assert shown(first) == order                       # "Try again" keeps the order
    from course import _progress
    _progress._SEEDS.clear()                           # as after a kernel restart: the seed comes from the file
    assert shown(view(many)) == order
    seed = json.loads((learner_home / "progress.json").read_text())["shuffle_seed"]
    assert len(seed) == 16


def test_two_learners_see_different_orders_and_score_the_same(tmp_path, monkeypatch):
    many = {**MULTIPLE, "options": MULTIPLE["options"] + [
        {"id": f"extra-{n}", "text": f"Extra {n}", "correct": False, "feedback": "No.", "cite": ["misev2018"]}
        for n in range(5)]}
    orders, results = [], []
    for learner in ("a", "b", "c"):
        monkeypatch.setenv("EXOCOURSE_HOME", str(tmp_path / learner))
        v = view(many)
        orders.append(shown(v))
        for option, box in zip(v.question.options, v.boxes):
            box.value = option.id in ("small-ev", "microvesicle")
        results.append((v.check().correct, default_store().load()["attempts"][0]["answer"]))
    assert len({tuple(o) for o in orders}) > 1
    assert results == [(True, ["microvesicle", "small-ev"])] * 3


def test_choosing_checking_and_trying_again_are_actions_in_the_learners_time_record(learner_home):
    v = view(SINGLE)
    v.choice.value = "exosome"     # choose
    v.check()                      # check
    v.reset()                      # try again
    sitting = TRACKER.sitting("01")
    assert sitting is not None and sitting.actions == 3
    TRACKER.flush()
    saved = json.loads((learner_home / "progress.json").read_text())["modules"]["01"]["sittings"]
    assert [s["actions"] for s in saved] == [3]
