"""JSON values -> Python values of a type hint: instances of dataclasses, Pydantic models, datetimes.

`convert(value, hint)` builds what the annotation promises from what the model answered:
a dataclass from its fields (nested ones too), a TypedDict as a dict, a Pydantic model
through `model_validate`, datetimes from ISO text, Enum members from their values, lists,
tuples and sets of those. A null the strict schema allowed only because a field was
optional is dropped before the class is built, so the field's default applies. A value that
does not fit raises ValueError (the caller says where it came from).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from collections import abc
from typing import TYPE_CHECKING, Any

from .python_types import (
    ARRAYS,
    KEY_MARKERS,
    is_dataclass_type,
    is_pydantic_model,
    is_typeddict,
    optional_fields,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["convert", "parse_time"]


def convert(value: Any, hint: Any) -> Any:
    """`value` (decoded JSON) as the Python value `hint` describes (see the module docstring)."""
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin is typing.Annotated or origin in KEY_MARKERS:
        return convert(value, arguments[0])
    if value is None:
        return None
    if origin in (typing.Union, types.UnionType):
        return _union(value, arguments)
    if hint in (dt.datetime, dt.date, dt.time):
        return parse_time(value, hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint in _PLAIN:
        return _plain(value, hint)
    if origin in ARRAYS or hint in ARRAYS:
        return _sequence(value, origin or hint, arguments)
    if is_pydantic_model(hint):
        return hint.model_validate(_without_dropped_nulls(value, hint))
    if is_dataclass_type(hint):
        return _dataclass(value, hint)
    if is_typeddict(hint):
        return _typeddict(value, hint)
    return value


_PLAIN = (str, int, float, bool)


def _plain(value: Any, hint: type) -> Any:
    """A JSON string, number or boolean checked against its hint (an int is a float too)."""
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    fits = isinstance(value, hint) and (hint is bool or not isinstance(value, bool))
    if not fits:
        raise ValueError(f"expected {hint.__name__}, got {value!r}")
    return value


def parse_time(value: Any, kind: Any) -> Any:
    """ISO 8601 text as a datetime, date or time ("Z" read as UTC)."""
    if not isinstance(value, str):
        raise ValueError(f"expected ISO 8601 text for a {kind.__name__}, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if kind is dt.date:
        return dt.date.fromisoformat(text[:10])
    return kind.fromisoformat(text)


def _union(value: Any, arguments: tuple[Any, ...]) -> Any:
    problems = []
    for argument in arguments:
        if argument is type(None):
            continue
        try:
            converted = convert(value, argument)
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            continue
        if _fits(converted, argument):
            return converted
    if problems:
        raise ValueError(problems[0])
    return value


def _fits(value: Any, hint: Any) -> bool:
    """Whether a converted value is of the plain type `hint` names (unions try their members in turn)."""
    origin = typing.get_origin(hint) or hint
    if origin in (str, int, float, bool):
        if origin is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, origin)
    if isinstance(origin, type) and not typing.get_args(hint) and not is_typeddict(origin):
        return isinstance(value, origin)
    return True


def _sequence(value: Any, kind: Any, arguments: tuple[Any, ...]) -> Any:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    if kind is tuple and arguments and not (len(arguments) == 2 and arguments[1] is Ellipsis):
        return tuple(convert(item, hint) for item, hint in zip(value, arguments, strict=False))
    item_hint = arguments[0] if arguments else Any
    items = [convert(item, item_hint) for item in value]
    if kind in (set, frozenset, tuple):
        return kind(items)
    return set(items) if kind in (abc.Set, abc.MutableSet) else items


def _dataclass(value: Any, cls: type) -> Any:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object for {cls.__name__}, got {type(value).__name__}")
    hints = typing.get_type_hints(cls, include_extras=True)
    droppable = optional_fields(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    kwargs = {}
    for name, item in value.items():
        if name not in fields:
            continue
        if item is None and name in droppable and not _takes_none(hints.get(name)):
            continue
        kwargs[name] = convert(item, hints.get(name, Any))
    return cls(**kwargs)


def _typeddict(value: Any, cls: type) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object for {cls.__name__}, got {type(value).__name__}")
    hints = typing.get_type_hints(cls, include_extras=True)
    droppable = optional_fields(cls)
    made = {}
    for name, item in value.items():
        if item is None and name in droppable and not _takes_none(hints.get(name)):
            continue
        made[name] = convert(item, hints.get(name, Any))
    return made


def _without_dropped_nulls(value: Any, cls: type[BaseModel]) -> Any:
    """A model's data with nulls removed where the field has a default and does not take None."""
    if not isinstance(value, dict):
        return value
    cleaned = {}
    for name, item in value.items():
        info = cls.model_fields.get(name)
        if info is None:
            cleaned[name] = item
            continue
        if item is None and not info.is_required() and not _takes_none(info.annotation):
            continue
        cleaned[name] = _clean_nested(item, info.annotation)
    return cleaned


def _clean_nested(value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        models = [a for a in arguments if is_pydantic_model(a)]
        return _without_dropped_nulls(value, models[0]) if models else value
    if origin in ARRAYS and arguments and isinstance(value, list):
        return [_clean_nested(item, arguments[0]) for item in value]
    if is_pydantic_model(hint):
        return _without_dropped_nulls(value, hint)
    return value


def _takes_none(hint: Any) -> bool:
    if hint is None or hint is type(None) or hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Annotated or origin in KEY_MARKERS:
        return _takes_none(typing.get_args(hint)[0])
    if origin in (typing.Union, types.UnionType):
        return type(None) in typing.get_args(hint)
    return False
