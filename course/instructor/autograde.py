"""Autograde: nbgrader's own autograding, with answers read from the key and nothing run.

The steps are nbgrader's, as ``grading/nbgrader_config.py`` lists them (the same list
plain ``nbgrader autograde`` and Formgrader use): nbgrader's sanitising steps (outputs
cleared, duplicated ids set aside, locked cells restored from the instructor's copy in
the gradebook, missing grade cells put back), then ``GradeAnswersFromKey``
(``course.instructor.grading``) in place of ``Execute``, then ``SaveAutoGrades`` and late
penalties. No kernel starts and no learner code runs, so a submission can do nothing
but be read.

What exocourse adds around nbgrader:

- a typed result per learner (``LearnerGrade``, with notes in plain words: a deleted cell
  put back, an answer that is not an answer), and a progress bar;
- one learner's broken notebook never stops the batch;
- a refusal to run if the configuration puts an executing step back in the chain;
- the gradebook lock: every step that writes the gradebook holds ``.gradebook.lock`` in
  the course folder, so two exocourse processes grading the same course at once (two
  terminals, or an instructor and a cron job) never interleave their writes.

Learners are graded one after another in this process. With no kernel to wait for, a
learner takes a few hundredths of a second, nearly all of it gradebook work that the lock
would serialise anyway: worker processes did not earn their keep (``benchmarks/
bench_autograde.py`` measures it), so ``workers`` is kept for the CLI's sake and ignored.
"""
from __future__ import annotations

import fcntl
import re
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from course._errors import ConfigurationError, CourseError
from course.instructor._logs import CapturedLog, summary
from course.instructor.coursedir import CourseDir

LOCK_FILE = ".gradebook.lock"
GRADED, FAILED = "graded", "failed"


@dataclass(frozen=True)
class LearnerGrade:
    """One learner's autograding: what nbgrader recorded, and anything unusual."""

    learner: str
    status: str                    # "graded" or "failed"
    score: float                   # autograded points earned
    max_score: float               # autograded points available
    seconds: float
    notes: tuple[str, ...] = ()    # e.g. "a deleted question cell was put back"

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


