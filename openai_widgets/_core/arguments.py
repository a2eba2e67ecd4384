"""Arguments every API area takes, checked one way."""

from __future__ import annotations

from typing import Any

from .constants import DEFAULT_MODELS
from .errors import InvalidInputError, InvalidTypeError

__all__ = ["model_argument"]


def model_argument(model: Any, area: str) -> str:
    """`model` checked, or the default model of `area` (a key of DEFAULT_MODELS) when None."""
    default = DEFAULT_MODELS[area]
    if model is None:
        return default
    if not isinstance(model, str):
        raise InvalidTypeError(
            f"model must be a model ID string such as {default!r}, not {type(model).__name__}"
        )
    if not model.strip():
        raise InvalidInputError(f"model is empty; pass a model ID such as {default!r}")
    return model.strip()
