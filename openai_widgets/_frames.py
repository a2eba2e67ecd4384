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
