"""A training-loss line chart drawn with PIL (matplotlib is not a dependency).

`loss_plot(events)` takes the DataFrame of `fine_tuning_events()` and draws one line per
loss column (`train_loss`, `valid_loss`, ...) against `step`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from PIL import Image

__all__ = ["LOSS_COLUMNS", "loss_plot", "png_bytes"]

LOSS_COLUMNS = ("train_loss", "valid_loss", "full_valid_loss")
_COLORS = {"train_loss": (31, 119, 180), "valid_loss": (255, 127, 14), "full_valid_loss": (44, 160, 44)}
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 52, 16, 28, 34


def loss_plot(events: pd.DataFrame, *, width: int = 560, height: int = 260, title: str = "training loss"):
    """A PIL image of the loss columns of `events` against `step` (an empty chart if there are none)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    series = _series(events)
    left, top = _MARGIN_LEFT, _MARGIN_TOP
    right, bottom = width - _MARGIN_RIGHT, height - _MARGIN_BOTTOM
    draw.text((left, 8), title, fill=(40, 40, 40), font=font)
    draw.rectangle([left, top, right, bottom], outline=(160, 160, 160))
    if not series:
        draw.text((left + 10, (top + bottom) // 2), "no metrics yet", fill=(120, 120, 120), font=font)
        return image
    xs = [x for points in series.values() for x, _ in points]
    ys = [y for points in series.values() for _, y in points]
    x_low, x_high = _span(min(xs), max(xs))
    y_low, y_high = _span(min(ys), max(ys))

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            left + (x - x_low) / (x_high - x_low) * (right - left),
            bottom - (y - y_low) / (y_high - y_low) * (bottom - top),
        )

    _grid(draw, font, (left, top, right, bottom), (x_low, x_high), (y_low, y_high))
    for offset, (name, points) in enumerate(series.items()):
        color = _COLORS.get(name, (100, 100, 100))
        line = [at(x, y) for x, y in points]
        if len(line) > 1:
            draw.line(line, fill=color, width=2)
        for px, py in line[-1:]:
            draw.ellipse([px - 3, py - 3, px + 3, py + 3], fill=color)
        legend_x, legend_y = right - 110, 14 + offset * 12
        draw.line([(legend_x, legend_y), (legend_x + 14, legend_y)], fill=color, width=2)
        draw.text((legend_x + 18, legend_y - 6), name, fill=color, font=font)
    return image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _series(events: pd.DataFrame) -> dict[str, list[tuple[float, float]]]:
    """(step, value) pairs per loss column, in step order, missing values left out."""
    if events is None or "step" not in getattr(events, "columns", ()):
        return {}
    found = {}
    for name in LOSS_COLUMNS:
        if name in events.columns:
            rows = events[["step", name]].dropna().sort_values("step")
            if len(rows):
                found[name] = [(float(x), float(y)) for x, y in rows.itertuples(index=False)]
    return found


def _span(low: float, high: float) -> tuple[float, float]:
    if high - low < 1e-9:
        return low - 0.5, high + 0.5
    pad = (high - low) * 0.05
    return low - pad, high + pad


def _grid(draw, font, box: Sequence[float], xr: tuple[float, float], yr: tuple[float, float]) -> None:
    left, top, right, bottom = box
    for i in range(5):
        fraction = i / 4
        y = bottom - fraction * (bottom - top)
        value = yr[0] + fraction * (yr[1] - yr[0])
        draw.line([(left, y), (right, y)], fill=(232, 232, 232))
        draw.text((6, y - 6), f"{value:.3g}", fill=(90, 90, 90), font=font)
        x = left + fraction * (right - left)
        step = xr[0] + fraction * (xr[1] - xr[0])
        draw.text((x - 8, bottom + 6), str(round(step)), fill=(90, 90, 90), font=font)
    draw.text(((left + right) / 2 - 10, bottom + 20), "step", fill=(90, 90, 90), font=font)
