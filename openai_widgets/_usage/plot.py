"""`plot_usage(frame)`: a frame of `org_usage` or `org_costs` drawn over time, a bar per bucket.

The bars stack the groups of a grouped frame (the 5 largest by total, the rest as
"other"); the value drawn is `column`, by default the cost of a costs frame or the
report's first amount (input tokens, images, characters, ...). A PIL image, shown inline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .._media.bar_chart import bar_chart

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["plot_usage", "usage_series"]

_SHOWN_GROUPS = 5
_NOT_VALUES = {"start", "end", "quantity"}


def usage_series(frame: Any, column: str | None = None) -> tuple[list[Any], dict[str, list[float]], str]:
    """(bucket starts, values per group, the column drawn): the numbers `plot_usage` draws."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame) or "start" not in frame.columns:
        raise InvalidTypeError(
            f"plot_usage takes the DataFrame of org_usage() or org_costs(), not {type(frame).__name__}"
        )
    numeric = [c for c in frame.columns if c not in _NOT_VALUES and pd.api.types.is_numeric_dtype(frame[c])]
    numeric = [c for c in numeric if not pd.api.types.is_bool_dtype(frame[c])]
    chosen = column or ("cost" if "cost" in frame.columns else (numeric[0] if numeric else None))
    if chosen is None or chosen not in numeric:
        listed = ", ".join(numeric)
        raise InvalidInputError(f"column {chosen!r} is not an amount of this frame; one of {listed}")
    groups = [c for c in frame.columns if c not in {"start", "end", *numeric, "quantity_unit"}]
    starts = sorted(frame["start"].dropna().unique())
    if not groups:
        totals = frame.groupby("start")[chosen].sum()
        return starts, {chosen: [float(totals.get(s, 0.0)) for s in starts]}, chosen
    keys = frame[groups].astype("str").agg(" · ".join, axis=1)
    table = frame.assign(_group=keys).pivot_table(
        index="start", columns="_group", values=chosen, aggfunc="sum", fill_value=0
    )
    table = table.reindex(starts, fill_value=0)
    order = table.sum().sort_values(ascending=False).index.tolist()
    series = {str(name): table[name].astype("float64").tolist() for name in order[:_SHOWN_GROUPS]}
    if len(order) > _SHOWN_GROUPS:
        series["other"] = table[order[_SHOWN_GROUPS:]].sum(axis=1).astype("float64").tolist()
    return starts, series, chosen


def plot_usage(frame: Any, column: str | None = None, *, width: int = 640, height: int = 300) -> Image.Image:
    """A bar per time bucket of an `org_usage()` or `org_costs()` frame (see the module docstring)."""
    starts, series, chosen = usage_series(frame, column)
    labels = [_label(start, frame) for start in starts]
    money = chosen == "cost"
    return bar_chart(
        labels,
        series,
        title=f"{chosen.replace('_', ' ')}{' (USD)' if money else ''} per bucket",
        value_format=(lambda value: f"${value:,.2f}") if money else (lambda value: f"{value:,.0f}"),
        width=width,
        height=height,
    )


def _label(start: Any, frame: Any) -> str:
    widths = (frame["end"] - frame["start"]).dropna()
    daily = not widths.empty and widths.iloc[0].total_seconds() >= 86400
    return f"{start:%m-%d}" if daily else f"{start:%d %H:%M}"
