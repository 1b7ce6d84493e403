"""The checklist's ipywidgets form: tick, annotate, save and download (``course.checklist``).

A thin view over the content, state, document and storage modules.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from course._activity import note
from course._checklist.content import load_supplier_questions
from course._checklist.document import document_name, render_markdown
from course._checklist.state import ChecklistState, Response, answered_by_group, outstanding
from course._checklist.storage import load_saved_state, record_directory, save_checklist
from course._display import STYLE, cite_html, grading_now, show
from course._errors import CourseError
from course._progress import where


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



class ChecklistView:
    """The ipywidgets form over the rules above (``checklist()`` displays ``.widget``)."""

    def __init__(self, directory: Path | None = None) -> None:
        import ipywidgets as widgets
        from ipywidgets.widgets.widget_bool import CheckboxStyle
        from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

        from course._references import load_references

        self.checklist = load_supplier_questions()
        self.directory = directory if directory is not None else record_directory()
        saved, message = load_saved_state(self.directory, self.checklist)
        bibliography = load_references()
        # One layout and one style object per kind, shared by the form's 60 widgets: each
        # would otherwise open its own two (a Jupyter comm each).
        wide, plain = widgets.Layout(width="95%"), widgets.Layout()
        text_style = HTMLStyle()
        label_style = {"description_width": "initial"}
        box_style = CheckboxStyle(**label_style)
        notes_style = TextStyle(**label_style)

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
                    f"<em>Why it matters:</em> {html.escape(question.why)} ({cites})</p>",
                    layout=plain, style=text_style))
                self.answered[question.id] = widgets.Checkbox(
                    value=response.answered, indent=False, style=box_style, layout=wide,
                    description=f"Answered in writing: {question.label}")
                self.notes[question.id] = widgets.Textarea(
                    value=response.note, description=f"Notes on {question.label.lower()}",
                    placeholder="What the supplier said, and the document's name and date",
                    style=notes_style, layout=wide)
                rows += [self.answered[question.id], self.notes[question.id]]
            sections.append(widgets.VBox(rows, layout=plain))
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
        note(None, "checklist-save")
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
        self.result.value = (f'<p role="status">Saved to <code>{html.escape(where(saved.document))}</code> '
                             f"and its PDF beside it. {still}</p><p>{links}</p>")

    def _refresh(self) -> None:
        note(None, "checklist")
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


__all__ = ["ChecklistView", "checklist", "download_link_html"]
