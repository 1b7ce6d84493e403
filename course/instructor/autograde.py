"""Autograde: nbgrader's own autograding, for many learners at once.

nbgrader grades one learner after another (nbgrader #174). Here each learner is graded
by nbgrader's ``Autograde`` converter in a worker process, N at a time. The workers
share one gradebook: every step that reads or writes it (setting up the submission,
restoring cells from the source, saving grades) runs under a file lock, while the slow
part, executing the notebook, runs in parallel. So the scores are exactly those of a
serial ``nbgrader autograde``, on SQLite or PostgreSQL alike.

Two things nbgrader does not do, added in ``GradingExecute``:

- a notebook that kills its kernel (``os._exit``, a crash) is graded with what ran:
  cells after that point are marked "not run" (so their tests earn nothing) instead
  of failing the learner's whole submission;
- output is cut at ``max_output_bytes`` per cell while it arrives, so a learner who
  prints 100 MB costs neither memory nor time, and a notebook gets at most
  ``max_notebook_seconds`` in all.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from course._errors import ConfigurationError
from course.instructor._logs import CapturedLog, summary
from course.instructor.coursedir import CourseDir, open_course

LOCK_FILE = ".gradebook.lock"
GRADED, FAILED = "graded", "failed"

# The lock file of this worker process (set by the worker's initialiser).
_lock_path: Path | None = None
# Each worker's kernels talk over IPC sockets under a prefix private to that worker.
# With TCP, kernels started at the same moment by two workers can race for the same free
# ports; the loser's kernel never starts, which would look like a learner whose code
# killed the kernel and under-score them. Unix sockets under distinct prefixes cannot clash.
_kernel_socket_prefix: str | None = None


@dataclass(frozen=True)
class LearnerGrade:
    """One learner's autograding: what nbgrader recorded, and anything unusual."""

    learner: str
    status: str                    # "graded" or "failed"
    score: float                   # autograded points earned
    max_score: float               # autograded points available
    seconds: float
    notes: tuple[str, ...] = ()    # e.g. "a cell was stopped after 20 s"

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


@dataclass(frozen=True)
class _WorkerOutcome:
    learner: str
    ok: bool
    seconds: float
    messages: tuple[str, ...]


# ---------------------------------------------------------------- the gradebook lock

