"""nbgrader's execute step, confined: for an item that must run a learner's code.

No assessment of this course uses it: every graded answer is read as text by
``GradeAnswersFromKey``. A course that adds a coding exercise puts this step where
nbgrader's ``Execute`` stands in ``Autograde.autograde_preprocessors`` (never ``Execute``
itself, which ``exocourse autograde`` refuses). Each notebook's code cells then run in
``course.instructor.sandbox``: a user of their own, no network, no course folder, home or
key to see, limits, and nothing left running afterwards. The outputs come back as data and
nbgrader scores the grade cells from them as usual (an error output is no mark).

Where the sandbox cannot run (not Linux, not root), the step stops with that reason and
runs nothing: it never falls back to running code unconfined.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer, List, Unicode

from course.instructor.sandbox import Limits, run_cells


class SandboxedExecute(NbGraderPreprocessor):
    """Run every code cell of the notebook in the sandbox; the outputs replace the cells' outputs."""

    timeout = Float(60.0, help="seconds the whole notebook may take").tag(config=True)
    memory_mb = Integer(1024, help="memory the code may use, in MB").tag(config=True)
    processes = Integer(32, help="processes and threads the code may have at once").tag(config=True)
    cpu_seconds = Integer(30, help="CPU time the code may use").tag(config=True)
    hide = List(Unicode(), help="folders the code must not see, besides the course folder and the home folder"
                ).tag(config=True)

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        limits = Limits(memory_mb=self.memory_mb, processes=self.processes, cpu_seconds=self.cpu_seconds,
                        wall_seconds=self.timeout)
        # nbgrader runs in the course folder: it is hidden from the code, whatever its name.
        run = run_cells([cell.source for cell in code], limits, hide=[Path.cwd(), *map(Path, self.hide)])
        for number, cell in enumerate(code):
            if run.ok and number < len(run.outputs):
                cell.outputs = [nbformat.from_dict(output) for output in run.outputs[number]]
            else:
                cell.outputs = [nbformat.v4.new_output(
                    "error", ename="NotRun", evalue=run.message or "the run ended before this cell",
                    traceback=[f"This cell did not run to the end: {run.message}"])]
        return nb, resources
