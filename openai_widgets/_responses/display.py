"""A `Response` as Markdown: the tool trace, reasoning in a collapsed block, the text with its
citations as links, the sources, and notes on how it ended.

The trace has one line per tool call, in the order the rounds made them: a function call
with its arguments and, once it ran, what it returned (or the error it raised); a built-in
tool (web search, file search, code interpreter, image generation, MCP) with its query or
code and its status. While a stream arrives, calls still running say so and a cursor ends
the text.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .items import citations

if TYPE_CHECKING:
    from .result import Response, Round

__all__ = ["response_markdown", "status_note", "tool_label", "trace_lines"]

CURSOR = " ▌"
_SHORT = 120  # characters of a tool's arguments or output shown in the trace
_TOOL_LABELS = {
    "web_search_call": "web search",
    "file_search_call": "file search",
    "code_interpreter_call": "code interpreter",
    "image_generation_call": "image generation",
    "mcp_call": "MCP call",
}


def response_markdown(response: Response, *, cursor: bool = False) -> str:
    blocks = []
    trace = trace_lines(response)
    if trace:
        blocks.append("\n".join(f"- {line}" for line in trace))
    if response.reasoning:
        blocks.append(f"<details><summary>Reasoning</summary>\n\n{response.reasoning}\n\n</details>")
    text, sources = _linked_text(response)
    if text:
        blocks.append(text)
    if sources and not cursor:
        blocks.append("**Sources**\n\n" + "\n".join(f"{n}. {label}" for n, label in enumerate(sources, 1)))
    body = "\n\n".join(blocks)
    if cursor:
        return body + CURSOR
    note = _ending(response)
    return f"{body}\n\n*({note})*".strip() if note else body


def trace_lines(response: Response) -> list[str]:
    """One line per tool call of every round (see the module docstring)."""
    lines = []
    for made in response._rounds:
        answers: dict[str | None, dict[str, Any]] = {item.get("call_id"): item for item in made.outputs}
        for item in made.response.get("output") or []:
            line = _call_line(item, made, answers)
            if line:
                lines.append(line)
    return lines


def _call_line(item: dict[str, Any], made: Round, answers: dict[str | None, dict[str, Any]]) -> str | None:
    kind = item.get("type")
    if kind == "function_call":
        call = f"⚙ `{item.get('name')}({_short(_arguments(item.get('arguments')))})`"
        call_id = item.get("call_id")
        if call_id in made.running:
            return f"{call} … running"
        if call_id in answers:
            output = _short(str(answers[call_id].get("output", "")))
            mark = "✗ raised" if call_id in made.failed else "→"
            return f"{call} {mark} `{output}`"
        return call
    if kind in ("web_search_call", "file_search_call", "code_interpreter_call", "image_generation_call"):
        detail = _tool_detail(item)
        status = item.get("status") or ""
        return f"⚙ {tool_label(item)}{f' `{_short(detail)}`' if detail else ''} ({status})"
    if kind == "mcp_call":
        return f"⚙ MCP `{item.get('server_label')}.{item.get('name')}` ({item.get('status') or 'done'})"
    if kind == "mcp_approval_request":
        return f"⚙ MCP `{item.get('server_label')}.{item.get('name')}` waits for approval"
    return None


def _tool_detail(item: dict[str, Any]) -> str:
    kind = item.get("type")
    if kind == "web_search_call":
        action = item.get("action") or {}
        return str(action.get("query") or action.get("url") or "")
    if kind == "file_search_call":
        return "; ".join(item.get("queries") or [])
    if kind == "code_interpreter_call":
        return " ".join((item.get("code") or "").split())
    return str(item.get("revised_prompt") or "")


def _arguments(text: Any) -> str:
    """`{"city": "Paris"}` -> `city="Paris"`."""
    try:
        values = json.loads(text or "{}")
    except (TypeError, ValueError):
        return str(text or "")
    if not isinstance(values, dict):
        return str(text)
    return ", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in values.items())


def _short(text: str) -> str:
    flat = " ".join(text.split()).replace("`", "'")
    return flat if len(flat) <= _SHORT else flat[: _SHORT - 1] + "…"


def _linked_text(response: Response) -> tuple[str, list[str]]:
    """The messages' text with URL citations as links and file citations as numbered marks."""
    sources: list[str] = []
    pieces = []
    for item in response._last_output():
        if item.get("type") != "message":
            continue
        for part in item.get("content") or []:
            if part.get("type") == "refusal":
                pieces.append(f"*Refused:* {part.get('refusal', '')}")
            elif part.get("type") == "output_text":
                pieces.append(_linked_part(part, sources))
    text = "".join(pieces)
    if response.output_format is not None and text and not response.interrupted:
        try:
            pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return text, sources
        return f"```json\n{pretty}\n```", sources
    return text, sources


def _linked_part(part: dict[str, Any], sources: list[str]) -> str:
    text = part.get("text", "")
    notes = citations([{"type": "message", "content": [part]}])
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), applied from the end
    for note in notes:
        label = _source_label(note)
        if label not in sources:
            sources.append(label)
        number = sources.index(label) + 1
        start, end = note["start"], note["end"]
        if start is None or start > len(text):
            continue
        if note["url"] and end is not None and end > start:
            edits.append((start, end, f"[{text[start:end]}]({note['url']})"))
        elif end is not None and end > start:
            edits.append((start, end, f"{text[start:end]}<sup>[{number}]</sup>"))
        else:
            edits.append((start, start, f"<sup>[{number}]</sup>"))
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _source_label(note: dict[str, Any]) -> str:
    if note["url"]:
        return f"[{note['title'] or note['url']}]({note['url']})"
    name = note["filename"] or note["file_id"] or "file"
    return f"{name} (`{note['file_id']}`)" if note["file_id"] else name


def _ending(response: Response) -> str | None:
    if response.interrupted:
        return "interrupted: the reply above is partial"
    status = response.status
    if status == "incomplete":
        reason = (response.raw.get("incomplete_details") or {}).get("reason")
        return f"incomplete: {reason}" + (
            "; raise max_output_tokens for the rest" if reason == "max_output_tokens" else ""
        )
    if status == "failed":
        error = response.error or {}
        return f"failed: {error.get('code')}: {error.get('message')}"
    return status_note(response)


def status_note(response: Response) -> str | None:
    """What to know about a reply that is not (yet) an answer: waiting, cancelled, calls to answer."""
    status = response.status
    if status in ("queued", "in_progress") and response.raw.get("background"):
        return f"background response {status}: call .wait() for the result"
    if status == "cancelled":
        return "cancelled"
    if response._rounds and response.tool_calls:
        names = ", ".join(call["name"] or "?" for call in response.tool_calls)
        return f"the model called {names}: answer the calls with function_call_output items"
    return None


def tool_label(item: dict[str, Any]) -> str:
    """A built-in tool call in words, for the trace."""
    return _TOOL_LABELS.get(item.get("type", ""), re.sub(r"_call$", "", item.get("type", "tool")))
