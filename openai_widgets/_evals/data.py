"""Eval data from a DataFrame: the item schema its columns make, its rows as items, the prompt.

An eval describes its items with a JSON schema: each column becomes a property typed from
its dtype (integers `integer`, floats `number`, booleans `boolean`, datetimes and text
`string`, lists `array`, dicts `object`; a column of mixed values is left untyped), and a
column without missing values is required. The rows go up as JSONL, one `{"item": row}` a
line, missing cells left out. The prompt (`template`) is one text, a user message, or a
list of messages, with `{column}` filled from each row by the API; messages are sent as
the API's typed `EvalItem`s (`{"type": "message", "role": ..., "content": {"type":
"input_text", "text": ...}}`), the one form its schema reads without ambiguity.

Instead of a DataFrame, a run may read stored chat completions: `data` is then the API's
source dict, `{"type": "stored_completions", "metadata": {...}, "model": ..., "limit": ...}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .._tables.jsonl import is_frame, rows_of, to_jsonl
from .criteria import eval_message, expand

__all__ = [
    "ROLES",
    "STORED",
    "check_frame",
    "input_messages",
    "item_schema",
    "items_jsonl",
    "stored_source",
]

ROLES = ("system", "developer", "user", "assistant")
STORED = "stored_completions"
_STORED_FIELDS = {"type", "metadata", "model", "created_after", "created_before", "limit"}


def check_frame(data: Any, name: str = "data") -> Any:
    """`data` if it is a DataFrame with rows and text column names, else a clear error."""
    if not is_frame(data):
        raise InvalidTypeError(f"{name} must be a DataFrame (one row per item), not {type(data).__name__}")
    if data.empty:
        raise InvalidInputError(f"{name} has no rows; an eval needs at least one item")
    strangers = [c for c in data.columns if not isinstance(c, str) or not c]
    if strangers:
        raise InvalidInputError(
            f"{name} has the column name {strangers[0]!r}; columns become item fields, so name them "
            "with text (data.columns = [...])"
        )
    return data


def item_schema(data: Any) -> dict[str, Any]:
    """The JSON schema of one row: a typed property per column, the complete columns required."""
    properties = {column: _column_schema(data[column]) for column in data.columns}
    required = [column for column in data.columns if not data[column].isna().any()]
    return {"type": "object", "properties": properties, "required": required}


def items_jsonl(data: Any) -> bytes:
    """The rows as eval items: one `{"item": {...}}` per line."""
    return to_jsonl(({"item": row} for row in rows_of(data, "data")), "data")


def input_messages(template: Any, columns: Any) -> dict[str, Any]:
    """The API's `input_messages` template from a text or a list of messages with `{column}`s."""
    if isinstance(template, str):
        if not template.strip():
            raise InvalidInputError("template is empty; write the prompt, e.g. 'Answer briefly: {question}'")
        template = [{"role": "user", "content": template}]
    if not isinstance(template, (list, tuple)) or not template:
        raise InvalidTypeError(
            f"template must be a text or a list of messages, not {type(template).__name__}"
        )
    messages = []
    for number, message in enumerate(template):
        where = f"template[{number}]"
        if not isinstance(message, Mapping) or not isinstance(message.get("content"), str):
            raise InvalidInputError(f"{where} must be a message dict with a text 'content'")
        role = message.get("role", "user")
        if role not in ROLES:
            raise InvalidInputError(f"{where}.role {role!r} is not one of {', '.join(ROLES)}")
        messages.append(eval_message(role, expand(message["content"], f"{where}.content", columns)))
    return {"type": "template", "template": messages}


def stored_source(data: Any) -> dict[str, Any] | None:
    """The stored-completions source dict `data` is, checked; None when `data` is something else."""
    if not isinstance(data, Mapping) or data.get("type") != STORED:
        return None
    strangers = sorted(set(data) - _STORED_FIELDS)
    if strangers:
        raise InvalidInputError(
            f"data has {strangers[0]!r}; a stored completions source takes "
            f"{', '.join(sorted(_STORED_FIELDS))}"
        )
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, Mapping):
        raise InvalidTypeError(f"data['metadata'] must be a dict, not {type(metadata).__name__}")
    return {key: value for key, value in data.items() if value is not None}


# -- column types --------------------------------------------------------------------------


def _column_schema(column: Any) -> dict[str, Any]:
    import pandas as pd

    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return {"type": "boolean"}
    if pd.api.types.is_integer_dtype(dtype):
        return {"type": "integer"}
    if pd.api.types.is_float_dtype(dtype):
        return {"type": "number"}
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return {"type": "string", "format": "date-time"}
    kinds = {_json_type(value) for value in column.dropna()}
    if kinds == {"integer", "number"}:
        kinds = {"number"}
    return {"type": kinds.pop()} if len(kinds) == 1 else {}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return "integer"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return "number"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return "array"
    return "string"
