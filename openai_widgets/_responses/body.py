"""The body of a Responses API request, from `respond()`'s arguments, checked before sending.

Every argument is checked here, so a mistake costs no request: the input (see `inputs`),
the model (default `DEFAULT_MODELS["respond"]`), instructions, one of `conversation` or
`previous_response_id`, the flags, `reasoning` ("low", "high", ... or the API's dict; an
effort alone also asks for an automatic summary, which `Response.reasoning` shows), the
sampling settings and `max_output_tokens`. `text_format` goes into `text.format`
(keeping any `text` settings such as verbosity); in JSON mode a "Reply with JSON." is added
to the instructions when nothing says JSON, as the API requires. Other keywords go into the
body as given (tool_choice, parallel_tool_calls, include, metadata, truncation, ...).
"""

from __future__ import annotations

from typing import Any

from .._chat.sampling import checked_settings
from .._core.arguments import boolean, model_argument, text, type_error, whole_number
from .._core.errors import InvalidInputError
from .inputs import response_input

__all__ = ["EFFORTS", "JSON_HINT", "checked_reasoning", "conversation_id", "response_body"]

EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
JSON_HINT = "Reply with JSON."
MIN_OUTPUT_TOKENS = 16  # the API's lowest max_output_tokens


def response_body(
    input: Any,
    model: Any,
    *,
    instructions: Any = None,
    tools: list[dict[str, Any]] | None = None,
    text_format: Any = None,
    conversation: Any = None,
    previous_response_id: Any = None,
    background: Any = False,
    reasoning: Any = None,
    store: Any = None,
    stream: Any = False,
    advanced: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A create request's body (see the module docstring); `text_format` is an OutputFormat or None."""
    body: dict[str, Any] = {"model": model_argument(model, "respond"), "input": response_input(input)}
    options = checked_settings({k: v for k, v in (advanced or {}).items() if v is not None})
    if options.get("max_output_tokens") is not None:
        options["max_output_tokens"] = whole_number(
            options["max_output_tokens"], "max_output_tokens", minimum=MIN_OUTPUT_TOKENS
        )
    instructions = text(
        instructions, "instructions", optional=True, hint="write the instructions or leave them out"
    )
    if instructions is not None:
        body["instructions"] = instructions
    thread = conversation_id(conversation)
    previous = text(previous_response_id, "previous_response_id", optional=True, hint="give a response ID")
    if thread and previous:
        raise InvalidInputError(
            "give conversation or previous_response_id, not both: a conversation keeps its own history"
        )
    if thread:
        body["conversation"] = thread
    if previous:
        body["previous_response_id"] = previous
    boolean(stream, "stream")
    if boolean(background, "background"):
        if store is False:
            raise InvalidInputError(
                "a background response must be stored: drop store=False or background=True"
            )
        body["background"] = True
    if store is not None:
        body["store"] = boolean(store, "store")
    made = checked_reasoning(reasoning)
    if made is not None:
        body["reasoning"] = made
    if tools:
        body["tools"] = tools
    body.update(options)
    if text_format is not None:
        settings = options.get("text")
        body["text"] = {
            **(settings if isinstance(settings, dict) else {}),
            "format": text_format.responses_format(),
        }
        if text_format.kind == "json_object" and not _says_json(body):
            body["instructions"] = f"{body.get('instructions', '')}\n\n{JSON_HINT}".strip()
    return body


def conversation_id(value: Any, name: str = "conversation") -> str | None:
    """A conversation given as its ID or its record."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str):
        raise type_error(name, "a conversation ID ('conv_...') or its record", value)
    if not value.strip():
        raise InvalidInputError(f"{name} is empty; give a conversation ID such as 'conv_...'")
    return value.strip()


def checked_reasoning(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value not in EFFORTS:
            raise InvalidInputError(
                f"reasoning {value!r} is not one of {', '.join(EFFORTS)} (or pass a dict)"
            )
        return {"effort": value, "summary": "auto"}
    if isinstance(value, dict):
        return dict(value)
    raise type_error(
        "reasoning", f"an effort ({', '.join(EFFORTS)}) or a dict such as {{'effort': 'low'}}", value
    )


def _says_json(body: dict[str, Any]) -> bool:
    words = [body.get("instructions") or "", str(body.get("input"))]
    return any("json" in word.lower() for word in words)
