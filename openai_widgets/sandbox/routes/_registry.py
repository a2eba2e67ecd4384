"""The route table: `@route("GET", "/models/{model}")` registers a handler.

`auth=False` serves a route without a bearer key (sandbox images, eval reports);
`admin=True` needs an admin key (see `_server.is_admin_key`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Route", "find_route", "route"]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[..., Any]
    auth: bool = True
    admin: bool = False


ROUTES: list[Route] = []


def route(method: str, template: str, *, auth: bool = True, admin: bool = False) -> Callable:
    """Register `handler(request, sandbox)` for `method template` (template relative to /v1)."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template.rstrip("/"))
    pattern = re.compile(f"^{regex}/?$")

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        ROUTES.append(Route(method.upper(), pattern, handler, auth, admin))
        return handler

    return register


def find_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for candidate in ROUTES:
        if candidate.method != method:
            continue
        match = candidate.pattern.match(path)
        if match:
            params = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            return candidate, params
    return None
