"""The admin routes: the paths below the base URL that take the admin key, not the API key.

OpenAI's organization routes (`organization/...`: usage, costs, projects, ...) and the
permissions of fine-tuned checkpoints. `_auth` sends each key to its own routes by this
rule; `_errors` uses it to say which key a refusal is about.
"""

from __future__ import annotations

import re

__all__ = ["is_admin_path"]

_ADMIN_ROUTES = (
    re.compile(r"^organization(/|$)", re.IGNORECASE),
    re.compile(r"^fine_tuning/checkpoints/[^/]+/permissions(/|$)", re.IGNORECASE),
)


def is_admin_path(relative: str) -> bool:
    """Whether a path below the base URL (`organization/usage/completions`) is an admin route."""
    path = relative.lstrip("/")
    return any(route.match(path) for route in _ADMIN_ROUTES)
