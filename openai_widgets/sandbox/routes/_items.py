"""Items of the Responses and Conversations APIs: checked input, their stored form, their text.

A request's `input` (a string, or a list of messages and items) is checked here with
OpenAI's wording and `param` paths (`input[1].content[0].type`), then kept in the form the
API lists it back: every item with an ID and a status, string content turned into
`input_text` (or `output_text` for assistant messages) parts, images with a `detail`.
The reply logic reads items back as text with `item_text`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from .._http import ApiError
from ._chat_checks import describe_image
from ._checks import type_name

__all__ = [
    "check_items",
    "compaction_texts",
    "invalid_type",
    "invalid_value",
    "item_text",
    "missing",
    "new_id",
    "resolve_references",
    "store_item",
    "user_texts",
]

ROLES = ("user", "assistant", "system", "developer")
INPUT_PARTS = ("input_text", "input_image", "input_file")
ASSISTANT_PARTS = ("output_text", "refusal")
IMAGE_DETAILS = ("low", "high", "auto", "original")
# Items a request may carry besides messages: tool results, and earlier output replayed.
ITEM_TYPES = (
    "message",
    "function_call",
    "function_call_output",
    "reasoning",
    "item_reference",
    "compaction",
    "mcp_approval_response",
    "mcp_approval_request",
    "mcp_list_tools",
    "mcp_call",
    "web_search_call",
    "file_search_call",
    "code_interpreter_call",
    "image_generation_call",
)
# Short ID prefixes as OpenAI shapes them: msg_..., fc_..., fco_...
PREFIXES = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "reasoning": "rs",
    "compaction": "cmp",
    "mcp_approval_response": "mcpa",
    "mcp_approval_request": "mcpr",
    "mcp_list_tools": "mcpl",
    "mcp_call": "mcp",
    "web_search_call": "ws",
    "file_search_call": "fs",
    "code_interpreter_call": "ci",
    "image_generation_call": "ig",
}
COMPACTION_MARK = "sandbox-compaction:"  # how the sandbox's own compaction items begin


def new_id(sandbox, prefix: str) -> str:
    """A fresh ID in the Responses API's shape (`resp_...`, `msg_...`), deterministic per seed."""
    return f"{prefix}_{sandbox.state.new_id(prefix).split('-', 1)[1]}"


# -- OpenAI's error wording --------------------------------------------------------------------


def missing(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def invalid_type(param: str, expected: str, value: Any) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {type_name(value)} instead.",
        param=param,
        code="invalid_type",
    )


def invalid_value(param: str, value: Any, allowed: tuple[str, ...] | list[str]) -> ApiError:
    listed = ", ".join(f"'{a}'" for a in allowed[:-1]) + f", and '{allowed[-1]}'" if len(allowed) > 1 else ""
    return ApiError(
        400,
        f"Invalid value: '{value}'. Supported values are: {listed or repr(allowed[0])}.",
        param=param,
        code="invalid_value",
    )


# -- checking input ----------------------------------------------------------------------------


