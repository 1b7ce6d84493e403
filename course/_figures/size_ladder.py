"""The size ladder of lesson 01: from a protein to a human hair, on one log scale.

The data live in ``course/content/data/size_ladder.csv``; each row is a size range
and names its source (a reference key, ``textbook`` for general-knowledge sizes such
as the width of a hair, or ``course`` for a range that is the course's own convention,
such as its working range for small EVs). The description is written from the same data, so the
words and the picture cannot drift apart.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course._errors import ContentError
from course._figures import Figure, theme
from course._plaintext import plain_citations
from course._yaml import CONTENT_DIR, read_csv

DATA_FILE = CONTENT_DIR / "data" / "size_ladder.csv"
COLUMNS = ("item", "group", "min_nm", "max_nm", "reference", "note")
# A size that needs no citation (the width of a hair, the size of a cell).
TEXTBOOK = "textbook"
# A range the course chose as its working convention (said so wherever it is used).
COURSE = "course"
_SOURCE_WORDS = {TEXTBOOK: "general textbook knowledge", COURSE: "the course's working range"}

# Rows the description talks about, by their position in the ladder's meaning.
HAIR = "Human hair (diameter)"
SMALL_EV = "Small extracellular vesicle (small EV)"


@dataclass(frozen=True)
class SizeRange:
    """One rung of the ladder: what it is, its smallest and largest size, its source."""
    item: str
    group: str
    min_nm: float
    max_nm: float
    reference: str
    note: str

    def overlaps(self, other: SizeRange) -> bool:
        """True when the two size ranges share any size at all."""
        return self.min_nm <= other.max_nm and other.min_nm <= self.max_nm


def load_sizes(path: Path | None = None) -> list[SizeRange]:
    """Read and check the ladder's data; a bad row raises ContentError naming it."""
    from course._references import load_references

    file = path or DATA_FILE
    raw_rows = read_csv(file, COLUMNS)
    bibliography = load_references()
    sizes: list[SizeRange] = []
    for line, raw in enumerate(raw_rows, start=2):
        item = f"line {line}"
        try:
            low, high = float(raw["min_nm"]), float(raw["max_nm"])
        except (TypeError, ValueError):
            raise ContentError(file.name, item, "min_nm and max_nm must be numbers of nanometres",
                               "write plain numbers such as 30 and 150") from None
        if not (0 < low <= high):
            raise ContentError(file.name, item, f"has the range {low:g}–{high:g} nm",
                               "give a positive smallest size no larger than the largest")
        reference = (raw["reference"] or "").strip()
        if reference not in _SOURCE_WORDS and reference not in bibliography:
            raise ContentError(file.name, item, f"cites unknown reference `{reference}`",
                               f"use a key from references.yml, `{TEXTBOOK}` for a general-knowledge size, "
                               f"or `{COURSE}` for the course's own working range")
        from course._references import keys_in_text

        bibliography.check_keys(keys_in_text(raw["note"] or ""), file.name, item)
        name = (raw["item"] or "").strip()
        if not name:
            raise ContentError(file.name, item, "has no item name", "say what the row measures")
        sizes.append(SizeRange(item=name, group=(raw["group"] or "").strip() or "Other",
                               min_nm=low, max_nm=high, reference=reference, note=(raw["note"] or "").strip()))
    if not sizes:
        raise ContentError(file.name, None, "has no rows", "add at least one size range")
    return sizes


def find(sizes: list[SizeRange], item: str) -> SizeRange:
    for size in sizes:
        if size.item == item:
            return size
    raise ContentError(DATA_FILE.name, item, "is not a row of the size ladder",
                       f"use one of: {', '.join(s.item for s in sizes)}")


def diameter_ratio(larger: SizeRange, smaller: SizeRange) -> tuple[float, float]:
    """How many times wider ``larger`` is than ``smaller``: (least, most), from the ranges' ends."""
    return larger.min_nm / smaller.max_nm, larger.max_nm / smaller.min_nm


def format_size(nm: float) -> str:
    """A size as a reader says it: nanometres below a micrometre, then micrometres, then millimetres."""
    if nm >= 1_000_000:
        return f"{nm / 1_000_000:,.3g} mm"
    if nm >= 1000:
        return f"{nm / 1000:,.3g} µm"
    return f"{nm:,.3g} nm"


def format_range(size: SizeRange) -> str:
    if size.min_nm >= 1000 and size.max_nm >= 1000:
        return f"{size.min_nm / 1000:,.3g}–{size.max_nm / 1000:,.3g} µm"
    if size.max_nm < 1000:
        return f"{size.min_nm:,.3g}–{size.max_nm:,.3g} nm"
    return f"{format_size(size.min_nm)} to {format_size(size.max_nm)}"


