"""`text_format`: the shape a model's answer must have, as the API's `response_format`.

Taken as a JSON schema dict, an API `response_format` dict, a Pydantic model class, a
dataclass or a TypedDict. Classes are described by their annotations (str, int, float,
bool, lists, dicts, nested dataclasses, Optional), enough for the flat records evals grade.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError

__all__ = ["response_format"]

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def response_format(text_format: Any) -> dict[str, Any]:
    """The `response_format` for `text_format` (see the module docstring for what it takes)."""
    if isinstance(text_format, Mapping):
        if text_format.get("type") in {"json_schema", "json_object", "text"}:
            return dict(text_format)
        if text_format.get("type") == "object" or "properties" in text_format:
            return _wrapped(str(text_format.get("title") or "answer"), dict(text_format))
        raise InvalidInputError(
            "text_format must be a JSON schema of an object (with 'properties'), or a response_format dict"
        )
    if isinstance(text_format, type):
        if hasattr(text_format, "model_json_schema"):  # a Pydantic model
            return _wrapped(text_format.__name__, text_format.model_json_schema())
        if dataclasses.is_dataclass(text_format) or typing.is_typeddict(text_format):
            return _wrapped(text_format.__name__, _object_schema(text_format))
    raise InvalidTypeError(
        "text_format must be a Pydantic model class, a dataclass, a TypedDict or a JSON schema dict, "
        f"not {type(text_format).__name__}"
    )


def _wrapped(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64] or "answer"
    return {"type": "json_schema", "json_schema": {"name": safe, "schema": schema}}


def _object_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    if dataclasses.is_dataclass(cls):
        names = [field.name for field in dataclasses.fields(cls)]
    else:
        names = list(hints)
    properties = {name: _schema(hints[name], f"{cls.__name__}.{name}") for name in names}
    return {
        "type": "object",
        "properties": properties,
        "required": names,
        "additionalProperties": False,
    }


def _schema(hint: Any, where: str) -> dict[str, Any]:
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [_schema(a, where) for a in arguments if a is not type(None)]
        nullable = type(None) in arguments
        return {"anyOf": options + ([{"type": "null"}] if nullable else [])}
    if origin is typing.Literal:
        return {"enum": list(arguments)}
    if origin in (list, tuple, set, frozenset) or hint in (list, tuple):
        return {"type": "array", "items": _schema(arguments[0], where) if arguments else {}}
    if origin is dict or hint is dict:
        return {"type": "object"}
    if isinstance(hint, type) and (dataclasses.is_dataclass(hint) or typing.is_typeddict(hint)):
        return _object_schema(hint)
    raise InvalidInputError(f"text_format: {where} has the type {hint!r}, which has no JSON schema here")
