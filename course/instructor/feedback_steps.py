"""nbgrader's ``GenerateFeedback``, made safe and truthful: the steps ``grading/nbgrader_config.py`` lists.

nbgrader's own feedback renders the autograded notebook as it is: hidden tests, a failed
test's traceback quoting the keyed answer, "Score: 0.0 / 4.0" for a reflection nobody has
marked yet, and "Test cell" seven times. Here the page is *rebuilt*, so what is not put
in cannot leak out. Four small preprocessors and one exporter, each testable alone:

1. ``ReadFinalMarks``: every graded cell's final mark from the gradebook (an instructor's
   override in Formgrader wins over the autograder; a reflection nobody marked is "not yet
   marked", never 0), and the course team's comments;
2. ``ReadLearnerAnswers``: what the learner typed, read from their own answer cells with
   ``course._answers.read_answer`` (Python's ``ast``; nothing is run), and their reflection;
3. ``ComposeFeedback``: replaces every cell with the page: a summary at the top (score,
   pass or not by ``Module.passed``, the reflection's state, what to revisit), a figure of
   the marks by objective, then "Question N" sections with the released prompt, the
   learner's answer *as a value* and the verdict from the final marks; a missed question
   names its objective and the lesson sections to revisit (``revisit`` in the syllabus),
   never the key. Only released text, the learner's own text, the gradebook's marks and
   comments, and the syllabus go in;
4. ``RenderCitations``: ``[@key]`` in prompts and comments as author–year links to a
   reference list at the end of the page (``course._references``);
5. ``EmbedPlotly``: plotly figures as HTML with plotly.js inlined once, so they show offline;

and ``CheckedFeedbackExporter``, nbgrader's HTML exporter with the course's template,
which checks every rendered page with ``course.instructor.leaks`` (this assessment's keys,
solutions, hidden tests, marking guide and model answer; other learners' ids, names and
reflections; roster lines; the certificate signing key) *before* nbgrader writes it. A
page that fails raises ``FeedbackLeakError``: nbgrader writes nothing for that learner,
removes any older page and reports the error; ``exocourse feedback`` lists it.

Because these are configured in ``nbgrader_config.py``, ``nbgrader generate_feedback``,
Formgrader's "Generate Feedback" button and ``exocourse feedback`` produce the same pages.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output, new_raw_cell
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode, default, validate

from course._errors import CourseError

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE = "exocourse_feedback"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
STEP = "course.instructor.feedback_steps."
PREPROCESSORS = [STEP + name for name in
                 ("ReadFinalMarks", "ReadLearnerAnswers", "ComposeFeedback", "RenderCitations", "EmbedPlotly")]
EXPORTER = STEP + "CheckedFeedbackExporter"
ANSWER_SHOWN_CHARS = 120       # a learner's answer is shown up to this length
REFLECTION_SHOWN_CHARS = 6000  # ... and their reflection


class FeedbackLeakError(CourseError):
    """A rendered feedback page holds something a learner must not see; it is not written."""


@dataclass(frozen=True)
class Mark:
    """One graded cell's final mark."""

    grade_id: str
    points: float
    score: float | None          # None: not marked yet
    overridden: bool = False     # the course team changed the autograder's score
    comment: str = ""            # the course team's comment, Markdown

    @property
    def marked(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class AnswerShown:
    """What a learner typed for one question, as the page shows it."""

    status: str                  # course._answers: "answer", "blank", "missing", "not an answer"
    text: str = ""               # the value, shown as typed ("A, C", "4e10")
    hint: str = ""


def _state(resources: Any) -> dict[str, Any]:
    state: dict[str, Any] = resources.setdefault("exocourse", {})
    return state


def _points(value: float) -> str:
    return f"{value:g}"


def _plural(value: float, word: str) -> str:
    return f"{_points(value)} {word}" + ("" if value == 1 else "s")


class FeedbackStep(NbGraderPreprocessor):
    """A feedback step: knows the course folder it runs in and the assessment's description."""

    course_root = Unicode("", help="The course folder (default: the one nbgrader runs in).").tag(config=True)
    # Configurable as in nbgrader's GetGrades, so nbconvert's HTML defaults do not warn.
    display_data_priority = List(["text/html", "image/svg+xml", "image/png", "text/plain"]).tag(config=True)

    def root(self) -> Path:
        if self.course_root:
            return Path(self.course_root)
        node: Any = self.parent
        while node is not None:  # preprocessor -> exporter -> GenerateFeedback (has the coursedir)
            coursedir = getattr(node, "coursedir", None)
            if coursedir is not None and getattr(coursedir, "root", None):
                return Path(coursedir.root)
            node = getattr(node, "parent", None)
        return Path.cwd()        # nbgrader converts from inside the course folder

    def assessment(self, resources: Any) -> Any:
        from course.instructor.assessments import load_assessment

        info = resources["nbgrader"]
        return load_assessment(self.root() / "source" / info["assignment"] / f"{info['notebook']}.ipynb",
                               info["assignment"])

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
        return cell, resources


# ---------------------------------------------------------------- 1. final marks

class ReadFinalMarks(FeedbackStep):
    """Every graded cell's final mark and comment from the gradebook, into ``resources``."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        from nbgrader.api import Gradebook, MissingEntry

        info = resources["nbgrader"]
        marks: dict[str, Mark] = {}
        with Gradebook(info["db_url"]) as gradebook:
            try:
                notebook = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            except MissingEntry:
                raise CourseError(f"{info['student']} has no graded submission of {info['assignment']} in the "
                                  "gradebook: autograde it first.") from None
            comments = {c.name: (c.comment or "") for c in notebook.comments}
            for grade in notebook.grades:
                marks[grade.name] = _mark(grade, comments.get(grade.name, ""))
            for name, comment in comments.items():   # a comment on an ungraded answer cell
                if name not in marks and comment.strip():
                    marks[name] = Mark(name, 0.0, None, comment=comment)
            late = float(notebook.late_submission_penalty or 0.0)
        _state(resources).update(marks=marks, late_penalty=late)
        return nb, resources


def _mark(grade: Any, comment: str) -> Mark:
    points = float(grade.max_score or 0.0)
    if grade.manual_score is not None:
        return Mark(grade.name, points, float(grade.manual_score),
                    overridden=grade.auto_score is not None and float(grade.auto_score) != float(grade.manual_score),
                    comment=comment)
    if grade.needs_manual_grade or grade.auto_score is None:
        return Mark(grade.name, points, None, comment=comment)
    return Mark(grade.name, points, float(grade.auto_score), comment=comment)


# ---------------------------------------------------------------- 2. the learner's answers

class ReadLearnerAnswers(FeedbackStep):
    """What the learner typed in each answer cell, and their reflection, into ``resources``."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        from course._answers import MISSING, read_answer

        assessment = self.assessment(resources)
        cells: dict[str, Any] = {}
        for cell in nb.cells:
            grade_id = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
            if isinstance(grade_id, str) and grade_id not in cells:   # a copied cell does not count twice
                cells[grade_id] = cell
        answers: dict[int, AnswerShown] = {}
        for item in assessment.items:
            cell = cells.get(item.answer_cell)
            if cell is None:
                answers[item.number] = AnswerShown(MISSING)
                continue
            reading = read_answer(_source(cell), item.variable)
            answers[item.number] = AnswerShown(reading.status, _shown(reading.value), reading.hint)
        reflection = ""
        if assessment.reflection is not None and assessment.reflection.grade_id in cells:
            reflection = _source(cells[assessment.reflection.grade_id]).strip()
        _state(resources).update(answers=answers, reflection=reflection)
        return nb, resources


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _shown(value: Any) -> str:
    """An answer as the learner typed it, as a value (never as an ``answer_N = ...`` line)."""
    if isinstance(value, (tuple, list)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        from course.instructor.assessments import number_text

        text = number_text(value)
    else:
        text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= ANSWER_SHOWN_CHARS else text[:ANSWER_SHOWN_CHARS] + "…"


# ---------------------------------------------------------------- 3. the page

class ComposeFeedback(FeedbackStep):
    """Replace the notebook's cells with the feedback page (see the module docstring)."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        from course._syllabus import load_syllabus

        state = _state(resources)
        info = resources["nbgrader"]
        assessment = self.assessment(resources)
        released = _released_cells(self.root() / "release" / info["assignment"] / f"{info['notebook']}.ipynb")
        module = load_syllabus().module(assessment.module)
        marks: dict[str, Mark] = state.get("marks", {})
        answers: dict[int, AnswerShown] = state.get("answers", {})

        rows = [_Row(item, marks.get(item.test_cell) or Mark(item.test_cell, item.points, None),
                     answers.get(item.number, AnswerShown("missing")), marks.get(item.answer_cell))
                for item in assessment.items]
        score = sum(r.mark.score or 0.0 for r in rows)
        maximum = sum(r.mark.points for r in rows)
        passed = module.passed(score, maximum)
        reflection = assessment.reflection
        reflection_mark = (marks.get(reflection.grade_id) or Mark(reflection.grade_id, reflection.points, None)) \
            if reflection is not None else None
        summary = {
            "learner": info["student"], "assessment": info["assignment"], "module": module.id,
            "title": module.title, "score": score, "max_score": maximum, "passed": passed,
            "pass_percent": module.pass_percent, "reflection_marked": reflection_mark.marked if reflection_mark else None,
            "unmarked_questions": [r.item.number for r in rows if not r.mark.marked],
            "missed": [r.item.number for r in rows if r.missed],
        }
        state["summary"] = summary
        resources["nbgrader"]["score"] = score + ((reflection_mark.score or 0.0) if reflection_mark else 0.0)
        resources["nbgrader"]["max_score"] = maximum + (reflection_mark.points if reflection_mark else 0.0)

        written = reflection is not None and _written(str(state.get("reflection", "")), reflection, released)
        cells: list[Any] = [
            new_raw_cell(_summary_html(module, rows, score, maximum, passed, reflection_mark, written,
                                       float(state.get("late_penalty", 0.0)))),
        ]
        figure = _objective_figure(rows, module)
        if figure is not None:
            cells.append(figure)
        for row in rows:
            cells += _question_cells(row, released, module)
        if reflection is not None and reflection_mark is not None:
            cells += _reflection_cells(reflection, reflection_mark, str(state.get("reflection", "")), released)
        nb.cells = cells
        state["composed"] = True
        resources.setdefault("metadata", {})["name"] = f"Feedback: module {module.id}, {module.title}"
        return nb, resources


@dataclass(frozen=True)
class _Row:
    item: Any
    mark: Mark
    answer: AnswerShown
    answer_mark: Mark | None      # a comment the course team left on the answer cell

    @property
    def earned(self) -> float:
        return self.mark.score or 0.0

    @property
    def missed(self) -> bool:
        return self.mark.marked and self.earned < self.mark.points


def _released_cells(path: Path) -> dict[str, str]:
    """grade_id -> the source learners received, and "before:<grade_id>" -> the Markdown cell
    before it (each question's prompt): only what the release showed goes on a page."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CourseError(f"The released notebook {path} cannot be read ({exc}); release the assessment "
                          "again before writing feedback.") from exc
    found: dict[str, str] = {}
    previous = ""
    for cell in notebook.get("cells", []):
        grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
        if grade_id:
            found[str(grade_id)] = _source(cell)
            found[f"before:{grade_id}"] = previous
        if cell.get("cell_type") == "markdown":
            previous = _source(cell)
    return found


def _without_heading(markdown: str) -> str:
    lines = markdown.strip().splitlines()
    return "\n".join(lines[1:]).strip() if lines and lines[0].startswith("#") else markdown.strip()


def _released(parts: list[str], released: dict[str, str]) -> bool:
    """Whether every piece of text in ``parts`` is in the released notebook (so may be shown)."""
    from course.instructor.leaks import normalise

    shown = normalise("\n".join(v for k, v in released.items() if not k.startswith("before:"))
                      + "\n".join(v for k, v in released.items() if k.startswith("before:")))
    return all(normalise(p) in shown or normalise(_cited(p)) in shown for p in parts if p.strip())


def _cited(markdown: str) -> str:
    """``markdown`` with its ``[@key]`` citations rendered as the released notebook shows them."""
    from course._references import render_citations

    try:
        return render_citations(markdown)[0]
    except CourseError:
        return markdown


def _prompt(item: Any, released: dict[str, str]) -> str:
    """The question as the learner read it: its text and options (from the assessment's
    description, when all of it is in the release), without the "how to type it" line."""
    stem = str(getattr(item, "stem", "") or "")
    options = getattr(item, "options", ()) or ()
    if stem and _released([stem, *(o.text for o in options)], released):
        lines = [stem, ""] + [f"- **{o.letter}.** {o.text}" for o in options]
        return "\n".join(lines).strip()
    prompt = _without_heading(released.get(f"before:{item.answer_cell}", ""))
    return "\n\n".join(p for p in prompt.split("\n\n") if not p.lstrip().startswith("**Your answer:**"))


def _task(reflection: Any, released: dict[str, str]) -> str:
    """The written task as the learner read it, with what it is marked on."""
    task = str(getattr(reflection, "task", "") or "")
    criteria = getattr(reflection, "criteria", ()) or ()
    if task and _released([task, *(c.text for c in criteria)], released):
        lines = [task]
        if criteria:
            lines += ["", "**Marked on:**", ""]
            lines += [f"- {c.text} ({_plural(c.points, 'mark')})" for c in criteria]
        return "\n".join(lines)
    return _without_heading(released.get(f"before:{reflection.grade_id}", ""))


def _written(text: str, reflection: Any, released: dict[str, str]) -> bool:
    """Whether the learner wrote anything in the reflection cell (not the released prompt text)."""
    return bool(text.strip()) and text.strip() != released.get(reflection.grade_id, "").strip()


def _reflection_verdict(mark: Mark, written: bool) -> str:
    if not mark.marked:
        return "not yet marked"
    if not written and not mark.score:
        return f"not written (0 of {_plural(mark.points, 'mark')})"
    return f"{_points(mark.score or 0)} of {_plural(mark.points, 'mark')}"


def _summary_html(module: Any, rows: list[_Row], score: float, maximum: float, passed: bool,
                  reflection: Mark | None, written: bool, late_penalty: float) -> str:
    from course._syllabus import load_syllabus

    percent = 100.0 * score / maximum if maximum else 0.0
    needed = next((n for n in range(int(maximum) + 1) if module.passed(n, maximum)), maximum)
    verdict = "Passed" if passed else "Not passed yet"
    unmarked = [r.item.number for r in rows if not r.mark.marked]
    parts = [
        f'<section class="summary {"passed" if passed else "not-passed"}" aria-labelledby="result">',
        '<h2 id="result">Your result</h2>',
        f'<p class="verdict"><span class="badge">{"✔" if passed else "●"} {verdict}</span></p>',
        f"<p>You earned <strong>{_points(score)} of {_plural(maximum, 'question mark')}</strong> "
        f"({percent:.0f} %). You pass the module with {module.pass_percent} of the question marks"
        f" ({_points(needed)} of {_points(maximum)}).</p>",
    ]
    if unmarked:
        parts.append(f"<p>{_questions(unmarked)} not marked yet: the result may still change.</p>")
    if reflection is not None:
        if reflection.marked:
            parts.append(f"<p>Written reflection: <strong>{_reflection_verdict(reflection, written)}</strong>"
                         + (", marked by your course team.</p>" if written or reflection.score else ".</p>"))
        else:
            parts.append("<p>Written reflection: <strong>not yet marked</strong>. Your course team marks it by "
                         "hand; it does not count towards passing the module.</p>")
        if reflection.marked:
            total, out_of = score + (reflection.score or 0.0), maximum + reflection.points
            parts.append(f"<p>All marks together: {_points(total)} of {_points(out_of)}.</p>")
    if late_penalty > 0:
        parts.append(f"<p>A late-submission penalty of {_plural(late_penalty, 'mark')} was recorded for "
                     "this submission.</p>")
    missed = [r for r in rows if r.missed]
    syllabus = load_syllabus()
    if missed:
        parts.append('<h3>What to revisit</h3><ul class="revisit">')
        by_objective: dict[str, list[int]] = {}
        for row in missed:
            by_objective.setdefault(row.item.objective, []).append(row.item.number)
        for objective_id, numbers in by_objective.items():
            objective = syllabus.objective(objective_id)
            parts.append(f"<li><strong>{_questions(numbers)}</strong>: {_revisit_html(objective, syllabus)}."
                         f'<br><span class="objective">Objective {html.escape(objective_id)}: '
                         f"{html.escape(objective.text)}</span></li>")
        parts.append("</ul>")
    elif not unmarked:
        parts.append("<p>Every question earned its mark: nothing to revisit.</p>")
    parts.append('<table class="marks"><caption>Marks by question</caption><thead><tr><th scope="col">Question</th>'
                 '<th scope="col">Objective</th><th scope="col">Mark</th></tr></thead><tbody>')
    for row in rows:
        mark = "not marked yet" if not row.mark.marked else f"{_points(row.earned)} of {_points(row.mark.points)}"
        parts.append(f'<tr><td><a href="#question-{row.item.number}">Question {row.item.number}</a></td>'
                     f"<td>{html.escape(row.item.objective)}</td><td>{mark}</td></tr>")
    if reflection is not None:
        mark = _reflection_verdict(reflection, written)
        parts.append(f'<tr><td><a href="#reflection">Written reflection</a></td><td></td><td>{mark}</td></tr>')
    parts.append("</tbody></table></section>")
    return "\n".join(parts)


def _questions(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"Question {numbers[0]}"
    return "Questions " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def _revisit_html(objective: Any, syllabus: Any) -> str:
    """Where to go back to: the objective's lesson and sections (``revisit`` in the syllabus)."""
    module = syllabus.module(objective.module_id)
    lesson = f"lesson {html.escape(module.id)}, <em>{html.escape(module.title)}</em>"
    sections = getattr(objective, "revisit", ()) or ()
    if not sections:
        return f"revisit {lesson}"
    named = " and ".join(f"“{html.escape(s)}”" for s in sections)
    return f"revisit {lesson}, section{'s' if len(sections) > 1 else ''} {named}"


def _question_cells(row: _Row, released: dict[str, str], module: Any) -> list[Any]:
    from course._syllabus import load_syllabus

    item, mark, answer = row.item, row.mark, row.answer
    if not mark.marked:
        verdict, css = "not marked yet", "unmarked"
    elif row.earned >= mark.points:
        verdict, css = f"earned its mark ({_points(row.earned)} of {_points(mark.points)})", "earned"
    elif row.earned > 0:
        verdict, css = f"part of its mark ({_points(row.earned)} of {_points(mark.points)})", "partly"
    else:
        verdict, css = f"no mark this time (0 of {_points(mark.points)})", "missed"
    head = (f'<section class="question {css}" id="question-{item.number}">'
            f'<h2>Question {item.number} <span class="badge">{verdict}</span></h2>')
    if mark.overridden:
        head += '<p class="note">Your course team reviewed this question and set its mark.</p>'
    prompt = _prompt(item, released)
    body: list[str] = []
    if answer.status == "answer":
        body.append(f'<p class="answer">Your answer: <span class="value">{html.escape(answer.text)}</span></p>')
    elif answer.status == "blank":
        body.append('<p class="answer">You left this question blank.</p>')
    elif answer.status == "missing":
        body.append('<p class="answer">There was no answer to this question in your notebook.</p>')
    else:
        hint = f" {html.escape(answer.hint)}" if answer.hint else ""
        body.append(f'<p class="answer">What you typed could not be read as an answer.{hint}</p>')
    if row.missed:
        objective = load_syllabus().objective(item.objective)
        body.append(f'<p class="revisit">This question is about objective {html.escape(objective.id)}: '
                    f"{html.escape(objective.text)} To go over it again, "
                    f"{_revisit_html(objective, load_syllabus())}.</p>")
    cells = [new_raw_cell(head)]
    if prompt:
        cells.append(new_markdown_cell(prompt))
    cells.append(new_raw_cell("\n".join(body)))
    comment = (row.answer_mark.comment if row.answer_mark else "") or mark.comment
    if comment.strip():
        cells.append(new_markdown_cell("**Comment from your course team:** " + comment.strip()))
    cells.append(new_raw_cell("</section>"))
    return cells


def _reflection_cells(reflection: Any, mark: Mark, text: str, released: dict[str, str]) -> list[Any]:
    written = _written(text, reflection, released)
    verdict = _reflection_verdict(mark, written)
    cells = [new_raw_cell(f'<section class="question reflection" id="reflection">'
                          f'<h2>Written reflection <span class="badge">{verdict}</span></h2>')]
    prompt = _task(reflection, released)
    if prompt:
        cells.append(new_markdown_cell(prompt))
    if written:
        shown = text if len(text) <= REFLECTION_SHOWN_CHARS else text[:REFLECTION_SHOWN_CHARS] + "…"
        cells.append(new_raw_cell('<p class="answer">What you wrote:</p><blockquote class="learner-text">'
                                  + html.escape(shown).replace("\n", "<br>") + "</blockquote>"))
    else:
        cells.append(new_raw_cell('<p class="answer">You did not write a reflection.</p>'))
    if mark.comment.strip():
        cells.append(new_markdown_cell("**Comment from your course team:** " + mark.comment.strip()))
    elif not mark.marked:
        cells.append(new_raw_cell('<p class="note">Your course team has not marked this yet.</p>'))
    cells.append(new_raw_cell("</section>"))
    return cells


def _objective_figure(rows: list[_Row], module: Any) -> Any | None:
    """A bar chart of the marks earned per objective (a code cell with a plotly output)."""
    import plotly.graph_objects as go

    from course._figures import theme

    objectives: dict[str, tuple[float, float]] = {}
    for row in rows:
        so_far, out_of = objectives.get(row.item.objective, (0.0, 0.0))
        objectives[row.item.objective] = (so_far + row.earned, out_of + row.mark.points)
    if not objectives:
        return None
    names = [f"objective {o}" for o in objectives]
    earned = [v[0] for v in objectives.values()]
    available = [v[1] for v in objectives.values()]
    figure = go.Figure()
    figure.add_trace(go.Bar(y=names, x=available, orientation="h", name="marks available",
                            marker=dict(color="#d9d9d9", line=dict(color="#4d4d4d", width=1))))
    figure.add_trace(go.Bar(y=names, x=earned, orientation="h", name="marks you earned",
                            marker=dict(color=theme.PALETTE[0], pattern_shape="/"),
                            text=[f"{_points(e)} of {_points(a)}" for e, a in zip(earned, available)],
                            textposition="outside"))
    theme.apply(figure, title=f"Your marks by objective, module {module.id}", x_title="marks",
                y_title="", barmode="overlay", height=120 + 60 * len(names))
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(range=[0, max(available) * 1.35], dtick=1 if max(available) <= 6 else None)  # room for labels
    figure.update_layout(legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"), margin=dict(t=110))
    alt = "; ".join(f"{n}: {_points(e)} of {_points(a)}" for n, e, a in zip(names, earned, available))
    cell = new_code_cell("")
    cell.outputs = [new_output("display_data", data={PLOTLY_MIME: json.loads(figure.to_json()),
                                                     "text/plain": f"Your marks by objective: {alt}"})]
    return cell


# ---------------------------------------------------------------- 4. citations

class RenderCitations(FeedbackStep):
    """``[@key]`` in the page's Markdown as author–year links, and a reference list at the end."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        from course._references import keys_in_text, reference_list_markdown, render_citations

        used: list[str] = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source, _ = render_citations(cell.source)
                # and citations the released prompt already carried, rendered the same way
                used += [k for k in keys_in_text(cell.source) if k not in used]
        if used:
            nb.cells.append(new_raw_cell('<h2 id="references">References</h2>'))
            nb.cells.append(new_markdown_cell(reference_list_markdown(used, heading=None)))
        return nb, resources


# ---------------------------------------------------------------- 5. figures that show offline

class EmbedPlotly(FeedbackStep):
    """Plotly figures rendered to HTML with plotly.js inlined once, so a page shows them offline."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        self._included = False
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
        import plotly.io as pio

        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIME in data:
                page = pio.to_html(data[PLOTLY_MIME], include_plotlyjs=not self._included, full_html=False,
                                   config={"displaylogo": False, "responsive": True})
                self._included = True
                output.data = {"text/html": page, "text/plain": data.get("text/plain", "")}
        return cell, resources


# ---------------------------------------------------------------- the exporter: template and leak check

class CheckedFeedbackExporter(HTMLExporter):
    """nbgrader's HTML export through the course's feedback template; every page is checked
    for leaks (``course.instructor.leaks``) before it is returned to nbgrader to write."""

    course_root = Unicode("", help="The course folder (default: the one nbgrader runs in).").tag(config=True)

    # Formgrader forces HTMLExporter.template_name = "feedback" (nbgrader's own page): this
    # exporter always uses the course's template, whatever the configuration says. (The
    # validators keep the names of HTMLExporter's own, so they replace them.)
    @validate("template_name")
    def _template_name_validate(self, proposal: Any) -> str:
        return TEMPLATE

    @validate("extra_template_basedirs")
    def _extra_template_basedirs_validate(self, proposal: Any) -> list[str]:
        return [str(TEMPLATES_DIR)] + [d for d in proposal["value"] if d != str(TEMPLATES_DIR)]

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return [str(TEMPLATES_DIR)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._secrets: dict[tuple[str, str], Any] = {}

    def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
        output, resources = super().from_notebook_node(nb, resources, **kw)
        if not (resources or {}).get("exocourse", {}).get("composed"):
            raise FeedbackLeakError("This feedback page was not composed by the course's feedback steps "
                                    "(GenerateFeedback.preprocessors in nbgrader_config.py), so it is not written.")
        info = (resources or {}).get("nbgrader", {})
        found = self.leaks(output, str(info.get("assignment", "")), str(info.get("student", "")))
        if found:
            raise FeedbackLeakError(
                f"The feedback page for {info.get('student')} would have shown {len(found)} thing(s) a learner "
                "must not see, so it was not written: " + "; ".join(str(leak) for leak in found[:5]))
        return output, resources

    def root(self) -> Path:
        if self.course_root:
            return Path(self.course_root)
        coursedir = getattr(self.parent, "coursedir", None)
        return Path(coursedir.root) if coursedir is not None and getattr(coursedir, "root", None) else Path.cwd()

    def leaks(self, page: str, assessment: str, learner: str) -> list[Any]:
        from course.instructor import leaks as leak_check

        key = (assessment, learner)
        if key not in self._secrets:
            db_url = getattr(getattr(self.parent, "coursedir", None), "db_url", None)
            self._secrets[key] = page_secrets(self.root(), assessment, learner, db_url)
        return leak_check.find_leaks(without_plotly_js(page), self._secrets[key], f"feedback page of {learner}")


def without_plotly_js(page: str) -> str:
    """The page less the plotly.js library the page embeds (the exact text plotly ships,
    so nothing else can hide behind it): 4.8 MB that need no leak check."""
    from plotly.offline import get_plotlyjs

    return page.replace(get_plotlyjs(), "", 1)


def page_secrets(root: Path, assessment: str, learner: str, db_url: str | None = None) -> Any:
    """Everything one learner's feedback page must not hold (see ``course.instructor.leaks``):
    the assessment's secrets, other learners' ids, names and reflections, roster lines and
    the certificate signing key; less the text the page may show (the release, and the
    syllabus and references it quotes). Another learner's reflection is a secret only where
    this learner did not write the same words themselves (two may; their page shows their
    own words); nothing else is excused by being in the learner's own submission."""
    from course.instructor import leaks as leak_check
    from course.instructor.assessments import load_assessment

    source = root / "source" / assessment / "assessment.ipynb"
    secrets = leak_check.assessment_secrets(source, assessment, key_file=_key_file(root, assessment))
    described = load_assessment(source, assessment)
    reflection_id = described.reflection.grade_id if described.reflection else None
    own = ""
    reflections = leak_check.Secrets()
    for other, text, whole in _cohort(root, assessment, reflection_id):
        if other == learner:
            own = whole
            continue
        secrets += leak_check.text_secrets(leak_check.LEARNER_DATA, f"learner id {other}", other, whole_word=True)
        if text:
            reflections += leak_check.text_secrets(leak_check.LEARNER_DATA, f"reflection of {other}", text)
    secrets += _gradebook_people(db_url or _course_db_url(root), learner)
    secrets += leak_check.roster_secrets(root / "learners.csv", except_learner=learner)
    secrets += _signing_key_secrets()
    release = root / "release" / assessment / "assessment.ipynb"
    public = [release.read_text(encoding="utf-8", errors="replace") if release.exists() else "",
              _syllabus_text(), learner]
    return secrets.without(*public) + reflections.without(own, *public)


def _key_file(root: Path, assessment: str) -> Path | None:
    candidate = root / "assessments" / f"{assessment}.yml"
    return candidate if candidate.is_file() else None


_cohorts: dict[tuple[str, str], tuple[Any, list[tuple[str, str, str]]]] = {}


def _cohort(root: Path, assessment: str, reflection_id: str | None) -> list[tuple[str, str, str]]:
    """(learner, reflection text, whole notebook text) of every autograded learner, read once
    per change of the autograded folder (a page per learner would otherwise read them all again)."""
    notebooks = sorted((root / "autograded").glob(f"*/{assessment}/*.ipynb"))
    signature = [(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in notebooks]
    key = (str(root.resolve()), assessment)
    cached = _cohorts.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    cohort = []
    for notebook in notebooks:
        whole = notebook.read_text(encoding="utf-8", errors="replace")
        cohort.append((notebook.parent.parent.name, _reflection_text(whole, reflection_id), whole))
    _cohorts[key] = (signature, cohort)
    return cohort


def _reflection_text(notebook: str, grade_id: str | None) -> str:
    if grade_id is None:
        return ""
    try:
        cells = json.loads(notebook).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    for cell in cells if isinstance(cells, list) else []:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {} if isinstance(cell, dict) else {}
        if isinstance(meta, dict) and meta.get("grade_id") == grade_id:
            return _source(cell).strip()
    return ""


def _course_db_url(root: Path) -> str | None:
    try:
        from course.instructor.coursedir import open_course

        return open_course(root).db_url
    except Exception:  # the folder's gradebook cannot be opened from here: ids and texts still guard the page
        return None


def _gradebook_people(db_url: str | None, learner: str) -> Any:
    """Other learners' names and e-mail addresses as the gradebook holds them."""
    from nbgrader.api import Gradebook

    from course.instructor import leaks as leak_check

    secrets = leak_check.Secrets()
    if not db_url:
        return secrets
    try:
        with Gradebook(db_url) as gradebook:
            for student in gradebook.students:
                if student.id == learner:
                    continue
                name = " ".join(x for x in (student.first_name, student.last_name) if x)
                for value in (name, student.email or ""):
                    if value.strip():
                        secrets += leak_check.text_secrets(leak_check.LEARNER_DATA, f"name or e-mail of {student.id}",
                                                           value, whole_word=True)
    except Exception:  # no gradebook reachable here: the ids and texts above still guard the page
        return secrets
    return secrets


def _signing_key_secrets() -> Any:
    """The certificate signing key's material, when this machine has the key."""
    from course.instructor import leaks as leak_check

    paths: list[Path] = []
    for module_name in ("course.instructor.certificates.keys", "course.instructor.certificates"):
        try:
            module = __import__(module_name, fromlist=["key_path"])
            paths.append(Path(module.key_path()).expanduser())
        except Exception:  # the certificates code may be absent or mid-change: look where it can be found
            continue
    secrets = leak_check.Secrets()
    for path in dict.fromkeys(paths):
        try:
            if path.is_file() and path.stat().st_size < 65536:
                secrets += leak_check.key_material_secrets(path.read_bytes())
        except OSError:
            continue
    return secrets


def _syllabus_text() -> str:
    from course._syllabus import load_syllabus

    syllabus = load_syllabus()
    parts = [syllabus.course.title]
    for module in syllabus.modules:
        parts.append(module.title)
        for objective in module.objectives:
            parts += [objective.text, *getattr(objective, "revisit", ())]
    return "\n".join(parts)


__all__ = ["ReadFinalMarks", "ReadLearnerAnswers", "ComposeFeedback", "RenderCitations", "EmbedPlotly",
           "CheckedFeedbackExporter", "FeedbackLeakError", "Mark", "AnswerShown", "PREPROCESSORS", "EXPORTER",
           "page_secrets", "without_plotly_js"]
