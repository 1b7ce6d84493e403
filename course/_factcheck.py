"""Fact-check the marketing: sort statements as supported, overstated or unsupported.

In lesson 04::

    course.factcheck()

shows short statements quoted from the source article's "What are exosomes?" section.
For each one you choose a verdict and press "Check": you are told whether the evidence
agrees, and why, with the sources. The statements and verdicts are data
(``course/content/factcheck.yml``); the rules below are plain functions, and the widget
is a thin view over them. The verdict scheme (supported, overstated, unsupported, with
what each means) is content too: the graded assessment of module 04 uses the same one.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from course._activity import note
from course._errors import AnswerFormatError, ContentError
from course._yaml import CONTENT_DIR, read_yaml, require

FACTCHECK_FILE = CONTENT_DIR / "factcheck.yml"

# The verdict names the library knows what to do with; their meanings are content
# (factcheck.yml, `verdicts:`), shown to the learner in the order the file gives them.
VERDICT_NAMES: tuple[str, ...] = ("supported", "overstated", "unsupported")


@dataclass(frozen=True)
class Statement:
    """One quoted statement, the verdict the evidence supports, and why."""
    id: str
    quote: str
    verdict: str
    feedback: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    """The whole exercise: where the quotes come from, the verdicts, and the statements in order."""
    source: str
    statements: tuple[Statement, ...]
    verdicts: Mapping[str, str] = field(default_factory=dict)   # name -> what it means, in display order

    def get(self, statement_id: str) -> Statement:
        for statement in self.statements:
            if statement.id == statement_id:
                return statement
        known = ", ".join(s.id for s in self.statements)
        raise ContentError("factcheck.yml", f"statement {statement_id!r}", "does not exist",
                           f"use one of: {known}")


@dataclass(frozen=True)
class Judgement:
    """The result of checking one verdict: right or not, the expected verdict, why, and sources."""
    statement: Statement
    chosen: str
    correct: bool

    @property
    def expected(self) -> str:
        return self.statement.verdict

    @property
    def feedback(self) -> str:
        return self.statement.feedback

    @property
    def cite(self) -> tuple[str, ...]:
        return self.statement.cite


@dataclass(frozen=True)
class Tally:
    """How a learner did on the statements they answered."""
    judgements: tuple[Judgement, ...]
    unanswered: tuple[str, ...]   # ids of statements left without a verdict

    @property
    def correct(self) -> int:
        return sum(j.correct for j in self.judgements)

    @property
    def answered(self) -> int:
        return len(self.judgements)

    @property
    def total(self) -> int:
        return self.answered + len(self.unanswered)


# ---------------------------------------------------------------- the content

def parse_exercise(data: Any, file: str = "factcheck.yml") -> Exercise:
    """Validate the exercise's YAML (already parsed); a mistake names the statement and the fix."""
    from course._references import keys_in_text, load_references

    bibliography = load_references()
    source = require(data, "source", file, None, str, "say where the quotes come from under `source:`")
    raw_verdicts = require(data, "verdicts", file, None, list,
                           "list the verdicts under `verdicts:`, each with a name and its meaning")
    verdicts: dict[str, str] = {}
    for index, raw in enumerate(raw_verdicts, start=1):
        name = str(require(raw, "name", file, f"verdict {index}", str, f"name it one of {', '.join(VERDICT_NAMES)}"))
        if name not in VERDICT_NAMES or name in verdicts:
            raise ContentError(file, f"verdict {index}", f"is {name!r}, not a new one of {', '.join(VERDICT_NAMES)}",
                               "list each of the three verdicts once")
        verdicts[name] = " ".join(str(require(raw, "meaning", file, f"verdict {name!r}", str,
                                              "say what the verdict means, in a phrase")).split())
    if set(verdicts) != set(VERDICT_NAMES):
        raise ContentError(file, "verdicts", f"lists {', '.join(verdicts) or 'none'}",
                           f"list all three: {', '.join(VERDICT_NAMES)}")
    raw_statements = require(data, "statements", file, None, list, "list the statements under `statements:`")
    statements: list[Statement] = []
    for index, raw in enumerate(raw_statements, start=1):
        sid = str(require(raw, "id", file, f"statement {index}", str, "give the statement an id such as hair-width"))
        item = f"statement {sid!r}"
        if any(s.id == sid for s in statements):
            raise ContentError(file, item, "is a duplicate id", "give each statement its own id")
        quote = require(raw, "quote", file, item, str, "quote the statement, a short phrase").strip()
        verdict = require(raw, "verdict", file, item, str, f"set verdict to one of {', '.join(verdicts)}")
        if verdict not in verdicts:
            raise ContentError(file, item, f"has unknown verdict {verdict!r}", f"use one of {', '.join(verdicts)}")
        feedback = require(raw, "feedback", file, item, str, "explain the verdict, citing [@key]").strip()
        if not quote or not feedback:
            raise ContentError(file, item, "has an empty quote or feedback", "fill both in")
        cite = raw.get("cite") or []
        if isinstance(cite, str):
            cite = [cite]
        if not cite:
            raise ContentError(file, item, "has no citation", "add `cite: [key]` from references.yml")
        bibliography.check_keys(list(cite), file, item)
        bibliography.check_keys(keys_in_text(feedback), file, item)
        statements.append(Statement(id=sid, quote=quote, verdict=verdict, feedback=feedback, cite=tuple(cite)))
    if not statements:
        raise ContentError(file, None, "has no statements", "add at least one statement")
    return Exercise(source=source.strip(), statements=tuple(statements), verdicts=verdicts)


