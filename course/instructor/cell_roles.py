"""Every cell's grading role restored from the instructor's copy before nbgrader reads it.

nbgrader's ``OverwriteCells`` puts back a locked cell's source, its type, its ``locked``
flag and its points, but it trusts the submission's ``grade`` and ``solution`` flags. A
learner who ticks "grade" on their answer cell makes nbgrader look for a graded cell
that does not exist, and one who gives a new cell an nbgrader id of their own leaves a
graded cell without an id once ``OverwriteCells`` drops it; either stops nbgrader for
that learner. ``RestoreCellRoles`` runs first in the sanitising steps: a cell whose
grade_id the gradebook knows gets the role the instructor gave it (grade, solution,
locked, points); any other cell loses its nbgrader metadata and is graded as what it
is, an ordinary cell. It runs before ``DeduplicateIds`` (which would stop on a graded cell
with no id), and that step then sets copies of a known cell aside.
"""
from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

_KEPT = ("checksum", "cell_type")     # nbgrader's own bookkeeping, checked by OverwriteCells


class RestoreCellRoles(NbGraderPreprocessor):
    """Set each cell's nbgrader role from the gradebook's source notebook; strip unknown ones."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            try:
                source = gradebook.find_notebook(info["notebook"], info["assignment"])
            except MissingEntry:
                return nb, resources
            locked = {cell.name: bool(cell.locked) for cell in source.source_cells}
            points = {cell.name: float(cell.max_score) for cell in source.grade_cells}
            solutions = {cell.name for cell in source.solution_cells}
        for cell in nb.cells:
            metadata = cell.get("metadata")
            if not isinstance(metadata, dict) or "nbgrader" not in metadata:
                continue
            meta = metadata["nbgrader"]
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if not isinstance(grade_id, str) or grade_id not in locked:
                if isinstance(meta, dict) and (meta.get("grade") or meta.get("solution") or meta.get("locked")):
                    self.log.warning("exocourse: set aside the grading role of a cell the course does not have (%s)",
                                     str(grade_id)[:40])
                del metadata["nbgrader"]
                continue
            restored: dict[str, Any] = {"grade": grade_id in points, "grade_id": grade_id,
                                        "locked": locked[grade_id], "schema_version": 3,
                                        "solution": grade_id in solutions}
            if grade_id in points:
                restored["points"] = points[grade_id]
            kept = {k: v for k, v in meta.items() if k in _KEPT}
            changed = sorted(k for k in set(meta) | set(restored)
                             if k not in _KEPT and meta.get(k) != restored.get(k))
            if changed:
                self.log.warning("exocourse: restored the grading role of cell %s (%s)", grade_id, ", ".join(changed))
            metadata["nbgrader"] = NotebookNode({**kept, **restored})
        return nb, resources
