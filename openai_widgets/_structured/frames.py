"""Records of a structured output -> a DataFrame with one typed column per field.

The dtype of each column follows the field's schema, not whatever pandas would guess from
the values (which could not tell an int column with one gap from a float one):

    integer            int64, or nullable Int64 when a value is missing
    number             float64
    boolean            bool, or nullable boolean when a value is missing
    string             pandas' string dtype (str)
    date-time, date    datetime64 in UTC (dates at midnight)
    anything else      object (lists, nested objects)

Records may be dicts, dataclass instances or Pydantic models; fields missing from a record
are missing values. Without a schema the columns are those of the records, as pandas reads them.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["as_plain_record", "typed_frame"]


def typed_frame(
    records: Sequence[Any], fields: dict[str, dict[str, Any]] | None = None, index: Any = None
) -> pd.DataFrame:
    """A DataFrame of `records` (None for a missing row) with a column per field of `fields`."""
    import pandas as pd

    rows = [as_plain_record(record) for record in records]
    if not fields:
        frame = pd.DataFrame.from_records([row or {} for row in rows])
        if index is not None:
            frame.index = index
        return frame
    columns = {
        name: _column([(row or {}).get(name) for row in rows], schema, index)
        for name, schema in fields.items()
    }
    frame = pd.DataFrame(columns, index=index if index is not None else pd.RangeIndex(len(rows)))
    return frame


def as_plain_record(record: Any) -> dict[str, Any] | None:
    """A record as a dict of its fields (None stays None)."""
    if record is None or isinstance(record, dict):
        return record
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    if hasattr(record, "model_dump"):
        return {name: getattr(record, name) for name in type(record).model_fields}
    return {"value": record}


def _column(values: list[Any], schema: dict[str, Any], index: Any) -> pd.Series:
    import pandas as pd

    kind = _kind(schema)
    values = [value.value if isinstance(value, enum.Enum) else value for value in values]
    missing = any(value is None for value in values)
    index = index if index is not None else pd.RangeIndex(len(values))
    if kind == "integer" and all(value is None or _is_int(value) for value in values):
        return pd.Series(values, index=index, dtype="Int64" if missing else "int64")
    if kind == "number" and all(value is None or _is_number(value) for value in values):
        return pd.Series(
            [float("nan") if v is None else float(v) for v in values], index=index, dtype="float64"
        )
    if kind == "boolean" and all(value is None or isinstance(value, bool) for value in values):
        return pd.Series(values, index=index, dtype="boolean" if missing else "bool")
    if kind in ("date-time", "date"):
        times = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
        return pd.Series(times, index=index).astype("datetime64[ns, UTC]")
    if kind == "string" and all(value is None or isinstance(value, str) for value in values):
        return pd.Series(values, index=index, dtype=_string_dtype())
    return pd.Series(values, index=index, dtype="object")


def _kind(schema: dict[str, Any]) -> str | None:
    """The one non-null JSON type of a field (or its date format); None when it has several."""
    if not isinstance(schema, dict):
        return None
    options = schema.get("anyOf")
    if isinstance(options, list):
        kinds = {_kind(option) for option in options if option != {"type": "null"}}
        return kinds.pop() if len(kinds) == 1 else None
    kind = schema.get("type")
    if isinstance(kind, list):
        rest = [k for k in kind if k != "null"]
        kind = rest[0] if len(rest) == 1 else None
    if kind == "string" and schema.get("format") in ("date-time", "date"):
        return schema["format"]
    return kind


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string_dtype() -> str:
    """pandas 3's string dtype ("str"); object on pandas 2, whose "str" would write None as "None"."""
    import pandas as pd

    return "str" if int(pd.__version__.split(".")[0]) >= 3 else "object"
