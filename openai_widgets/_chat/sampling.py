"""Checks of the settings text endpoints share (temperature, top_p, n, ...), before sending."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.arguments import number, type_error, whole_number
from .._core.errors import InvalidInputError

__all__ = ["checked_settings"]

# name -> (lowest, highest, whole numbers only)
_RANGES: dict[str, tuple[float, float | None, bool]] = {
    "temperature": (0, 2, False),
    "top_p": (0, 1, False),
    "presence_penalty": (-2, 2, False),
    "frequency_penalty": (-2, 2, False),
    "n": (1, 128, True),
    "top_logprobs": (0, 20, True),
    "max_tokens": (1, None, True),
    "max_completion_tokens": (1, None, True),
}
MAX_STOP_SEQUENCES = 4


def checked_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """`settings` with the known ones checked (numpy numbers made Python ones, for JSON).

    Raises InvalidTypeError / InvalidInputError for the first setting of a wrong type or
    out of its range; settings it does not know pass as given.
    """
    checked = dict(settings)
    for name, (low, high, whole) in _RANGES.items():
        if checked.get(name) is not None:
            check = whole_number if whole else number
            checked[name] = check(checked[name], name, minimum=low, maximum=high)
    _check_stop(checked.get("stop"))
    return checked


def _check_stop(stop: Any) -> None:
    if stop is None or isinstance(stop, str):
        return
    if not isinstance(stop, (list, tuple)) or not all(isinstance(s, str) for s in stop):
        raise type_error("stop", "a string or a list of strings", stop)
    if len(stop) > MAX_STOP_SEQUENCES:
        raise InvalidInputError(f"stop holds {len(stop)} sequences; at most {MAX_STOP_SEQUENCES} are allowed")
