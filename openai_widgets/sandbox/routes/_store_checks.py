"""Request checks the vector store and upload routes share: unknown keys, metadata, attributes.

Each check answers OpenAI's 400 with `param` set to the full path of the bad field
(`files[2].attributes`), so a client can say exactly what to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._http import ApiError
from ._checks import type_name

__all__ = [
    "check_attributes",
    "check_expires_after",
    "check_keys",
    "check_metadata",
    "check_string_list",
    "expect_object",
]

MAX_PAIRS = 16
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 512


def expect_object(value: Any, param: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(
            400,
            f"Invalid type for '{param}': expected an object, but got {type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    return value


def check_keys(body: dict[str, Any], allowed: Iterable[str], prefix: str = "") -> None:
    """OpenAI refuses fields it does not know; so does the sandbox, naming the first one."""
    known = set(allowed)
    for key in body:
        if key not in known:
            name = f"{prefix}.{key}" if prefix else key
            raise ApiError(400, f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")


def check_metadata(value: Any, param: str = "metadata") -> dict[str, str] | None:
    """Up to 16 pairs; keys of at most 64 characters, string values of at most 512."""
    if value is None:
        return None
    pairs = _pairs(value, param)
    for key, item in pairs.items():
        if not isinstance(item, str):
            raise ApiError(
                400,
                f"Invalid type for '{param}.{key}': expected a string, but got {type_name(item)} instead.",
                param=f"{param}.{key}",
                code="invalid_type",
            )
        _check_value_length(item, f"{param}.{key}")
    return dict(pairs)


def check_attributes(value: Any, param: str = "attributes") -> dict[str, Any] | None:
    """Like metadata, but values may also be numbers or booleans."""
    if value is None:
        return None
    pairs = _pairs(value, param)
    for key, item in pairs.items():
        if isinstance(item, str):
            _check_value_length(item, f"{param}.{key}")
        elif not isinstance(item, (bool, int, float)):
            raise ApiError(
                400,
                f"Invalid type for '{param}.{key}': expected a string, number or boolean, "
                f"but got {type_name(item)} instead.",
                param=f"{param}.{key}",
                code="invalid_type",
            )
    return dict(pairs)


def _pairs(value: Any, param: str) -> dict[str, Any]:
    pairs = expect_object(value, param)
    if len(pairs) > MAX_PAIRS:
        raise ApiError(
            400,
            f"Invalid '{param}': too many properties. Expected an object with at most {MAX_PAIRS} "
            f"properties, but got an object with {len(pairs)} properties instead.",
            param=param,
            code="object_above_max_properties",
        )
    for key in pairs:
        if len(key) > MAX_KEY_CHARS:
            raise ApiError(
                400,
                f"Invalid '{param}': the key '{key[:20]}...' has {len(key)} characters; "
                f"keys have at most {MAX_KEY_CHARS}.",
                param=param,
                code="string_above_max_length",
            )
    return pairs


def _check_value_length(item: str, param: str) -> None:
    if len(item) > MAX_VALUE_CHARS:
        raise ApiError(
            400,
            f"Invalid '{param}': string too long. Expected a string with maximum length "
            f"{MAX_VALUE_CHARS}, but got a string with length {len(item)} instead.",
            param=param,
            code="string_above_max_length",
        )


def check_expires_after(value: Any, *, anchor: str, field: str, low: int, high: int) -> dict | None:
    """An expiration policy `{anchor, <field>}`, with the count of `field` within [low, high]."""
    if value is None:
        return None
    policy = expect_object(value, "expires_after")
    check_keys(policy, {"anchor", field}, "expires_after")
    if policy.get("anchor") != anchor:
        raise ApiError(
            400,
            f"Invalid value for 'expires_after.anchor': expected '{anchor}', "
            f"but got {policy.get('anchor')!r} instead.",
            param="expires_after.anchor",
            code="invalid_value",
        )
    count = policy.get(field)
    if isinstance(count, bool) or not isinstance(count, int) or not low <= count <= high:
        raise ApiError(
            400,
            f"Invalid 'expires_after.{field}': expected an integer from {low} to {high}, but got {count!r}.",
            param=f"expires_after.{field}",
            code="invalid_value",
        )
    return {"anchor": anchor, field: count}


def check_string_list(value: Any, param: str, *, low: int, high: int) -> list[str]:
    """A list of `low` to `high` non-empty strings (file IDs, part IDs)."""
    if not isinstance(value, list):
        raise ApiError(
            400,
            f"Invalid type for '{param}': expected an array of strings, but got {type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if not low <= len(value) <= high:
        raise ApiError(
            400,
            f"Invalid '{param}': expected from {low} to {high} items, but got {len(value)}.",
            param=param,
            code="invalid_value",
        )
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise ApiError(
                400,
                f"Invalid '{param}[{index}]': expected a non-empty string, but got {type_name(item)}.",
                param=f"{param}[{index}]",
                code="invalid_type",
            )
    return list(value)
