"""Time buckets for the usage and costs routes: the query's range, width and page, and the sums.

Buckets start at `start_time` and follow each other `bucket_width` apart up to
`end_time` (exclusive; default now). A page holds `limit` buckets; `next_page` is an
opaque cursor to the next bucket, null on the last page. Empty buckets are listed with
no results, as OpenAI lists them. List parameters may be repeated (`models=a&models=b`),
written with brackets (`models[]=a`) or comma-separated.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, overload

from .._http import ApiError, Request

__all__ = ["Window", "list_arg", "paged_buckets", "window"]

WIDTHS = {"1m": 60, "1h": 3600, "1d": 86400}
LIMITS = {"1m": (60, 1440), "1h": (24, 168), "1d": (7, 31)}  # (default, maximum) buckets per page


@dataclass(frozen=True)
class Window:
    """The buckets one page covers."""

    starts: list[int]
    width: int
    next_start: int | None  # where the next page begins, None on the last page


def list_arg(request: Request, name: str) -> list[str]:
    values = request.query.get(name, []) + request.query.get(f"{name}[]", [])
    return [part for value in values for part in value.split(",") if part]


def window(
    request: Request, *, widths: Iterable[str] = WIDTHS, limits: tuple[int, int] | None = None
) -> Window:
    """The page of buckets the query asks for, or OpenAI's 400 for a bad parameter."""
    start = _integer(request, "start_time", required=True)
    end = _integer(request, "end_time") or math.ceil(time.time())
    if end <= start:
        raise ApiError(400, "Invalid 'end_time': it must be after start_time.", param="end_time")
    width_name = request.arg("bucket_width", "1d")
    if width_name not in widths:
        raise ApiError(
            400, f"Invalid 'bucket_width': expected one of {', '.join(widths)}.", param="bucket_width"
        )
    width = WIDTHS[width_name]
    default, maximum = limits or LIMITS[width_name]
    limit = _integer(request, "limit") or default
    if not 1 <= limit <= maximum:
        raise ApiError(400, f"Invalid 'limit': must be between 1 and {maximum}.", param="limit")
    first = _page_start(request.arg("page"), start, end, width)
    starts = list(range(first, end, width))
    return Window(starts[:limit], width, starts[limit] if len(starts) > limit else None)


def paged_buckets(frame: Window, results: Callable[[int, int], list[dict[str, Any]]]) -> dict[str, Any]:
    """The UsageResponse body: one bucket per start, filled by `results(start, end)`."""
    data = [
        {
            "object": "bucket",
            "start_time": start,
            "end_time": start + frame.width,
            "results": results(start, start + frame.width),
        }
        for start in frame.starts
    ]
    cursor = None if frame.next_start is None else _cursor(frame.next_start)
    return {"object": "page", "data": data, "has_more": cursor is not None, "next_page": cursor}


@overload
def _integer(request: Request, name: str, *, required: Literal[True]) -> int: ...
@overload
def _integer(request: Request, name: str, *, required: bool = False) -> int | None: ...
def _integer(request: Request, name: str, *, required: bool = False) -> int | None:
    value = request.arg(name)
    if value is None:
        if required:
            raise ApiError(
                400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
            )
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"Invalid '{name}': expected an integer, got {value!r}.", param=name) from None


def _cursor(start: int) -> str:
    return "page_" + base64.urlsafe_b64encode(f"bucket:{start}".encode()).decode().rstrip("=")


def _page_start(page: str | None, start: int, end: int, width: int) -> int:
    if not page:
        return start
    try:
        text = base64.urlsafe_b64decode(page.removeprefix("page_") + "==").decode()
        first = int(text.removeprefix("bucket:"))
    except ValueError:
        text, first = "", -1
    if not text.startswith("bucket:") or not start <= first < end or (first - start) % width:
        raise ApiError(
            400, "Invalid 'page': use the next_page of the previous answer to this query.", param="page"
        )
    return first
