"""Organization usage and costs buckets as tidy DataFrames: one row per time bucket and group.

`start` and `end` are tz-aware UTC datetimes, the grouping fields follow (text, `batch`
a nullable bool), then the amounts (int64 counts for usage; `cost` in US dollars as
float64 for costs, with `quantity` and `quantity_unit` when grouped by line item). Without
grouping every bucket has its row, zeros where nothing was used, so the frame is a whole
time series; with grouping a bucket has one row per group that used something.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._core.errors import APIResponseValidationError
from .frames import to_utc

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["costs_frame", "usage_frame"]

_GROUP_DTYPES = {"batch": "boolean"}


def usage_frame(
    buckets: Iterable[Mapping[str, Any]], amounts: Sequence[str], group_by: Sequence[str]
) -> pd.DataFrame:
    """Usage buckets -> `start`, `end`, the `group_by` fields, the `amounts` (int64), other counts after."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for bucket in buckets:
        results = [r for r in bucket.get("results") or [] if isinstance(r, Mapping)]
        if not results and not group_by:
            results = [{}]  # a bucket with nothing used is a row of zeros
        for result in results:
            row = {"start": bucket.get("start_time"), "end": bucket.get("end_time")}
            row.update({name: result.get(name) for name in group_by})
            row.update({k: v for k, v in result.items() if k != "object" and k not in row})
            rows.append(row)
    known = {"start", "end", *group_by, *amounts}
    names = [name for name in dict.fromkeys(k for row in rows for k in row) if name not in known]
    extra = [name for name in names if all(_is_count(row.get(name, 0)) for row in rows)]
    columns: dict[str, Any] = {
        "start": to_utc([row["start"] for row in rows]),
        "end": to_utc([row["end"] for row in rows]),
    }
    for name in group_by:
        columns[name] = pd.Series([row.get(name) for row in rows], dtype=_GROUP_DTYPES.get(name, "str"))
    for name in [*amounts, *extra]:
        values = pd.to_numeric(pd.Series([row.get(name) for row in rows], dtype=object), errors="coerce")
        columns[name] = values.fillna(0).astype("int64")
    return pd.DataFrame(columns)


def costs_frame(buckets: Iterable[Mapping[str, Any]], group_by: Sequence[str]) -> pd.DataFrame:
    """Costs buckets -> `start`, `end`, the `group_by` fields, `cost` (US dollars), and with
    `line_item` grouping `quantity` and `quantity_unit`."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for bucket in buckets:
        results = [r for r in bucket.get("results") or [] if isinstance(r, Mapping)]
        if not results and not group_by:
            results = [{"amount": {"value": 0.0, "currency": "usd"}}]
        for result in results:
            amount = result.get("amount") or {}
            currency = str(amount.get("currency") or "usd").lower()
            if currency != "usd":
                raise APIResponseValidationError(f"a cost in {currency!r}; only US dollars are expected")
            row = {"start": bucket.get("start_time"), "end": bucket.get("end_time")}
            row["cost"] = amount.get("value")
            row.update({name: result.get(name) for name in (*group_by, "quantity", "quantity_unit")})
            rows.append(row)
    columns: dict[str, Any] = {
        "start": to_utc([row["start"] for row in rows]),
        "end": to_utc([row["end"] for row in rows]),
    }
    for name in group_by:
        columns[name] = pd.Series([row.get(name) for row in rows], dtype="str")
    columns["cost"] = pd.to_numeric(
        pd.Series([row.get("cost") for row in rows], dtype=object), errors="coerce"
    ).astype("float64")
    if "line_item" in group_by:
        columns["quantity"] = pd.to_numeric(
            pd.Series([row.get("quantity") for row in rows], dtype=object), errors="coerce"
        ).astype("float64")
        columns["quantity_unit"] = pd.Series([row.get("quantity_unit") for row in rows], dtype="str")
    frame = pd.DataFrame(columns)
    frame.attrs["currency"] = "usd"
    return frame


def _is_count(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
