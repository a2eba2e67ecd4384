"""`EmbeddingMap`: the embeddings' 2-D projection as an interactive plotly map.

Hovering a point shows its row: the input text and the frame's other columns. The map
zooms and pans (toolbar, double-click to reset), colours by a column (a legend for
categories, a scale for numbers), and a lasso or box selection in the browser comes back
to Python as the frame's rows: `map.selected`. Made by `plot_embeddings` when the `plots`
extra is installed.
"""

from __future__ import annotations

import base64
import html
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._media.image_input import encode_png
from .._tables.plotting import export_png, figure_widget
from .map_style import MAX_LABELS, OTHER, PALETTE

__all__ = ["EmbeddingMap"]

HOVER_COLUMNS = 8  # columns of the row shown on hover, besides the input
HOVER_CHARACTERS = 300  # of the input text, wrapped in lines of 60


class EmbeddingMap:
    """An embeddings frame projected on its first two principal components, to explore.

    - `figure`: the plotly `FigureWidget` shown in the notebook (one trace per colour)
    - `selected`: the rows of the frame selected with the lasso or box (a DataFrame, empty
      until something is selected)
    - `points`: `x`, `y`, `input`, `color` per row, indexed like the frame; `explained`:
      the share of variance of each axis
    - `image`: the PIL drawing a saved notebook shows; `to_png()` / `save(path)`: a PNG
      drawn by plotly (through kaleido), or that drawing without kaleido or a browser
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        points: pd.DataFrame,
        explained: tuple[float, float],
        image: Any,
        *,
        labels: np.ndarray | None = None,
        title: str | None = None,
        size: tuple[int, int] = (720, 480),
        colour_name: str = "color",
    ) -> None:
        self.frame = frame
        self.points = points
        self.explained = explained
        self.image = image
        self.size = size
        self.figure = figure_widget(_figure(frame, points, explained, labels, title, size, colour_name))

    @property
    def selected(self) -> pd.DataFrame:
        """The frame's rows selected in the map, in the frame's order."""
        positions: set[int] = set()
        for trace in self.figure.data:
            if trace.selectedpoints is not None:
                rows = trace.customdata
                positions.update(int(rows[index][0]) for index in trace.selectedpoints)
        return self.frame.iloc[sorted(positions)]

    def to_png(self, width: int | None = None, height: int | None = None) -> bytes:
        """The map as a PNG: drawn by plotly through kaleido, or the PIL drawing without them."""
        width, height = width or self.size[0], height or self.size[1]
        drawn = export_png(self.figure, width=width, height=height)
        return drawn if drawn is not None else encode_png(self.image)

    def save(self, path: str | Path) -> Path:
        """Write the map as a PNG file (".png" is added to a path without an extension)."""
        target = Path(path).expanduser()
        target = target if target.suffix else target.with_suffix(".png")
        target.write_bytes(self.to_png())
        return target

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # The live map where widgets run; the PIL drawing for a notebook saved without them.
        data = dict(self.figure._repr_mimebundle_())
        data["image/png"] = base64.b64encode(encode_png(self.image)).decode("ascii")
        data["text/plain"] = repr(self)
        return data

    def __repr__(self) -> str:
        first, second = self.explained
        return (
            f"<EmbeddingMap of {len(self.points)} embeddings: PC1 {first:.0%} and PC2 {second:.0%} "
            f"of variance; {len(self.selected)} selected>"
        )


def _figure(
    frame: pd.DataFrame,
    points: pd.DataFrame,
    explained: tuple[float, float],
    labels: np.ndarray | None,
    title: str | None,
    size: tuple[int, int],
    colour_name: str,
) -> dict[str, Any]:
    """The figure as a plotly dict: the traces, and a layout with room for every caption."""
    hover = _hover_texts(frame, points, colour_name)
    show_labels = labels is not None and len(points) <= MAX_LABELS
    traces = [
        {
            "type": "scatter",
            "name": name,
            "x": points["x"].to_numpy()[rows],
            "y": points["y"].to_numpy()[rows],
            "customdata": rows.reshape(-1, 1),  # each point's row position in the frame
            "hovertext": [hover[i] for i in rows],
            "hovertemplate": "%{hovertext}<extra></extra>",
            "mode": "markers+text" if show_labels else "markers",
            "text": [_shorten(labels[i]) for i in rows] if show_labels and labels is not None else None,
            "textposition": "top center",
            "cliponaxis": False,  # a label near the edge is drawn whole
            "marker": {"size": 9 if len(points) <= 2000 else 5, **marker},
        }
        for name, rows, marker in _groups(points)
    ]
    return {
        "data": traces,
        "layout": {
            "template": "plotly_white",
            "title": {"text": html.escape(title or f"Embeddings: {len(points)} points, PCA"), "x": 0.01},
            "xaxis": {
                "title": {"text": f"PC1 ({explained[0]:.0%} of variance)"},
                "zeroline": False,
                **({"range": _padded(points["x"])} if show_labels else {}),
            },
            "yaxis": {"title": {"text": f"PC2 ({explained[1]:.0%} of variance)"}, "zeroline": False},
            "width": size[0],  # as asked: an output area's width is not always known when drawn
            "height": size[1],
            "margin": {"l": 64, "r": 24, "t": 56, "b": 56},
            "dragmode": "lasso",
            "hovermode": "closest",
            "showlegend": len(traces) > 1,
            "legend": {"title": {"text": html.escape(colour_name)}},
        },
    }


def _padded(values: pd.Series) -> list[float]:
    """The axis range of `values` with room on both sides for the labels centred on the points."""
    low, high = float(values.min()), float(values.max())
    room = 0.25 * (high - low) or 1.0
    return [low - room, high + room]


def _groups(points: pd.DataFrame) -> list[tuple[str, np.ndarray, dict[str, Any]]]:
    """(trace name, row positions, marker style) per colour: one trace per category, or a scale."""
    everything = np.arange(len(points))
    if "color" not in points:
        return [("embeddings", everything, {"color": PALETTE[0]})]
    values = points["color"]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        scale = {"color": values.to_numpy(), "colorscale": "Viridis", "showscale": True}
        return [("color", everything, scale)]
    categories = values.astype(str).to_numpy()
    named = list(pd.Series(categories).value_counts(sort=True).index[: len(PALETTE)])
    groups = [
        (str(name), np.flatnonzero(categories == name), {"color": PALETTE[number]})
        for number, name in enumerate(named)
    ]
    rest = np.flatnonzero(~np.isin(categories, named))
    if len(rest):
        groups.append(("other", rest, {"color": OTHER}))
    return groups


def _hover_texts(frame: pd.DataFrame, points: pd.DataFrame, colour_name: str) -> list[str]:
    """Per row: its label (when the index says something), its input text, then its other columns.

    The colour's values are shown too when they are not one of those columns.
    """
    columns = [c for c in frame.columns if c not in ("input", "embedding") and not _holds_vectors(frame[c])]
    columns = columns[:HOVER_COLUMNS]
    named_index = not isinstance(frame.index, pd.RangeIndex)
    inputs = points["input"].tolist() if "input" in points else [None] * len(points)
    colours = points["color"].tolist() if "color" in points and colour_name not in columns else None
    texts = []
    for position, (label, text) in enumerate(zip(frame.index, inputs, strict=True)):
        lines = [f"<b>{_escaped(label)}</b>"] if named_index else []
        if text is not None:
            wrapped = textwrap.wrap(_cut(str(text), HOVER_CHARACTERS), 60) or [""]
            lines.append("<br>".join(html.escape(line) for line in wrapped))
        lines += [f"{html.escape(str(c))}: {_escaped(frame[c].iat[position])}" for c in columns]
        if colours is not None:
            lines.append(f"{html.escape(colour_name)}: {_escaped(colours[position])}")
        texts.append("<br>".join(lines))
    return texts


def _holds_vectors(column: pd.Series) -> bool:
    return column.dtype == object and len(column) > 0 and isinstance(column.iat[0], (list, np.ndarray))


def _escaped(value: Any) -> str:
    return html.escape(_cut(str(value), 80))


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."


def _shorten(text: Any, size: int = 28) -> str:
    return _cut(" ".join(str(text).split()), size)
