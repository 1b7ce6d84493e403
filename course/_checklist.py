"""The supplier-questions checklist of lesson 05: what to ask before you buy an EV product.

The questions live in ``course/content/supplier_questions.yml``, grouped as source and
donor screening, manufacturing process, characterisation, release tests, regulatory
status and cold chain; each says what to ask, what a good answer contains, why it
matters and which references support that. This module holds the rules as plain
functions (load, what is still outstanding, the downloadable document) and a thin
ipywidgets view, ``checklist()``, in which a learner ticks what a supplier has answered
in writing, adds notes, and saves and downloads the result.

In a lesson::

    import course
    course.checklist()
"""
from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from course import _atomic as atomic
from course._display import STYLE, cite_html, grading_now, show
from course._errors import ContentError, CourseError
from course._yaml import CONTENT_DIR, read_yaml, require

SUPPLIER_QUESTIONS_FILE = CONTENT_DIR / "supplier_questions.yml"

# The six areas objective 5.1 names; the content file must cover every one.
REQUIRED_GROUPS: tuple[str, ...] = ("source", "process", "characterisation", "release",
                                    "regulatory", "cold-chain")

# The checklist state kept beside the learner's record, so a re-run cell loses nothing.
STATE_FILE_NAME = "supplier-checklist.json"
STATE_SCHEMA = 1


_DISCLAIMER = ("Made with the Exosome Reality Check course, lesson 05. As of the FDA notices of "
               "6 December 2019 and 22 July 2020, no exosome product is approved by the FDA; this "
               "checklist does not approve a product and the course does not qualify anyone to "
               "administer one. Keep patient details out of this document.")


# ---------------------------------------------------------------- the content

@dataclass(frozen=True)
class SupplierQuestion:
    """One question to put to a supplier, with what a good answer holds and why it matters."""
    id: str
    group: str
    label: str
    ask: str
    look_for: str
    why: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class QuestionGroup:
    id: str
    title: str
    questions: tuple[SupplierQuestion, ...]


