"""The chart of a model comparison: pass rate and estimated cost per model, side by side.

Drawn from the DataFrame `compare_models` returns (its `model`, `pass_rate` and
`estimated_cost` columns); a cost the price lookup does not know shows as "n/a".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._media.bar_chart import bar_chart, side_by_side

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["plot_comparison"]


def plot_comparison(frame: Any, *, width: int = 760, height: int = 260) -> Image.Image:
    """A PIL image: pass rate per model (0 to 100%) beside estimated cost per model (US dollars)."""
    models = [str(model) for model in frame["model"]]
    rates = [float(value) for value in frame["pass_rate"]]
    costs = [float(value) for value in frame["estimated_cost"].astype("float64")]
    half = width // 2
    passed = bar_chart(
        models,
        {"pass rate": rates},
        title="pass rate",
        maximum=1.0,
        value_format=lambda value: f"{value:.0%}",
        width=half,
        height=height,
    )
    cost = bar_chart(
        models,
        {"estimated cost": costs},
        title="estimated cost (USD)",
        value_format=_dollars,
        width=width - half,
        height=height,
    )
    return side_by_side(passed, cost)


def _dollars(value: float) -> str:
    if value == 0:
        return "$0"
    return f"${value:.2g}" if value < 0.01 else f"${value:,.2f}"
