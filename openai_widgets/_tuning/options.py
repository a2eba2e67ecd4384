"""Fine-tuning arguments checked before anything is sent, with messages that say what to change."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from .._core.arguments import number, one_of, positive_number, text, type_error, whole_number
from .._core.errors import InvalidInputError

__all__ = [
    "METHODS",
    "checked_integrations",
    "checked_method",
    "checked_poll_interval",
    "checked_seed",
    "checked_suffix",
    "top_level_hyperparameters",
]

MAX_SUFFIX = 64
METHODS = ("supervised", "dpo", "reinforcement")
# name -> (smallest, largest, whole numbers only); every value may also be "auto".
_HYPERPARAMETERS = {
    "n_epochs": (1, 50, True),
    "batch_size": (1, 256, True),
    "learning_rate_multiplier": (0, None, False),
    "beta": (0, 2, False),  # dpo only
    "compute_multiplier": (0.00001, 10, False),  # reinforcement only, from here on
    "eval_interval": (1, None, True),
    "eval_samples": (1, None, True),
}
# The hyperparameters each method takes (reinforcement also takes reasoning_effort).
_ALLOWED = {
    "supervised": ("n_epochs", "batch_size", "learning_rate_multiplier"),
    "dpo": ("n_epochs", "batch_size", "learning_rate_multiplier", "beta"),
    "reinforcement": (
        "n_epochs",
        "batch_size",
        "learning_rate_multiplier",
        "compute_multiplier",
        "eval_interval",
        "eval_samples",
        "reasoning_effort",
    ),
}
# Those the older top-level `hyperparameters` field has (sent there too, for servers that read it).
TOP_LEVEL = ("n_epochs", "batch_size", "learning_rate_multiplier")
REASONING_EFFORTS = ("default", "low", "medium", "high")
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


def checked_method(method: Any, hyperparameters: Any, grader: Any = None) -> dict[str, Any] | None:
    """The `method` to send: given as a dict or a type name, with `hyperparameters` (and, for
    reinforcement, `grader`, already expanded) placed inside; None for a plain supervised job."""
    if isinstance(method, str) or method is None:
        plain = method in (None, "supervised") and hyperparameters is None and grader is None
        if plain:
            return None
        method = {"type": method or ("reinforcement" if grader is not None else "supervised")}
    elif not isinstance(method, Mapping):
        raise type_error("method", "a dict like {'type': 'supervised'}", method)
    kind = method.get("type")
    if kind not in METHODS:
        raise InvalidInputError(f"method type {kind!r} is not one of {', '.join(METHODS)}")
    settings = dict(method.get(kind) or {})
    if grader is not None:
        if kind != "reinforcement":
            raise InvalidInputError(f"grader is for method='reinforcement', not {kind!r}; leave it out")
        if "grader" in settings:
            raise InvalidInputError("the grader is given twice; pass it either in method or as grader")
        settings["grader"] = grader
    if kind == "reinforcement" and "grader" not in settings:
        raise InvalidInputError(
            "reinforcement fine-tuning needs a grader: fine_tune(..., method='reinforcement', "
            "grader={'type': 'string_check', 'reference': '{answer}', 'operation': 'eq'})"
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


def checked_integrations(integrations: Any) -> list[dict[str, Any]]:
    """Integrations as the API takes them: a list of `{"type": "wandb", "wandb": {"project": ...}}`."""
    if not isinstance(integrations, (list, tuple)):
        expected = "a list of dicts like {'type': 'wandb', 'wandb': {...}}"
        raise type_error("integrations", expected, integrations)
    checked = []
    for position, integration in enumerate(integrations):
        if not isinstance(integration, Mapping) or not isinstance(integration.get("type"), str):
            raise InvalidInputError(
                f"integrations[{position}] must be a dict with a 'type', like "
                "{'type': 'wandb', 'wandb': {'project': 'my-project'}}"
            )
        kind = integration["type"]
        if not isinstance(integration.get(kind), Mapping):
            raise InvalidInputError(f"integrations[{position}] needs its settings under {kind!r}")
        checked.append(dict(integration))
    return checked


def top_level_hyperparameters(method: dict[str, Any] | None) -> dict[str, Any] | None:
    """The hyperparameters the older top-level field also takes (None when there are none)."""
    if not method:
        return None
    given = (method.get(method["type"]) or {}).get("hyperparameters") or {}
    shared = {name: value for name, value in given.items() if name in TOP_LEVEL}
    return shared or None


def _hyperparameters(values: Any, kind: str) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise type_error("hyperparameters", "a dict like {'n_epochs': 3}", values)
    allowed = _ALLOWED[kind]
    checked = {}
    for name, value in values.items():
        if name not in allowed:
            raise InvalidInputError(
                f"hyperparameter {name!r} is not one of {', '.join(allowed)} (for {kind})"
            )
        if name == "reasoning_effort":
            checked[name] = one_of(value, "hyperparameter reasoning_effort", REASONING_EFFORTS)
        else:
            checked[name] = value if value == "auto" else _hyperparameter(name, value)
    return checked


def _hyperparameter(name: str, value: Any) -> int | float:
    low, high, whole = _HYPERPARAMETERS[name]
    label = f"hyperparameter {name}"
    if not whole:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise type_error(label, "a number or 'auto'", value)
        return number(positive_number(value, label), label, minimum=low or None, maximum=high)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 3.0 from a DataFrame or JSON is 3 epochs
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise type_error(label, "a whole number or 'auto'", value)
    return whole_number(value, label, minimum=low, maximum=high)
