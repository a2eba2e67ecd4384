"""A finished response told as the Responses API streams it: typed events with sequence numbers.

response.created (and response.queued for a background response), response.in_progress,
then for each output item: response.output_item.added, the events of its kind, and
response.output_item.done; last response.completed, response.incomplete or
response.failed with the whole response. The events of each kind:

- message: content_part.added, output_text.delta per token, output_text.annotation.added
  per citation, output_text.done, content_part.done;
- reasoning: per summary part reasoning_summary_part.added, reasoning_summary_text.delta
  and .done, reasoning_summary_part.done;
- function_call: function_call_arguments.delta per token, then .done;
- web_search_call, file_search_call: .in_progress, .searching, .completed;
- code_interpreter_call: .in_progress, code_interpreter_call_code.delta per line and
  .done, .interpreting, .completed;
- image_generation_call: .in_progress, .generating, .partial_image (as many as asked),
  .completed;
- mcp_list_tools: .in_progress, .completed; mcp_call: .in_progress,
  mcp_call_arguments.delta and .done, .completed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from ._replies import pieces

__all__ = ["response_events", "unfinished"]

_ENDS = {
    "completed": "response.completed",
    "incomplete": "response.incomplete",
    "failed": "response.failed",
    "cancelled": "response.failed",
}


def response_events(
    record: dict[str, Any], partials: dict[str, list[str]], *, queued: bool = False, after: int = -1
) -> Iterator[dict[str, Any]]:
    """The events of `record` (a finished response), those numbered above `after`."""
    numbers = itertools.count()

    def event(kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "sequence_number": next(numbers), **fields}

    def stream() -> Iterator[dict[str, Any]]:
        shell = unfinished(record, "queued" if queued else "in_progress")
        yield event("response.created", response=shell)
        if queued:
            yield event("response.queued", response=shell)
        yield event("response.in_progress", response={**shell, "status": "in_progress"})
        for index, item in enumerate(record["output"]):
            yield from _item_events(event, index, item, partials.get(item["id"], []))
        yield event(_ENDS[record["status"]], response=record)

    return (e for e in stream() if e["sequence_number"] > after)


def unfinished(record: dict[str, Any], status: str) -> dict[str, Any]:
    """The response before it is done: no output yet, and no usage (the spec has no null usage)."""
    shell = {k: v for k, v in record.items() if k != "usage"}
    shell.update(status=status, output=[], completed_at=None, incomplete_details=None, error=None)
    return shell


Event = Callable[..., dict[str, Any]]


def _item_events(event: Event, index: int, item: dict[str, Any], partials: list[str]) -> Iterator[dict]:
    kind = item["type"]
    yield event("response.output_item.added", output_index=index, item=_started(item))
    where = {"output_index": index, "item_id": item["id"]}
    if kind == "message":
        yield from _message_events(event, where, item)
    elif kind == "reasoning":
        yield from _reasoning_events(event, where, item)
    elif kind == "function_call":
        for token in pieces(item["arguments"]):
            yield event("response.function_call_arguments.delta", **where, delta=token)
        yield event(
            "response.function_call_arguments.done", **where, name=item["name"], arguments=item["arguments"]
        )
    elif kind in ("web_search_call", "file_search_call"):
        for stage in ("in_progress", "searching", "completed"):
            yield event(f"response.{kind}.{stage}", **where)
    elif kind == "code_interpreter_call":
        yield from _code_events(event, where, item)
    elif kind == "image_generation_call":
        yield from _image_events(event, where, item, partials)
    elif kind == "mcp_list_tools":
        yield event("response.mcp_list_tools.in_progress", **where)
        yield event("response.mcp_list_tools.completed", **where)
    elif kind == "mcp_call":
        yield event("response.mcp_call.in_progress", **where)
        yield event("response.mcp_call_arguments.delta", **where, delta=item["arguments"])
        yield event("response.mcp_call_arguments.done", **where, arguments=item["arguments"])
        yield event("response.mcp_call.completed", **where)
    yield event("response.output_item.done", output_index=index, item=item)


def _started(item: dict[str, Any]) -> dict[str, Any]:
    """The item as output_item.added shows it: begun, with nothing in it yet."""
    kind = item["type"]
    empties: dict[str, dict[str, Any]] = {
        "message": {"content": [], "status": "in_progress"},
        "reasoning": {"summary": []},
        "function_call": {"arguments": "", "status": "in_progress"},
        "web_search_call": {"status": "in_progress"},
        "file_search_call": {"status": "in_progress", "results": None},
        "code_interpreter_call": {"status": "in_progress", "code": "", "outputs": None},
        "image_generation_call": {"status": "in_progress", "result": None},
        "mcp_list_tools": {"tools": []},
        "mcp_call": {"status": "in_progress", "arguments": "", "output": None},
    }
    return {**item, **empties.get(kind, {})}


def _message_events(event: Event, where: dict[str, Any], item: dict[str, Any]) -> Iterator[dict]:
    for number, part in enumerate(item["content"]):
        at = {**where, "content_index": number}
        blank = {**part, "text": "", "annotations": [], "logprobs": []}
        yield event("response.content_part.added", **at, part=blank)
        logprobs = part.get("logprobs") or []
        for n, token in enumerate(pieces(part["text"])):
            yield event("response.output_text.delta", **at, delta=token, logprobs=logprobs[n : n + 1])
        for n, note in enumerate(part["annotations"]):
            yield event("response.output_text.annotation.added", **at, annotation_index=n, annotation=note)
        yield event("response.output_text.done", **at, text=part["text"], logprobs=logprobs)
        yield event("response.content_part.done", **at, part=part)


def _reasoning_events(event: Event, where: dict[str, Any], item: dict[str, Any]) -> Iterator[dict]:
    for number, part in enumerate(item["summary"]):
        at = {**where, "summary_index": number}
        yield event("response.reasoning_summary_part.added", **at, part={"type": "summary_text", "text": ""})
        for token in pieces(part["text"]):
            yield event("response.reasoning_summary_text.delta", **at, delta=token)
        yield event("response.reasoning_summary_text.done", **at, text=part["text"])
        yield event("response.reasoning_summary_part.done", **at, part=part)


def _code_events(event: Event, where: dict[str, Any], item: dict[str, Any]) -> Iterator[dict]:
    yield event("response.code_interpreter_call.in_progress", **where)
    for line in item["code"].splitlines(keepends=True):
        yield event("response.code_interpreter_call_code.delta", **where, delta=line)
    yield event("response.code_interpreter_call_code.done", **where, code=item["code"])
    yield event("response.code_interpreter_call.interpreting", **where)
    yield event("response.code_interpreter_call.completed", **where)


def _image_events(
    event: Event, where: dict[str, Any], item: dict[str, Any], partials: list[str]
) -> Iterator[dict]:
    yield event("response.image_generation_call.in_progress", **where)
    yield event("response.image_generation_call.generating", **where)
    looks = {key: item[key] for key in ("size", "quality", "background", "output_format") if key in item}
    for number, picture in enumerate(partials):
        yield event(
            "response.image_generation_call.partial_image",
            **where,
            partial_image_index=number,
            partial_image_b64=picture,
            **looks,
        )
    yield event("response.image_generation_call.completed", **where)
