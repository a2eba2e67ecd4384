"""The Responses API's built-in tools in the sandbox: deterministic, offline, labelled.

A built-in tool runs once per user turn when it is the only tool offered, when
`tool_choice` names it (or is "required"), or when the user's message uses one of its
words (`TRIGGERS`); `max_tool_calls` caps how many run. Each gives its call item and a
piece of the message's text with citations:

- web_search / web_search_preview: a `web_search_call` (action "search" with the user's
  words as the query; its sources with include "web_search_call.action.sources") and three
  results labelled as sandbox results, each title cited with a `url_citation` to
  https://sandbox.invalid/web/<query-words>/<n>. Nothing is fetched.
- file_search: asks `vector_stores.search_chunks` (the vector store routes) with the
  user's words; a `file_search_call` (results with include "file_search_call.results")
  and the top three passages quoted, each with a `file_citation`.
- code_interpreter: in a container (a new one for {"type": "auto"}, else the one named),
  "runs" Python that sums the numbers of the message (1, 2, 3 when there are none): the
  `code_interpreter_call` has the code, its logs (with include
  "code_interpreter_call.outputs") and the numbers saved as sandbox_result.csv, a container
  file cited with a `container_file_citation` and served by the container file routes.
  The sandbox computes the logs itself: no code is executed.
- image_generation: an `image_generation_call` whose result is a base64 picture drawn like
  the images route's (`_drawing.draw`) from the message; with `partial_images` N, a stream
  also gets N coarser pictures first.
- mcp: a server's tools (its `allowed_tools`, else "search" and "fetch") are listed once
  per context; a tool the message names is called (after approval unless
  `require_approval` is "never") and answers with sandbox text. No server is contacted.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._http import ApiError
from .._prompt_words import values_in
from ._items import new_id

if TYPE_CHECKING:
    from ._response_checks import Asked
    from ._response_plan import Turn

__all__ = ["TRIGGERS", "ToolRun", "mcp_approval_requests", "mcp_listings", "run_tools"]

TRIGGERS = {
    "web_search": ("search", "web", "internet", "online", "latest", "news", "today", "current", "look up"),
    "file_search": ("file", "files", "document", "documents", "docs", "pdf", "knowledge", "search"),
    "code_interpreter": (
        "code",
        "python",
        "calculate",
        "compute",
        "run",
        "plot",
        "chart",
        "csv",
        "sum",
        "average",
        "mean",
    ),
    "image_generation": ("image", "picture", "draw", "paint", "illustration", "photo", "logo", "sketch"),
}
WEB_SEARCH = ("web_search", "web_search_2025_08_26", "web_search_preview", "web_search_preview_2025_03_11")
DEFAULT_MCP_TOOLS = ("search", "fetch")
RESULT_FILE = "sandbox_result.csv"
SIZES = {"auto": (1024, 1024)}


@dataclass
class ToolRun:
    """What one built-in tool adds: its items, and text with citations relative to that text."""

    items: list[dict[str, Any]]
    text: str = ""
    annotations: list[dict[str, Any]] = field(default_factory=list)
    partials: dict[str, list[str]] = field(default_factory=dict)


def run_tools(sandbox, asked: Asked, turn: Turn, *, streaming: bool) -> list[ToolRun]:
    runs = _mcp_calls(sandbox, asked, turn)
    for position, tool in enumerate(asked.tools):
        if asked.max_tool_calls is not None and len(runs) >= asked.max_tool_calls:
            break
        family = "web_search" if tool["type"] in WEB_SEARCH else tool["type"]
        if family not in TRIGGERS or not _wanted(asked, turn, tool, family):
            continue
        if family == "web_search":
            runs.append(_web_search(sandbox, asked, turn))
        elif family == "file_search":
            runs.append(_file_search(sandbox, asked, turn, tool, position))
        elif family == "code_interpreter":
            runs.append(_code_interpreter(sandbox, asked, turn, tool, position))
        else:
            runs.append(_image_generation(sandbox, turn, tool, streaming=streaming))
    return runs


def _wanted(asked: Asked, turn: Turn, tool: dict[str, Any], family: str) -> bool:
    choice = asked.tool_choice
    call_type = "web_search_call" if family == "web_search" else f"{family}_call"
    if choice == "none" or turn.of_type(call_type):
        return False
    if isinstance(choice, dict):
        kind = choice.get("type")
        if kind == "allowed_tools":
            allowed = {t.get("type") for t in choice.get("tools") or [] if isinstance(t, dict)}
            if tool["type"] not in allowed:
                return False
            if choice.get("mode") == "required":
                return True
        else:  # a named tool runs alone
            return kind == tool["type"] or (kind in WEB_SEARCH and family == "web_search")
    if choice == "required" or len(asked.tools) == 1:
        return True
    said = turn.said.lower()
    return any(re.search(rf"\b{re.escape(word)}\b", said) for word in TRIGGERS[family])


def _query(turn: Turn) -> str:
    said = " ".join(turn.said.split())
    return said if len(said) <= 100 else said[:97] + "..."


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:6]
    return "-".join(words) or "query"


# -- web search ---------------------------------------------------------------------------------


def _web_search(sandbox, asked: Asked, turn: Turn) -> ToolRun:
    query = _query(turn)
    urls = [f"https://sandbox.invalid/web/{_slug(query)}/{n}" for n in (1, 2, 3)]
    action: dict[str, Any] = {"type": "search", "query": query, "queries": [query]}
    if "web_search_call.action.sources" in asked.include:
        action["sources"] = [{"type": "url", "url": url} for url in urls]
    item = {"id": new_id(sandbox, "ws"), "type": "web_search_call", "status": "completed", "action": action}
    text = f'Web results for "{query}" (sandbox results, not from the internet): '
    annotations = []
    for n, url in enumerate(urls, 1):
        title = f"Sandbox result {n} for {_short(query, 40)}"
        start = len(text)
        text += title + ("; " if n < len(urls) else ".")
        annotations.append(
            {
                "type": "url_citation",
                "start_index": start,
                "end_index": start + len(title),
                "url": url,
                "title": title,
            }
        )
    return ToolRun([item], text, annotations)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- file search --------------------------------------------------------------------------------


def _file_search(sandbox, asked: Asked, turn: Turn, tool: dict[str, Any], position: int) -> ToolRun:
    try:
        from . import vector_stores
    except ImportError:
        raise ApiError(400, "file_search needs vector stores", param=f"tools[{position}]") from None
    query = _query(turn)
    found = vector_stores.search_chunks(
        sandbox,
        list(tool["vector_store_ids"]),
        query,
        max_num_results=tool.get("max_num_results") or 10,
        filters=tool.get("filters"),
        ranking_options=tool.get("ranking_options"),
    )
    results = [
        {
            "file_id": hit["file_id"],
            "filename": hit.get("filename", ""),
            "score": hit.get("score", 0.0),
            "attributes": hit.get("attributes") or {},
            "text": " ".join(part.get("text", "") for part in hit.get("content") or []),
        }
        for hit in found
    ]
    item = {
        "id": new_id(sandbox, "fs"),
        "type": "file_search_call",
        "status": "completed",
        "queries": [query],
        "results": results if "file_search_call.results" in asked.include else None,
    }
    if not results:
        return ToolRun([item], f'No passage in the vector stores matches "{query}".')
    text = "From your files (sandbox file search): "
    annotations = []
    for n, result in enumerate(results[:3]):
        text += f'"{_short(" ".join(result["text"].split()), 80)}"'
        annotations.append(
            {
                "type": "file_citation",
                "file_id": result["file_id"],
                "filename": result["filename"],
                "index": len(text),
            }
        )
        text += "; " if n < min(len(results), 3) - 1 else "."
    return ToolRun([item], text, annotations)


# -- code interpreter ---------------------------------------------------------------------------


def _code_interpreter(sandbox, asked: Asked, turn: Turn, tool: dict[str, Any], position: int) -> ToolRun:
    from . import containers

    spec = tool["container"]
    if isinstance(spec, str):
        container = containers.require(sandbox, spec, param=f"tools[{position}].container")
    else:
        container = containers.create(sandbox, "sandbox auto container", spec.get("file_ids") or [])
    numbers = [_plain(n) for n in values_in(turn.said).numbers] or [1, 2, 3]
    total = _plain(sum(numbers))
    mean = _plain(round(sum(numbers) / len(numbers), 6))
    code = (
        f"numbers = {numbers!r}\n"
        "total = sum(numbers)\n"
        "mean = total / len(numbers)\n"
        'print(f"sum={total} mean={mean:g}")\n'
        f'with open("/mnt/data/{RESULT_FILE}", "w") as out:\n'
        '    out.write("index,value\\n")\n'
        "    for index, value in enumerate(numbers, 1):\n"
        '        out.write(f"{index},{value}\\n")\n'
    )
    logs = f"sum={total} mean={mean:g}\n"
    csv = "index,value\n" + "".join(f"{n},{value}\n" for n, value in enumerate(numbers, 1))
    saved = containers.add_file(sandbox, container["id"], f"/mnt/data/{RESULT_FILE}", csv.encode())
    item = {
        "id": new_id(sandbox, "ci"),
        "type": "code_interpreter_call",
        "status": "completed",
        "container_id": container["id"],
        "code": code,
        "outputs": [{"type": "logs", "logs": logs}]
        if "code_interpreter_call.outputs" in asked.include
        else None,
    }
    text = f"I ran Python in a sandbox container (nothing was executed for real): {logs.strip()}. "
    text += "The numbers are saved in "
    start = len(text)
    text += RESULT_FILE + "."
    citation = {
        "type": "container_file_citation",
        "container_id": container["id"],
        "file_id": saved["id"],
        "filename": RESULT_FILE,
        "start_index": start,
        "end_index": start + len(RESULT_FILE),
    }
    return ToolRun([item], text, [citation])


def _plain(number: float) -> float | int:
    return int(number) if float(number).is_integer() else number


# -- image generation ---------------------------------------------------------------------------


def _image_generation(sandbox, turn: Turn, tool: dict[str, Any], *, streaming: bool) -> ToolRun:
    from .._drawing import draw, encode

    prompt = _query(turn) or "a picture"
    size = tool.get("size") or "auto"
    width, height = SIZES.get(size) or tuple(int(n) for n in size.split("x"))
    fmt = tool.get("output_format") or "png"
    picture = draw(prompt, (width, height), sandbox.state.seed)
    item: dict[str, Any] = {
        "id": new_id(sandbox, "ig"),
        "type": "image_generation_call",
        "status": "completed",
        "result": base64.b64encode(encode(picture, fmt)).decode(),
        "revised_prompt": f"[sandbox] {prompt}",
        "size": f"{width}x{height}",
        "quality": tool.get("quality") if tool.get("quality") not in (None, "auto") else "medium",
        "background": tool.get("background") if tool.get("background") not in (None, "auto") else "opaque",
        "output_format": fmt,
        "action": "generate",
    }
    partials: dict[str, list[str]] = {}
    count = int(tool.get("partial_images") or 0)
    if streaming and count:
        partials[item["id"]] = [_coarse(picture, 2 ** (count - n + 2), fmt) for n in range(count)]
    return ToolRun(
        [item], f'Here is the picture of "{_short(prompt, 60)}", drawn by the local sandbox.', [], partials
    )


def _coarse(picture, factor: int, fmt: str) -> str:
    """A blocky early version of the picture, as a partial image."""
    from PIL import Image

    from .._drawing import encode

    width, height = picture.size
    small = picture.resize((max(1, width // factor), max(1, height // factor)))
    return base64.b64encode(encode(small.resize((width, height), Image.Resampling.NEAREST), fmt)).decode()


# -- mcp ----------------------------------------------------------------------------------------


def _mcp_tools(asked: Asked) -> list[dict[str, Any]]:
    if asked.tool_choice == "none":
        return []
    return [tool for tool in asked.tools if tool["type"] == "mcp"]


def _tool_names(tool: dict[str, Any]) -> list[str]:
    allowed = tool.get("allowed_tools")
    if isinstance(allowed, list) and allowed:
        return [str(name) for name in allowed]
    if isinstance(allowed, dict) and allowed.get("tool_names"):
        return [str(name) for name in allowed["tool_names"]]
    return list(DEFAULT_MCP_TOOLS)


def mcp_listings(sandbox, asked: Asked, context: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An `mcp_list_tools` item for each MCP server not listed yet in this context."""
    listed = {item.get("server_label") for item in context if item.get("type") == "mcp_list_tools"}
    items = []
    for tool in _mcp_tools(asked):
        if tool["server_label"] in listed:
            continue
        schema = {
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
            "additionalProperties": False,
        }
        tools = [
            {
                "name": name,
                "input_schema": schema,
                "description": f"[sandbox] {name} on {tool['server_label']}",
                "annotations": {"read_only": True},
            }
            for name in _tool_names(tool)
        ]
        items.append(
            {
                "id": new_id(sandbox, "mcpl"),
                "type": "mcp_list_tools",
                "server_label": tool["server_label"],
                "tools": tools,
                "error": None,
            }
        )
    return items


