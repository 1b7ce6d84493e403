"""The learner's local record: quiz attempts, reflections, lesson sittings, completion.

One JSON file on the learner's own side: ``$EXOCOURSE_HOME/progress.json``, by default
``~/.exosome-reality-check/progress.json``, and in the browser edition (Pyodide) under
``/drive``, which the browser keeps between visits (``~`` there is memory only).

What the store promises, and how:

- **No change is ever lost to another writer.** Every change takes a file lock
  (``flock``, or filelock's on Windows; a no-op in Pyodide, where there is one process), re-reads the file,
  applies the change and writes it with ``course._atomic`` (temporary file, fsync,
  rename), so two lessons open at once never overwrite each other's work.
- **A killed writer leaves nothing behind.** Its temporary file is removed by the next
  writer: while holding the lock, every temporary file of the record is a dead writer's.
- **Reading never raises.** A file that cannot be parsed is moved aside (``*.bak``);
  a part of the wrong shape (``learner`` as a list, a NaN, a 5,000-digit number) is set
  aside while everything else is kept, with the original kept as ``*.bak``. Either is
  reported once, in one plain sentence.
- **An unwritable or full home does not stop a lesson.** Changes are kept in memory
  (and retried with every later change), and one message says where the record could
  be kept instead.
- **Older records are migrated**, the original kept beside them (``*.v1.bak``).

Quiz answers are stored by option id (never by position), so reordering a bank's
options, or shuffling them for display, never changes what a stored attempt means.
"""
from __future__ import annotations

import errno
import json
import os
import secrets
import sys
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from itertools import count
from pathlib import Path
from typing import Any

from course import _atomic as atomic
from course._progress_schema import (
    REFLECTION_FIELDS,
    Reading,
    empty_record,
    now_iso,
    read_record,
)

PROGRESS_FILE = "progress.json"
HOME_VARIABLE = "EXOCOURSE_HOME"
BROWSER_DRIVE = Path("/drive")      # JupyterLite's folder that persists in browser storage
LOCK_TIMEOUT_SECONDS = 20.0

Change = Callable[[dict[str, Any]], None]


def in_browser() -> bool:
    """True in the browser edition (JupyterLite's Pyodide kernel)."""
    return sys.platform == "emscripten"


