"""Putting IDs into URL paths safely."""

from __future__ import annotations

import urllib.parse

from .arguments import text, type_error
from .errors import InvalidInputError

__all__ = ["path_id"]


def path_id(value: object, name: str) -> str:
    """`value` checked and percent-encoded for one path segment (colons kept: `ft:...` IDs)."""
    if not isinstance(value, str):
        raise type_error(name, "a string ID", value)
    identifier = text(value, name, hint="pass an ID such as the ones listed by the list function").strip()
    if identifier in {".", ".."}:
        raise InvalidInputError(f"{name} {value!r} is not an ID")
    return urllib.parse.quote(identifier, safe=":@")