def _mcp_wanted(asked: Asked, turn: Turn) -> list[tuple[dict[str, Any], str]]:
    """(server, tool name) pairs this turn asks for and has not called yet."""
    called = {(i.get("server_label"), i.get("name")) for i in turn.of_type("mcp_call")}
    choice = asked.tool_choice
    wanted = []
    for tool in _mcp_tools(asked):
        for name in _tool_names(tool):
            forced = isinstance(choice, dict) and choice.get("type") == "mcp" and choice.get("name") == name
            forced = forced and choice.get("server_label") == tool["server_label"]
            named = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", turn.said) is not None
            if (named or forced) and (tool["server_label"], name) not in called:
                wanted.append((tool, name))
    return wanted


def _needs_approval(tool: dict[str, Any], name: str) -> bool:
    setting = tool.get("require_approval", "always")
    if setting == "never":
        return False
    if isinstance(setting, dict):
        never = (setting.get("never") or {}).get("tool_names") or []
        return name not in never
    return True


def _decision(turn: Turn, tool: dict[str, Any], name: str) -> tuple[dict[str, Any] | None, bool | None]:
    """The approval request for this call in this turn, and the answer to it (None: none yet)."""
    requests = {
        item["id"]: item
        for item in turn.context
        if item.get("type") == "mcp_approval_request"
        and item.get("server_label") == tool["server_label"]
        and item.get("name") == name
    }
    for answer in turn.of_type("mcp_approval_response"):
        request = requests.get(answer.get("approval_request_id"))
        if request is not None:
            return request, bool(answer.get("approve"))
    return None, None


