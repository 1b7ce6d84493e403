"""course._answers: reading what a learner typed, and the visible format check."""
from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from course._answers import (
    ANSWER,
    BLANK,
    MISSING,
    NOT_AN_ANSWER,
    _check,
    answer_sheet,
    check_format,
    check_my_answers,
    close,
    forgive,
    letter,
    letters,
    number,
    read_answer,
)


@pytest.mark.parametrize("typed", ["B", "b", " B ", "(B)", "B.", "b)"])
def test_letter_reads_one_option_letter_however_it_is_written(typed: str) -> None:
    assert letter(typed) == "B"


@pytest.mark.parametrize("typed", ["", "BC", "B, C", "1", "bee", None, 2, ["B"]])
def test_letter_refuses_anything_but_one_letter(typed: object) -> None:
    assert letter(typed) is None


@pytest.mark.parametrize("typed", ["A, C", "a,c", "C A", "a and c", "AC", "A; C", ["A", "c"], "A, C, A"])
def test_letters_reads_a_set_of_letters(typed: object) -> None:
    assert letters(typed) == {"A", "C"}


@pytest.mark.parametrize("typed", ["", "A, 3", "A, CC", "all of them", None, 5])
def test_letters_refuses_anything_but_letters(typed: object) -> None:
    assert letters(typed) is None


@pytest.mark.parametrize("typed", ["3e10", "3E10", "3 x 10^10", "3×10^10", "3×10¹⁰", "30,000,000,000",
                                   "30 000 000 000", 3e10, 30000000000])
def test_number_reads_the_formats_the_course_promises(typed: object) -> None:
    assert number(typed) == pytest.approx(3e10)


@pytest.mark.parametrize("typed", ["", "3e10 particles", "about 3e10", "three", None, True, ["3"]])
def test_number_refuses_words_and_units(typed: object) -> None:
    assert number(typed) is None


def test_close_accepts_within_tolerance_only() -> None:
    assert close("4.1e10", 4e10, tolerance=0.2e10)
    assert not close("4.3e10", 4e10, tolerance=0.2e10)
    assert not close("", 4e10, tolerance=0.2e10)


def run_check(capsys: pytest.CaptureFixture[str], *args: object, **kwargs: object) -> tuple[bool, str]:
    assert check_format(*args, **kwargs) is None  # type: ignore[arg-type,func-returns-value]
    out = capsys.readouterr().out.strip()
    return out.endswith("format OK (your answer is recorded)."), out


def test_an_empty_answer_is_not_answered_yet(capsys: pytest.CaptureFixture[str]) -> None:
    ok, out = run_check(capsys, "answer_3", "", kind="letter", choices="ABCD")
    assert not ok and out.startswith("Question 3: not answered yet")


