"""What POST /responses refuses, with OpenAI's wording and the `param` to change.

`check_create(body, sandbox)` reads a create request into an `Asked` (the request,
checked and with its defaults), or raises the 400/404 the API gives for the first thing
wrong: an unknown parameter, a model the sandbox does not have, bad input items,
numbers out of the spec's bounds, settings a model does not take (reasoning on a GPT-4o,
temperature on a reasoning model), a text format or tool that is not well formed, a
tool_choice naming a tool that is not offered, or an `include` value that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .._http import ApiError
from .._schema_data import strict_problem
from ._checks import check_range, is_chat_model
from ._items import check_items, invalid_type, invalid_value, item_text, missing

__all__ = ["Asked", "check_create", "check_metadata", "is_reasoning_model"]

KNOWN = {
    "model",
    "input",
    "instructions",
    "previous_response_id",
    "conversation",
    "store",
    "metadata",
    "max_output_tokens",
    "max_tool_calls",
    "temperature",
    "top_p",
    "top_logprobs",
    "reasoning",
    "text",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "background",
    "stream",
    "stream_options",
    "include",
    "truncation",
    "service_tier",
    "user",
    "safety_identifier",
    "prompt_cache_key",
    "prompt_cache_retention",
    "prompt_cache_options",
    "context_management",
    "moderation",
    "prompt",
}
INCLUDE = (
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
)
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
SUMMARIES = ("auto", "concise", "detailed")
FORMATS = ("text", "json_object", "json_schema")
VERBOSITY = ("low", "medium", "high")
WEB_SEARCH = ("web_search", "web_search_2025_08_26", "web_search_preview", "web_search_preview_2025_03_11")
TOOL_TYPES = ("function", "file_search", *WEB_SEARCH, "code_interpreter", "image_generation", "mcp")
HOSTED_CHOICES = ("file_search", *WEB_SEARCH, "code_interpreter", "image_generation")
IMAGE_SIZES = ("1024x1024", "1024x1536", "1536x1024", "auto")
IMAGE_FORMATS = ("png", "webp", "jpeg")
IMAGE_QUALITIES = ("low", "medium", "high", "auto")
IMAGE_BACKGROUNDS = ("transparent", "opaque", "auto")
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass
class Asked:
    """A checked create request, with the API's defaults filled in."""

    body: dict[str, Any]
    model: str
    input: list[dict[str, Any]]
    instructions: str | None = None
    previous_response_id: str | None = None
    conversation: str | None = None
    store: bool = True
    background: bool = False
    stream: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
    max_output_tokens: int | None = None
    max_tool_calls: int | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    top_logprobs: int = 0
    reasoning: dict[str, Any] | None = None  # {"effort", "summary"} for reasoning models
    text: dict[str, Any] = field(default_factory=lambda: {"format": {"type": "text"}, "verbosity": "medium"})
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = "auto"
    parallel_tool_calls: bool = True
    include: list[str] = field(default_factory=list)

    @property
    def format(self) -> dict[str, Any]:
        return self.text["format"]


def is_reasoning_model(model_id: str) -> bool:
    """o-series and GPT-5 models think before they answer (gpt-5-chat models do not)."""
    base = model_id.lower().split(":")[1] if model_id.startswith("ft:") else model_id.lower()
    return re.match(r"o\d", base) is not None or (base.startswith("gpt-5") and "chat" not in base)


def check_create(body: dict[str, Any], sandbox) -> Asked:
    unknown = next((key for key in body if key not in KNOWN), None)
    if unknown is not None:
        raise ApiError(400, f"Unknown parameter: '{unknown}'.", param=unknown, code="unknown_parameter")
    if body.get("prompt") is not None:
        raise ApiError(
            400,
            "The sandbox has no stored prompt templates: send 'input' and 'instructions' instead.",
            param="prompt",
        )
    model = check_model(body.get("model"), sandbox)
    asked = Asked(body=body, model=model, input=check_items(body.get("input")))
    _check_numbers(body, asked)
    _check_flags(body, asked)
    asked.metadata = check_metadata(body.get("metadata"))
    asked.instructions = _optional_string(body, "instructions")
    asked.reasoning = _check_reasoning(body.get("reasoning"), model)
    asked.text = _check_text(body.get("text"), asked)
    asked.tools = _check_tools(body.get("tools"))
    asked.tool_choice = _check_tool_choice(body.get("tool_choice"), asked.tools)
    asked.include = _check_include(body.get("include"))
    _check_threading(body, asked)
    return asked


