"""Fine-tuning arguments checked before anything is sent, with messages that say what to change."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from .._core.arguments import number, positive_number, text, type_error, whole_number
from .._core.errors import InvalidInputError

__all__ = ["checked_method", "checked_poll_interval", "checked_seed", "checked_suffix"]

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
    text(suffix, "suffix", hint="give 1 to 64 characters, or leave it out", blank=True)
    if not suffix:
        raise InvalidInputError("suffix is empty; give 1 to 64 characters, or leave it out")
    if len(suffix) > MAX_SUFFIX:
        raise InvalidInputError(
            f"suffix has {len(suffix)} characters; it may have at most {MAX_SUFFIX}, shorten it"
        )
    return suffix


def checked_seed(seed: Any) -> int:
    return whole_number(seed, "seed", minimum=0, maximum=_SEED_MAX)


def checked_poll_interval(seconds: Any) -> float:
    return positive_number(seconds, "poll_interval", unit="seconds")


def checked_method(method: Any, hyperparameters: Any) -> dict[str, Any] | None:
    """The `method` to send: given as a dict or a type name, with `hyperparameters` placed inside."""
    if isinstance(method, str):
        method = {"type": method}
    if method is None:
        if hyperparameters is None:
            return None
        method = {"type": "supervised"}
    elif not isinstance(method, Mapping):
        raise type_error("method", "a dict like {'type': 'supervised'}", method)
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
        raise type_error("hyperparameters", "a dict like {'n_epochs': 3}", values)
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
    label = f"hyperparameter {name}"
    if not whole:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise type_error(label, "a number or 'auto'", value)
        return number(positive_number(value, label), label, maximum=high)  # above `low`, which is 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 3.0 from a DataFrame or JSON is 3 epochs
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise type_error(label, "a whole number or 'auto'", value)
    return whole_number(value, label, minimum=low, maximum=high)
