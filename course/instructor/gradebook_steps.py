"""nbgrader's gradebook steps, with the same effect in fewer queries and commits.

With no kernel to wait for, what a learner's grading costs is mostly nbgrader's own
gradebook traffic: a query per cell and a commit per cell. These steps do exactly what
nbgrader 0.9's do (tests compare the gradebook rows and the graded notebooks, learner by
learner, tampered submissions included) with the lookups made once per notebook:

- ``SaveAutoGradesOnce``: nbgrader's ``SaveAutoGrades`` (the same ``determine_grade``
  scores, the same "No response." comments and ``needs_manual_grade`` rule, copied from
  its ``_add_score`` and ``_add_comment``), reading the submission's grade and comment rows
  in one go and committing once when the notebook is done, so a learner's grades are
  also saved all together or not at all;
- ``OverwriteCellsPreloaded``: nbgrader's ``OverwriteCells`` (its own code restores every
  cell), with the instructor's source and graded cells read once per notebook instead of
  two queries per cell.
"""
from __future__ import annotations

from typing import Any

from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import OverwriteCells, SaveAutoGrades


class SaveAutoGradesOnce(SaveAutoGrades):
    """Save the autograder's scores and comments for one notebook in one transaction."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        self.student_id, self.db_url = info["student"], info["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            self._grades: dict[str, Any] = {}
            self._comments: dict[str, Any] = {}
            try:
                submitted = self.gradebook.find_submission_notebook(self.notebook_id, self.assignment_id,
                                                                    self.student_id)
            except MissingEntry:
                pass      # each lookup below then says what is missing, as nbgrader's would
            else:
                self._grades = {grade.name: grade for grade in submitted.grades}
                self._comments = {comment.name: comment for comment in submitted.comments}
            for index, cell in enumerate(nb.cells):
                nb.cells[index], resources = self.preprocess_cell(cell, resources, index)
            self.gradebook.db.commit()
        return nb, resources

    def _add_score(self, cell: Any, resources: Any) -> None:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        grade = self._grades.get(grade_id) or self.gradebook.find_grade(grade_id, self.notebook_id,
                                                                        self.assignment_id, self.student_id)
        grade.auto_score, _ = utils.determine_grade(cell, self.log)
        # A manual grade already given, or no automatic score: a person must look again.
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None

    def _add_comment(self, cell: Any, resources: Any) -> None:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        comment = self._comments.get(grade_id) or self.gradebook.find_comment(
            grade_id, self.notebook_id, self.assignment_id, self.student_id)
        unchanged = cell.metadata.nbgrader.get("checksum", None) == utils.compute_checksum(cell)
        comment.auto_comment = "No response." if unchanged and not utils.is_task(cell) else None


class _PreloadedCells:
    """The gradebook, with ``find_source_cell`` and ``find_graded_cell`` answered from the
    notebook's cells read once; everything else goes to the gradebook itself."""

    def __init__(self, gradebook: Gradebook, notebook_id: str, assignment_id: str) -> None:
        self._gradebook = gradebook
        self._key = (notebook_id, assignment_id)
        notebook = gradebook.find_notebook(notebook_id, assignment_id)
        self._source = {cell.name: cell for cell in notebook.source_cells}
        self._graded = {cell.name: cell for cell in notebook.grade_cells}

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> Any:
        if (notebook, assignment) == self._key and name in self._source:
            return self._source[name]
        return self._gradebook.find_source_cell(name, notebook, assignment)

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> Any:
        if (notebook, assignment) == self._key and name in self._graded:
            return self._graded[name]
        return self._gradebook.find_graded_cell(name, notebook, assignment)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)


class OverwriteCellsPreloaded(OverwriteCells):
    """nbgrader's ``OverwriteCells``, reading the instructor's cells once per notebook."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id, self.db_url = info["notebook"], info["assignment"], info["db_url"]
        gradebook = Gradebook(self.db_url)
        with gradebook:
            self.gradebook = _PreloadedCells(gradebook, self.notebook_id, self.assignment_id)
            # nbgrader's own cell-by-cell pass and its putting back of deleted cells.
            nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources
