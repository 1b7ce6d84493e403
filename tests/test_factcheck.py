"""The fact-check exercise (lesson 04): its content, its rules and its widget."""
from __future__ import annotations

import importlib
import re

import pytest

from course._errors import AnswerFormatError, ContentError
from course._references import keys_in_text, load_references

# The module, not the lazy verb `course._factcheck` (same name: the package attribute is
# the function once a lesson has called it).
fc = importlib.import_module("course._factcheck")

# The "What are exosomes?" section of the source article, carried here so the test can
# prove every quote is genuine (the course must not put words in the article's mouth).
SOURCE_SECTION = """
Exosomes are tiny, naturally occurring particles that your cells use to communicate with each other.
Think of them as microscopic "delivery packages" that carry important messages and healing substances
throughout your body. They're incredibly small—about 1,000 times smaller than the width of a human
hair—but they play a crucial role in your body's natural repair and regeneration processes.
Every day, your healthy cells release billions of exosomes containing proteins, growth factors, and
other beneficial substances. These exosomes travel to areas that need healing or support, delivering
their cargo to help with tissue repair, reduce inflammation, and promote cellular health.
In medical and cosmetic applications, exosomes are typically harvested from young, healthy stem cells
and concentrated into products that can support your body's natural healing processes. When applied
topically or used in treatments, these exosomes can help:
Accelerate healing and tissue repair
Reduce inflammation and irritation
Improve skin health and appearance
Support overall cellular regeneration
In regenerative medicine, exosomes are being used to accelerate healing and tissue repair for a wide
range of conditions. Clinicians apply exosome treatments to help patients recover from injuries, reduce
inflammation in damaged tissues, and support the body's natural regeneration processes. These
treatments are showing promise in wound healing, joint repair, and recovery from surgical procedures,
where exosomes deliver concentrated growth factors and healing signals directly to areas that need repair.
In aesthetic medicine, exosomes have become a breakthrough treatment for skin rejuvenation and
anti-aging. They're commonly used with microneedling, laser treatments, and other cosmetic procedures
to enhance healing and improve results. Exosomes help reduce downtime, minimize inflammation, and
promote collagen production, leading to improved skin texture, reduced fine lines, and overall skin
health. Many practitioners are incorporating exosome treatments into facial protocols to provide more
natural, long-lasting results compared to traditional skincare approaches.
Exosomes can be delivered through various methods depending on the treatment goals—topically as serums
or masks, through microneedling for deeper penetration, via injection (in some countries) for targeted
areas, or as part of comprehensive treatment protocols. The key to effectiveness lies not just in how
they're applied, but in ensuring the exosomes are viable, properly concentrated, and sourced from
high-quality materials that maintain their therapeutic potential.
"""


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def exercise() -> fc.Exercise:
    return fc.load_exercise()


