"""The one figure theme: colour-blind-safe colours, and never colour alone.

Okabe & Ito's palette is distinguishable with the common colour-vision deficiencies;
every trace also differs by marker symbol or dash style, so a figure still reads in
greyscale or for a learner who cannot tell the colours apart.
"""
from __future__ import annotations

from typing import Any

# Okabe–Ito, with yellow last: it has too little contrast on white for thin lines.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#F0E442"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
FONT = dict(family="Arial, Helvetica, sans-serif", size=15, color="#1a1a1a")


def style(index: int) -> dict[str, Any]:
    """The colour, marker symbol and dash of the ``index``-th series."""
    return {"color": PALETTE[index % len(PALETTE)], "symbol": SYMBOLS[index % len(SYMBOLS)],
            "dash": DASHES[index % len(DASHES)]}


def apply(fig: Any, title: str, x_title: str, y_title: str, **layout: Any) -> Any:
    """Give ``fig`` the course theme, a title and labelled axes; returns ``fig``."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        font=FONT, paper_bgcolor="white", plot_bgcolor="white",
        colorway=PALETTE, margin=dict(l=70, r=30, t=70, b=60),
        legend=dict(bgcolor="rgba(255,255,255,0.9)", bordercolor="#767676", borderwidth=1),
        hoverlabel=dict(font_size=14),
        **layout,
    )
    axis = dict(showline=True, linecolor="#4d4d4d", gridcolor="#d9d9d9", ticks="outside", zeroline=False)
    fig.update_xaxes(title_text=x_title, **axis)
    fig.update_yaxes(title_text=y_title, **axis)
    return fig


def layout(title: str, x_title: str, y_title: str, **extra: Any) -> dict[str, Any]:
    """The course theme as a plain plotly layout (for figures built as data, ``course._figures.spec``):
    the same look ``apply`` gives a graph object. ``extra`` is merged in, nested dicts key by key."""
    # automargin: graph objects get it from plotly's default template, which plain data has not.
    axis = dict(showline=True, linecolor="#4d4d4d", gridcolor="#d9d9d9", ticks="outside", zeroline=False,
                automargin=True)
    base: dict[str, Any] = dict(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        font=dict(FONT), paper_bgcolor="white", plot_bgcolor="white",
        colorway=list(PALETTE), margin=dict(l=70, r=30, t=70, b=60),
        legend=dict(bgcolor="rgba(255,255,255,0.9)", bordercolor="#767676", borderwidth=1),
        hoverlabel=dict(font={"size": 14}),
        xaxis={**axis, "title": {"text": x_title}},
        yaxis={**axis, "title": {"text": y_title}},
    )
    for key, value in extra.items():
        base[key] = {**base[key], **value} if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return base