@contextmanager
def gradebook_lock() -> Iterator[None]:
    """Hold the course's gradebook lock (a no-op outside a grading worker)."""
    if _lock_path is None:
        yield
        return
    import fcntl

    with open(_lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _grading_classes() -> dict[str, Any]:
    """nbgrader's autograde steps, with gradebook access serialised and execution hardened.
    Built on first use so that importing this module does not import nbgrader."""
    global _CLASSES
    if _CLASSES:
        return _CLASSES
    from nbclient.exceptions import DeadKernelError
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbformat.v4 import new_output
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        Execute,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )
    from traitlets import Enum, Integer

    class LockedOverwriteCells(OverwriteCells):
        def preprocess(self, nb: Any, resources: Any) -> Any:
            with gradebook_lock():
                return super().preprocess(nb, resources)

    class LockedSaveAutoGrades(SaveAutoGrades):
        def preprocess(self, nb: Any, resources: Any) -> Any:
            with gradebook_lock():
                return super().preprocess(nb, resources)

    class LockedAssignLatePenalties(AssignLatePenalties):
        def preprocess(self, nb: Any, resources: Any) -> Any:
            with gradebook_lock():
                return super().preprocess(nb, resources)

    class GradingExecute(Execute):
        """nbgrader's Execute, graded with what ran when the kernel dies, with output capped."""

        max_output_bytes = Integer(1_000_000, help="Output kept per cell; the rest is cut.").tag(config=True)
        max_notebook_seconds = Integer(300, help="Time for a whole notebook; later cells are not run.").tag(
            config=True)
        # Once every cell has run and its output is in, the kernel has nothing left to do:
        # stopping it at once saves a fifth of its CPU time per notebook.
        shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)

        def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
            self._stopped: str | None = None
            self._started = time.monotonic()
            self._output_bytes: dict[int, int] = {}
            return super().preprocess(nb, resources, km)

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
            if cell.cell_type != "code" or not cell.source.strip():
                return cell, resources
            if self._stopped is None and time.monotonic() - self._started > self.max_notebook_seconds:
                self._stopped = f"the notebook ran out of its {self.max_notebook_seconds} s"
                self.log.warning("exocourse: notebook stopped after %s s", self.max_notebook_seconds)
            if self._stopped:
                cell.outputs = [new_output("error", ename="NotRun", evalue=self._stopped,
                                           traceback=[f"This cell was not run: {self._stopped}."])]
                return cell, resources
            try:
                return super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self._stopped = "the Python kernel stopped in an earlier cell"
                cell.outputs.append(new_output(
                    "error", ename="KernelDied", evalue="the kernel stopped while running this cell",
                    traceback=["The Python kernel stopped while running this cell (for example the code "
                               "called os._exit or used up the memory); later cells were not run."]))
                self.log.warning("exocourse: kernel died in cell %s", index)
                return cell, resources

        def output(self, outs: Any, msg: dict[str, Any], display_id: Any, cell_index: int) -> Any:
            used = self._output_bytes.get(cell_index, 0)
            if used >= self.max_output_bytes:
                return None
            content = msg.get("content", {})
            size = _output_size(msg["msg_type"], content)
            self._output_bytes[cell_index] = used + size
            if used + size <= self.max_output_bytes:
                return super().output(outs, msg, display_id, cell_index)
            if msg["msg_type"] == "stream":
                content["text"] = content.get("text", "")[: self.max_output_bytes - used]
                super().output(outs, msg, display_id, cell_index)
            outs.append(new_output("stream", name="stdout", text=(
                f"\n[output cut here: this cell printed more than {self.max_output_bytes // 1_000_000} MB]\n")))
            self.log.warning("exocourse: output cut in cell %s", cell_index)
            return None

    class ParallelAutograde(Autograde):
        sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                  LockedOverwriteCells, CheckCellMetadata]
        autograde_preprocessors = [GradingExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                   LockedSaveAutoGrades, LockedAssignLatePenalties, CheckCellMetadata]

        def init_assignment(self, assignment_id: str, student_id: str) -> None:
            with gradebook_lock():
                super().init_assignment(assignment_id, student_id)

    _CLASSES = {"Autograde": ParallelAutograde, "Execute": GradingExecute}
    return _CLASSES


_CLASSES: dict[str, Any] = {}


def _output_size(msg_type: str, content: dict[str, Any]) -> int:
    if msg_type == "stream":
        return len(content.get("text", ""))
    data = content.get("data") or {}
    if msg_type == "error":
        return sum(len(line) for line in content.get("traceback", []))
    return sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())


# ---------------------------------------------------------------- one learner, in a worker

def _init_worker(root: str, quiet: bool) -> None:
    global _lock_path, _kernel_socket_prefix
    _lock_path = Path(root) / LOCK_FILE
    if sys.platform != "win32":
        sockets = tempfile.mkdtemp(prefix="exocourse-kernels-")
        _kernel_socket_prefix = str(Path(sockets) / "kernel")
        # Pool workers leave through multiprocessing's exit path, which skips atexit.
        multiprocessing.util.Finalize(None, shutil.rmtree, args=(sockets, True), exitpriority=0)
    if quiet:
        # Kernels inherit the worker's stdout/stderr and print start-up warnings there;
        # the instructor sees the progress bar and the summary instead.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)


def _grade_learner(root: str, db_url: str, assessment: str, learner: str) -> _WorkerOutcome:
    """Run nbgrader's autograding for one learner (inside a worker process)."""
    from nbgrader.converters.base import NbGraderException

    started = time.monotonic()
    course = open_course(root, db_url)
    log = CapturedLog("autograde")
    ok = True
    try:
        config = course.config
        if _kernel_socket_prefix:
            config = config.copy()
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = _kernel_socket_prefix
        converter = _grading_classes()["Autograde"](
            coursedir=course.nbgrader_coursedir(assessment, learner), config=config, log=log.logger)
        converter.force = True
        converter.start()
    except NbGraderException:
        ok = False
    except Exception as exc:  # anything else nbgrader did not expect: this learner only
        ok = False
        log.logger.error("%s: %s", type(exc).__name__, exc)
    finally:
        log.close()
    return _WorkerOutcome(learner, ok, time.monotonic() - started, tuple(log.messages))


