"""Report: grades per learner (with pass/fail and CPD minutes) and an item analysis.

``collect_grades`` is the API other steps build on (certificates read it): it returns a
typed record per learner from the gradebook. ``write_report`` writes
``reports/grades.csv``, ``reports/items.html`` and, for learners whose download came
from Canvas or Moodle, the grade-import files those gradebooks accept
(``reports/lms/canvas-grades.csv``, ``reports/lms/moodle-<id>.csv``; formats in
``course.instructor.lms``).

Passing follows the assessment blueprint: at least the module's pass mark (from the
syllabus, ``Module.passed``) of the *autograded* points. The reflection is marked by hand and reported beside the score.
CPD minutes earned are the syllabus minutes of the modules passed.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from course.instructor._csv import write_csv
from course.instructor.assessments import Assessment, learner_answers, load_assessment, read_notebook_json
from course.instructor.coursedir import CourseDir

DIFFICULTY_RANGE = (0.30, 0.90)
MIN_DISCRIMINATION = 0.20
MIN_OPTION_SHARE = 0.05


@dataclass(frozen=True)
class AssessmentGrade:
    assessment: str
    module: str
    score: float                   # autograded points earned (including any override in formgrader)
    max_score: float               # autograded points available
    reflection_score: float | None  # None until someone marks it
    reflection_max: float
    minutes: int                   # the module's CPD minutes (earned only when passed)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    @property
    def passed(self) -> bool:
        from course._syllabus import load_syllabus

        return load_syllabus().module(self.module).passed(self.score, self.max_score)

    @property
    def needs_marking(self) -> bool:
        return self.reflection_max > 0 and self.reflection_score is None


@dataclass(frozen=True)
class LearnerGrades:
    learner: str
    assessments: dict[str, AssessmentGrade] = field(default_factory=dict)

    @property
    def modules_passed(self) -> list[str]:
        return [g.module for g in self.assessments.values() if g.passed]

    @property
    def cpd_minutes(self) -> int:
        return sum(g.minutes for g in self.assessments.values() if g.passed)


@dataclass(frozen=True)
class OptionShare:
    letter: str
    share: float
    chosen: int


@dataclass(frozen=True)
class ItemStats:
    assessment: str
    number: int
    objective: str
    kind: str
    responses: int
    difficulty: float              # share of the item's points earned (share correct)
    discrimination: float | None   # point-biserial with the rest of the score; None when undefined
    options: tuple[OptionShare, ...] = ()

    @property
    def flags(self) -> list[str]:
        flags: list[str] = []
        low, high = DIFFICULTY_RANGE
        if not low <= self.difficulty <= high:
            flags.append(f"difficulty {self.difficulty:.2f} outside {low:.2f}–{high:.2f}")
        if self.discrimination is None:
            flags.append("discrimination undefined (no variation)")
        elif self.discrimination < MIN_DISCRIMINATION:
            flags.append(f"point-biserial {self.discrimination:.2f} under {MIN_DISCRIMINATION:.2f}")
        rare = [o.letter for o in self.options if o.share < MIN_OPTION_SHARE]
        if rare:
            flags.append(f"option{'s' if len(rare) > 1 else ''} {', '.join(rare)} chosen by under "
                         f"{MIN_OPTION_SHARE:.0%}")
        return flags


@dataclass(frozen=True)
class LmsFile:
    """One grade-import file for an LMS gradebook."""

    path: Path
    lms: str                       # "Canvas" or "Moodle"
    learners: int                  # learners with a mark in it
    held_back: tuple[str, ...]     # learners left blank: their reflection is not marked yet

    def describe(self) -> str:
        held = (f", {len(self.held_back)} held back until their reflection is marked "
                f"({', '.join(self.held_back[:5])}{' ...' if len(self.held_back) > 5 else ''})"
                if self.held_back else "")
        return f"{self.lms} grade import: {self.learners} learners{held} → {self.path}"


@dataclass(frozen=True)
class ReportFiles:
    grades_csv: Path
    items_html: Path
    learners: int
    items: tuple[ItemStats, ...]
    lms_files: tuple[LmsFile, ...] = ()


# ---------------------------------------------------------------- grades

def _module_minutes(module: str) -> int:
    """The module's CPD minutes from the syllabus (an assessment whose module the syllabus
    does not list is an error to fix, never a silent default)."""
    from course._syllabus import load_syllabus

    return load_syllabus().module(module).minutes


def graded_assessments(course: CourseDir) -> list[str]:
    """Assessments of this course that are in the gradebook, in order."""
    with course.gradebook() as gb:
        names = {a.name for a in gb.assignments}
    return [a for a in course.assessment_ids() if a in names]


def collect_grades(course: CourseDir) -> list[LearnerGrades]:
    """Every learner with at least one autograded submission, and their grades."""
    from nbgrader.api import MissingEntry

    assessments = {a: load_assessment(course.source_notebook(a), a) for a in graded_assessments(course)}
    by_learner: dict[str, dict[str, AssessmentGrade]] = {}
    with course.gradebook() as gb:
        for assessment_id, assessment in assessments.items():
            minutes = _module_minutes(assessment.module)
            reflection_id = assessment.reflection.grade_id if assessment.reflection else None
            for submission in gb.assignment_submissions(assessment_id):
                learner = submission.student.id
                if not course.autograded_notebook(learner, assessment_id).exists():
                    continue          # submitted but never autograded (or failed): no grade yet
                reflection_score: float | None = None
                reflection_max = 0.0
                if reflection_id:
                    try:
                        grade = gb.find_grade(reflection_id, "assessment", assessment_id, learner)
                        reflection_max = float(grade.max_score)
                        if grade.manual_score is not None:
                            reflection_score = float(grade.manual_score)
                        elif not grade.needs_manual_grade and grade.auto_score is not None:
                            reflection_score = float(grade.auto_score)   # left blank: "No response"
                    except MissingEntry:
                        pass
                by_learner.setdefault(learner, {})[assessment_id] = AssessmentGrade(
                    assessment=assessment_id, module=assessment.module,
                    score=float(submission.code_score or 0.0), max_score=float(submission.max_code_score or 0.0),
                    reflection_score=reflection_score, reflection_max=reflection_max,
                    minutes=minutes)
    return [LearnerGrades(learner, by_learner[learner]) for learner in sorted(by_learner)]


def write_grades_csv(path: Path, grades: list[LearnerGrades], assessments: list[str]) -> Path:
    columns = ["learner"]
    for a in assessments:
        columns += [f"{a} score", f"{a} max", f"{a} percent", f"{a} passed", f"{a} reflection"]
    columns += ["modules passed", "CPD minutes"]
    rows: list[list[str]] = []
    for learner in grades:
        row: list[str] = [learner.learner]
        for a in assessments:
            grade = learner.assessments.get(a)
            if grade is None:
                row += ["", "", "", "", ""]
                continue
            reflection = ("to mark" if grade.needs_marking else
                          "" if grade.reflection_max == 0 else
                          f"{grade.reflection_score:g}/{grade.reflection_max:g}")
            row += [f"{grade.score:g}", f"{grade.max_score:g}", f"{grade.percent:.1f}",
                    "yes" if grade.passed else "no", reflection]
        row += [" ".join(learner.modules_passed), str(learner.cpd_minutes)]
        rows.append(row)
    return write_csv(path, columns, rows)  # formula-like learner ids are neutralised


# ---------------------------------------------------------------- item analysis

def point_biserial(item: list[float], rest: list[float]) -> float | None:
    """Pearson correlation of item scores (0/1) with the rest of the score; None if undefined."""
    if len(item) < 3 or len(set(item)) < 2 or len(set(rest)) < 2:
        return None
    mean_i, mean_r = statistics.fmean(item), statistics.fmean(rest)
    cov = sum((i - mean_i) * (r - mean_r) for i, r in zip(item, rest))
    var_i = sum((i - mean_i) ** 2 for i in item)
    var_r = sum((r - mean_r) ** 2 for r in rest)
    return cov / math.sqrt(var_i * var_r)


def item_statistics(course: CourseDir, assessment: Assessment) -> list[ItemStats]:
    """Difficulty, discrimination and option shares for every item of ``assessment``."""
    from course._answers import letter, letters

    item_scores: dict[int, list[float]] = {item.number: [] for item in assessment.items}
    chosen: dict[int, dict[str, int]] = {item.number: {c: 0 for c in item.choices} for item in assessment.items}
    totals: list[float] = []
    with course.gradebook() as gb:
        for submission in gb.assignment_submissions(assessment.id):
            learner = submission.student.id
            notebook_path = course.autograded_notebook(learner, assessment.id)
            if not notebook_path.exists():
                continue
            grades = {g.name: g for nb in submission.notebooks for g in nb.grades}
            answers = learner_answers(read_notebook_json(notebook_path), assessment)
            total = 0.0
            for item in assessment.items:
                grade = grades.get(item.test_cell)
                fraction = float(grade.score or 0.0) / item.points if grade is not None and item.points else 0.0
                item_scores[item.number].append(fraction)
                total += fraction * item.points
                if item.kind == "letter":
                    picked = letter(answers.get(item.number))
                    if picked in chosen[item.number]:
                        chosen[item.number][picked] += 1
                elif item.kind == "letters":
                    for picked in letters(answers.get(item.number)) or ():
                        if picked in chosen[item.number]:
                            chosen[item.number][picked] += 1
            totals.append(total)
    stats: list[ItemStats] = []
    for item in assessment.items:
        scores = item_scores[item.number]
        n = len(scores)
        rest = [t - s * item.points for t, s in zip(totals, scores)]
        options = tuple(OptionShare(c, (chosen[item.number][c] / n) if n else 0.0, chosen[item.number][c])
                        for c in item.choices)
        stats.append(ItemStats(assessment.id, item.number, item.objective, item.kind, n,
                               statistics.fmean(scores) if scores else 0.0, point_biserial(scores, rest), options))
    return stats


def write_items_html(path: Path, stats_by_assessment: dict[str, list[ItemStats]]) -> Path:
    """The item analysis as one self-contained page (plotly.js embedded once)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from course._figures import theme

    parts: list[str] = []
    include_js = True

    def chart(fig: go.Figure) -> str:
        nonlocal include_js
        html = pio.to_html(fig, include_plotlyjs=include_js, full_html=False)
        include_js = False
        return html

    for assessment_id, stats in stats_by_assessment.items():
        labels = [f"Q{s.number}" for s in stats]
        parts.append(f"<h2>{assessment_id}</h2>")
        parts.append(_items_table(stats))
        if not stats or not stats[0].responses:
            continue
        low, high = DIFFICULTY_RANGE
        difficulty = go.Figure(go.Bar(x=labels, y=[s.difficulty for s in stats], name="difficulty",
                                      marker_color=theme.PALETTE[0],
                                      text=[f"{s.difficulty:.2f}" for s in stats], textposition="outside"))
        difficulty.add_hrect(y0=low, y1=high, fillcolor=theme.PALETTE[2], opacity=0.12, line_width=0,
                             annotation_text="usual range 0.30–0.90", annotation_position="top left")
        theme.apply(difficulty, title=f"{assessment_id}: difficulty (share correct)",
                    x_title="item", y_title="share correct")
        difficulty.update_yaxes(range=[0, 1.1])
        parts.append(chart(difficulty))
        discrimination = go.Figure(go.Bar(
            x=labels, y=[s.discrimination if s.discrimination is not None else 0 for s in stats],
            marker_color=theme.PALETTE[1], name="point-biserial",
            text=["n/a" if s.discrimination is None else f"{s.discrimination:.2f}" for s in stats],
            textposition="outside"))
        discrimination.add_hline(y=MIN_DISCRIMINATION, line_dash="dash",
                                 annotation_text="0.20: items below discriminate poorly")
        theme.apply(discrimination, title=f"{assessment_id}: discrimination (point-biserial)",
                    x_title="item", y_title="point-biserial correlation")
        parts.append(chart(discrimination))
        choice_items = [s for s in stats if s.options]
        if choice_items:
            letters_used = sorted({o.letter for s in choice_items for o in s.options})
            options = go.Figure()
            for index, letter in enumerate(letters_used):
                options.add_trace(go.Bar(
                    name=f"option {letter}", x=[f"Q{s.number}" for s in choice_items],
                    y=[next((o.share for o in s.options if o.letter == letter), 0) for s in choice_items],
                    marker_color=theme.PALETTE[index % len(theme.PALETTE)],
                    marker_pattern_shape=["", "/", "x", ".", "+", "-", "|"][index % 7]))
            options.update_layout(barmode="group")
            options.add_hline(y=MIN_OPTION_SHARE, line_dash="dot", annotation_text="5 %")
            theme.apply(options, title=f"{assessment_id}: how often each option was chosen",
                        x_title="item", y_title="share of learners choosing it")
            parts.append(chart(options))
    page = _PAGE.format(body="\n".join(parts))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _items_table(stats: list[ItemStats]) -> str:
    from html import escape

    rows = []
    for s in stats:
        shares = ", ".join(f"{o.letter} {o.share:.0%}" for o in s.options) or "—"
        flags = "; ".join(s.flags)
        row_class = ' class="flag"' if flags else ""
        rows.append(
            f"<tr{row_class}><td>Q{s.number}</td><td>{escape(s.objective)}</td>"
            f"<td>{escape(s.kind)}</td><td>{s.responses}</td><td>{s.difficulty:.2f}</td>"
            f"<td>{'n/a' if s.discrimination is None else f'{s.discrimination:.2f}'}</td>"
            f"<td>{escape(shares)}</td><td>{('⚠ ' + escape(flags)) if flags else 'OK'}</td></tr>")
    return ("<table><caption>Items, with flags for values outside the usual ranges</caption>"
            "<thead><tr><th scope=col>item</th><th scope=col>objective</th><th scope=col>type</th>"
            "<th scope=col>responses</th><th scope=col>difficulty</th><th scope=col>point-biserial</th>"
            "<th scope=col>options chosen</th><th scope=col>flags</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Item analysis: Exosome Reality Check</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; color: #1a1a1a; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #999; padding: .3rem .6rem; text-align: left; }}
tr.flag td {{ background: #fff4d6; }}
caption {{ text-align: left; font-weight: bold; }}
</style></head><body>
<h1>Item analysis</h1>
<p>Difficulty is the share of learners who earned the item's mark (usual range 0.30–0.90).
Discrimination is the point-biserial correlation between the item and the rest of the
learner's score (items under 0.20 tell strong and weak learners apart poorly). For choice
items, the share of learners who chose each option (an option chosen by under 5 % is
flagged: it may not be a plausible distractor). Flagged items deserve a second look; with
a small cohort the figures are rough.</p>
{body}
</body></html>
"""


def write_report(course: CourseDir) -> ReportFiles:
    """Write reports/grades.csv and reports/items.html from the gradebook."""
    from course._errors import ConfigurationError

    assessments = graded_assessments(course)
    grades = collect_grades(course)
    if not grades:
        raise ConfigurationError("There are no autograded submissions yet: run `exocourse autograde ID` first.")
    csv_path = write_grades_csv(course.reports_dir / "grades.csv", grades, assessments)
    stats_by_assessment: dict[str, list[ItemStats]] = {}
    for assessment_id in assessments:
        stats = item_statistics(course, load_assessment(course.source_notebook(assessment_id), assessment_id))
        if stats and stats[0].responses:
            stats_by_assessment[assessment_id] = stats
    html_path = write_items_html(course.reports_dir / "items.html", stats_by_assessment)
    all_items = tuple(s for stats in stats_by_assessment.values() for s in stats)
    lms_files = write_lms_files(course, grades, assessments)
    return ReportFiles(csv_path, html_path, len(grades), all_items, lms_files)


# ---------------------------------------------------------------- grades back into the LMS

LMS_FOLDER = "lms"


def lms_title(assessment: str) -> str:
    """The assessment's column title in an LMS gradebook."""
    from course._syllabus import load_syllabus

    module = assessment.split("_", 1)[0]
    return f"Exosome Reality Check {module}: {load_syllabus().module(module).title}"


def write_lms_files(course: CourseDir, grades: list[LearnerGrades], assessments: list[str],
                    now: datetime | None = None) -> tuple[LmsFile, ...]:
    """reports/lms/canvas-grades.csv and reports/lms/moodle-<id>.csv, from the ids intake kept.

    The mark sent is the assessment's final score (autograded marks, with any override
    made in Formgrader, plus the reflection). A learner whose reflection is not marked yet
    is left blank, so that the LMS never shows a partial mark as if it were final."""
    from course.instructor._csv import write_csv
    from course.instructor.learner_ids import LearnerIds
    from course.instructor.lms import CANVAS, MOODLE, LmsGrade, canvas_grades, moodle_worksheet

    ids = LearnerIds.load(course.root)
    folder = course.reports_dir / LMS_FOLDER
    canvas: list[LmsGrade] = []
    moodle: dict[str, list[LmsGrade]] = {}
    held: dict[str, list[str]] = {}
    for learner in grades:
        lms = ids.lms_of(learner.learner)
        if lms not in (CANVAS, MOODLE):
            continue
        info = ids.learners[learner.learner]
        for assessment, grade in learner.assessments.items():
            submission = ids.submission(learner.learner, assessment) or {}
            lms_id = str(info.get("lms_id") or "") if lms == CANVAS else str(submission.get("lms_id") or "")
            if not lms_id:
                continue
            ready = not grade.needs_marking
            score = grade.score + (grade.reflection_score or 0.0) if ready else None
            entry = LmsGrade(learner.learner, str(info.get("name") or learner.learner), lms_id, assessment, score,
                             grade.max_score + grade.reflection_max)
            key = "canvas" if lms == CANVAS else f"moodle-{assessment}"
            if not ready:
                held.setdefault(key, []).append(learner.learner)
            (canvas if lms == CANVAS else moodle.setdefault(assessment, [])).append(entry)
    written: list[LmsFile] = []
    if canvas:
        header, rows = canvas_grades(canvas, {a: lms_title(a) for a in assessments
                                              if any(g.assessment == a for g in canvas)})
        path = write_csv(folder / "canvas-grades.csv", header, rows)
        written.append(LmsFile(path, "Canvas", len({g.lms_id for g in canvas if g.score is not None}),
                               tuple(sorted(set(held.get("canvas", []))))))
    stamp = (now or datetime.now(timezone.utc)).astimezone().replace(microsecond=0)
    for assessment, entries in sorted(moodle.items()):
        header, rows = moodle_worksheet(entries, stamp)
        path = write_csv(folder / f"moodle-{assessment}.csv", header, rows)
        written.append(LmsFile(path, f"Moodle ({assessment})", len(rows),
                               tuple(sorted(held.get(f"moodle-{assessment}", [])))))
    return tuple(written)
