"""Chat completions: one call, whole or streamed, with images and JSON mode."""

from __future__ import annotations

import contextlib
import re
import typing
import warnings
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from .._core.arguments import model_argument
from .._core.errors import APIStatusError, InvalidInputError, InvalidTypeError, StreamInterruptedError
from .._core.servers import names_field
from .._core.transport import BaseClient

if TYPE_CHECKING:
    from .._chat.result import ChatResult
    from .._structured.formats import OutputFormat

__all__ = ["ChatAPI"]

JSON_HINT = "Reply with JSON."
_RESPONSE_FORMATS = {"text", "json_object", "json_schema"}


class ChatAPI(BaseClient):
    def chat(
        self,
        messages: Any,
        model: str | None = None,
        *,
        stream: bool = False,
        on_update: Callable[[ChatResult], Any] | None = None,
        **advanced: Any,
    ) -> ChatResult:
        """Ask a chat model; returns a `ChatResult` (`.text`, `.messages`, `.usage`, ...).

        `messages` is a string (one user message), a list of `{role, content, name}` dicts,
        or a list of text and images for one user message: `chat(["What is this?", img])`.
        Content may hold PIL images, image files (sent as data URLs) and http(s) image URLs.
        `model` defaults to gpt-4o-mini. `advanced` settings go into the request as given
        (temperature, top_p, max_completion_tokens, n, stop, seed, tools, logprobs, ...);
        temperature, top_p, n, penalties and stop are checked first. `response_format` may
        be a dict as the API takes it, "json" (json_object), a bare JSON schema dict, or a
        class: a Pydantic model, a dataclass, a TypedDict or list[...] of one, sent as the
        strict schema structured outputs need; `.parsed` is then an instance of the class
        (a dict for a schema). In JSON mode a "Reply with JSON." system message is added
        when no message says "JSON" (the API requires it), and `.data` holds the parsed
        reply (a list of records as a DataFrame).

        With `stream=True` the reply shows token by token in the notebook cell, updated in
        place about 15 times a second (or `on_update(partial_result)` is called at that
        rate instead, for panels). An interrupt (Ctrl-C, Kernel > Interrupt) closes the
        connection and returns what arrived, with `.interrupted` True, rather than raising:
        the partial reply stays usable (in a loop of streamed calls, check `.interrupted`
        to stop the loop too). A stream the server cuts raises `StreamInterruptedError`
        whose `.partial` is that ChatResult; one that ends cleanly once every choice has its
        finish_reason is whole, with or without `data: [DONE]`. The streamed output is the
        cell's display of the result, so the same cell does not show it twice. Token usage
        of a stream is asked for (`stream_options.include_usage`) from OpenAI, or when the
        client has `stream_usage=True`; `.usage` holds it whenever the server sends it.
        """
        from .._chat.messages import normalize_messages
        from .._chat.result import ChatResult

        body = chat_body(normalize_messages(messages), model, advanced)
        fmt = chat_output_format(advanced.get("response_format"))
        if stream:
            return self._chat_stream(body, on_update, fmt)
        return ChatResult(self._post("chat/completions", body), body["messages"], body, output_format=fmt)

    def _chat_stream(
        self,
        body: dict[str, Any],
        on_update: Callable[[ChatResult], Any] | None,
        fmt: OutputFormat | None = None,
    ) -> ChatResult:
        from .._chat.result import ChatResult
        from .._chat.stream import ChunkAssembler, LiveView

        body = {**body, "stream": True}
        added = "stream_options" not in body and self._wants_stream_usage()
        if added:
            body["stream_options"] = {"include_usage": True}
        assembler = ChunkAssembler()
        view = LiveView(on_update)

        def result(interrupted: bool = False) -> ChatResult:
            return ChatResult(
                assembler.response(), body["messages"], body, interrupted=interrupted, output_format=fmt
            )

        def unfinished() -> str | None:
            return assembler.unfinished(body.get("n") or 1)

        events = self._chunks(body, unfinished, refusable=added)
        try:
            with contextlib.closing(events):  # leaving early closes the connection
                for chunk in events:
                    assembler.add(chunk)
                    if view.due():
                        view.show(result())
        except KeyboardInterrupt:
            partial = result(interrupted=True)
            with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: we are stopping anyway
                view.show(partial, final=True)
            return partial
        except StreamInterruptedError as exc:
            exc.partial = result(interrupted=True)
            view.show(exc.partial, final=True)
            raise
        final = result()
        view.show(final, final=True)
        return final

    def _wants_stream_usage(self) -> bool:
        """Whether to ask a stream for its usage: on OpenAI, or as this client was told (`_core.servers`)."""
        if self._shared.get("stream_usage_refused"):
            return False
        return self.openai_server if self.stream_usage is None else self.stream_usage

    def _chunks(
        self, body: dict[str, Any], unfinished: Callable[[], str | None], *, refusable: bool
    ) -> Generator[dict[str, Any], None, None]:
        """The stream's chunks. A server that refuses the stream_options we added (a 400 or 5xx
        naming it) gets the request once more without it, and this client stops sending it."""

        def refuses(response: Any) -> bool:
            return refusable and _refuses_stream_options(response.status_code, response.text)

        try:
            yield from self._stream_events(
                "POST", "chat/completions", json=body, unfinished=unfinished, final=refuses
            )
        except APIStatusError as exc:  # raised before any chunk: the answer was an error status
            if not (refusable and _refuses_stream_options(exc.status_code or 0, str(exc))):
                raise
            body.pop("stream_options")
            self._shared["stream_usage_refused"] = True
            warnings.warn(
                f"the server refused stream_options ({exc.status_code}: {str(exc)[:160]}); sent again "
                "without it, so streamed replies carry token usage only if the server adds it. "
                "Client(stream_usage=False) leaves it out from the start.",
                RuntimeWarning,
                stacklevel=4,
            )
            yield from self._stream_events("POST", "chat/completions", json=body, unfinished=unfinished)


