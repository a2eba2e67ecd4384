"""POST /chat/completions: deterministic replies, whole or streamed as SSE chunks.

What the reply is, first match wins: a tool call when `tools` are given, `tool_choice`
allows one and the last message is not a tool result (arguments fit the function's
parameters and take values from the user's words, see `_schema_data`); JSON when
`response_format` asks for it (shaped by the prompt for `json_object`, see
`_prompt_json`; an instance of the schema for `json_schema`); otherwise text starting
"[sandbox]" that repeats the user's message, describes attached images ("I see 1 image
(64x64)") or applies an edit named in a system message. `stop`, `max_tokens` /
`max_completion_tokens`, `n`, `logprobs` and `stream_options.include_usage` behave as
the API documents. With `store: true` the
completion is kept (with its `metadata`) for the stored-completions routes.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._http import ApiError, JSONResponse, Request, StreamResponse
from .._prompt_json import json_answer
from .._schema_data import instance
from ._chat_checks import check_chat_options, check_messages, describe_image, images_of
from ._checks import check_metadata, is_chat_model, type_name
from ._registry import route
from ._replies import (
    count_tokens,
    logprobs_for,
    message_text,
    pieces,
    stop_at,
    transform_for,
)
from .stored_completions import remember_completion

IMAGE_TOKENS = 85  # what a low-detail image costs, as OpenAI counts it


@dataclass
class Planned:
    """One choice of the answer: text (as tokens) or one tool call (arguments as tokens)."""

    tokens: list[str]
    finish_reason: str
    tool_call: dict[str, Any] | None = None
    logprobs: bool = False
    top_logprobs: int = 0

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None, "annotations": []}
        if self.tool_call is None:
            message["content"] = self.text
        else:
            call = json.loads(json.dumps(self.tool_call))
            call["function"]["arguments"] = self.text
            message["tool_calls"] = [call]
        return message

    def choice_logprobs(self, tokens: list[str]) -> dict[str, Any] | None:
        if not self.logprobs or self.tool_call is not None:
            return None
        return {"content": logprobs_for(tokens, self.top_logprobs), "refusal": None}


@route("POST", "/chat/completions")
def create_chat_completion(request: Request, sandbox) -> JSONResponse | StreamResponse:
    body = request.json_object()
    model = sandbox.state.model(body.get("model"))["id"]
    if not is_chat_model(model):
        raise ApiError(
            404,
            "This is not a chat model and thus not supported in the v1/chat/completions endpoint. "
            "Did you mean to use v1/completions?",
            param="model",
            code="model_not_found",
        )
    messages = check_messages(body.get("messages"))
    check_chat_options(body, messages)
    planned = [_plan(body, messages, index) for index in range(body.get("n") or 1)]
    head = {
        "id": sandbox.state.new_id("chatcmpl"),
        "created": sandbox.state.now(),
        "model": model,
        "service_tier": "default",
        "system_fingerprint": "fp_sandbox",
    }
    usage = _usage(messages, planned)
    store = _store_flag(body)
    check_metadata(body.get("metadata"))
    choices = [
        {
            "index": index,
            "message": plan.message(),
            "logprobs": plan.choice_logprobs(plan.tokens),
            "finish_reason": plan.finish_reason,
        }
        for index, plan in enumerate(planned)
    ]
    completion = {**head, "object": "chat.completion", "choices": choices, "usage": usage}
    if store:
        remember_completion(sandbox, completion, body, messages)
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamResponse(_chunks(head, planned, usage if include_usage else None), usage=usage)
    return JSONResponse(completion)


def reply_text(messages: list[dict[str, Any]], response_format: dict[str, Any] | None = None) -> str:
    """What the sandbox answers to `messages` (the first choice's text), for eval runs."""
    return _reply_text({"response_format": response_format} if response_format else {}, messages, 0)


def _store_flag(body: dict[str, Any]) -> bool:
    store = body.get("store")
    if store is not None and not isinstance(store, bool):
        raise ApiError(
            400,
            f"Invalid type for 'store': expected a boolean, but got {type_name(store)} instead.",
            param="store",
            code="invalid_type",
        )
    return bool(store)


# -- what to answer ----------------------------------------------------------------------


def _plan(body: dict[str, Any], messages: list[dict[str, Any]], index: int) -> Planned:
    logprobs: dict[str, Any] = {
        "logprobs": bool(body.get("logprobs")),
        "top_logprobs": int(body.get("top_logprobs") or 0),
    }
    tool = _tool_to_call(body, messages)
    if tool is not None:
        name = tool["name"]
        said = _user_text(messages)
        parameters = tool.get("parameters") or {"type": "object"}
        arguments = json.dumps(instance(parameters, said, name=name, labelled=False, skip=(name,)))
        digest = zlib.crc32(f"{name}:{len(messages)}:{index}".encode())
        call = {"id": f"call_sandbox{digest:08x}", "type": "function", "function": {"name": name}}
        return Planned(pieces(arguments), "tool_calls", tool_call=call, **logprobs)
    text = _reply_text(body, messages, index)
    text, _ = stop_at(text, body.get("stop"))
    tokens = pieces(text)
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if limit and len(tokens) > limit:
        return Planned(tokens[:limit], "length", **logprobs)
    return Planned(tokens, "stop", **logprobs)


def _tool_to_call(body: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The function tool to call, or None when the model should answer in text."""
    functions = [tool["function"] for tool in body.get("tools") or [] if tool.get("type") == "function"]
    choice = body.get("tool_choice", "auto")
    if not functions or choice == "none" or messages[-1].get("role") == "tool":
        return None
    if isinstance(choice, dict) and choice.get("type") == "function":
        wanted = choice["function"]["name"]
        return next(f for f in functions if f["name"] == wanted)
    return functions[0]


def _reply_text(body: dict[str, Any], messages: list[dict[str, Any]], index: int) -> str:
    kind = (body.get("response_format") or {}).get("type")
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    said = _user_text(messages)
    if kind == "json_schema":
        spec = body["response_format"]["json_schema"]
        return json.dumps(instance(spec.get("schema") or {"type": "object"}, said, name=spec["name"]))
    if kind == "json_object":
        return json.dumps(json_answer(said))
    prefix = "[sandbox] " + (f"(choice {index + 1}) " if index else "")
    last = messages[-1]
    if last.get("role") == "tool":
        return f"{prefix}The tool returned: {message_text(last.get('content'))}"
    if user is None:
        return f"{prefix}Hello! Send a user message to get a reply."
    images = [describe_image(url) for url in images_of(user.get("content"))]
    if images:
        prefix += f"I see {len(images)} image{'s' if len(images) > 1 else ''} ({', '.join(images)}). "
    instructions = " ".join(
        message_text(m.get("content")) for m in messages if m.get("role") in {"system", "developer"}
    )
    transform = transform_for(instructions)
    if transform is not None:
        return prefix + transform(said)
    quoted = said if len(said) <= 200 else said[:197] + "..."
    return (
        f'{prefix}You said: "{quoted}". This is a deterministic reply from the local sandbox, '
        "not a model; connect with an API key for real answers."
    )


def _user_text(messages: list[dict[str, Any]]) -> str:
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    return message_text(user.get("content")).strip() if user else ""


def _usage(messages: list[dict[str, Any]], planned: list[Planned]) -> dict[str, Any]:
    prompt = 3 + sum(
        3 + count_tokens(message_text(m.get("content"))) + IMAGE_TOKENS * len(images_of(m.get("content")))
        for m in messages
    )
    completion = sum(len(plan.tokens) for plan in planned)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


# -- streaming ---------------------------------------------------------------------------


def _chunks(head: dict[str, Any], planned: list[Planned], usage: dict[str, Any] | None) -> Iterator[dict]:
    """`chat.completion.chunk` events: roles, then tokens (choices interleaved), finish, usage."""

    def chunk(index: int, delta: dict[str, Any], *, logprobs: Any = None, finish: str | None = None) -> dict:
        event = {
            **head,
            "object": "chat.completion.chunk",
            "choices": [{"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}],
        }
        if usage is not None:
            event["usage"] = None  # only the last chunk carries usage
        return event

    for index, plan in enumerate(planned):
        if plan.tool_call is None:
            yield chunk(index, {"role": "assistant", "content": "", "refusal": None})
        else:
            call = {**plan.tool_call, "index": 0, "function": {**plan.tool_call["function"], "arguments": ""}}
            yield chunk(index, {"role": "assistant", "content": None, "tool_calls": [call]})
    for position in range(max(len(plan.tokens) for plan in planned)):
        for index, plan in enumerate(planned):
            if position >= len(plan.tokens):
                continue
            token = plan.tokens[position]
            if plan.tool_call is None:
                yield chunk(index, {"content": token}, logprobs=plan.choice_logprobs([token]))
            else:
                yield chunk(index, {"tool_calls": [{"index": 0, "function": {"arguments": token}}]})
    for index, plan in enumerate(planned):
        yield chunk(index, {}, finish=plan.finish_reason)
    if usage is not None:
        yield {**head, "object": "chat.completion.chunk", "choices": [], "usage": usage}
