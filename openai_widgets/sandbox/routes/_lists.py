"""Cursor pagination as OpenAI does it: `after` (an object ID), `limit`, `has_more`."""

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
    """One page of `items` (already in list order) for the request's `after` and `limit`."""
    try:
        limit = int(request.arg("limit", str(default_limit)))
    except ValueError:
        raise ApiError(400, "Invalid 'limit': expected an integer.", param="limit") from None
    if not 1 <= limit <= max_limit:
        raise ApiError(400, f"Invalid 'limit': must be between 1 and {max_limit}.", param="limit")
    after = request.arg("after")
    start = 0
    if after:
        ids = [item["id"] for item in items]
        if after not in ids:
            raise ApiError(400, f"Invalid 'after': no object with ID {after!r} in this list.", param="after")
        start = ids.index(after) + 1
    chunk = items[start : start + limit]
    body: dict[str, Any] = {"object": "list", "data": chunk, "has_more": start + limit < len(items)}
    if first_last:
        body["first_id"] = chunk[0]["id"] if chunk else ""
        body["last_id"] = chunk[-1]["id"] if chunk else ""
    return body


def ordered(request: Request, items: list[dict[str, Any]], default: str = "asc") -> list[dict[str, Any]]:
    """`items` (oldest first) in the request's `order`: "asc" or "desc"."""
    order = request.arg("order", default)
    if order not in {"asc", "desc"}:
        raise ApiError(400, "Invalid 'order': expected 'asc' or 'desc'.", param="order")
    return items if order == "asc" else items[::-1]
