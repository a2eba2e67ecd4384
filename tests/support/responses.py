"""Helpers of the Responses and Conversations client tests: bodies sent and events received, spec-checked."""

from __future__ import annotations

from typing import Any

from tests.sandbox.responses_support import validate_event, validate_request

__all__ = ["EventLog", "bodies_sent", "validate_event", "validate_request"]


def bodies_sent(sandbox, spec, path: str = "/responses") -> list[dict[str, Any]]:
    """The JSON bodies POSTed to `path` exactly (not its sub-paths), each checked against the spec."""
    bodies = []
    for logged in sandbox.requests_to(path, "POST"):
        if logged.path.split("?")[0] != path:
            continue
        body = logged.json()
        validate_request(spec, "POST", path, body)
        bodies.append(body)
    return bodies


class EventLog:
    """Records every streamed event a client receives (around `_stream_events`), for the tests to read."""

    def __init__(self, client) -> None:
        self.events: list[dict[str, Any]] = []
        original = client._stream_events

        def recording(*args: Any, **kwargs: Any):
            for event in original(*args, **kwargs):
                self.events.append(event)
                yield event

        client._stream_events = recording

    def types(self) -> list[str]:
        return [event["type"] for event in self.events]

    def validate(self, spec) -> None:
        for event in self.events:
            validate_event(spec, event)
