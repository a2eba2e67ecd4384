"""The fine-tuning chart drawn with PIL (matplotlib is not a dependency).

`loss_plot(events, method=...)` takes the DataFrame of `fine_tuning_events()` and draws the
method's headline curves against `step`: the training loss for supervised and DPO jobs,
the mean reward for reinforcement ones, each with its validation curves when the job has a
validation file. Which curves those are is `metrics`' rule; this module only draws. It is
what a saved notebook shows, and the live chart without the `plots` extra (the
interactive chart is `loss_chart.LossChart`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .metrics import chart_series, job_method, phase

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["loss_plot"]

_COLORS = {"train_": (0, 114, 178), "valid_": (230, 159, 0), "full_valid_": (0, 158, 115)}
_TITLES = {"reinforcement": "mean reward"}
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 52, 16, 28, 34


def loss_plot(
    events: pd.DataFrame | None,
    *,
    method: str | None = None,
    width: int = 560,
    height: int = 260,
    title: str | None = None,
):
    """A PIL image of the method's curves in `events` against `step` (an empty chart if there are none).

    `method` is the job's ("supervised", "dpo", "reinforcement"); None guesses it from the columns.
    """
    from PIL import Image, ImageDraw, ImageFont

    kind = method or job_method({}, events)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    series = chart_series(events, kind)
    title = title or _TITLES.get(kind, "training loss")
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
        color = _COLORS.get(phase(name) or "", (100, 100, 100))
        line = [at(x, y) for x, y in points]
        if len(line) > 1:
            draw.line(line, fill=color, width=2)
        for px, py in line[-1:]:
            draw.ellipse([px - 3, py - 3, px + 3, py + 3], fill=color)
        legend_x, legend_y = right - 110, 14 + offset * 12
        draw.line([(legend_x, legend_y), (legend_x + 14, legend_y)], fill=color, width=2)
        draw.text((legend_x + 18, legend_y - 6), name, fill=color, font=font)
    return image


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
