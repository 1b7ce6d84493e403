"""Your learning record: what you have done in the course, as evidence for your CPD.

``course.record()`` shows, per module, when you first opened it, whether you have
marked it complete, your active minutes beside the estimate, your self-check attempts
and first-try score, and your reflection; it writes them as a PDF (numbered pages, the
time and completion rules, a declaration for you to sign, the NMC reflective accounts)
and the same as JSON, for your CPD portfolio. ``course.evaluate()`` is the short
end-of-course evaluation.

The record is *self-assessed*: it is written from your own progress file on your own
computer, and says so. An instructor-issued certificate is a different document (see
``exocourse certificates``).

For code: ``learning_record(progress)`` is the record as a plain dict (the JSON
export), ``write_learning_record_pdf(progress, path)`` writes the PDF; the widgets are
a thin view over ``save_learning_record`` and ``save_evaluation``.
"""
from __future__ import annotations

import base64
import html
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from course import _atomic as atomic
from course._activity import active_seconds, time_rule
from course._display import STYLE, grading_now, show, show_html
from course._errors import AnswerFormatError, CourseError
from course._progress import REFLECTION_FIELDS, ProgressStore, default_store, now_iso, where
from course._reflect import QUESTIONS as REFLECTION_QUESTIONS  # the NMC form's four questions
from course._syllabus import load_syllabus

RECORD_LABEL = "Self-assessed learning record"
RECORD_NOTICE = (
    "Written from the learner's own progress file: the dates, times, scores and reflections "
    "are as the learner's computer recorded them. It is not a certificate and has not been "
    "checked by the course provider."
)
DECLARATION = "I confirm this record is accurate."
RECORD_PDF = "learning-record.pdf"
RECORD_JSON = "learning-record.json"

SATISFACTION_SCALE = (
    "Very satisfied",
    "Satisfied",
    "Neither satisfied nor dissatisfied",
    "Dissatisfied",
    "Very dissatisfied",
)
EVALUATION_QUESTIONS = {
    "satisfaction": "Overall, how satisfied are you with this course?",
    "learned": "What is the most important thing you learned?",
    "intend_to_change": "What do you intend to change in your practice?",
}

BINDER_VARIABLES = ("BINDER_SERVICE_HOST", "BINDER_LAUNCH_HOST", "BINDER_REPO_URL")
BINDER_NOTICE = (
    "You are using the course on Binder. Binder keeps nothing after your session ends: when you "
    "close this tab or leave it idle, your progress, reflections and learning record are deleted. "
    "Download your learning record (PDF, and JSON if you want your data) before you leave."
)


def on_binder() -> bool:
    """True when the course runs on a Binder service, where nothing survives the session."""
    return any(os.environ.get(name) for name in BINDER_VARIABLES)


