"""One `respond()` call from its first request to its answer: the tool loop, streamed or not.

    request -> the model calls Python functions? -> run them (asking first with confirm=,
    in parallel when several) -> send their outputs back -> ... -> the answer

Rules:
- Only calls of the Python functions given as tools run here. If the model calls a
  function offered as a dict (or a name nobody gave), the loop stops and returns the
  Response with those calls in `tool_calls`, for the caller to answer.
- A function that raises is not an error of the call: its output to the model is
  "Error: <class>: <message>", so the model can react (the trace marks it).
- After `max_tool_rounds` rounds of calls, a model that still calls raises
  `ToolLoopError` with the Response so far; `max_tool_rounds=0` runs nothing and returns
  the calls.
- The next round continues the same thread: `conversation` when one was given, else
  `previous_response_id` (stored responses), else the whole context sent again (`store=False`).
- A response that ends "failed" raises `ResponseFailedError` with the partial Response.
- Streaming: each round's events fold into the Response, shown in place at a bounded rate
  (tool calls as they start and finish). Ctrl-C returns what arrived with `interrupted`
  True; a stream the server cuts raises `StreamInterruptedError` whose `.partial` is it.

The requests go through `create(body)` and `create_stream(body)`, given by the API area, so
this module knows nothing of HTTP.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import dataclasses
import json
from collections.abc import Callable, Generator
from typing import Any

from .._chat.stream import LiveView
from .._core.errors import StreamInterruptedError
from .confirm import DECLINED
from .errors import ResponseFailedError, ToolLoopError
from .result import Response, Round, ToolCall
from .stream import EventAssembler
from .tools import FunctionTool, Toolset

__all__ = ["MAX_PARALLEL_CALLS", "ResponseRun", "tool_output"]

MAX_PARALLEL_CALLS = 8  # functions run at once when the model asks for several in one round
_TOOL_EVENTS = ("response.output_item.added", "response.output_item.done")


class ResponseRun:
    """The requests of one reply (see the module docstring); `run()` returns its Response."""

    def __init__(
        self,
        body: dict[str, Any],
        toolset: Toolset,
        *,
        create: Callable[[dict[str, Any]], dict[str, Any]],
        create_stream: Callable[[dict[str, Any]], Generator[dict[str, Any], None, None]],
        output_format: Any = None,
        max_rounds: int = 8,
        confirm: Callable[[ToolCall], bool] | None = None,
        client: Any = None,
    ) -> None:
        self.body = body
        self.toolset = toolset
        self.create = create
        self.create_stream = create_stream
        self.output_format = output_format
        self.max_rounds = max_rounds
        self.confirm = confirm
        self.client = client
        self.stream = False

    def run(self, *, stream: bool = False, on_update: Callable[[Response], Any] | None = None) -> Response:
        self.stream = stream
        rounds: list[Round] = []
        view = LiveView(on_update) if stream else None
        try:
            self._drive(rounds, view, self.body)
        except KeyboardInterrupt:
            if view is None or not rounds:
                raise
            partial = self.response(rounds, interrupted=True)
            with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: we are stopping anyway
                view.show(partial, final=True)
            return partial
        except StreamInterruptedError as exc:
            exc.partial = self.response(rounds, interrupted=True)
            if view is not None:
                view.show(exc.partial, final=True)
            raise
        final = self.response(rounds)
        if view is not None:
            view.show(final, final=True)
            _show_images(view, final)
        return final

    def resume(self, response: Response) -> Response:
        """Go on from a response that finished in the background (its function calls, if any)."""
        self.stream = False
        rounds = response._rounds
        self._drive(rounds, None, None)
        return self.response(rounds)

    def response(self, rounds: list[Round], *, interrupted: bool = False) -> Response:
        return Response(
            rounds,
            self.body,
            output_format=self.output_format,
            interrupted=interrupted,
            client=self.client,
            resume=self,
        )

    # -- the loop --------------------------------------------------------------------------

    def _drive(self, rounds: list[Round], view: LiveView | None, body: dict[str, Any] | None) -> None:
        while True:
            if body is not None:
                self._request(body, rounds, view)
            self._check_failed(rounds, view)
            calls = self._calls_to_run(rounds[-1])
            if not calls:
                return
            done = sum(1 for made in rounds if made.outputs)
            if done >= self.max_rounds:
                names = ", ".join(sorted({call["name"] for call in calls}))
                raise ToolLoopError(
                    f"the model still called tools ({names}) after {done} rounds (max_tool_rounds="
                    f"{self.max_rounds}); raise max_tool_rounds, or see error.partial for the rounds",
                    partial=self.response(rounds),
                )
            self._answer(rounds, calls, view)
            body = self._next_body(rounds)

    def _request(self, body: dict[str, Any], rounds: list[Round], view: LiveView | None) -> None:
        if not self.stream:
            rounds.append(Round(self.create(body)))
            return
        assembler = EventAssembler()
        current = Round({})
        rounds.append(current)
        events = self.create_stream(body)
        with contextlib.closing(events):  # leaving early closes the connection
            for event in events:
                assembler.add(event)
                current.response = assembler.response()
                if view is not None and (view.due() or event.get("type") in _TOOL_EVENTS):
                    view.show(self.response(rounds))

    def _check_failed(self, rounds: list[Round], view: LiveView | None) -> None:
        last = rounds[-1].response
        if last.get("status") != "failed":
            return
        partial = self.response(rounds)
        if view is not None:
            view.show(partial, final=True)
        error = last.get("error") or {}
        raise ResponseFailedError(
            f"the response {last.get('id')} failed: {error.get('code')}: {error.get('message')}",
            code=error.get("code"),
            partial=partial,
        )

    def _calls_to_run(self, made: Round) -> list[dict[str, Any]]:
        response = made.response
        calls = [item for item in response.get("output") or [] if item.get("type") == "function_call"]
        if not calls or response.get("status") != "completed" or self.max_rounds == 0:
            return []
        if any(call.get("name") not in self.toolset.functions for call in calls):
            return []  # someone else's function: returned for the caller to answer
        return calls

    def _answer(self, rounds: list[Round], calls: list[dict[str, Any]], view: LiveView | None) -> None:
        made = rounds[-1]
        outputs: dict[str, str] = {}
        approved = []
        for call in calls:
            if self.confirm is not None and not self.confirm(_tool_call(call)):
                outputs[call["call_id"]] = DECLINED
            else:
                approved.append(call)
        made.running = {call["call_id"] for call in approved}
        if view is not None:
            view.show(self.response(rounds))
        for call_id, (output, failed) in zip(
            [call["call_id"] for call in approved], self._execute_all(approved), strict=True
        ):
            outputs[call_id] = output
            if failed:
                made.failed.add(call_id)
        made.running = set()
        made.outputs = [
            {"type": "function_call_output", "call_id": call["call_id"], "output": outputs[call["call_id"]]}
            for call in calls
        ]
        if view is not None:
            view.show(self.response(rounds))

    def _execute_all(self, calls: list[dict[str, Any]]) -> list[tuple[str, bool]]:
        jobs = [(self.toolset.functions[call["name"]], call.get("arguments") or "{}") for call in calls]
        if len(jobs) <= 1:
            return [_execute(tool, arguments) for tool, arguments in jobs]
        with futures.ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_CALLS, len(jobs))) as pool:
            return list(pool.map(lambda job: _execute(*job), jobs))

    def _next_body(self, rounds: list[Round]) -> dict[str, Any]:
        base = {
            k: v for k, v in self.body.items() if k not in ("input", "previous_response_id", "background")
        }
        last = rounds[-1]
        if self.body.get("conversation"):
            return {**base, "input": last.outputs}
        if self.body.get("store") is not False:
            return {**base, "previous_response_id": last.response["id"], "input": last.outputs}
        first = self.body.get("input")
        context = [{"role": "user", "content": first}] if isinstance(first, str) else list(first or [])
        for made in rounds:
            context += [item for item in made.response.get("output") or [] if _resendable(item)]
            context += made.outputs
        return {**base, "input": context}


def _execute(tool: FunctionTool, arguments: str) -> tuple[str, bool]:
    """Run one call: (its output text, whether the function raised)."""
    try:
        value = tool.function(**tool.arguments(arguments))
    except Exception as exc:  # the model is told, and may try again or explain
        return f"Error: {type(exc).__name__}: {exc}", True
    return tool_output(value), False


def tool_output(value: Any) -> str:
    """A function's return value as the text sent to the model (JSON unless it is text)."""
    if isinstance(value, str):
        return value
    if hasattr(value, "model_dump_json"):
        return str(value.model_dump_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if hasattr(value, "to_json") and hasattr(value, "columns"):
        return str(value.to_json(orient="records", date_format="iso"))
    return json.dumps(value, ensure_ascii=False, default=str)


def _tool_call(call: dict[str, Any]) -> ToolCall:
    try:
        arguments = json.loads(call.get("arguments") or "{}")
    except ValueError:
        arguments = {"(arguments as sent)": call.get("arguments")}
    return ToolCall(call.get("name", ""), arguments if isinstance(arguments, dict) else {}, call["call_id"])


def _resendable(item: dict[str, Any]) -> bool:
    """Output items that can go back as input when nothing is stored (reasoning needs its encrypted form)."""
    return item.get("type") != "reasoning" or bool(item.get("encrypted_content"))


def _show_images(view: LiveView, final: Response) -> None:
    if not view.live:
        return
    images = final.images
    if images:
        from IPython.display import display

        display(images)
