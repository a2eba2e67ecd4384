"""What a Responses API answer holds: the sandbox's deterministic rules, turn by turn.

The sandbox reads the context (earlier turns from `previous_response_id` or the
conversation, then this request's input) and answers, first rule that applies:

1. Function calls. Each function tool whose name the latest user message mentions more
   often than it has been called since that message gets one `function_call` this round
   (with `parallel_tool_calls=false`, only the first by position). So "get_weather for
   Paris, then get_weather for Rome" calls get_weather in two successive rounds, then
   answers. Arguments fit the tool's `parameters` and take values from the words after
   the mention (or before it): quoted strings, capitalised names, numbers, "name value"
   pairs (`_schema_data`). `tool_choice` "required" or a named function forces a call while
   the turn has no function output yet.
2. MCP: a server's tools are listed once per context (`mcp_list_tools`); a tool the
   message names is called, after an `mcp_approval_request` unless `require_approval`
   is "never" (answer it with an `mcp_approval_response` item).
3. Built-in tools (web search, file search, code interpreter, image generation, see
   `_builtin_tools`) run once per user turn when they are the only tool, when
   `tool_choice` names them or is "required", or when the message uses one of their words.
4. The message: JSON for `text.format` json_schema (an instance of the schema,
   `_schema_data`) or json_object (`_prompt_json`); otherwise "[sandbox] ..." text that
   quotes function outputs, carries the built-in tools' text and citations, or repeats
   the user's words, says which turn of the conversation this is, and describes images
   and files. Edits named in the instructions (upper case, fix spelling, ...) apply.

Reasoning models (o-series, gpt-5) add a `reasoning` item first, with summary text when
`reasoning.summary` asks, and count reasoning tokens by effort. `max_output_tokens` cuts
the message (status "incomplete", reason max_output_tokens).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .._http import ApiError
from .._prompt_json import json_answer
from .._schema_data import instance
from . import _builtin_tools as builtin
from ._chat_checks import describe_image
from ._items import item_text, new_id, output_text, user_texts
from ._replies import count_tokens, logprobs_for, pieces, transform_for
from ._response_checks import Asked

__all__ = ["Plan", "Turn", "estimate_input_tokens", "plan_response"]

IMAGE_TOKENS = 85  # a low-detail image, as OpenAI counts it (the chat route's figure)
REASONING_TOKENS = {"none": 0, "minimal": 16, "low": 64, "medium": 128, "high": 256, "xhigh": 384, "max": 512}


@dataclass
class Plan:
    """The answer: output items, how it ended, and what streaming needs besides the items."""

    output: list[dict[str, Any]]
    usage: dict[str, Any]
    status: str = "completed"
    incomplete_reason: str | None = None
    partial_images: dict[str, list[str]] = field(default_factory=dict)  # item id -> base64 images


@dataclass
class Turn:
    """The context read the way the rules need it."""

    context: list[dict[str, Any]]

    @property
    def last_user(self) -> int:
        for index in range(len(self.context) - 1, -1, -1):
            item = self.context[index]
            if item.get("type") == "message" and item.get("role") == "user":
                return index
        return -1

    @property
    def user_message(self) -> dict[str, Any] | None:
        index = self.last_user
        return self.context[index] if index >= 0 else None

    @property
    def said(self) -> str:
        message = self.user_message
        return item_text(message).strip() if message else ""

    @property
    def since_user(self) -> list[dict[str, Any]]:
        """Items after the latest user message: this turn's tool rounds."""
        return self.context[self.last_user + 1 :]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [item for item in self.since_user if item.get("type") == kind]


# -- the plan -----------------------------------------------------------------------------------


def plan_response(sandbox, asked: Asked, context: list[dict[str, Any]], *, streaming: bool) -> Plan:
    turn = Turn(context)
    check_tool_outputs(context)
    output: list[dict[str, Any]] = []
    output += builtin.mcp_listings(sandbox, asked, context)
    calls = _function_calls(sandbox, asked, turn)
    waiting = calls or builtin.mcp_approval_requests(sandbox, asked, turn)
    partials: dict[str, list[str]] = {}
    message = None
    if waiting:
        output += waiting
    else:
        runs = builtin.run_tools(sandbox, asked, turn, streaming=streaming)
        for run in runs:
            output += run.items
            partials.update(run.partials)
        message = _message(sandbox, asked, turn, runs)
    reasoning = _reasoning_item(sandbox, asked, turn, output, message)
    if reasoning is not None:
        output.insert(0, reasoning)
    plan = Plan(output, {}, partial_images=partials)
    spent = _reasoning_tokens(asked) + sum(_item_tokens(item) for item in output)
    if message is not None:
        spent = _fit_message(plan, asked, message, spent)
    elif asked.max_output_tokens is not None and spent > asked.max_output_tokens:
        _mark_incomplete(plan)
    plan.usage = usage(estimate_input_tokens(context, asked.instructions, asked.tools), spent, asked)
    return plan


