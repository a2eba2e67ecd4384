"""Fine-tuning arguments checked before anything is sent, with messages that say what to change."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError

__all__ = ["checked_interval", "checked_method", "checked_seed", "checked_suffix"]

MAX_SUFFIX = 64
METHODS = ("supervised", "dpo", "reinforcement")
# name -> (smallest, largest, whole numbers only); every value may also be "auto".
_HYPERPARAMETERS = {
    "n_epochs": (1, 50, True),
    "batch_size": (1, 256, True),
    "learning_rate_multiplier": (0, None, False),
    "beta": (0, 2, False),  # dpo only
}
_SEED_MAX = 2_147_483_647


def checked_suffix(suffix: Any) -> str:
    if not isinstance(suffix, str):
        raise InvalidTypeError(f"suffix must be a text, not {type(suffix).__name__}")
    if not suffix:
        raise InvalidInputError("suffix is empty; give 1 to 64 characters, or leave it out")
    if len(suffix) > MAX_SUFFIX:
        raise InvalidInputError(
            f"suffix has {len(suffix)} characters; it may have at most {MAX_SUFFIX}, shorten it"
        )
    return suffix


def checked_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidTypeError(f"seed must be a whole number, not {type(seed).__name__}")
    if not 0 <= seed <= _SEED_MAX:
        raise InvalidInputError(f"seed must be from 0 to {_SEED_MAX}, got {seed}")
    return seed


def checked_interval(interval: Any) -> float:
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
        raise InvalidInputError(f"interval must be a number of seconds above 0, got {interval!r}")
    return float(interval)


def checked_method(method: Any, hyperparameters: Any) -> dict[str, Any] | None:
    """The `method` to send: given as a dict or a type name, with `hyperparameters` placed inside."""
    if isinstance(method, str):
        method = {"type": method}
    if method is None:
        if hyperparameters is None:
            return None
        method = {"type": "supervised"}
    elif not isinstance(method, Mapping):
        raise InvalidTypeError(
            f"method must be a dict like {{'type': 'supervised'}}, not {type(method).__name__}"
        )
    kind = method.get("type")
    if kind not in METHODS:
        raise InvalidInputError(f"method type {kind!r} is not one of {', '.join(METHODS)}")
    settings = dict(method.get(kind) or {})
    if kind == "reinforcement" and "grader" not in settings:
        raise InvalidInputError(
            "reinforcement fine-tuning needs a grader: method={'type': 'reinforcement', "
            "'reinforcement': {'grader': {...}}}"
        )
    if hyperparameters is not None:
        if "hyperparameters" in settings:
            raise InvalidInputError(
                "hyperparameters are given twice; pass them either in method or as hyperparameters"
            )
        settings["hyperparameters"] = hyperparameters
    if "hyperparameters" in settings:
        settings["hyperparameters"] = _hyperparameters(settings["hyperparameters"], kind)
    return {**{k: v for k, v in method.items() if k != kind}, "type": kind, kind: settings}


def _hyperparameters(values: Any, kind: str) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise InvalidTypeError(
            f"hyperparameters must be a dict like {{'n_epochs': 3}}, not {type(values).__name__}"
        )
    allowed = [name for name in _HYPERPARAMETERS if name != "beta" or kind == "dpo"]
    checked = {}
    for name, value in values.items():
        if name not in allowed:
            raise InvalidInputError(
                f"hyperparameter {name!r} is not one of {', '.join(allowed)} (for {kind})"
            )
        checked[name] = value if value == "auto" else _hyperparameter(name, value)
    return checked


def _hyperparameter(name: str, value: Any) -> int | float:
    low, high, whole = _HYPERPARAMETERS[name]
    numeric = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not numeric or (whole and not float(value).is_integer()):
        kind = "a whole number" if whole else "a number"
        raise InvalidInputError(f"hyperparameter {name} must be {kind} or 'auto', not {value!r}")
    value = int(value) if whole else float(value)
    too_low = value < low if whole else value <= low
    if too_low or (high is not None and value > high):
        limits = (
            f"from {low} to {high}" if whole else f"above {low}" + (f" and at most {high}" if high else "")
        )
        raise InvalidInputError(f"hyperparameter {name} must be {limits}, got {value}")
    return value