def _raw() -> dict:
    import yaml

    return yaml.safe_load(fc.FACTCHECK_FILE.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the content

def test_every_quote_is_word_for_word_from_the_what_are_exosomes_section(exercise: fc.Exercise) -> None:
    section = _flat(SOURCE_SECTION)
    for statement in exercise.statements:
        assert _flat(statement.quote) in section, statement.id


def test_quotes_are_short_phrases_not_passages(exercise: fc.Exercise) -> None:
    assert all(len(s.quote.split()) <= 15 for s in exercise.statements)


def test_the_exercise_uses_all_three_verdicts_and_enough_statements(exercise: fc.Exercise) -> None:
    verdicts = [s.verdict for s in exercise.statements]
    assert set(verdicts) == set(exercise.verdicts) == set(fc.VERDICT_NAMES)
    assert len(verdicts) >= 8
    assert all(verdicts.count(v) >= 2 for v in exercise.verdicts)


def test_every_verdict_has_feedback_that_cites_known_references(exercise: fc.Exercise) -> None:
    known = set(load_references().keys())
    for statement in exercise.statements:
        in_text = keys_in_text(statement.feedback)
        assert in_text, f"{statement.id}: feedback has no [@key]"
        assert set(in_text) <= known and set(statement.cite) <= known
        assert set(in_text) <= set(statement.cite), f"{statement.id}: list every key the feedback uses in cite"
        assert len(statement.feedback.split()) >= 30


def test_the_marketing_claims_the_course_corrects_are_not_marked_supported(exercise: fc.Exercise) -> None:
    # REFERENCES: "accelerate healing", "reduce downtime", "long-lasting results" rest on very
    # limited evidence (one trial) and no approved product.
    for sid in ("accelerate-healing", "downtime", "long-lasting", "breakthrough"):
        statement = exercise.get(sid)
        assert statement.verdict != "supported"
        assert "kwon2020" in statement.cite


def test_cells_communicating_is_overstated_as_the_lessons_own_warning_says(exercise: fc.Exercise) -> None:
    # Lesson 04: "From the body to the bottle" -- a function inside the body is not shown for a product.
    statement = exercise.get("cell-communication")
    assert statement.verdict == "overstated" and "function" in statement.feedback


def test_the_verdict_scheme_is_content_and_the_assessment_uses_it(exercise: fc.Exercise) -> None:
    from course.instructor.assessments import load_assessment
    from tests.conftest import ROOT

    items = load_assessment(ROOT / "grading" / "assessments" / "04_case_studies.yml").items
    verdict_items = [i for i in items if i.objective == "4.3"]
    assert verdict_items
    for item in verdict_items:
        assert [o.text.split(":")[0].lower() for o in item.options] == list(exercise.verdicts)


def test_the_injection_statement_points_to_the_injection_case_reports(exercise: fc.Exercise) -> None:
    assert {"nahm2024", "tawanwongsri2024"} <= set(exercise.get("injection").cite)


def test_regulatory_feedback_gives_the_date_of_its_source(exercise: fc.Exercise) -> None:
    dates = {"fda2019": "6 December 2019", "fda2020": "22 July 2020", "mhlw2024": "31 July 2024"}
    for statement in exercise.statements:
        for key, day in dates.items():
            if key in statement.cite:
                assert day in statement.feedback, (statement.id, key)


# ---------------------------------------------------------------- validation of the file

@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["statements"][0].update(verdict="true"), "unknown verdict"),
    (lambda d: d["statements"][0].update(cite=[]), "no citation"),
    (lambda d: d["statements"][0].update(cite=["nobody2099"]), "unknown reference key"),
    (lambda d: d["statements"][0].update(feedback="See [@nobody2099]."), "unknown reference key"),
    (lambda d: d["statements"][1].update(id=d["statements"][0]["id"]), "duplicate id"),
    (lambda d: d["statements"][0].update(quote="  "), "empty quote"),
    (lambda d: d.pop("source"), "has no `source`"),
    (lambda d: d.update(statements=[]), "no statements"),
    (lambda d: d.pop("verdicts"), "has no `verdicts`"),
    (lambda d: d["verdicts"].pop(), "list all three"),
    (lambda d: d["verdicts"][0].update(name="true"), "not a new one of"),
])
def test_an_authoring_mistake_names_the_statement_and_the_fix(change, message: str) -> None:
    data = _raw()
    change(data)
    with pytest.raises(ContentError, match=message) as raised:
        fc.parse_exercise(data)
    assert "Fix:" in str(raised.value)


# ---------------------------------------------------------------- the rules

def test_the_evidences_verdict_is_marked_right_and_any_other_wrong(exercise: fc.Exercise) -> None:
    for statement in exercise.statements:
        right = fc.judge(statement, statement.verdict)
        assert right.correct and right.expected == statement.verdict
        for other in set(exercise.verdicts) - {statement.verdict}:
            wrong = fc.judge(statement.id, other, exercise)
            assert not wrong.correct
            assert wrong.chosen == other and wrong.expected == statement.verdict
            assert wrong.feedback == statement.feedback and wrong.cite == statement.cite


