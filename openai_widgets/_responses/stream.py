"""Streamed responses: the Responses API's typed events folded back into one response.

`EventAssembler.add(event)` takes the events in order; `response()` is, at any moment, the
response as far as it arrived, in the shape of a whole one (so a streamed answer becomes
the same `Response` as a plain one):

    response.created / .queued / .in_progress      the response's head (model, ID, status)
    response.output_item.added / .done             an output item appears / is final
    response.content_part.added / .done            a part of a message
    response.output_text.delta / .done             the text of a part, piece by piece
    response.output_text.annotation.added          a citation in it
    response.refusal.delta / .done                 a refusal
    response.function_call_arguments.delta / .done the arguments of a function call
    response.reasoning_summary_part.added,         reasoning summaries
      response.reasoning_summary_text.delta / .done
    response.code_interpreter_call_code.delta      code being written
    response.<tool>_call.<status>                  a built-in tool's progress (searching, ...)
    response.completed / .incomplete / .failed     the whole response: it replaces the pieces

`ENDS` are the events that end a stream (the Responses API sends no `[DONE]`).
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["ENDS", "EventAssembler"]

ENDS = frozenset({"response.completed", "response.incomplete", "response.failed"})
_HEADS = ("response.created", "response.queued", "response.in_progress")
_TOOL_CALLS = (
    "web_search_call",
    "file_search_call",
    "code_interpreter_call",
    "image_generation_call",
    "mcp_call",
    "mcp_list_tools",
)


class EventAssembler:
    """Collects a stream's events; `response()` is what arrived so far, as a response object."""

    def __init__(self) -> None:
        self.head: dict[str, Any] = {}
        self.final: dict[str, Any] | None = None
        self.events = 0
        self._items: dict[int, dict[str, Any]] = {}

    @property
    def done(self) -> bool:
        return self.final is not None

    def add(self, event: dict[str, Any]) -> None:
        self.events += 1
        kind = str(event.get("type", ""))
        if kind in _HEADS and isinstance(event.get("response"), dict):
            self.head = event["response"]
        elif kind in ENDS and isinstance(event.get("response"), dict):
            self.final = event["response"]
        elif kind == "response.output_item.added" or kind == "response.output_item.done":
            self._items[event["output_index"]] = copy.deepcopy(event["item"])
        else:
            self._add_piece(kind, event)

    def response(self) -> dict[str, Any]:
        if self.final is not None:
            return self.final
        output = [self._items[index] for index in sorted(self._items)]
        return {**self.head, "output": output}

    # -- pieces of items ---------------------------------------------------------------------

    def _add_piece(self, kind: str, event: dict[str, Any]) -> None:
        item = self._items.get(event.get("output_index", -1))
        if item is None:
            return
        if kind.startswith("response.content_part."):
            _set(item.setdefault("content", []), event["content_index"], copy.deepcopy(event["part"]))
        elif kind in ("response.output_text.delta", "response.refusal.delta"):
            field = "text" if "output_text" in kind else "refusal"
            part = _part(item, event, "output_text" if field == "text" else "refusal")
            part[field] = part.get(field, "") + event.get("delta", "")
        elif kind in ("response.output_text.done", "response.refusal.done"):
            field = "text" if "output_text" in kind else "refusal"
            _part(item, event, "output_text" if field == "text" else "refusal")[field] = event.get(field, "")
        elif kind == "response.output_text.annotation.added":
            part = _part(item, event, "output_text")
            _set(part.setdefault("annotations", []), event.get("annotation_index", 0), event["annotation"])
        elif kind == "response.function_call_arguments.delta":
            item["arguments"] = item.get("arguments", "") + event.get("delta", "")
        elif kind == "response.function_call_arguments.done":
            item["arguments"] = event.get("arguments", item.get("arguments", ""))
        elif kind.startswith("response.reasoning_summary_"):
            self._add_summary(item, kind, event)
        elif kind == "response.code_interpreter_call_code.delta":
            item["code"] = (item.get("code") or "") + event.get("delta", "")
        elif kind == "response.code_interpreter_call_code.done":
            item["code"] = event.get("code", item.get("code"))
        else:
            _progress(item, kind)

    def _add_summary(self, item: dict[str, Any], kind: str, event: dict[str, Any]) -> None:
        summary = item.setdefault("summary", [])
        index = event.get("summary_index", 0)
        if kind == "response.reasoning_summary_part.added":
            _set(summary, index, copy.deepcopy(event.get("part") or {"type": "summary_text", "text": ""}))
            return
        while len(summary) <= index:
            summary.append({"type": "summary_text", "text": ""})
        if kind == "response.reasoning_summary_text.delta":
            summary[index]["text"] = summary[index].get("text", "") + event.get("delta", "")
        elif kind == "response.reasoning_summary_text.done":
            summary[index]["text"] = event.get("text", summary[index].get("text", ""))


def _part(item: dict[str, Any], event: dict[str, Any], kind: str) -> dict[str, Any]:
    content = item.setdefault("content", [])
    index = event.get("content_index", 0)
    while len(content) <= index:
        empty = {"type": "output_text", "text": "", "annotations": []} if kind == "output_text" else None
        content.append(empty or {"type": "refusal", "refusal": ""})
    return content[index]


def _set(items: list[Any], index: int, value: Any) -> None:
    while len(items) <= index:
        items.append(None)
    items[index] = value


def _progress(item: dict[str, Any], kind: str) -> None:
    """`response.web_search_call.searching` and the like: the item's status as it goes."""
    parts = kind.split(".")
    if len(parts) == 3 and parts[1] in _TOOL_CALLS:
        item["status"] = parts[2]