# ------------------------------------------------------------------ the record as data
def learning_record(progress: dict[str, Any]) -> dict[str, Any]:
    """The learning record built from a progress dict: the exact content of the JSON export.

    Names, reflections and evaluation answers are kept exactly as typed.
    """
    from course._lesson import completion_rule_text

    syllabus = load_syllabus()
    info = syllabus.course
    attempts = [a for a in _list(progress.get("attempts")) if isinstance(a, dict)]
    module_entries = _dict(progress.get("modules"))
    reflections = _dict(progress.get("reflections"))
    learner = _dict(progress.get("learner"))

    modules = []
    for module in syllabus.modules:
        entry = _dict(module_entries.get(module.id))
        mine = [a for a in attempts if a.get("module") == module.id]
        total = _question_count(module.id)
        right = {a.get("question") for a in mine if a.get("correct") is True}
        first: dict[Any, bool] = {}
        for attempt in mine:  # in the order made: the first attempt at each question
            first.setdefault(attempt.get("question"), attempt.get("correct") is True)
        reflection = _dict(reflections.get(module.id))
        sittings = [s for s in _list(entry.get("sittings")) if isinstance(s, dict)]
        row: dict[str, Any] = {
            "id": module.id,
            "title": module.title,
            "estimated_minutes": module.minutes,
            "first_opened": _date(entry.get("first_opened")),
            "completed": _date(entry.get("completed")),
            "active_minutes": round(active_seconds(progress, module.id) / 60, 1),
            "sittings": [{"began": str(s.get("began", "")), "last_action": str(s.get("last", "")),
                          "active_minutes": round(_number(s.get("seconds")) / 60, 1),
                          "actions": int(_number(s.get("actions")))} for s in sittings],
            "objectives": [{"id": o.id, "text": o.text} for o in module.objectives],
            "self_check": {
                "questions": total,
                "questions_tried": len(first),
                "attempts": len(mine),
                "first_try_correct": sum(first.values()),
                "answered_correctly": min(len(right), total) if total else len(right),
            },
            "reflection": ({name: str(reflection.get(name, "")) for name in REFLECTION_FIELDS}
                           | {"saved": _date(reflection.get("saved")) or ""}) if reflection else None,
        }
        if isinstance(entry.get("recorded_by_1_0"), dict):
            # Course 1.0.0's wall-clock times and "finished" stamps: kept, but not evidence.
            row["recorded_by_course_1_0"] = entry["recorded_by_1_0"]
        modules.append(row)
    completed = [m for m in modules if m["completed"]]
    evaluation = _dict(progress.get("evaluation"))
    return {
        "label": RECORD_LABEL,
        "notice": RECORD_NOTICE,
        "generated": now_iso(),
        "course": {
            "title": info.title,
            "version": info.version,
            "provider": info.provider,
            "content_review_date": info.content_review_date,
            "cpd_type": info.cpd_type,
            "progress_file_course_version": str(progress.get("course_version", "")),
        },
        "learner": {"name": str(learner.get("name", "")), "registration": str(learner.get("registration", ""))},
        "summary": {
            "modules_completed": len(completed),
            "modules_total": len(modules),
            "estimated_minutes_completed": sum(m["estimated_minutes"] for m in completed),
            "active_minutes": round(sum(m["active_minutes"] for m in modules), 1),
        },
        "rules": {
            "time": time_rule(),
            "gap_cap_minutes": syllabus.record.gap_cap_minutes,
            "completion": completion_rule_text(),
        },
        "modules": modules,
        "evaluation": dict(evaluation) if evaluation else None,
        "declaration": DECLARATION,
    }


def write_learning_record_json(progress: dict[str, Any], path: Path | str) -> Path:
    """Write the learning record as JSON (UTF-8, every character as typed)."""
    return atomic.write_text(path, json.dumps(learning_record(progress), ensure_ascii=False, indent=2))


