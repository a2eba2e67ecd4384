"""Fine-tuning data checked on this side, so a bad line is found before uploading and waiting.

The rules follow OpenAI's input formats:
- supervised (chat): each line a JSON object with a non-empty `messages` list; every
  message an object with a valid `role` and a `content` (an assistant message may have
  `tool_calls` / `function_call` instead); at least one assistant message; an
  assistant's `weight`, if given, is 0 or 1.
- dpo (preference): `input` with `messages`, and non-empty `preferred_output` and
  `non_preferred_output` lists of assistant messages.
- reinforcement: `messages` as for chat, no assistant message needed, and every field the
  grader reads (`{{item.answer}}` needs an `answer` beside the messages).
- training data needs at least 10 examples.
Problems name the line (and the DataFrame row) they are on; up to five are listed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .._files.sources import check_size
from .._tables.jsonl import JSON_BLANKS, is_frame, jsonl_lines, rows_of, to_jsonl

__all__ = ["MIN_EXAMPLES", "ROLES", "LocalData", "local_data"]

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
MIN_EXAMPLES = 10
_SHOWN = 5  # problems listed in one error
_PATH_ENDINGS = (".jsonl", ".json", ".txt", ".csv")


@dataclass
class LocalData:
    """Checked data ready to upload."""

    content: bytes
    filename: str


def local_data(
    value: Any, param: str, method_type: str, *, minimum: int, fields: tuple[str, ...] = ()
) -> LocalData | None:
    """`value` checked and as JSONL bytes if it is local data (path, DataFrame, list); None for a file ID.

    `fields`: for reinforcement, the item fields the grader reads, which every line must have.
    """
    rules = (method_type, fields)
    if is_frame(value):
        rows = rows_of(value, param)
        labels = [f"line {n} (row {index!r})" for n, index in enumerate(value.index, start=1)]
        _check(rows, labels, param, rules, minimum)
        return LocalData(to_jsonl(rows, param), f"{param.removesuffix('_file')}.jsonl")
    if isinstance(value, (list, tuple)):
        rows = rows_of(value, param)
        _check(rows, [f"line {n}" for n in range(1, len(rows) + 1)], param, rules, minimum)
        return LocalData(to_jsonl(rows, param), f"{param.removesuffix('_file')}.jsonl")
    path = _as_path(value, param)
    if path is None:
        return None
    check_size(path.stat().st_size, path.name)
    content = path.read_bytes()
    rows, labels = _file_rows(content, param)
    _check(rows, labels, f"{param} {path.name!r}", rules, minimum)  # errors name the file
    return LocalData(content, path.name)


def _as_path(value: Any, param: str) -> Path | None:
    """A path to read, None for a file ID, or an error for a path that does not exist."""
    if isinstance(value, os.PathLike):
        text = os.fspath(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise InvalidInputError(f"{param} is empty; give a file ID (file-...), a path or a DataFrame")
    else:
        raise InvalidTypeError(
            f"{param} must be a file ID, a path, a DataFrame or a list of examples, "
            f"not {type(value).__name__}"
        )
    path = Path(text).expanduser()
    if path.is_file():
        return path
    looks_like_path = isinstance(value, os.PathLike) or "/" in text or os.sep in text
    if looks_like_path or text.lower().endswith(_PATH_ENDINGS):
        raise InvalidInputError(
            f"{param} {text!r}: no such file; give the path of a JSONL file, or a file ID such as file-abc123"
        )
    return None


def _file_rows(content: bytes, param: str) -> tuple[list[Any], list[str]]:
    """Each non-blank line parsed, with its line number; a line that is not JSON is a problem."""
    rows, labels = [], []
    try:
        lines = jsonl_lines(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{param} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    for number, line in enumerate(lines, start=1):
        if line.strip(JSON_BLANKS):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                rows.append(_NotJSON())
            labels.append(f"line {number}")
    return rows, labels


class _NotJSON:
    """Marks a line that did not parse."""


def _check(
    rows: list[Any], labels: list[str], param: str, rules: tuple[str, tuple[str, ...]], minimum: int
) -> None:
    method_type, fields = rules
    problems = [
        f"{label}: {problem}"
        for row, label in zip(rows, labels, strict=True)
        for problem in _example_problems(row, method_type, fields)
    ]
    if len(rows) < minimum:
        problems.append(
            f"there {'is' if len(rows) == 1 else 'are'} {len(rows)} example{'' if len(rows) == 1 else 's'}; "
            f"fine-tuning needs at least {minimum}"
        )
    if problems:
        shown = "; ".join(problems[:_SHOWN])
        more = f" (and {len(problems) - _SHOWN} more)" if len(problems) > _SHOWN else ""
        noun = "problem" if len(problems) == 1 else "problems"
        raise InvalidInputError(
            f"{param} has {len(problems)} {noun}: {shown}{more}. Fix the data and try again"
        )


def _example_problems(example: Any, method_type: str, fields: tuple[str, ...] = ()) -> Iterator[str]:
    if isinstance(example, _NotJSON):
        yield "not valid JSON"
        return
    if not isinstance(example, dict):
        yield f"a JSON {type(example).__name__}, not an object with 'messages'"
        return
    if method_type == "dpo":
        yield from _preference_problems(example)
        return
    problems = list(_messages_problems(example.get("messages"), "messages"))
    yield from problems
    needs_reply = not problems and method_type != "reinforcement"
    if needs_reply and not any(m.get("role") == "assistant" for m in example["messages"]):
        yield "no assistant message; each example needs at least one assistant reply to learn from"
    for name in fields:
        if name not in example:
            yield f"no {name!r} field, which the grader reads as {{{{item.{name}}}}}"


def _preference_problems(example: dict[str, Any]) -> Iterator[str]:
    source = example.get("input")
    if not isinstance(source, dict):
        yield "no 'input' object with 'messages' (preference data for dpo)"
    else:
        yield from _messages_problems(source.get("messages"), "input.messages")
    for key in ("preferred_output", "non_preferred_output"):
        output = example.get(key)
        if not isinstance(output, list) or not output:
            yield f"no '{key}' list of assistant messages"
            continue
        yield from _messages_problems(output, key)
        if any(isinstance(m, dict) and m.get("role") != "assistant" for m in output):
            yield f"'{key}' may hold only assistant messages"


def _messages_problems(messages: Any, where: str) -> Iterator[str]:
    if messages is None:
        yield f"no '{where}' list"
        return
    if not isinstance(messages, list) or not messages:
        yield f"'{where}' must be a non-empty list of messages"
        return
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            yield f"{where} item {number} is not an object"
            continue
        role = message.get("role")
        if role not in ROLES:
            yield f"{where} item {number} has role {role!r}; use one of {', '.join(ROLES)}"
            continue
        has_call = role == "assistant" and (message.get("tool_calls") or message.get("function_call"))
        content = message.get("content")
        if not has_call and not isinstance(content, (str, list)):
            yield f"{where} item {number} ({role}) has no content"
        if role == "assistant" and message.get("weight", 1) not in (0, 1):
            yield f"{where} item {number} has weight {message.get('weight')!r}; use 0 or 1"