@cache
def load_exercise(path: Path | None = None) -> Exercise:
    """The validated fact-check exercise (cached: content does not change in a session)."""
    file = path or FACTCHECK_FILE
    return parse_exercise(read_yaml(file), file=file.name)


def cited_keys() -> list[str]:
    """Every reference key the exercise cites (the lesson's reference list includes them)."""
    keys: dict[str, None] = {}
    for statement in load_exercise().statements:
        keys.update(dict.fromkeys(statement.cite))
    return list(keys)


# ---------------------------------------------------------------- the rules

def _or_list(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def normalise_verdict(chosen: object, verdicts: tuple[str, ...] = VERDICT_NAMES) -> str:
    """Accept a verdict however it is typed ("Overstated", " unsupported "); refuse anything else."""
    text = chosen.strip().lower() if isinstance(chosen, str) else ""
    if not text and (chosen is None or isinstance(chosen, str)):
        raise AnswerFormatError(f"Choose a verdict ({_or_list(verdicts)}), then press Check.")
    if text not in verdicts:
        raise AnswerFormatError(f"“{chosen}” is not one of the verdicts. Choose {_or_list(verdicts)}. "
                                "Nothing was marked.")
    return text


def judge(statement: Statement | str, chosen: str | None, exercise: Exercise | None = None) -> Judgement:
    """Check one verdict against the evidence.

    ``statement`` is a Statement or its id. An empty or unknown verdict raises
    AnswerFormatError saying what to do; nothing is marked.
    """
    exercise = exercise or load_exercise()
    if isinstance(statement, str):
        statement = exercise.get(statement)
    verdict = normalise_verdict(chosen, tuple(exercise.verdicts) or VERDICT_NAMES)
    return Judgement(statement=statement, chosen=verdict, correct=verdict == statement.verdict)


def tally(answers: Mapping[str, str | None], exercise: Exercise | None = None) -> Tally:
    """Check every answered statement; list those left without a verdict.

    ``answers`` maps statement ids to verdicts (``None`` or ``""`` for not answered).
    An id the exercise does not have raises ContentError; an unknown verdict raises
    AnswerFormatError.
    """
    exercise = exercise or load_exercise()
    known = {s.id for s in exercise.statements}
    strangers = [sid for sid in answers if sid not in known]
    if strangers:
        exercise.get(strangers[0])  # raises, naming the known ids
    judgements: list[Judgement] = []
    unanswered: list[str] = []
    for statement in exercise.statements:
        chosen = answers.get(statement.id)
        if chosen is None or not str(chosen).strip():
            unanswered.append(statement.id)
        else:
            judgements.append(judge(statement, chosen, exercise))
    return Tally(judgements=tuple(judgements), unanswered=tuple(unanswered))


# ---------------------------------------------------------------- the view

def factcheck() -> None:
    """Sort the source article's statements as supported, overstated or unsupported.

    Choose a verdict for each quoted statement and press "Check" under it, or "Check
    all" at the end. Feedback explains each verdict with its sources. Unlimited attempts;
    nothing is saved.
    """
    from course._display import STYLE, grading_now, show, show_html

    exercise = load_exercise()
    if grading_now():
        print("(The fact-check exercise appears when you open this lesson in JupyterLab.)")
        return
    show_html(STYLE)
    show(FactCheckView(exercise).widget)


class FactCheckView:
    """The widget: one card per statement (quote, verdict buttons, Check, feedback) and a summary."""

    def __init__(self, exercise: Exercise) -> None:
        import ipywidgets as w
        from ipywidgets.widgets.widget_description import DescriptionStyle
        from ipywidgets.widgets.widget_string import HTMLStyle

        from course._display import inline_markdown

        self.exercise = exercise
        intro = "".join(f"<li><strong>{name.capitalize()}</strong>: {inline_markdown(meaning)}.</li>"
                        for name, meaning in exercise.verdicts.items())
        header = w.HTML(
            f"<p><strong>Fact-check exercise</strong> ({len(exercise.statements)} statements). "
            f"Each phrase below is quoted from {inline_markdown(exercise.source)}. Choose a verdict:</p>"
            f"<ul>{intro}</ul>")
        self.choices: dict[str, Any] = {}
        self.feedback: dict[str, Any] = {}
        # One layout and one style object shared by all the cards' widgets of a kind: each
        # widget would otherwise open its own two (a Jupyter comm each), 13 cards' worth.
        plain, full = w.Layout(), w.Layout(width="100%")
        tight = w.Layout(width="auto", align_self="flex-start")
        text_style, label_style = HTMLStyle(), DescriptionStyle(description_width="initial")
        button_style = w.ButtonStyle()
        cards = []
        for number, statement in enumerate(exercise.statements, start=1):
            quote = w.HTML(f"<p><strong>Statement {number}.</strong> The source article says: "
                           f"“{inline_markdown(statement.quote)}”</p>", layout=plain, style=text_style)
            choice = w.RadioButtons(
                options=[(name.capitalize(), name) for name in exercise.verdicts], value=None,
                description=f"Verdict on statement {number}:", style=label_style, layout=full)
            button = w.Button(description=f"Check statement {number}", button_style="primary",
                              tooltip="Mark my verdict and explain it", layout=tight, style=button_style)
            output = w.HTML(value="", layout=plain, style=text_style)
            button.on_click(lambda _, sid=statement.id: self.check(sid))
            self.choices[statement.id] = choice
            self.feedback[statement.id] = output
            card = w.VBox([quote, choice, button, output], layout=plain)
            card.add_class("erc-quiz")
            cards.append(card)
        self.check_all_button = w.Button(description="Check all", tooltip="Mark every verdict I have chosen",
                                         layout=tight, style=button_style)
        self.summary = w.HTML(value="")
        self.check_all_button.on_click(lambda _: self.check_all())
        self.widget = w.VBox([header, *cards, self.check_all_button, self.summary])

    def check(self, statement_id: str) -> Judgement | None:
        """Mark one statement's verdict and show the feedback; None if no verdict was chosen."""
        note(None, "factcheck")
        try:
            judgement = judge(statement_id, self.choices[statement_id].value, self.exercise)
        except AnswerFormatError as problem:
            self.feedback[statement_id].value = (f'<div class="erc-feedback" role="status"><p><strong>Not marked '
                                                 f"yet:</strong> {problem}</p></div>")
            return None
        self.feedback[statement_id].value = render_judgement(judgement)
        return judgement

    def check_all(self) -> Tally:
        """Mark every chosen verdict; say how many were right and which are still open."""
        note(None, "factcheck")
        answers = {sid: choice.value for sid, choice in self.choices.items()}
        result = tally(answers, self.exercise)
        for judgement in result.judgements:
            self.feedback[judgement.statement.id].value = render_judgement(judgement)
        numbers = {s.id: n for n, s in enumerate(self.exercise.statements, start=1)}
        open_ = ", ".join(str(numbers[sid]) for sid in result.unanswered)
        still = f" Still without a verdict: statement{'s' if len(result.unanswered) > 1 else ''} {open_}." if open_ else ""
        self.summary.value = (f'<p role="status" aria-live="polite"><strong>{result.correct} of {result.answered} '
                              f"verdicts match the evidence.</strong>{still}</p>")
        return result


def render_judgement(judgement: Judgement) -> str:
    """The feedback for one verdict as HTML: right or not, the evidence's verdict, why, sources."""
    from course._display import inline_markdown, sources_html

    expected = judgement.expected.capitalize()
    if judgement.correct:
        verdict = f'<span class="erc-right">✔ Yes: {expected}.</span>'
    else:
        verdict = (f'<span class="erc-wrong">✘ You chose {judgement.chosen}; the evidence says '
                   f"{judgement.expected}.</span>")
    return (f'<div class="erc-feedback" role="status" aria-live="polite"><p>{verdict} '
            f"{inline_markdown(judgement.feedback)}{sources_html(judgement.cite)}</p></div>")