def check_model(value: Any, sandbox) -> str:
    model = sandbox.state.model(value)["id"]
    if not is_chat_model(model):
        raise ApiError(
            400,
            f"The model '{model}' is not supported with the Responses API.",
            param="model",
            code="model_not_supported",
        )
    return model


def _check_numbers(body: dict[str, Any], asked: Asked) -> None:
    check_range(body, "temperature", 0, 2)
    check_range(body, "top_p", 0, 1)
    check_range(body, "top_logprobs", 0, 20, integer=True)
    check_range(body, "max_output_tokens", 16, 10**7, integer=True)
    check_range(body, "max_tool_calls", 1, 10**4, integer=True)
    if is_reasoning_model(asked.model):
        for name in ("temperature", "top_p"):
            if body.get(name) is not None:
                raise ApiError(
                    400,
                    f"Unsupported parameter: '{name}' is not supported with this model.",
                    param=name,
                    code="unsupported_parameter",
                )
    temperature, top_p = body.get("temperature"), body.get("top_p")
    asked.temperature = temperature if temperature is not None else 1.0
    asked.top_p = top_p if top_p is not None else 1.0
    asked.top_logprobs = body.get("top_logprobs") or 0
    asked.max_output_tokens = body.get("max_output_tokens")
    asked.max_tool_calls = body.get("max_tool_calls")


def _check_flags(body: dict[str, Any], asked: Asked) -> None:
    for name in ("stream", "store", "background", "parallel_tool_calls"):
        value = body.get(name)
        if value is not None and not isinstance(value, bool):
            raise invalid_type(name, "a boolean", value)
    asked.stream = bool(body.get("stream"))
    asked.store = body.get("store") is not False
    asked.background = bool(body.get("background"))
    asked.parallel_tool_calls = body.get("parallel_tool_calls") is not False
    if body.get("stream_options") is not None and not asked.stream:
        raise ApiError(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
        )
    if asked.background and not asked.store:
        raise ApiError(
            400, "Background responses must be stored: drop store=false or background=true.", param="store"
        )
    truncation = body.get("truncation")
    if truncation is not None and truncation not in ("auto", "disabled"):
        raise invalid_value("truncation", truncation, ("auto", "disabled"))