def test_a_well_formed_answer_is_format_ok_whether_or_not_it_is_right(capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("A", "B", "c", "D"):
        ok, out = run_check(capsys, "answer_3", value, kind="letter", choices="ABCD")
        assert ok and out == "Question 3: format OK (your answer is recorded)."


@pytest.mark.parametrize("kind,value,hint", [
    ("letter", "E", 'one letter (A, B, C, D)'),
    ("letter", "A, B", "one letter"),
    ("letters", "A, 7", "letters from A, B, C, D separated by commas"),
    ("number", "3e10 particles/µg", "a number only"),
])
def test_a_badly_formed_answer_says_what_format_to_use(capsys: pytest.CaptureFixture[str], kind: str,
                                                       value: str, hint: str) -> None:
    ok, out = run_check(capsys, "answer_5", value, kind=kind, choices="ABCD" if kind != "number" else "")
    assert not ok and out.startswith("Question 5: please type") and hint in out


def test_the_check_looks_the_answer_up_in_the_notebook(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"check_format": check_format, "answer_2": "A, C"}
    exec('check_format("answer_2", kind="letters", choices="ABCD")', namespace)
    assert "Question 2: format OK" in capsys.readouterr().out
    exec('check_format("answer_9", kind="letters", choices="ABCD")', namespace)
    assert "Question 9: no answer is recorded yet" in capsys.readouterr().out


def test_the_check_never_raises_even_on_an_authoring_slip(capsys: pytest.CaptureFixture[str]) -> None:
    ok, out = run_check(capsys, "answer_1", "B", kind="colour")
    assert not ok and "set up wrongly" in out

    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("boom")

        def strip(self) -> str:
            raise RuntimeError("boom")
    ok, out = run_check(capsys, "answer_1", Unprintable(), kind="number")
    assert not ok and out.startswith("Question 1:")


def test_the_check_behaves_the_same_while_nbgrader_executes(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ok, out = run_check(capsys, "answer_4", "2.5e9", kind="number")
    assert ok and out == "Question 4: format OK (your answer is recorded)."


def test_importing_course_answers_loads_nothing_heavy() -> None:
    code = ("import sys, course._answers; heavy = [m for m in ('plotly', 'ipywidgets', 'nbgrader', 'nbformat', "
            "'yaml', 'numpy') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


# ---------------------------------------------------------------- one reader for grader and learner

@pytest.fixture(autouse=True)
def fresh_sheet() -> Iterator[None]:
    from course import _answers

    _answers._SHEET.clear()
    _answers._SOURCES.clear()
    yield
    _answers._SHEET.clear()
    _answers._SOURCES.clear()


@pytest.mark.parametrize("source,status,value", [
    ('answer_1 = "B"', ANSWER, "B"),
    ("answer_1 = 'b'  # my guess", ANSWER, "b"),
    ('answer_1 = ["A", "C"]', ANSWER, ("A", "C")),
    ("answer_1 = 3e10", ANSWER, 3e10),
    ("answer_1 = 2.4e11 / 6", ANSWER, 4e10),
    ("answer_1 = -(2 ** 3)", ANSWER, -8.0),
    ('answer_1 = ""', BLANK, ""),
    ("x = 1", MISSING, None),
    ("answer_1 = b", NOT_AN_ANSWER, None),
    ("answer_1 = A, B", NOT_AN_ANSWER, None),
    ("answer_1 = 3e10 particles", NOT_AN_ANSWER, None),
    ('answer_1 = "B', NOT_AN_ANSWER, None),
    ("answer_1 = (-8) ** 0.5", NOT_AN_ANSWER, None),
    ("answer_1 = 1e308 * 10", NOT_AN_ANSWER, None),
    ("answer_1 = 1 / 0", NOT_AN_ANSWER, None),
    ("answer_1 = True", NOT_AN_ANSWER, None),
    ('answer_1 = b"B"', NOT_AN_ANSWER, None),
    ('answer_1 = str("B")', NOT_AN_ANSWER, None),
    ('answer_1, answer_2 = "A", "B"', NOT_AN_ANSWER, None),
])
def test_read_answer_reads_literals_only(source: str, status: str, value: object) -> None:
    reading = read_answer(source, "answer_1")
    assert reading.status == status and reading.value == value


@pytest.mark.parametrize("source,hint", [
    ("answer_1 = b", 'Put your answer in quotes: answer_1 = "B"'),
    ("answer_4 = A, B", 'Put your answer in quotes: answer_4 = "A, B"'),
    ("answer_4 = a c", 'Put your answer in quotes: answer_4 = "A, C"'),
    ('answer_1 = "B', 'Close the quotes at the end: answer_1 = "B"'),
    ("answer_5 = 3e10 particles", 'Type the number only, without units, in quotes: answer_5 = "3e10"'),
    ("answer_5 = 40 nm", 'Type the number only, without units, in quotes: answer_5 = "40"'),
    ("answer_5 = 3 x 10^10", 'Put your answer in quotes: answer_5 = "3 x 10^10"'),
    ("answer_1 = “B”", 'Put your answer in quotes: answer_1 = "B"'),
    ("answer_1 =", 'Type your answer between the quotes: answer_1 = ""'),
])
def test_an_unreadable_answer_line_says_what_to_type(source: str, hint: str) -> None:
    variable = source.split()[0]
    assert read_answer(source, variable).hint == hint


def test_the_format_check_reads_the_answer_cell_as_the_grader_does(capsys: pytest.CaptureFixture[str]) -> None:
    from course import _answers

    # A cell with other code runs as typed; the value Python computes would pass, but the
    # text the grader reads is not an answer, and the check says so.
    cell = ['letter = "a"\n', "answer_2 = letter.upper()\n"]
    assert forgive(cell) == cell
    namespace: dict[str, object] = {"check_format": check_format}
    exec("".join(cell) + 'check_format("answer_2", kind="letter", choices="ABCD")', namespace)
    out = capsys.readouterr().out
    assert namespace["answer_2"] == "A" and "format OK" not in out
    assert out.startswith("Question 2: Type only your answer, between the quotes")
    assert _answers._SOURCES["answer_2"] == "".join(cell)
    # An answer cell that is only an unreadable answer line is replaced by the explanation.
    assert forgive(['answer_2 = "a".upper()\n']) != ['answer_2 = "a".upper()\n']


def test_forgive_turns_an_answer_cell_python_cannot_run_into_one_friendly_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    for typed in (["answer_1 = b\n"], ["answer_4 = A, B"], ["answer_5 = 3e10 particles\n"], ['answer_1 = "B\n']):
        replaced = forgive(typed)
        assert replaced != typed and len(replaced) == 1
        exec("".join(replaced), {})                     # runs, raises nothing
        line = capsys.readouterr().out.strip()
        assert line.startswith("Question ") and "\n" not in line and "Traceback" not in line


def test_forgive_leaves_every_other_cell_exactly_as_typed() -> None:
    for cell in (['answer_1 = "B"\n'], ["import os\n", "answer_1 = b\n"], ["print('hello')\n"], ["%timeit 1\n"],
                 ["answer_10 == 3\n"], []):
        assert forgive(cell) == cell


def test_check_my_answers_lists_every_unanswered_or_badly_formatted_question(
        capsys: pytest.CaptureFixture[str]) -> None:
    answer_sheet(answer_1="letter ABCD", answer_2="letters ABCD", answer_3="number", answer_4="letter ABCD")
    for typed in ('answer_1 = "B"\n', "answer_2 = A, B\n", 'answer_3 = ""\n'):
        forgive([typed])
    namespace: dict[str, object] = {"check_my_answers": check_my_answers}
    exec("check_my_answers()", namespace)
    out = capsys.readouterr().out
    assert out.startswith("3 of 4 questions need your attention")
    assert "Question 1" not in out
    assert 'Question 2: Put your answer in quotes: answer_2 = "A, B"' in out
    assert "Question 3: not answered yet" in out and "Question 4: no answer is recorded yet" in out
    assert "never whether an answer is right" in out
    for typed in ('answer_2 = "A, B"\n', 'answer_3 = "5"\n', 'answer_4 = "C"\n'):
        forgive([typed])
    exec("check_my_answers()", namespace)
    assert capsys.readouterr().out.startswith("All 4 questions are answered in the right format")


def test_check_my_answers_before_the_sheet_says_to_run_all(capsys: pytest.CaptureFixture[str]) -> None:
    check_my_answers()
    assert "Run All" in capsys.readouterr().out


def test_while_validating_a_problem_goes_to_stderr_so_validate_agrees(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    check_format("answer_1", "", kind="letter", choices="ABCD")
    check_format("answer_2", "B", kind="letter", choices="ABCD")
    captured = capsys.readouterr()
    assert "Question 1: not answered yet" in captured.err and "Question 1" not in captured.out
    assert "Question 2: format OK" in captured.out and captured.err.count("Question") == 1


def test_the_grader_scores_only_what_the_format_check_calls_ok() -> None:
    # The contract of the one reader: a readable answer in the right format is what the
    # grader can score; anything the check refuses, the grader scores 0 for.
    from course.instructor.assessments import load_assessment
    from course.instructor.grading import NOT_AN_ANSWER as GRADER_NOT_AN_ANSWER
    from course.instructor.grading import NOT_ANSWERED, WRONG_FORMAT, score_answer
    from tests.conftest import ROOT

    assessment = load_assessment(ROOT / "grading" / "assessments" / "02_quality_and_contamination.yml")
    for item in assessment.items:
        for typed in ('""', '"B"', '"a, c"', "b", "A, B", '"4e10"', "4e10", '"4e10 per µg"', '["A"]', '"Z"'):
            source = f"{item.variable} = {typed}"
            forgive([source])
            ok = _check(item.variable, kind=item.kind, choices=item.choices).ok
            reason = score_answer(item, read_answer(source, item.variable)).reason
            refused = reason in (GRADER_NOT_AN_ANSWER, NOT_ANSWERED, WRONG_FORMAT)
            assert ok != refused, (item.number, typed, ok, reason)


# ---------------------------------------------------------------- in a real kernel, as a learner would

@pytest.fixture(scope="module")
def released_course(tmp_path_factory: pytest.TempPathFactory):
    from course.instructor.release import release
    from tests.instructor_course import make_course

    course = make_course(tmp_path_factory.mktemp("answer-cells") / "course")
    release(course, ["01_exosome_biology"])
    return course


def _typed_release(course, answers: dict[int, str]) -> Path:
    import json

    from course.instructor.assessments import load_assessment, nbgrader_meta, read_notebook_json

    assessment = load_assessment(course.source_notebook("01_exosome_biology"))
    notebook = read_notebook_json(course.release_notebook("01_exosome_biology"))
    for cell in notebook["cells"]:
        for item in assessment.items:
            if nbgrader_meta(cell).get("grade_id") == item.answer_cell and item.number in answers:
                cell["source"] = answers[item.number]
    path = course.root / f"typed-{len(list(course.root.glob('typed-*')))}" / "assessment.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


BADLY_TYPED = {1: "answer_1 = b", 2: 'answer_2 = "C', 3: "answer_3 = A, B, C", 4: "answer_4 = A B",
               6: "answer_6 = 500 nm"}
HINTS = {1: 'Question 1: Put your answer in quotes: answer_1 = "B"',
         2: 'Question 2: Close the quotes at the end: answer_2 = "C"',
         3: 'Question 3: Put your answer in quotes: answer_3 = "A, B, C"',
         4: 'Question 4: Put your answer in quotes: answer_4 = "A, B"',
         6: 'Question 6: Type the number only, without units, in quotes: answer_6 = "500"'}


def _kinds_fit(course) -> None:
    """The typed lines above assume these kinds; the content may change, the test says so."""
    from course.instructor.assessments import load_assessment

    assessment = load_assessment(course.source_notebook("01_exosome_biology"))
    kinds = {n: assessment.item(n).kind for n in (1, 2, 3, 4, 5, 6)}
    assert kinds[1] == kinds[2] == kinds[5] == "letter" and kinds[3] == kinds[4] == "letters", kinds
    assert kinds[6] == "number", kinds


@pytest.mark.slow
def test_run_all_with_unquoted_answers_reaches_the_end_with_one_friendly_line_each(released_course) -> None:
    import nbformat
    from nbclient import NotebookClient

    from course.instructor.assessments import load_assessment

    _kinds_fit(released_course)
    total = len(load_assessment(released_course.source_notebook("01_exosome_biology")).items)
    path = _typed_release(released_course, {**BADLY_TYPED, 5: 'answer_5 = "a"'})
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()      # raises on any error
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert [o.output_type for o in outputs if o.output_type != "stream"] == []    # no traceback, no True/False
    text = "".join(o.get("text", "") for o in outputs)
    for line in HINTS.values():
        assert text.count(line) == 3, line      # under the answer, in its check, in "Check my answers"
    unanswered = total - 6
    assert f"{len(HINTS) + unanswered} of {total} questions need your attention" in text
    assert text.count("format OK") == 1 and text.count("not answered yet") == 2 * unanswered
    assert "NameError" not in text and "Traceback" not in text and "SyntaxError" not in text


@pytest.mark.slow
def test_nbgrader_validate_reports_the_same_questions_as_check_my_answers(released_course) -> None:
    from nbgrader.validator import Validator

    from course.instructor.assessments import load_assessment, solutions

    _kinds_fit(released_course)
    total = len(load_assessment(released_course.source_notebook("01_exosome_biology")).items)
    bad = Validator().validate(str(_typed_release(released_course, {**BADLY_TYPED, 5: 'answer_5 = "a"'})))
    failed = bad.get("failed", [])
    checks = [f["raw_error"] for f in failed if "check_format(" in f["source"]]
    listed = sorted(int(e.split(":")[0].removeprefix("Question ")) for e in checks)
    assert listed == [1, 2, 3, 4, 6, *range(7, total + 1)], checks
    for error in checks:
        question = int(error.split(":")[0].removeprefix("Question "))
        assert question not in HINTS or error.strip() == HINTS[question] + "."
    assert len(failed) == len(checks) + 1 and "did not provide a response" in failed[-1]["raw_error"]  # the reflection
    right = {n: f'answer_{n} = "{v}"'
             for n, v in solutions(released_course.source_notebook("01_exosome_biology")).items()}
    good = Validator().validate(str(_typed_release(released_course, right)))
    assert [f["raw_error"] for f in good.get("failed", [])] == ["You did not provide a response."]


def test_no_message_ever_names_an_answer_the_learner_did_not_type(capsys: pytest.CaptureFixture[str]) -> None:
    # Hints repeat the learner's own text; without it they give no example, so they can never
    # show a key by chance (a fixed e.g. "B" would be question 1's key in one assessment).
    for source in ("answer_1 = Always('x')", "answer_1 = foo()", "answer_1 = [x for x in 'AB']", "answer_1 = ?"):
        hint = read_answer(source, "answer_1").hint
        assert hint and not re.search(r'"[A-Z0-9][^"]*"', hint), hint
    answer_sheet(answer_1="letter ABCD", answer_2="letters ABCD", answer_3="number")
    for typed in ('answer_1 = "Z"\n', 'answer_2 = "A, 9"\n', 'answer_3 = "lots"\n'):
        forgive([typed])
    check_my_answers()
    out = capsys.readouterr().out
    assert out.count("Question") == 3
    assert not re.search(r'e\.g\. "', out) and '"Z"' not in out.replace('answer_1 = "Z"', "")
