"""What `respond(input)` and conversation items may be, turned into Responses API input items.

`input` may be:
- a string: the user's message (sent as it is);
- a message dict (`{"role": ..., "content": ...}`) or any input item dict (`{"type":
  "function_call_output", ...}`): sent as one item;
- a list of such dicts: the items, in order;
- a list without dicts, or a single non-text value: one user message whose content holds
  each value as a part, in order:

      text                                   input_text
      a PIL image, image bytes, an image     input_image (files and PIL images as data URLs)
        path or URL, a data:image URL
      a path of another existing file,       input_file (the file's bytes as file_data, with
        or a file object with a .name          its name)
      a File ID ("file-...")                 input_file by file_id
      an http(s) URL of a document           input_file by file_url
      a content-part dict                    as given ({"type": "input_text", ...}; chat's
                                             "text" and "image_url" parts are translated)

Message content is checked the same way. Roles are user, assistant, system and developer;
an empty message or an unknown role is refused, with the item's index, before sending.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._chat.vision import IMAGE_SUFFIXES, image_part, is_image
from .._core.arguments import type_error
from .._core.errors import InvalidInputError

__all__ = ["MESSAGE_ROLES", "input_items", "response_input"]

MESSAGE_ROLES = ("user", "assistant", "system", "developer")
PART_TYPES = ("input_text", "input_image", "input_file", "input_audio", "text", "image_url")
MAX_FILE_BYTES = 50 * 1024 * 1024  # the API's limit for one file in the input
_FILE_ID = re.compile(r"^file-[A-Za-z0-9_-]+$")
_WEB_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_DOCUMENT_SUFFIXES = (".pdf", ".txt", ".md", ".csv", ".json", ".html", ".docx", ".pptx", ".xlsx", ".xml")


def response_input(value: Any, name: str = "input") -> str | list[dict[str, Any]]:
    """`value` as the Responses API's `input`: a string, or a list of items (see the module docstring)."""
    if isinstance(value, str):
        if not value.strip():
            raise InvalidInputError(f"{name} is empty; write the message")
        return value
    return input_items(value, name)


def input_items(value: Any, name: str = "items") -> list[dict[str, Any]]:
    """`value` as a list of input items (a string becomes one user message)."""
    if isinstance(value, str):
        return [_message({"role": "user", "content": response_input(value, name)}, name)]
    if isinstance(value, Mapping):
        return [_item(value, f"{name}[0]")]
    if isinstance(value, (list, tuple)):
        values = list(value)
        if not values:
            raise InvalidInputError(f"{name} is an empty list; give a message or at least one item")
        kinds = [_is_item(v) for v in values]
        if all(kinds):
            return [_item(v, f"{name}[{n}]") for n, v in enumerate(values)]
        if not any(kinds):
            return [_message({"role": "user", "content": values}, name)]
        first = kinds.index(not kinds[0])
        raise InvalidInputError(
            f"{name} mixes items and plain content ({name}[{first}]); pass either only message or item "
            "dicts, or only content (text, images, files) for one user message"
        )
    if _is_content(value):
        return [_message({"role": "user", "content": [value]}, name)]
    raise type_error(
        name, "text, a message dict, a list of messages or items, images, paths or File IDs", value
    )


def _is_item(value: Any) -> bool:
    return isinstance(value, Mapping) and ("role" in value or value.get("type") not in PART_TYPES)


def _is_content(value: Any) -> bool:
    return isinstance(value, (str, Path, bytes, bytearray)) or is_image(value) or _is_file_object(value)


def _item(value: Mapping[str, Any], where: str) -> dict[str, Any]:
    item = dict(value)
    if "role" in item and item.get("type", "message") == "message":
        return _message(item, where)
    if not isinstance(item.get("type"), str):
        raise InvalidInputError(
            f"{where} has neither a 'role' nor a 'type'; write {{'role': 'user', 'content': '...'}} "
            "or an input item such as {'type': 'function_call_output', ...}"
        )
    return item


