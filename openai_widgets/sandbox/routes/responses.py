"""The Responses API: create (whole, streamed or in the background), retrieve, delete, cancel,
input items, input token counts and compaction.

What a response says follows the deterministic rules of `_response_plan` (function calls,
built-in tools, JSON, reasoning); its stream is told by `_response_events`. History comes
from `previous_response_id` (that response's context and output) or from `conversation`
(its items; the response's input and output are appended to it). Stored responses
(store is true by default) answer GET /responses/{id}, also as a replayed stream with
`stream=true` and `starting_after`.

A background response answers "queued" at once; what GET shows then follows the clock:
"in_progress" after a quarter of `Sandbox(background_seconds=...)`, "completed" (with its
output) when they have passed. Only background responses can be cancelled, until they
complete. The `failed_response` fault makes a response end "failed" with a server_error.
"""

from __future__ import annotations

import time
from typing import Any

from .._http import ApiError, JSONResponse, Request, StreamResponse
from .._schema_data import strict_problem
from . import conversations
from ._items import (
    check_items,
    compaction_content,
    invalid_type,
    missing,
    new_id,
    resolve_references,
    store_item,
    user_texts,
)
from ._lists import ordered, page
from ._registry import route
from ._replies import count_tokens
from ._response_checks import Asked, check_create, check_model
from ._response_events import response_events, unfinished
from ._response_plan import Plan, estimate_input_tokens, plan_response, usage

QUEUED_SHARE = 0.25  # share of background_seconds a background response waits in the queue
FINAL = ("completed", "incomplete", "failed", "cancelled")


@route("POST", "/responses")
def create_response(request: Request, sandbox) -> JSONResponse | StreamResponse:
    asked = check_create(request.json_object(), sandbox)
    history = _history(sandbox, asked.previous_response_id, asked.conversation)
    new_items = [store_item(sandbox, item) for item in resolve_references(sandbox, asked.input)]
    if not new_items and not history:
        raise missing("input")
    context = history + new_items
    plan = plan_response(sandbox, asked, context, streaming=asked.stream)
    record = _record(sandbox, asked, plan)
    if request.fault == "failed_response":
        _fail(record)
    entry = {
        "record": record,
        "input_items": new_items,
        "context": context,
        "partials": plan.partial_images,
        "background": asked.background,
        # A streamed background response has been told whole: it is settled at once.
        "started": time.time() if asked.background and not asked.stream else 0.0,
        "cancelled": None,
    }
    if asked.store:
        with sandbox.state.lock:
            sandbox.state.responses[record["id"]] = entry
    if asked.conversation:
        done_at = entry["started"] + sandbox.background_seconds if entry["started"] else 0.0
        conversations.append(sandbox, asked.conversation, new_items)
        conversations.append(sandbox, asked.conversation, record["output"], visible_at=done_at)
    if asked.stream:
        events = response_events(record, plan.partial_images, queued=asked.background)
        return StreamResponse(events, event_names=True)
    return JSONResponse(_view(sandbox, entry))


def _history(sandbox, previous_id: str | None, conversation_id: str | None) -> list[dict[str, Any]]:
    """The items earlier turns left: a previous response's context and output, or a conversation's."""
    if conversation_id:
        conversations.require(sandbox, conversation_id, param="conversation")
        return conversations.items_of(sandbox, conversation_id)
    if not previous_id:
        return []
    with sandbox.state.lock:
        entry = sandbox.state.responses.get(previous_id)
    if entry is None:
        raise ApiError(
            404, f"Previous response with id '{previous_id}' not found.", param="previous_response_id"
        )
    status = _view(sandbox, entry)["status"]
    if status in ("queued", "in_progress"):
        raise ApiError(
            400,
            f"Previous response with id '{previous_id}' is still {status}: wait until it completes.",
            param="previous_response_id",
        )
    if status in ("failed", "cancelled"):
        raise ApiError(
            400,
            f"Previous response with id '{previous_id}' was {status}: continue from an earlier one.",
            param="previous_response_id",
        )
    return entry["context"] + entry["record"]["output"]


