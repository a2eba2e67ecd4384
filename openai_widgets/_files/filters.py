"""Attribute filters for vector store search: the API's filter dicts, or a short pandas-like form.

The API's forms pass through, checked:

    {"type": "gte", "key": "year", "value": 2020}                      a comparison
    {"type": "and", "filters": [{...}, {...}]}                         a compound ("and" / "or")

The short form maps each attribute to a condition; several attributes are joined with "and":

    {"lang": "en"}                      lang == "en"                   (eq)
    {"tag": ["a", "b"]}                 tag is one of "a", "b"         (in; a list or a set)
    {"year": (">=", 2020)}              year >= 2020                   (an (operator, value) pair)
    {"year": (">=", 2020), "lang": "en", "tag": ["a", "b"]}            all three (and)

Operators: == != > >= < <= in "not in", or the API's names eq ne gt gte lt lte in nin.
Dates and pandas Timestamps become Unix seconds, as in attributes made from DataFrame
columns, so `{"published": (">=", pd.Timestamp("2024-01-01"))}` compares dates. A compound's
filters may be written in the short form too.

Typed as text (a magic's `--filter`, a panel's filter box), a filter is JSON or a Python
literal. JSON has no tuples, so there a two-item list whose first item is an operator
symbol is the (operator, value) pair: `{"year": [">=", 2020]}`; so is `["in", [...]]` or
`["not in", [...]]`. Any other list is "one of": `{"tag": ["a", "b"]}`.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .store_options import attribute_value

__all__ = ["OPERATORS", "filter_from_text", "search_filter"]

COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin")
COMPOUNDS = ("and", "or")
OPERATORS = {
    "==": "eq",
    "!=": "ne",
    ">": "gt",
    ">=": "gte",
    "<": "lt",
    "<=": "lte",
    "in": "in",
    "not in": "nin",
    **{name: name for name in COMPARISONS},
}
_SHORT_FORM_HELP = 'e.g. {"year": (">=", 2020), "lang": "en", "tag": ["a", "b"]}'
# Operators a JSON pair may start with: symbols no attribute value is likely to be.
_PAIR_SYMBOLS = ("==", "!=", ">", ">=", "<", "<=")
_PAIR_LISTS = ("in", "not in", "nin")


def search_filter(filters: Any, where: str = "filters") -> dict[str, Any] | None:
    """`filters` in the API's form (None stays None), or an error that names the bad part."""
    if filters is None:
        return None
    if not isinstance(filters, Mapping):
        raise InvalidTypeError(f"{where} must be a dict ({_SHORT_FORM_HELP}), not {type(filters).__name__}")
    if not filters:
        raise InvalidInputError(f"{where} is empty; leave it out or give conditions, {_SHORT_FORM_HELP}")
    if _is_api_form(filters):
        return _api_filter(filters, where)
    conditions = [_condition(str(key), value, f"{where}[{key!r}]") for key, value in filters.items()]
    return conditions[0] if len(conditions) == 1 else {"type": "and", "filters": conditions}


def _is_api_form(node: Mapping[str, Any]) -> bool:
    """An API filter has a known `type` and only the keys of its kind; anything else is the short form
    (so an attribute called "type" can still be filtered: {"type": "report"})."""
    kind = node.get("type")
    if kind in COMPOUNDS:
        return set(node) <= {"type", "filters"}
    return kind in COMPARISONS and set(node) <= {"type", "key", "value"}


def _api_filter(node: Mapping[str, Any], where: str) -> dict[str, Any]:
    kind = node["type"]
    if kind in COMPOUNDS:
        children = node.get("filters")
        if not isinstance(children, (list, tuple)) or not children:
            raise InvalidInputError(f"{where} ({kind}) needs 'filters': a non-empty list of filters")
        return {
            "type": kind,
            "filters": [search_filter(child, f"{where}.filters[{i}]") for i, child in enumerate(children)],
        }
    if "key" not in node or "value" not in node:
        raise InvalidInputError(f"{where} ({kind}) needs 'key' and 'value'")
    if not isinstance(node["key"], str) or not node["key"]:
        raise InvalidTypeError(f"{where}'s key must be a non-empty attribute name, not {node['key']!r}")
    return _comparison(kind, node["key"], node["value"], f"{where}.value")


def _condition(key: str, value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, tuple):
        if len(value) != 2 or not isinstance(value[0], str) or value[0].strip().lower() not in OPERATORS:
            raise InvalidInputError(
                f"{where} is {value!r}; give (operator, value) with one of == != > >= < <= in "
                "'not in' as the operator, or a list for 'one of'"
            )
        return _comparison(OPERATORS[value[0].strip().lower()], key, value[1], where)
    if isinstance(value, (list, set, frozenset)):
        return _comparison("in", key, value, where)
    return _comparison("eq", key, value, where)


def _comparison(kind: str, key: str, value: Any, where: str) -> dict[str, Any]:
    if kind in ("in", "nin"):
        if isinstance(value, (set, frozenset)):
            value = sorted(value, key=str)
        if not isinstance(value, (list, tuple)) or not value:
            raise InvalidInputError(f"{where}: '{kind}' needs a non-empty list of values")
        items = [attribute_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if any(isinstance(item, bool) for item in items):
            raise InvalidTypeError(f"{where}: '{kind}' compares text or numbers; for a boolean use eq")
        return {"type": kind, "key": key, "value": items}
    if isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidTypeError(f"{where}: '{kind}' compares one value; use 'in' for a list")
    return {"type": kind, "key": key, "value": attribute_value(value, where)}


def filter_from_text(text: str, where: str = "filters") -> dict[str, Any] | None:
    """A filter typed as JSON or a Python literal, checked, in the API's form; blank text is None.

    In JSON a two-item list that starts with an operator (`[">=", 2020]`, `["in", ["a", "b"]]`)
    stands for the short form's (operator, value) pair (see the module's docstring).
    """
    if not isinstance(text, str):
        raise InvalidTypeError(f"{where} must be text (JSON), not {type(text).__name__}")
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError as json_error:
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise InvalidInputError(
                f"{where} is not valid JSON ({json_error}); write it like "
                '{"year": [">=", 2020], "lang": "en"}'
            ) from None
    return search_filter(_pairs(value), where)


def _pairs(node: Any) -> Any:
    """JSON lists that stand for (operator, value) pairs made tuples, in conditions and compounds."""
    if not isinstance(node, Mapping):
        return node
    kind = node.get("type")
    if kind in COMPOUNDS and isinstance(node.get("filters"), list):
        return {**node, "filters": [_pairs(child) for child in node["filters"]]}
    if _is_api_form(node):
        return node
    return {key: _pair(value) for key, value in node.items()}


def _pair(value: Any) -> Any:
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str):
        return value
    operator = value[0].strip().lower()
    if operator in _PAIR_SYMBOLS or (operator in _PAIR_LISTS and isinstance(value[1], list)):
        return (operator, value[1])
    return value
