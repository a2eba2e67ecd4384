"""JSON -> DataFrame, one function per response shape, with real dtypes.

Times are tz-aware UTC datetimes, flags are bools, and a list that comes back empty
still has its columns. Fields the API adds later are kept as extra columns after the
documented ones, so nothing the server sent is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["models_frame", "records_frame", "to_utc"]


def to_utc(values: Any) -> pd.Series:
    """Unix seconds (ints, floats or None) -> tz-aware UTC datetimes."""
    import pandas as pd

    series = pd.Series(values, dtype="float64") if not isinstance(values, pd.Series) else values
    return pd.to_datetime(pd.to_numeric(series, errors="coerce"), unit="s", utc=True)


def records_frame(
    records: Iterable[dict[str, Any]],
    columns: Sequence[str],
    *,
    times: Sequence[str] = (),
    bools: Sequence[str] = (),
    keep_extra: bool = True,
) -> pd.DataFrame:
    """A DataFrame of API objects: `columns` first and always present, then any other fields."""
    import pandas as pd

    rows = list(records)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.Series([None] * len(frame), dtype="object" if rows else "str")
    extra = [c for c in frame.columns if c not in columns] if keep_extra else []
    frame = frame[list(columns) + extra]
    for column in times:
        if column in frame.columns:
            frame[column] = to_utc(frame[column])
    for column in bools:
        if column in frame.columns:
            frame[column] = frame[column].fillna(False).astype(bool)
    return frame.reset_index(drop=True)


def models_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """`GET /models` -> `id`, `created` (UTC), `owned_by`, newest first."""
    frame = records_frame(records, ["id", "created", "owned_by"], times=["created"])
    frame = frame.drop(columns=[c for c in ("object",) if c in frame.columns])
    return frame.sort_values(
        ["created", "id"], ascending=[False, True], kind="stable", na_position="last"
    ).reset_index(drop=True)


# -- moderations -------------------------------------------------------------------------


def category_column(category: str) -> str:
    """A moderation category as an identifier: `self-harm/intent` -> `self_harm_intent`."""
    import re

    return re.sub(r"[^0-9a-zA-Z]+", "_", category).strip("_").lower()


def moderation_frame(
    results: Sequence[dict[str, Any]],
    inputs: Sequence[str],
    index: Any = None,
    categories: Sequence[str] = (),
) -> pd.DataFrame:
    """`POST /moderations` results -> `input`, `flagged`, one bool per category, one `<category>_score`.

    Categories keep the API's order with identifier-safe names (`category_column`). A
    category the model does not assess (null in every result, e.g. `illicit` for text
    moderation models) is left out; a null among real values counts as False.
    `categories` names the columns when there are no results. `index` (e.g. a Series'
    index) labels the rows.
    """
    import pandas as pd

    seen = dict.fromkeys(c for result in results for c in result.get("categories", {}))
    names = [
        c
        for c in (list(seen) or list(categories))
        if not results or any(r.get("categories", {}).get(c) is not None for r in results)
    ]
    columns: dict[str, Any] = {
        "input": pd.Series(list(inputs), dtype="object"),
        "flagged": pd.Series([bool(r.get("flagged")) for r in results], dtype=bool),
    }
    for name in names:
        flags = [bool(r.get("categories", {}).get(name)) for r in results]
        columns[category_column(name)] = pd.Series(flags, dtype=bool)
    for name in names:
        scores = [r.get("category_scores", {}).get(name) for r in results]
        columns[f"{category_column(name)}_score"] = pd.Series(scores, dtype="float64")
    frame = pd.DataFrame(columns)
    if index is not None:
        frame.index = index
    return frame
