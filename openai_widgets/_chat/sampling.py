"""Checks of the settings text endpoints share (temperature, top_p, n, ...), before sending."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError

__all__ = ["check_settings"]

# name -> (lowest, highest, whole numbers only)
_RANGES: dict[str, tuple[float, float, bool]] = {
    "temperature": (0, 2, False),
    "top_p": (0, 1, False),
    "presence_penalty": (-2, 2, False),
    "frequency_penalty": (-2, 2, False),
    "n": (1, 128, True),
    "top_logprobs": (0, 20, True),
    "max_tokens": (1, float("inf"), True),
    "max_completion_tokens": (1, float("inf"), True),
}
MAX_STOP_SEQUENCES = 4


def check_settings(settings: Mapping[str, Any]) -> None:
    """Raise InvalidInputError / InvalidTypeError for the first setting out of its range."""
    for name, (low, high, whole) in _RANGES.items():
        value = settings.get(name)
        if value is None:
            continue
        kind = "a whole number" if whole else "a number"
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            raise InvalidTypeError(f"{name} must be {kind}, not {type(value).__name__} {value!r}")
        if not low <= value <= high:
            span = f"at least {low:g}" if high == float("inf") else f"between {low:g} and {high:g}"
            raise InvalidInputError(f"{name} must be {span}, got {value:g}")
    _check_stop(settings.get("stop"))


def _check_stop(stop: Any) -> None:
    if stop is None or isinstance(stop, str):
        return
    if not isinstance(stop, (list, tuple)) or not all(isinstance(s, str) for s in stop):
        raise InvalidTypeError("stop must be a string or a list of strings")
    if len(stop) > MAX_STOP_SEQUENCES:
        raise InvalidInputError(f"stop holds {len(stop)} sequences; at most {MAX_STOP_SEQUENCES} are allowed")
