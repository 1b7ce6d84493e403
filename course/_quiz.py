"""Self-check quizzes: the ipywidgets view over ``course._questions``.

In a lesson::

    course.quiz("01", "ev-term")   # one question
    course.quiz("01")              # every question of module 01

Unlimited attempts: "Check" marks your answer and explains it (with its source);
"Try again" clears it. Each checked attempt is saved to your progress record, by
option id. The options appear in an order of your own (seeded from your record, so it
is the same every time you open the lesson); true/false keeps True first.
"""
from __future__ import annotations

from typing import Any

from course._activity import note
from course._display import STYLE, grading_now, inline_markdown, show, sources_html
from course._errors import AnswerFormatError
from course._progress import ProgressStore
from course._questions import Question, Result, in_learner_order, load_bank, score

_TYPE_HINT = {
    "single": "Choose one answer.",
    "truefalse": "Choose True or False.",
    "multiple": "Tick every answer that applies.",
    "numeric": "Type a number.",
}


def quiz(module: str, question_id: str | None = None) -> None:
    """Show a self-check question (or all of a module's questions) with feedback.

    Example: ``course.quiz("01", "ev-term")``.
    """
    bank = load_bank(module)
    questions = [bank.get(question_id)] if question_id else list(bank.questions)
    if grading_now():
        print(f"(Self-check question{'s' if len(questions) > 1 else ''} appear when you open this lesson in JupyterLab.)")
        return
    for number, question in enumerate(questions, 1):
        label = f"Question {number} of {len(questions)}" if len(questions) > 1 else "Self-check"
        show(QuizView(question, label).widget)


_SHARED: dict[str, Any] = {}


def _shared(name: str) -> Any:
    """Layout and style models shared by every quiz in the kernel.

    Each ipywidget otherwise opens its own Layout and Style model over the comm channel:
    seventeen models a question instead of nine. These are never changed after creation.
    """
    if not _SHARED:
        import ipywidgets as w
        from ipywidgets.widgets.widget_bool import CheckboxStyle
        from ipywidgets.widgets.widget_description import DescriptionStyle
        from ipywidgets.widgets.widget_string import HTMLStyle, LabelStyle, TextStyle

        _SHARED.update(
            plain=w.Layout(), full=w.Layout(width="100%"), number=w.Layout(width="22em"),
            html=HTMLStyle(), button=w.ButtonStyle(), label=DescriptionStyle(description_width="initial"),
            checkbox=CheckboxStyle(), text=TextStyle(description_width="initial"), tag=LabelStyle())
    return _SHARED[name]


