"""Response and conversation items as table rows, and what a reply's text cites.

Every item kind becomes one row with the same columns (`ITEM_COLUMNS`): its `id`, `type`,
`role` (messages), `status`, `tool` (the function or built-in tool an item calls or
answers), `call_id` (which links a function call and its output), `arguments` (a call's
JSON arguments, a search's query, the code run) and `text` (a message's text, a tool's
output, a reasoning summary). `Response.output`,
`response_input_items()` and `conversation_items()` all use it, so their frames line up.

`citations_frame` lists the annotations of a reply's text: `type`, `title`, `url`,
`file_id`, `filename`, `container_id`, `start`, `end` and the cited `text`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CITATION_COLUMNS",
    "ITEM_COLUMNS",
    "citations",
    "citations_frame",
    "item_row",
    "items_frame",
    "message_text",
]

ITEM_COLUMNS = ("id", "type", "role", "status", "tool", "call_id", "arguments", "text")
CITATION_COLUMNS = ("type", "title", "url", "file_id", "filename", "container_id", "start", "end", "text")
_TOOL_OF = {
    "web_search_call": "web_search",
    "file_search_call": "file_search",
    "code_interpreter_call": "code_interpreter",
    "image_generation_call": "image_generation",
}


def items_frame(
    items: Iterable[dict[str, Any]], *, extra: dict[str, list[Any]] | None = None
) -> pd.DataFrame:
    """One row per item (see the module docstring); `extra` columns go first (e.g. `round`)."""
    import pandas as pd

    items = list(items)
    names = {item.get("call_id"): item.get("name") for item in items if item.get("type") == "function_call"}
    rows = [item_row(item, names) for item in items]
    columns = {name: pd.Series([row[name] for row in rows], dtype="object") for name in ITEM_COLUMNS}
    frame = pd.DataFrame(columns, columns=list(ITEM_COLUMNS))
    for position, (name, values) in enumerate((extra or {}).items()):
        frame.insert(position, name, pd.Series(values, dtype="int64"))
    return frame


def item_row(item: dict[str, Any], names: dict[Any, Any] | None = None) -> dict[str, Any]:
    """One item as a row; `names` (call ID -> function) names the function an output answers."""
    kind = item.get("type") or ("message" if "role" in item else None)
    row = dict.fromkeys(ITEM_COLUMNS)
    row.update(
        id=item.get("id"),
        type=kind,
        role=item.get("role"),
        status=item.get("status"),
        call_id=item.get("call_id"),
    )
    if kind == "message":
        row["text"] = message_text(item)
    elif kind in ("function_call", "custom_tool_call"):
        row.update(tool=item.get("name"), arguments=item.get("arguments") or item.get("input"))
    elif kind in ("function_call_output", "custom_tool_call_output"):
        row.update(tool=(names or {}).get(item.get("call_id")), text=_output_text(item.get("output")))
    elif kind == "reasoning":
        row["text"] = "\n\n".join(part.get("text", "") for part in item.get("summary") or []) or None
    elif kind in _TOOL_OF:
        row.update(tool=_TOOL_OF[kind], arguments=_tool_arguments(item), text=_tool_text(item))
    elif kind in ("mcp_call", "mcp_approval_request"):
        row.update(
            tool=f"{item.get('server_label')}.{item.get('name')}",
            arguments=item.get("arguments"),
            text=item.get("output") or item.get("error"),
        )
    elif kind == "mcp_list_tools":
        row.update(
            tool=item.get("server_label"), text=", ".join(t.get("name", "") for t in item.get("tools") or [])
        )
    return row


def message_text(item: dict[str, Any]) -> str:
    """A message's text: its text parts joined; images and files named in brackets."""
    content = item.get("content")
    if isinstance(content, str):
        return content
    pieces = []
    for part in content or []:
        kind = part.get("type")
        if kind in ("output_text", "input_text", "text", "summary_text"):
            pieces.append(part.get("text", ""))
        elif kind == "refusal":
            pieces.append(part.get("refusal", ""))
        elif kind == "input_image":
            pieces.append("[image]")
        elif kind == "input_file":
            pieces.append(
                f"[file {part.get('filename') or part.get('file_id') or part.get('file_url') or ''}]"
            )
    return "".join(pieces) if all(p.get("type") == "output_text" for p in content or []) else " ".join(pieces)


def citations(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The annotations of the messages' text, each with the span of text it cites."""
    found = []
    for item in items:
        if item.get("type") != "message":
            continue
        for part in item.get("content") or []:
            text = part.get("text", "")
            for note in part.get("annotations") or []:
                start = note.get("start_index", note.get("index"))
                end = note.get("end_index")
                found.append(
                    {
                        "type": note.get("type"),
                        "title": note.get("title") or note.get("filename"),
                        "url": note.get("url"),
                        "file_id": note.get("file_id"),
                        "filename": note.get("filename"),
                        "container_id": note.get("container_id"),
                        "start": start,
                        "end": end,
                        "text": text[start:end] if start is not None and end is not None else None,
                    }
                )
    return found


def citations_frame(found: list[dict[str, Any]]) -> pd.DataFrame:
    """`citations()` as a DataFrame with the same columns and dtypes when there are none."""
    import pandas as pd

    columns = {
        name: pd.Series([row[name] for row in found], dtype="Int64" if name in ("start", "end") else "object")
        for name in CITATION_COLUMNS
    }
    return pd.DataFrame(columns, columns=list(CITATION_COLUMNS))


def _output_text(output: Any) -> str | None:
    if output is None or isinstance(output, str):
        return output
    if isinstance(output, list):
        return message_text({"content": output})
    return json.dumps(output)


def _tool_arguments(item: dict[str, Any]) -> str | None:
    kind = item.get("type")
    if kind == "web_search_call":
        action = item.get("action") or {}
        return action.get("query") or action.get("url") or action.get("pattern")
    if kind == "file_search_call":
        return "; ".join(item.get("queries") or []) or None
    if kind == "code_interpreter_call":
        return item.get("code")
    return None


def _tool_text(item: dict[str, Any]) -> str | None:
    kind = item.get("type")
    if kind == "code_interpreter_call":
        logs = [o.get("logs", "") for o in item.get("outputs") or [] if o.get("type") == "logs"]
        return "".join(logs) or None
    if kind == "image_generation_call":
        return item.get("revised_prompt")
    if kind == "file_search_call" and item.get("results"):
        return "; ".join(r.get("filename") or r.get("file_id", "") for r in item["results"])
    return None
