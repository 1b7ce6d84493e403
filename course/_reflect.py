"""Reflective notes in the structure regulators use (the NMC reflective account form).

``course.reflect("01")`` shows the four questions; your answers are saved to your
progress record and appear in your learning record. Do not identify any patient or
colleague in what you write.
"""
from __future__ import annotations

import html

from course._activity import note
from course._display import STYLE, grading_now, show, show_html
from course._progress import REFLECTION_FIELDS, ProgressStore
from course._syllabus import load_syllabus

QUESTIONS = {
    "activity": "What was the nature of the CPD activity?",
    "learned": "What did you learn from the CPD activity?",
    "changed": "How did you change or improve your practice as a result?",
    "code": "How is this relevant to the Code?",
}
PRIVACY_REMINDER = ("Do not identify any patient or colleague: no names, dates of birth, photographs or "
                    "details that would let someone recognise them.")


def default_activity(module: str) -> str:
    m = load_syllabus().module(module)
    return f"Self-directed e-learning: Exosome Reality Check, module {m.id} \u201c{m.title}\u201d ({m.minutes} minutes)."


class ReflectionView:
    """The four questions, "Save my reflection", and a status line (``course.reflect`` shows it)."""

    def __init__(self, module: str, store: ProgressStore | None = None) -> None:
        import ipywidgets as w

        self.module = load_syllabus().module(module).id
        self._messages: list[str] = []
        self.store = store or ProgressStore(notify=self._messages.append)
        saved = self.store.load()["reflections"].get(self.module, {})
        self.boxes = {}
        for name in REFLECTION_FIELDS:
            value = saved.get(name) or (default_activity(self.module) if name == "activity" else "")
            self.boxes[name] = w.Textarea(value=value, description=QUESTIONS[name], placeholder="Type here…",
                                          style={"description_width": "initial"},
                                          layout=w.Layout(width="100%", height="5.5em"))
        self.save_button = w.Button(description="Save my reflection", button_style="primary",
                                    tooltip="Save these notes to my learning record")
        self.status = w.HTML(value=f"<p>Last saved: {html.escape(saved['saved'])}</p>" if saved.get("saved") else "")
        self.save_button.on_click(lambda _: self.save())
        self.widget = w.VBox([*self.boxes.values(), self.save_button, self.status])
        self.widget.add_class("erc-quiz")

    def answers(self) -> dict[str, str]:
        return {name: box.value for name, box in self.boxes.items()}

    def save(self) -> None:
        """Save the four answers to the learner's record and say so."""
        self.store.save_reflection(self.module, self.answers())
        note(self.module, "reflection-saved")
        notes = "".join(f'<p class="erc-note">{html.escape(m)}</p>' for m in self._messages)
        self._messages.clear()
        if self.store.unsaved:
            self.status.value = ('<p role="status"><strong>Kept while this lesson stays open, but not yet saved to '
                                 f"your record.</strong></p>{notes}")
            return
        self.status.value = ('<p role="status">✔ Saved to your learning record. You can edit and save again at any '
                             f"time.</p>{notes}")


def reflect(module: str) -> None:
    """Write and save your reflective notes for this module (NMC's four questions)."""
    if grading_now():
        return
    show_html(STYLE + f'<p class="erc-note" role="note"><strong>Reminder.</strong> {PRIVACY_REMINDER}</p>')
    show(ReflectionView(module).widget)
