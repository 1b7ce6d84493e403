"""Time on task, counted from what the learner actually does in a lesson.

Every learner-facing tool calls ``note(module, action)`` when the learner acts: a cell
run (IPython's ``pre_run_cell`` and ``post_run_cell`` events, which ``course.start``
registers), an answer checked, "Try again", a reflection saved, the dossier checker, the
fact-check, the checklist. **The rule:** a module's active time is the sum of the gaps
between consecutive actions within one sitting, each gap counted as at most
``gap_cap_minutes`` (the syllabus's ``record:`` setting); a sitting is one kernel's work
on one lesson, so a restart or another day starts a new sitting, and a module's time is
the sum of its sittings. ``time_rule()`` says this in the learner's words, from the
syllabus, for the start page and the record.

The clock is injected (``Tracker(clock=...)``), so tests drive the rule exactly.
Recording an action costs microseconds: a sitting is written at its first action and
then at most every ``flush_seconds`` (and when the kernel exits); in between its latest
figures are queued beside the record, seen by every ``load`` and carried to the file by
the next change written anyway (the answer a "Check" records). A killed kernel loses at
most those few seconds. ``note`` never raises: time-keeping must never stop a lesson.
"""
from __future__ import annotations

import atexit
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from course._progress import ProgressStore, default_store

Clock = Callable[[], float]
CELL = "cell"                  # the action of running a cell; every other action is a widget's (or the start)
FLUSH_SECONDS = 5.0


def capped_gap(previous: float, at: float, cap_seconds: float) -> float:
    """The rule for one gap: the time since the previous action, never negative, at most the cap."""
    return min(max(at - previous, 0.0), cap_seconds)


def gap_cap_seconds() -> float:
    from course._syllabus import load_syllabus

    return load_syllabus().record.gap_cap_minutes * 60


def time_rule() -> str:
    """The time rule in the learner's words, with the cap from the syllabus."""
    cap = _minutes_text(gap_cap_seconds() / 60)
    return (f"Your active time is counted from what you do in a lesson: each cell you run and each answer you "
            f"check, retry or save is an action. The time between two actions counts, but never more than {cap} "
            f"for one gap, so a lesson left open while you are away adds at most {cap}. Each sitting (each time "
            "you open a lesson and work in it) adds to that module's total; the time between sittings does not "
            "count.")


def _minutes_text(minutes: float) -> str:
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class Sitting:
    """One kernel's work on one lesson: when it began, the last action, the active seconds."""

    id: str
    module: str
    began: float
    last: float
    seconds: float = 0.0
    actions: int = 1
    written: float | None = None   # clock time this sitting was last written to the record

    def add(self, at: float, cap_seconds: float) -> None:
        self.seconds += capped_gap(self.last, at, cap_seconds)
        self.last = max(self.last, at)
        self.actions += 1

    def as_record(self) -> dict[str, Any]:
        return {"id": self.id, "began": _iso(self.began), "last": _iso(self.last),
                "seconds": round(self.seconds, 3), "actions": self.actions}