def write_learning_record_pdf(progress: dict[str, Any], path: Path | str) -> Path:
    """Write the learning record as a PDF for a CPD portfolio; returns the path written."""
    from course._pdf import Document

    data = learning_record(progress)
    course_info, learner, summary = data["course"], data["learner"], data["summary"]
    doc = Document(f"{RECORD_LABEL}: {course_info['title']}")
    doc.number_pages(f"{RECORD_LABEL} · {learner['name'] or 'no name given'}")
    doc.heading(RECORD_LABEL.upper(), size=17)
    doc.paragraph(RECORD_NOTICE, size=9.5)
    doc.space(2)
    doc.rule()
    doc.heading(course_info["title"], size=13)
    doc.field("Learner", learner["name"] or "(no name given: type your name in the record and write it again)")
    if learner["registration"]:
        doc.field("Registration number", learner["registration"])
    doc.field("Course version", course_info["version"])
    doc.field("Provider", course_info["provider"])
    doc.field("Content reviewed", course_info["content_review_date"])
    doc.field("Type of CPD", course_info["cpd_type"])
    doc.field("Record written", data["generated"][:10])
    doc.field("Modules completed (marked complete by the learner)",
              f"{summary['modules_completed']} of {summary['modules_total']}")
    doc.field("Active time in all (as recorded)", _minutes(summary["active_minutes"]))
    doc.field("Estimated time of the modules completed", _minutes(summary["estimated_minutes_completed"]))
    doc.space(2)
    doc.paragraph("How time is counted", bold=True, size=9.5)
    doc.paragraph(data["rules"]["time"], size=9.5)
    doc.paragraph("How a module is completed", bold=True, size=9.5)
    doc.paragraph(data["rules"]["completion"], size=9.5)
    for module in data["modules"]:
        doc.space(3)
        doc.keep_room(45)
        doc.rule()
        doc.heading(f"Module {module['id']}: {module['title']}", size=12.5)
        doc.field("First opened", module["first_opened"] or "not yet")
        doc.field("Completed", module["completed"] or "not yet")
        sittings = len(module["sittings"])
        doc.field("Active time", f"{_minutes(module['active_minutes'])} (estimated: "
                                 f"{_minutes(module['estimated_minutes'])})"
                                 + (f", over {_count(sittings, 'sitting')}" if sittings else ""))
        check = module["self_check"]
        if check["questions"]:
            doc.field("Self-check questions", f"{check['questions_tried']} of {check['questions']} tried; "
                                              f"{check['first_try_correct']} right at the first try "
                                              f"({_count(check['attempts'], 'attempt')} in all)")
        if module["objectives"]:
            doc.paragraph("Learning objectives", bold=True)
            for objective in module["objectives"]:
                doc.paragraph(f"{objective['id']}  {objective['text']}", size=9.5, indent=4)
        reflection = module["reflection"]
        if reflection:
            doc.paragraph("Reflection (the NMC reflective account's four questions)"
                          + (f", saved {reflection['saved']}" if reflection["saved"] else ""), bold=True)
            for name, question in REFLECTION_QUESTIONS.items():
                doc.paragraph(question, size=9.5, bold=True, indent=4)
                doc.paragraph(reflection.get(name) or "(not answered)", size=9.5, indent=8)
        elif module["id"] != "00":
            doc.field("Reflection", "none saved")
    evaluation = data["evaluation"]
    if evaluation:
        doc.space(3)
        doc.keep_room(45)
        doc.rule()
        doc.heading("Course evaluation", size=12.5)
        for name, question in EVALUATION_QUESTIONS.items():
            doc.paragraph(question, size=9.5, bold=True)
            doc.paragraph(str(evaluation.get(name) or "(not answered)"), size=9.5, indent=4)
    doc.space(4)
    doc.keep_room(40)
    doc.rule()
    doc.heading("Declaration", size=12.5)
    doc.paragraph(DECLARATION)
    doc.space(8)
    doc.paragraph("Signature: ______________________________        Date: ____________________")
    if doc.changed_characters:
        doc.space(3)
        doc.paragraph("Some characters could not be printed with this PDF's font and are shown in simplified "
                      "form; the JSON export of this record keeps every character exactly as typed.", size=8.5)
    doc.space(4)
    doc.paragraph(f"{RECORD_LABEL}. {RECORD_NOTICE}", size=8.5)
    return doc.save(Path(path))


# ------------------------------------------------------------------ saving from the view
@dataclass(frozen=True)
class RecordFiles:
    """The two files ``save_learning_record`` wrote."""

    pdf: Path
    json: Path


def save_learning_record(store: ProgressStore, name: str, registration: str = "",
                         directory: Path | None = None) -> RecordFiles:
    """Save the learner's name, then write the record as PDF and JSON into ``directory``.

    The default directory is the one holding the progress file.
    """
    if not name.strip():
        raise AnswerFormatError("Type your name first (as it should appear on your record), then press the "
                                "button again.")
    store.set_learner(name, registration)
    progress = store.load()
    folder = directory if directory is not None else store.path.parent
    return RecordFiles(pdf=write_learning_record_pdf(progress, folder / RECORD_PDF),
                       json=write_learning_record_json(progress, folder / RECORD_JSON))


def download_link(path: Path, label: str, mime: str) -> str:
    """An HTML link that downloads ``path`` from the browser (works on Binder and in any JupyterLab)."""
    payload = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<a download="{html.escape(path.name, quote=True)}" href="data:{mime};base64,{payload}" '
            f'style="font-weight:bold">{html.escape(label)}</a>')


