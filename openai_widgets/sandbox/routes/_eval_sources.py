"""Where an eval run's items come from, and its input messages, all checked before anything runs.

Sources: `file_content` (lines given inline), `file_id` (a JSONL file from /files, each
line `{"item": {...}, "sample": {...}}`, the sample optional) and `stored_completions`
(chat completions kept with `store: true`, filtered by `metadata`, `model`,
`created_after`, `created_before` and `limit`; each becomes the item `{input, metadata,
model, completion_id}` with its answer as the sample). The `responses` source is refused:
the sandbox keeps no stored responses.

Items must fit the eval's item schema: its required properties present, its top-level
properties of the declared JSON types (a small check, not a full JSON Schema validator).
Input messages are a template (`{{item.x}}` only: the sample does not exist yet) or an
`item_reference` to a list of messages in the item (`item.input`).
"""

from __future__ import annotations

import json
from typing import Any

from .._grader_checks import message_texts
from .._http import ApiError
from .._templates import MissingVariable, lookup, variables
from ._checks import type_name
from ._eval_samples import render_messages
from .stored_completions import stored_completions

__all__ = ["STORED_ITEM_SCHEMA", "check_input_messages", "check_items", "messages_for", "read_items"]

STORED_ITEM_SCHEMA = {
    "type": "object",
    "properties": {
        "input": {"type": "array", "items": {"type": "object"}},
        "metadata": {"type": "object"},
        "model": {"type": "string"},
        "completion_id": {"type": "string"},
    },
    "required": ["input"],
}
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "number": (int, float),
    "integer": int,
    "boolean": bool,
    "object": dict,
    "array": list,
    "null": type(None),
}
_ROLES = ("user", "assistant", "system", "developer")

Line = tuple[dict[str, Any], dict[str, Any] | None]  # (item, the sample it brought)


def read_items(sandbox, source: Any, where: str) -> list[Line]:
    """The (item, sample) pairs of a data source's `source`."""
    if not isinstance(source, dict):
        raise _missing(where) if source is None else _invalid(where, "expected a source object.")
    kind = source.get("type")
    if kind == "file_content":
        return _lines(source.get("content"), f"{where}.content")
    if kind == "file_id":
        return _file_lines(sandbox, source.get("id"), f"{where}.id")
    if kind == "stored_completions":
        return _stored(sandbox, source, where)
    if kind == "responses":
        raise _invalid(f"{where}.type", "the sandbox keeps no stored responses; use file_content or file_id.")
    raise _invalid(
        f"{where}.type", f"{kind!r} is not a source type; use file_content, file_id or stored_completions."
    )


def _lines(content: Any, where: str) -> list[Line]:
    if not isinstance(content, list):
        raise _missing(where) if content is None else _invalid(where, "expected an array of {item, sample}.")
    found = []
    for index, line in enumerate(content):
        if not isinstance(line, dict) or not isinstance(line.get("item"), dict):
            raise _invalid(f"{where}[{index}]", "expected an object with an 'item' object.")
        sample = line.get("sample")
        if sample is not None and not isinstance(sample, dict):
            raise _invalid(f"{where}[{index}].sample", "expected an object.")
        found.append((line["item"], sample))
    return found


