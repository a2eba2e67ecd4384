"""JSON Lines and tables: rows -> JSONL bytes for uploads, file contents -> DataFrames.

A DataFrame row becomes one JSON object; cells that are missing (None, NaN, NaT, NA)
are left out of the object rather than written as null, so a frame built from records
with different keys turns back into those records. numpy and pandas values (integers,
floats, arrays, timestamps) are written as their JSON equivalents.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["JSON_BLANKS", "is_frame", "jsonl_lines", "parse_jsonl", "read_table", "rows_of", "to_jsonl"]

_BASE64 = re.compile(rb"^[A-Za-z0-9+/=\s]+$")
JSON_BLANKS = " \t\r\n"  # the only whitespace JSON knows


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSON Lines text: split at "\\n" only, as JSONL defines.

    `str.splitlines()` also splits at U+2028, U+2029 and U+0085, which JSON allows unescaped
    inside strings, and at lone carriage returns and form feeds: a valid line would be cut in
    two and every later line number would be off. A "\\r" before the "\\n" is JSON whitespace.
    """
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def is_frame(value: Any) -> bool:
    """True for a pandas DataFrame, without importing pandas when it is not loaded."""
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")


def rows_of(data: Any, what: str) -> list[dict[str, Any]]:
    """A DataFrame or a list of dicts as a list of plain dicts (missing DataFrame cells left out)."""
    if is_frame(data):
        return [
            {str(key): _plain(value) for key, value in row.items() if not _is_missing(value)}
            for row in data.to_dict(orient="records")
        ]
    if isinstance(data, (list, tuple)):
        for number, row in enumerate(data, start=1):
            if not isinstance(row, Mapping):
                raise InvalidTypeError(
                    f"{what}: item {number} is a {type(row).__name__}; give a list of dicts "
                    "(one JSON object per line) or a DataFrame"
                )
        return [dict(row) for row in data]
    raise InvalidTypeError(f"{what} must be a DataFrame or a list of dicts, not {type(data).__name__}")


def to_jsonl(rows: Iterable[Mapping[str, Any]], what: str = "data") -> bytes:
    """One compact JSON object per line, UTF-8, ending with a newline."""
    lines = []
    for number, row in enumerate(rows, start=1):
        try:
            lines.append(json.dumps(row, ensure_ascii=False, allow_nan=False, default=_json_value))
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(
                f"{what}: line {number} cannot be written as JSON ({exc}); "
                "replace NaN/infinite numbers and objects that JSON cannot hold"
            ) from None
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def parse_jsonl(data: bytes, what: str = "data") -> list[Any]:
    """The values of a JSON Lines text (blank lines skipped); errors name the line."""
    text = _text(data, what)
    values = []
    for number, line in enumerate(jsonl_lines(text), start=1):
        if not line.strip(JSON_BLANKS):
            continue
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f"{what}: line {number} is not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
    return values


def read_table(data: bytes, what: str = "the file") -> pd.DataFrame:
    """JSONL or CSV bytes as a DataFrame; base64-encoded CSV (fine-tuning results) is decoded first.

    JSONL is recognised by its first character (`{` or `[`); nested values stay Python
    lists and dicts, so a frame uploaded with `upload_file` comes back equal.
    """
    import pandas as pd

    stripped = data.lstrip()
    if not stripped:
        return pd.DataFrame()
    if stripped[:1] in (b"{", b"["):
        rows = parse_jsonl(data, what)
        if not all(isinstance(row, dict) for row in rows):
            raise InvalidInputError(f"{what} holds JSON lines that are not objects, so it is not a table")
        return pd.DataFrame.from_records(rows)
    decoded = _base64_text(stripped)
    source = decoded if decoded is not None else data
    try:
        if b"\x00" in source:
            raise ValueError("binary data")
        source.decode("utf-8")
        return pd.read_csv(io.BytesIO(source))
    except (ValueError, pd.errors.ParserError) as exc:  # UnicodeDecodeError is a ValueError
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc).splitlines()[0]
        raise InvalidInputError(
            f"{what} is neither JSONL nor CSV ({reason}); read it as bytes instead"
        ) from None


def _base64_text(data: bytes) -> bytes | None:
    """The decoded CSV text if `data` is base64 of UTF-8 text with commas, else None."""
    if not _BASE64.match(data):
        return None
    compact = b"".join(data.split())
    if len(compact) % 4:
        return None
    try:
        decoded = base64.b64decode(compact, validate=True)
        decoded.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if b"," in decoded else None


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{what} is not UTF-8 text (byte {exc.start}); JSONL must be UTF-8") from None


def _plain(value: Any) -> Any:
    """numpy values as Python ones (a frame read from Parquet holds lists as arrays)."""
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return value.tolist()
    return value


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, bytes, list, tuple, dict)) or hasattr(value, "__len__"):
        return False
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _json_value(value: Any) -> Any:
    """What json.dumps cannot write itself: numpy scalars and arrays, timestamps."""
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