class QuizView:
    """One question's widget: prompt, answer controls, Check / Try again, feedback."""

    def __init__(self, question: Question, label: str = "Self-check", store: ProgressStore | None = None) -> None:
        import ipywidgets as w

        self._messages: list[str] = []
        self.store = store or ProgressStore(notify=self._messages.append)
        self.question = q = in_learner_order(question, self.store.shuffle_seed())
        scenario = " · scenario" if q.scenario else ""
        # The stylesheet travels inside the header widget: one message fewer per question
        # than displaying it separately, and it is there even if other outputs are cleared.
        self.header = w.HTML(
            STYLE + f'<p><strong>{label}</strong> <span>(objective {q.objective}{scenario})</span></p>'
            f'<p>{inline_markdown(q.prompt)}</p><p><em>{_TYPE_HINT[q.type]}</em></p>',
            layout=_shared("plain"), style=_shared("html"))
        self.controls: list[Any] = []
        if q.type in ("single", "truefalse"):
            self.choice = w.RadioButtons(
                options=[(o.text, o.id) for o in q.options], value=None,
                description="Your answer:", style=_shared("label"), layout=_shared("full"))
            self.controls = [self.choice]
        elif q.type == "multiple":
            self.boxes = [w.Checkbox(value=False, description=o.text, indent=False,
                                     layout=_shared("full"), style=_shared("checkbox")) for o in q.options]
            self.controls = list(self.boxes)
        else:
            self.text = w.Text(
                value="", placeholder=f"e.g. {q.example}" if q.example else "a number",
                description="Your answer:", style=_shared("text"), layout=_shared("number"))
            unit = w.Label(value=q.unit, layout=_shared("plain"), style=_shared("tag"))
            self.controls = [w.HBox([self.text, unit], layout=_shared("plain"))]
        if q.is_choice:
            for control in self.controls:
                control.observe(self._chosen, names="value")
        self.check_button = w.Button(description="Check", button_style="primary",
                                     tooltip="Mark my answer and explain it",
                                     layout=_shared("plain"), style=_shared("button"))
        self.retry_button = w.Button(description="Try again", disabled=True,
                                     tooltip="Clear my answer and the feedback",
                                     layout=_shared("plain"), style=_shared("button"))
        self.feedback = w.HTML(value="", layout=_shared("plain"), style=_shared("html"))
        self.check_button.on_click(lambda _: self.check())
        self.retry_button.on_click(lambda _: self.reset())
        self.widget = w.VBox([self.header, *self.controls,
                              w.HBox([self.check_button, self.retry_button], layout=_shared("plain")),
                              self.feedback], layout=_shared("plain"))
        self.widget.add_class("erc-quiz")

    # -------------------------------------------------------------- actions
    def current_answer(self) -> Any:
        """The option id chosen, the ids ticked, or the text typed."""
        if self.question.type in ("single", "truefalse"):
            return self.choice.value
        if self.question.type == "multiple":
            return [o.id for o, box in zip(self.question.options, self.boxes) if box.value]
        return self.text.value

    def _chosen(self, change: dict[str, Any]) -> None:
        if change.get("new") not in (None, False):
            note(self.question.module, "choose")

    def check(self) -> Result | None:
        try:
            result = score(self.question, self.current_answer())
        except AnswerFormatError as problem:
            self.feedback.value = (f'<div class="erc-feedback" role="status"><p><strong>Not marked yet:</strong> '
                                   f"{problem}</p></div>")
            return None
        self.store.record_attempt(self.question.module, self.question.id, result.answer, result.correct)
        note(self.question.module, "check")
        self.feedback.value = self._render(result)
        self._messages.clear()
        self.retry_button.disabled = False
        return result

    def reset(self) -> None:
        note(self.question.module, "try-again")
        if self.question.type in ("single", "truefalse"):
            self.choice.value = None
        elif self.question.type == "multiple":
            for box in self.boxes:
                box.value = False
        else:
            self.text.value = ""
        self.feedback.value = ""
        self.retry_button.disabled = True

    # -------------------------------------------------------------- feedback
    def _render(self, result: Result) -> str:
        q = self.question
        if result.correct:
            verdict = '<p><span class="erc-right">✔ Correct.</span></p>'
        elif q.type == "multiple":
            missed = (f" You missed {result.missed} option{'s' if result.missed != 1 else ''} that should be ticked."
                      if result.missed else "")
            verdict = (f'<p><span class="erc-wrong">✘ Not quite.</span>{missed} Read the feedback on what you '
                       'ticked, then press “Try again”.</p>')
        else:
            verdict = '<p><span class="erc-wrong">✘ Not quite.</span> Read why, then press “Try again”.</p>'
        items = []
        for item in result.feedback:
            mark = "✔" if item.verdict == "right" else "✘"
            lead = "Your answer" if q.type == "numeric" else "Option"
            items.append(f"<li><strong>{mark} {lead}: “{inline_markdown(item.text)}”</strong> — "
                         f"{inline_markdown(item.explanation)}{sources_html(item.cite)}</li>")
        if result.correct and q.is_choice and len(q.options) > len(result.feedback):
            shown = {item.text for item in result.feedback}
            for option in q.options:
                if option.text not in shown:
                    items.append(f"<li>Also: “{inline_markdown(option.text)}” — "
                                 f"{inline_markdown(option.feedback)}{sources_html(option.cite)}</li>")
        notes = "".join(f'<p class="erc-note">{m}</p>' for m in self._messages)
        return f'<div class="erc-feedback" role="status" aria-live="polite">{verdict}<ul>{"".join(items)}</ul>{notes}</div>'
