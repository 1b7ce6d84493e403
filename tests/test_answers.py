"""course._answers: reading what a learner typed, and the visible format check."""
from __future__ import annotations

import subprocess
import sys

import pytest

from course._answers import check_format, close, letter, letters, number


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
