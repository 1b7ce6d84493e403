"""The progress store under load, and what recording an action costs.

- 4 processes x 500 attempts written at once into one record: every attempt kept.
- 100 writers killed (SIGKILL) at random moments while writing a large record: after
  each kill the file must parse (0 unreadable files), and after the next ordinary write
  no temporary file may remain (0 stale temporaries).
- the median cost of ``course._activity.note`` for a cell run and for a widget action,
  against a baseline measured in the same run (one plain store write, what a checked
  answer cost before time was recorded). Goal: under 5 ms.
"""
from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCESSES, ATTEMPTS = 4, 500
KILLS = 100
SAMPLES = 300

_WRITER = textwrap.dedent("""
    import sys
    from course._progress import ProgressStore
    store = ProgressStore(sys.argv[1], notify=lambda m: print(m, file=sys.stderr))
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()
    for n in range(int(sys.argv[3])):
        store.record_attempt("01", f"{sys.argv[2]}-{n}", "x", True)
""")


def _writers(path: Path, count: int, attempts: int) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"w{i}", str(attempts)], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(count)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    return procs


def _concurrent(folder: Path) -> tuple[int, float]:
    path = folder / "progress.json"
    started = time.perf_counter()
    for proc in _writers(path, PROCESSES, ATTEMPTS):
        proc.communicate(timeout=900)
    seconds = time.perf_counter() - started
    return len(json.loads(path.read_text())["attempts"]), seconds


def _killed(folder: Path) -> tuple[int, int]:
    from course._progress import ProgressStore

    path = folder / "progress.json"
    ProgressStore(path).update(lambda d: d["attempts"].extend(
        {"module": "01", "question": f"old-{n}", "answer": "x" * 40, "correct": True,
         "at": "2026-12-01T09:00:00+00:00"} for n in range(3000)))
    rng = random.Random(2026)
    unreadable = 0
    for _ in range(KILLS):
        [proc] = _writers(path, 1, 100_000)
        time.sleep(rng.uniform(0.01, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        try:
            json.loads(path.read_text())
        except ValueError:
            unreadable += 1
    ProgressStore(path, notify=lambda _m: None).record_attempt("01", "after", "x", True)
    return unreadable, len(list(folder.glob("*.tmp")))


def _median_ms(action) -> float:
    durations = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations) * 1000


def _overhead(folder: Path) -> tuple[float, float, float]:
    os.environ["EXOCOURSE_HOME"] = str(folder)
    from course._activity import CELL, Tracker
    from course._progress import default_store

    store = default_store()
    # A record of a learner well into the course: 300 attempts.
    store.update(lambda d: d["attempts"].extend(
        {"module": "01", "question": f"q{n}", "answer": "x", "correct": True, "at": "2026-12-01T09:00:00+00:00"}
        for n in range(300)))
    baseline = _median_ms(lambda: store.record_attempt("01", "baseline", "x", True))
    tracker = Tracker()
    tracker.note("01", "start")
    cell = _median_ms(lambda: tracker.note("01", CELL))
    widget = _median_ms(lambda: tracker.note("01", "check"))
    return baseline, cell, widget


def run() -> dict[str, dict]:
    with tempfile.TemporaryDirectory(prefix="bench-progress-") as tmp:
        root = Path(tmp)
        for name in ("concurrent", "killed", "overhead"):
            (root / name).mkdir()
        kept, seconds = _concurrent(root / "concurrent")
        unreadable, stale = _killed(root / "killed")
        baseline, cell, widget = _overhead(root / "overhead")
    expected = PROCESSES * ATTEMPTS
    return {
        "progress_concurrent_attempts_kept": {
            "value": kept / expected, "unit": "share", "target": "== 1", "ok": kept == expected,
            "detail": f"{kept} of {expected} ({PROCESSES} processes x {ATTEMPTS}) in {seconds:.1f} s"},
        "progress_killed_writers_unreadable_files": {
            "value": float(unreadable), "unit": "files", "target": "== 0", "ok": unreadable == 0,
            "detail": f"{KILLS} writers killed mid-write on a 3,000-attempt record"},
        "progress_killed_writers_stale_temporaries": {
            "value": float(stale), "unit": "files", "target": "== 0", "ok": stale == 0,
            "detail": "temporary files left after the next ordinary write"},
        "activity_note_cell_run_ms": {
            "value": cell, "unit": "ms", "target": "< 5", "ok": cell < 5,
            "detail": f"median of {SAMPLES}; a sitting is written at most every few seconds"},
        "activity_note_widget_action_ms": {
            "value": widget, "unit": "ms", "target": "< 5", "ok": widget < 5,
            "detail": f"median of {SAMPLES}; queued, carried by the next write (e.g. the attempt a Check records)"},
        "activity_note_widget_action_over_store_write": {
            "value": widget / baseline, "unit": "x", "target": "report", "ok": True,
            "detail": f"baseline: one plain store write (a checked answer), median {baseline:.2f} ms, same run"},
    }