def check_tool_outputs(context: list[dict[str, Any]]) -> None:
    """Every function call needs its output before the conversation goes on, and the reverse."""
    calls = [item["call_id"] for item in context if item.get("type") == "function_call"]
    answered = {item["call_id"] for item in context if item.get("type") == "function_call_output"}
    for call_id in answered - set(calls):
        raise ApiError(
            400, f"No tool call found for function call output with call_id {call_id}.", param="input"
        )
    for call_id in calls:
        if call_id not in answered:
            raise ApiError(400, f"No tool output found for function call {call_id}.", param="input")


# -- function calls -----------------------------------------------------------------------------


def _function_calls(sandbox, asked: Asked, turn: Turn) -> list[dict[str, Any]]:
    functions = _allowed(asked, [tool for tool in asked.tools if tool["type"] == "function"])
    if not functions or asked.tool_choice == "none":
        return []
    text = turn.said
    names = [tool["name"] for tool in functions]
    made = Counter(item.get("name") for item in turn.of_type("function_call"))
    answered = bool(turn.of_type("function_call_output"))
    pending = []  # (position of the next unused mention, tool, how many calls it had)
    for tool in functions:
        spots = _mentions(text, tool["name"])
        if len(spots) > made[tool["name"]]:
            pending.append((spots[made[tool["name"]]], tool, made[tool["name"]]))
    pending.sort(key=lambda entry: entry[0])
    forced = _forced_function(asked, functions)
    if forced is not None and not answered and not any(entry[1] is forced for entry in pending):
        pending.insert(0, (text.find(forced["name"]), forced, made[forced["name"]]))
    if not asked.parallel_tool_calls:
        pending = pending[:1]
    return [_call_item(sandbox, tool, text, names, nth) for _, tool, nth in pending]


def _allowed(asked: Asked, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    choice = asked.tool_choice
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        names = {t.get("name") for t in choice.get("tools") or [] if isinstance(t, dict)}
        return [tool for tool in tools if tool.get("name") in names]
    return tools


def _forced_function(asked: Asked, functions: list[dict[str, Any]]) -> dict[str, Any] | None:
    choice = asked.tool_choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        return next(tool for tool in functions if tool["name"] == choice["name"])
    required = choice == "required" or (isinstance(choice, dict) and choice.get("mode") == "required")
    only_functions = all(tool["type"] == "function" for tool in asked.tools)
    return functions[0] if required and only_functions else None


def _mentions(text: str, name: str) -> list[int]:
    return [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)]


def _call_item(sandbox, tool: dict[str, Any], text: str, names: list[str], nth: int) -> dict[str, Any]:
    segment = _segment(text, tool["name"], names, nth)
    parameters = tool.get("parameters") or {"type": "object", "properties": {}}
    arguments = instance(parameters, segment, name=tool["name"], labelled=False, skip=tuple(names))
    return {
        "id": new_id(sandbox, "fc"),
        "type": "function_call",
        "status": "completed",
        "arguments": json.dumps(arguments),
        "call_id": new_id(sandbox, "call"),
        "name": tool["name"],
    }


def _segment(text: str, name: str, names: list[str], nth: int) -> str:
    """The words that go with the nth mention of `name`: up to the next mention, else before it."""
    bounds = sorted({(m, m + len(n)) for n in names for m in _mentions(text, n)})
    spots = _mentions(text, name)
    if nth >= len(spots):
        return text
    start = spots[nth] + len(name)
    ahead = [b for b in bounds if b[0] >= start]
    after = text[start : ahead[0][0] if ahead else len(text)]
    if re.search(r"[\w\"']", after):
        return after
    behind = [b for b in bounds if b[1] <= spots[nth]]
    return text[behind[-1][1] if behind else 0 : spots[nth]]


