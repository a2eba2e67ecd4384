"""Paths under the base URL: IDs put into a segment safely, caller paths kept relative.

Every request's path passes `resolve_path`, so a request can never carry the key to
another host.
"""

from __future__ import annotations

import urllib.parse

from .arguments import text, type_error
from .errors import InvalidInputError

__all__ = ["path_id", "resolve_path"]


def path_id(value: object, name: str) -> str:
    """`value` checked and percent-encoded for one path segment (colons kept: `ft:...` IDs)."""
    if not isinstance(value, str):
        raise type_error(name, "a string ID", value)
    identifier = text(value, name, hint="pass an ID such as the ones listed by the list function").strip()
    if identifier in {".", ".."}:
        raise InvalidInputError(f"{name} {value!r} is not an ID")
    return urllib.parse.quote(identifier, safe=":@")


def resolve_path(path: str) -> str:
    """`path` made relative to the base URL, or a clear refusal.

    Absolute URLs, scheme-relative `//host`, `..` segments, backslashes and their
    percent-encoded forms are refused, so a request can never carry the key elsewhere.
    """
    if not isinstance(path, str):
        raise type_error("path", "a string like 'models'", path)
    text = path.strip()
    decoded = text
    for _ in range(4):  # %252e%252e decodes twice to ..
        once = urllib.parse.unquote(decoded)
        if once == decoded:
            break
        decoded = once
    refusal = _refusal(text) or _refusal(decoded)
    if refusal:
        raise InvalidInputError(
            f"path {path!r} {refusal}; give a path relative to the base URL, such as 'models' "
            "or 'chat/completions'."
        )
    return text.lstrip("/")


def _refusal(text: str) -> str | None:
    if any(ch in text for ch in "\\\r\n\t\x00") or any(ord(ch) < 32 for ch in text):
        return "contains a backslash or a control character"
    if text.startswith("//"):
        return "names another host (//host)"
    parts = urllib.parse.urlsplit(text)
    if parts.scheme or parts.netloc:
        return "is an absolute URL"
    segments = parts.path.split("/")
    if ".." in segments or "." in segments:
        return "contains a '..' or '.' segment"
    return None
