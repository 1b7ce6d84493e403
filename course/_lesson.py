"""The frame of every lesson: ``course.start`` at the top and ``course.finish`` at the end.

``start`` shows the lesson's title, minutes and objectives from the syllabus (the one
manifest), the safety note, and starts the clock for the learner's own time record.
``finish`` marks the lesson done and prints its reference list, built from every
citation the lesson actually uses.
"""
from __future__ import annotations

import html
import json
import re
from importlib import import_module
from typing import Any

from course._display import STYLE, grading_now, inline_markdown, show_html
from course._progress import default_store
from course._references import keys_in_text, load_references
from course._syllabus import load_syllabus

SAFETY_NOTE = (
    "No exosome product is approved by the US FDA for aesthetic use: as of its notices of "
    "6 December 2019 and 22 July 2020 there are no FDA-approved exosome products [@fda2019; @fda2020]. "
    "This course does not qualify anyone to administer an exosome product."
)

# Verbs whose module can say which references its tool cites (``cited_keys()``).
_TOOL_MODULES = {"dossier_checker": "course._dossier", "factcheck": "course._factcheck",
                 "checklist": "course._checklist"}


def start(module: str) -> None:
    """Show this lesson's objectives and minutes, and start your time record."""
    syllabus = load_syllabus()
    m = syllabus.module(module)
    default_store().mark_started(m.id)
    if grading_now():
        return
    objectives = "".join(f"<li><strong>{o.id}</strong> {inline_markdown(o.text)}</li>" for o in m.objectives)
    extra = ""
    if m.id == "00":
        info = syllabus.course
        extra = (f"<p><strong>Declaration of interests.</strong> {html.escape(info.declaration_of_interests)}</p>"
                 f"<p><strong>Content reviewed:</strong> {html.escape(info.content_review_date)}. "
                 f"Course version {html.escape(info.version)}.</p>")
    show_html(
        STYLE
        + f'<div class="erc-lesson-start"><h2>Module {m.id}: {html.escape(m.title)}</h2>'
        + f"<p><strong>Estimated time:</strong> {m.minutes} minutes</p>"
        + (f"<p><strong>By the end you should be able to:</strong></p><ul>{objectives}</ul>" if objectives else "")
        + extra
        + f'<p class="erc-note" role="note"><strong>Safety note.</strong> {inline_markdown(SAFETY_NOTE)}</p></div>'
    )


def cited_keys(module: str, cells: list[dict[str, Any]] | None = None) -> list[str]:
    """Every reference key a lesson uses: its Markdown, objectives, questions, figures and tools.

    ``cells`` are the lesson's cells (default: read from its notebook; the lesson renderer
    passes the cells it is rendering)."""
    from course._questions import bank_path, load_bank

    syllabus = load_syllabus()
    keys: dict[str, None] = {}
    keys.update(dict.fromkeys(keys_in_text(SAFETY_NOTE)))
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
    """Mark this lesson done, record your time, and show its reference list."""
    m = load_syllabus().module(module)
    seconds = default_store().mark_finished(m.id)
    if grading_now():
        return
    bibliography = load_references()
    references = sorted((bibliography.get(k) for k in cited_keys(m.id)), key=lambda r: r.citation.lower())
    items = "".join(f"<li>{r.full_html()} <small>[{html.escape(r.key)}]</small></li>" for r in references)
    minutes = round(seconds / 60)
    show_html(
        f'<div class="erc-lesson-finish"><p class="erc-note" role="status"><strong>Module {m.id} complete.</strong> '
        f"Your recorded time on this lesson so far: {minutes} minute{'s' if minutes != 1 else ''} "
        f"(estimated: {m.minutes}).</p>"
        f"<h3>References for this lesson</h3><ol>{items}</ol></div>"
    )


__all__ = ["start", "finish", "cited_keys", "SAFETY_NOTE"]