# -- the message --------------------------------------------------------------------------------


def _message(sandbox, asked: Asked, turn: Turn, runs: list[builtin.ToolRun]) -> dict[str, Any]:
    text, annotations = _message_text(asked, turn, runs)
    part = {"type": "output_text", "text": text, "annotations": annotations, "logprobs": []}
    if "message.output_text.logprobs" in asked.include:
        part["logprobs"] = logprobs(pieces(text), asked.top_logprobs)
    return {
        "id": new_id(sandbox, "msg"),
        "type": "message",
        "status": "completed",
        "content": [part],
        "role": "assistant",
    }


def logprobs(tokens: list[str], top: int) -> list[dict[str, Any]]:
    """Log probabilities in the Responses API's shape (the chat route's numbers)."""
    return [
        {
            "token": entry["token"],
            "logprob": entry["logprob"],
            "bytes": entry["bytes"],
            "top_logprobs": entry["top_logprobs"],
        }
        for entry in logprobs_for(tokens, top)
    ]


def _message_text(asked: Asked, turn: Turn, runs: list[builtin.ToolRun]) -> tuple[str, list[dict]]:
    outputs = _function_outputs(turn)
    kind = asked.format.get("type")
    if kind in ("json_schema", "json_object"):
        prompt = " ".join([turn.said, *(f'"{out}"' for _, out in outputs)])
        if kind == "json_schema":
            fmt = asked.format
            return json.dumps(instance(fmt.get("schema") or {}, prompt, name=fmt.get("name", "value"))), []
        return json.dumps(json_answer(prompt)), []
    if runs:
        return _joined(runs, prefix=_outputs_sentence(outputs))
    if outputs:
        return "[sandbox] " + _outputs_sentence(outputs).strip(), []
    return _plain_reply(asked, turn), []


def _function_outputs(turn: Turn) -> list[tuple[str, str]]:
    names = {
        item["call_id"]: item.get("name", "") for item in turn.context if item.get("type") == "function_call"
    }
    return [
        (names.get(item["call_id"], "the tool"), output_text(item.get("output")))
        for item in turn.of_type("function_call_output")
    ]


def _outputs_sentence(outputs: list[tuple[str, str]]) -> str:
    if not outputs:
        return ""
    return "; ".join(f'{name} returned "{out}"' for name, out in outputs) + ". "


def _joined(runs: list[builtin.ToolRun], prefix: str) -> tuple[str, list[dict[str, Any]]]:
    """The tools' text one after another, their citations moved to where their text landed."""
    text = "[sandbox] " + prefix
    annotations: list[dict[str, Any]] = []
    for run in runs:
        if not run.text:
            continue
        offset = len(text)
        for note in run.annotations:
            moved = dict(note)
            for key in ("start_index", "end_index", "index"):
                if key in moved:
                    moved[key] += offset
            annotations.append(moved)
        text += run.text + " "
    return text.rstrip(), annotations


