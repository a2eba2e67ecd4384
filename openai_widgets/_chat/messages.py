"""Chat messages: what callers may pass, turned into what the API takes, checked before sending.

`messages` may be:
- a string: one user message;
- a dict: one message `{role, content, name}`;
- a list of such dicts: the conversation;
- a list without dicts (text, PIL images, image paths or URLs): one user message whose
  content holds them in order, so `chat(["What is in this picture?", img])` works.

Rules, each broken one named by message index and field: roles are system, developer,
user, assistant and tool; `name` holds letters, digits, `_` and `-`, at most 64
characters; content may not be empty (an assistant message with tool calls may have
none); images go in user messages only; a tool message needs its `tool_call_id`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .vision import content_part, is_image

__all__ = ["ROLES", "normalize_messages", "text_of"]

ROLES = ("system", "developer", "user", "assistant", "tool")
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def normalize_messages(messages: Any) -> list[dict[str, Any]]:
    """The messages in API form (images as data URLs), or an error saying what to change."""
    if isinstance(messages, str) or is_image(messages):
        messages = [{"role": "user", "content": messages}]
    elif isinstance(messages, Mapping):
        messages = [messages]
    elif isinstance(messages, (list, tuple)):
        messages = _as_message_list(list(messages))
    else:
        raise InvalidTypeError(
            f"messages must be a string, a message dict or a list of them, not {type(messages).__name__}"
        )
    if not messages:
        raise InvalidInputError("messages is empty; pass a string or at least one message")
    return [_checked(message, index) for index, message in enumerate(messages)]


def _as_message_list(items: list[Any]) -> list[Any]:
    # A dict is a message unless it is a content part ({"type": ..., no role}).
    dicts = [isinstance(item, Mapping) and ("role" in item or "type" not in item) for item in items]
    if all(dicts):
        return items
    if not any(dicts):
        return [{"role": "user", "content": items}] if items else []
    first = dicts.index(not dicts[0])
    raise InvalidInputError(
        f"messages mixes message dicts and plain content (item {first}); either pass only "
        "{'role': ..., 'content': ...} dicts, or only content for one user message"
    )


def _checked(message: Any, index: int) -> dict[str, Any]:
    where = f"messages[{index}]"
    if not isinstance(message, Mapping):
        raise InvalidTypeError(
            f"{where} must be a dict like {{'role': 'user', 'content': '...'}}, not {type(message).__name__}"
        )
    message = dict(message)
    role = message.get("role")
    if role is None:
        raise InvalidInputError(f"{where} has no 'role'; use one of {', '.join(ROLES)}")
    if role not in ROLES:
        raise InvalidInputError(f"{where}.role {role!r} is not a role; use one of {', '.join(ROLES)}")
    if message.get("name") is not None:
        _check_name(message["name"], where)
    else:
        message.pop("name", None)
    message["content"] = _content(message, where, role)
    if message["content"] is None:
        message.pop("content")
    if role == "tool" and not message.get("tool_call_id"):
        raise InvalidInputError(
            f"{where}.tool_call_id is missing; a tool message answers a tool call: give that call's id"
        )
    return message


def _check_name(name: Any, where: str) -> None:
    if not isinstance(name, str):
        raise InvalidTypeError(f"{where}.name must be a string, not {type(name).__name__}")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"{where}.name is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed"
        )
    if not _NAME.match(name):
        raise InvalidInputError(
            f"{where}.name {name!r} may only hold letters, digits, '_' and '-' (no spaces or dots)"
        )


def _content(message: dict[str, Any], where: str, role: str) -> Any:
    field = f"{where}.content"
    content = message.get("content")
    may_be_empty = role == "assistant" and bool(message.get("tool_calls") or message.get("function_call"))
    if content is None:
        if may_be_empty:
            return None
        raise InvalidInputError(f"{field} is missing; write the message or remove it")
    if isinstance(content, str):
        if not content.strip() and not may_be_empty:
            raise InvalidInputError(f"{field} is empty; write the message or remove it")
        return content
    items = list(content) if isinstance(content, (list, tuple)) else [content]
    if not items:
        raise InvalidInputError(f"{field} is an empty list; write the message or remove it")
    parts = [content_part(item, f"{field}[{n}]") for n, item in enumerate(items)]
    if role != "user" and any(part.get("type") == "image_url" for part in parts):
        raise InvalidInputError(f"{field} holds an image; only user messages may hold images")
    if all(part.get("type") == "text" and not str(part.get("text", "")).strip() for part in parts):
        raise InvalidInputError(f"{field} is empty; write the message or remove it")
    return parts


def text_of(content: Any) -> str:
    """The text of a message's content (text parts joined; images left out)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(
        str(part.get("text", "")) for part in content if isinstance(part, dict) and part.get("type") == "text"
    )
