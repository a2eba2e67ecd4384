"""The Conversations API: conversations, their items, and the store responses append to.

A conversation holds items in order, oldest first. POST /conversations starts one (up to
20 items and metadata); a response created with `conversation` reads its items as
history and appends its input and output to it. Items of a background response appear
when it completes (each item remembers from when it is visible) and go away if it is
cancelled. Lists are newest first unless `order=asc`, paged with `after` and `limit`.
"""

from __future__ import annotations

import time
from typing import Any

from .._http import ApiError, JSONResponse, Request
from ._items import check_items, invalid_type, missing, new_id, resolve_references, store_item
from ._lists import ordered, page
from ._registry import route
from ._response_checks import check_metadata

__all__ = ["append", "create", "items_of", "require", "withdraw"]

MAX_NEW_ITEMS = 20


def create(sandbox, items: list[dict[str, Any]], metadata: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": new_id(sandbox, "conv"),
        "object": "conversation",
        "created_at": int(time.time()),
        "metadata": metadata,
    }
    with sandbox.state.lock:
        sandbox.state.conversations[record["id"]] = {"record": record, "items": []}
    append(sandbox, record["id"], items)
    return record


def require(sandbox, conversation_id: str, *, param: str | None = None) -> dict[str, Any]:
    """The conversation's entry ({"record", "items"}), or OpenAI's 404."""
    with sandbox.state.lock:
        entry = sandbox.state.conversations.get(conversation_id)
    if entry is None:
        raise ApiError(404, f"Conversation with id '{conversation_id}' not found.", param=param)
    return entry


def items_of(sandbox, conversation_id: str) -> list[dict[str, Any]]:
    """The items visible now, oldest first."""
    entry = require(sandbox, conversation_id)
    now = time.time()
    with sandbox.state.lock:
        return [item for visible, item in entry["items"] if visible <= now]


def append(sandbox, conversation_id: str, items: list[dict[str, Any]], visible_at: float = 0.0) -> None:
    """Add stored items at the end; they show from `visible_at` (a background response's end)."""
    entry = require(sandbox, conversation_id)
    with sandbox.state.lock:
        entry["items"] += [(visible_at, item) for item in items]


def withdraw(sandbox, conversation_id: str, item_ids: set[str]) -> None:
    """Remove items again (those of a cancelled background response)."""
    with sandbox.state.lock:
        entry = sandbox.state.conversations.get(conversation_id)
        if entry is not None:
            entry["items"] = [pair for pair in entry["items"] if pair[1]["id"] not in item_ids]


def _new_items(sandbox, value: Any, *, required: bool) -> list[dict[str, Any]]:
    if value is None:
        if required:
            raise missing("items")
        return []
    if isinstance(value, list) and len(value) > MAX_NEW_ITEMS:
        raise ApiError(
            400,
            f"Invalid 'items': array too long. Expected an array with maximum length {MAX_NEW_ITEMS}, "
            f"but got an array with length {len(value)} instead.",
            param="items",
            code="array_above_max_length",
        )
    if not isinstance(value, list):
        raise invalid_type("items", "an array of objects", value)
    items = resolve_references(sandbox, check_items(value, "items"), "items")
    return [store_item(sandbox, item) for item in items]


def _item_list(items: list[dict[str, Any]], **paged: Any) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else "",
        "last_id": items[-1]["id"] if items else "",
        "has_more": False,
        **paged,
    }


@route("POST", "/conversations")
def create_conversation(request: Request, sandbox) -> JSONResponse:
    body = request.json_object() if request.body else {}
    metadata = check_metadata(body.get("metadata"))
    items = _new_items(sandbox, body.get("items"), required=False)
    return JSONResponse(create(sandbox, items, metadata))


@route("GET", "/conversations/{conversation_id}")
def retrieve_conversation(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(require(sandbox, request.params["conversation_id"])["record"])


@route("POST", "/conversations/{conversation_id}")
def update_conversation(request: Request, sandbox) -> JSONResponse:
    entry = require(sandbox, request.params["conversation_id"])
    body = request.json_object()
    if "metadata" not in body:
        raise missing("metadata")
    metadata = check_metadata(body["metadata"])
    with sandbox.state.lock:
        entry["record"]["metadata"] = metadata
    return JSONResponse(entry["record"])


@route("DELETE", "/conversations/{conversation_id}")
def delete_conversation(request: Request, sandbox) -> JSONResponse:
    conversation_id = request.params["conversation_id"]
    require(sandbox, conversation_id)
    with sandbox.state.lock:
        sandbox.state.conversations.pop(conversation_id, None)
    return JSONResponse({"id": conversation_id, "object": "conversation.deleted", "deleted": True})


@route("GET", "/conversations/{conversation_id}/items")
def list_items(request: Request, sandbox) -> JSONResponse:
    items = ordered(request, items_of(sandbox, request.params["conversation_id"]))
    return JSONResponse(page(request, items, first_last=True))


@route("POST", "/conversations/{conversation_id}/items")
def add_items(request: Request, sandbox) -> JSONResponse:
    conversation_id = request.params["conversation_id"]
    require(sandbox, conversation_id)
    items = _new_items(sandbox, request.json_object().get("items"), required=True)
    append(sandbox, conversation_id, items)
    return JSONResponse(_item_list(items))


def _find(sandbox, request: Request) -> dict[str, Any]:
    item_id = request.params["item_id"]
    for item in items_of(sandbox, request.params["conversation_id"]):
        if item["id"] == item_id:
            return item
    raise ApiError(404, f"Item with id '{item_id}' not found.")


@route("GET", "/conversations/{conversation_id}/items/{item_id}")
def retrieve_item(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(_find(sandbox, request))


@route("DELETE", "/conversations/{conversation_id}/items/{item_id}")
def delete_item(request: Request, sandbox) -> JSONResponse:
    item = _find(sandbox, request)
    conversation_id = request.params["conversation_id"]
    withdraw(sandbox, conversation_id, {item["id"]})
    return JSONResponse(require(sandbox, conversation_id)["record"])
