"""Guidance and warnings on exosome products, 2014–2025, as an interactive timeline.

Lesson 03 shows it with ``course.figure("timeline")``. Each point is one dated event
from ``course/content/data/timeline.csv``: hover over it to read the date, who acted,
what they said and the reference key. Every kind of event has its own marker shape as
well as its own colour, so the figure reads without colour too.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from course._errors import ContentError
from course._figures import Figure, theme
from course._yaml import CONTENT_DIR, read_csv

DATA_FILE = CONTENT_DIR / "data" / "timeline.csv"
NARRATIVE_FILE = CONTENT_DIR / "timeline.yml"
COLUMNS = ("date", "jurisdiction", "body", "event", "kind", "reference")
FIRST_YEAR, LAST_YEAR = 2014, 2025

# Kind -> legend label. The order fixes each kind's colour and marker shape.
KINDS: dict[str, str] = {
    "guidance": "Scientific society guidance",
    "warning": "Safety notice or alert",
    "enforcement": "Enforcement letter",
    "regulation": "Regulator's rule or notice",
    "evidence": "Published case report",
    "media": "Press report",
}
# Lanes from top to bottom: international guidance first, then by jurisdiction.
LANES = ("International", "United States", "United Kingdom", "Japan", "Taiwan", "Published evidence")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class Event:
    """One dated event on the timeline."""
    when: date            # where the point sits (mid-month or mid-year when only that is known)
    precision: str        # "day", "month" or "year": how much of the date the source gives
    jurisdiction: str
    body: str
    event: str
    kind: str
    reference: str

    @property
    def date_text(self) -> str:
        """The date as the source gives it, e.g. "6 December 2019", "December 2019", "2014"."""
        if self.precision == "day":
            return f"{self.when.day} {_MONTHS[self.when.month - 1]} {self.when.year}"
        if self.precision == "month":
            return f"{_MONTHS[self.when.month - 1]} {self.when.year}"
        return str(self.when.year)


def parse_date(text: str, file: str = "timeline.csv", item: str | None = None) -> tuple[date, str]:
    """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; return the plotting date and its precision.

    A year alone is placed at 1 July and a month alone on the 15th, so the point sits in
    the middle of the period the source gives rather than pretending to a day.
    """
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1 and len(parts[0]) == 4:
            return date(numbers[0], 7, 1), "year"
        if len(numbers) == 2:
            return date(numbers[0], numbers[1], 15), "month"
        if len(numbers) == 3:
            return date(*numbers), "day"
    except ValueError:
        pass
    raise ContentError(file, item, f"has date {text!r}, which is not a date",
                       "write the date as YYYY-MM-DD, or YYYY-MM or YYYY when the source gives no day")


def load_events(path: Path | None = None) -> list[Event]:
    """The timeline's events, validated and in date order.

    Every row needs all of :data:`COLUMNS`, a known kind, a date from 2014 to 2025 and a
    ``reference`` that is a key in references.yml; a broken row raises a ContentError
    naming the file, the row and the fix.
    """
    from course._references import load_references

    file = path or DATA_FILE
    bibliography = load_references()
    rows = read_csv(file, COLUMNS)
    events: list[Event] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        item = f"row {number}"
        for column in COLUMNS:
            if not (row.get(column) or "").strip():
                raise ContentError(file.name, item, f"has an empty {column!r}", f"fill in the {column}")
        when, precision = parse_date(row["date"], file.name, item)
        if not FIRST_YEAR <= when.year <= LAST_YEAR:
            raise ContentError(file.name, item, f"is dated {when.year}, outside {FIRST_YEAR}–{LAST_YEAR}",
                               "keep the timeline to the period the lesson covers")
        kind = row["kind"].strip()
        if kind not in KINDS:
            raise ContentError(file.name, item, f"has unknown kind {kind!r}", f"use one of {', '.join(KINDS)}")
        jurisdiction = row["jurisdiction"].strip()
        if jurisdiction not in LANES:
            raise ContentError(file.name, item, f"has unknown jurisdiction {jurisdiction!r}",
                               f"use one of {', '.join(LANES)} (or add a lane in course/figures/timeline.py)")
        reference = row["reference"].strip()
        bibliography.check_keys([reference], file.name, item)
        events.append(Event(when=when, precision=precision, jurisdiction=jurisdiction, body=row["body"].strip(),
                            event=row["event"].strip(), kind=kind, reference=reference))
    return sorted(events, key=lambda e: e.when)


@dataclass(frozen=True)
class Narrative:
    """The description's prose beyond counting events (course/content/timeline.yml)."""
    narrative: str
    before_the_timeline: str
    cite: tuple[str, ...]