def _message(message: dict[str, Any], where: str) -> dict[str, Any]:
    role = message.get("role")
    if role not in MESSAGE_ROLES:
        raise InvalidInputError(f"{where}.role {role!r} is not a role; use one of {', '.join(MESSAGE_ROLES)}")
    content = message.get("content")
    field = f"{where}.content"
    if isinstance(content, str):
        if not content.strip():
            raise InvalidInputError(f"{field} is empty; write the message or remove it")
        return message
    if content is None:
        raise InvalidInputError(f"{field} is missing; write the message or remove it")
    values = list(content) if isinstance(content, (list, tuple)) else [content]
    if not values:
        raise InvalidInputError(f"{field} is an empty list; write the message or remove it")
    parts = [content_part(v, f"{field}[{n}]") for n, v in enumerate(values)]
    if role != "user" and any(part["type"] in ("input_image", "input_file") for part in parts):
        raise InvalidInputError(f"{field} holds an image or a file; only user messages may hold them")
    if all(part["type"] == "input_text" and not str(part.get("text", "")).strip() for part in parts):
        raise InvalidInputError(f"{field} is empty; write the message or remove it")
    text_type = "output_text" if role == "assistant" else "input_text"
    return {
        **message,
        "content": [{**p, "type": text_type} if p["type"] == "input_text" else p for p in parts],
    }


def content_part(value: Any, where: str) -> dict[str, Any]:
    """One value of a message's content as a Responses API content part."""
    if isinstance(value, Mapping):
        return _given_part(dict(value), where)
    if isinstance(value, Path) and value.suffix.lower() not in IMAGE_SUFFIXES:
        return file_input(value, where)
    if is_image(value):
        return image_input(value, where)
    if isinstance(value, Path) or _is_file_object(value):
        return file_input(value, where)
    if isinstance(value, str):
        return _text_or_reference(value, where)
    raise type_error(where, "text, a PIL image, a path, a File ID, a URL or a content-part dict", value)


def image_input(value: Any, where: str) -> dict[str, Any]:
    """An `input_image` part for a PIL image, image bytes, an image path or URL."""
    if _is_file_object(value):
        value = _read_object(value, where)[1]
    url = image_part(value, where)["image_url"]["url"]
    return {"type": "input_image", "image_url": url, "detail": "auto"}


def file_input(value: Any, where: str) -> dict[str, Any]:
    """An `input_file` part with a local file's bytes (a path or a file object with a name)."""
    if _is_file_object(value):
        filename, data = _read_object(value, where)
    else:
        path = Path(value).expanduser()
        if not path.is_file():
            raise InvalidInputError(f"{where}: no file at {str(path)!r}; check the path")
        _check_size(path.stat().st_size, where)
        filename, data = path.name, path.read_bytes()
    if filename.lower().endswith(IMAGE_SUFFIXES):
        return image_input(data, where)
    _check_size(len(data), where)
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    encoded = base64.b64encode(data).decode("ascii")
    return {"type": "input_file", "filename": filename, "file_data": f"data:{mime};base64,{encoded}"}


def _text_or_reference(text: str, where: str) -> dict[str, Any]:
    stripped = text.strip()
    if _FILE_ID.match(stripped):
        return {"type": "input_file", "file_id": stripped}
    suffix = os.path.splitext(stripped.split("?")[0])[1].lower()
    if _WEB_URL.match(stripped) and suffix in _DOCUMENT_SUFFIXES:
        return {"type": "input_file", "file_url": stripped}
    if "\n" not in stripped and len(stripped) < 4096 and suffix and os.path.isfile(stripped):
        return file_input(Path(stripped), where)
    return {"type": "input_text", "text": text}


def _given_part(part: dict[str, Any], where: str) -> dict[str, Any]:
    kind = part.get("type")
    if kind == "text":  # chat's forms, so content written for chat() works here too
        return {"type": "input_text", "text": part.get("text", "")}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        detail = image.get("detail", "auto") if isinstance(image, dict) else "auto"
        return {"type": "input_image", "image_url": url, "detail": detail or "auto"}
    if not isinstance(kind, str):
        raise InvalidInputError(
            f"{where} is a dict without a 'type'; use {{'type': 'input_text', 'text': ...}} or "
            "{'type': 'input_image', 'image_url': ...}"
        )
    if kind == "input_image":
        part.setdefault("detail", "auto")
    return part


def _is_file_object(value: Any) -> bool:
    return hasattr(value, "read") and isinstance(getattr(value, "name", None), str)


def _read_object(value: Any, where: str) -> tuple[str, bytes]:
    data = value.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    _check_size(len(data), where)
    return os.path.basename(value.name) or "upload", bytes(data)


def _check_size(size: int, where: str) -> None:
    if size > MAX_FILE_BYTES:
        raise InvalidInputError(
            f"{where} is {size / 1024 / 1024:.1f} MB; a file in the input may be at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB: upload it with purpose 'user_data' and pass its File ID"
        )
