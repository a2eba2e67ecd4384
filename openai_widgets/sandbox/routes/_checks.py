"""Request checks the routes share, answering with OpenAI's own error wording."""

from __future__ import annotations

import re
from typing import Any

from .._http import ApiError

__all__ = [
    "check_metadata",
    "check_range",
    "is_chat_model",
    "is_completion_model",
    "is_moderation_model",
    "type_name",
]

_NOT_CHAT = (
    "instruct",
    "davinci",
    "babbage",
    "embedding",
    "dall-e",
    "image",
    "whisper",
    "tts",
    "transcribe",
    "moderation",
)


def is_chat_model(model_id: str) -> bool:
    text = model_id.lower()
    base = text.split(":")[1] if text.startswith("ft:") and ":" in text[3:] else text
    chatty = "gpt" in base or "chat" in base or re.match(r"o\d", base) is not None
    return chatty and not any(word in base for word in _NOT_CHAT)


def is_completion_model(model_id: str) -> bool:
    text = model_id.lower()
    return any(word in text for word in ("instruct", "davinci", "babbage"))


def is_moderation_model(model_id: str) -> bool:
    return "moderation" in model_id.lower()


def type_name(value: Any) -> str:
    """JSON's name for a value's type, as OpenAI's errors say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def check_range(
    body: dict[str, Any], name: str, low: float, high: float, *, integer: bool = False, where: str = ""
) -> None:
    """A numeric field, if present and not null, must be a number within [low, high].

    `where` is the path of `body` in the request (`tools[0]`), for the error's param.
    """
    value = body.get(name)
    if value is None:
        return
    name = f"{where}.{name}" if where else name
    wanted = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
        raise ApiError(
            400,
            f"Invalid type for '{name}': expected {wanted}, but got {type_name(value)} instead.",
            param=name,
            code="invalid_type",
        )
    kind = "integer" if integer else "decimal"
    if value > high:
        raise ApiError(
            400,
            f"Invalid '{name}': {kind} above maximum value. Expected a value <= {high:g}, "
            f"but got {value:g} instead.",
            param=name,
            code="integer_above_max_value" if integer else "decimal_above_max_value",
        )
    if value < low:
        raise ApiError(
            400,
            f"Invalid '{name}': {kind} below minimum value. Expected a value >= {low:g}, "
            f"but got {value:g} instead.",
            param=name,
            code="integer_below_min_value" if integer else "decimal_below_min_value",
        )


def check_metadata(value: Any, param: str = "metadata") -> dict[str, str] | None:
    """OpenAI's metadata: up to 16 string pairs, keys up to 64 characters, values up to 512."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ApiError(
            400,
            f"Invalid type for '{param}': expected an object, but got {type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if len(value) > 16:
        raise ApiError(
            400,
            f"Invalid '{param}': too many properties. Expected an object with at most 16 properties, "
            f"but got an object with {len(value)} properties instead.",
            param=param,
            code="object_above_max_properties",
        )
    for key, item in value.items():
        if len(key) > 64:
            raise ApiError(
                400,
                f"Invalid '{param}': key {key[:20]!r}... is longer than 64 characters.",
                param=param,
                code="invalid_value",
            )
        if not isinstance(item, str):
            raise ApiError(
                400,
                f"Invalid type for '{param}.{key}': expected a string, but got {type_name(item)} instead.",
                param=f"{param}.{key}",
                code="invalid_type",
            )
        if len(item) > 512:
            raise ApiError(
                400,
                f"Invalid '{param}.{key}': string too long. Expected a string with maximum length 512, "
                f"but got a string with length {len(item)} instead.",
                param=f"{param}.{key}",
                code="string_above_max_length",
            )
    return dict(value)
