"""Self-check questions: the model, validation of the YAML banks, and scoring.

No widgets here (see ``course._quiz`` for the view): scoring is plain functions that
the tests, the quiz widget and the browser test all share.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from course._errors import AnswerFormatError, ContentError
from course._yaml import CONTENT_DIR, read_yaml, require

QUESTIONS_DIR = CONTENT_DIR / "questions"
QUESTION_TYPES = ("single", "multiple", "truefalse", "numeric")


@dataclass(frozen=True)
class Option:
    id: str               # stable within its question: attempts are stored by id, never by position
    text: str
    correct: bool
    feedback: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    module: str
    objective: str
    type: str
    prompt: str
    options: tuple[Option, ...] = ()
    scenario: bool = False
    # numeric questions only
    answer: float | None = None
    tolerance: float | None = None
    unit: str = ""
    example: str = ""
    feedback_correct: str = ""
    feedback_incorrect: str = ""
    cite: tuple[str, ...] = ()

    @property
    def is_choice(self) -> bool:
        return self.type != "numeric"

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise AnswerFormatError("Choose from the options listed, then press Check.")

    def cite_keys(self) -> list[str]:
        keys = dict.fromkeys(self.cite)
        for option in self.options:
            keys.update(dict.fromkeys(option.cite))
        return list(keys)

    def words(self) -> str:
        """Everything a learner reads for this question: prompt, options and feedback."""
        parts = [self.prompt, self.feedback_correct, self.feedback_incorrect]
        for option in self.options:
            parts += [option.text, option.feedback]
        return " ".join(parts)


@dataclass(frozen=True)
class Bank:
    module: str
    file: str
    questions: tuple[Question, ...]

    def get(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        known = ", ".join(q.id for q in self.questions)
        raise ContentError(self.file, f"question {question_id!r}", "does not exist in this bank",
                           f"use one of: {known}")


@dataclass(frozen=True)
class FeedbackItem:
    """One line of feedback: which option, whether the learner got it right, why, and cites."""
    text: str
    verdict: str          # "right" or "wrong"
    explanation: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    correct: bool
    feedback: tuple[FeedbackItem, ...]
    answer: Any           # as recorded: an option id, a sorted list of ids, or the number read
    missed: int = 0       # multiple select: right options the learner did not tick


# ---------------------------------------------------------------- parsing a bank

def _parse_option(raw: Any, file: str, item: str, number: int) -> Option:
    oitem = f"{item}, option {number}"
    option_id = str(require(raw, "id", file, oitem, str,
                            "give the option a short id such as `id: lipid-bilayer` (ids keep stored answers "
                            "meaningful when options are reordered)"))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", option_id):
        raise ContentError(file, oitem, f"id {option_id!r} may use only lower-case letters, digits and hyphens",
                           "rename it, e.g. `id: lipid-bilayer`")
    text = str(require(raw, "text", file, oitem, (str, int, float, bool), "give the option's text"))
    correct = raw.get("correct", False) if isinstance(raw, dict) else False
    if not isinstance(correct, bool):
        raise ContentError(file, oitem, "`correct` must be true or false", "write correct: true or correct: false")
    if not str(raw.get("feedback") or "").strip():
        raise ContentError(file, oitem, "has no feedback",
                           "add `feedback:` saying why this option is right or wrong")
    cite = raw.get("cite") or []
    if isinstance(cite, str):
        cite = [cite]
    if not cite:
        raise ContentError(file, oitem, "feedback has no citation", "add `cite: [key]` from references.yml")
    return Option(id=option_id, text=text, correct=correct, feedback=str(raw["feedback"]).strip(), cite=tuple(cite))


def parse_question(raw: Any, module: str, file: str, index: int) -> Question:
    qid = str(require(raw, "id", file, f"question {index}", str, "give the question an id such as ev-term"))
    item = f"question {qid!r}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", qid):
        raise ContentError(file, item, "id may use only lower-case letters, digits and hyphens", "rename it")
    qtype = require(raw, "type", file, item, str, f"set type to one of {', '.join(QUESTION_TYPES)}")
    if qtype not in QUESTION_TYPES:
        raise ContentError(file, item, f"has unknown type {qtype!r}", f"use one of {', '.join(QUESTION_TYPES)}")
    objective = str(require(raw, "objective", file, item, (str, float), 'name its objective, e.g. objective: "1.2"'))
    prompt = require(raw, "prompt", file, item, str, "write the question's prompt").strip()
    common = dict(id=qid, module=module, objective=objective, type=qtype, prompt=prompt,
                  scenario=bool(raw.get("scenario", False)))
    if qtype == "numeric":
        answer = require(raw, "answer", file, item, (int, float), "give the accepted value as a number")
        if raw.get("tolerance") is None:
            raise ContentError(file, item, "numeric question has no tolerance",
                               "add `tolerance:` (the accepted distance from the answer, greater than 0)")
        tolerance = raw["tolerance"]
        if not isinstance(tolerance, (int, float)) or tolerance <= 0:
            raise ContentError(file, item, "tolerance must be a number greater than 0", "e.g. tolerance: 100")
        feedback = raw.get("feedback") or {}
        if not (isinstance(feedback, dict) and str(feedback.get("correct") or "").strip()
                and str(feedback.get("incorrect") or "").strip()):
            raise ContentError(file, item, "numeric question needs feedback for a correct and an incorrect answer",
                               "add feedback: {correct: ..., incorrect: ...}")
        cite = raw.get("cite") or []
        if isinstance(cite, str):
            cite = [cite]
        if not cite:
            raise ContentError(file, item, "feedback has no citation", "add `cite: [key]` from references.yml")
        return Question(**common, answer=float(answer), tolerance=float(tolerance),
                        unit=str(raw.get("unit") or ""), example=str(raw.get("example") or ""),
                        feedback_correct=str(feedback["correct"]).strip(),
                        feedback_incorrect=str(feedback["incorrect"]).strip(), cite=tuple(cite))
    raw_options = require(raw, "options", file, item, list, "list the options under `options:`")
    options = tuple(_parse_option(o, file, item, n) for n, o in enumerate(raw_options, 1))
    seen_ids = [o.id for o in options]
    for option_id in seen_ids:
        if seen_ids.count(option_id) > 1:
            raise ContentError(file, item, f"has two options with the id {option_id!r}",
                               "give each option of a question its own id")
    n_correct = sum(o.correct for o in options)
    if qtype == "truefalse":
        if sorted(o.text for o in options) != ["False", "True"]:
            raise ContentError(file, item, 'a true/false question needs exactly the options "True" and "False"',
                               "write the two options with text: \"True\" and text: \"False\"")
    elif len(options) < 3:
        raise ContentError(file, item, f"has {len(options)} options", "give a choice question at least three options")
    if n_correct == 0:
        raise ContentError(file, item, "has no correct option", "mark the right option(s) with `correct: true`")
    if qtype in ("single", "truefalse") and n_correct > 1:
        raise ContentError(file, item, f"is single-answer but has {n_correct} correct options",
                           "mark exactly one option correct, or make it type: multiple")
    return Question(**common, options=options, cite=tuple(raw.get("cite") or ()))


def parse_bank(data: Any, file: str, module: str | None = None) -> Bank:
    """Validate a question bank's YAML (already parsed) and return the Bank."""
    from course._references import load_references
    from course._syllabus import load_syllabus

    bank_module = str(require(data, "module", file, None, (str, int), 'name the module, e.g. module: "01"'))
    if module is not None and bank_module != module:
        raise ContentError(file, None, f"says module {bank_module!r} but is the bank for module {module!r}",
                           "fix the `module:` line or the file name")
    syllabus = load_syllabus()
    syllabus.module(bank_module)
    own_objectives = {o.id for o in syllabus.module(bank_module).objectives}
    bibliography = load_references()
    questions: list[Question] = []
    for index, raw in enumerate(require(data, "questions", file, None, list, "list the questions"), 1):
        question = parse_question(raw, bank_module, file, index)
        item = f"question {question.id!r}"
        if any(q.id == question.id for q in questions):
            raise ContentError(file, item, "is a duplicate question id", "give each question its own id")
        if question.objective not in own_objectives:
            raise ContentError(file, item, f"names unknown objective {question.objective!r}",
                               f"use one of module {bank_module}'s objectives: {', '.join(sorted(own_objectives))}")
        bibliography.check_keys(question.cite_keys(), file, item)
        questions.append(question)
    return Bank(module=bank_module, file=file, questions=tuple(questions))


