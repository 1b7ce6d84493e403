"""Intake of a Canvas download: 100 learners in one submissions.zip.

The baseline, measured in the same run, is the work no intake can skip: reading every
notebook out of the zip, parsing its JSON and writing it back. The ratio says what the
checks cost on top (recognising the names, the id map, the assessment and structure
checks, the edited-cell report, nbformat's schema, atomic fsynced writes).
"""
from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

LEARNERS = 100
ROUNDS = 3


def _download(folder: Path, notebook: bytes) -> Path:
    from tests.lms_downloads import CanvasSubmission, write_canvas

    submissions = [CanvasSubmission(f"Learner, Number{n:03d}", 1000 + n, 5000 + n, "assessment.ipynb", notebook,
                                    late=n % 10 == 0) for n in range(LEARNERS)]
    return write_canvas(folder / "submissions", submissions, as_zip=True)


def _baseline(download: Path, out: Path) -> float:
    started = time.perf_counter()
    with zipfile.ZipFile(download) as archive:
        for info in archive.infolist():
            data = json.loads(archive.read(info))
            target = out / info.filename
            target.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return time.perf_counter() - started


def run() -> dict[str, dict]:
    from course.instructor.intake import intake
    from tests.instructor_course import make_course

    with tempfile.TemporaryDirectory(prefix="bench-intake-") as scratch:
        base = Path(scratch)
        template = make_course(base / "template")
        notebook = template.source_notebook("01_exosome_biology").read_bytes()
        download = _download(base, notebook)
        baselines, intakes = [], []
        for round_ in range(ROUNDS):
            out = base / f"plain-{round_}"
            out.mkdir()
            baselines.append(_baseline(download, out))
            course = make_course(base / f"course-{round_}")
            started = time.perf_counter()
            result = intake(course, download, "01")
            intakes.append(time.perf_counter() - started)
            assert len(result.learners) == LEARNERS
            shutil.rmtree(out)
        baseline, taken = statistics.median(baselines), statistics.median(intakes)
    per_learner = taken / LEARNERS * 1000
    return {
        "intake_canvas_zip_per_learner": {
            "value": per_learner, "unit": "ms", "target": "< 100", "ok": per_learner < 100,
            "detail": f"{LEARNERS} learners from one Canvas zip, median of {ROUNDS}"},
        "intake_vs_read_parse_write": {
            "value": taken / baseline, "unit": "x", "target": "report", "ok": True,
            "detail": f"intake {taken:.2f} s, baseline {baseline:.2f} s (read, parse, write back)"},
    }
