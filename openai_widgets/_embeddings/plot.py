"""A quick look at embeddings: their 2-D PCA projection drawn as a scatter plot with PIL.

No plotting library is needed: the plot is a PIL image that shows inline in a notebook,
and its coordinates are a DataFrame (`plot.points`) for any other plotting tool.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import InvalidInputError
from .vectors import as_matrix, pca_2d

__all__ = ["ProjectionPlot", "plot_embeddings"]

# Colour-blind friendly categorical colours (Okabe & Ito), then greys for "other".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
OTHER = "#9E9E9E"
MARGIN = {"left": 56, "right": 24, "top": 40, "bottom": 48}
MAX_LABELS = 40  # text labels beyond this many points would hide the points


class ProjectionPlot:
    """A scatter plot of an embeddings frame projected on its first two principal components.

    `image` is the PIL image; `points` a DataFrame (`x`, `y`, and `input`/`color` when
    known) indexed like the frame; `explained` the share of variance of each axis.
    """

    def __init__(self, image: Any, points: pd.DataFrame, explained: tuple[float, float]) -> None:
        self.image = image
        self.points = points
        self.explained = explained

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG")
        return buffer.getvalue()

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
) -> ProjectionPlot:
    """Project an embeddings frame to 2-D with PCA and draw it.

    `color` and `labels` are column names of `frame` (or sequences as long as it):
    points are coloured by category (8 colours, the rest grey) and, for up to 40 points,
    labelled with their text.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError("plot_embeddings needs an embeddings DataFrame from embed()")
    points, explained = pca_2d(as_matrix(frame))
    table = pd.DataFrame({"x": points[:, 0], "y": points[:, 1]}, index=frame.index)
    if "input" in frame.columns:
        table["input"] = frame["input"].to_numpy()
    categories = _column(frame, color, "color")
    if categories is not None:
        table["color"] = categories
    names = _column(frame, labels, "labels")
    image = _draw(points, categories, names, explained, title, width, height)
    return ProjectionPlot(image, table, explained)


def _column(frame: pd.DataFrame, value: Any, name: str) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value not in frame.columns:
            raise InvalidInputError(f"{name}={value!r} is not a column of the frame")
        return frame[value].astype(str).to_numpy()
    values = np.asarray(list(value), dtype=object).astype(str)
    if len(values) != len(frame):
        raise InvalidInputError(f"{name} has {len(values)} values for {len(frame)} rows")
    return values


def _draw(
    points: np.ndarray,
    categories: np.ndarray | None,
    names: np.ndarray | None,
    explained: tuple[float, float],
    title: str | None,
    width: int,
    height: int,
) -> Any:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = _font(12)
    box = (MARGIN["left"], MARGIN["top"], width - MARGIN["right"], height - MARGIN["bottom"])
    draw.rectangle(box, outline="#BDBDBD")
    pixels = _to_pixels(points, box)
    colours, legend = _colours(categories, len(points))
    radius = 4 if len(points) <= 2000 else 2
    for (x, y), colour in zip(pixels, colours, strict=True):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    if names is not None and len(names) <= MAX_LABELS:
        for (x, y), text in zip(pixels, names, strict=True):
            draw.text((x + radius + 2, y - 6), _shorten(text), fill="#424242", font=font)
    draw.text((box[0], 12), title or f"Embeddings: {len(points)} points, PCA", fill="black", font=_font(14))
    draw.text((box[0], box[3] + 14), f"PC1 ({explained[0]:.0%} of variance)", fill="#424242", font=font)
    draw.text((8, box[1] - 18), f"PC2 ({explained[1]:.0%})", fill="#424242", font=font)
    _draw_legend(draw, legend, box, font)
    return image


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
