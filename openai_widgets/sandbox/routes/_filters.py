"""Attribute filters for vector store search: the spec's ComparisonFilter and CompoundFilter.

    {"type": "eq", "key": "lang", "value": "en"}
    {"type": "and", "filters": [{"type": "gte", "key": "year", "value": 2020}, {"type": "or", ...}]}

Comparisons: `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in`, `nin`. Order comparisons need both
sides to be numbers, or both strings (compared as text, so ISO dates work). A file that
lacks the key matches only `ne` and `nin`. A boolean never equals a number (`true` is not `1`).
"""

from __future__ import annotations

from typing import Any

from .._http import ApiError
from ._checks import type_name
from ._store_checks import check_keys, expect_object

__all__ = ["check_filter", "matches"]

COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin")
COMPOUNDS = ("and", "or")
MAX_DEPTH = 10


def check_filter(value: Any, param: str = "filters", depth: int = 0) -> dict[str, Any]:
    """The filter, or a 400 naming the first field to fix."""
    node = expect_object(value, param)
    kind = node.get("type")
    if kind in COMPOUNDS:
        check_keys(node, {"type", "filters"}, param)
        children = node.get("filters")
        if not isinstance(children, list) or not children:
            raise ApiError(
                400,
                f"Invalid '{param}.filters': expected a non-empty array of filters, "
                f"but got {type_name(children)}.",
                param=f"{param}.filters",
                code="invalid_value",
            )
        if depth >= MAX_DEPTH:
            raise ApiError(400, f"Invalid '{param}': filters nest at most {MAX_DEPTH} deep.", param=param)
        for index, child in enumerate(children):
            check_filter(child, f"{param}.filters[{index}]", depth + 1)
        return node
    if kind not in COMPARISONS:
        allowed = ", ".join(f"'{k}'" for k in COMPARISONS + COMPOUNDS)
        raise ApiError(
            400,
            f"Invalid value for '{param}.type': expected one of {allowed}, but got {kind!r} instead.",
            param=f"{param}.type",
            code="invalid_value",
        )
    check_keys(node, {"type", "key", "value"}, param)
    if not isinstance(node.get("key"), str) or not node["key"]:
        raise ApiError(
            400,
            f"Missing required parameter: '{param}.key' (a string).",
            param=f"{param}.key",
            code="missing",
        )
    _check_operand(node.get("value", None), kind, f"{param}.value")
    return node


def _check_operand(value: Any, kind: str, param: str) -> None:
    if kind in ("in", "nin"):
        ok = isinstance(value, list) and all(
            _is_scalar(item) and not isinstance(item, bool) for item in value
        )
        wanted = "an array of strings or numbers"
    else:
        ok = _is_scalar(value)
        wanted = "a string, number or boolean"
    if not ok:
        raise ApiError(
            400,
            f"Invalid type for '{param}': '{kind}' expects {wanted}, but got {type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, bool, int, float))


def matches(node: dict[str, Any] | None, attributes: dict[str, Any] | None) -> bool:
    """Whether a file with these attributes passes the (already checked) filter."""
    if node is None:
        return True
    kind = node["type"]
    if kind == "and":
        return all(matches(child, attributes) for child in node["filters"])
    if kind == "or":
        return any(matches(child, attributes) for child in node["filters"])
    attributes = attributes or {}
    if node["key"] not in attributes:
        return kind in ("ne", "nin")
    have, want = attributes[node["key"]], node["value"]
    if kind in ("in", "nin"):
        found = any(_same(have, item) for item in want)
        return found if kind == "in" else not found
    if kind in ("eq", "ne"):
        return _same(have, want) == (kind == "eq")
    if not _comparable(have, want):
        return False
    return {"gt": have > want, "gte": have >= want, "lt": have < want, "lte": have <= want}[kind]


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _comparable(a: Any, b: Any) -> bool:
    numbers = (int, float)
    both_numbers = (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    )
    return both_numbers or (isinstance(a, str) and isinstance(b, str))