def _refuses_stream_options(status: int, text: str) -> bool:
    return (status == 400 or status >= 500) and names_field(text, "stream_options", "include_usage")


def chat_body(messages: list[dict[str, Any]], model: Any, advanced: dict[str, Any]) -> dict[str, Any]:
    """The request body: checked settings, JSON mode prepared."""
    from .._chat.sampling import checked_settings

    options = {key: value for key, value in advanced.items() if value is not None}
    options = checked_settings(options)
    if "response_format" in options:
        options["response_format"] = response_format(options["response_format"])
        messages = _with_json_hint(messages, options["response_format"])
    return {"model": model_argument(model, "chat"), "messages": messages, **options}


def chat_output_format(value: Any) -> OutputFormat | None:
    """How `.parsed` reads the reply: a class's format, or the API's json_schema dict's (into a dict)."""
    from .._structured.formats import output_format

    if _is_class_format(value):
        return output_format(value, "response_format")
    if isinstance(value, dict) and value.get("type") == "json_schema":
        return output_format(value, "response_format")
    return None


def response_format(value: Any) -> dict[str, Any]:
    """`"json"`, `"text"`, an API response_format dict, a bare JSON schema (wrapped), or a class
    (a Pydantic model, a dataclass, a TypedDict, list[...] of one) as a strict json_schema."""
    from .._structured.formats import output_format

    if _is_class_format(value):
        made = output_format(value, "response_format")
        assert made is not None  # a class always makes a format
        return made.chat_format()
    if isinstance(value, str):
        kind = {"json": "json_object"}.get(value, value)
        if kind not in {"text", "json_object"}:
            raise InvalidInputError(
                f"response_format {value!r} is not known; use 'json', 'text' or a JSON schema dict"
            )
        return {"type": kind}
    if not isinstance(value, dict):
        raise InvalidTypeError(
            "response_format must be a string, a dict or a class (a Pydantic model, dataclass or TypedDict), "
            f"not {type(value).__name__}"
        )
    if value.get("type") in _RESPONSE_FORMATS:
        return value
    if value.get("type") == "object" or "properties" in value:
        name = re.sub(r"[^A-Za-z0-9_-]", "_", str(value.get("title") or "reply"))[:64]
        return {"type": "json_schema", "json_schema": {"name": name, "schema": value}}
    raise InvalidInputError(
        "response_format must have a 'type' of text, json_object or json_schema, or be a JSON schema "
        "of an object"
    )


def _is_class_format(value: Any) -> bool:
    return isinstance(value, type) or typing.get_origin(value) is list


def _with_json_hint(messages: list[dict[str, Any]], fmt: dict[str, Any]) -> list[dict[str, Any]]:
    from .._chat.messages import text_of

    if fmt.get("type") != "json_object":
        return messages
    if any("json" in text_of(m.get("content")).lower() for m in messages):
        return messages
    return [{"role": "system", "content": JSON_HINT}, *messages]
