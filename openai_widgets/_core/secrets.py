"""Keeping API keys out of everything the package prints, raises or logs.

A key lives in a `Secret`, whose `repr` and `str` are masked. Every key given to a
client is registered, and `redact()` replaces registered keys in any text: error
messages and log records pass through it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

__all__ = ["Secret", "mask", "redact", "redact_data", "register"]

_known: set[str] = set()
_lock = threading.Lock()


def mask(key: str | None) -> str:
    """A form of `key` that is safe to show: `sk-...abcd`."""
    if not key:
        return "(none)"
    if len(key) < 12:
        return "***"
    prefix = "sk-" if key.startswith("sk-") else ""
    return f"{prefix}...{key[-4:]}"


def register(key: str) -> None:
    """Remember `key` so that `redact()` removes it from any text."""
    if key and len(key) >= 8:
        with _lock:
            _known.add(key)


def redact(text: str) -> str:
    """`text` with every registered key replaced by its masked form."""
    if not _known or not isinstance(text, str):
        return text
    with _lock:
        keys = sorted(_known, key=len, reverse=True)
    for key in keys:
        if key in text:
            text = text.replace(key, mask(key))
    return text


def redact_data(value: Any) -> Any:
    """A decoded JSON value (an error body) with `redact()` applied to every string in it, keys too."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(key): redact_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_data(item) for item in value)
    return value


class Secret:
    """A key that does not show itself: `repr`, `str` and pickling never reveal it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register(value)

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        """The form that may be shown: `sk-...abcd`."""
        return mask(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret('{mask(self._value)}')"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("an API key is not pickled; connect again in the new process")


class RedactingFilter(logging.Filter):
    """Rewrites log records so that no registered key reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