def _plain_reply(asked: Asked, turn: Turn) -> str:
    said = turn.said
    prefix = "[sandbox] " + _attachments(turn.user_message)
    instructions = " ".join(
        [asked.instructions or ""]
        + [
            item_text(item)
            for item in turn.context
            if item.get("type") == "message" and item.get("role") in ("system", "developer")
        ]
    )
    transform = transform_for(instructions)
    if transform is not None:
        return prefix + transform(said)
    if turn.user_message is None:
        return prefix + "Hello! Send a user message to get a reply."
    quoted = said if len(said) <= 200 else said[:197] + "..."
    texts = user_texts(turn.context)
    where = ""
    if len(texts) > 1:
        where = f'This is turn {len(texts)} of this conversation; it began with "{_short(texts[0])}". '
    return (
        f'{prefix}You said: "{quoted}". {where}This is a deterministic reply from the local sandbox, '
        "not a model; connect with an API key for real answers."
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _attachments(message: dict[str, Any] | None) -> str:
    """'I see 1 image (3x2). I read 1 file (notes.pdf). ' for the user's attachments."""
    if message is None or not isinstance(message.get("content"), list):
        return ""
    images, files = [], []
    for part in message["content"]:
        if part.get("type") == "input_image":
            url = part.get("image_url")
            images.append(describe_image(url) if url else f"file {part.get('file_id')}")
        elif part.get("type") == "input_file":
            files.append(part.get("filename") or part.get("file_id") or part.get("file_url") or "file")
    said = ""
    if images:
        said += f"I see {len(images)} image{'s' if len(images) > 1 else ''} ({', '.join(images)}). "
    if files:
        said += f"I read {len(files)} file{'s' if len(files) > 1 else ''} ({', '.join(files)}). "
    return said


# -- reasoning ----------------------------------------------------------------------------------


def _reasoning_item(
    sandbox, asked: Asked, turn: Turn, output: list[dict[str, Any]], message: dict[str, Any] | None
) -> dict[str, Any] | None:
    if asked.reasoning is None or asked.reasoning["effort"] == "none":
        return None
    item: dict[str, Any] = {"id": new_id(sandbox, "rs"), "type": "reasoning", "summary": []}
    summary = asked.reasoning.get("summary")
    if summary:
        request = _short(turn.said or "(no user message)", 80)
        parts = [f'[sandbox] **Reading the request** The question is: "{request}".']
        if summary == "detailed":
            parts.append(f"[sandbox] **Planning** I will {_intent(output, message, asked)}.")
        item["summary"] = [{"type": "summary_text", "text": text} for text in parts]
    if "reasoning.encrypted_content" in asked.include:
        item["encrypted_content"] = "sandbox-reasoning:" + str(len(item["summary"]))
    return item


def _intent(output: list[dict[str, Any]], message: dict[str, Any] | None, asked: Asked) -> str:
    calls = [item["name"] for item in output if item["type"] == "function_call"]
    if calls:
        return "call " + ", ".join(calls)
    tools = [
        item["type"].removesuffix("_call").replace("_", " ") for item in output if item["type"] != "message"
    ]
    if tools:
        return "use " + ", ".join(tools) + " and then answer"
    kind = asked.format.get("type")
    return "answer in JSON" if kind != "text" else "answer in plain text"


def _reasoning_tokens(asked: Asked) -> int:
    return REASONING_TOKENS[asked.reasoning["effort"]] if asked.reasoning else 0


# -- tokens -------------------------------------------------------------------------------------


def _item_tokens(item: dict[str, Any]) -> int:
    if item["type"] in ("function_call", "mcp_call", "mcp_approval_request"):
        return len(pieces(item.get("arguments") or ""))
    if item["type"] == "code_interpreter_call":
        return len(pieces(item.get("code") or ""))
    return 0


def _fit_message(plan: Plan, asked: Asked, message: dict[str, Any], spent: int) -> int:
    """Add the message within max_output_tokens; a cut makes the response incomplete."""
    part = message["content"][0]
    tokens = pieces(part["text"])
    limit = asked.max_output_tokens
    budget = None if limit is None else limit - spent
    if limit is not None and budget is not None and budget <= 0:
        _mark_incomplete(plan)
        return limit
    if budget is not None and len(tokens) > budget:
        tokens = tokens[:budget]
        part["text"] = "".join(tokens)
        part["annotations"] = [
            a for a in part["annotations"] if a.get("end_index", a.get("index", 0)) <= len(part["text"])
        ]
        part["logprobs"] = part["logprobs"][: len(tokens)]
        message["status"] = "incomplete"
        _mark_incomplete(plan)
    plan.output.append(message)
    return spent + len(tokens)


def _mark_incomplete(plan: Plan) -> None:
    plan.status = "incomplete"
    plan.incomplete_reason = "max_output_tokens"


def estimate_input_tokens(
    context: list[dict[str, Any]], instructions: str | None, tools: list[dict[str, Any]]
) -> int:
    """The chat route's estimate: 3 per message plus its words, 85 per image, plus instructions and tools."""
    total = 3
    if instructions:
        total += 3 + count_tokens(instructions)
    for item in context:
        total += 3 + count_tokens(item_text(item))
        content = item.get("content") if item.get("type") == "message" else None
        if isinstance(content, list):
            total += IMAGE_TOKENS * sum(1 for part in content if part.get("type") == "input_image")
    if tools:
        total += count_tokens(json.dumps(tools))
    return total


def usage(input_tokens: int, output_tokens: int, asked: Asked) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": _reasoning_tokens(asked)},
        "total_tokens": input_tokens + output_tokens,
    }
