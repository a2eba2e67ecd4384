"""Helpers for the plot tests: plotly made to look uninstalled, and a selection as the browser sends it."""

from __future__ import annotations

import importlib.util


def hide_plotly(monkeypatch) -> None:
    """Make plotly and anywidget look uninstalled, as without the `plots` extra."""
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        if name.split(".")[0] in {"plotly", "anywidget"}:
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def select_in_browser(figure, picked: dict[int, list[int]], *, kind: str = "lasso") -> None:
    """Send `figure` the message plotly's front end sends after a lasso (or box) selection.

    `picked` maps a trace's index to the indexes of its points inside the drawn shape.
    """
    pairs = [(trace, point) for trace, points in picked.items() for point in points]
    shape = (
        {"xs": [0, 1, 1, 0], "ys": [0, 0, 1, 1]} if kind == "lasso" else {"xrange": [0, 1], "yrange": [0, 1]}
    )
    figure._js2py_pointsCallback = {
        "event_type": "plotly_selected",
        "points": {
            "trace_indexes": [trace for trace, _ in pairs],
            "point_indexes": [point for _, point in pairs],
            "xs": [0.0] * len(pairs),
            "ys": [0.0] * len(pairs),
        },
        "selector": {"type": kind, "selector_state": shape},
    }


def deselect_in_browser(figure) -> None:
    """What the front end sends on a double click that clears the selection."""
    figure._js2py_pointsCallback = {
        "event_type": "plotly_deselect",
        "points": {"trace_indexes": [], "point_indexes": [], "xs": [], "ys": []},
    }