def bank_path(module: str) -> Path:
    from course._syllabus import load_syllabus

    return QUESTIONS_DIR / f"{load_syllabus().module(module).slug}.yml"


@cache
def load_bank(module: str) -> Bank:
    """The validated question bank of a module, e.g. ``load_bank("01")``."""
    path = bank_path(module)
    if not path.exists():
        raise ContentError(path.name, None, "does not exist", f"create {path} with `module:` and `questions:`")
    return parse_bank(read_yaml(path), file=path.name, module=module)


def load_all_banks() -> list[Bank]:
    """Every module's bank that exists, in syllabus order."""
    from course._syllabus import load_syllabus

    return [load_bank(m.id) for m in load_syllabus().modules if bank_path(m.id).exists()]


# ---------------------------------------------------------------- numbers typed by learners

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_NUMBER = re.compile(
    r"""^\s*(?P<mantissa>[+-]?(\d+(\.\d*)?|\.\d+))
        (\s*(?:[x×*]|·)\s*10\s*(?:\^|\*\*)?\s*(?P<power>[+-]?\d+)
         |\s*[eE](?P<exponent>[+-]?\d+))?\s*$""",
    re.VERBOSE,
)


def parse_number(text: str, example: str = "", unit: str = "") -> float:
    """Read a number as a learner might type it; raise AnswerFormatError otherwise.

    Accepts ``3e10``, ``3 x 10^10``, ``3×10¹⁰``, ``30,000,000,000`` and
    ``30 000 000 000``. Refuses units or words typed into the box, with the format.
    """
    raw = (text or "").strip()
    expected = (f"Please type a number only, for example {example or '3e10 or 3 x 10^10'}"
                + (f" (the unit, {unit}, is already given)" if unit else "")
                + ". Your answer was not marked.")
    if not raw:
        raise AnswerFormatError("Type your answer in the box first. " + expected)
    candidate = raw.translate(_SUPERSCRIPTS)
    # Thousands separators: "30,000,000" or "30 000 000" (groups of exactly three digits).
    if re.fullmatch(r"[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?", candidate):
        candidate = candidate.replace(",", "").replace(" ", "")
    # "3×10¹⁰" arrives as "3×1010" after translating superscripts: restore the power.
    sup = re.fullmatch(r"\s*([+-]?\d+(?:\.\d*)?)\s*[x×*·]\s*10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*", raw)
    if sup:
        candidate = f"{sup.group(1)}e{sup.group(2).translate(_SUPERSCRIPTS)}"
    match = _NUMBER.match(candidate)
    if not match:
        raise AnswerFormatError(f"“{raw}” is not a number I can read. " + expected)
    value = float(match.group("mantissa"))
    power = match.group("power") or match.group("exponent")
    if power is not None:
        value *= 10.0 ** int(power)
    return value


