"""Server-sent events: the wire format of streamed answers.

`iter_events()` turns the lines of a response into JSON events. `data: [DONE]` ends the
stream, or, for typed streams that send no `[DONE]` (the Responses API), an event whose
`type` is one of `ends` (it is yielded, then the stream is over); an `error` event raises.
A stream that stops cleanly otherwise is whole only when the caller, who knows what a
finished answer looks like, says so: `unfinished()` names what is still missing (a chat
choice with no `finish_reason`, an image not yet completed) or returns None. Several
servers (older TGI, llama.cpp forks) end finished chat streams that way, and OpenAI's
typed streams (images, transcripts) never send `[DONE]`. Anything else, and every cut
connection, raises `StreamInterruptedError`, so a cut answer is never mistaken for a
whole one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

import httpx

from .errors import APIError, APIResponseValidationError, StreamInterruptedError

__all__ = ["iter_events", "parse_sse_lines"]


def parse_sse_lines(lines: Iterable[str]) -> Iterator[tuple[str | None, str]]:
    """Yield `(event, data)` for each event in a stream of SSE lines."""
    event: str | None = None
    data: list[str] = []
    for line in lines:
        line = line.rstrip("\r\n")
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = None, []
            continue
        if line.startswith(":"):
            continue  # a comment, used by servers as a keep-alive
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
    if data:
        yield event, "\n".join(data)


def iter_events(
    response: httpx.Response,
    ends: Collection[str] = (),
    unfinished: Callable[[], str | None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The JSON events of a streamed `response`, until `data: [DONE]`, an event of a type in
    `ends`, or a clean end.

    At a clean end without either, `unfinished()` (called after the consumer has taken the
    last event) says what the answer still lacks, or None when it is whole. Without it,
    the end marker is required.
    """
    try:
        for event, data in parse_sse_lines(response.iter_lines()):
            if data == "[DONE]":
                return
            try:
                payload = json.loads(data)
            except ValueError:
                raise APIResponseValidationError(
                    f"the stream sent an event that is not JSON: {data[:200]!r}"
                ) from None
            if event == "error" or (
                isinstance(payload, dict)
                and "error" in payload
                and set(payload) <= {"error", "event", "type"}
            ):
                raise APIError(f"the server reported an error mid-stream: {_error_text(payload)}")
            yield payload
            if ends and isinstance(payload, dict) and payload.get("type") in ends:
                return
    except httpx.TransportError as exc:
        raise StreamInterruptedError(
            f"the stream was cut before its end ({type(exc).__name__}: {exc}); what arrived is kept."
        ) from None
    marker = "its final event" if ends else "its end marker ([DONE])"
    missing = unfinished() if unfinished is not None else "the answer is incomplete"
    if missing is None:
        return
    raise StreamInterruptedError(
        f"the stream ended without {marker} and {missing}: the answer is cut short; what arrived is kept."
    )


def _error_text(payload: Any) -> str:
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error or payload)
