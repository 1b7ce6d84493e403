"""nbgrader's log, kept for the instructor's summary instead of printed line by line.

nbgrader logs every step it takes (and a kernel warning per notebook). The instructor
commands print one line per learner instead, so each step hands nbgrader a logger
that stores its warnings and errors for the step's typed result.
"""
from __future__ import annotations

import itertools
import logging
import re

_counter = itertools.count()

# Messages that are routine for this course's assessments, not news for the instructor.
_ROUTINE = (
    re.compile(r"Kernel is running over TCP without encryption"),
    re.compile(r"Removing existing assignment"),
)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not stop grading
            message = str(record.msg)
        if not any(p.search(message) for p in _ROUTINE):
            self.messages.append(message)


class CapturedLog:
    """A private logger and the warnings/errors written to it."""

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(f"exocourse.nbgrader.{name}.{next(_counter)}")
        self.logger.propagate = False
        self.logger.setLevel(logging.WARNING)
        self._collector = _Collector()
        self.logger.addHandler(self._collector)

    @property
    def messages(self) -> list[str]:
        return list(self._collector.messages)

    def close(self) -> None:
        self.logger.removeHandler(self._collector)


def summary(messages: list[str] | tuple[str, ...], limit: int = 3) -> str:
    """The gist of nbgrader's error messages: the last line of each (a traceback's last
    line is the error itself), without the "see the log" boilerplate."""
    lines: list[str] = []
    for message in messages:
        last = next((line.strip() for line in reversed(message.splitlines()) if line.strip()), "")
        if last and not last.startswith(("Please see the", "There was an error processing")) and last not in lines:
            lines.append(last)
    return "; ".join(lines[-limit:])
