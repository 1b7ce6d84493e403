"""The supplier-questions checklist of lesson 05: what to ask before you buy an EV product.

In a lesson::

    import course
    course.checklist()

A learner ticks what a supplier has answered in writing, adds notes, and saves and
downloads the result as Markdown and PDF. One concern per module:

- ``content``  the questions and the disclaimer (``course/content/supplier_questions.yml``)
- ``state``    the learner's ticks and notes, and their JSON form
- ``document`` one document structure, rendered as Markdown and as PDF
- ``storage``  saving beside the learner's record, and reopening
- ``widget``   the ipywidgets form
"""
from __future__ import annotations

from course._checklist.content import (
    REQUIRED_GROUPS,
    SUPPLIER_QUESTIONS_FILE,
    QuestionGroup,
    SupplierChecklist,
    SupplierQuestion,
    cited_keys,
    load_supplier_questions,
    parse_supplier_questions,
)
from course._checklist.document import document_blocks, document_name, render_markdown, render_pdf
from course._checklist.state import (
    STATE_SCHEMA,
    ChecklistState,
    Response,
    answered_by_group,
    outstanding,
    state_from_json,
    state_to_json,
)
from course._checklist.storage import (
    STATE_FILE_NAME,
    SavedChecklist,
    load_saved_state,
    record_directory,
    save_checklist,
)
from course._checklist.widget import ChecklistView, checklist, download_link_html

__all__ = ["checklist", "ChecklistView", "download_link_html", "REQUIRED_GROUPS", "SUPPLIER_QUESTIONS_FILE",
           "QuestionGroup", "SupplierChecklist", "SupplierQuestion", "cited_keys", "load_supplier_questions",
           "parse_supplier_questions", "document_blocks", "document_name", "render_markdown", "render_pdf",
           "STATE_SCHEMA", "ChecklistState", "Response", "answered_by_group", "outstanding", "state_from_json",
           "state_to_json", "STATE_FILE_NAME", "SavedChecklist", "load_saved_state", "record_directory",
           "save_checklist"]
