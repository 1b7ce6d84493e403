"""Each lesson's headless run-all time (kernel start included) over a one-cell notebook's."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_LESSONS_RUNS", "5"))  # kernel start-up has rare +3 s outliers: medians


def _run_all_seconds(nb) -> float:
    from nbclient import NotebookClient

    started = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "modules")}}).execute()
    return time.perf_counter() - started


def run() -> dict[str, dict]:
    import nbformat

    os.environ["EXOCOURSE_HOME"] = tempfile.mkdtemp(prefix="bench-home-")
    one_cell = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    lessons = sorted((ROOT / "modules").glob("*.ipynb"))
    samples: dict[str, list[float]] = {"baseline": []}
    # Interleave runs so drift in machine load affects baseline and lessons alike.
    for _ in range(RUNS):
        samples["baseline"].append(_run_all_seconds(nbformat.from_dict(one_cell)))
        for path in lessons:
            samples.setdefault(path.stem, []).append(_run_all_seconds(nbformat.read(path, as_version=4)))
    baseline = statistics.median(samples.pop("baseline"))
    metrics = {"one_cell_notebook_run_all_seconds": {
        "value": baseline, "unit": "s", "target": "baseline", "ok": True,
        "detail": f"median of {RUNS}, kernel start included"}}
    for stem, times in samples.items():
        ratio = statistics.median(times) / baseline
        metrics[f"lesson_{stem}_run_all_ratio"] = {
            "value": ratio, "unit": "x", "target": "<= 1.5", "ok": ratio <= 1.5,
            "detail": f"median {statistics.median(times):.2f} s over one-cell {baseline:.2f} s"}
    return metrics