def round_ratio(value: float) -> str:
    """Round a ratio to two significant figures, with a thousands separator: 3333 -> '3,300'."""
    digits = 2 - int(math.floor(math.log10(abs(value)))) - 1
    return f"{round(value, digits):,.0f}"


def describe(sizes: list[SizeRange]) -> str:
    """The text alternative of the figure, written from the data."""
    hair, small_ev = find(sizes, HAIR), find(sizes, SMALL_EV)
    least, most = diameter_ratio(hair, small_ev)
    smallest = min(sizes, key=lambda s: s.min_nm)
    overlapping = [s for s in sizes if s is not small_ev and s.overlaps(small_ev)]
    overlap_text = "; ".join(f"{s.item} ({format_range(s)})" for s in overlapping)
    ladder = "; ".join(f"{s.item}: {format_range(s)}" for s in sizes)
    return (
        f"Horizontal bars on a logarithmic scale, where each gridline is ten times the one before, "
        f"show the size range of {len(sizes)} things, from {smallest.item.lower()} to a human hair. "
        f"The sizes are: {ladder}. "
        f"A shaded band marks the small-EV range ({format_range(small_ev)}). "
        f"By diameter, a hair is about {round_ratio(least)} to {round_ratio(most)} times wider than a small EV. "
        f"Ranges that overlap the small-EV band: {overlap_text}. "
        f"Anything in that band is the same size as a small EV, so size alone cannot show that a particle is an EV."
    )


def build() -> Figure:
    """The size ladder: each item's size range as a bar on a log axis, the small-EV range shaded."""
    from course._figures.spec import figure

    sizes = load_sizes()
    small_ev = find(sizes, SMALL_EV)
    groups = list(dict.fromkeys(s.group for s in sizes))
    traces: list[dict[str, Any]] = []
    shown_groups: set[str] = set()
    for size in sizes:
        index = groups.index(size.group)
        style = theme.style(index)
        source = _SOURCE_WORDS.get(size.reference, size.reference)
        traces.append(dict(
            type="scatter", x=[size.min_nm, size.max_nm], y=[size.item, size.item],
            mode="lines+markers+text",
            name=size.group, legendgroup=size.group, showlegend=size.group not in shown_groups,
            line={"color": style["color"], "width": 9, "dash": style["dash"]},
            marker={"color": style["color"], "symbol": style["symbol"], "size": 13,
                    "line": {"color": "#1a1a1a", "width": 1}},
            text=["", format_range(size)], textposition="middle right", textfont={"size": 13},
            hovertemplate=f"{size.item}<br>{format_range(size)}<br>Source: {source}<extra></extra>",
        ))
        shown_groups.add(size.group)
    ticks = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]
    layout = theme.layout(
        title="From a protein to a hair: sizes on a log scale",
        x_title="Size (diameter or length), log scale", y_title="Thing measured",
        height=520, legend={"title": {"text": "Kind of thing"}},
        xaxis={"type": "log", "range": [0, math.log10(1_000_000)], "tickvals": ticks,
               "ticktext": [format_size(t) for t in ticks]},
        yaxis={"type": "category", "categoryorder": "array",
               "categoryarray": [s.item for s in reversed(sizes)], "showgrid": False},
        # The small-EV band, shaded behind the bars, and its label above the plot.
        shapes=[{"type": "rect", "xref": "x", "yref": "paper", "x0": small_ev.min_nm, "x1": small_ev.max_nm,
                 "y0": 0, "y1": 1, "fillcolor": "#56B4E9", "opacity": 0.18, "line": {"width": 0},
                 "layer": "below"}],
        annotations=[{"x": math.log10(math.sqrt(small_ev.min_nm * small_ev.max_nm)), "y": 1.0, "xref": "x",
                      "yref": "paper", "yanchor": "bottom", "text": "shaded: small-EV range", "showarrow": False,
                      "font": {"size": 13}}],
    )
    fig = figure(traces, layout)
    columns = ["Item", "Smallest", "Largest", "Smallest (nm)", "Largest (nm)", "Source", "Note"]
    rows: list[list[Any]] = [
        [s.item, format_size(s.min_nm), format_size(s.max_nm), s.min_nm, s.max_nm,
         _SOURCE_WORDS.get(s.reference, s.reference), plain_citations(s.note)]
        for s in sizes
    ]
    from course._references import keys_in_text

    cite = list(dict.fromkeys([*(s.reference for s in sizes if s.reference not in _SOURCE_WORDS),
                               *(k for s in sizes for k in keys_in_text(s.note))]))
    return Figure(figure=fig, description=describe(sizes), columns=columns, rows=rows, cite=cite)
