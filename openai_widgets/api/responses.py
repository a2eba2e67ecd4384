"""The Responses API: `respond()` (text, structured outputs, tools, streams, background runs) and
the calls around a stored response (get, delete, cancel, its input items, token counts, compaction).

What `respond()` does is spread over `_responses`: `body` checks the arguments, `tools`
makes the tools, `run` drives the tool loop and the stream, `result` is the `Response`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from .._core.arguments import model_argument, text, whole_number
from .._core.errors import InvalidInputError
from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import pandas as pd

    from .._responses.result import Response

__all__ = ["ResponsesAPI"]

MAX_TOOL_ROUNDS = 100
# What a token count takes of a create request (the spec's TokenCountsBody).
_COUNTED = (
    "model",
    "input",
    "previous_response_id",
    "conversation",
    "instructions",
    "tools",
    "text",
    "reasoning",
    "truncation",
    "tool_choice",
    "parallel_tool_calls",
)


class ResponsesAPI(BaseClient):
    def respond(
        self,
        input: Any,
        model: str | None = None,
        *,
        instructions: str | None = None,
        tools: Any = None,
        text_format: Any = None,
        conversation: Any = None,
        previous_response_id: str | None = None,
        stream: bool = False,
        background: bool = False,
        reasoning: Any = None,
        store: bool | None = None,
        max_tool_rounds: int = 8,
        vector_store_ids: Any = None,
        confirm: Any = False,
        on_update: Callable[[Response], Any] | None = None,
        **advanced: Any,
    ) -> Response:
        """Ask a model through the Responses API; returns a `Response` (`.text`, `.parsed`, `.output`, ...).

        `input`: text, a message or item dict, a list of them, or content for one user
        message (text, PIL images, image or document paths, File IDs, URLs). `model`
        defaults to gpt-4.1-mini. `instructions`: the system message of this request.

        `text_format`: a Pydantic model class, a dataclass, a TypedDict, list[...] of one,
        or a JSON schema dict; the strict schema is sent and `.parsed` is an instance (a dict
        for a schema), `.data` a DataFrame for a list of records.

        `tools`: "web_search", "file_search" (with `vector_store_ids=[...]`),
        "code_interpreter", "image_generation", tool dicts ("mcp" servers...) and Python
        functions. The functions run here: each call the model makes is run (in parallel
        when several; `confirm=True` asks first, or give a function `(ToolCall) -> bool`),
        an exception goes back to the model as the output's text, and the outputs are sent
        until the model answers, at most `max_tool_rounds` rounds (then `ToolLoopError`).

        `conversation` (an ID from `create_conversation`) or `previous_response_id` continue a
        thread kept on the server. `reasoning`: an effort ("low", "high", ...) for reasoning
        models, which then also summarise their reasoning (`.reasoning`), or the API's dict.
        `store=False` keeps the response off the server.

        `stream=True` shows the reply in the cell as it arrives (or calls `on_update(partial)`
        for panels), tool calls as they start and finish; Ctrl-C returns what arrived with
        `.interrupted` True, a stream the server cuts raises `StreamInterruptedError` with
        `.partial`. `background=True` returns at once: `.wait()` polls until done,
        `.cancel()` stops it. Other keywords (temperature, max_output_tokens, tool_choice,
        parallel_tool_calls, include, metadata, ...) go into the request as given.
        """
        from .._responses.body import response_body
        from .._responses.confirm import confirmer
        from .._responses.result import Round
        from .._responses.run import ResponseRun
        from .._responses.tools import toolset
        from .._structured.formats import output_format

        made_tools = toolset(tools, vector_store_ids)
        fmt = output_format(text_format)
        body = response_body(
            input,
            model,
            instructions=instructions,
            tools=made_tools.specs,
            text_format=fmt,
            conversation=conversation,
            previous_response_id=previous_response_id,
            background=background,
            reasoning=reasoning,
            store=store,
            stream=stream,
            advanced=advanced,
        )
        rounds = whole_number(max_tool_rounds, "max_tool_rounds", minimum=0, maximum=MAX_TOOL_ROUNDS)
        run = ResponseRun(
            body,
            made_tools,
            create=lambda sent: self._post("responses", sent),
            create_stream=self._response_events,
            output_format=fmt,
            max_rounds=rounds,
            confirm=confirmer(confirm),
            client=self,
        )
        if background and not stream:
            return run.response([Round(self._post("responses", body))])
        return run.run(stream=stream, on_update=on_update)

    def _response_events(self, body: dict[str, Any]) -> Generator[dict[str, Any], None, None]:
        # a generator of its own, so the run can close it (and with it the connection) early
        from .._responses.stream import ENDS

        yield from self._stream_events("POST", "responses", json={**body, "stream": True}, ends=ENDS)

    def response(self, response_id: str) -> Response:
        """A stored response as a `Response` (its JSON in `.raw`); a JSON schema's answer fills `.parsed`."""
        raw = self._get(f"responses/{path_id(response_id, 'response_id')}")
        return _stored(raw, self)

    def delete_response(self, response_id: str) -> Record:
        """Delete a stored response; `{"id", "deleted": True}`."""
        return as_record(self._delete(f"responses/{path_id(response_id, 'response_id')}"))

    def cancel_response(self, response_id: str) -> Response:
        """Cancel a background response (only those can be); returns it, now "cancelled"."""
        raw = self._post(f"responses/{path_id(response_id, 'response_id')}/cancel")
        return _stored(raw, self)

    def response_input_items(self, response_id: str, *, limit: int | None = None) -> pd.DataFrame:
        """The items a stored response was given, in order: `id`, `type`, `role`, `status`, `tool`,
        `arguments`, `text` (the same columns as `Response.output`)."""
        from .._responses.items import items_frame

        limit = whole_number(limit, "limit", minimum=1, optional=True)
        path = f"responses/{path_id(response_id, 'response_id')}/input_items"
        return items_frame(self._paginate(path, {"order": "asc"}, max_items=limit))

    def count_input_tokens(
        self,
        input: Any,
        model: str | None = None,
        *,
        instructions: str | None = None,
        tools: Any = None,
        text_format: Any = None,
        conversation: Any = None,
        previous_response_id: str | None = None,
        reasoning: Any = None,
        vector_store_ids: Any = None,
        **advanced: Any,
    ) -> int:
        """The input tokens `respond()` with the same arguments would use (history, tools and
        instructions included). Settings that do not change the input (stream, store,
        temperature, ...) are accepted and left out."""
        from .._responses.body import response_body
        from .._responses.tools import toolset
        from .._structured.formats import output_format

        body = response_body(
            input,
            model,
            instructions=instructions,
            tools=toolset(tools, vector_store_ids).specs,
            text_format=output_format(text_format),
            conversation=conversation,
            previous_response_id=previous_response_id,
            reasoning=reasoning,
            advanced={k: v for k, v in advanced.items() if k in _COUNTED},
        )
        answer = self._post("responses/input_tokens", {k: v for k, v in body.items() if k in _COUNTED})
        return int(answer["input_tokens"])

    def compact_response(
        self,
        input: Any = None,
        model: str | None = None,
        *,
        previous_response_id: str | None = None,
        instructions: str | None = None,
        **advanced: Any,
    ) -> Record:
        """Compact a long context: its user messages plus one compaction item standing for the rest.

        Give the context as `input` (what `respond()` takes, or a `Response` to compact its
        thread) or `previous_response_id`. Returns the compaction's record; pass its `output`
        as the input of the next `respond()` (with your new message after it).
        """
        from .._responses.inputs import response_input
        from .._responses.result import Response

        if isinstance(input, Response):
            previous_response_id, input = input.id, None
        body: dict[str, Any] = {"model": model_argument(model, "respond")}
        if input is not None:
            body["input"] = response_input(input)
        previous = text(
            previous_response_id, "previous_response_id", optional=True, hint="give a response ID"
        )
        if previous is not None:
            body["previous_response_id"] = previous
        if "input" not in body and previous is None:
            raise InvalidInputError("give the context to compact: input=... or previous_response_id=...")
        if text(instructions, "instructions", optional=True) is not None:
            body["instructions"] = instructions
        body.update({key: value for key, value in advanced.items() if value is not None})
        return as_record(self._post("responses/compact", body))

    def container_file_content(self, container_id: str, file_id: str) -> bytes:
        """The bytes of a file the code interpreter made (`Response.files` lists them)."""
        path = (
            f"containers/{path_id(container_id, 'container_id')}/files/{path_id(file_id, 'file_id')}/content"
        )
        return self._request("GET", path).content


def _stored(raw: dict[str, Any], client: Any) -> Response:
    """A response read back from the server; a JSON schema it was asked for parses its text."""
    from .._responses.result import Response, Round
    from .._structured.formats import output_format

    fmt = ((raw.get("text") or {}).get("format") or {}) if isinstance(raw, dict) else {}
    parsed = output_format(fmt) if fmt.get("type") in ("json_schema", "json_object") else None
    return Response([Round(dict(raw))], {"model": raw.get("model")}, output_format=parsed, client=client)