def mcp_approval_requests(sandbox, asked: Asked, turn: Turn) -> list[dict[str, Any]]:
    """Approval requests for the MCP calls this turn wants and nobody has approved yet."""
    items = []
    for tool, name in _mcp_wanted(asked, turn):
        if _needs_approval(tool, name) and _decision(turn, tool, name)[1] is None:
            items.append(
                {
                    "id": new_id(sandbox, "mcpr"),
                    "type": "mcp_approval_request",
                    "server_label": tool["server_label"],
                    "name": name,
                    "arguments": json.dumps({"query": _query(turn)}),
                }
            )
    return items


def _mcp_calls(sandbox, asked: Asked, turn: Turn) -> list[ToolRun]:
    runs = []
    for tool, name in _mcp_wanted(asked, turn):
        label = tool["server_label"]
        request, approved = _decision(turn, tool, name)
        if _needs_approval(tool, name) and not approved:
            runs.append(ToolRun([], f"I did not call {label}.{name}: the call was not approved."))
            continue
        query = _short(_query(turn), 60)
        output = f'[sandbox] {label}.{name} found sandbox data for "{query}" (no server was contacted).'
        item = {
            "id": new_id(sandbox, "mcp"),
            "type": "mcp_call",
            "status": "completed",
            "approval_request_id": request["id"] if request else None,
            "arguments": json.dumps({"query": _query(turn)}),
            "error": None,
            "name": name,
            "output": output,
            "server_label": label,
        }
        runs.append(ToolRun([item], f"{label}.{name} says: {output.removeprefix('[sandbox] ')}"))
    return runs
