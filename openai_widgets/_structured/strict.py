"""Any JSON schema of an object -> the strict form OpenAI's structured outputs require.

Strict mode takes a schema only when every object lists all its properties in `required`
and sets `additionalProperties: false`. `strict_schema` makes that so, without changing
what an answer means:

- a property that was not required becomes required and nullable (its type gains "null"),
  so the model may still leave it empty; parsing drops such nulls where the class has a
  default, so the default applies;
- `oneOf` becomes `anyOf` (strict mode has no oneOf), `default` keywords are dropped (strict
  mode refuses them), and a `$ref` with keywords beside it is replaced by what it points to
  merged with them;
- `$defs` / `definitions`, array items, unions and `allOf` are walked the same way.

What strict mode cannot express is refused with a message naming the place: a root that is
not an object, and free-form objects (a dict with no named properties, or
`additionalProperties` other than false).
"""

from __future__ import annotations

import copy
from typing import Any

from .._core.errors import InvalidInputError

__all__ = ["nullable", "strict_schema"]

_NESTED_MAPS = ("properties", "$defs", "definitions")
_NESTED_LISTS = ("anyOf", "allOf", "prefixItems")


def strict_schema(schema: dict[str, Any], name: str = "text_format") -> dict[str, Any]:
    """A copy of `schema` in strict form (see the module docstring); `name` prefixes errors."""
    root = copy.deepcopy(schema)
    if not _is_object(_resolved(root, root)):
        raise InvalidInputError(
            f"{name} must describe an object (with properties); to get a list, pass list[YourClass] "
            "or a class with one list field"
        )
    return _close(root, root, name)


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` that also takes null (unchanged when it already does)."""
    kind = schema.get("type")
    if isinstance(kind, str) and "$ref" not in schema:
        if kind == "null":
            return schema
        made = {**schema, "type": [kind, "null"]}
        if "enum" in schema and None not in schema["enum"]:
            made["enum"] = [*schema["enum"], None]
        return made
    if isinstance(kind, list):
        if "null" in kind:
            return schema
        made = {**schema, "type": [*kind, "null"]}
        if "enum" in schema and None not in schema["enum"]:
            made["enum"] = [*schema["enum"], None]
        return made
    if "anyOf" in schema and "$ref" not in schema:
        if {"type": "null"} in schema["anyOf"]:
            return schema
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    described: dict[str, Any] = {k: schema[k] for k in ("description", "title") if k in schema}
    core = {k: v for k, v in schema.items() if k not in described}
    return {"anyOf": [core, {"type": "null"}], **described}


def _close(node: Any, root: dict[str, Any], where: str) -> Any:
    if not isinstance(node, dict):
        return node
    node.pop("default", None)
    if "$ref" in node and len(node) > 1:
        merged = {**copy.deepcopy(_target(node["$ref"], root)), **node}
        merged.pop("$ref")
        node = merged
        node.pop("default", None)
    if "oneOf" in node:
        node["anyOf"] = node.pop("oneOf")
    for key in _NESTED_MAPS:
        if isinstance(node.get(key), dict):
            node[key] = {
                name: _close(value, root, _join(where, name, key)) for name, value in node[key].items()
            }
    for key in _NESTED_LISTS:
        if isinstance(node.get(key), list):
            node[key] = [_close(value, root, where) for value in node[key]]
    if isinstance(node.get("items"), dict):
        node["items"] = _close(node["items"], root, f"{where}[]")
    if _is_object(node):
        _close_object(node, where)
    return node


def _close_object(node: dict[str, Any], where: str) -> None:
    extra = node.get("additionalProperties")
    properties = node.get("properties")
    if extra not in (None, False) or not isinstance(properties, dict):
        raise InvalidInputError(
            f"{where} is a free-form object (a dict); structured outputs need named fields: describe "
            "it with properties, a dataclass, a TypedDict or a Pydantic model"
        )
    required = set(node.get("required") or [])
    for name, value in list(properties.items()):
        if name not in required and isinstance(value, dict):
            properties[name] = nullable(value)
    node["required"] = list(properties)
    node["additionalProperties"] = False


def _is_object(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in node


def _resolved(node: dict[str, Any], root: dict[str, Any]) -> Any:
    return _target(node["$ref"], root) if "$ref" in node else node


def _target(reference: str, root: dict[str, Any]) -> Any:
    if not reference.startswith("#"):
        raise InvalidInputError(f"the schema refers to {reference!r}; only local references (#/...) work")
    node: Any = root
    for part in [p for p in reference[1:].split("/") if p]:
        try:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        except (KeyError, TypeError):
            raise InvalidInputError(f"the schema's reference {reference!r} points nowhere") from None
    return node


def _join(where: str, name: str, key: str) -> str:
    return name if key != "properties" else f"{where}.{name}"
