"""Putting IDs into URL paths safely."""

from __future__ import annotations

import urllib.parse

from .errors import InvalidInputError, InvalidTypeError

__all__ = ["path_id"]


def path_id(value: object, name: str) -> str:
    """`value` checked and percent-encoded for one path segment (colons kept: `ft:...` IDs)."""
    if not isinstance(value, str):
        raise InvalidTypeError(f"{name} must be a string ID, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{name} is empty; pass an ID such as the ones listed by the list function")
    if text in {".", ".."}:
        raise InvalidInputError(f"{name} {value!r} is not an ID")
    return urllib.parse.quote(text, safe=":@")