def _record(sandbox, asked: Asked, plan: Plan) -> dict[str, Any]:
    now = int(time.time())
    body = asked.body
    reasoning = asked.reasoning or {"effort": None, "summary": None}
    return {
        "id": new_id(sandbox, "resp"),
        "object": "response",
        "created_at": now,
        "status": plan.status,
        "background": asked.background,
        "completed_at": now if plan.status == "completed" else None,
        "conversation": {"id": asked.conversation} if asked.conversation else None,
        "error": None,
        "incomplete_details": {"reason": plan.incomplete_reason} if plan.incomplete_reason else None,
        "instructions": asked.instructions,
        "max_output_tokens": asked.max_output_tokens,
        "max_tool_calls": asked.max_tool_calls,
        "model": asked.model,
        "output": plan.output,
        "parallel_tool_calls": asked.parallel_tool_calls,
        "previous_response_id": asked.previous_response_id,
        "prompt_cache_key": body.get("prompt_cache_key"),
        "reasoning": reasoning,
        "safety_identifier": body.get("safety_identifier"),
        "service_tier": "default",
        "store": asked.store,
        "temperature": asked.temperature,
        "text": asked.text,
        "tool_choice": asked.tool_choice,
        "tools": [_echo_tool(tool) for tool in asked.tools],
        "top_logprobs": asked.top_logprobs,
        "top_p": asked.top_p,
        "truncation": body.get("truncation") or "disabled",
        "usage": plan.usage,
        "metadata": asked.metadata,
        **({"user": body["user"]} if isinstance(body.get("user"), str) else {}),  # deprecated: only if sent
    }