def test_a_verdict_is_read_whatever_its_case_or_spacing(exercise: fc.Exercise) -> None:
    assert fc.judge("hair-width", "  Overstated ", exercise).correct


@pytest.mark.parametrize("bad", [None, "", "   ", "true", "mostly right"])
def test_no_verdict_or_an_unknown_one_is_not_marked_and_says_what_to_do(bad: str | None) -> None:
    with pytest.raises(AnswerFormatError, match="supported, overstated or"):
        fc.judge("hair-width", bad)


def test_an_unknown_statement_id_lists_the_known_ones(exercise: fc.Exercise) -> None:
    with pytest.raises(ContentError, match="hair-width"):
        fc.judge("no-such-statement", "supported", exercise)


def test_tally_counts_right_answers_and_lists_the_unanswered(exercise: fc.Exercise) -> None:
    first, second, third, *rest = exercise.statements
    wrong = next(v for v in exercise.verdicts if v != second.verdict)
    result = fc.tally({first.id: first.verdict, second.id: wrong, third.id: ""}, exercise)
    assert (result.correct, result.answered, result.total) == (1, 2, len(exercise.statements))
    assert result.unanswered == (third.id, *(s.id for s in rest))


def test_tally_of_a_perfect_sheet_is_all_right(exercise: fc.Exercise) -> None:
    result = fc.tally({s.id: s.verdict for s in exercise.statements}, exercise)
    assert result.correct == result.answered == result.total and result.unanswered == ()


def test_tally_refuses_an_id_the_exercise_does_not_have(exercise: fc.Exercise) -> None:
    with pytest.raises(ContentError, match="does not exist"):
        fc.tally({"made-up": "supported"}, exercise)


# ---------------------------------------------------------------- the widget

def test_every_control_has_a_label(exercise: fc.Exercise) -> None:
    view = fc.FactCheckView(exercise)
    assert len(view.choices) == len(exercise.statements)
    for choice in view.choices.values():
        assert choice.description.strip()
        assert [value for _, value in choice.options] == list(exercise.verdicts)
    assert view.check_all_button.description.strip()


def test_checking_without_a_verdict_asks_for_one_and_marks_nothing(exercise: fc.Exercise) -> None:
    view = fc.FactCheckView(exercise)
    assert view.check("hair-width") is None
    assert "Not marked yet" in view.feedback["hair-width"].value


def test_checking_a_verdict_shows_the_evidences_verdict_and_its_sources(exercise: fc.Exercise) -> None:
    view = fc.FactCheckView(exercise)
    view.choices["viable"].value = "supported"
    judgement = view.check("viable")
    assert judgement is not None and not judgement.correct
    shown = view.feedback["viable"].value
    assert "the evidence says unsupported" in shown
    assert "Théry et al., 2018" in shown or "misev2018" not in exercise.get("viable").cite
    assert "[@" not in shown  # citations are rendered, not left as raw keys


def test_check_all_summarises_and_names_the_statements_left_open(exercise: fc.Exercise) -> None:
    view = fc.FactCheckView(exercise)
    first, second = exercise.statements[:2]
    view.choices[first.id].value = first.verdict
    result = view.check_all()
    assert (result.correct, result.answered) == (1, 1)
    assert "1 of 1 verdicts match" in view.summary.value
    assert "Still without a verdict: statements 2, 3" in view.summary.value
    assert view.feedback[second.id].value == ""


def test_while_nbgrader_executes_the_exercise_shows_no_widget(monkeypatch, capsys) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    fc.factcheck()
    assert "appears when you open this lesson" in capsys.readouterr().out


def test_the_lessons_reference_list_can_include_every_key_the_exercise_cites(exercise: fc.Exercise) -> None:
    expected = {key for statement in exercise.statements for key in statement.cite}
    assert set(fc.cited_keys()) == expected
