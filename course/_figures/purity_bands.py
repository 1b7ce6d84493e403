"""Purity bands of the particle-to-protein ratio (lesson 02), with a product placed on them.

``course.figure("purity_bands")`` shows Webber and Clayton's three bands on a log axis;
``course.figure("purity_bands", ratio=6e9, label="Fictional product A")`` adds a
product. The bands come from ``course/content/data/purity_bands.csv`` through
``course._figures._purity.load_purity_bands``, the same data the dossier checker's rules use, so
the figure and the checker cannot disagree. The gaps between the published bands are
drawn, and described, as "not classified by the source": no class is invented for them.
"""
from __future__ import annotations

import math
from typing import Any

from course._figures import Figure, theme
from course._figures._purity import BandPlacement, PurityBand, load_purity_bands, purity_band
from course._numbers import format_scientific

AXIS_MIN, AXIS_MAX = 1e7, 1e12
GAP_ROW = "Between bands (not classified)"


def _gaps(bands: tuple[PurityBand, ...]) -> list[tuple[float, float, PurityBand, PurityBand]]:
    """The stretches between one band's upper limit and the next band's lower limit."""
    gaps = []
    for lower_band, upper_band in zip(bands, bands[1:]):
        if lower_band.upper is not None and upper_band.lower is not None and lower_band.upper < upper_band.lower:
            gaps.append((lower_band.upper, upper_band.lower, lower_band, upper_band))
    return gaps


def _band_row(band: PurityBand) -> str:
    return f"{band.name.capitalize()} ({band.wording.replace(' particles per µg', '')})"


def describe(bands: tuple[PurityBand, ...], placement: BandPlacement | None, label: str) -> str:
    """The figure's text alternative, written from the same data as the picture."""
    band_text = "; ".join(f"{b.name}: {b.wording}" for b in bands)
    gap_text = "; ".join(f"{format_scientific(lo)} to {format_scientific(hi)} (between {a.name} and {b.name})"
                         for lo, hi, a, b in _gaps(bands))
    text = (f"A horizontal log scale of particles per microgram of protein, from "
            f"{format_scientific(AXIS_MIN)} to {format_scientific(AXIS_MAX)}, each gridline ten times the one "
            f"before. Webber and Clayton's purity bands are drawn as thick bars, one row each: {band_text}. "
            f"The source does not classify the gaps between its bands, shown as a dotted row: {gap_text}.")
    if placement is None:
        return text + " No product is plotted."
    where = (f"inside the {placement.band.name} band" if placement.band is not None
             else f"in a gap {placement.label}, which the source does not classify")
    return text + (f" {label} is plotted as a star and a dashed vertical line at "
                   f"{format_scientific(placement.ratio)} particles per µg, {where}.")


def build(ratio: float | None = None, label: str = "Your product") -> Figure:
    """The purity bands on a log axis; with ``ratio``, the product marked on them."""
    from course._figures.spec import figure

    bands = load_purity_bands()
    placement = purity_band(ratio) if ratio is not None else None
    label = (label or "Your product").strip() or "Your product"
    lo, hi = AXIS_MIN, AXIS_MAX
    if placement is not None:
        lo, hi = min(lo, placement.ratio / 5), max(hi, placement.ratio * 5)

    traces: list[dict[str, Any]] = []
    for index, band in enumerate(bands):
        style = theme.style(index)
        start, end = band.lower if band.lower is not None else lo, band.upper if band.upper is not None else hi
        # An open end (no limit in the source) gets an arrowhead; a stated limit gets a bar end.
        ends = ["triangle-left" if band.lower is None else "line-ns",
                "triangle-right" if band.upper is None else "line-ns"]
        row = _band_row(band)
        traces.append(dict(
            type="scatter", x=[start, end], y=[row, row], mode="lines+markers", name=band.name.capitalize(),
            cliponaxis=False,
            line={"color": style["color"], "width": 16},
            marker={"color": style["color"], "symbol": ends, "size": 18,
                    "line": {"color": style["color"], "width": 3}},
            hovertemplate=f"{band.name}: {band.wording}<br>Source: {band.reference}<extra></extra>",
        ))
    for number, (start, end, below, above) in enumerate(_gaps(bands)):
        traces.append(dict(
            type="scatter", x=[start, end], y=[GAP_ROW, GAP_ROW], mode="lines+markers", name="Not classified by the source",
            legendgroup="gap", showlegend=number == 0,
            line={"color": "#4d4d4d", "width": 4, "dash": "dot"},
            marker={"color": "#4d4d4d", "symbol": "line-ns", "size": 14, "line": {"color": "#4d4d4d", "width": 2}},
            hovertemplate=(f"{format_scientific(start)} to {format_scientific(end)}: between {below.name} and "
                           f"{above.name}; not classified<extra></extra>"),
        ))
    rows_order = [GAP_ROW, *(_band_row(b) for b in bands)]
    shapes: list[dict[str, Any]] = []
    if placement is not None:
        rows_order.insert(0, label)
        shapes.append({"type": "line", "xref": "x", "yref": "y domain", "x0": placement.ratio,
                       "x1": placement.ratio, "y0": 0, "y1": 1,
                       "line": {"color": "#000000", "width": 2, "dash": "dash"}})
        traces.append(dict(
            type="scatter", x=[placement.ratio], y=[label], mode="markers+text", name=label,
            marker={"color": "#000000", "symbol": "star", "size": 20},
            text=[f"{format_scientific(placement.ratio)} per µg: "
                  + (placement.label if placement.classified else "between bands, not classified")],
            # the label goes on whichever side of the star has more room on the log axis
            textposition=("middle left" if math.log10(placement.ratio / lo) > math.log10(hi / placement.ratio)
                          else "middle right"), cliponaxis=False,
            textfont={"size": 14},
            hovertemplate=f"{label}: {format_scientific(placement.ratio)} particles per µg<extra></extra>",
        ))
    ticks = [10.0 ** p for p in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]
    layout = theme.layout(
        title="How pure? Particles per µg of protein on Webber and Clayton's bands",
        x_title="Particle-to-protein ratio (particles per µg of protein), log scale", y_title="Purity band",
        height=430, showlegend=False,  # every row is labelled on the axis: no legend to decode
        xaxis={"type": "log", "range": [math.log10(lo), math.log10(hi)], "tickvals": ticks,
               "ticktext": [format_scientific(t, digits=1).replace("1×", "") if t >= 1e4 else f"{t:g}"
                            for t in ticks]},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": rows_order, "showgrid": False},
        shapes=shapes)
    fig = figure(traces, layout)

    columns = ["Row", "From (particles per µg)", "To (particles per µg)", "As the source states it", "Source"]
    rows: list[list[Any]] = [
        [b.name, format_scientific(b.lower) if b.lower is not None else "no lower limit",
         format_scientific(b.upper) if b.upper is not None else "no upper limit", b.wording, b.reference]
        for b in bands
    ]
    rows += [[f"between {a.name} and {b.name}", format_scientific(s), format_scientific(e),
              "not classified by the source", a.reference] for s, e, a, b in _gaps(bands)]
    if placement is not None:
        rows.append([label, format_scientific(placement.ratio), format_scientific(placement.ratio),
                     placement.label, "computed from the product's particle count and protein"])
    return Figure(figure=fig, description=describe(bands, placement, label), columns=columns, rows=rows,
                  cite=list(dict.fromkeys(b.reference for b in bands)))


__all__ = ["build", "describe"]
