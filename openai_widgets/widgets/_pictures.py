"""Pictures in panels, never a broken-image icon: images hidden while empty, and a plot's place.

A browser draws an `<img>` with no data as a broken-image icon, and an `ipywidgets.Image`
with an empty value is exactly that. `picture()` makes an Image that is hidden while it
holds nothing. `PlotView` is where a panel shows a plot: a line of placeholder text until
there is one, then the interactive plotly figure (the `plots` extra) or its PNG drawing
with a one-line hint to install the extra.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from .._tables.plotting import INSTALL_HINT

__all__ = ["PlotView", "picture"]


def picture(value: bytes = b"", **layout: Any) -> widgets.Image:
    """A PNG Image widget that is hidden while its value is empty."""
    image = widgets.Image(value=value, format="png", layout=layout)

    def follow(_change: Any = None) -> None:
        image.layout.display = "" if image.value else "none"

    image.observe(follow, names="value")
    follow()
    return image


class PlotView(widgets.VBox):
    """A plot's place in a panel: `placeholder` text, then the plot (`figure` or `image`)."""

    def __init__(self, placeholder: str, *, width: str = "100%") -> None:
        self.placeholder = widgets.HTML(
            f"<i class='ow-placeholder'>{html.escape(placeholder, quote=False)}</i>"
        )
        self.image = picture(max_width=width)
        self.hint = widgets.HTML(f"<span class='ow-hint'>{html.escape(INSTALL_HINT, quote=False)}</span>")
        self.figure: Any = None
        super().__init__(children=[self.placeholder], layout=widgets.Layout(width=width))
        self.add_class("ow-plot-view")

    def show_figure(self, figure: widgets.Widget) -> None:
        """Show an interactive figure (a plotly FigureWidget), in place of what was shown."""
        self.figure = figure
        self.children = [figure]

    def show_png(self, png: bytes) -> None:
        """Show a PNG drawing, with the hint that the `plots` extra draws it interactively."""
        self.figure = None
        self.image.value = png
        self.children = [self.image, self.hint]

    def clear(self) -> None:
        """Back to the placeholder text."""
        self.figure = None
        self.image.value = b""
        self.children = [self.placeholder]