class Tracker:
    """This kernel's sittings, one per record file and module.

    ``store`` makes the store to write to (default: the learner's, found afresh each
    time, so ``EXOCOURSE_HOME`` is honoured); ``clock`` gives seconds since the epoch;
    ``cap_seconds`` defaults to the syllabus's ``gap_cap_minutes``.
    """

    def __init__(self, store: Callable[[], ProgressStore] | None = None, clock: Clock = time.time,
                 cap_seconds: float | None = None, flush_seconds: float = FLUSH_SECONDS) -> None:
        self._store = store or (lambda: default_store(quiet=True))
        self.clock = clock
        self._cap = cap_seconds
        self.flush_seconds = flush_seconds
        self.current: str | None = None
        self.sittings: dict[tuple[Path, str], Sitting] = {}
        self.listeners: dict[str, Callable[[], None]] = {}
        self.last_error: BaseException | None = None
        self._watching = False

    @property
    def cap_seconds(self) -> float:
        if self._cap is None:
            self._cap = gap_cap_seconds()
        return self._cap

    # ------------------------------------------------------------ recording
    def note(self, module: str | None, action: str) -> None:
        """The learner did ``action`` in ``module`` (None: the lesson this kernel started last)."""
        try:
            self._note(module or self.current, action)
        except Exception as error:  # noqa: BLE001 - time-keeping must never stop a lesson
            self.last_error = error

    def _note(self, module: str | None, action: str) -> None:
        if module is None:
            return
        at = self.clock()
        store = self._store()
        key = (store.path, module)
        sitting = self.sittings.get(key)
        if sitting is None:
            sitting = self.sittings[key] = Sitting(id=secrets.token_hex(6), module=module, began=at, last=at)
        else:
            sitting.add(at, self.cap_seconds)
        # Written at the first action and then at most every few seconds; in between the
        # latest figures wait beside the record (every load sees them) and travel with the
        # next change written anyway, such as the answer a "Check" records.
        due = sitting.written is None or at - sitting.written >= self.flush_seconds
        self._write(store, sitting, at, now=due)
        if action != CELL and module in self.listeners:
            self.listeners[module]()

    def _write(self, store: ProgressStore, sitting: Sitting, at: float, now: bool = True) -> None:
        store.save_sitting(sitting.module, sitting.as_record(), write=now)
        if now:
            sitting.written = at

    def flush(self, module: str | None = None) -> None:
        """Write every sitting (or ``module``'s) whose latest actions are not yet in the record."""
        try:
            store = self._store()
            for (path, name), sitting in self.sittings.items():
                if path == store.path and (module is None or name == module) and (
                        sitting.written is None or sitting.written < sitting.last):
                    self._write(store, sitting, sitting.last)
        except Exception as error:  # noqa: BLE001 - called at exit and from views
            self.last_error = error

    def sitting(self, module: str) -> Sitting | None:
        """This kernel's sitting of ``module`` in the learner's current record, if any."""
        return self.sittings.get((self._store().path, module))

    # ------------------------------------------------------------ lessons
    def start(self, module: str) -> None:
        """A lesson began: make it the current one, note the action, and watch its cells run."""
        self.current = module
        self.note(module, "start")
        if self._watching:
            return
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is None:
            return
        shell.events.register("pre_run_cell", self._cell_event)
        shell.events.register("post_run_cell", self._cell_event)
        self._watching = True

    def stop_watching(self) -> None:
        """Unregister the cell events (tests; a kernel never needs to)."""
        if not self._watching:
            return
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            for event in ("pre_run_cell", "post_run_cell"):
                try:
                    shell.events.unregister(event, self._cell_event)
                except ValueError:
                    pass
        self._watching = False

    def _cell_event(self, _info: object = None) -> None:
        self.note(None, CELL)

    def on_action(self, module: str, callback: Callable[[], None]) -> None:
        """Call ``callback`` after each widget action in ``module`` (the latest callback per module)."""
        self.listeners[module] = callback


# The kernel's one tracker, written when the kernel exits normally.
TRACKER = Tracker()
atexit.register(TRACKER.flush)


def note(module: str | None, action: str) -> None:
    """Record that the learner did ``action`` in ``module`` now (None: the lesson started last)."""
    TRACKER.note(module, action)


def active_seconds(progress: dict[str, Any], module: str) -> float:
    """A module's active seconds in a progress record: the sum of its sittings."""
    modules = progress.get("modules")
    entry = modules.get(module) if isinstance(modules, dict) else None
    sittings = entry.get("sittings") if isinstance(entry, dict) else None
    if not isinstance(sittings, list):
        return 0.0
    return float(sum(s["seconds"] for s in sittings if isinstance(s, dict) and isinstance(s.get("seconds"), (int, float))
                     and not isinstance(s["seconds"], bool)))
