# nbgrader configuration of the Exosome Reality Check course.
#
# `exocourse` reads this file for every step (release, intake, autograde, feedback,
# report); plain `nbgrader` commands run from this folder read it too. Hand-written:
# assessments/*.yml (each assessment's questions and key) and this file; source/ is
# generated from the YAML (`make assessments`); release/, submitted/, autograded/,
# feedback/, reports/ and the gradebook are made by the steps.
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "exosome-reality-check"
c.CourseDirectory.root = HERE

# The gradebook. SQLite in this folder by default; a course that outgrows one machine
# points it at PostgreSQL, e.g.
#   EXOCOURSE_DB_URL=postgresql://grader@db.example.org/exocourse
# (or `exocourse --db-url ...`). Nothing else changes. The URL is normalised (driver) and
# checked against gradebook-location.json by the same code exocourse uses, so nbgrader's
# commands and Formgrader stop with what to set rather than start a second gradebook.
try:
    from course.instructor.coursedir import nbgrader_db_url  # noqa: E402
except ImportError as missing:
    # traitlets logs an ordinary error in a config file and carries on with nbgrader's own
    # defaults: its Execute step (which runs learners' code) and a new, empty gradebook.db.
    # A SystemExit is the one thing it lets through, so stop here instead.
    raise SystemExit(
        f"This course's nbgrader settings need the course library, which this Python cannot import "
        f"({missing}). Run nbgrader from the course's environment (e.g. ../.venv/bin/nbgrader) or install "
        "it there with: pip install -e '.[instructor]'") from None

c.CourseDirectory.db_url = nbgrader_db_url(HERE)

# Releasing: an answer cell keeps only its first line (`answer_3 = ""`), so the stub
# that replaces a solution region is empty. Reflections get a plain-English prompt.
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = "Type your reflection here (double-click this cell to edit it)."

# Grading: a test cell a learner deleted is put back (nbgrader leaves it out otherwise),
# and one a learner edited is restored from the source (read-only cells always are).
c.OverwriteCells.add_missing_cells = True

# Grading never runs a learner's code: nbgrader's own autograde steps, with Execute
# replaced by a step that reads each answer cell as text and scores it against the key in
# assessments/<id>.yml (course.instructor.grading). `exocourse autograde`, `nbgrader
# autograde` run in this folder and Formgrader's autograde button all use this list.
# (CheckCellMetadataCompiled is nbgrader's CheckCellMetadata with its schema compiled once;
# SaveAutoGradesOnce is nbgrader's SaveAutoGrades committing once per notebook;
# OverwriteCellsPreloaded is nbgrader's OverwriteCells reading the source cells once.)
# (RestoreCellRoles gives every cell the grading role the instructor gave it: nbgrader's
# OverwriteCells trusts the submission's grade/solution flags.)
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "course.instructor.cell_roles.RestoreCellRoles",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "course.instructor.gradebook_steps.OverwriteCellsPreloaded",
    "course.instructor.metadata_check.CheckCellMetadataCompiled",
]
c.Autograde.autograde_preprocessors = [
    "course.instructor.grading.GradeAnswersFromKey",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course.instructor.gradebook_steps.SaveAutoGradesOnce",
    "nbgrader.preprocessors.AssignLatePenalties",
    "course.instructor.metadata_check.CheckCellMetadataCompiled",
]

# A learner who prints without end gets a short, readable output in feedback.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40

# Feedback: nbgrader's page would show hidden tests, keyed answers and "0 / 4" for a
# reflection nobody has marked. These steps rebuild the page from the released prompts,
# the learner's own answers and the gradebook's final marks (course.instructor.feedback_steps),
# and the exporter checks every page for leaks before nbgrader writes it. `exocourse
# feedback`, `nbgrader generate_feedback` run in this folder and Formgrader's "Generate
# Feedback" button all use them.
c.GenerateFeedback.preprocessors = [
    "course.instructor.feedback_steps.ReadFinalMarks",
    "course.instructor.feedback_steps.ReadLearnerAnswers",
    "course.instructor.feedback_steps.ComposeFeedback",
    "course.instructor.feedback_steps.RenderCitations",
    "course.instructor.feedback_steps.EmbedPlotly",
]
c.GenerateFeedback.exporter_class = "course.instructor.feedback_steps.CheckedFeedbackExporter"

# nbconvert validates the whole notebook after every step by default; once, after the last
# step, is enough (a step that broke the notebook is still caught) and takes a third less time.
c.Exporter.optimistic_validation = True
