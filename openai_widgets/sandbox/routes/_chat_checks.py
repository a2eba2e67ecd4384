"""What POST /chat/completions refuses, with the status and wording OpenAI uses."""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Any

from .._http import ApiError
from .._schema_data import strict_problem
from ._checks import check_range, type_name
from ._replies import message_text

__all__ = ["check_chat_options", "check_messages", "describe_image", "images_of"]

ROLES = ("system", "assistant", "user", "function", "tool", "developer")
_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
# Content part types each role may send (assistant parts are text or refusal).
_PART_TYPES = {
    "user": {"text", "image_url", "input_audio", "file"},
    "system": {"text"},
    "developer": {"text"},
    "tool": {"text"},
    "assistant": {"text", "refusal"},
    "function": {"text"},
}


def _missing(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def _invalid_type(param: str, expected: str, value: Any) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {type_name(value)} instead.",
        param=param,
        code="invalid_type",
    )


def _empty_array(param: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{param}': empty array. Expected an array with minimum length 1, "
        "but got an empty array instead.",
        param=param,
        code="empty_array",
    )


def check_messages(messages: Any) -> list[dict[str, Any]]:
    """The messages, or the 400 OpenAI gives for the first thing wrong with them."""
    if messages is None:
        raise _missing("messages")
    if not isinstance(messages, list):
        raise _invalid_type("messages", "an array of objects", messages)
    if not messages:
        raise _empty_array("messages")
    after_tool_calls = False  # a tool message must answer an assistant message's tool_calls
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise _invalid_type(where, "an object", message)
        role = message.get("role")
        if role is None:
            raise _missing(f"{where}.role")
        if role not in ROLES:
            raise ApiError(
                400,
                f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', "
                "'function', 'tool', and 'developer'.",
                param=f"{where}.role",
                code="invalid_value",
            )
        _check_name(message, where)
        _check_content(message, where, role)
        if role == "tool":
            if not after_tool_calls:
                raise ApiError(
                    400,
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                    "message with 'tool_calls'.",
                    param=f"{where}.role",
                )
            if not message.get("tool_call_id"):
                raise _missing(f"{where}.tool_call_id")
        else:
            after_tool_calls = role == "assistant" and bool(message.get("tool_calls"))
    return messages


def _check_name(message: dict[str, Any], where: str) -> None:
    name = message.get("name")
    if name is None:
        return
    param = f"{where}.name"
    if not isinstance(name, str):
        raise _invalid_type(param, "a string", name)
    if len(name) > 64:
        raise ApiError(
            400,
            f"Invalid '{param}': string too long. Expected a string with maximum length 64, "
            f"but got a string with length {len(name)} instead.",
            param=param,
            code="string_above_max_length",
        )
    if not _NAME.match(name):
        raise ApiError(
            400,
            f"Invalid '{param}': string does not match pattern. Expected a string that matches "
            "the pattern '^[a-zA-Z0-9_-]+$'.",
            param=param,
            code="invalid_value",
        )


def _check_content(message: dict[str, Any], where: str, role: str) -> None:
    param = f"{where}.content"
    content = message.get("content")
    if content is None:
        if role == "assistant" and (message.get("tool_calls") or message.get("function_call")):
            return
        if role != "assistant" or "content" not in message:
            raise _missing(param)
        return
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _invalid_type(param, "one of a string or array of objects", content)
    if not content:
        raise _empty_array(param)
    for number, part in enumerate(content):
        part_param = f"{param}[{number}]"
        if not isinstance(part, dict):
            raise _invalid_type(part_param, "an object", part)
        kind = part.get("type")
        if kind is None:
            raise _missing(f"{part_param}.type")
        if kind == "image_url" and role != "user":
            raise ApiError(
                400,
                f"Image URLs are only allowed for messages with role 'user', but this message with "
                f"role '{role}' contains an image URL.",
                param=part_param,
                code="invalid_value",
            )
        if kind not in _PART_TYPES[role]:
            raise ApiError(
                400,
                f"Invalid value: '{kind}'. Supported values are: "
                f"{', '.join(repr(t) for t in sorted(_PART_TYPES[role]))}.",
                param=f"{part_param}.type",
                code="invalid_value",
            )
        if kind == "text" and not isinstance(part.get("text"), str):
            raise _missing(f"{part_param}.text")
        if kind == "image_url":
            url = (
                (part.get("image_url") or {}).get("url") if isinstance(part.get("image_url"), dict) else None
            )
            if not isinstance(url, str) or not url:
                raise _missing(f"{part_param}.image_url.url")
            describe_image(url, f"{part_param}.image_url.url")


