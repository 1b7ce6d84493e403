"""Due dates: kept where nbgrader keeps them, the assignment's ``duedate`` in the gradebook.

``exocourse release ID --due WHEN`` sets it; intake flags late submissions against it (and
against any extension nbgrader records for a learner); ``nbgrader export`` shows it beside
each submission's timestamp. nbgrader stores times as naive UTC, so every time here is
converted to UTC on the way in and shown in local time (with its offset) on the way out.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from course._errors import ConfigurationError
from course.instructor.coursedir import CourseDir


def parse_due_date(text: str) -> datetime:
    """``text`` as an aware UTC datetime. A time without a zone is in this computer's zone;
    a date alone means the end of that day."""
    from dateutil import parser
    from dateutil.parser import ParserError

    raw = text.strip()
    try:
        when = parser.isoparse(raw) if raw[:4].isdigit() else parser.parse(raw, dayfirst=True)
    except (ParserError, ValueError, OverflowError):
        raise ConfigurationError(
            f"{text!r} is not a date. Write it as YYYY-MM-DD HH:MM, e.g. --due '2026-12-15 17:00' "
            "(add +01:00 or Z for another time zone).") from None
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":   # a date alone: due by the end of that day
        when = when.replace(hour=23, minute=59, second=59)
    if when.tzinfo is None:
        when = when.astimezone()                                # this computer's local time
    return when.astimezone(timezone.utc)


def describe(when: datetime) -> str:
    """A due date as a reader wants it: local time with its offset, and UTC."""
    local = when.astimezone()
    return f"{local:%A %d %B %Y, %H:%M} (UTC{local:%z}; {when.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC)"


def set_due_date(course: CourseDir, assessment: str, when: datetime) -> None:
    """Record ``when`` as the assessment's due date in the gradebook."""
    with course.gradebook() as gb:
        gb.update_or_create_assignment(assessment, duedate=when.astimezone(timezone.utc).replace(tzinfo=None))


def due_dates(course: CourseDir, assessment: str) -> tuple[datetime | None, dict[str, timedelta]]:
    """The assessment's due date (aware, UTC) and the extensions nbgrader records per learner.
    (None, {}) when no due date is set or the gradebook does not know the assessment yet."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            assignment = gb.find_assignment(assessment)
        except MissingEntry:
            return None, {}
        if assignment.duedate is None:
            return None, {}
        extensions = {s.student.id: s.extension for s in assignment.submissions if s.extension}
        return assignment.duedate.replace(tzinfo=timezone.utc), extensions
