"""Autograding speed, measured on the same 40 submissions in the same run.

1. ``exocourse autograde --workers 2`` against plain serial ``nbgrader autograde``
   (target: at least 1.7 times faster, with identical scores), each a fresh command, each
   on its own copy of the same course directory.
2. The time per submission of ``exocourse autograde --workers 1`` against a bare
   nbclient execution of the same notebooks (target: at most 1.5 times): what nbgrader's
   checks, gradebook and our safeguards cost on top of just running the notebook.
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
SUBMISSIONS = 40
PER_SUBMISSION_SAMPLE = 20


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _env() -> dict[str, str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("EXOCOURSE_DB_URL", None)
    return env


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=_env(), check=True, capture_output=True, timeout=3600)
    return time.perf_counter() - started


def _scores(root: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {s.student.id: float(s.code_score) for s in gb.assignment_submissions(ASSESSMENT)}


def _prepare(base: Path) -> Path:
    """A course with ASSESSMENT released and 40 synthetic submissions taken in."""
    from course.instructor.coursedir import CONFIG_FILE, open_course
    from course.instructor.demo import write_cohort
    from course.instructor.intake import intake
    from course.instructor.release import release

    root = base / "prepared"
    root.mkdir()
    shutil.copytree(ROOT / "grading" / "source", root / "source")
    shutil.copy2(ROOT / "grading" / CONFIG_FILE, root / CONFIG_FILE)
    course = open_course(root, f"sqlite:///{root / 'gradebook.db'}")
    release(course, [ASSESSMENT])
    inbox = base / "inbox"
    write_cohort(course, ASSESSMENT, inbox, SUBMISSIONS, seed=40)
    taken = intake(course, inbox, ASSESSMENT)
    if len(taken.learners) != SUBMISSIONS:
        raise RuntimeError(f"intake took {len(taken.learners)} submissions, expected {SUBMISSIONS}")
    return root


def _bare_nbclient_seconds(notebooks: list[Path]) -> float:
    """Mean seconds to execute each notebook with nothing but nbclient."""
    import nbformat
    from nbclient import NotebookClient

    total = 0.0
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        started = time.perf_counter()
        NotebookClient(notebook, timeout=30, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        total += time.perf_counter() - started
    return total / len(notebooks)


def run() -> dict[str, dict]:
    base = Path(tempfile.mkdtemp(prefix="exocourse-bench-"))
    try:
        prepared = _prepare(base)
        serial_dir, parallel_dir, single_dir = (base / "serial", base / "parallel", base / "single")
        for target in (serial_dir, parallel_dir, single_dir):
            shutil.copytree(prepared, target)

        serial = _timed([_bin("nbgrader"), "autograde", ASSESSMENT, "--force"], serial_dir)
        parallel = _timed([_bin("exocourse"), "--course-dir", str(parallel_dir), "autograde", ASSESSMENT,
                           "--workers", "2"], ROOT)
        serial_scores, parallel_scores = _scores(serial_dir), _scores(parallel_dir)
        identical = serial_scores == parallel_scores and len(serial_scores) == SUBMISSIONS

        learners = sorted(parallel_scores)[:PER_SUBMISSION_SAMPLE]
        single = _timed([_bin("exocourse"), "--course-dir", str(single_dir), "autograde", ASSESSMENT,
                         "--workers", "1", *[f"--learner={name}" for name in learners]], ROOT)
        per_submission = single / len(learners)
        bare = _bare_nbclient_seconds([prepared / "submitted" / name / ASSESSMENT / "assessment.ipynb"
                                       for name in learners])
    finally:
        shutil.rmtree(base, ignore_errors=True)

    speedup = serial / parallel
    ratio = per_submission / bare
    return {
        "autograde_parallel_speedup": {
            "value": round(speedup, 2), "unit": "x", "target": ">= 1.7", "ok": speedup >= 1.7 and identical,
            "detail": (f"{SUBMISSIONS} submissions: serial nbgrader autograde {serial:.1f} s, exocourse "
                       f"autograde --workers 2 {parallel:.1f} s; scores identical: {identical}")},
        "autograde_scores_identical": {
            "value": int(identical), "unit": "bool", "target": "== 1", "ok": identical,
            "detail": f"{len(serial_scores)} learners compared, gradebook code scores"},
        "autograde_time_per_submission_vs_nbclient": {
            "value": round(ratio, 2), "unit": "x", "target": "<= 1.5", "ok": ratio <= 1.5,
            "detail": (f"exocourse autograde --workers 1: {per_submission:.2f} s per submission "
                       f"({len(learners)} learners, whole command); bare nbclient: {bare:.2f} s per notebook")},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