def summary_html(progress: dict[str, Any]) -> str:
    """The learning record as an accessible HTML table, plus the reflections saved so far."""
    data = learning_record(progress)
    rows = []
    for m in data["modules"]:
        check = m["self_check"]
        tries = (f"{check['questions_tried']} of {check['questions']} tried; {check['first_try_correct']} right "
                 "first time" if check["questions"] else "—")
        rows.append(
            f"<tr><td>{m['id']} {html.escape(m['title'])}</td><td>{html.escape(m['first_opened'] or '—')}</td>"
            f"<td>{html.escape(m['completed'] or 'not yet')}</td><td>{_whole_minutes(m['active_minutes'])}</td>"
            f"<td>{m['estimated_minutes']}</td><td>{tries}</td><td>{'yes' if m['reflection'] else 'no'}</td></tr>")
    s = data["summary"]
    table = (
        '<table><caption>Modules, time and self-checks</caption><thead><tr>'
        '<th scope="col">Module</th><th scope="col">First opened</th><th scope="col">Completed</th>'
        '<th scope="col">Active minutes</th><th scope="col">Estimated minutes</th>'
        '<th scope="col">Self-check questions</th>'
        f'<th scope="col">Reflection saved</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f"<p>{s['modules_completed']} of {s['modules_total']} modules marked complete; your active time: "
        f"{_minutes(s['active_minutes'])}.</p>"
        f"<details><summary>How time and completion are counted</summary><p>{html.escape(data['rules']['time'])}</p>"
        f"<p>{html.escape(data['rules']['completion'])}</p></details>")
    reflections = []
    for m in data["modules"]:
        if m["reflection"]:
            answers = "".join(f"<dt>{html.escape(q)}</dt><dd>{html.escape(m['reflection'].get(k) or '—')}</dd>"
                              for k, q in REFLECTION_QUESTIONS.items())
            reflections.append(f"<details><summary>Reflection on module {m['id']}</summary><dl>{answers}</dl>"
                               "</details>")
    return table + ("<h4>Your reflections</h4>" + "".join(reflections) if reflections else "")


class RecordView:
    """The widget behind ``course.record()``: the summary, a name field, and the download button."""

    def __init__(self, store: ProgressStore | None = None, directory: Path | None = None) -> None:
        import ipywidgets as w

        self.store = store or default_store()
        self.directory = directory
        self.files: RecordFiles | None = None
        progress = self.store.load()
        learner = progress["learner"]
        notice = (f'<p class="erc-note" role="note"><strong>Nothing is kept after this session.</strong> '
                  f"{html.escape(BINDER_NOTICE)}</p>") if on_binder() else ""
        self.summary = w.HTML(value=STYLE + "<h3>Your learning record</h3>" + notice + summary_html(progress))
        self.name = w.Text(value=learner.get("name", ""), description="Your name (as it should appear):",
                           placeholder="e.g. Dr Alex Morgan", style={"description_width": "initial"},
                           layout=w.Layout(width="34em"))
        self.registration = w.Text(value=learner.get("registration", ""),
                                   description="Professional registration number (optional):",
                                   style={"description_width": "initial"}, layout=w.Layout(width="34em"))
        self.button = w.Button(description="Write my learning record (PDF and JSON)", button_style="primary",
                               tooltip="Write the PDF and the JSON of your learning record and offer them for "
                                       "download", layout=w.Layout(width="auto"))
        self.status = w.HTML(value="")
        self.button.on_click(lambda _: self.write())
        self.widget = w.VBox([self.summary, self.name, self.registration, self.button, self.status])
        self.widget.add_class("erc-quiz")

    def write(self) -> RecordFiles | None:
        try:
            files = save_learning_record(self.store, self.name.value, self.registration.value, self.directory)
        except AnswerFormatError as problem:
            self.status.value = f'<p role="status"><strong>Not written yet:</strong> {html.escape(str(problem))}</p>'
            return None
        except (CourseError, OSError) as problem:
            self.status.value = ('<p role="status"><strong>Your record could not be written:</strong> '
                                 f"{html.escape(str(problem))}. Nothing in your progress has been lost; "
                                 "try again, or ask your course contact.</p>")
            return None
        self.files = files
        self.summary.value = self.summary.value.split("<table>")[0] + summary_html(self.store.load())
        keep = ("Binder will delete these files when the session ends: download them now."
                if on_binder() else f"Saved in {html.escape(where(files.pdf.parent))}.")
        self.status.value = (
            f'<p role="status">✔ Your learning record is ready. {keep}</p><ul>'
            f"<li>{download_link(files.pdf, 'Download my learning record (PDF)', 'application/pdf')}</li>"
            f"<li>{download_link(files.json, 'Download my learning record data (JSON)', 'application/json')}"
            "</li>" + self._progress_link() + "</ul>")
        return files


    def _progress_link(self) -> str:
        """The progress file itself, to carry on on another computer (Binder keeps nothing)."""
        if not self.store.path.is_file():
            return ""
        link = download_link(self.store.path, "Download my progress file (to carry on elsewhere)", "application/json")
        return (f"<li>{link}: put it back as <code>progress.json</code> in the course's record folder "
                "(<code>~/.exosome-reality-check</code>) on the computer where you continue.</li>")


