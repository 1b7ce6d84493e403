"""The frame of every lesson: ``course.start`` at the top and ``course.finish`` at the end.

``start`` shows the lesson's title, minutes and objectives from the syllabus (the one
manifest), the safety note (content data), and begins the learner's time record: it
registers the cell events behind active time (``course._activity``). The start page
(module 00) also states how time and completion are counted, from the syllabus.

``finish`` never completes anything by itself: running every cell is not learning. It
shows what the module's completion rule (syllabus ``record.completion``) still needs,
updated as the learner works, and a "Mark this module complete" button that is enabled
once nothing is missing; pressing it is the learner's act, recorded with the evidence
that was met. Then the lesson's reference list, built from every citation it uses.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from course._activity import TRACKER, Tracker, active_seconds, note, time_rule
from course._display import STYLE, grading_now, inline_markdown, show, show_html
from course._progress import ProgressStore, default_store
from course._progress_schema import iter_attempts
from course._references import keys_in_text
from course._syllabus import CompletionRule, Module, load_syllabus

# Verbs whose module can say which references its tool cites (``cited_keys()``).
_TOOL_MODULES = {"dossier_checker": "course._dossier", "factcheck": "course._factcheck",
                 "checklist": "course._checklist"}
COMPLETE_LABEL = "Mark this module complete"


# ---------------------------------------------------------------- the completion rule
def _share_text(share: float) -> str:
    return {0.5: "half", 0.25: "a quarter", 0.75: "three quarters", 1.0: "all"}.get(share, f"{share * 100:g} %")


def completion_rule_text(module: Module | None = None) -> str:
    """The completion rule in the learner's words: the course's, or one module's."""
    syllabus = load_syllabus()
    rule = module.completion if module is not None else syllabus.record.completion
    parts = []
    if rule.self_checks:
        parts.append("tried every self-check question")
    if rule.reflection:
        parts.append("saved your reflection")
    if rule.active_share > 0:
        if module is not None:
            parts.append(f"been active in it for at least {_needed_minutes(module)} minutes ({_share_text(rule.active_share)} "
                         f"of the {module.minutes} minutes estimated)")
        else:
            parts.append(f"been active in it for at least {_share_text(rule.active_share)} of its estimated time")
    needs = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")
    subject = "this module" if module is not None else "a module"
    text = (f"You mark {subject} complete yourself, with the “{COMPLETE_LABEL}” button at the end of its lesson, "
            + (f"once you have {needs}. " if needs else "when you are ready. ")
            + "Running all of a lesson's cells does not complete it.")
    if module is None:
        exceptions = [f"module {m.id} needs no reflection" for m in syllabus.modules
                      if rule.reflection and not m.completion.reflection]
        if exceptions:
            text += " (" + "; ".join(exceptions).capitalize() + ".)"
    return text


