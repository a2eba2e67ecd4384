"""JSON -> DataFrame, one function per response shape, with real dtypes.

Times are tz-aware UTC datetimes, flags are bools, and a list that comes back empty
still has its columns. Fields the API adds later are kept as extra columns after the
documented ones, so nothing the server sent is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    records: Iterable[Mapping[str, Any]],
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


# -- files and fine-tuning -------------------------------------------------------------

__all__ += [
    "files_frame",
    "fine_tuning_checkpoints_frame",
    "fine_tuning_events_frame",
    "fine_tuning_jobs_frame",
]

# Numbers a metrics event or checkpoint carries; any others the API adds come after these.
METRIC_COLUMNS = (
    "step",
    "train_loss",
    "train_mean_token_accuracy",
    "valid_loss",
    "valid_mean_token_accuracy",
    "full_valid_loss",
    "full_valid_mean_token_accuracy",
)


def files_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """`GET /files` -> `id`, `filename`, `purpose`, `bytes` (Int64), `created_at`, `status`,
    `expires_at` (UTC, NaT where the file does not expire), in the API's order (newest first)."""
    columns = ["id", "filename", "purpose", "bytes", "created_at", "status", "expires_at"]
    frame = records_frame(records, columns, times=["created_at", "expires_at"])
    frame["bytes"] = frame["bytes"].astype("Int64")
    return frame.drop(columns=[c for c in ("object",) if c in frame.columns])


def fine_tuning_jobs_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """`GET /fine_tuning/jobs` -> one row per job, newest first; `error_message` for failed jobs."""
    rows = [_with_error_message(record) for record in records]
    columns = [
        "id",
        "status",
        "model",
        "fine_tuned_model",
        "created_at",
        "finished_at",
        "training_file",
        "validation_file",
        "trained_tokens",
        "error_message",
    ]
    frame = records_frame(rows, columns, times=["created_at", "finished_at", "estimated_finish"])
    frame["trained_tokens"] = frame["trained_tokens"].astype("Int64")
    return frame.drop(columns=[c for c in ("object",) if c in frame.columns])


def fine_tuning_events_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Fine-tuning events -> `created_at`, `level`, `message`, `type`, then one float column per
    metric found in `metrics` events (`step`, `train_loss`, ...), then `id`; oldest first.

    The API lists events newest first; a log reads top down, so the order is reversed
    (`records` are given in the API's order)."""
    rows = []
    for event in reversed(list(records)):
        row = {k: v for k, v in event.items() if k not in ("object", "data")}
        data = event.get("data")
        if event.get("type") == "metrics" and isinstance(data, dict):
            row.update({k: v for k, v in data.items() if _is_number(v)})
        rows.append(row)
    metrics = _metric_columns(rows, exclude={"created_at"})
    frame = records_frame(
        rows, ["created_at", "level", "message", "type", *metrics, "id"], times=["created_at"]
    )
    for column in metrics:
        frame[column] = frame[column].astype("float64")
    return frame


def fine_tuning_checkpoints_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Checkpoints -> `id`, `step_number`, `created_at`, `fine_tuned_model_checkpoint`, the
    metrics as float columns, `fine_tuning_job_id`; ordered by step, first to last."""
    rows = []
    for checkpoint in records:
        row = {k: v for k, v in checkpoint.items() if k not in ("object", "metrics")}
        metrics = checkpoint.get("metrics")
        if isinstance(metrics, dict):
            row.update({k: v for k, v in metrics.items() if _is_number(v) and k != "step"})
        rows.append(row)
    metrics = _metric_columns(rows, exclude={"created_at", "step_number"})
    columns = [
        "id",
        "step_number",
        "created_at",
        "fine_tuned_model_checkpoint",
        *metrics,
        "fine_tuning_job_id",
    ]
    frame = records_frame(rows, columns, times=["created_at"])
    frame["step_number"] = frame["step_number"].astype("Int64")
    for column in metrics:
        frame[column] = frame[column].astype("float64")
    return frame.sort_values("step_number", kind="stable").reset_index(drop=True)


def _with_error_message(job: dict[str, Any]) -> dict[str, Any]:
    error = job.get("error")
    message = error.get("message") if isinstance(error, dict) else None
    return {**job, "error_message": message}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _metric_columns(rows: list[dict[str, Any]], *, exclude: set[str]) -> list[str]:
    """The numeric fields of `rows` (metrics): the documented ones first, then the rest."""
    present = dict.fromkeys(
        key for row in rows for key, value in row.items() if key not in exclude and _is_number(value)
    )
    return [c for c in METRIC_COLUMNS if c in present] + [c for c in present if c not in METRIC_COLUMNS]


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


# -- audio -------------------------------------------------------------------------------


def segments_frame(answer: dict[str, Any], *, words: bool = False) -> pd.DataFrame:
    """A verbose transcription -> one row per segment: `start`, `end` (seconds), `text`.

    With `words`, a `words` column holds each segment's words (dicts with `word`, `start`,
    `end`): a word belongs to the last segment starting at or before it. An answer with
    words but no segments (only word timestamps asked for) gives one row per word. Other
    segment fields (`id`, `avg_logprob`, `no_speech_prob`...) follow; `.attrs` holds the
    answer's `text`, `language` and `duration`.
    """
    segments = [s for s in answer.get("segments") or [] if isinstance(s, dict)]
    word_list = [w for w in answer.get("words") or [] if isinstance(w, dict)]
    if segments:
        rows = [{**s, "text": str(s.get("text", "")).strip()} for s in segments]
        owners = _word_owners(rows, word_list)
    else:
        rows = [
            {"start": w.get("start"), "end": w.get("end"), "text": str(w.get("word", ""))} for w in word_list
        ]
        owners = list(range(len(word_list)))
    if words:
        for row in rows:
            row["words"] = []
        for word, owner in zip(word_list, owners, strict=True):
            rows[owner]["words"].append(word)
    frame = records_frame(rows, ["start", "end", "text"] + (["words"] if words else []))
    for column in ("start", "end"):
        frame[column] = frame[column].astype("float64")
    frame.attrs.update({k: answer[k] for k in ("text", "language", "duration", "task") if k in answer})
    return frame


def _word_owners(segments: list[dict[str, Any]], words: list[dict[str, Any]]) -> list[int]:
    import bisect

    starts = [float(s.get("start") or 0) for s in segments]
    return [max(bisect.bisect_right(starts, float(w.get("start") or 0)) - 1, 0) for w in words]


def transcripts_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Several files' transcripts -> `file`, `text` (one row per file, in the order given)."""
    return records_frame(rows, ["file", "text"])


# -- batches ------------------------------------------------------------


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