def _notes(messages: tuple[str, ...], timeout: float) -> tuple[str, ...]:
    """The instructor-facing notes from nbgrader's and our warnings."""
    notes: list[str] = []

    def add(note: str) -> None:
        if note not in notes:
            notes.append(note)

    for message in messages:
        if message.startswith("Missing grade cell"):
            add("a deleted question cell was put back")
        elif message.startswith("Timeout waiting for execute reply"):
            add(f"a cell was stopped after {timeout:g} s")
        elif message.startswith("exocourse: kernel died"):
            add("the kernel stopped (graded with what ran)")
        elif message.startswith("exocourse: output cut"):
            add("output was cut (too much printing)")
        elif message.startswith("exocourse: notebook stopped"):
            add("the notebook ran out of time (graded with what ran)")
        elif "exists multiple times" in message:
            add("a copied question cell was set aside")
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
    else:
        stream.write(_progress_line(done, total) + "\n")
    stream.flush()


def _prepare_gradebook(course: CourseDir, assessment: str, learners: list[str]) -> None:
    """Check the assessment was released, and create the learners, before workers start
    (so no two workers ever race to create the same row)."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
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


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _pool(workers: int, root: str, quiet: bool) -> ProcessPoolExecutor:
    # fork is quick (nbgrader is already imported); elsewhere spawn is the safe default.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(root, quiet))


def autograde(course: CourseDir, assessment: str, workers: int | None = None,
              learners: list[str] | None = None, progress: IO[str] | None = None,
              quiet: bool = True) -> AutogradeResult:
    """Autograde every submitted learner of ``assessment`` (or only ``learners``), ``workers``
    at a time (default: the number of cores), printing a progress bar to ``progress``
    (e.g. ``sys.stderr``; None prints nothing)."""
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
    workers = max(1, min(workers or default_workers(), len(submitted)))
    if workers > 1 and sys.platform == "win32":
        workers = 1  # the gradebook lock needs fcntl
    _grading_classes()  # import nbgrader once, before the workers fork
    _prepare_gradebook(course, assessment, submitted)

    started = time.monotonic()
    outcomes: dict[str, _WorkerOutcome] = {}
    _show_progress(progress, 0, len(submitted))
    retry = _run_round(course, assessment, submitted, workers, quiet, outcomes, progress, len(submitted))
    for learner in retry:  # a worker process died: try each affected learner once more, alone
        again = _run_round(course, assessment, [learner], 1, quiet, outcomes, progress, len(submitted))
        for lost in again:
            outcomes[lost] = _WorkerOutcome(lost, False, 0.0, ("the grading process itself crashed",))
            _show_progress(progress, len(outcomes), len(submitted))
    seconds = time.monotonic() - started

    timeout = float(course.config.Execute.get("timeout", 30) or 30)
    scores = read_scores(course, assessment, submitted)
    grades: list[LearnerGrade] = []
    for learner in submitted:
        outcome = outcomes[learner]
        score, maximum = scores.get(learner, (0.0, 0.0))
        notes = _notes(outcome.messages, timeout)
        if not outcome.ok:
            notes = notes + ((summary(outcome.messages, limit=1)[:200] or "nbgrader could not grade this notebook"),)
        grades.append(LearnerGrade(learner, GRADED if outcome.ok else FAILED, score, maximum,
                                   outcome.seconds, notes))
    return AutogradeResult(assessment, workers, seconds, tuple(grades))


def _run_round(course: CourseDir, assessment: str, learners: list[str], workers: int, quiet: bool,
               outcomes: dict[str, _WorkerOutcome], progress: IO[str] | None, total: int) -> list[str]:
    """Grade ``learners`` in one pool; return those lost to a crashed worker process."""
    lost: list[str] = []
    with _pool(workers, str(course.root), quiet) as pool:
        futures: dict[Future[_WorkerOutcome], str] = {
            pool.submit(_grade_learner, str(course.root), course.db_url, assessment, learner): learner
            for learner in learners}
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            learner = futures[future]
            try:
                outcomes[learner] = future.result()
            except BrokenProcessPool:
                lost.append(learner)
                continue
            _show_progress(progress, len(outcomes), total)
    return lost