def _echo_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool as the response shows it: defaults filled in, credentials for MCP servers left out."""
    if tool["type"] == "function":
        parameters = tool.get("parameters")
        strict = tool.get("strict")
        if strict is None:  # strict by default when the schema allows it, as the API does
            strict = parameters is not None and strict_problem(parameters) is None
        return {
            "type": "function",
            "name": tool["name"],
            "description": tool.get("description"),
            "parameters": parameters,
            "strict": strict,
        }
    if tool["type"] == "mcp":
        return {k: v for k, v in tool.items() if k not in ("authorization", "headers")}
    return dict(tool)


def _fail(record: dict[str, Any]) -> None:
    record.update(
        status="failed",
        output=[],
        completed_at=None,
        incomplete_details=None,
        error={
            "code": "server_error",
            "message": "The sandbox failed this response on request (fault injection).",
        },
    )


# -- the background clock ------------------------------------------------------------------------


def _status(sandbox, entry: dict[str, Any]) -> str:
    record = entry["record"]
    if entry["cancelled"] is not None:
        return "cancelled"
    if not entry["background"] or not entry["started"]:
        return record["status"]
    elapsed = (time.time() - entry["started"]) / max(sandbox.background_seconds, 1e-6)
    if elapsed < QUEUED_SHARE:
        return "queued"
    if elapsed < 1.0:
        return "in_progress"
    return record["status"]


def _view(sandbox, entry: dict[str, Any]) -> dict[str, Any]:
    """The response as it stands now: a background one shows no output until it is done."""
    record = entry["record"]
    status = _status(sandbox, entry)
    if status == record["status"]:
        if entry["background"] and entry["started"] and record["completed_at"]:
            return {**record, "completed_at": int(entry["started"] + sandbox.background_seconds)}
        return record
    return unfinished(record, status)


def _entry(sandbox, response_id: str) -> dict[str, Any]:
    with sandbox.state.lock:
        entry = sandbox.state.responses.get(response_id)
    if entry is None:
        raise ApiError(404, f"Response with id '{response_id}' not found.")
    return entry


# -- the other routes ---------------------------------------------------------------------------


@route("GET", "/responses/{response_id}")
def retrieve_response(request: Request, sandbox) -> JSONResponse | StreamResponse:
    entry = _entry(sandbox, request.params["response_id"])
    view = _view(sandbox, entry)
    if request.arg("stream") == "true":
        if view["status"] not in FINAL:
            raise ApiError(
                400, "The response is not finished yet: stream it again when it is.", param="stream"
            )
        try:
            after = int(request.arg("starting_after", "-1"))
        except ValueError:
            raise ApiError(
                400, "Invalid 'starting_after': expected an integer.", param="starting_after"
            ) from None
        return StreamResponse(response_events(view, entry["partials"], after=after), event_names=True)
    return JSONResponse(view)


@route("DELETE", "/responses/{response_id}")
def delete_response(request: Request, sandbox) -> JSONResponse:
    response_id = request.params["response_id"]
    _entry(sandbox, response_id)
    with sandbox.state.lock:
        sandbox.state.responses.pop(response_id, None)
    return JSONResponse({"id": response_id, "object": "response.deleted", "deleted": True})


@route("POST", "/responses/{response_id}/cancel")
def cancel_response(request: Request, sandbox) -> JSONResponse:
    entry = _entry(sandbox, request.params["response_id"])
    if not entry["background"]:
        raise ApiError(
            400,
            "Cannot cancel a synchronous response: only responses created with background=true "
            "can be cancelled.",
        )
    status = _status(sandbox, entry)
    if status in FINAL and status != "cancelled":
        raise ApiError(400, f"Cannot cancel a response with status '{status}': it has already finished.")
    with sandbox.state.lock:
        if entry["cancelled"] is None:
            entry["cancelled"] = time.time()
    conversation = (entry["record"].get("conversation") or {}).get("id")
    if conversation:
        conversations.withdraw(sandbox, conversation, {item["id"] for item in entry["record"]["output"]})
    return JSONResponse(_view(sandbox, entry))


@route("GET", "/responses/{response_id}/input_items")
def list_input_items(request: Request, sandbox) -> JSONResponse:
    entry = _entry(sandbox, request.params["response_id"])
    return JSONResponse(page(request, ordered(request, entry["input_items"]), first_last=True))


@route("POST", "/responses/input_tokens")
def count_input_tokens(request: Request, sandbox) -> JSONResponse:
    """The input_tokens a create request with the same input, instructions and tools would use."""
    body = request.json_object()
    if body.get("model") is not None:
        check_model(body["model"], sandbox)
    context, instructions = _context_of(sandbox, body)
    tools = body.get("tools") or []
    if not isinstance(tools, list):
        raise invalid_type("tools", "an array of objects", tools)
    tokens = estimate_input_tokens(context, instructions, tools)
    return JSONResponse({"object": "response.input_tokens", "input_tokens": tokens})


def _context_of(sandbox, body: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """History and input of a token count or compaction request, and its instructions."""
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise invalid_type("instructions", "a string", instructions)
    conversation = body.get("conversation")
    if isinstance(conversation, dict):
        conversation = conversation.get("id")
    items = resolve_references(sandbox, check_items(body.get("input")))
    history = _history(sandbox, body.get("previous_response_id"), conversation)
    return history + [store_item(sandbox, item) for item in items], instructions


@route("POST", "/responses/compact")
def compact_response(request: Request, sandbox) -> JSONResponse:
    """The context as its user messages plus one compaction item standing for all the rest."""
    body = request.json_object()
    model = check_model(body.get("model"), sandbox)
    context, instructions = _context_of(sandbox, body)
    if not context:
        raise missing("input")
    kept = [item for item in context if item.get("type") == "message" and item.get("role") == "user"]
    texts = user_texts(context)
    compaction = {
        "id": new_id(sandbox, "cmp"),
        "type": "compaction",
        "encrypted_content": compaction_content(texts, len(context)),
    }
    spent = count_tokens(" ".join(texts)) + 1
    return JSONResponse(
        {
            "id": new_id(sandbox, "resp"),
            "object": "response.compaction",
            "created_at": int(time.time()),
            "output": [*kept, compaction],
            "usage": usage(estimate_input_tokens(context, instructions, []), spent, Asked(body, model, [])),
        }
    )
