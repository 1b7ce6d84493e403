"""Your learning record: what you have done in the course, from your progress file."""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from course._display import STYLE, grading_now, show_html
from course.progress import default_store
from course.syllabus import load_syllabus


@dataclass(frozen=True)
class ModuleSummary:
    id: str
    title: str
    minutes: int
    finished: str | None
    seconds_spent: float
    questions_total: int
    questions_correct: int
    attempts: int
    reflection: dict[str, str]


def summarise(progress: dict[str, Any]) -> list[ModuleSummary]:
    """One summary per module: done or not, time, self-check score, reflection."""
    from course.questions import bank_path, load_bank

    summaries = []
    for m in load_syllabus().modules:
        attempts = [a for a in progress.get("attempts", []) if a.get("module") == m.id]
        total = len(load_bank(m.id).questions) if bank_path(m.id).exists() else 0
        correct = len({a.get("question") for a in attempts if a.get("correct")})
        entry = progress.get("modules", {}).get(m.id, {})
        summaries.append(ModuleSummary(
            id=m.id, title=m.title, minutes=m.minutes, finished=entry.get("finished"),
            seconds_spent=float(entry.get("seconds", 0.0)), questions_total=total,
            questions_correct=min(correct, total), attempts=len(attempts),
            reflection=progress.get("reflections", {}).get(m.id, {})))
    return summaries


def record() -> None:
    """Show your learning record: modules done, minutes, self-check scores, reflections."""
    if grading_now():
        return
    rows = []
    for s in summarise(default_store().load()):
        done = html.escape(s.finished[:10]) if s.finished else "not yet"
        score = f"{s.questions_correct} of {s.questions_total}" if s.questions_total else "—"
        rows.append(f"<tr><td>{s.id} {html.escape(s.title)}</td><td>{done}</td><td>{s.minutes}</td>"
                    f"<td>{round(s.seconds_spent / 60)}</td><td>{score}</td>"
                    f"<td>{'yes' if s.reflection else 'no'}</td></tr>")
    show_html(STYLE + '<h3>Your learning record</h3><table><caption>Modules, time and self-check scores</caption>'
              '<thead><tr><th scope="col">Module</th><th scope="col">Completed</th><th scope="col">Estimated minutes</th>'
              '<th scope="col">Your minutes</th><th scope="col">Self-check questions right</th>'
              f'<th scope="col">Reflection saved</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def evaluate() -> None:
    """The end-of-course evaluation (implemented with the learning-record download)."""
    if grading_now():
        return
    show_html("<p>The course evaluation form is being prepared.</p>")
