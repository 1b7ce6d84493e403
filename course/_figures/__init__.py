"""Figures for the lessons, in one accessible theme.

``course.figure("size_ladder")`` imports ``course._figures.size_ladder``, calls its
``build()`` and shows three things: the interactive plotly figure, a text description,
and the data behind it as a small table (for screen-reader users and for anyone who
prefers numbers). Builders write the plotly figure as plain data (``spec.py``): no lesson imports plotly.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from course._display import cite_html, grading_now, show, show_html
from course._errors import ContentError


@dataclass
class Figure:
    """A built figure: the plotly figure plus its text alternative and data."""
    figure: Any
    description: str
    columns: list[str]
    rows: list[list[Any]]
    cite: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        title = getattr(self.figure.layout.title, "text", None) if self.figure is not None else None
        return title or ""

    def description_html(self) -> str:
        sources = "; ".join(cite_html(k) for k in self.cite)
        return (f'<p class="erc-figure-description"><strong>Figure description.</strong> '
                f'{html.escape(self.description)}'
                + (f" Sources: {sources}." if sources else "") + "</p>")

    def table_html(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
                       for row in self.rows)
        caption = html.escape(f"Data for the figure: {self.title}" if self.title else "Data for the figure")
        return (f'<details class="erc-figure-data"><summary>Show the data as a table</summary>'
                f'<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table></details>")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) >= 1e4 or (value and abs(value) < 1e-2) else f"{value:g}"
    return "" if value is None else str(value)


_BUILT: dict[str, Figure] = {}


def build(name: str, **options: Any) -> Figure:
    """Build the named figure without showing it (tests and reports use this).

    A figure built without options is kept for the session: ``course.finish`` asks each
    of the lesson's figures for its sources, and building it again would cost as much as
    the first time. Figures built with options (a learner's own product) are always new.
    """
    if not options and name in _BUILT:
        return _BUILT[name]
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ContentError("course/figures", name, "is not a figure name", "use e.g. course.figure(\"size_ladder\")")
    try:
        module = import_module(f"course._figures.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"course._figures.{name}":
            raise
        raise ContentError("course/figures", name, "is not a figure the course has",
                           f"add course/figures/{name}.py with a build() function") from None
    figure = module.build(**options)
    if not isinstance(figure, Figure) or not figure.description.strip() or not figure.rows:
        raise ContentError(f"course/figures/{name}.py", "build()", "must return a Figure with a description and data",
                           "return course._figures.Figure(figure=..., description=..., columns=..., rows=...)")
    if not options:
        _BUILT[name] = figure
    return figure


def figure(name: str, **options: Any) -> Figure | None:
    """Show a figure with its description and data table, e.g. ``course.figure("size_ladder")``."""
    built = build(name, **options)
    if grading_now():
        print(f"(Figure: {built.title})")
        return None
    show(mimebundle(built), raw=True)
    show_html(built.description_html() + built.table_html())
    return None


PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"


def mimebundle(built: Figure) -> dict[str, Any]:
    """The figure as JupyterLab's plotly renderer takes it, plus a text fallback.

    Displaying a plotly figure the usual way goes through ``plotly.io``'s renderers, which
    import nbformat and with it jsonschema's format checkers: about a second on every
    lesson's first figure. Emitting the same MIME bundle directly costs milliseconds.
    """
    import json

    spec = json.loads(built.figure.to_json())
    spec["config"] = {"displaylogo": False, "responsive": True}
    return {PLOTLY_MIMETYPE: spec, "text/plain": f"Figure: {built.title}. {built.description}"}
