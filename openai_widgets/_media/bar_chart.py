"""A small bar chart drawn with PIL (no plotting library needed): one bar per label, stacked series.

Used for the model comparison of evals (pass rates, cost) and the organization usage and
costs over time. The chart is a PIL image, shown inline by a notebook; the numbers it
draws come from a DataFrame the caller has, for any other plotting tool.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["PALETTE", "bar_chart", "side_by_side"]

# Colour-blind friendly categorical colours (Okabe & Ito).
PALETTE = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (213, 94, 0)]
_GREY, _TEXT, _GRID = (158, 158, 158), (40, 40, 40), (232, 232, 232)
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 34, 46


def bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    value_format: Callable[[float], str] = lambda value: f"{value:.3g}",
    maximum: float | None = None,
    width: int = 420,
    height: int = 260,
) -> Image.Image:
    """Bars for `labels`, each stacking the `series` values (NaN counts as 0) in palette order.

    `maximum` fixes the top of the axis (1.0 for rates); else it follows the tallest bar.
    With one series the value is written above each bar; with several, a legend names them.
    """
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    left, top, right, bottom = _LEFT, _TOP, width - _RIGHT, height - _BOTTOM
    draw.text((left, 8), title, fill=_TEXT, font=font)
    totals = [sum(_value(values[i]) for values in series.values()) for i in range(len(labels))]
    high = maximum if maximum is not None else max([*totals, 0.0]) or 1.0
    _axis(draw, font, (left, top, right, bottom), high, value_format)
    if not labels:
        draw.text((left + 10, (top + bottom) // 2), "nothing to show", fill=_GREY, font=font)
        return image
    slot = (right - left) / len(labels)
    bar = max(min(slot * 0.6, 80), 2)
    for index, label in enumerate(labels):
        x0 = left + slot * index + (slot - bar) / 2
        base = 0.0
        for number, values in enumerate(series.values()):
            value = _value(values[index])
            y0, y1 = _y(base + value, high, top, bottom), _y(base, high, top, bottom)
            if value > 0:
                draw.rectangle([x0, y0, x0 + bar, y1], fill=PALETTE[number % len(PALETTE)])
            base += value
        if len(series) == 1:
            shown = value_format(totals[index]) if not math.isnan(_raw(series, index)) else "n/a"
            draw.text((x0, _y(base, high, top, bottom) - 12), shown, fill=_TEXT, font=font)
        name = str(label) if len(str(label)) <= 18 else str(label)[:17] + "…"
        draw.text((x0, bottom + 6 + (index % 2) * 12), name, fill=_TEXT, font=font)
    if len(series) > 1:
        _legend(draw, font, list(series), right)
    return image


def side_by_side(*images: Image.Image) -> Image.Image:
    """Images next to each other on a white background."""
    from PIL import Image

    combined = Image.new("RGB", (sum(i.width for i in images), max(i.height for i in images)), "white")
    x = 0
    for image in images:
        combined.paste(image, (x, 0))
        x += image.width
    return combined


def _value(value: float) -> float:
    number = float(value) if value is not None else 0.0
    return 0.0 if math.isnan(number) or number < 0 else number


def _raw(series: Mapping[str, Sequence[float]], index: int) -> float:
    value = next(iter(series.values()))[index]
    return float("nan") if value is None else float(value)


def _y(value: float, high: float, top: float, bottom: float) -> float:
    return bottom - min(value / high, 1.0) * (bottom - top)


def _axis(draw, font, box, high: float, value_format: Callable[[float], str]) -> None:
    left, top, right, bottom = box
    for step in range(5):
        value = high * step / 4
        y = _y(value, high, top, bottom)
        draw.line([(left, y), (right, y)], fill=_GRID)
        draw.text((4, y - 6), value_format(value), fill=(90, 90, 90), font=font)
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=_GREY)


def _legend(draw, font, names: list[str], right: float) -> None:
    for number, name in enumerate(names[:8]):
        y = 8 + number * 12
        x = right - 120
        draw.rectangle([x, y, x + 10, y + 8], fill=PALETTE[number % len(PALETTE)])
        draw.text((x + 14, y - 2), str(name)[:18], fill=_TEXT, font=font)
