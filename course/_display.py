"""Small display helpers shared by the learner-facing views."""
from __future__ import annotations

import html
import os
import re
from typing import Any


def grading_now() -> bool:
    """True while nbgrader executes a notebook: views then show no widgets."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def show(*objects: Any, raw: bool = False) -> None:
    from IPython.display import display

    display(*objects, raw=raw)


def show_html(markup: str) -> None:
    from IPython.display import HTML

    show(HTML(markup))


def inline_markdown(text: str) -> str:
    """Escape ``text`` and render the little Markdown authors use in YAML (bold, italics, code)
    and ``[@key]`` citations as short linked citations."""
    from course._references import _CITATION_GROUP, _KEY, load_references

    bibliography = load_references()
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)

    def citation(match: re.Match[str]) -> str:
        keys = _KEY.findall(match.group(1))
        return "(" + "; ".join(cite_html(k, bibliography) for k in keys) + ")"

    return _CITATION_GROUP.sub(citation, out)


def cite_html(key: str, bibliography: Any | None = None) -> str:
    from course._references import load_references

    ref = (bibliography or load_references()).get(key)
    short = html.escape(ref.short)
    title = html.escape(ref.citation, quote=True)
    if ref.link:
        return f'<a href="{ref.link}" title="{title}" target="_blank" rel="noopener">{short}</a>'
    return f'<span title="{title}">{short}</span>'


def sources_html(keys: tuple[str, ...] | list[str]) -> str:
    if not keys:
        return ""
    return '<span class="erc-source">Source: ' + "; ".join(cite_html(k) for k in keys) + "</span>"


# One small stylesheet for all course widgets: long option labels wrap beside their radio
# button or checkbox instead of being cut off or pushed apart from it, keyboard focus is
# plainly visible (3 px, 3:1 contrast or more against white and the button colours), and
# feedback has room. Colours meet WCAG AA contrast on white.
STYLE = """
<style>
.erc-quiz { border: 1px solid #767676; border-radius: 6px; padding: 0.6em 0.9em; margin: 0.6em 0; }
.erc-quiz .widget-radio-box label, .erc-quiz .widget-checkbox label, .erc-quiz .widget-label {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.35; }
.erc-quiz .widget-radio-box { width: 100% !important; }
.erc-quiz .widget-radio-box label, .erc-quiz .widget-checkbox label {
  display: flex !important; align-items: flex-start; gap: 0.55em; }
.erc-quiz .widget-radio-box label { margin-bottom: 0.35em; }
.erc-quiz .widget-radio-box input, .erc-quiz .widget-checkbox input {
  flex: none; margin: 0.2em 0 0 1px !important; width: 1.05em; height: 1.05em; }
.erc-quiz .widget-checkbox { width: 100% !important; height: auto !important; }
.erc-quiz .jupyter-button:focus, .erc-quiz .jupyter-button:focus-visible,
.erc-quiz input:focus-visible, .erc-quiz textarea:focus-visible, .erc-quiz select:focus-visible {
  outline: 3px solid #0b57a4 !important; outline-offset: 2px !important;
  box-shadow: 0 0 0 5px #ffffff !important; }
.erc-feedback { line-height: 1.4; }
.erc-right { color: #1b5e20; font-weight: bold; }
.erc-wrong { color: #8a1c1c; font-weight: bold; }
.erc-source { display: block; font-size: 0.9em; color: #3b3b3b; margin-top: 0.15em; }
.erc-note { border-left: 4px solid #0072B2; padding: 0.4em 0.8em; background: #f2f7fb; color: #1a1a1a; }
</style>
"""
