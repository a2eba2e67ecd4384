"""POST /completions: the legacy text completion, for instruct models only.

Like the real endpoint, `max_tokens` defaults to 16, so an answer is often cut
(`finish_reason: length`). `echo`, `n`, `stop`, `logprobs` and `stream` work. With
`logprobs`, `text_offset` counts characters from the start of the prompt, as OpenAI's
does, and `echo` adds the prompt's own tokens in front (each with a number, as the spec
types it, where OpenAI sends null for the very first). `top_logprobs` holds the
`logprobs` most likely tokens, most likely first, and always the chosen one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._http import ApiError, JSONResponse, Request, StreamResponse
from ._checks import check_range, is_completion_model, type_name
from ._registry import route
from ._replies import alternatives, count_tokens, pieces, stop_at

DEFAULT_MAX_TOKENS = 16


@route("POST", "/completions")
def create_completion(request: Request, sandbox) -> JSONResponse | StreamResponse:
    body = request.json_object()
    model = sandbox.state.model(body.get("model"))["id"]
    if not is_completion_model(model):
        raise ApiError(
            404,
            "This is a chat model and not supported in the v1/completions endpoint. "
            "Did you mean to use v1/chat/completions?",
            param="model",
            code="model_not_found",
        )
    prompts = _prompts(body)
    for name, low, high, integer in (
        ("temperature", 0, 2, False),
        ("top_p", 0, 1, False),
        ("presence_penalty", -2, 2, False),
        ("frequency_penalty", -2, 2, False),
        ("n", 1, 128, True),
        ("logprobs", 0, 5, True),
        ("max_tokens", 0, 10**7, True),
    ):
        check_range(body, name, low, high, integer=integer)
    if body.get("stream_options") is not None and not body.get("stream"):
        raise ApiError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
    choices: list[dict[str, Any]] = []
    completion_tokens = 0
    for prompt in prompts:
        for copy in range(body.get("n") or 1):
            choice, generated = _choice(body, prompt, copy, len(choices))
            choices.append(choice)
            completion_tokens += generated  # an echoed prompt is not generated
    prompt_tokens = sum(count_tokens(p) for p in prompts)
    head = {
        "id": sandbox.state.new_id("cmpl"),
        "object": "text_completion",
        "created": sandbox.state.now(),
        "model": model,
        "system_fingerprint": "fp_sandbox",
    }
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamResponse(_chunks(head, choices, usage if include_usage else None), usage=usage)
    return JSONResponse({**head, "choices": choices, "usage": usage})


def _prompts(body: dict[str, Any]) -> list[str]:
    prompt = body.get("prompt")
    if prompt is None:
        raise ApiError(400, "Missing required parameter: 'prompt'.", param="prompt")
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, str) for p in prompt):
        return prompt
    if isinstance(prompt, list) and prompt and all(isinstance(p, int) for p in prompt):
        return [f"<{len(prompt)} tokens>"]
    raise ApiError(
        400,
        "Invalid type for 'prompt': expected a string or an array of strings, "
        f"but got {type_name(prompt)} instead.",
        param="prompt",
    )


def _choice(body: dict[str, Any], prompt: str, copy: int, index: int) -> tuple[dict[str, Any], int]:
    """One choice, and how many tokens were generated for it."""
    start = prompt.strip().replace("\n", " ")
    start = start if len(start) <= 60 else start[:57] + "..."
    variant = f" (choice {copy + 1})" if copy else ""
    text = (
        f' [sandbox]{variant} a deterministic continuation of "{start}" from the local sandbox, not a model.'
    )
    text, _ = stop_at(text, body.get("stop"))
    tokens = pieces(text)
    limit = body.get("max_tokens", DEFAULT_MAX_TOKENS)
    finish = "stop"
    if limit is not None and len(tokens) > limit:
        tokens, finish = tokens[:limit], "length"
    echoed = pieces(prompt) if body.get("echo") else []
    choice = {
        "index": index,
        "text": "".join(echoed + tokens),
        "logprobs": _logprobs(prompt, echoed + tokens, len(echoed), body.get("logprobs")),
        "finish_reason": finish,
    }
    return choice, len(tokens)


def _logprobs(prompt: str, tokens: list[str], echoed: int, top: Any) -> dict[str, Any] | None:
    """The legacy logprobs object; the first `echoed` tokens are the prompt's own."""
    if top is None:
        return None
    offsets, position = [], 0 if echoed else len(prompt)
    for token in tokens:
        offsets.append(position)
        position += len(token)
    tables = [alternatives(token, max(top, 1)) for token in tokens]
    chosen = [dict(table)[token] for token, table in zip(tokens, tables, strict=True)]
    return {
        "tokens": tokens,
        "token_logprobs": chosen,
        "top_logprobs": [
            dict(table[:top]) | {token: value}
            for token, table, value in zip(tokens, tables, chosen, strict=True)
        ],
        "text_offset": offsets,
    }


def _chunks(
    head: dict[str, Any], choices: list[dict[str, Any]], usage: dict[str, Any] | None
) -> Iterator[dict]:
    for choice in choices:
        for token in pieces(choice["text"]):
            yield {
                **head,
                "choices": [
                    {"index": choice["index"], "text": token, "logprobs": None, "finish_reason": None}
                ],
            }
        yield {
            **head,
            "choices": [
                {
                    "index": choice["index"],
                    "text": "",
                    "logprobs": None,
                    "finish_reason": choice["finish_reason"],
                }
            ],
        }
    if usage is not None:
        yield {**head, "choices": [], "usage": usage}
