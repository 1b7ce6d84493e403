"""A plotly figure as plain data: what the lesson's kernel sends, without importing plotly.

Importing ``plotly.graph_objects`` and building a figure through it (every property checked
by a validator class loaded on first use) cost a lesson over a second before its first figure
appeared. JupyterLab's plotly renderer needs only the figure's JSON, so the course's own
figures are written as that JSON directly: plotly.js's schema (``data``, ``layout``), the same
keys ``Figure.to_plotly_json()`` produces. ``Spec`` adds read access by attribute
(``spec.layout.xaxis.title.text``), as a graph object offers, for the tests and the record.
"""
from __future__ import annotations

import json
from typing import Any


class Spec(dict[str, Any]):
    """A dict whose keys also read as attributes; a missing key reads as None."""

    def __getattr__(self, name: str) -> Any:
        return _wrap(self.get(name))

    def to_json(self) -> str:
        return json.dumps(self)


def _wrap(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, Spec):
        return Spec(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> Spec:
    """A figure spec from its traces and layout."""
    return Spec(data=data, layout=layout)
