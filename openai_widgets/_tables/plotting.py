"""Interactive plots with plotly (the optional `plots` extra), loaded only when a plot is made.

Plotly's `FigureWidget` is an anywidget: its JavaScript travels with the Python package,
so the same figure is interactive in JupyterLab, Notebook 7 and VS Code with no network
and no front-end extension, and it can be changed in place from Python (a live loss
chart) and report a lasso selection back (an embedding map). Without the extra the
package draws the same plots as PIL images, and says in one line how to get these.

A plot's PNG comes from kaleido, which drives a local Chrome or Chromium (Debian's
`chromium` will do): one browser is started on the first export and kept for the next
ones (about half a second each), and closed when Python exits. Without kaleido or a
browser, the PIL drawing is the PNG.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import threading
from typing import Any

__all__ = ["INSTALL_HINT", "export_png", "figure_widget", "plotly_available", "stop_export"]

logger = logging.getLogger("openai_widgets")

INSTALL_HINT = 'Interactive plots: pip install "openai-widgets[plots]"'

_export_lock = threading.Lock()
_export_server = {"running": False}


def plotly_available() -> bool:
    """Whether plotly and anywidget (what `FigureWidget` needs) are installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("plotly", "anywidget"))


def figure_widget(figure: Any = None) -> Any:
    """A plotly `FigureWidget` (from a figure or a figure dict), the interactive view of a plot."""
    import plotly.graph_objects as go

    return go.FigureWidget(figure)


def export_png(figure: Any, *, width: int, height: int) -> bytes | None:
    """`figure` as PNG bytes drawn by kaleido, or None when kaleido or a browser is missing."""
    if importlib.util.find_spec("kaleido") is None:
        return None
    import kaleido

    figure_dict = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else dict(figure)
    options = {"format": "png", "width": width, "height": height, "scale": 1}
    try:
        with _export_lock:
            if not _export_server["running"]:
                # No MathJax: it would be fetched from the internet, and no plot here needs it.
                kaleido.start_sync_server(mathjax=False, silence_warnings=True)
                _export_server["running"] = True
                atexit.register(stop_export)
            return bytes(kaleido.calc_fig_sync(figure_dict, opts=options))
    except Exception as exc:  # no Chrome, or it failed to start: the caller draws with PIL
        logger.info("PNG export with kaleido failed (%s); using the PIL drawing", exc)
        stop_export()
        return None


def stop_export() -> None:
    """Close the browser that draws PNGs, if one was started."""
    if _export_server["running"]:
        import kaleido

        _export_server["running"] = False
        kaleido.stop_sync_server(silence_warnings=True)
