"""`text_format` / `response_format` -> `OutputFormat`: what to send, and how to read the answer back.

What a caller may pass:

    a Pydantic model class        its model_json_schema(), made strict; parsed into an instance
    a dataclass, a TypedDict      a schema written from its type hints, strict; an instance / a dict
    list[X] of one of those       an object with one array field "items"; parsed into a list of X
    a JSON schema (dict)          made strict; parsed into a dict
    the API's own format dict     {"type": "json_schema", ...} (either API's shape) sent as given
    "json"                        JSON mode (json_object); parsed into whatever the JSON holds

The schema's name is the class name (or the schema's "title"), cut to what the API allows.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass
from typing import Any

from .._core.arguments import type_error
from .._core.errors import APIResponseValidationError, InvalidInputError
from .python_types import class_schema, is_dataclass_type, is_pydantic_model, is_typeddict, pydantic_schema
from .strict import strict_schema
from .values import convert

__all__ = ["OutputFormat", "output_format"]

_NAME = re.compile(r"[^A-Za-z0-9_-]")
WRAPPED_FIELD = "items"  # the one field of the object a list[X] format is sent as


@dataclass(frozen=True)
class OutputFormat:
    """A structured output format: the schema sent and the Python type its answers become."""

    kind: str  # "json_schema" or "json_object"
    name: str = "response"
    schema: dict[str, Any] | None = None
    strict: bool | None = True
    target: Any = None  # the class (or list[class]) answers are parsed into; None: plain JSON
    wrapped: bool = False  # list[X]: the answer is {"items": [...]}

    def responses_format(self) -> dict[str, Any]:
        """The Responses API's `text.format`."""
        if self.kind == "json_object":
            return {"type": "json_object"}
        made: dict[str, Any] = {"type": "json_schema", "name": self.name, "schema": self.schema}
        if self.strict is not None:
            made["strict"] = self.strict
        return made

    def chat_format(self) -> dict[str, Any]:
        """Chat completions' `response_format`."""
        if self.kind == "json_object":
            return {"type": "json_object"}
        inner: dict[str, Any] = {"name": self.name, "schema": self.schema}
        if self.strict is not None:
            inner["strict"] = self.strict
        return {"type": "json_schema", "json_schema": inner}

    def parse(self, text: str) -> Any:
        """The answer as the target type (a dict or list when there is no class)."""
        try:
            value = json.loads(text)
        except ValueError:
            raise APIResponseValidationError(f"the reply is not valid JSON: {text[:120]!r}") from None
        if self.wrapped and isinstance(value, dict):
            value = value.get(WRAPPED_FIELD)
        if self.target is None:
            return value
        try:
            return convert(value, self.target)
        except (ValueError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise APIResponseValidationError(
                f"the reply does not fit {self.name}: {first} (reply: {text[:120]!r})"
            ) from None

    def record_fields(self, key: str | None = None) -> dict[str, dict[str, Any]]:
        """The fields of one record, `$ref`s resolved: of the root object, or of the items of its
        list field `key` (a list[X] format: of X)."""
        if self.schema is None:
            return {}
        node = self._resolve(self.schema)
        key = WRAPPED_FIELD if self.wrapped else key
        if key is not None:
            field = self._resolve(node.get("properties", {}).get(key, {}))
            node = self._resolve(field.get("items", {})) if isinstance(field, dict) else {}
        properties = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(properties, dict):
            return {}
        return {name: self._resolve(value) for name, value in properties.items()}

    def _resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 16:
            path = [p for p in node["$ref"].lstrip("#").split("/") if p]
            target: Any = self.schema
            for part in path:
                target = target.get(part, {}) if isinstance(target, dict) else {}
            node, seen = target, seen + 1
        return node


def output_format(value: Any, name: str = "text_format") -> OutputFormat | None:
    """`value` read as a structured output format (see the module docstring); None for plain text."""
    if value is None or value == "text":
        return None
    if value in ("json", "json_object"):
        return OutputFormat("json_object", schema=None, strict=None)
    if isinstance(value, dict):
        return _from_dict(value, name)
    if typing.get_origin(value) is list:
        (item,) = typing.get_args(value) or (None,)
        inner = _class_format(item, name) if item is not None else None
        if inner is None:
            raise InvalidInputError(
                f"{name} list[...] needs a class inside: list[YourDataclass], list[Model]"
            )
        array = {"type": "array", "items": _root_without_defs(inner.schema)}
        schema = {
            "type": "object",
            "properties": {WRAPPED_FIELD: array},
            "required": [WRAPPED_FIELD],
            "additionalProperties": False,
        }
        if inner.schema and "$defs" in inner.schema:
            schema["$defs"] = inner.schema["$defs"]
        return OutputFormat("json_schema", _schema_name(f"{inner.name}_list"), schema, True, value, True)
    made = _class_format(value, name)
    if made is not None:
        return made
    raise type_error(
        name,
        "a Pydantic model class, a dataclass, a TypedDict, list[...] of one, a JSON schema dict or 'json'",
        value,
    )


def _class_format(value: Any, name: str) -> OutputFormat | None:
    if is_pydantic_model(value):
        defs: dict[str, Any] = {}
        schema = pydantic_schema(value, defs)
    elif is_dataclass_type(value) or is_typeddict(value):
        defs = {}
        schema = class_schema(value, defs, value.__name__)
    else:
        return None
    if defs:
        schema = {**schema, "$defs": {**defs, **schema.get("$defs", {})}}
    return OutputFormat("json_schema", _schema_name(value.__name__), strict_schema(schema, name), True, value)


def _from_dict(value: dict[str, Any], name: str) -> OutputFormat:
    kind = value.get("type")
    if kind == "json_object":
        return OutputFormat("json_object", schema=None, strict=None)
    if kind == "json_schema":  # the API's own form: sent as given
        inner = value.get("json_schema")
        if not isinstance(inner, dict):
            inner = value
        schema = inner.get("schema")
        if not isinstance(schema, dict):
            raise InvalidInputError(f"{name} of type json_schema needs a 'schema' dict")
        return OutputFormat(
            "json_schema", _schema_name(inner.get("name") or "response"), schema, inner.get("strict")
        )
    if kind == "object" or "properties" in value:
        title = value.get("title") or "response"
        return OutputFormat("json_schema", _schema_name(str(title)), strict_schema(value, name), True)
    raise InvalidInputError(
        f"{name} must describe an object: a JSON schema with 'properties', the API's format dict "
        "({'type': 'json_schema', ...}), a class, or 'json'"
    )


def _root_without_defs(schema: dict[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (schema or {}).items() if key != "$defs"}


def _schema_name(text: str) -> str:
    return _NAME.sub("_", text)[:64] or "response"
