"""The `start` and `end` of a usage or costs report, as the Unix seconds the API takes.

Taken as a datetime (a naive one is read as UTC), a date (midnight UTC), Unix seconds,
an ISO text ("2025-06-01", "2025-06-01T12:00:00+02:00"), or a time ago: "30m", "12h",
"7d", "2w" (minutes, hours, days, weeks before now).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError

__all__ = ["unix_seconds"]

_AGO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_HINT = "give a datetime, a date, Unix seconds, an ISO date such as '2025-06-01', or a time ago such as '7d'"


def unix_seconds(value: Any, name: str, *, now: float | None = None) -> int:
    """`value` as whole Unix seconds (see the module docstring for what it takes)."""
    clock = time.time() if now is None else now
    if isinstance(value, bool):
        raise InvalidTypeError(f"{name} must be a time, not bool; {_HINT}")
    if isinstance(value, (int, float)) or type(value).__name__.startswith(("int", "float")):
        seconds = float(value)
        if not seconds >= 0:  # also refuses NaN
            raise InvalidInputError(f"{name} must be 0 or more Unix seconds, got {value!r}")
        return int(seconds)
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return int(moment.timestamp())
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).timestamp())
    if isinstance(value, str):
        return _from_text(value, name, clock)
    raise InvalidTypeError(f"{name} must be a time, not {type(value).__name__}; {_HINT}")


def _from_text(text: str, name: str, clock: float) -> int:
    ago = _AGO.match(text)
    if ago:
        return int(clock - float(ago.group(1)) * _UNITS[ago.group(2).lower()])
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(f"{name} {text!r} is not a time; {_HINT}") from None
    return unix_seconds(moment, name)