def load_narrative(path: Path | None = None) -> Narrative:
    """The timeline's narrative, with its citations checked against references.yml."""
    from course._references import load_references
    from course._yaml import read_yaml, require

    file = path or NARRATIVE_FILE
    data = read_yaml(file)
    texts = [" ".join(str(require(data, name, file.name, None, str, f"write the `{name}` text")).split())
             for name in ("narrative", "before_the_timeline")]
    cite = require(data, "cite", file.name, None, list, "list the sources under `cite:`")
    load_references().check_keys(cite, file.name, "cite")
    return Narrative(texts[0], texts[1], tuple(cite))


def build(kind: str | None = None) -> Figure:
    """The timeline of guidance and warnings; ``kind="warning"`` (etc.) shows one kind only."""
    from course._figures.spec import figure

    events = load_events()
    if kind is not None:
        if kind not in KINDS:
            raise ContentError('course.figure("timeline")', f"kind={kind!r}", "is not a kind of event on the timeline",
                               f"use one of {', '.join(repr(k) for k in KINDS)}, or leave kind out to see all")
        events = [e for e in events if e.kind == kind]

    traces = []
    for index, (name, label) in enumerate(KINDS.items()):
        chosen = [e for e in events if e.kind == name]
        if not chosen:
            continue
        look = theme.style(index)
        traces.append(dict(
            type="scatter",
            x=[e.when.isoformat() for e in chosen],
            y=[e.jurisdiction for e in chosen],
            mode="markers",
            name=label,
            marker=dict(color=look["color"], symbol=look["symbol"], size=15,
                        line=dict(color="#1a1a1a", width=1)),
            text=[_hover(e) for e in chosen],
            hovertemplate="%{text}<extra></extra>",
        ))
    layout = theme.layout(
        title="Exosome guidance, warnings and enforcement, 2014–2025",
        x_title="Date of the source", y_title="Where it applies",
        height=700, hovermode="closest",
        # Legend below the plot, so the timeline keeps the full width on a narrow screen. Its title
        # sits above the entries (beside them it took the width the last entry needed, which was
        # cut off at "Enforcement lette"), and the bottom margin leaves room for the entries to
        # wrap onto a second and third row in a narrow notebook.
        legend=dict(orientation="h", yanchor="top", y=-0.24, x=0, xanchor="left",
                    title=dict(text="Kind of event (colour and marker shape):", side="top")),
        margin=dict(l=160, r=30, t=70, b=230),
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(LANES)),
               "title": {"text": "Where it applies", "standoff": 16}},  # clear of "United Kingdom"
        xaxis={"type": "date", "range": [f"{FIRST_YEAR - 1}-10-01", f"{LAST_YEAR}-12-31"], "dtick": "M12",
               "tickformat": "%Y"},
    )
    fig = figure(traces, layout)

    counts = {label: sum(e.kind == name for e in events) for name, label in KINDS.items()}
    summary = "By kind: " + "; ".join(f"{label.lower()}: {n}" for label, n in counts.items() if n)
    narrative = load_narrative()
    description = (
        f"A timeline of {len(events)} dated events from {FIRST_YEAR} to {LAST_YEAR}, one row per jurisdiction "
        f"(international, United States, United Kingdom, Japan, Taiwan, and published evidence). {summary}. "
        f"{narrative.narrative} Events known only to the month or year are placed mid-month or mid-year. "
        f"{narrative.before_the_timeline}"
    )
    return Figure(
        figure=fig,
        description=description,
        columns=["Date", "Jurisdiction", "Who", "Event", "Kind", "Reference key"],
        rows=[[e.date_text, e.jurisdiction, e.body, e.event, KINDS[e.kind], e.reference] for e in events],
        cite=list(dict.fromkeys([*(e.reference for e in events), *narrative.cite])),
    )


def _hover(event: Event) -> str:
    wrapped = "<br>".join(textwrap.wrap(event.event, width=60))
    return f"<b>{event.date_text}</b> · {event.body}<br>{wrapped}<br>Source: [{event.reference}]"
