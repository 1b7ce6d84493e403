"""Cold ``import course`` time: median of fresh processes, against an empty interpreter."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 9


def _median_seconds(code: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> dict[str, dict]:
    baseline = _median_seconds("pass")
    course = _median_seconds("import course")
    return {
        "import_course_seconds": {
            "value": course, "unit": "s", "target": "<= 0.25", "ok": course <= 0.25,
            "detail": f"median of {RUNS} fresh processes; empty interpreter {baseline:.3f} s"},
        "import_course_over_empty_interpreter": {
            "value": course / baseline, "unit": "x", "target": "report", "ok": True,
            "detail": "ratio against `python -c pass` in the same run"},
    }
