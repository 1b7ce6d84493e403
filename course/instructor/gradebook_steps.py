"""nbgrader's SaveAutoGrades with one commit per notebook instead of one per cell.

nbgrader's ``SaveAutoGrades`` commits the gradebook after every graded and every answer
cell: sixteen commits per learner here, each a synced write on SQLite. With no kernel to
wait for, that was the largest part of grading a learner. ``SaveAutoGradesOnce`` does the
same work (the same lookups, the same ``determine_grade`` scores, the same "No response."
comments and ``needs_manual_grade`` rule, copied from nbgrader 0.9's ``_add_score`` and
``_add_comment``) and commits once when the notebook is done, so a learner's grades are
also saved all together or not at all.
"""
from __future__ import annotations

from typing import Any

from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import SaveAutoGrades


class SaveAutoGradesOnce(SaveAutoGrades):
    """Save the autograder's scores and comments for one notebook in one transaction."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        self.student_id, self.db_url = info["student"], info["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            for index, cell in enumerate(nb.cells):
                nb.cells[index], resources = self.preprocess_cell(cell, resources, index)
            self.gradebook.db.commit()
        return nb, resources

    def _add_score(self, cell: Any, resources: Any) -> None:
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        grade.auto_score, _ = utils.determine_grade(cell, self.log)
        # A manual grade already given, or no automatic score: a person must look again.
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None

    def _add_comment(self, cell: Any, resources: Any) -> None:
        comment = self.gradebook.find_comment(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                              self.assignment_id, self.student_id)
        unchanged = cell.metadata.nbgrader.get("checksum", None) == utils.compute_checksum(cell)
        comment.auto_comment = "No response." if unchanged and not utils.is_task(cell) else None
