"""Autograding speed: ``exocourse autograde`` against stock serial ``nbgrader autograde``.

One run, the same 60 filled-in releases with varied answers (the demo's synthetic
cohort), each grader a fresh command on its own copy of the same course folder:

- **stock**: nbgrader's default preprocessors (``Execute`` included: a kernel per learner),
  on a source notebook built for the purpose whose check cells still hold executable
  ``assert`` hidden tests (``build_notebook(..., hidden_tests=True)``), released with
  ``nbgrader generate_assignment``: stock nbgrader needs hidden tests to grade;
- **exocourse**: the course's own configuration, answers read from the key, nothing run.

Scores must be identical, learner by learner (goal: at least 20 times faster). The
per-learner time of each is printed too. ``python -m benchmarks autograde``
(``BENCH_AUTOGRADE_LEARNERS=10`` for a quick smoke run).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSESSMENT = "01_exosome_biology"
# 60 by default; BENCH_AUTOGRADE_LEARNERS=10 for a quick smoke run on a busy machine.
SUBMISSIONS = int(os.environ.get("BENCH_AUTOGRADE_LEARNERS", "60"))
GOAL = 20.0

# nbgrader's defaults and what any course needs (where things are, how answers are
# released, deleted test cells put back); nothing of this course's grading steps.
STOCK_CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "exosome-reality-check"
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.ClearSolutions.code_stub = {{"python": ""}}
c.ClearSolutions.text_stub = "Type your reflection here (double-click this cell to edit it)."
c.OverwriteCells.add_missing_cells = True
c.Execute.timeout = 20
"""


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _env() -> dict[str, str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("EXOCOURSE_DB_URL", None)
    return env


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=7200)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def _scores(root: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {s.student.id: float(s.code_score) for s in gb.assignment_submissions(ASSESSMENT)}


def _prepare(base: Path) -> Path:
    """A course folder with ASSESSMENT released and SUBMISSIONS synthetic learners taken in."""
    from course.instructor.coursedir import CONFIG_FILE, open_course
    from course.instructor.demo import write_cohort
    from course.instructor.intake import intake
    from course.instructor.release import release

    root = base / "prepared"
    root.mkdir()
    shutil.copytree(ROOT / "grading" / "assessments", root / "assessments")
    shutil.copytree(ROOT / "grading" / "source", root / "source")
    shutil.copy2(ROOT / "grading" / CONFIG_FILE, root / CONFIG_FILE)
    course = open_course(root, f"sqlite:///{root / 'gradebook.db'}")
    release(course, [ASSESSMENT])
    inbox = base / "inbox"
    write_cohort(course, ASSESSMENT, inbox, SUBMISSIONS, seed=60)
    taken = intake(course, inbox, ASSESSMENT)
    if len(taken.learners) != SUBMISSIONS:
        raise RuntimeError(f"intake took {len(taken.learners)} submissions, expected {SUBMISSIONS}")
    return root


def _stock_course(prepared: Path, target: Path) -> None:
    """The same submissions in a course set up for stock nbgrader (hidden tests, default steps)."""
    from course.instructor.assessment_notebooks import build_notebook, notebook_text
    from course.instructor.assessments import load_assessment

    shutil.copytree(prepared / "submitted", target / "submitted")
    shutil.copytree(prepared / "source", target / "source")
    assessment = load_assessment(prepared / "assessments" / f"{ASSESSMENT}.yml")
    (target / "source" / ASSESSMENT / "assessment.ipynb").write_text(
        notebook_text(build_notebook(assessment, hidden_tests=True)), encoding="utf-8")
    (target / "nbgrader_config.py").write_text(STOCK_CONFIG.format(root=str(target)), encoding="utf-8")
    _timed([_bin("nbgrader"), "generate_assignment", ASSESSMENT, "--force"], target)


def run() -> dict[str, dict]:
    base = Path(tempfile.mkdtemp(prefix="exocourse-bench-"))
    try:
        prepared = _prepare(base)
        ours_dir, stock_dir = base / "exocourse", base / "stock"
        shutil.copytree(prepared, ours_dir, ignore=shutil.ignore_patterns("gradebook-location.json"))
        stock_dir.mkdir()
        _stock_course(prepared, stock_dir)

        stock = _timed([_bin("nbgrader"), "autograde", ASSESSMENT, "--force"], stock_dir)
        ours = _timed([_bin("exocourse"), "--course-dir", str(ours_dir), "--db-url",
                       f"sqlite:///{ours_dir / 'gradebook.db'}", "autograde", ASSESSMENT], ROOT)
        stock_scores, our_scores = _scores(stock_dir), _scores(ours_dir)
        identical = stock_scores == our_scores and len(our_scores) == SUBMISSIONS
        differing = sorted(k for k in set(stock_scores) | set(our_scores) if stock_scores.get(k) != our_scores.get(k))
    finally:
        shutil.rmtree(base, ignore_errors=True)

    ratio = stock / ours
    print(f"  {SUBMISSIONS} learners: stock nbgrader autograde {stock:.1f} s ({stock / SUBMISSIONS:.3f} s per learner), "
          f"exocourse autograde {ours:.1f} s ({ours / SUBMISSIONS:.3f} s per learner): {ratio:.1f}x; "
          f"scores identical: {identical}" + (f" (differ: {', '.join(differing[:5])})" if differing else ""))
    return {
        "autograde_speedup_vs_stock_nbgrader": {
            "value": round(ratio, 1), "unit": "x", "target": f">= {GOAL:g}", "ok": ratio >= GOAL and identical,
            "detail": (f"{SUBMISSIONS} submissions, each a fresh command: stock serial nbgrader autograde (Execute, "
                       f"hidden tests) {stock:.1f} s, exocourse autograde {ours:.1f} s; scores identical: {identical}")},
        "autograde_scores_identical_to_stock": {
            "value": int(identical), "unit": "bool", "target": "== 1", "ok": identical,
            "detail": f"{len(our_scores)} learners compared, gradebook code scores; differing: {differing[:5]}"},
        "autograde_seconds_per_learner": {
            "value": round(ours / SUBMISSIONS, 3), "unit": "s", "target": "report", "ok": True,
            "detail": f"stock nbgrader: {stock / SUBMISSIONS:.3f} s per learner (whole command / learners)"},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
