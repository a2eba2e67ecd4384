"""JSON given as text (in a magic, a widget or an argument), parsed with errors that point."""

from __future__ import annotations

import json
from typing import Any

from .errors import InvalidJSONError, InvalidTypeError

__all__ = ["parse_json"]


def parse_json(value: Any, field: str, *, object_only: bool = False) -> Any:
    """`value` if it is already data; parsed if it is JSON text. Empty text means None."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8")
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InvalidJSONError.from_decode_error(field, exc) from None
    if object_only and value is not None and not isinstance(value, dict):
        raise InvalidTypeError(
            f'{field} must be a JSON object like {{"key": "value"}}, not {type(value).__name__}'
        )
    return value