def images_of(content: Any) -> list[str]:
    """The image URLs of a message's content."""
    if not isinstance(content, list):
        return []
    return [
        part["image_url"]["url"]
        for part in content
        if isinstance(part, dict)
        and part.get("type") == "image_url"
        and isinstance(part.get("image_url"), dict)
    ]


def describe_image(url: str, param: str = "image_url") -> str:
    """`64x64` for a data URL the sandbox can decode, `remote` for a web URL; 400 otherwise."""
    if url.startswith(("http://", "https://")):
        return "remote"
    match = re.match(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.*)$", url, re.DOTALL)
    if match is None:
        raise ApiError(
            400,
            "Invalid image URL: expected an http(s) URL or a base64 data URL "
            "(data:image/png;base64,... or image/jpeg, image/gif, image/webp).",
            param=param,
            code="invalid_image_url",
        )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(base64.b64decode(match.group(2), validate=True))) as image:
            return f"{image.width}x{image.height}"
    except (binascii.Error, UnidentifiedImageError, ValueError, OSError):
        raise ApiError(
            400,
            "You uploaded an unsupported image. Please make sure your image is valid.",
            param=param,
            code="invalid_image_format",
        ) from None


def check_chat_options(body: dict[str, Any], messages: list[dict[str, Any]]) -> None:
    """Sampling settings, stop, response_format, tools and streaming options."""
    check_range(body, "temperature", 0, 2)
    check_range(body, "top_p", 0, 1)
    check_range(body, "presence_penalty", -2, 2)
    check_range(body, "frequency_penalty", -2, 2)
    check_range(body, "n", 1, 128, integer=True)
    check_range(body, "top_logprobs", 0, 20, integer=True)
    check_range(body, "max_tokens", 1, 10**7, integer=True)
    check_range(body, "max_completion_tokens", 1, 10**7, integer=True)
    if body.get("top_logprobs") is not None and not body.get("logprobs"):
        raise ApiError(
            400,
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true to use 'top_logprobs'.",
            param="top_logprobs",
        )
    _check_stop(body.get("stop"))
    _check_response_format(body.get("response_format"), messages)
    _check_tools(body.get("tools"), body.get("tool_choice"))
    if body.get("stream_options") is not None and not body.get("stream"):
        raise ApiError(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
        )


def _check_stop(stop: Any) -> None:
    if stop is None or isinstance(stop, str):
        return
    if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
        raise _invalid_type("stop", "one of a string or array of strings", stop)
    if len(stop) > 4:
        raise ApiError(
            400,
            f"Invalid 'stop': array too long. Expected an array with maximum length 4, "
            f"but got an array with length {len(stop)} instead.",
            param="stop",
            code="array_above_max_length",
        )


def _check_response_format(response_format: Any, messages: list[dict[str, Any]]) -> None:
    if response_format is None:
        return
    if not isinstance(response_format, dict):
        raise _invalid_type("response_format", "an object", response_format)
    kind = response_format.get("type")
    if kind not in {"text", "json_object", "json_schema"}:
        raise ApiError(
            400,
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', and 'json_schema'.",
            param="response_format.type",
            code="invalid_value",
        )
    if kind == "json_schema":
        schema = response_format.get("json_schema")
        if not isinstance(schema, dict) or not schema.get("name"):
            raise _missing(
                "response_format.json_schema.name"
                if isinstance(schema, dict)
                else "response_format.json_schema"
            )
        problem = strict_problem(schema.get("schema")) if schema.get("strict") else None
        if problem:
            raise ApiError(
                400,
                f"Invalid schema for response_format '{schema['name']}': {problem}",
                param="response_format",
                code="invalid_json_schema",
            )
    if kind == "json_object":
        words = " ".join(message_text(m.get("content")) for m in messages).lower()
        if "json" not in words:
            raise ApiError(
                400,
                "'messages' must contain the word 'json' in some form, to use 'response_format' of "
                "type 'json_object'.",
                param="messages",
            )


def _check_tools(tools: Any, tool_choice: Any) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        raise _invalid_type("tools", "an array of objects", tools)
    names = []
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise _invalid_type(f"tools[{index}]", "an object", tool)
        if tool.get("type") == "function":
            function = tool.get("function")
            if not isinstance(function, dict) or not function.get("name"):
                raise _missing(
                    f"tools[{index}].function.name"
                    if isinstance(function, dict)
                    else f"tools[{index}].function"
                )
            names.append(function["name"])
    if isinstance(tool_choice, dict) and tool_choice.get("type") == "function":
        wanted = (tool_choice.get("function") or {}).get("name")
        if wanted not in names:
            raise ApiError(
                400,
                f"Invalid value for 'tool_choice': tool '{wanted}' is not among the tools given.",
                param="tool_choice",
            )
