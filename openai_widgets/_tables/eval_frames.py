"""Evals, eval runs, stored chat completions and checkpoint permissions as DataFrames.

Stable columns and dtypes, even for an empty list: times tz-aware UTC, counts Int64,
pass rates float, metadata dicts. (An eval run's graded items: `_evals.results`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .frames import records_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "checkpoint_permissions_frame",
    "eval_runs_frame",
    "evals_frame",
    "stored_completions_frame",
    "stored_messages_frame",
]

EVAL_COLUMNS = ["id", "name", "created_at", "data_source", "criteria", "metadata"]
RUN_COLUMNS = [
    "id",
    "name",
    "status",
    "model",
    "created_at",
    "total",
    "passed",
    "failed",
    "errored",
    "pass_rate",
    "report_url",
    "metadata",
    "eval_id",
]
COMPLETION_COLUMNS = [
    "id",
    "created",
    "model",
    "output",
    "finish_reason",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "metadata",
]
MESSAGE_COLUMNS = ["id", "role", "content", "name"]
PERMISSION_COLUMNS = ["id", "project_id", "created_at"]
_COUNTS = ("total", "passed", "failed", "errored")
_TOKENS = ("prompt_tokens", "completion_tokens", "total_tokens")


def evals_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """`GET /evals` -> `id`, `name`, `created_at`, `data_source` (its type), `criteria` (their
    names), `metadata`."""
    rows = []
    skipped = ("object", "data_source_config", "testing_criteria")
    for record in records:
        row = {k: v for k, v in record.items() if k not in skipped}
        row["data_source"] = (record.get("data_source_config") or {}).get("type")
        criteria = record.get("testing_criteria") or []
        row["criteria"] = [c.get("name") for c in criteria if isinstance(c, Mapping)]
        rows.append(row)
    frame = records_frame(rows, EVAL_COLUMNS, times=["created_at"])
    frame["metadata"] = _dicts(frame["metadata"])
    frame["criteria"] = _lists(frame["criteria"])
    return frame


def eval_runs_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Eval runs -> one row each: counts of items `total`, `passed`, `failed`, `errored` (Int64)
    and `pass_rate` (passed / total), with `report_url`; other fields after."""
    import pandas as pd

    rows = []
    skipped = ("object", "result_counts", "data_source", "per_model_usage", "per_testing_criteria_results")
    for record in records:
        row = {k: v for k, v in record.items() if k not in skipped}
        counts = record.get("result_counts") or {}
        row.update({name: counts.get(name) for name in _COUNTS})
        rows.append(row)
    frame = records_frame(rows, RUN_COLUMNS, times=["created_at"])
    for name in _COUNTS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("Int64")
    total = frame["total"].astype("float64")
    frame["pass_rate"] = (frame["passed"].astype("float64") / total.where(total > 0)).astype("float64")
    frame["metadata"] = _dicts(frame["metadata"])
    return frame


def stored_completions_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Stored chat completions -> `id`, `created` (UTC), `model`, `output` (the first choice's
    text), `finish_reason`, token counts (Int64), `metadata`; other fields after."""
    import pandas as pd

    rows = []
    for record in records:
        row = {k: v for k, v in record.items() if k not in ("object", "choices", "usage")}
        choice = (record.get("choices") or [{}])[0]
        row["output"] = (choice.get("message") or {}).get("content")
        row["finish_reason"] = choice.get("finish_reason")
        usage = record.get("usage") or {}
        row.update({name: usage.get(name) for name in _TOKENS})
        rows.append(row)
    frame = records_frame(rows, COMPLETION_COLUMNS, times=["created"])
    for name in _TOKENS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("Int64")
    frame["metadata"] = _dicts(frame["metadata"])
    return frame


def stored_messages_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A stored completion's input messages -> `id`, `role`, `content` (text), `name`, in order."""
    return records_frame(records, MESSAGE_COLUMNS)


def checkpoint_permissions_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Checkpoint permissions -> `id`, `project_id`, `created_at` (UTC)."""
    frame = records_frame(records, PERMISSION_COLUMNS, times=["created_at"])
    return frame.drop(columns=[c for c in ("object",) if c in frame.columns])


def _dicts(column: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.Series(
        [dict(v) if isinstance(v, Mapping) else {} for v in column], index=column.index, dtype=object
    )


def _lists(column: pd.Series) -> pd.Series:
    import pandas as pd

    values = [list(v) if isinstance(v, list) else [] for v in column]
    return pd.Series(values, index=column.index, dtype=object)
