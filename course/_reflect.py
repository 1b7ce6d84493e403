"""Reflective notes in the structure regulators use (the NMC reflective account form).

``course.reflect("01")`` shows the four questions; your answers are saved to your
progress record and appear in your learning record. Do not identify any patient or
colleague in what you write.
"""
from __future__ import annotations

import html

from course._display import STYLE, grading_now, show, show_html
from course._progress import REFLECTION_FIELDS, ProgressStore, default_store
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


def reflect(module: str) -> None:
    """Write and save your reflective notes for this module (NMC's four questions)."""
    if grading_now():
        return
    import ipywidgets as w

    store: ProgressStore = default_store()
    saved = store.load()["reflections"].get(module, {})
    boxes = {}
    for name in REFLECTION_FIELDS:
        value = saved.get(name) or (default_activity(module) if name == "activity" else "")
        boxes[name] = w.Textarea(value=value, description=QUESTIONS[name], placeholder="Type here…",
                                 style={"description_width": "initial"},
                                 layout=w.Layout(width="100%", height="5.5em"))
    save = w.Button(description="Save my reflection", button_style="primary",
                    tooltip="Save these notes to my learning record")
    status = w.HTML(value=f"<p>Last saved: {html.escape(saved['saved'])}</p>" if saved.get("saved") else "")

    def on_save(_: object) -> None:
        store.save_reflection(module, {name: box.value for name, box in boxes.items()})
        status.value = ('<p role="status">✔ Saved to your learning record. You can edit and save again at any '
                        "time.</p>")

    save.on_click(on_save)
    show_html(STYLE + f'<p class="erc-note" role="note"><strong>Reminder.</strong> {PRIVACY_REMINDER}</p>')
    box = w.VBox([*boxes.values(), save, status])
    box.add_class("erc-quiz")
    show(box)
