"""Cursor pagination as OpenAI does it: `order`, `after` / `before` (object IDs), `limit`, `has_more`."""

from __future__ import annotations

from typing import Any

from .._http import ApiError, Request

__all__ = ["ordered", "page"]


def page(
    request: Request,
    items: list[dict[str, Any]],
    *,
    default_limit: int = 20,
    max_limit: int = 100,
    first_last: bool = False,
) -> dict[str, Any]:
    """One page of `items` (already in list order) for the request's `after`, `before` and `limit`.

    `after` pages forward from an ID; `before` gives the `limit` items just before an ID.
    """
    try:
        limit = int(request.arg("limit", str(default_limit)))
    except ValueError:
        raise ApiError(400, "Invalid 'limit': expected an integer.", param="limit") from None
    if not 1 <= limit <= max_limit:
        raise ApiError(400, f"Invalid 'limit': must be between 1 and {max_limit}.", param="limit")
    start = _position(request, items, "after", 1, 0)
    end = _position(request, items, "before", 0, len(items))
    window = items[start:end]
    if request.arg("before") and not request.arg("after"):
        chunk = window[-limit:]
    else:
        chunk = window[:limit]
    body: dict[str, Any] = {"object": "list", "data": chunk, "has_more": len(window) > limit}
    if first_last:
        body["first_id"] = chunk[0]["id"] if chunk else ""
        body["last_id"] = chunk[-1]["id"] if chunk else ""
    return body


def _position(request: Request, items: list[dict[str, Any]], name: str, shift: int, default: int) -> int:
    cursor = request.arg(name)
    if not cursor:
        return default
    ids = [item["id"] for item in items]
    if cursor not in ids:
        raise ApiError(400, f"Invalid '{name}': no object with ID {cursor!r} in this list.", param=name)
    return ids.index(cursor) + shift


def ordered(
    request: Request, items: list[dict[str, Any]], *, default: str = "desc", by: str | None = None
) -> list[dict[str, Any]]:
    """`items` (oldest first) in the request's `order`: `asc`, or `desc` (newest first).

    `by` names a field to sort on first (e.g. `created_at`); insertion order breaks its ties.
    """
    order = request.arg("order", default)
    if order not in ("asc", "desc"):
        raise ApiError(
            400,
            f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.",
            param="order",
            code="invalid_value",
        )
    ranked = list(items)
    if by is not None:
        ranked = [item for _, item in sorted(enumerate(items), key=lambda pair: (pair[1][by], pair[0]))]
    return ranked if order == "asc" else ranked[::-1]