@dataclass(frozen=True)
class SupplierChecklist:
    groups: tuple[QuestionGroup, ...]

    @property
    def questions(self) -> tuple[SupplierQuestion, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    def question(self, question_id: str) -> SupplierQuestion:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def cite_keys(self) -> list[str]:
        """Every reference key the checklist cites, in order of first use."""
        return list(dict.fromkeys(k for q in self.questions for k in q.cite))


def parse_supplier_questions(data: Any, file: str = "supplier_questions.yml") -> SupplierChecklist:
    """Validate the checklist's YAML (already parsed); a mistake raises ContentError."""
    from course._references import load_references

    bibliography = load_references()
    groups: list[QuestionGroup] = []
    seen_ids: set[str] = set()
    raw_groups = require(data, "groups", file, None, list, "start the file with `groups:` and a list")
    for index, raw_group in enumerate(raw_groups, 1):
        group_id = str(require(raw_group, "id", file, f"group {index}", str,
                               f"give the group one of the ids {', '.join(REQUIRED_GROUPS)}"))
        item = f"group {group_id!r}"
        if group_id not in REQUIRED_GROUPS:
            raise ContentError(file, item, "is not one of the checklist's areas",
                               f"use one of {', '.join(REQUIRED_GROUPS)}")
        if any(g.id == group_id for g in groups):
            raise ContentError(file, item, "appears twice", "keep one entry per group")
        title = require(raw_group, "title", file, item, str, "give the group a title")
        questions: list[SupplierQuestion] = []
        raw_questions = require(raw_group, "questions", file, item, list, "list the group's questions")
        if not raw_questions:
            raise ContentError(file, item, "has no questions", "add at least one question")
        for number, raw in enumerate(raw_questions, 1):
            qid = str(require(raw, "id", file, f"{item}, question {number}", str,
                              "give the question an id such as cell-source"))
            qitem = f"question {qid!r}"
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", qid):
                raise ContentError(file, qitem, "id may use only lower-case letters, digits and hyphens",
                                   "rename it")
            if qid in seen_ids:
                raise ContentError(file, qitem, "is a duplicate question id", "give each question its own id")
            seen_ids.add(qid)
            texts = {name: " ".join(str(require(raw, name, file, qitem, str, fix)).split())
                     for name, fix in (("label", "give a short label such as 'Cell source'"),
                                       ("ask", "write the question to put to the supplier"),
                                       ("look_for", "say what a satisfactory written answer contains"),
                                       ("why", "say why the answer matters"))}
            cite = raw.get("cite") or []
            if isinstance(cite, str):
                cite = [cite]
            if not cite:
                raise ContentError(file, qitem, "has no citation for why it matters",
                                   "add `cite: [key]` from references.yml")
            bibliography.check_keys(list(cite), file, qitem)
            questions.append(SupplierQuestion(id=qid, group=group_id, cite=tuple(cite), **texts))
        groups.append(QuestionGroup(id=group_id, title=str(title).strip(), questions=tuple(questions)))
    missing = [g for g in REQUIRED_GROUPS if not any(group.id == g for group in groups)]
    if missing:
        raise ContentError(file, None, f"has no group for {', '.join(missing)}",
                           "add a group for every area of objective 5.1")
    return SupplierChecklist(groups=tuple(groups))


@lru_cache(maxsize=1)
def load_supplier_questions(path: Path | None = None) -> SupplierChecklist:
    """The validated supplier-questions checklist (cached: content does not change in a session)."""
    file = path or SUPPLIER_QUESTIONS_FILE
    return parse_supplier_questions(read_yaml(file), file=file.name)


def cited_keys() -> list[str]:
    """The reference keys the checklist cites (``course.finish`` adds them to the lesson's list)."""
    return load_supplier_questions().cite_keys()


# ---------------------------------------------------------------- the learner's answers

@dataclass(frozen=True)
class Response:
    """What the learner recorded for one question: answered in writing or not, and a note."""
    answered: bool = False
    note: str = ""


@dataclass(frozen=True)
class ChecklistState:
    """A filled-in checklist: who it is about and the learner's responses by question id."""
    supplier: str = ""
    product: str = ""
    responses: Mapping[str, Response] = field(default_factory=dict)

    def response(self, question_id: str) -> Response:
        return self.responses.get(question_id, Response())


def outstanding(checklist: SupplierChecklist, state: ChecklistState) -> list[SupplierQuestion]:
    """The questions the supplier has not yet answered in writing, in checklist order."""
    return [q for q in checklist.questions if not state.response(q.id).answered]


def answered_by_group(checklist: SupplierChecklist, state: ChecklistState) -> list[tuple[QuestionGroup, int]]:
    """Each group with the number of its questions answered in writing."""
    return [(g, sum(state.response(q.id).answered for q in g.questions)) for g in checklist.groups]


def state_to_json(state: ChecklistState) -> dict[str, Any]:
    return {
        "schema": STATE_SCHEMA,
        "supplier": state.supplier,
        "product": state.product,
        "responses": {qid: {"answered": r.answered, "note": r.note}
                      for qid, r in state.responses.items() if r.answered or r.note.strip()},
    }


def state_from_json(data: Any, checklist: SupplierChecklist) -> ChecklistState:
    """Read a saved state; raise CourseError if it is not one.

    Questions no longer in the checklist are dropped (the content may have been
    revised since the learner saved), so an older file still opens.
    """
    if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA:
        raise CourseError("This is not a saved supplier checklist (or it is from another version).")
    raw_responses = data.get("responses")
    if not isinstance(raw_responses, dict):
        raise CourseError("The saved supplier checklist has no readable responses.")
    known = {q.id for q in checklist.questions}
    responses: dict[str, Response] = {}
    for qid, raw in raw_responses.items():
        if qid in known and isinstance(raw, dict):
            responses[qid] = Response(answered=raw.get("answered") is True, note=str(raw.get("note") or ""))
    return ChecklistState(supplier=str(data.get("supplier") or ""), product=str(data.get("product") or ""),
                          responses=responses)


# ---------------------------------------------------------------- the document

def render_markdown(checklist: SupplierChecklist, state: ChecklistState, on: date | None = None) -> str:
    """The filled-in checklist as a Markdown document (readable as plain text too)."""
    from course._references import load_references

    bibliography = load_references()
    when = (on or date.today()).isoformat()
    total = len(checklist.questions)
    missing = outstanding(checklist, state)
    lines = [
        "# Supplier questions checklist",
        "",
        f"- Supplier: {_one_line(state.supplier) or '(not given)'}",
        f"- Product: {_one_line(state.product) or '(not given)'}",
        f"- Date: {when}",
        f"- Answered in writing: {total - len(missing)} of {total}",
        "",
        _DISCLAIMER,
        "",
    ]
    for group, answered in answered_by_group(checklist, state):
        lines += [f"## {group.title} ({answered} of {len(group.questions)} answered)", ""]
        for question in group.questions:
            response = state.response(question.id)
            mark = "x" if response.answered else " "
            cites = "; ".join(bibliography.get(k).short for k in question.cite)
            lines += [
                f"- [{mark}] **{question.label}.** {question.ask}",
                f"  - A good answer: {question.look_for}",
                f"  - Why it matters: {question.why} ({cites})",
            ]
            if response.note.strip():
                note = "\n    ".join(response.note.strip().splitlines())
                lines.append(f"  - My notes: {note}")
            lines.append("")
    lines += ["## Still to obtain", ""]
    if missing:
        lines += [f"- {q.label}: {q.ask}" for q in missing]
    else:
        lines.append("- Nothing: every question has a written answer. Check the answers against "
                     "what a good answer contains before you decide.")
    lines += ["", "## References", ""]
    lines += [f"- {bibliography.get(k).full_markdown()}" for k in checklist.cite_keys()]
    return "\n".join(lines) + "\n"


def render_pdf(checklist: SupplierChecklist, state: ChecklistState, on: date | None = None) -> bytes:
    """The filled-in checklist as a PDF (the same content as the Markdown document)."""
    from course._pdf import Document
    from course._references import load_references

    bibliography = load_references()
    missing = outstanding(checklist, state)
    total = len(checklist.questions)
    document = Document("Supplier questions checklist")
    document.heading("Supplier questions checklist")
    document.field("Supplier", _one_line(state.supplier) or "(not given)")
    document.field("Product", _one_line(state.product) or "(not given)")
    document.field("Date", (on or date.today()).isoformat())
    document.field("Answered in writing", f"{total - len(missing)} of {total}")
    document.space()
    document.paragraph(_DISCLAIMER, size=9.5)
    for group, answered in answered_by_group(checklist, state):
        document.space()
        document.heading(f"{group.title} ({answered} of {len(group.questions)} answered)", size=12.5)
        for question in group.questions:
            response = state.response(question.id)
            mark = "[x]" if response.answered else "[  ]"
            cites = "; ".join(bibliography.get(k).short for k in question.cite)
            document.paragraph(f"{mark} {question.label}. {question.ask}", bold=True)
            document.paragraph(f"A good answer: {question.look_for}", size=9.5, indent=6)
            document.paragraph(f"Why it matters: {question.why} ({cites})", size=9.5, indent=6)
            if response.note.strip():
                document.paragraph(f"My notes: {response.note.strip()}", size=9.5, indent=6)
            document.space(1.5)
    document.heading("Still to obtain", size=12.5)
    for question in missing:
        document.paragraph(f"- {question.label}", size=10)
    if not missing:
        document.paragraph("Nothing: every question has a written answer.", size=10)
    document.space()
    document.heading("References", size=12.5)
    for key in checklist.cite_keys():
        reference = bibliography.get(key)
        document.paragraph(reference.citation + (f" doi:{reference.doi}" if reference.doi else ""), size=9)
    return bytes(document.pdf.output())


def document_name(state: ChecklistState) -> str:
    """A file name for the document, from the supplier's name: ``supplier-checklist-acme.md``."""
    slug = re.sub(r"[^a-z0-9]+", "-", state.supplier.lower()).strip("-")[:40].strip("-")
    return f"supplier-checklist-{slug or 'unnamed-supplier'}.md"


def download_link_html(file_name: str, content: str | bytes, what: str = "") -> str:
    """An HTML link that downloads ``content`` as ``file_name`` in JupyterLab and Notebook.

    The content travels in the link itself (a ``data:`` URL), so the download works even
    when the learner's record folder is outside the folder Jupyter serves.
    """
    if isinstance(content, str):
        payload, mime = content.encode("utf-8"), "text/markdown;charset=utf-8"
    else:
        payload, mime = content, "application/pdf"
    encoded = base64.b64encode(payload).decode("ascii")
    name = html.escape(file_name, quote=True)
    label = f"Download {html.escape(what)} ({html.escape(file_name)})" if what else f"Download {html.escape(file_name)}"
    # JupyterLab's widget styles hide link colour; underline and colour say "this is a link".
    style = "color:#0b57a4;text-decoration:underline"
    return f'<a download="{name}" href="data:{mime};base64,{encoded}" style="{style}">{label}</a>'


@dataclass(frozen=True)
class SavedChecklist:
    """Where a saved checklist went: the Markdown document, its PDF, and the form's state."""
    document: Path
    pdf: Path
    state: Path


def save_checklist(checklist: SupplierChecklist, state: ChecklistState, directory: Path,
                   on: date | None = None) -> SavedChecklist:
    """Write the document (Markdown and PDF) and the state into ``directory``, atomically.

    An unwritable folder raises CourseError saying where and what to do.
    """
    document = directory / document_name(state)
    pdf = document.with_suffix(".pdf")
    state_path = directory / STATE_FILE_NAME
    state_json = json.dumps({**state_to_json(state), "saved": datetime.now().isoformat(timespec="seconds")},
                            ensure_ascii=False, indent=2)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(document, render_markdown(checklist, state, on).encode("utf-8"))
        atomic.write_bytes(pdf, render_pdf(checklist, state, on))
        atomic.write_bytes(state_path, state_json.encode("utf-8"))
    except OSError as exc:
        raise CourseError(f"Could not save the checklist in {directory} ({exc.strerror or exc}). "
                          "Your ticks and notes are still in the form: use the download link, "
                          "or check that the folder exists and you may write to it.") from exc
    return SavedChecklist(document=document, pdf=pdf, state=state_path)


def load_saved_state(directory: Path, checklist: SupplierChecklist) -> tuple[ChecklistState, str | None]:
    """The last saved state in ``directory`` and a message for the learner, if any.

    No file gives an empty checklist and no message; an unreadable file gives an empty
    checklist and a one-line message (the file is left where it is, untouched).
    """
    path = directory / STATE_FILE_NAME
    if not path.exists():
        return ChecklistState(), None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return state_from_json(data, checklist), f"Reopened your checklist saved in {path}."
    except (OSError, ValueError, CourseError):
        return ChecklistState(), (f"Your saved checklist in {path} could not be read, so the form starts "
                                  "empty; the file has not been changed.")


def record_directory() -> Path:
    """The folder that holds the learner's progress record (where the checklist is saved)."""
    from course._progress import default_store

    return Path(default_store().path).parent


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- the widget view

class ChecklistView:
    """The ipywidgets form over the rules above (``checklist()`` displays ``.widget``)."""

    def __init__(self, directory: Path | None = None) -> None:
        import ipywidgets as widgets

        from course._references import load_references

        self.checklist = load_supplier_questions()
        self.directory = directory if directory is not None else record_directory()
        saved, message = load_saved_state(self.directory, self.checklist)
        bibliography = load_references()
        wide = widgets.Layout(width="95%")
        label_style = {"description_width": "initial"}

        self.supplier = widgets.Text(value=saved.supplier, description="Supplier",
                                     placeholder="Supplier's name", style=label_style, layout=wide)
        self.product = widgets.Text(value=saved.product, description="Product",
                                    placeholder="Product name as on the label", style=label_style, layout=wide)
        self.answered: dict[str, Any] = {}
        self.notes: dict[str, Any] = {}
        sections = []
        for group in self.checklist.groups:
            rows = []
            for question in group.questions:
                response = saved.response(question.id)
                cites = "; ".join(cite_html(k, bibliography) for k in question.cite)
                rows.append(widgets.HTML(
                    f"<p><strong>{html.escape(question.label)}.</strong> {html.escape(question.ask)}<br>"
                    f"<em>A good answer:</em> {html.escape(question.look_for)}<br>"
                    f"<em>Why it matters:</em> {html.escape(question.why)} ({cites})</p>"))
                self.answered[question.id] = widgets.Checkbox(
                    value=response.answered, indent=False, style=label_style, layout=wide,
                    description=f"Answered in writing: {question.label}")
                self.notes[question.id] = widgets.Textarea(
                    value=response.note, description=f"Notes on {question.label.lower()}",
                    placeholder="What the supplier said, and the document's name and date",
                    style=label_style, layout=wide)
                rows += [self.answered[question.id], self.notes[question.id]]
            sections.append(widgets.VBox(rows))
        self.groups = widgets.Accordion(children=sections)
        self.tally = widgets.HTML()
        self.save_button = widgets.Button(description="Save and download", icon="download",
                                          button_style="primary",
                                          tooltip="Save the checklist to your record folder and get a download link",
                                          layout=widgets.Layout(width="fit-content"))
        self.result = widgets.HTML(f"<p>{html.escape(message)}</p>" if message else "")
        for box in self.answered.values():
            box.observe(lambda _change: self._refresh(), names="value")
        self.save_button.on_click(lambda _button: self.save())
        self._refresh()
        intro = widgets.HTML(
            STYLE + "<p>Open each area, tick a question once the supplier has answered it <strong>in "
            "writing</strong>, and note the document that answers it. Keep patient details out "
            "of this form. <em>Save and download</em> stores a copy with your learning record "
            "and gives you a file to keep or send.</p>")
        self.widget = widgets.VBox([intro, self.supplier, self.product, self.groups, self.tally,
                                    self.save_button, self.result])
        self.widget.add_class("erc-quiz")  # the course style: long labels wrap instead of being cut off

    def state(self) -> ChecklistState:
        """What the form holds now."""
        return ChecklistState(
            supplier=self.supplier.value, product=self.product.value,
            responses={qid: Response(answered=bool(self.answered[qid].value), note=self.notes[qid].value)
                       for qid in self.answered})

    def save(self) -> None:
        """Save the document and state, and show the download links (even if saving fails)."""
        state = self.state()
        name = document_name(state)
        links = download_link_html(name, render_markdown(self.checklist, state), "as text")
        try:
            saved = save_checklist(self.checklist, state, self.directory)
        except CourseError as error:
            self.result.value = f'<p role="status">{html.escape(str(error))}</p><p>{links}</p>'
            return
        links += " · " + download_link_html(saved.pdf.name, saved.pdf.read_bytes(), "as PDF")
        missing = outstanding(self.checklist, state)
        still = (f"{len(missing)} question(s) still need a written answer."
                 if missing else "Every question has a written answer.")
        self.result.value = (f'<p role="status">Saved to <code>{html.escape(str(saved.document))}</code> '
                             f"and its PDF beside it. {still}</p><p>{links}</p>")

    def _refresh(self) -> None:
        state = self.state()
        for index, (group, answered) in enumerate(answered_by_group(self.checklist, state)):
            self.groups.set_title(index, f"{group.title} ({answered} of {len(group.questions)} answered)")
        total = len(self.checklist.questions)
        done = total - len(outstanding(self.checklist, state))
        self.tally.value = f"<p><strong>{done} of {total}</strong> questions answered in writing.</p>"


def checklist() -> None:
    """Show the supplier-questions checklist: tick, annotate, save and download it.

    While nbgrader executes a notebook (``NBGRADER_EXECUTION`` is set) nothing is shown.
    """
    if grading_now():
        return
    try:
        view = ChecklistView()
    except CourseError as error:
        print(error)
        return
    show(view.widget)
