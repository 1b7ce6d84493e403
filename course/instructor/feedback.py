"""Feedback: one HTML page per learner with their answers, their scores and the visible checks.

nbgrader's own feedback shows the hidden tests (nbgrader #917), and a failed hidden test's
traceback quotes the line that holds the keyed answer. So before nbgrader's
``GenerateFeedback`` renders a page, every graded cell is shown as the learner saw it
(its released source), and a graded cell's error output is replaced by a plain sentence.
Each page is then checked for any hidden test line; a page that has one is deleted and
reported, never left for a learner to see. Plotly figures keep their JavaScript.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from course._errors import ConfigurationError
from course.instructor._logs import CapturedLog, summary
from course.instructor.assessments import HIDDEN_BEGIN, HIDDEN_END, cell_text, nbgrader_meta, read_notebook_json
from course.instructor.coursedir import CourseDir

PLOTLY_MIME = "application/vnd.plotly.v1+json"
NOT_EARNED = "This question did not earn its mark."


@dataclass(frozen=True)
class FeedbackFile:
    learner: str
    path: Path | None
    problem: str = ""


@dataclass(frozen=True)
class FeedbackResult:
    assessment: str
    files: tuple[FeedbackFile, ...] = field(default_factory=tuple)

    @property
    def written(self) -> list[FeedbackFile]:
        return [f for f in self.files if f.path is not None]

    @property
    def failed(self) -> list[FeedbackFile]:
        return [f for f in self.files if f.path is None]


def hidden_test_lines(source_notebook: Path) -> list[str]:
    """Every non-blank line inside a hidden-test region of the source notebook."""
    lines: list[str] = []
    for cell in read_notebook_json(source_notebook)["cells"]:
        inside = False
        for line in cell_text(cell).splitlines():
            if HIDDEN_BEGIN in line:
                inside = True
            elif HIDDEN_END in line:
                inside = False
            elif inside and line.strip():
                lines.append(line.strip())
    return lines


def leaks(html: str, hidden_lines: list[str]) -> list[str]:
    """The hidden-test lines (or delimiters) that appear in a rendered page."""
    text = re.sub(r"<[^>]+>", "", html)        # highlighted code is split by <span> tags
    import html as html_module

    text = html_module.unescape(text)
    found = [line for line in hidden_lines
             if line in text and not line.startswith(("from course._answers import", "import "))]
    found += [d for d in (HIDDEN_BEGIN, HIDDEN_END) if d in text]
    return found


def _preprocessor_classes() -> list[Any]:
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbformat.v4 import new_output
    from nbgrader import utils
    from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor
    from traitlets import Dict

    class ShowReleasedCells(NbGraderPreprocessor):
        """Graded and read-only cells as the learner saw them; a graded cell's error replaced."""

        released = Dict(help="grade_id -> released source").tag(config=True)

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in self.released and (utils.is_grade(cell) or utils.is_locked(cell)) \
                    and not utils.is_solution(cell):
                cell.source = self.released[grade_id]
            if cell.cell_type == "code" and utils.is_grade(cell):
                kept = [o for o in cell.outputs if o.output_type != "error"
                        and not (o.output_type == "stream" and o.get("name") == "stderr")]
                if len(kept) != len(cell.outputs):
                    kept.append(new_output("stream", name="stdout", text=NOT_EARNED + "\n"))
                cell.outputs = kept
            return cell, resources

    class EmbedPlotly(NbGraderPreprocessor):
        """Render plotly figures to HTML with plotly.js inlined once, so they show offline."""

        def preprocess(self, nb: Any, resources: Any) -> Any:
            self._included = False
            return super().preprocess(nb, resources)

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if PLOTLY_MIME in data:
                    import plotly.io as pio

                    figure = data[PLOTLY_MIME]
                    html = pio.to_html(figure, include_plotlyjs=not self._included, full_html=False)
                    self._included = True
                    output.data = {"text/html": html}
            return cell, resources

    return [ShowReleasedCells, EmbedPlotly, GetGrades, CSSHTMLHeaderPreprocessor]


def released_sources(release_notebook: Path) -> dict[str, str]:
    return {str(nbgrader_meta(c)["grade_id"]): cell_text(c)
            for c in read_notebook_json(release_notebook)["cells"] if nbgrader_meta(c).get("grade_id")}


def feedback(course: CourseDir, assessment: str, learners: list[str] | None = None) -> FeedbackResult:
    """Write ``feedback/<learner>/<assessment>/assessment.html`` for every autograded learner."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.converters.base import NbGraderException
    from traitlets.config import Config

    assessment = course.resolve(assessment)
    release_notebook = course.release_notebook(assessment)
    if not release_notebook.exists():
        raise ConfigurationError(f"{assessment} has not been released: run `exocourse release {assessment}`.")
    graded = sorted(p.parent.parent.name for p in course.autograded_dir.glob(f"*/{assessment}/assessment.ipynb"))
    if learners is not None:
        graded = [g for g in graded if g in set(learners)]
    if not graded:
        raise ConfigurationError(f"Nobody has been autograded on {assessment} yet: run "
                                 f"`exocourse autograde {assessment}` first.")
    classes = _preprocessor_classes()
    config = Config(course.config)
    config.merge(Config({classes[0].__name__: {"released": released_sources(release_notebook)}}))
    hidden = hidden_test_lines(course.source_notebook(assessment))
    files: list[FeedbackFile] = []
    for learner in graded:
        log = CapturedLog("feedback")
        try:
            converter = GenerateFeedback(coursedir=course.nbgrader_coursedir(assessment, learner),
                                         config=config, log=log.logger)
            converter.preprocessors = classes
            converter.force = True
            converter.start()
            problem = ""
        except NbGraderException:
            problem = summary(log.messages) or "nbgrader could not render the page"
        finally:
            log.close()
        files.append(_checked(course.feedback_file(learner, assessment), learner, hidden, problem))
    return FeedbackResult(assessment, tuple(files))


def _checked(path: Path, learner: str, hidden: list[str], problem: str) -> FeedbackFile:
    if problem or not path.exists():
        return FeedbackFile(learner, None, problem or "no page was written")
    found = leaks(path.read_text(encoding="utf-8"), hidden)
    if found:
        path.unlink()
        return FeedbackFile(learner, None, "the page would have shown a hidden test, so it was deleted: "
                            + escape(found[0][:80]))
    return FeedbackFile(learner, path)