def _file_lines(sandbox, file_id: Any, where: str) -> list[Line]:
    if not isinstance(file_id, str) or not file_id:
        raise _missing(where)
    with sandbox.state.lock:
        content = sandbox.state.file_contents.get(file_id)
    if content is None:
        raise ApiError(404, f"No such File object: {file_id}", param=where)
    rows = []
    for number, text in enumerate(content.decode("utf-8", errors="replace").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            rows.append(json.loads(text))
        except ValueError:
            raise _invalid(where, f"line {number} of {file_id} is not valid JSON.") from None
    return _lines(rows, f"{where} ({file_id}) lines")


def _stored(sandbox, source: dict[str, Any], where: str) -> list[Line]:
    wanted = source.get("metadata") or {}
    model = source.get("model")
    after, before = source.get("created_after"), source.get("created_before")
    found: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for completion in stored_completions(sandbox):
        if model and completion["model"] != model:
            continue
        if after is not None and completion["created"] < after:
            continue
        if before is not None and completion["created"] > before:
            continue
        if any(completion["metadata"].get(k) != v for k, v in wanted.items()):
            continue
        with sandbox.state.lock:
            messages = sandbox.state.stored_completions[completion["id"]]["messages"]
        item = {
            "input": [
                {"role": m.get("role"), "content": " ".join(message_texts(m.get("content")))}
                for m in messages
            ],
            "metadata": completion["metadata"],
            "model": completion["model"],
            "completion_id": completion["id"],
        }
        answer = completion["choices"][0]["message"].get("content") or ""
        found.append((item, {"output_text": answer, "model": completion["model"]}))
    limit = source.get("limit")
    return found[:limit] if isinstance(limit, int) and limit > 0 else found


def check_items(lines: list[Line], schema: dict[str, Any] | None, where: str) -> None:
    """A 400 for the first item that does not fit the eval's item schema."""
    if not schema:
        return
    properties = schema.get("properties") or {}
    for index, (item, _) in enumerate(lines):
        missing = [name for name in schema.get("required") or [] if name not in item]
        if missing:
            raise _invalid(
                f"{where}[{index}].item",
                f"missing property {missing[0]!r}, which the eval's item_schema requires.",
            )
        for name, value in item.items():
            declared = (properties.get(name) or {}).get("type")
            kinds = declared if isinstance(declared, list) else [declared] if declared else []
            if kinds and not any(_is(value, kind) for kind in kinds):
                raise _invalid(
                    f"{where}[{index}].item.{name}",
                    f"expected {' or '.join(kinds)} as the eval's item_schema says, "
                    f"but got {type_name(value)}.",
                )


def _is(value: Any, kind: str) -> bool:
    if kind in {"number", "integer"} and isinstance(value, bool):
        return False
    return isinstance(value, _JSON_TYPES.get(kind, object))


def check_input_messages(value: Any, where: str, item_fields: frozenset[str] | None) -> dict[str, Any]:
    """A template of messages (using only `{{item.x}}`) or an `item_reference`."""
    if not isinstance(value, dict):
        raise _missing(where) if value is None else _invalid(where, "expected an object.")
    if value.get("type") == "item_reference":
        reference = value.get("item_reference")
        if not isinstance(reference, str) or not reference.startswith("item."):
            raise _invalid(f"{where}.item_reference", "expected a path such as 'item.input'.")
        return value
    if value.get("type") != "template":
        raise _invalid(f"{where}.type", "expected 'template' or 'item_reference'.")
    template = value.get("template")
    if not isinstance(template, list) or not template:
        raise _invalid(f"{where}.template", "expected a non-empty array of messages.")
    for index, message in enumerate(template):
        here = f"{where}.template[{index}]"
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            raise _invalid(f"{here}.role", f"expected one of {', '.join(_ROLES)}.")
        for text in message_texts(message.get("content")):
            for name in variables(text):
                space, _, rest = name.partition(".")
                top = rest.split(".")[0]
                if space != "item" or not top:
                    raise _invalid(
                        f"{here}.content",
                        f"unknown template variable {{{{{name}}}}}; "
                        "input messages may only use item.<field>.",
                    )
                if item_fields is not None and top not in item_fields:
                    known = ", ".join(sorted(item_fields))
                    raise _invalid(
                        f"{here}.content",
                        f"the template variable {{{{{name}}}}} is not a property of the item schema "
                        f"(properties: {known}).",
                    )
    return value


def messages_for(input_messages: dict[str, Any], item: dict[str, Any]) -> list[dict[str, str]]:
    """The messages the model gets for one item (raises MissingVariable when the item lacks one)."""
    if input_messages["type"] == "item_reference":
        found = lookup({"item": item}, input_messages["item_reference"])
        if not isinstance(found, list):
            raise MissingVariable(input_messages["item_reference"])
        return [
            {"role": str(m.get("role", "user")), "content": " ".join(message_texts(m.get("content")))}
            for m in found
            if isinstance(m, dict)
        ]
    return render_messages(input_messages["template"], item)


def _missing(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def _invalid(param: str, problem: str) -> ApiError:
    return ApiError(400, f"Invalid '{param}': {problem}", param=param, code="invalid_value")