def _needed_minutes(module: Module) -> int:
    return int(-(-module.minutes * module.completion.active_share // 1))  # rounded up


@dataclass(frozen=True)
class Completion:
    """Where a learner stands against one module's completion rule."""

    module: Module
    rule: CompletionRule
    questions: tuple[str, ...]            # every self-check question id of the module
    untried: tuple[str, ...]              # prompts of the ones not yet tried
    reflection_saved: bool
    active_seconds: float
    completed: str | None

    @property
    def needed_seconds(self) -> float:
        return _needed_minutes(self.module) * 60.0

    @property
    def missing(self) -> list[str]:
        """What is still to do, in plain words (empty when the module may be marked complete)."""
        still = []
        if self.rule.self_checks and self.untried:
            n = len(self.untried)
            examples = "; ".join(f"“{_short(p)}”" for p in self.untried[:3]) + ("; …" if n > 3 else "")
            still.append(f"Try {n} more self-check question{'s' if n != 1 else ''} ({examples}). Any answer "
                         "counts as a try: what matters is that you work through each one.")
        if self.rule.reflection and not self.reflection_saved:
            still.append("Save your reflection (the four questions above, then “Save my reflection”).")
        if self.active_seconds + 1e-6 < self.needed_seconds:
            have, need = int(self.active_seconds // 60), _needed_minutes(self.module)
            still.append(f"Spend more time working through the lesson: you have {have} of the {need} active minutes "
                         f"this module asks for ({_share_text(self.rule.active_share)} of its estimated "
                         f"{self.module.minutes}).")
        return still

    @property
    def met(self) -> bool:
        return not self.missing

    def evidence(self) -> dict[str, Any]:
        """What was met when the learner marked the module complete (kept in the record)."""
        return {"questions_tried": len(self.questions) - len(self.untried), "questions": len(self.questions),
                "reflection_saved": self.reflection_saved, "active_minutes": round(self.active_seconds / 60, 1),
                "estimated_minutes": self.module.minutes}


def completion_status(module: str, progress: dict[str, Any]) -> Completion:
    """Where ``progress`` stands against ``module``'s completion rule."""
    from course._questions import bank_path, load_bank

    m = load_syllabus().module(module)
    bank = load_bank(m.id).questions if bank_path(m.id).exists() else ()
    tried = {a.get("question") for a in iter_attempts(progress, m.id)}
    entry = (progress.get("modules") or {}).get(m.id) or {}
    reflection = (progress.get("reflections") or {}).get(m.id) or {}
    return Completion(module=m, rule=m.completion, questions=tuple(q.id for q in bank),
                      untried=tuple(q.prompt for q in bank if q.id not in tried),
                      reflection_saved=bool(reflection.get("saved")), active_seconds=active_seconds(progress, m.id),
                      completed=entry.get("completed"))


def _short(text: str, length: int = 60) -> str:
    plain = re.sub(r"\[@[^\]]+\]|[*`]", "", " ".join(text.split())).strip()
    return plain if len(plain) <= length else plain[:length].rsplit(" ", 1)[0] + "…"


# ---------------------------------------------------------------- start
def start(module: str) -> None:
    """Show this lesson's objectives and minutes, and start your time record."""
    syllabus = load_syllabus()
    m = syllabus.module(module)
    if grading_now():
        return
    default_store().mark_opened(m.id)
    TRACKER.start(m.id)
    objectives = "".join(f"<li><strong>{o.id}</strong> {inline_markdown(o.text)}</li>" for o in m.objectives)
    extra = ""
    if m.id == syllabus.modules[0].id:
        info = syllabus.course
        extra = (f"<p><strong>Declaration of interests.</strong> {html.escape(info.declaration_of_interests)}</p>"
                 f"<p><strong>Content reviewed:</strong> {html.escape(info.content_review_date)}. "
                 f"Course version {html.escape(info.version)}.</p>"
                 f'<div class="erc-note" role="note"><p><strong>How your time is counted.</strong> '
                 f"{html.escape(time_rule())}</p><p><strong>How a module is completed.</strong> "
                 f"{html.escape(completion_rule_text())}</p></div>")
    else:
        extra = f"<p><strong>To complete this module:</strong> {html.escape(completion_rule_text(m))}</p>"
    show_html(
        STYLE
        + f'<div class="erc-lesson-start"><h2>Module {m.id}: {html.escape(m.title)}</h2>'
        + f"<p><strong>Estimated time:</strong> {m.minutes} minutes</p>"
        + (f"<p><strong>By the end you should be able to:</strong></p><ul>{objectives}</ul>" if objectives else "")
        + extra
        + f'<p class="erc-note" role="note"><strong>Safety note.</strong> '
          f"{inline_markdown(syllabus.course.safety_note)}</p></div>"
    )


# ---------------------------------------------------------------- finish
class FinishView:
    """The end of a lesson: what is still missing, "Mark this module complete", "Check again"."""

    def __init__(self, module: str, store: ProgressStore | None = None, tracker: Tracker = TRACKER) -> None:
        import ipywidgets as w

        self.module = load_syllabus().module(module)
        self._messages: list[str] = []
        self.store = store or ProgressStore(notify=self._messages.append)
        self.tracker = tracker
        self.status = w.HTML(value="")
        self.complete_button = w.Button(description=COMPLETE_LABEL, button_style="success", disabled=True,
                                        tooltip="Record in your learning record that you have completed this module",
                                        layout=w.Layout(width="auto"))
        self.check_button = w.Button(description="Check again", tooltip="Look again at what is still missing",
                                     layout=w.Layout(width="auto"))
        self.complete_button.on_click(lambda _: self.complete())
        self.check_button.on_click(lambda _: self.refresh(flush=True))
        self.widget = w.VBox([w.HTML(STYLE + f"<h3>End of module {self.module.id}</h3>"), self.status,
                              w.HBox([self.complete_button, self.check_button])])
        self.widget.add_class("erc-quiz")
        self.refresh(flush=True)
        tracker.on_action(self.module.id, self._after_action)

    def _after_action(self) -> None:
        self.refresh()

    def status_now(self, flush: bool = False) -> Completion:
        if flush:
            self.tracker.flush(self.module.id)
        return completion_status(self.module.id, self.store.load())

    def refresh(self, flush: bool = False) -> Completion:
        """Show where the learner stands (called after each of their actions in this module)."""
        status = self.status_now(flush)
        m = self.module
        minutes = int(status.active_seconds // 60)
        time_line = f"Your active time in this module so far: {minutes} minute{'s' if minutes != 1 else ''} " \
                    f"(estimated: {m.minutes})."
        notes = "".join(f'<p class="erc-note">{html.escape(n)}</p>' for n in self._messages)
        self._messages.clear()
        if status.completed:
            self.status.value = (f'<p class="erc-note" role="status"><strong>Module {m.id} complete.</strong> You '
                                 f"marked it complete on {html.escape(status.completed[:10])}. {time_line}</p>{notes}")
            self.complete_button.disabled = True
            self.complete_button.description = "Completed"
        elif status.met:
            self.status.value = (f'<p role="status">Everything this module asks for is done. {time_line} When you '
                                 f"are ready, press “{COMPLETE_LABEL}”.</p>{notes}")
            self.complete_button.disabled = False
        else:
            items = "".join(f"<li>{html.escape(item)}</li>" for item in status.missing)
            self.status.value = (f'<div role="status" aria-live="polite"><p>{time_line} Before you can mark this '
                                 f"module complete:</p><ul>{items}</ul></div>{notes}")
            self.complete_button.disabled = True
        return status

    def complete(self) -> bool:
        """The learner's act: mark the module complete if its rule is met (checked again here)."""
        status = self.status_now(flush=True)
        if status.completed or not status.met:
            self.refresh()
            return bool(status.completed)
        self.store.mark_complete(self.module.id, status.evidence())
        note(self.module.id, "complete")
        self.refresh()
        return True


def cited_keys(module: str, cells: list[dict[str, Any]] | None = None) -> list[str]:
    """Every reference key a lesson uses: its Markdown, objectives, questions, figures and tools.

    ``cells`` are the lesson's cells (default: read from its notebook; the lesson renderer
    passes the cells it is rendering)."""
    from course._questions import bank_path, load_bank

    syllabus = load_syllabus()
    keys: dict[str, None] = {}
    keys.update(dict.fromkeys(keys_in_text(syllabus.course.safety_note)))
    for objective in syllabus.module(module).objectives:
        keys.update(dict.fromkeys(objective.cite))
    path = syllabus.notebook_path(module)
    if cells is None and path.exists():
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    if cells:
        for cell in cells:
            source = "".join(cell.get("source", ""))
            if cell.get("cell_type") == "markdown":
                keys.update(dict.fromkeys(keys_in_text(source)))
                continue
            for name in re.findall(r"course\.figure\(\s*[\"']([a-z0-9_]+)[\"']", source):
                from course._figures import build
                keys.update(dict.fromkeys(build(name).cite))
            for verb, module_name in _TOOL_MODULES.items():
                if f"course.{verb}(" in source:
                    tool = import_module(module_name)
                    keys.update(dict.fromkeys(getattr(tool, "cited_keys", lambda: [])()))
    if bank_path(module).exists():
        for question in load_bank(module).questions:
            keys.update(dict.fromkeys(question.cite_keys()))
    return list(keys)


def finish(module: str) -> None:
    """The end of the lesson: what is still to do, and a button to mark it complete.

    Running this cell completes nothing: press "Mark this module complete" when you are ready.
    (The lesson's reference list is Markdown in the lesson itself, readable before anything runs.)
    """
    m = load_syllabus().module(module)
    if grading_now():
        return
    show(FinishView(m.id).widget)


__all__ = ["start", "finish", "cited_keys", "completion_status", "completion_rule_text", "FinishView", "Completion"]
