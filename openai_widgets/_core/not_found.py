"""What to do after a 404: the hint that fits the call, in one table.

A 404 means one of two things. Either the server does not serve the endpoint at all (an
OpenAI-compatible server without `/files`, a base URL missing its `/v1`): OpenAI then says
"Invalid URL", other servers answer without OpenAI's error object (plain "Not Found", an
HTML page, `{"detail": "Not Found"}`); the hint names the endpoint and the base URL. Or the
thing asked for does not exist: the hint names the function that lists those things, found
from the error's `code` and `param`, its message, or else the request's path.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

__all__ = ["HINTS", "NotFoundHint", "not_found_hint"]


@dataclass(frozen=True)
class NotFoundHint:
    """One kind of thing that can be missing: how to recognise it, and what lists those things."""

    hint: str
    paths: str = r"(?!)"  # the request path, relative to the base URL
    params: str = r"(?!)"  # the error's `param`
    messages: str = r"(?!)"  # the error's message
    codes: tuple[str, ...] = ()


# The body's clues (code, param, message) are tried on every entry first, then the path:
# a batch created from a missing input file is a missing file, not a missing batch.
HINTS: tuple[NotFoundHint, ...] = (
    NotFoundHint(
        "%openai models (or ow.models()) lists the models this key can use.",
        paths=r"^models/.",
        params=r"^model$",
        codes=("model_not_found",),
    ),
    NotFoundHint(
        "ow.files() lists the files and their IDs.",
        paths=r"^files/[^/]+",
        params=r"file(_id|_ids)?$|_file$",
        messages=r"\bNo such File object\b",
    ),
    NotFoundHint(
        "ow.fine_tuning_jobs() lists the fine-tuning jobs and their IDs.",
        paths=r"^fine_tuning/jobs/[^/]+",
        params=r"fine_tuning_job",
    ),
    NotFoundHint(
        "ow.batches() lists the batches and their IDs.", paths=r"^batches/[^/]+", params=r"^batch_id$"
    ),
    NotFoundHint(
        "ow.vector_stores() lists the vector stores and their IDs.",
        paths=r"^vector_stores/[^/]+",
        params=r"vector_store_id",
    ),
)

_INVALID_URL = re.compile(r"^Invalid URL\b", re.IGNORECASE)
_FALLBACK = "Check the ID in the request."


def not_found_hint(method: str, url: str, base_url: str | None, body: Any, message: str) -> str:
    """The sentence that follows a 404's message: what to check, or what lists the things."""
    path = _relative_path(url, base_url)
    info = body.get("error") if isinstance(body, dict) else None
    if not isinstance(info, dict) or _INVALID_URL.match(message):
        where = f"the server at {base_url}" if base_url else "the server"
        return (
            f"{where[0].upper()}{where[1:]} does not serve {method} /{path}: check the base URL "
            "(ow.connect(base_url=...)), or use a server that offers this endpoint."
        )
    code, param = str(info.get("code") or ""), str(info.get("param") or "")
    for entry in HINTS:
        if code in entry.codes or re.search(entry.params, param) or re.search(entry.messages, message):
            return entry.hint
    for entry in HINTS:
        if re.search(entry.paths, path):
            return entry.hint
    return _FALLBACK


def _relative_path(url: str, base_url: str | None) -> str:
    """`url`'s path after the base URL's (no query), without the leading slash."""
    path = urllib.parse.urlsplit(url).path
    base_path = urllib.parse.urlsplit(base_url).path.rstrip("/") if base_url else ""
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    return path.lstrip("/")