def record() -> None:
    """Show your learning record: modules done, minutes, self-check scores and reflections.

    Type your name and press the button to write the record as a PDF (for your CPD
    portfolio) and as JSON, with download links.
    """
    if grading_now():
        return
    show(RecordView().widget)


# ------------------------------------------------------------------ the course evaluation
def save_evaluation(store: ProgressStore, satisfaction: str, learned: str, intend_to_change: str) -> dict[str, str]:
    """Save the end-of-course evaluation into the progress record; returns what was saved."""
    if satisfaction not in SATISFACTION_SCALE:
        raise AnswerFormatError("Choose how satisfied you are with the course (one of the five options), "
                                "then save again.")
    entry = {"satisfaction": satisfaction, "learned": learned.strip(), "intend_to_change": intend_to_change.strip(),
             "saved": now_iso()}
    store.update(lambda d: d.__setitem__("evaluation", dict(entry)))
    return entry


class EvaluationView:
    """The widget behind ``course.evaluate()``."""

    def __init__(self, store: ProgressStore | None = None) -> None:
        import ipywidgets as w

        self.store = store or default_store()
        saved = self.store.load().get("evaluation") or {}
        self.satisfaction = w.RadioButtons(
            options=list(SATISFACTION_SCALE),
            value=saved.get("satisfaction") if saved.get("satisfaction") in SATISFACTION_SCALE else None,
            description=EVALUATION_QUESTIONS["satisfaction"], style={"description_width": "initial"},
            layout=w.Layout(width="100%"))
        self.learned = w.Textarea(value=saved.get("learned", ""), description=EVALUATION_QUESTIONS["learned"],
                                  placeholder="Type here…", style={"description_width": "initial"},
                                  layout=w.Layout(width="100%", height="5em"))
        self.change = w.Textarea(value=saved.get("intend_to_change", ""),
                                 description=EVALUATION_QUESTIONS["intend_to_change"], placeholder="Type here…",
                                 style={"description_width": "initial"}, layout=w.Layout(width="100%", height="5em"))
        self.button = w.Button(description="Save my evaluation", button_style="primary",
                               tooltip="Save these answers to my learning record")
        self.status = w.HTML(value=f"<p>Last saved: {html.escape(saved['saved'])}</p>" if saved.get("saved") else "")
        self.button.on_click(lambda _: self.save())
        self.widget = w.VBox([w.HTML("<h3>Course evaluation</h3><p>Three short questions. Your answers go into "
                                     "your own learning record.</p>"),
                              self.satisfaction, self.learned, self.change, self.button, self.status])
        self.widget.add_class("erc-quiz")

    def save(self) -> dict[str, str] | None:
        try:
            entry = save_evaluation(self.store, self.satisfaction.value or "", self.learned.value, self.change.value)
        except AnswerFormatError as problem:
            self.status.value = f'<p role="status"><strong>Not saved yet:</strong> {html.escape(str(problem))}</p>'
            return None
        self.status.value = ('<p role="status">✔ Saved to your learning record. Thank you. You can change your '
                             "answers and save again.</p>")
        return entry


def evaluate() -> None:
    """The end-of-course evaluation: satisfaction, what you learned, what you will change."""
    if grading_now():
        return
    show_html(STYLE)
    show(EvaluationView().widget)


# ------------------------------------------------------------------ small helpers
def _question_count(module_id: str) -> int:
    from course._questions import bank_path, load_bank

    return len(load_bank(module_id).questions) if bank_path(module_id).exists() else 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _date(value: Any) -> str | None:
    """The date part of an ISO timestamp (a record shows dates, not seconds)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).astimezone(timezone.utc).date().isoformat()
    except ValueError:
        return value[:10]


def _minutes(value: float) -> str:
    return _count(_whole_minutes(value), "minute")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _whole_minutes(value: float) -> int:
    return int(round(value))


__all__ = ["record", "evaluate", "learning_record", "write_learning_record_pdf", "write_learning_record_json",
           "save_learning_record", "save_evaluation", "on_binder", "RECORD_LABEL"]