def record_home() -> Path:
    """Where the learner's record lives: ``$EXOCOURSE_HOME``, else the default for this platform."""
    configured = os.environ.get(HOME_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    if in_browser():
        return BROWSER_DRIVE / ".exosome-reality-check"
    return Path.home() / ".exosome-reality-check"


def where(path: Path | str) -> str:
    """A file's place as a learner should read it: in the browser edition, say it is in the browser."""
    path = Path(path)
    if not in_browser():
        return str(path)
    try:
        inside = path.relative_to(BROWSER_DRIVE)
    except ValueError:
        return f"{path} (in this browser tab's memory only: it is lost when the page is closed)"
    return f"{inside} (kept in this browser, for this site)"


# Per process and per record file: changes not yet written (the home could not be
# written), messages a quiet store could not show, and the learner's shuffle seed.
_PENDING: dict[Path, dict[Hashable, Change]] = {}
_UNSHOWN: dict[Path, list[str]] = {}
_REPORTED: dict[Path, set[str]] = {}
_SEEDS: dict[Path, str] = {}
_UNWRITABLE: set[Path] = set()
_unkeyed = count()


class ProgressStore:
    """A learner's progress file. All methods are safe to call from any lesson cell.

    ``notify`` receives the store's one-line messages for the learner (default: print).
    A ``quiet`` store (the activity recorder, which runs inside widget callbacks where
    nothing printed is seen) keeps its messages for the next store that can show them.
    """

    def __init__(self, path: Path | str | None = None, notify: Callable[[str], None] | None = None,
                 quiet: bool = False) -> None:
        self.path = Path(path) if path is not None else record_home() / PROGRESS_FILE
        self._notify_learner = notify or print
        self.quiet = quiet

    @property
    def unsaved(self) -> bool:
        """True while changes wait in memory because the record could not be written."""
        return self.path in _UNWRITABLE

    # ------------------------------------------------------------ messages
    def _say(self, message: str) -> None:
        """Tell the learner ``message`` once per process and file."""
        reported = _REPORTED.setdefault(self.path, set())
        if message in reported:
            return
        if self.quiet:
            unshown = _UNSHOWN.setdefault(self.path, [])
            if message not in unshown:
                unshown.append(message)
            return
        reported.add(message)
        self._notify_learner(message)

    def _show_unshown(self) -> None:
        if self.quiet:
            return
        for message in _UNSHOWN.pop(self.path, []):
            self._say(message)

    # ------------------------------------------------------------ reading
    def load(self) -> dict[str, Any]:
        """The record as a dict, with any changes still waiting to be written. Never raises."""
        self._show_unshown()
        try:
            data = self._load_file()
        except OSError:
            data = empty_record()
        for change in list(_PENDING.get(self.path, {}).values()):
            change(data)
        return data

    def _load_file(self, locked: bool = False) -> dict[str, Any]:
        """The file's record, repairing the file first if it must be (raises OSError only when
        the file exists but cannot be read or preserved: then nothing must overwrite it)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return empty_record()
        except UnicodeDecodeError:
            text = None
        except OSError as exc:
            self._say(f"Your progress record in {where(self.path)} could not be read ({_reason(exc)}); the lesson "
                      "goes on, but nothing can be saved to it until it can be read.")
            raise
        reading = read_record(text)
        if reading.clean:
            return reading.record
        if locked:
            return self._repair(reading, text)
        try:
            with self._lock():
                return self._load_file(locked=True)
        except OSError:
            if reading.unreadable:
                raise
            return reading.record  # used as far as it can be; the file stays as it is

    def _repair(self, reading: Reading, text: str | None) -> dict[str, Any]:
        """Keep the file as it was beside it, then replace it with what could be used (lock held).

        Raises OSError when the original cannot be kept: then nothing may overwrite it.
        """
        if reading.unreadable:
            backup = _free_backup_name(self.path)
            try:
                os.replace(self.path, backup)
            except OSError:
                self._say(f"Your progress record in {where(self.path)} could not be used because "
                          f"{reading.unreadable}; it was left where it is, and your work is kept in memory "
                          "until it can be saved.")
                raise
            self._say(f"Your progress record could not be used because {reading.unreadable}; the old file was "
                      f"kept as {where(backup)} and a fresh record has started (your lessons are unaffected).")
            return empty_record()
        tag = f".v{reading.migrated_from}" if reading.migrated_from is not None else ""
        backup = _free_backup_name(self.path, tag)
        try:
            atomic.write_text(backup, text or "")
            self._write(reading.record)
        except OSError:
            self._say(f"Your progress record in {where(self.path)} needs {reading.summary()}, but the folder "
                      "cannot be written; the lesson uses the record as far as it can.")
            raise
        if reading.migrated_from is not None and not reading.set_aside:
            self._say("Your progress record came from an earlier version of the course and has been brought up "
                      f"to date; the original was kept as {where(backup)}.")
        else:
            self._say(f"Part of your progress record could not be used and was set aside: "
                      f"{'; '.join(reading.set_aside)}. The file as it was is kept as {where(backup)}; everything "
                      "else in it is kept (your lessons are unaffected).")
        return reading.record

    # ------------------------------------------------------------ writing
    def update(self, change: Change, key: Hashable | None = None) -> dict[str, Any]:
        """Apply ``change`` to the record under the lock and write it; return the record.

        If the record cannot be written, the change is kept in memory, applied to every
        later ``load``, and written with the next change that succeeds. A ``key`` makes a
        later change with the same key replace a waiting one (e.g. a sitting's latest time).
        """
        self._show_unshown()
        pending = _PENDING.setdefault(self.path, {})
        pending.pop(key, None)
        pending[key if key is not None else ("change", next(_unkeyed))] = change
        try:
            with self._lock():
                data = self._load_file(locked=True)
                for waiting in list(pending.values()):
                    waiting(data)
                self._write(data)
        except OSError as exc:
            self._report_unwritable(exc)
            return self.load()
        _PENDING.pop(self.path, None)
        if self.path in _UNWRITABLE:
            _UNWRITABLE.discard(self.path)
            _REPORTED.pop(self.path, None)
            self._say(f"Your progress is being saved again in {where(self.path)}; nothing was lost.")
        return data

    def defer(self, change: Change, key: Hashable) -> None:
        """Queue ``change`` for the next write, without writing now (it replaces a queued one with ``key``)."""
        pending = _PENDING.setdefault(self.path, {})
        pending.pop(key, None)
        pending[key] = change

    def _write(self, data: dict[str, Any]) -> None:
        # Called with the lock held: any temporary file of this record belongs to a writer
        # that was killed mid-write, whatever its age.
        for stale in atomic.stale_temporaries(self.path, older_than=0.0):
            stale.unlink(missing_ok=True)
        # No indent: the C encoder, several times faster than the indenting one on a long record.
        atomic.write_text(self.path, json.dumps(data, ensure_ascii=False))

    def _lock(self) -> AbstractContextManager[object]:
        if in_browser():
            return nullcontext()  # Pyodide: one process, one thread, no locks to take
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return _file_lock(self.path.with_name(f".{self.path.name}.lock"))

    def _report_unwritable(self, exc: OSError) -> None:
        _UNWRITABLE.add(self.path)
        if in_browser():
            instead = ("Free some space for this site in your browser's settings, and download your learning "
                       "record (course.record()) before you close the page.")
        else:
            instead = (f"To keep a lasting record, choose a folder you can write to: run "
                       f"%env {HOME_VARIABLE}=/path/to/a/folder/of/yours in a cell, then run the lesson again; "
                       "or download your learning record (course.record()) before you close.")
        self._say(f"Your progress cannot be saved in {where(self.path.parent)} ({_reason(exc)}). The lesson goes "
                  f"on and keeps your work while this kernel runs. {instead}")

    # ------------------------------------------------------------ the changes lessons make
    def record_attempt(self, module: str, question: str, answer: Any, correct: bool) -> None:
        """Append one checked self-check answer (``answer``: option id(s) or the number typed)."""
        attempt = {"module": module, "question": question, "answer": answer, "correct": bool(correct),
                   "at": now_iso()}
        self.update(lambda d: d["attempts"].append(dict(attempt)))

    def save_reflection(self, module: str, answers: dict[str, str]) -> None:
        entry = {name: str(answers.get(name, "")) for name in REFLECTION_FIELDS} | {"saved": now_iso()}
        self.update(lambda d: d["reflections"].__setitem__(module, dict(entry)), key=("reflection", module))

    def mark_opened(self, module: str) -> None:
        """Note the first time a lesson was opened (later openings change nothing)."""
        opened = now_iso()
        self.update(lambda d: _module(d, module).setdefault("first_opened", opened), key=("opened", module))

    def save_sitting(self, module: str, sitting: dict[str, Any], write: bool = True) -> None:
        """Record one sitting's activity (replacing the same sitting's earlier figures).

        ``write=False`` only queues it: every ``load`` sees it at once, and the next write
        of any change (an answer checked, a reflection saved) carries it to the file.
        """
        def change(d: dict[str, Any]) -> None:
            entry = _module(d, module)
            entry.setdefault("first_opened", sitting["began"])
            sittings = [s for s in entry.setdefault("sittings", []) if s.get("id") != sitting["id"]]
            entry["sittings"] = [*sittings, dict(sitting)]
        if write:
            self.update(change, key=("sitting", sitting["id"]))
        else:
            self.defer(change, key=("sitting", sitting["id"]))

    def mark_complete(self, module: str, evidence: dict[str, Any]) -> str:
        """The learner's act: record the module complete (once), with what was met; return the date."""
        done = now_iso()

        def change(d: dict[str, Any]) -> None:
            entry = _module(d, module)
            if "completed" not in entry:
                entry["completed"] = done
                entry["completed_with"] = dict(evidence)
        return str(_module(self.update(change, key=("complete", module)), module)["completed"])

    def set_learner(self, name: str, registration: str | None = None) -> None:
        def change(d: dict[str, Any]) -> None:
            d["learner"]["name"] = name.strip()
            if registration is not None:
                d["learner"]["registration"] = registration.strip()
        self.update(change, key="learner")

    def shuffle_seed(self) -> str:
        """The learner's random seed for option order: made once, kept in the record."""
        seed = _SEEDS.get(self.path) or self.load().get("shuffle_seed")
        if not seed:
            fresh = secrets.token_hex(8)
            seed = self.update(lambda d: d.setdefault("shuffle_seed", fresh), key="shuffle_seed")["shuffle_seed"]
        _SEEDS[self.path] = str(seed)
        return str(seed)


def default_store(quiet: bool = False) -> ProgressStore:
    """The learner's store in the default place (see ``record_home``)."""
    return ProgressStore(quiet=quiet)


def _module(data: dict[str, Any], module: str) -> dict[str, Any]:
    entry: dict[str, Any] = data["modules"].setdefault(module, {})
    return entry


@cache
def _file_lock(path: Path) -> Any:
    try:
        import fcntl  # noqa: F401  (POSIX)
    except ImportError:   # Windows: filelock's msvcrt lock
        from filelock import FileLock

        return FileLock(str(path), timeout=LOCK_TIMEOUT_SECONDS)
    return _FlockLock(path, LOCK_TIMEOUT_SECONDS)


class _FlockLock:
    """An exclusive ``flock`` on ``path``, reentrant, waiting at most ``timeout`` seconds
    (then ``TimeoutError``). What filelock's Unix lock does, without its import (a quarter
    of ``course.start``'s time)."""

    def __init__(self, path: Path, timeout: float) -> None:
        import threading

        self.path, self.timeout = path, timeout
        self._handle: Any = None
        self._depth = 0
        self._threads = threading.RLock()   # one thread of this process at a time, too

    def __enter__(self) -> _FlockLock:
        import fcntl
        import time

        if not self._threads.acquire(timeout=self.timeout):
            raise TimeoutError(f"{self.path} is locked")
        if self._depth == 0:
            handle = open(self.path, "a")   # noqa: SIM115 - held until __exit__
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        handle.close()
                        self._threads.release()
                        raise TimeoutError(f"{self.path} is locked") from None
                    time.sleep(0.01)
                except OSError:
                    handle.close()
                    self._threads.release()
                    raise
            self._handle = handle
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        self._depth -= 1
        try:
            if self._depth == 0:
                handle, self._handle = self._handle, None
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                finally:
                    handle.close()
        finally:
            self._threads.release()


def _reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return f"another open lesson has held the record for over {LOCK_TIMEOUT_SECONDS:g} seconds"
    plain = {errno.ENOSPC: "the disk is full", errno.EROFS: "the folder is read-only",
             errno.EACCES: "the folder is read-only for you", errno.EPERM: "the folder is read-only for you",
             errno.EFBIG: "the file system refused to store the file",
             errno.ENOTDIR: "part of that path is a file, not a folder",
             errno.EEXIST: "part of that path is a file, not a folder"}
    quota = getattr(errno, "EDQUOT", None)
    if exc.errno is not None and exc.errno == quota:
        return "your storage quota is used up"
    return plain.get(exc.errno or -1, exc.strerror or str(exc))


def _free_backup_name(path: Path, tag: str = "") -> Path:
    backup = path.with_name(f"{path.name}{tag}.bak")
    number = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}{tag}.{number}.bak")
        number += 1
    return backup