def check_metadata(value: Any, param: str = "metadata") -> dict[str, str]:
    """Up to 16 string pairs, keys up to 64 characters and values up to 512, as the API allows."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_type(param, "an object", value)
    if len(value) > 16:
        raise ApiError(
            400,
            f"Invalid '{param}': too many properties. Expected an object with at most 16 properties, "
            f"but got an object with {len(value)} properties instead.",
            param=param,
            code="object_above_max_properties",
        )
    for key, item in value.items():
        if len(key) > 64:
            raise ApiError(
                400,
                f"Invalid '{param}': key too long. Expected a key with maximum length 64, but got a key "
                f"with length {len(key)} instead.",
                param=param,
                code="string_above_max_length",
            )
        if not isinstance(item, str):
            raise invalid_type(f"{param}.{key}", "a string", item)
        if len(item) > 512:
            raise ApiError(
                400,
                f"Invalid '{param}.{key}': string too long. Expected a string with maximum length 512, "
                f"but got a string with length {len(item)} instead.",
                param=f"{param}.{key}",
                code="string_above_max_length",
            )
    return dict(value)


def _optional_string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid_type(name, "a string", value)
    return value


def _check_reasoning(value: Any, model: str) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise invalid_type("reasoning", "an object", value)
    value = value or {}
    if not is_reasoning_model(model):
        for key in ("effort", "summary"):
            if value.get(key) is not None:
                raise ApiError(
                    400,
                    f"Unsupported parameter: 'reasoning.{key}' is not supported with this model.",
                    param=f"reasoning.{key}",
                    code="unsupported_parameter",
                )
        return None
    effort = value.get("effort") or "medium"
    if effort not in EFFORTS:
        raise invalid_value("reasoning.effort", effort, EFFORTS)
    summary = value.get("summary") or value.get("generate_summary")
    if summary is not None and summary not in SUMMARIES:
        raise invalid_value("reasoning.summary", summary, SUMMARIES)
    return {"effort": effort, "summary": summary}


def _check_text(value: Any, asked: Asked) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise invalid_type("text", "an object", value)
    fmt = value.get("format") or {"type": "text"}
    if not isinstance(fmt, dict):
        raise invalid_type("text.format", "an object", fmt)
    kind = fmt.get("type")
    if kind not in FORMATS:
        raise invalid_value("text.format.type", kind, FORMATS)
    if kind == "json_schema":
        _check_json_schema(fmt)
    if kind == "json_object" and "json" not in _all_text(asked).lower():
        raise ApiError(
            400,
            "Response input messages must contain the word 'json' in some form to use 'text.format' of "
            "type 'json_object'.",
            param="input",
        )
    verbosity = value.get("verbosity") or "medium"
    if verbosity not in VERBOSITY:
        raise invalid_value("text.verbosity", verbosity, VERBOSITY)
    return {"format": fmt, "verbosity": verbosity}


def _check_json_schema(fmt: dict[str, Any]) -> None:
    name = fmt.get("name")
    if name is None:
        raise missing("text.format.name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError(
            400,
            "Invalid 'text.format.name': string does not match pattern. Expected a string that matches "
            "the pattern '^[a-zA-Z0-9_-]+$' (at most 64 characters).",
            param="text.format.name",
            code="invalid_value",
        )
    schema = fmt.get("schema")
    if schema is None:
        raise missing("text.format.schema")
    if not isinstance(schema, dict):
        raise invalid_type("text.format.schema", "an object", schema)
    if fmt.get("strict"):
        problem = strict_problem(schema)
        if problem:
            raise ApiError(
                400,
                f"Invalid schema for response_format '{name}': {problem}",
                param="text.format.schema",
                code="invalid_json_schema",
            )


def _all_text(asked: Asked) -> str:
    return " ".join([asked.body.get("instructions") or "", *(item_text(i) for i in asked.input)])


def _check_tools(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_type("tools", "an array of objects", value)
    names: set[str] = set()
    for n, tool in enumerate(value):
        where = f"tools[{n}]"
        if not isinstance(tool, dict):
            raise invalid_type(where, "an object", tool)
        kind = tool.get("type")
        if kind is None:
            raise missing(f"{where}.type")
        if kind not in TOOL_TYPES:
            raise ApiError(
                400,
                f"Invalid value: '{kind}'. The sandbox offers tools of type "
                f"{', '.join(repr(t) for t in TOOL_TYPES)}.",
                param=f"{where}.type",
                code="invalid_value",
            )
        _TOOL_CHECKS.get(kind, lambda tool, where: None)(tool, where)
        label = (
            tool.get("name") if kind == "function" else tool.get("server_label") if kind == "mcp" else None
        )
        if label is not None:
            if label in names:
                raise ApiError(
                    400, f"Duplicate tool name: '{label}'. Tool names must be unique.", param=where
                )
            names.add(label)
    return value


def _check_function(tool: dict[str, Any], where: str) -> None:
    name = tool.get("name")
    if name is None:
        raise missing(f"{where}.name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError(
            400,
            f"Invalid '{where}.name': string does not match pattern. Expected a string that matches the "
            "pattern '^[a-zA-Z0-9_-]+$' (at most 64 characters).",
            param=f"{where}.name",
            code="invalid_value",
        )
    parameters = tool.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise invalid_type(f"{where}.parameters", "an object", parameters)
    if tool.get("strict") and parameters is not None:
        problem = strict_problem(parameters)
        if problem:
            raise ApiError(
                400,
                f"Invalid schema for function '{name}': {problem}",
                param=f"{where}.parameters",
                code="invalid_function_parameters",
            )


def _check_file_search(tool: dict[str, Any], where: str) -> None:
    ids = tool.get("vector_store_ids")
    if ids is None:
        raise missing(f"{where}.vector_store_ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise invalid_type(f"{where}.vector_store_ids", "an array of strings", ids)
    check_range(tool, "max_num_results", 1, 50, integer=True, where=where)


def _check_code_interpreter(tool: dict[str, Any], where: str) -> None:
    container = tool.get("container")
    if container is None:
        raise missing(f"{where}.container")
    if isinstance(container, dict):
        if container.get("type") != "auto":
            raise invalid_value(f"{where}.container.type", container.get("type"), ("auto",))
    elif not isinstance(container, str):
        raise invalid_type(f"{where}.container", "one of a string or object", container)


def _check_image_generation(tool: dict[str, Any], where: str) -> None:
    for name, allowed in (
        ("size", IMAGE_SIZES),
        ("output_format", IMAGE_FORMATS),
        ("quality", IMAGE_QUALITIES),
        ("background", IMAGE_BACKGROUNDS),
    ):
        value = tool.get(name)
        if value is not None and value not in allowed:
            raise invalid_value(f"{where}.{name}", value, allowed)
    check_range(tool, "partial_images", 0, 3, integer=True, where=where)


def _check_mcp(tool: dict[str, Any], where: str) -> None:
    if not tool.get("server_label"):
        raise missing(f"{where}.server_label")
    if not tool.get("server_url") and not tool.get("connector_id"):
        raise missing(f"{where}.server_url")
    approval = tool.get("require_approval")
    if isinstance(approval, str) and approval not in ("always", "never"):
        raise invalid_value(f"{where}.require_approval", approval, ("always", "never"))


_TOOL_CHECKS = {
    "function": _check_function,
    "file_search": _check_file_search,
    "code_interpreter": _check_code_interpreter,
    "image_generation": _check_image_generation,
    "mcp": _check_mcp,
}


def _check_tool_choice(choice: Any, tools: list[dict[str, Any]]) -> Any:
    if choice is None:
        return "auto"
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise invalid_value("tool_choice", choice, ("none", "auto", "required"))
        return choice
    if not isinstance(choice, dict):
        raise invalid_type("tool_choice", "one of a string or object", choice)
    kind = choice.get("type")
    offered = {tool["type"] for tool in tools}
    if kind == "function":
        names = {tool.get("name") for tool in tools if tool["type"] == "function"}
        if choice.get("name") not in names:
            raise ApiError(400, "Tool choice 'function' not found in 'tools' parameter.", param="tool_choice")
    elif kind == "mcp":
        labels = {tool.get("server_label") for tool in tools if tool["type"] == "mcp"}
        if choice.get("server_label") not in labels:
            raise ApiError(400, "Tool choice 'mcp' not found in 'tools' parameter.", param="tool_choice")
    elif kind in HOSTED_CHOICES:
        family = WEB_SEARCH if kind in WEB_SEARCH else (kind,)
        if not offered & set(family):
            raise ApiError(400, f"Tool choice '{kind}' not found in 'tools' parameter.", param="tool_choice")
    elif kind == "allowed_tools":
        if choice.get("mode") not in ("auto", "required"):
            raise invalid_value("tool_choice.mode", choice.get("mode"), ("auto", "required"))
        if not isinstance(choice.get("tools"), list):
            raise missing("tool_choice.tools")
    else:
        allowed = ("function", "mcp", "allowed_tools", *HOSTED_CHOICES)
        raise invalid_value("tool_choice.type", kind, allowed)
    return choice


def _check_include(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_type("include", "an array of strings", value)
    for n, item in enumerate(value):
        if item not in INCLUDE:
            raise invalid_value(f"include[{n}]", item, INCLUDE)
    return list(value)


def _check_threading(body: dict[str, Any], asked: Asked) -> None:
    previous = _optional_string(body, "previous_response_id")
    conversation = body.get("conversation")
    if isinstance(conversation, dict):
        if not isinstance(conversation.get("id"), str):
            raise missing("conversation.id")
        conversation = conversation["id"]
    elif conversation is not None and not isinstance(conversation, str):
        raise invalid_type("conversation", "one of a string or object", conversation)
    if previous and conversation:
        raise ApiError(
            400,
            "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' "
            "or 'conversation'.",
            param="conversation",
            code="mutually_exclusive_parameters",
        )
    asked.previous_response_id = previous
    asked.conversation = conversation
