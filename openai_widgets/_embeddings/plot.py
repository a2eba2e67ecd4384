"""A look at embeddings: their 2-D PCA projection as a map.

`plot_embeddings` projects the frame and returns an interactive `EmbeddingMap` (plotly,
with the `plots` extra; see `embedding_map`) or, without it, a `ProjectionPlot`: the
same scatter drawn as a PIL image, with a one-line hint to install the extra. Both keep
the coordinates as a DataFrame (`plot.points`) for any other tool, and both draw the PIL
image (`plot.image`) that a saved notebook shows.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import InvalidInputError
from .._media.image_input import encode_png
from .._tables.plotting import INSTALL_HINT, plotly_available
from .map_style import MAX_LABELS, OTHER, PALETTE
from .vectors import as_matrix, pca_2d

__all__ = ["ProjectionPlot", "plot_embeddings", "project"]

MARGIN = {"left": 56, "right": 24, "top": 56, "bottom": 48}


class ProjectionPlot:
    """A scatter plot of an embeddings frame projected on its first two principal components.

    `image` is the PIL image; `points` a DataFrame (`x`, `y`, and `input`/`color` when
    known) indexed like the frame; `explained` the share of variance of each axis.
    """

    def __init__(self, image: Any, points: pd.DataFrame, explained: tuple[float, float]) -> None:
        self.image = image
        self.points = points
        self.explained = explained

    def to_png(self) -> bytes:
        return encode_png(self.image)

    def save(self, path: str | Path) -> Path:
        """Write the plot as a PNG file (".png" is added to a path without an extension)."""
        target = Path(path).expanduser()
        target = target if target.suffix else target.with_suffix(".png")
        target.write_bytes(self.to_png())
        return target

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_html_(self) -> str:
        png = base64.b64encode(self.to_png()).decode("ascii")
        hint = html.escape(INSTALL_HINT, quote=False)
        return (
            f"<div><img alt='embeddings map' src='data:image/png;base64,{png}'/>"
            f"<div class='ow-hint' style='font-size:smaller;color:#555'>{hint}</div></div>"
        )

    def __repr__(self) -> str:
        return f"<ProjectionPlot of {len(self.points)} embeddings, {self.image.width}x{self.image.height}>"


def plot_embeddings(
    frame: pd.DataFrame,
    color: Any = None,
    labels: Any = None,
    *,
    title: str | None = None,
    width: int = 720,
    height: int = 480,
) -> Any:
    """Project an embeddings frame to 2-D with PCA and draw it: an `EmbeddingMap` or a `ProjectionPlot`.

    `color` and `labels` are column names of `frame` (or sequences as long as it):
    points are coloured by category (8 colours, the rest grey; a numeric column as a
    scale on the interactive map) and, for up to 40 points, labelled with their text.
    With the `plots` extra the map is interactive: hovering shows each row's text and
    columns, it zooms, and a lasso selection is read back as rows (`plot.selected`).
    """
    points, explained, names = project(frame, color, labels)
    image = draw(points, names, explained, title, width, height)
    if plotly_available():
        from .embedding_map import EmbeddingMap

        colour_name = color if isinstance(color, str) else "color"
        return EmbeddingMap(
            frame,
            points,
            explained,
            image,
            labels=names,
            title=title,
            size=(width, height),
            colour_name=colour_name,
        )
    return ProjectionPlot(image, points, explained)


def project(frame: pd.DataFrame, color: Any, labels: Any) -> tuple[pd.DataFrame, tuple[float, float], Any]:
    """The frame's points (`x`, `y`, `input`, `color`), the variance shares, and the labels."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError("plot_embeddings needs an embeddings DataFrame from embed()")
    coordinates, explained = pca_2d(as_matrix(frame))
    points = pd.DataFrame({"x": coordinates[:, 0], "y": coordinates[:, 1]}, index=frame.index)
    if "input" in frame.columns:
        points["input"] = frame["input"].to_numpy()
    categories = _column(frame, color, "color")
    if categories is not None:
        points["color"] = categories
    return points, explained, _column(frame, labels, "labels", as_text=True)