@dataclass(frozen=True)
class AutogradeResult:
    assessment: str
    workers: int
    seconds: float
    learners: tuple[LearnerGrade, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> list[LearnerGrade]:
        return [g for g in self.learners if g.status == FAILED]

    def scores(self) -> dict[str, float]:
        return {g.learner: g.score for g in self.learners}


# ---------------------------------------------------------------- the gradebook lock

@contextmanager
def gradebook_lock(root: Path) -> Iterator[None]:
    """Hold the course's gradebook lock (``<root>/.gradebook.lock``) for one gradebook step."""
    with open(Path(root) / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _locked(step: type, root: Path) -> type:
    """``step`` (an nbgrader preprocessor that writes the gradebook) holding the lock."""

    unlocked: Any = step.preprocess   # type: ignore[attr-defined]

    def preprocess(self: Any, nb: Any, resources: Any) -> Any:
        with gradebook_lock(root):
            return unlocked(self, nb, resources)

    return type(f"Locked{step.__name__}", (step,), {"preprocess": preprocess})


def _step_class(step: Any) -> type:
    if isinstance(step, str):
        from traitlets.utils.importstring import import_item

        try:
            return import_item(step)
        except (ImportError, AttributeError) as exc:
            raise ConfigurationError(f"nbgrader_config.py lists the grading step {step!r}, which cannot be "
                                     f"imported ({exc}). Check the spelling in Autograde.autograde_preprocessors."
                                     ) from None
    return step if isinstance(step, type) else type(step)


def _gradebook_steps() -> tuple[type, ...]:
    from nbgrader.preprocessors import AssignLatePenalties, OverwriteCells, SaveAutoGrades

    return (OverwriteCells, SaveAutoGrades, AssignLatePenalties)


def checked_steps(steps: list[Any], root: Path) -> list[type]:
    """The configured preprocessors, with every gradebook writer holding the lock; an
    executing step (nbgrader's ``Execute`` or any kernel client) is refused."""
    from nbclient import NotebookClient
    from nbconvert.preprocessors import ExecutePreprocessor

    classes = [_step_class(s) for s in steps]
    running = [c.__name__ for c in classes if issubclass(c, (ExecutePreprocessor, NotebookClient))]
    if running:
        raise ConfigurationError(
            f"nbgrader_config.py puts {', '.join(running)} in the autograde steps, which would run every "
            "learner's code with your rights. This course grades from the key without running anything: "
            "restore Autograde.autograde_preprocessors from the course's grading/nbgrader_config.py.")
    writers = _gradebook_steps()
    return [_locked(c, root) if issubclass(c, writers) else c for c in classes]


def _converter_class() -> type:
    from nbgrader.converters import Autograde

    class LockedAutograde(Autograde):
        """nbgrader's Autograde with the configured steps checked and gradebook writes locked."""

        def init_assignment(self, assignment_id: str, student_id: str) -> None:
            with gradebook_lock(Path(self.coursedir.root)):
                super().init_assignment(assignment_id, student_id)

        def _init_preprocessors(self) -> None:
            self.exporter._preprocessors = []
            steps = self.sanitize_preprocessors if self._sanitizing else self.autograde_preprocessors
            for step in checked_steps(list(steps), Path(self.coursedir.root)):
                self.exporter.register_preprocessor(step)

    return LockedAutograde


@contextmanager
def shared_engines() -> Iterator[None]:
    """While grading, every ``nbgrader.api.Gradebook`` this process opens reuses one
    SQLAlchemy engine per database URL, and checks the gradebook's tables once.

    nbgrader opens a new ``Gradebook`` in each gradebook step, nine times per learner: each
    time a new engine (whose first connection initialises the dialect), a look at the
    table names and a ``create_all``. With no kernel to wait for, that was much of the time
    a learner took. An engine is only a factory of connections, and the tables do not go
    away during a run; ``Gradebook.close()`` still returns its connections
    (``engine.dispose()``), so the sessions, transactions and queries are nbgrader's own.
    """
    import nbgrader.api as nbgrader_api

    create, inspect, metadata = nbgrader_api.create_engine, nbgrader_api.inspect, nbgrader_api.Base.metadata
    create_all = metadata.create_all
    engines: dict[str, Any] = {}
    tables: dict[int, list[str]] = {}
    created: set[int] = set()

    def shared(url: Any, *args: Any, **kwargs: Any) -> Any:
        key = f"{url}|{sorted(kwargs.items())}"
        if key not in engines:
            engines[key] = create(url, *args, **kwargs)
        return engines[key]

    class _KnownTables:
        def __init__(self, names: list[str]) -> None:
            self.names = names

        def get_table_names(self) -> list[str]:
            return list(self.names)

    def inspect_once(subject: Any, *args: Any, **kwargs: Any) -> Any:
        if id(subject) in tables:
            return _KnownTables(tables[id(subject)])
        inspector = inspect(subject, *args, **kwargs)
        if any(subject is engine for engine in engines.values()):
            names = inspector.get_table_names()
            if names:
                tables[id(subject)] = names
            return _KnownTables(names)
        return inspector

    def create_all_once(bind: Any = None, *args: Any, **kwargs: Any) -> Any:
        if bind is not None and id(bind) in created:
            return None
        result = create_all(bind, *args, **kwargs)
        if bind is not None and any(bind is engine for engine in engines.values()):
            created.add(id(bind))
        return result

    nbgrader_api.create_engine, nbgrader_api.inspect = shared, inspect_once
    metadata.create_all = create_all_once
    try:
        yield
    finally:
        nbgrader_api.create_engine, nbgrader_api.inspect = create, inspect
        del metadata.create_all            # the class's own method again
        for engine in engines.values():
            engine.dispose()


# ---------------------------------------------------------------- one learner

def _grade_learner(course: CourseDir, converter_class: type, assessment: str, learner: str) -> tuple[bool, float,
                                                                                                   tuple[str, ...]]:
    """Run nbgrader's autograding for one learner; (ok, seconds, log messages)."""
    from nbgrader.converters.base import NbGraderException

    started = time.monotonic()
    log = CapturedLog("autograde")
    ok = True
    try:
        with warnings.catch_warnings():
            # SQLAlchemy's and nbformat's warnings about nbgrader's internals are not the
            # instructor's business; what matters is in the log and becomes the notes.
            warnings.simplefilter("ignore")
            converter = converter_class(coursedir=course.nbgrader_coursedir(assessment, learner),
                                        config=course.config, log=log.logger)
            converter.force = True
            converter.start()
    except NbGraderException:
        ok = False
    except CourseError:
        raise                      # the course's set-up, not this learner: stop and say so
    except Exception as exc:  # anything else nbgrader did not expect: this learner only
        ok = False
        log.logger.error("%s: %s", type(exc).__name__, exc)
    finally:
        log.close()
    return ok, time.monotonic() - started, tuple(log.messages)


_QUESTION = re.compile(r"^exocourse: question (\d+) (is not an answer|was read from another cell)")


def _notes(messages: tuple[str, ...]) -> tuple[str, ...]:
    """The instructor-facing notes from nbgrader's and the grader's warnings."""
    notes: list[str] = []
    not_answers: list[str] = []
    moved: list[str] = []

    def add(note: str) -> None:
        if note not in notes:
            notes.append(note)

    for message in messages:
        question = _QUESTION.match(message)
        if question:
            (not_answers if question.group(2).startswith("is not") else moved).append(f"Q{question.group(1)}")
        elif message.startswith("Missing grade cell"):
            add("a deleted question cell was put back")
        elif message.startswith("Attribute 'checksum'"):
            add("an edited locked cell was restored from the instructor's copy")
        elif message.startswith("Attribute 'cell_type'"):
            add("a cell whose type was changed was changed back")
        elif "exists multiple times" in message:
            add("a copied question cell was set aside")
        elif message.startswith("exocourse: graded cell"):
            add(message.removeprefix("exocourse: ") + " (scored 0)")
        elif message.startswith("exocourse: restored the grading role"):
            add("a cell's grading role was changed back to the instructor's")
        elif message.startswith("exocourse: set aside the grading role"):
            add("a cell the learner marked for grading was set aside")
    if not_answers:
        notes.append(f"not an answer (code or unquoted text, scored 0): {', '.join(dict.fromkeys(not_answers))}")
    if moved:
        notes.append(f"answer cell missing, answer read from another cell: {', '.join(dict.fromkeys(moved))}")
    return tuple(notes)


# ---------------------------------------------------------------- the step

def _progress_line(done: int, total: int, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} learners"


def _show_progress(stream: IO[str] | None, done: int, total: int) -> None:
    if stream is None:
        return
    if stream.isatty():
        stream.write("\r" + _progress_line(done, total))
        if done == total:
            stream.write("\n")
    elif done == total or done % max(1, total // 10) == 0:
        stream.write(_progress_line(done, total) + "\n")
    stream.flush()


def _prepare_gradebook(course: CourseDir, assessment: str, learners: list[str]) -> None:
    """Check the assessment was released, and create the learners, before grading."""
    from nbgrader.api import MissingEntry

    with gradebook_lock(course.root), course.gradebook() as gb:
        try:
            gb.find_assignment(assessment)
        except MissingEntry:
            raise ConfigurationError(f"{assessment} is not in the gradebook yet: run "
                                     f"`exocourse release {assessment}` first.") from None
        for learner in learners:
            gb.update_or_create_student(learner)


def read_scores(course: CourseDir, assessment: str, learners: list[str]) -> dict[str, tuple[float, float]]:
    """Autograded (score, max) per learner from the gradebook."""
    from nbgrader.api import MissingEntry

    scores: dict[str, tuple[float, float]] = {}
    with course.gradebook() as gb:
        for learner in learners:
            try:
                submission = gb.find_submission(assessment, learner)
            except MissingEntry:
                continue
            scores[learner] = (float(submission.code_score or 0.0), float(submission.max_code_score or 0.0))
    return scores


def _check_key(course: CourseDir, assessment: str) -> None:
    from course.instructor.assessments import assessment_file, load_assessment

    key = assessment_file(course.root, assessment)
    if not key.exists():
        raise ConfigurationError(f"There is no key for {assessment}: {key} is missing. Copy the course's "
                                 "assessments/ folder (beside source/) into the course folder.")
    load_assessment(key)           # an authoring slip stops here, named, before anyone is graded


def autograde(course: CourseDir, assessment: str, workers: int | None = None,
              learners: list[str] | None = None, progress: IO[str] | None = None,
              quiet: bool = True) -> AutogradeResult:
    """Autograde every submitted learner of ``assessment`` (or only ``learners``), printing a
    progress bar to ``progress`` (e.g. ``sys.stderr``; None prints nothing). ``workers`` and
    ``quiet`` are accepted for compatibility: grading runs no kernels and prints nothing."""
    del workers, quiet
    assessment = course.resolve(assessment)
    submitted = course.submitted_learners(assessment)
    if learners is not None:
        unknown = sorted(set(learners) - set(submitted))
        if unknown:
            raise ConfigurationError(f"No submission of {assessment} from: {', '.join(unknown)}. "
                                     "Run `exocourse intake` for them first.")
        submitted = [name for name in submitted if name in set(learners)]
    if not submitted:
        raise ConfigurationError(f"There are no submissions of {assessment} in {course.submitted_dir}: "
                                 f"run `exocourse intake DIR --assessment {assessment}` first.")
    _check_key(course, assessment)
    converter_class = _converter_class()
    # The configured chain is checked once, before anyone is graded.
    from nbgrader.converters import Autograde

    configured = Autograde(config=course.config)
    checked_steps(list(configured.autograde_preprocessors) + list(configured.sanitize_preprocessors), course.root)
    _prepare_gradebook(course, assessment, submitted)

    started = time.monotonic()
    outcomes: dict[str, tuple[bool, float, tuple[str, ...]]] = {}
    _show_progress(progress, 0, len(submitted))
    with shared_engines():
        for done, learner in enumerate(submitted, start=1):
            outcomes[learner] = _grade_learner(course, converter_class, assessment, learner)
            _show_progress(progress, done, len(submitted))
    seconds = time.monotonic() - started

    scores = read_scores(course, assessment, submitted)
    grades: list[LearnerGrade] = []
    for learner in submitted:
        ok, took, messages = outcomes[learner]
        score, maximum = scores.get(learner, (0.0, 0.0))
        notes = _notes(messages)
        if not ok:
            notes = notes + ((summary(messages, limit=1)[:200] or "nbgrader could not grade this notebook"),)
        grades.append(LearnerGrade(learner, GRADED if ok else FAILED, score, maximum, took, notes))
    return AutogradeResult(assessment, 1, seconds, tuple(grades))


def default_workers() -> int:
    """Kept for callers of the earlier parallel version: grading is serial (see the module note)."""
    return 1


__all__ = ["AutogradeResult", "LearnerGrade", "autograde", "gradebook_lock", "read_scores", "checked_steps",
           "default_workers", "GRADED", "FAILED", "LOCK_FILE"]
