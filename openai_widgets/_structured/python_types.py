"""Python type hints -> JSON schema: the fields of dataclasses and TypedDicts, and function parameters.

`type_schema(hint, defs)` writes the schema of one annotation; classes (dataclasses,
TypedDicts, Pydantic models) go into `defs` once, by name, and are referred to with
`{"$ref": "#/$defs/Name"}`, so nested and recursive classes work. What it takes:

    str, int, float, bool, None        string, integer, number, boolean, null
    datetime, date, time               string with format date-time, date, time
    Literal[...], an Enum              enum of the values
    list[T], tuple[T, ...], set[T]     array of T (tuple[A, B]: prefixItems)
    T | None, Optional[T], Union       anyOf
    Annotated[T, "text"]               T, described by the text
    a dataclass, a TypedDict           an object with its fields (their metadata "description",
                                       the class docstring as its description)
    a Pydantic model                   its own model_json_schema()

A field is optional when it has a default (dataclass) or is not required (TypedDict);
`strict` later makes such fields required and nullable, as strict mode asks. `Any`, bare
`dict` and `dict[str, T]` have no strict form and are refused with a message naming the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import inspect
import types
import typing
from collections import abc
from typing import TYPE_CHECKING, Any, TypeGuard

from .._core.errors import InvalidInputError

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "ARRAYS",
    "KEY_MARKERS",
    "class_schema",
    "is_dataclass_type",
    "is_pydantic_model",
    "is_typeddict",
    "optional_fields",
    "type_schema",
]

_PRIMITIVES: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    dt.datetime: {"type": "string", "format": "date-time"},
    dt.date: {"type": "string", "format": "date"},
    dt.time: {"type": "string", "format": "time"},
}
# TypedDict markers (Python 3.11+) that say whether a key may be left out, not what it holds.
KEY_MARKERS = tuple(
    m for m in (getattr(typing, n, None) for n in ("Required", "NotRequired", "ReadOnly")) if m
)
# What a JSON array is read into (typing.get_origin gives the collections.abc classes).
ARRAYS = (list, set, frozenset, tuple, abc.Sequence, abc.MutableSequence, abc.Set, abc.MutableSet)


def is_pydantic_model(value: Any) -> TypeGuard[type[BaseModel]]:
    """A Pydantic model class, recognised without importing pydantic."""
    return isinstance(value, type) and any(
        base.__name__ == "BaseModel" and base.__module__.startswith("pydantic") for base in value.__mro__
    )


def is_dataclass_type(value: Any) -> bool:
    return isinstance(value, type) and dataclasses.is_dataclass(value)


def is_typeddict(value: Any) -> bool:
    return isinstance(value, type) and typing.is_typeddict(value)


def optional_fields(cls: type) -> set[str]:
    """The fields of a dataclass, TypedDict or Pydantic model that may be left out."""
    if is_dataclass_type(cls):
        return {
            f.name
            for f in dataclasses.fields(cls)
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        }
    if is_typeddict(cls):
        return _typeddict_optional(cls)
    if is_pydantic_model(cls):
        return {name for name, info in cls.model_fields.items() if not info.is_required()}
    return set()


def _typeddict_optional(cls: type) -> set[str]:
    """Keys that may be left out: by `total=False` or `NotRequired[...]`, read from the hints too,
    since string annotations (`from __future__ import annotations`) hide the markers from the class."""
    optional = set(getattr(cls, "__optional_keys__", ()))
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except NameError:
        return optional
    not_required = getattr(typing, "NotRequired", None)
    required = getattr(typing, "Required", None)
    for name, hint in hints.items():
        origin = typing.get_origin(hint)
        if not_required is not None and origin is not_required:
            optional.add(name)
        elif required is not None and origin is required:
            optional.discard(name)
    return optional


def class_schema(cls: type, defs: dict[str, Any], where: str) -> dict[str, Any]:
    """The object schema of a dataclass or TypedDict (nested classes go into `defs`)."""
    hints = _hints(cls, where)
    descriptions = _field_descriptions(cls)
    optional = optional_fields(cls)
    properties = {}
    for name, hint in hints.items():
        field = type_schema(hint, defs, f"{where}.{name}")
        if descriptions.get(name):
            field = {**field, "description": descriptions[name]}
        properties[name] = field
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }
    doc = _class_doc(cls)
    if doc:
        schema["description"] = doc
    return schema


def type_schema(hint: Any, defs: dict[str, Any], where: str) -> dict[str, Any]:
    """The JSON schema of one annotation (see the module docstring); `where` names it in errors."""
    if hint in _PRIMITIVES:
        return dict(_PRIMITIVES[hint])
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin in KEY_MARKERS:
        return type_schema(arguments[0], defs, where)
    if origin is typing.Annotated:
        schema = type_schema(arguments[0], defs, where)
        notes = [note for note in arguments[1:] if isinstance(note, str)]
        return {**schema, "description": notes[0]} if notes else schema
    if origin is typing.Literal:
        return _enum_schema(list(arguments))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_schema([member.value for member in hint])
    if origin in (typing.Union, types.UnionType):
        return _union_schema(arguments, defs, where)
    if hint in ARRAYS or origin in ARRAYS:
        return _array_schema(hint, origin, arguments, defs, where)
    if hint is dict or origin is dict or hint is typing.Dict:  # noqa: UP006
        raise InvalidInputError(
            f"{where} is a dict; structured outputs need named fields: describe it with a dataclass, "
            "a TypedDict or a Pydantic model"
        )
    if is_dataclass_type(hint) or is_typeddict(hint) or is_pydantic_model(hint):
        return _class_ref(hint, defs, where)
    if hint is Any or hint is object or hint is inspect.Parameter.empty:
        raise InvalidInputError(
            f"{where} has no type; annotate it (str, int, float, bool, a list of them, a dataclass...)"
        )
    raise InvalidInputError(
        f"{where} has type {getattr(hint, '__name__', hint)!s}, which has no JSON schema; use str, int, "
        "float, bool, datetime, a Literal, an Enum, a list, a dataclass, a TypedDict or a Pydantic model"
    )


def _enum_schema(values: list[Any]) -> dict[str, Any]:
    kinds = {type(value) for value in values}
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    schema: dict[str, Any] = {"enum": values}
    if len(kinds) == 1 and next(iter(kinds)) in names:
        schema = {"type": names[next(iter(kinds))], "enum": values}
    return schema


def _union_schema(arguments: tuple[Any, ...], defs: dict[str, Any], where: str) -> dict[str, Any]:
    options = [type_schema(argument, defs, where) for argument in arguments]
    if len(options) == 2 and {"type": "null"} in options:
        other = next(option for option in options if option != {"type": "null"})
        if set(other) == {"type"} and isinstance(other["type"], str):
            return {"type": [other["type"], "null"]}
    return {"anyOf": options}


def _array_schema(
    hint: Any, origin: Any, arguments: tuple[Any, ...], defs: dict[str, Any], where: str
) -> dict[str, Any]:
    if not arguments:
        raise InvalidInputError(f"{where} is a list without an item type; write list[str], list[int], ...")
    if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
        items = [type_schema(argument, defs, f"{where}[{n}]") for n, argument in enumerate(arguments)]
        return {
            "type": "array",
            "prefixItems": items,
            "items": False,
            "minItems": len(items),
            "maxItems": len(items),
        }
    return {"type": "array", "items": type_schema(arguments[0], defs, f"{where}[]")}


def _class_ref(cls: type, defs: dict[str, Any], where: str) -> dict[str, Any]:
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # a placeholder first, so a class that refers to itself ends
        if is_pydantic_model(cls):
            defs[name] = pydantic_schema(cls, defs)
        else:
            defs[name] = class_schema(cls, defs, name)
    return {"$ref": f"#/$defs/{name}"}


def pydantic_schema(cls: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    """A Pydantic model's own schema, its `$defs` moved into `defs`."""
    schema = dict(cls.model_json_schema())
    for name, definition in (schema.pop("$defs", None) or {}).items():
        defs.setdefault(name, definition)
    return schema


def _hints(cls: type, where: str) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except NameError as exc:  # an annotation naming a class that cannot be found
        raise InvalidInputError(
            f"{where}: the type hint {exc.name!r} cannot be resolved; import it"
        ) from None


def _field_descriptions(cls: type) -> dict[str, str]:
    if not is_dataclass_type(cls):
        return {}
    return {
        f.name: str(f.metadata["description"]) for f in dataclasses.fields(cls) if "description" in f.metadata
    }


def _class_doc(cls: type) -> str | None:
    doc = inspect.getdoc(cls)
    if not doc or doc.startswith(f"{cls.__name__}("):  # the signature a dataclass writes for itself
        return None
    if is_typeddict(cls) and doc.startswith("dict() -> new empty dictionary"):
        return None
    return doc
