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


# -- embeddings and batches ------------------------------------------------------------


def embeddings_frame(texts: Sequence[str], matrix: Any, index: Any, attrs: dict[str, Any]) -> pd.DataFrame:
    """`input` and `embedding` (float32 rows of one read-only matrix), indexed like the input.

    The `embedding` column is an `EmbeddingArray`: `ow.as_matrix(frame)` hands `matrix` back
    without a copy.
    """
    import pandas as pd

    from ._embedding_array import EmbeddingArray

    matrix.flags.writeable = False  # the rows are shared: changing one would change the frame
    origin = {k: attrs.get(k) for k in ("model", "requested_dimensions")}
    # copy=False: pandas 3 copies arrays given to its constructors by default (the matrix included)
    column = pd.Series(EmbeddingArray(matrix, origin=origin), index=index, copy=False)
    frame = pd.DataFrame({"input": pd.Series(list(texts), index=index), "embedding": column}, copy=False)
    frame.attrs.update(attrs)
    return frame


BATCH_COLUMNS = [
    "id",
    "status",
    "endpoint",
    "created_at",
    "completed_at",
    "total",
    "completed",
    "failed",
    "input_file_id",
    "output_file_id",
    "error_file_id",
]
_BATCH_TIMES = [
    "created_at",
    "in_progress_at",
    "expires_at",
    "finalizing_at",
    "completed_at",
    "failed_at",
    "expired_at",
    "cancelling_at",
    "cancelled_at",
]


def batches_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """`GET /batches` -> one row per batch, request counts as `total`/`completed`/`failed` columns."""
    import pandas as pd

    rows = []
    for record in records:
        row = {k: v for k, v in record.items() if k not in {"object", "request_counts"}}
        counts = record.get("request_counts") or {}
        for name in ("total", "completed", "failed"):
            row[name] = counts.get(name)
        rows.append(row)
    frame = records_frame(rows, BATCH_COLUMNS, times=[t for t in _BATCH_TIMES if any(t in r for r in rows)])
    for name in ("total", "completed", "failed"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("Int64")
    return frame


def batch_results_frame(rows: Sequence[dict[str, Any]], index: Any = None) -> pd.DataFrame:
    """Batch output lines in input order: `custom_id`, `status_code`, `response` (body), `error`."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "custom_id": pd.Series([r["custom_id"] for r in rows], dtype="str"),
            "status_code": pd.array([r.get("status_code") for r in rows], dtype="Int64"),
            "response": pd.Series([r.get("response") for r in rows], dtype=object),
            "error": pd.Series([r.get("error") for r in rows], dtype=object),
        }
    )
    if index is not None:
        frame.index = index
    return frame