def check_items(value: Any, param: str = "input") -> list[dict[str, Any]]:
    """The request's input as a list of item dicts (a string is one user message)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    if not isinstance(value, list):
        raise invalid_type(param, "one of a string or array of input items", value)
    return [_check_item(item, f"{param}[{n}]") for n, item in enumerate(value)]


def _check_item(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise invalid_type(where, "an object", item)
    kind = item.get("type") or ("message" if "role" in item else None)
    if kind is None:
        raise missing(f"{where}.type")
    if kind not in ITEM_TYPES:
        raise invalid_value(f"{where}.type", kind, ITEM_TYPES)
    item = {**item, "type": kind}
    if kind == "message":
        _check_message(item, where)
    elif kind == "function_call_output":
        _need_string(item, "call_id", where)
        output = item.get("output")
        if output is None:
            raise missing(f"{where}.output")
        if not isinstance(output, (str, list)):
            raise invalid_type(f"{where}.output", "one of a string or array of content parts", output)
    elif kind == "function_call":
        for name in ("call_id", "name", "arguments"):
            _need_string(item, name, where)
    elif kind in ("item_reference",):
        _need_string(item, "id", where)
    elif kind == "compaction":
        _need_string(item, "encrypted_content", where)
    elif kind == "mcp_approval_response":
        _need_string(item, "approval_request_id", where)
        if not isinstance(item.get("approve"), bool):
            raise (
                missing(f"{where}.approve")
                if "approve" not in item
                else invalid_type(f"{where}.approve", "a boolean", item["approve"])
            )
    elif kind == "reasoning" and not isinstance(item.get("summary"), list):
        raise missing(f"{where}.summary")
    return item


def _need_string(item: dict[str, Any], name: str, where: str) -> None:
    if name not in item or item[name] is None:
        raise missing(f"{where}.{name}")
    if not isinstance(item[name], str):
        raise invalid_type(f"{where}.{name}", "a string", item[name])


def _check_message(item: dict[str, Any], where: str) -> None:
    role = item.get("role")
    if role is None:
        raise missing(f"{where}.role")
    if role not in ROLES:
        raise invalid_value(f"{where}.role", role, ROLES)
    content = item.get("content")
    if content is None:
        raise missing(f"{where}.content")
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise invalid_type(f"{where}.content", "one of a string or array of content parts", content)
    allowed = ASSISTANT_PARTS if role == "assistant" else INPUT_PARTS
    for n, part in enumerate(content):
        here = f"{where}.content[{n}]"
        if not isinstance(part, dict):
            raise invalid_type(here, "an object", part)
        kind = part.get("type")
        if kind is None:
            raise missing(f"{here}.type")
        if kind not in allowed:
            raise invalid_value(f"{here}.type", kind, allowed)
        _check_part(part, kind, here)


def _check_part(part: dict[str, Any], kind: str, here: str) -> None:
    if kind in ("input_text", "output_text"):
        if not isinstance(part.get("text"), str):
            raise (
                missing(f"{here}.text")
                if "text" not in part
                else invalid_type(f"{here}.text", "a string", part["text"])
            )
    elif kind == "input_image":
        url, file_id = part.get("image_url"), part.get("file_id")
        if not url and not file_id:
            raise ApiError(
                400,
                f"Invalid '{here}': an input_image needs an 'image_url' (an http(s) or base64 data URL) "
                "or a 'file_id'.",
                param=f"{here}.image_url",
                code="missing_required_parameter",
            )
        if url is not None:
            if not isinstance(url, str):
                raise invalid_type(f"{here}.image_url", "a string", url)
            describe_image(url, f"{here}.image_url")
        detail = part.get("detail")
        if detail is not None and detail not in IMAGE_DETAILS:
            raise invalid_value(f"{here}.detail", detail, IMAGE_DETAILS)
    elif kind == "input_file":
        if not any(part.get(k) for k in ("file_id", "file_data", "file_url")):
            raise ApiError(
                400,
                f"Invalid '{here}': an input_file needs one of 'file_id', 'file_data' or 'file_url'.",
                param=f"{here}.file_id",
                code="missing_required_parameter",
            )
        if part.get("file_data") and not part.get("filename"):
            raise missing(f"{here}.filename")
    elif kind == "refusal" and not isinstance(part.get("refusal"), str):
        raise missing(f"{here}.refusal")


# -- the stored form ---------------------------------------------------------------------------


def store_item(sandbox, item: dict[str, Any]) -> dict[str, Any]:
    """The item as the API lists it back: with an ID, a status and full content parts."""
    kind = item["type"]
    stored = {k: v for k, v in item.items() if v is not None or k in ("output",)}
    stored["id"] = item.get("id") or new_id(sandbox, PREFIXES[kind])
    if kind == "message":
        stored["content"] = _parts(item["role"], item["content"])
        stored["status"] = item.get("status") or "completed"
    elif kind in ("function_call", "function_call_output", "mcp_call"):
        stored["status"] = item.get("status") or "completed"
    return stored


def _parts(role: str, content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        if role == "assistant":
            return [{"type": "output_text", "text": content, "annotations": [], "logprobs": []}]
        return [{"type": "input_text", "text": content}]
    parts = []
    for part in content:
        part = dict(part)
        if part["type"] == "output_text":
            part.setdefault("annotations", [])
            part.setdefault("logprobs", [])
        if part["type"] == "input_image":
            part.setdefault("detail", "auto")
            part.setdefault("image_url", None)
            part.setdefault("file_id", None)
        parts.append(part)
    return parts


def resolve_references(sandbox, items: list[dict[str, Any]], param: str = "input") -> list[dict[str, Any]]:
    """`item_reference` items replaced by the stored items they name (from responses or conversations)."""
    if not any(item["type"] == "item_reference" for item in items):
        return items
    known: dict[str, dict[str, Any]] = {}
    with sandbox.state.lock:
        for entry in sandbox.state.responses.values():
            for stored in [*entry["input_items"], *entry["record"]["output"]]:
                known[stored["id"]] = stored
        for entry in sandbox.state.conversations.values():
            for _, stored in entry["items"]:
                known[stored["id"]] = stored
    resolved = []
    for n, item in enumerate(items):
        if item["type"] != "item_reference":
            resolved.append(item)
        elif item["id"] in known:
            resolved.append(known[item["id"]])
        else:
            raise ApiError(404, f"Item with id '{item['id']}' not found.", param=f"{param}[{n}].id")
    return resolved


# -- reading items as text ---------------------------------------------------------------------


def item_text(item: dict[str, Any]) -> str:
    """What an item says, for replies, transcripts and token counts."""
    kind = item.get("type")
    if kind == "message":
        content = item.get("content")
        if isinstance(content, str):
            return content
        return " ".join(
            str(part.get("text") or part.get("refusal") or "")
            for part in content or []
            if isinstance(part, dict) and part.get("type") in ("input_text", "output_text", "refusal")
        )
    if kind == "function_call":
        return f"{item.get('name')}({item.get('arguments')})"
    if kind == "function_call_output":
        return output_text(item.get("output"))
    if kind == "mcp_call":
        return str(item.get("output") or "")
    if kind == "reasoning":
        return " ".join(str(part.get("text", "")) for part in item.get("summary") or [])
    return ""


def output_text(output: Any) -> str:
    """A function_call_output's output: a string, or the text of its content parts."""
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return " ".join(str(p.get("text", "")) for p in output if isinstance(p, dict))
    return json.dumps(output)


def user_texts(items: list[dict[str, Any]]) -> list[str]:
    """The text of each user message, oldest first, counting those a compaction item holds."""
    texts: list[str] = []
    for item in items:
        if item.get("type") == "compaction":
            texts += compaction_texts(item)
        elif item.get("type") == "message" and item.get("role") == "user":
            texts.append(item_text(item).strip())
    return texts


def compaction_texts(item: dict[str, Any]) -> list[str]:
    """The user messages a sandbox compaction item stands for ([] for one it did not make)."""
    content = str(item.get("encrypted_content") or "")
    if not content.startswith(COMPACTION_MARK):
        return []
    try:
        data = json.loads(base64.b64decode(content[len(COMPACTION_MARK) :]))
    except ValueError:
        return []
    texts = data.get("user_texts") if isinstance(data, dict) else None
    return [str(t) for t in texts] if isinstance(texts, list) else []


def compaction_content(texts: list[str], item_count: int) -> str:
    """The `encrypted_content` of a sandbox compaction: readable, and marked as the sandbox's."""
    data = {"sandbox": "compaction of the earlier turns", "items": item_count, "user_texts": texts}
    return COMPACTION_MARK + base64.b64encode(json.dumps(data).encode()).decode()