# ---------------------------------------------------------------- display order

def in_learner_order(question: Question, seed: str) -> Question:
    """``question`` with its options in this learner's own order (``seed`` is kept in their record).

    The order depends only on the seed, the question and each option's id: the same
    learner sees the same order every time, whatever order the bank lists them in, and
    adding an option leaves the others' order alone. True/false keeps "True" first.
    """
    if question.type == "numeric":
        return question
    if question.type == "truefalse":
        options = sorted(question.options, key=lambda o: o.text != "True")
    else:
        def place(option: Option) -> bytes:
            return hashlib.sha256(f"{seed}/{question.module}/{question.id}/{option.id}".encode()).digest()
        options = sorted(question.options, key=place)
    return dataclasses.replace(question, options=tuple(options))


# ---------------------------------------------------------------- scoring

def score(question: Question, answer: Any) -> Result:
    """Score a learner's answer.

    ``answer`` is an option id (single, truefalse), a collection of option ids
    (multiple) or the text typed (numeric). A malformed answer raises
    AnswerFormatError with what to do; nothing is scored. Feedback follows the order
    of ``question.options`` (give it the question in the learner's order).
    """
    if question.type == "numeric":
        value = parse_number(str(answer) if answer is not None else "", question.example, question.unit)
        # parse_question guarantees both are set for numeric questions
        correct = abs(value - (question.answer or 0.0)) <= (question.tolerance or 0.0)
        explanation = question.feedback_correct if correct else question.feedback_incorrect
        item = FeedbackItem(text=f"{value:g} {question.unit}".strip(), verdict="right" if correct else "wrong",
                            explanation=explanation, cite=question.cite)
        return Result(correct=correct, feedback=(item,), answer=value)

    if question.type == "multiple":
        if answer is None or isinstance(answer, str):
            chosen = set() if answer in (None, "") else {answer}
        else:
            try:
                chosen = set(answer)
            except TypeError:
                raise AnswerFormatError("Choose from the options listed, then press Check.") from None
        if not chosen:
            raise AnswerFormatError("Tick at least one option, then press Check.")
        if not all(isinstance(option_id, str) for option_id in chosen):
            raise AnswerFormatError("Choose from the options listed, then press Check.")
        for option_id in chosen:
            question.option(option_id)  # an id the question does not have is refused
        # Feedback on the options the learner ticked; how many right ones were missed is
        # said as a count, so "Try again" is still a real attempt.
        items = tuple(FeedbackItem(o.text, "right" if o.correct else "wrong", o.feedback, o.cite)
                      for o in question.options if o.id in chosen)
        wanted = {o.id for o in question.options if o.correct}
        return Result(correct=chosen == wanted, feedback=items, answer=sorted(chosen),
                      missed=len(wanted - chosen))

    if answer is None or answer == "":
        raise AnswerFormatError("Choose one option, then press Check.")
    if not isinstance(answer, str):
        raise AnswerFormatError("Choose one of the options listed, then press Check.")
    option = question.option(answer)
    item = FeedbackItem(option.text, "right" if option.correct else "wrong", option.feedback, option.cite)
    return Result(correct=option.correct, feedback=(item,), answer=option.id)
