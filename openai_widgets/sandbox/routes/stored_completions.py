"""Stored chat completions: what POST /chat/completions keeps when the request says `store: true`.

GET /chat/completions lists them (filters `model` and `metadata[key]=value`, `order`,
`after`, `limit`); one can be read, its input messages listed, its metadata replaced
(POST) and it can be deleted. Only completions created with `store: true` are here, as
with OpenAI. Eval runs read them through the `stored_completions` data source.

The messages list holds the request's messages with their own roles (user, system, ...)
and IDs `<completion id>-<index>`, as OpenAI answers (and the spec's example shows),
although the spec's schema for that list only allows the role "assistant".
"""

from __future__ import annotations

import copy
from typing import Any

from .._http import ApiError, JSONResponse, Request
from ._checks import check_metadata
from ._lists import ordered, page
from ._registry import route

__all__ = ["remember_completion", "stored_completions"]

# Request fields a stored completion shows beside the answer (null when not given).
_SETTINGS = (
    "temperature",
    "top_p",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "tool_choice",
    "tools",
    "response_format",
)


def remember_completion(
    sandbox, completion: dict[str, Any], body: dict[str, Any], messages: list[dict[str, Any]]
) -> None:
    """Keep a chat completion (its answer, request settings and input messages)."""
    stored = copy.deepcopy(completion)
    stored["metadata"] = dict(body.get("metadata") or {})
    stored.update({name: copy.deepcopy(body.get(name)) for name in _SETTINGS})
    with sandbox.state.lock:
        sandbox.state.stored_completions[stored["id"]] = {
            "completion": stored,
            "messages": copy.deepcopy(messages),
        }


def stored_completions(sandbox) -> list[dict[str, Any]]:
    """The stored completions (copies), oldest first."""
    with sandbox.state.lock:
        return [copy.deepcopy(entry["completion"]) for entry in sandbox.state.stored_completions.values()]


@route("GET", "/chat/completions")
def list_stored(request: Request, sandbox) -> JSONResponse:
    model = request.arg("model")
    wanted = _metadata_filter(request)
    items = [
        completion
        for completion in stored_completions(sandbox)
        if (not model or completion["model"] == model)
        and all(completion["metadata"].get(key) == value for key, value in wanted.items())
    ]
    return JSONResponse(
        page(request, ordered(request, items, default="asc"), default_limit=20, first_last=True)
    )


@route("GET", "/chat/completions/{completion_id}")
def retrieve_stored(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(copy.deepcopy(_entry(sandbox, request.params["completion_id"])["completion"]))


@route("POST", "/chat/completions/{completion_id}")
def update_stored(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    if "metadata" not in body:
        raise ApiError(
            400,
            "Missing required parameter: 'metadata'.",
            param="metadata",
            code="missing_required_parameter",
        )
    metadata = check_metadata(body["metadata"])
    entry = _entry(sandbox, request.params["completion_id"])
    with sandbox.state.lock:
        entry["completion"]["metadata"] = metadata or {}
        return JSONResponse(copy.deepcopy(entry["completion"]))


@route("DELETE", "/chat/completions/{completion_id}")
def delete_stored(request: Request, sandbox) -> JSONResponse:
    completion_id = _entry(sandbox, request.params["completion_id"])["completion"]["id"]
    with sandbox.state.lock:
        sandbox.state.stored_completions.pop(completion_id, None)
    return JSONResponse({"object": "chat.completion.deleted", "id": completion_id, "deleted": True})


@route("GET", "/chat/completions/{completion_id}/messages")
def list_messages(request: Request, sandbox) -> JSONResponse:
    entry = _entry(sandbox, request.params["completion_id"])
    completion_id = entry["completion"]["id"]
    items = [_message(f"{completion_id}-{index}", m) for index, m in enumerate(entry["messages"])]
    return JSONResponse(
        page(request, ordered(request, items, default="asc"), default_limit=20, first_last=True)
    )


# -- helpers ---------------------------------------------------------------------------


def _entry(sandbox, completion_id: str) -> dict[str, Any]:
    with sandbox.state.lock:
        entry = sandbox.state.stored_completions.get(completion_id)
    if entry is None:
        raise ApiError(
            404,
            f"No chat completion found with id '{completion_id}'. Only completions created with "
            "store=true are kept.",
            param="completion_id",
        )
    return entry


def _metadata_filter(request: Request) -> dict[str, str]:
    """`metadata[key]=value` query parameters (the form OpenAI's clients send)."""
    wanted = {}
    for name, values in request.query.items():
        if name.startswith("metadata[") and name.endswith("]") and values:
            wanted[name[len("metadata[") : -1]] = values[-1]
    return wanted


def _message(message_id: str, message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    parts = None
    if isinstance(content, list):
        parts = [p for p in content if isinstance(p, dict) and p.get("type") in {"text", "image_url"}]
        content = " ".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")
    return {
        "id": message_id,
        "role": message.get("role"),
        "content": content,
        "refusal": None,
        "name": message.get("name"),
        "content_parts": parts,
    }