def _column(frame: pd.DataFrame, value: Any, name: str, *, as_text: bool = False) -> np.ndarray | None:
    """A column of `frame` named by `value`, or `value` itself as a column (as text if asked)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in frame.columns:
            raise InvalidInputError(f"{name}={value!r} is not a column of the frame")
        values = frame[value].to_numpy()
    else:
        values = np.asarray(list(value), dtype=object)
        if len(values) != len(frame):
            raise InvalidInputError(f"{name} has {len(values)} values for {len(frame)} rows")
    series = pd.Series(list(values)).infer_objects()
    types = pd.api.types
    numeric = not as_text and types.is_numeric_dtype(series) and not types.is_bool_dtype(series)
    return series.to_numpy() if numeric else np.asarray(values, dtype=object).astype(str)


# -- the PIL drawing ---------------------------------------------------------------------


def draw(
    points: pd.DataFrame,
    names: np.ndarray | None,
    explained: tuple[float, float],
    title: str | None,
    width: int,
    height: int,
) -> Any:
    """The scatter as a PIL image (what a saved notebook shows, and the map without plotly)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    drawing = ImageDraw.Draw(image)
    font = _font(12)
    box = (MARGIN["left"], MARGIN["top"], width - MARGIN["right"], height - MARGIN["bottom"])
    drawing.rectangle(box, outline="#BDBDBD")
    xy = points[["x", "y"]].to_numpy()
    pixels = _to_pixels(xy, box)
    categories = points["color"].astype(str).to_numpy() if "color" in points else None
    colours, legend = _colours(categories, len(xy))
    radius = 4 if len(xy) <= 2000 else 2
    for (x, y), colour in zip(pixels, colours, strict=True):
        drawing.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    if names is not None and len(names) <= MAX_LABELS:
        for (x, y), text in zip(pixels, names, strict=True):
            drawing.text((x + radius + 2, y - 6), _shorten(text), fill="#424242", font=font)
    for text, (x, y), size, fill in _captions(title, len(xy), explained, box):
        drawing.text((x, y), text, fill=fill, font=_font(size))
    _draw_legend(drawing, legend, box, font)
    return image


def _captions(
    title: str | None, count: int, explained: tuple[float, float], box: tuple[int, int, int, int]
) -> list[tuple[str, tuple[int, int], int, str]]:
    """(text, top-left, font size, colour) of the title and the axis labels, clear of each other."""
    return [
        (title or f"Embeddings: {count} points, PCA", (box[0], 10), 14, "black"),
        (f"PC2 ({explained[1]:.0%} of variance)", (box[0], box[1] - 18), 12, "#424242"),
        (f"PC1 ({explained[0]:.0%} of variance)", (box[0], box[3] + 14), 12, "#424242"),
    ]


def _to_pixels(points: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    pad = 10
    scaled = (points - low) / span
    x = box[0] + pad + scaled[:, 0] * (box[2] - box[0] - 2 * pad)
    y = box[3] - pad - scaled[:, 1] * (box[3] - box[1] - 2 * pad)  # y grows upwards
    return np.column_stack([x, y])


def _colours(categories: np.ndarray | None, count: int) -> tuple[list[str], list[tuple[str, str]]]:
    if categories is None:
        return [PALETTE[0]] * count, []
    counts = pd.Series(categories).value_counts(sort=True)
    named = list(counts.index[: len(PALETTE)])
    colour_of = {name: PALETTE[i] for i, name in enumerate(named)}
    legend = [(str(name), colour_of[name]) for name in named]
    if len(counts) > len(PALETTE):
        legend.append(("other", OTHER))
    return [colour_of.get(c, OTHER) for c in categories], legend


def _draw_legend(draw: Any, legend: list[tuple[str, str]], box: tuple[int, int, int, int], font: Any) -> None:
    x, y = box[2] - 150, box[1] + 8
    for name, colour in legend:
        draw.ellipse((x, y + 3, x + 8, y + 11), fill=colour)
        draw.text((x + 14, y), _shorten(name, 20), fill="#212121", font=font)
        y += 16


def _shorten(text: str, size: int = 28) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= size else text[: size - 3] + "..."


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1 has one fixed-size font
        return ImageFont.load_default()
