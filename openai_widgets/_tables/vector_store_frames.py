"""Vector stores, their files and search results as DataFrames with stable columns and dtypes.

Counts are int64, times tz-aware UTC, metadata and attributes dicts (empty when the API
sends none), and an empty answer still has every column with its dtype.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .frames import records_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FILE_COLUMNS",
    "SEARCH_COLUMNS",
    "STORE_COLUMNS",
    "search_results_frame",
    "vector_store_files_frame",
    "vector_stores_frame",
]

COUNTS = ("completed", "in_progress", "failed", "cancelled", "total")
STORE_COLUMNS = [
    "id",
    "name",
    "status",
    *(f"files_{state}" for state in COUNTS),
    "usage_bytes",
    "created_at",
    "last_active_at",
    "expires_at",
    "metadata",
]
FILE_COLUMNS = ["file_id", "filename", "status", "last_error", "attributes", "usage_bytes", "created_at"]
SEARCH_COLUMNS = ["rank", "score", "file_id", "filename", "text", "attributes"]


def vector_stores_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """`GET /vector_stores` -> one row per store, its file counts as `files_<state>` columns."""
    rows = []
    for record in records:
        row = {k: v for k, v in record.items() if k not in ("object", "file_counts")}
        counts = record.get("file_counts") or {}
        row.update({f"files_{state}": counts.get(state, 0) for state in COUNTS})
        rows.append(row)
    frame = records_frame(rows, STORE_COLUMNS, times=["created_at", "last_active_at", "expires_at"])
    for column in [f"files_{state}" for state in COUNTS] + ["usage_bytes"]:
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["metadata"] = _dicts(frame["metadata"])
    return frame


def vector_store_files_frame(
    records: Iterable[Mapping[str, Any]], filenames: Mapping[str, str | None] | None = None
) -> pd.DataFrame:
    """Vector store files -> `file_id`, `filename` (from `filenames`, by ID), `status`, `last_error`
    (`code: message` of a failed file), `attributes`, `usage_bytes`, `created_at`, then other fields."""
    names = filenames or {}
    rows = []
    for record in records:
        row = {k: v for k, v in record.items() if k not in ("object", "id", "vector_store_id", "last_error")}
        row["file_id"] = record.get("id")
        row["filename"] = names.get(str(record.get("id")))
        row["last_error"] = _error_text(record.get("last_error"))
        rows.append(row)
    frame = records_frame(rows, FILE_COLUMNS, times=["created_at"])
    frame["usage_bytes"] = frame["usage_bytes"].fillna(0).astype("int64")
    frame["attributes"] = _dicts(frame["attributes"])
    return frame


def search_results_frame(items: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Search results, best first: `rank` (from 1), `score`, `file_id`, `filename`, `text` (the
    result's chunks joined by blank lines), `attributes`."""
    import pandas as pd

    rows = sorted(
        items, key=lambda item: -float(item.get("score") or 0.0)
    )  # stable: ties keep the API's order
    texts = [
        "\n\n".join(
            str(part.get("text", "")) for part in item.get("content") or [] if isinstance(part, Mapping)
        )
        for item in rows
    ]
    return pd.DataFrame(
        {
            "rank": pd.Series(range(1, len(rows) + 1), dtype="int64"),
            "score": pd.Series([item.get("score") for item in rows], dtype="float64"),
            "file_id": pd.Series([item.get("file_id") for item in rows], dtype="str"),
            "filename": pd.Series([item.get("filename") for item in rows], dtype="str"),
            "text": pd.Series(texts, dtype="str"),
            "attributes": pd.Series([dict(item.get("attributes") or {}) for item in rows], dtype=object),
        }
    )


def _error_text(error: Any) -> str | None:
    if not isinstance(error, Mapping):
        return None
    code, message = error.get("code"), error.get("message")
    return f"{code}: {message}" if code and message else str(message or code or "")


def _dicts(column: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.Series(
        [dict(v) if isinstance(v, Mapping) else {} for v in column], index=column.index, dtype=object
    )
