"""The checker's ipywidgets view: a thin form over the rules (``course.dossier_checker``).

Each control's description is its field label from dossier.yml, so screen readers
announce it and the browser test can find it by that label.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from course._activity import note
from course._dossier.render import CHECK_BUTTON_LABEL, CLEAR_BUTTON_LABEL, report_html
from course._dossier.rules import DossierReport, check_dossier
from course._dossier.spec import EntryValue, load_spec
from course._errors import CourseError

_WIDGET_STYLE = """
<style>
.erc-dossier .widget-label { white-space: normal !important; height: auto !important; line-height: 1.3; }
.erc-dossier .widget-inline-hbox { height: auto !important; min-height: var(--jp-widgets-inline-height, 28px); }
.erc-dossier-report h4 { margin: 0.8em 0 0.3em 0; }
.erc-dossier-report li { margin-bottom: 0.35em; line-height: 1.4; }
</style>
"""


class DossierChecker:
    """The checker's controls, its buttons and its result area (an ipywidgets VBox)."""

    def __init__(self, worked_example: bool = False) -> None:
        import ipywidgets as w

        self.spec = load_spec()
        label_style = {"description_width": "25em"}
        wide = w.Layout(width="55em", max_width="100%")
        self.controls: dict[str, Any] = {}
        rows: list[Any] = []
        group = None
        for item in self.spec.fields:
            if item.group != group:
                group = item.group
                rows.append(w.HTML(f"<h4>{html.escape(group)}</h4>"))
            if item.kind == "checkbox":
                control = w.Checkbox(value=False, description=item.label, indent=False,
                                     layout=w.Layout(width="52em", max_width="100%"))
            elif item.kind == "choice":
                control = w.Dropdown(options=[(c.label, c.value) for c in item.choices], value="not_stated",
                                     description=item.label, style=label_style, layout=wide)
            else:
                control = w.Text(value="", description=item.label, placeholder=item.placeholder,
                                 style=label_style, layout=wide, continuous_update=False)
            self.controls[item.key] = control
            rows.append(control)
        self.check_button = w.Button(description=CHECK_BUTTON_LABEL, button_style="primary",
                                     tooltip="List what this dossier is missing, with sources",
                                     icon="check")
        self.clear_button = w.Button(description=CLEAR_BUTTON_LABEL,
                                     tooltip="Empty every field to start a new dossier")
        self.result = w.HTML(value="")
        self.figure_area = w.Output()
        self.check_button.on_click(lambda _: self.check())
        self.clear_button.on_click(lambda _: self.clear())
        if worked_example:
            self.fill(self.spec.example_values)
        intro = w.HTML(f"<p><strong>{html.escape(self.spec.example_name)}</strong> is filled in below. "
                       f"Change any entry and press “{CHECK_BUTTON_LABEL}”.</p>" if worked_example else
                       f"<p>Record what the supplier's documents show, then press “{CHECK_BUTTON_LABEL}”.</p>")
        self.widget = w.VBox([intro, *rows, w.HBox([self.check_button, self.clear_button]),
                              self.result, self.figure_area])
        self.widget.add_class("erc-dossier")

    def entries(self) -> dict[str, EntryValue]:
        return {key: control.value for key, control in self.controls.items()}

    def fill(self, values: Mapping[str, EntryValue]) -> None:
        for key, value in values.items():
            control = self.controls[key]
            if isinstance(control.value, bool):
                control.value = value is True
            elif key == "fbs":
                control.value = str(value or "not_stated")
            else:
                control.value = "" if value is None else str(value)

    def clear(self) -> None:
        for key, control in self.controls.items():
            control.value = False if isinstance(control.value, bool) else ("not_stated" if key == "fbs" else "")
        self.result.value = ""
        self.figure_area.clear_output()

    def check(self) -> DossierReport | None:
        """Run the rules on the controls' values and show the result (and the figure)."""
        note(None, "dossier-check")
        self.figure_area.clear_output()
        try:
            report = check_dossier(self.entries())
        except CourseError as exc:
            self.result.value = f'<p role="alert">{html.escape(str(exc))}</p>'
            return None
        self.result.value = report_html(report)
        if report.ratio is not None:
            from course._figures import figure

            with self.figure_area:
                figure("purity_bands", ratio=report.ratio, label="This product")
        return report


def dossier_checker(worked_example: bool = False) -> None:
    """Check a supplier's dossier: tick or type what it documents, press "Check dossier".

    ``course.dossier_checker()`` gives an empty form; ``worked_example=True`` fills it
    with the lesson's fictional certificate of analysis.
    """
    from course._display import grading_now, show, show_html

    if grading_now():       # nbgrader is executing the notebook: no widgets
        return None
    show_html(_WIDGET_STYLE)
    show(DossierChecker(worked_example=worked_example).widget)
    return None


__all__ = ["DossierChecker", "dossier_checker"]
