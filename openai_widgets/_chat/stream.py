"""Streamed chat replies: chunks assembled into one response, shown in place as they arrive.

`ChunkAssembler` folds `chat.completion.chunk` events (any number of choices, text,
refusals, tool calls whose arguments arrive in pieces, logprobs, the final usage chunk)
into the shape of a whole `chat.completion`, so a streamed reply becomes the same
`ChatResult` as a plain one (a whole `chat.completion`, from a server that ignores
`stream`, is folded in the same way). `unfinished(n)` says whether every choice has finished: a
stream that ends cleanly without `data: [DONE]` is whole only then (see `_core.sse`).

`LiveView` shows the reply while it grows: in a notebook, one display output updated in
place at most `UPDATES_PER_SECOND` times (no flood of display messages); or, given a
callback (a panel's), that callback at the same rate. It shows any `Streamed` result
(streamed images and transcripts use it too).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["UPDATES_PER_SECOND", "ChunkAssembler", "LiveView", "Streamed", "in_notebook"]

UPDATES_PER_SECOND = 15
_HEAD_FIELDS = ("id", "created", "model", "system_fingerprint", "service_tier")


class ChunkAssembler:
    """Collects stream chunks; `response()` is what arrived so far as a `chat.completion`."""

    def __init__(self) -> None:
        self.head: dict[str, Any] = {}
        self.usage: dict[str, Any] | None = None
        self.chunks = 0
        self._choices: dict[int, dict[str, Any]] = {}

    def add(self, chunk: dict[str, Any]) -> None:
        self.chunks += 1
        for key in _HEAD_FIELDS:
            if chunk.get(key) is not None:
                self.head.setdefault(key, chunk[key])
        if isinstance(chunk.get("usage"), dict):
            self.usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            self._add_choice(choice)

    def _add_choice(self, choice: dict[str, Any]) -> None:
        state = self._choices.setdefault(
            choice.get("index", 0),
            {"content": [], "refusal": [], "tool_calls": {}, "logprobs": [], "finish_reason": None},
        )
        # A whole answer's choice (from a server ignoring `stream`) has a message, not a delta.
        delta = choice.get("delta") or choice.get("message") or {}
        if delta.get("content"):
            state["content"].append(delta["content"])
        if delta.get("refusal"):
            state["refusal"].append(delta["refusal"])
        for position, call in enumerate(delta.get("tool_calls") or []):
            slot = state["tool_calls"].setdefault(
                call.get("index", position), {"id": None, "type": "function", "name": [], "arguments": []}
            )
            slot["id"] = call.get("id") or slot["id"]
            slot["type"] = call.get("type") or slot["type"]
            function = call.get("function") or {}
            slot["name"].append(function.get("name") or "")
            slot["arguments"].append(function.get("arguments") or "")
        logprobs = (choice.get("logprobs") or {}).get("content")
        if logprobs:
            state["logprobs"].extend(logprobs)
        if choice.get("finish_reason"):
            state["finish_reason"] = choice["finish_reason"]

    def unfinished(self, expected: int = 1) -> str | None:
        """What the reply lacks (a choice without its finish_reason), or None once every choice ended."""
        if len(self._choices) < expected:
            return f"only {len(self._choices)} of {expected} choices arrived"
        open_choices = [str(i) for i, state in sorted(self._choices.items()) if not state["finish_reason"]]
        if open_choices:
            return f"choice {', '.join(open_choices)} had no finish_reason"
        return None

    def response(self) -> dict[str, Any]:
        choices = [_choice(index, self._choices[index]) for index in sorted(self._choices)]
        response = {**self.head, "object": "chat.completion", "choices": choices}
        if self.usage is not None:
            response["usage"] = self.usage
        return response


def _choice(index: int, state: dict[str, Any]) -> dict[str, Any]:
    calls = [
        {
            "id": slot["id"],
            "type": slot["type"],
            "function": {"name": "".join(slot["name"]), "arguments": "".join(slot["arguments"])},
        }
        for _, slot in sorted(state["tool_calls"].items())
    ]
    text = "".join(state["content"])
    message: dict[str, Any] = {
        "role": "assistant",
        "content": text if text or not calls else None,
        "refusal": "".join(state["refusal"]) or None,
    }
    if calls:
        message["tool_calls"] = calls
    return {
        "index": index,
        "message": message,
        "logprobs": {"content": state["logprobs"], "refusal": None} if state["logprobs"] else None,
        "finish_reason": state["finish_reason"],
    }


def in_notebook() -> bool:
    """Whether display output reaches a notebook front end (a kernel, not a terminal)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Streamed(Protocol):
    """A result that can be shown while it grows (ChatResult, ImageResult, Transcript)."""

    def bundle(self, *, cursor: bool = False) -> dict[str, str]: ...
    def metadata(self) -> dict[str, Any]: ...
    def mark_streamed(self) -> None:
        """Remember that this cell shows the result already, so it is not shown twice."""


class LiveView:
    """Shows a growing result at a bounded rate: in place in the cell, or via `callback`."""

    def __init__(self, callback: Callable[[Any], Any] | None = None) -> None:
        self.callback = callback
        self.live = callback is None and in_notebook()
        self.updates = 0
        self._handle: Any = None
        self._last = float("-inf")

    @property
    def active(self) -> bool:
        return self.callback is not None or self.live

    def due(self) -> bool:
        return self.active and time.monotonic() - self._last >= 1 / UPDATES_PER_SECOND

    def show(self, result: Streamed, *, final: bool = False) -> None:
        """Show `result` (a partial one unless `final`); the caller checks `due()` first."""
        if not self.active:
            return
        self._last = time.monotonic()
        self.updates += 1
        if self.callback is not None:
            self.callback(result)
            return
        bundle = result.bundle(cursor=not final)
        metadata = result.metadata() if final else {}
        if self._handle is None:
            from IPython.display import display

            self._handle = display(bundle, metadata=metadata, raw=True, display_id=True)
        else:
            self._handle.update(bundle, metadata=metadata, raw=True)
        if final:
            result.mark_streamed()
