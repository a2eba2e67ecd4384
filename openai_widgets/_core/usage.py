"""The usage that answers report, read where they arrive and passed on to the session's ledger.

The transport sees every answer of a single call. For the endpoints billed by tokens it
reads the answer's `model` and `usage` without decoding the body a second time: the
top-level `"model"` is the first such key from the start of the body (for embeddings, which
keep it after their long `data` list, the last one in the body's tail), `"usage"` the last
one from the end, and only those small values are decoded, so a 17 MB embeddings answer
costs a couple of byte searches. Streams report the last event that carries usage.

The ledger (`_costs.ledger`) sits above the transport, so it registers itself here as the
recorder when it is imported (`set_recorder`); with none registered, reports are dropped.
A background response (`POST /responses` with `background: true`) has no usage yet: its ID
is kept, and the `GET /responses/{id}` that first shows its usage reports it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "RECORDED",
    "answered",
    "endpoint_of",
    "read_body",
    "read_event",
    "report",
    "set_recorder",
    "streamed",
]

logger = logging.getLogger("openai_widgets")

# Endpoints whose answers make a ledger row (moderations carry no usage; the others must).
RECORDED = frozenset({"chat/completions", "completions", "responses", "embeddings", "moderations"})
_TAIL = 64 * 1024  # bytes at the end of a big body where an embeddings answer keeps "model"
_VALUE = 4096  # bytes read after a key to decode its value (a usage object is far smaller)
_PENDING_MAX = 10_000  # background responses waiting for their usage

_recorder: Callable[..., Any] | None = None
_NOT_A_VALUE = object()  # what follows a key is not a JSON value
_pending: dict[str, None] = {}  # IDs of background responses created without usage yet
_lock = threading.Lock()


def set_recorder(recorder: Callable[..., Any] | None) -> None:
    """Route reports to `recorder(client, endpoint, model, usage, request_id=...)` (the ledger)."""
    global _recorder
    _recorder = recorder


def report(client: Any, endpoint: str, model: str | None, usage: Any, **details: Any) -> None:
    """Pass one answered request to the recorder; a failing recorder never fails the request."""
    recorder = _recorder
    if recorder is None:
        return
    try:
        recorder(client, endpoint, model, usage, **details)
    except Exception:  # the ledger is a convenience: the answer matters more
        logger.exception("recording usage failed")


def endpoint_of(path: str) -> str:
    """`/v1/chat/completions`, `/chat/completions` or `chat/completions` -> `chat/completions`."""
    text = path.split("?", 1)[0].strip("/")
    return text[3:] if text.startswith("v1/") else text


def answered(client: Any, method: str, path: str, content: bytes, request_id: str | None) -> None:
    """A single call's answer arrived whole: report its usage if its endpoint is billed by it."""
    try:
        _answered(client, method, endpoint_of(path), content, request_id)
    except Exception:  # reading usage must never fail the request
        logger.exception("reading usage failed")


def _answered(client: Any, method: str, endpoint: str, content: bytes, request_id: str | None) -> None:
    if method == "POST" and endpoint in RECORDED:
        model, usage, ident = read_body(
            content, with_id=endpoint == "responses", model_at_end=endpoint == "embeddings"
        )
        if usage is None and endpoint == "responses" and ident:
            _remember(ident)  # background: the usage comes with a later GET
            return
        if usage is not None or endpoint == "moderations":
            report(client, endpoint, model, usage, request_id=request_id)
    elif method == "GET" and endpoint.startswith("responses/") and endpoint.count("/") == 1 and _pending:
        ident = endpoint.split("/", 1)[1]
        if ident in _pending:
            model, usage, _ = read_body(content)
            if usage is not None and _forget(ident):
                report(client, "responses", model, usage, request_id=request_id)


def streamed(client: Any, path: str, event: Mapping[str, Any], request_id: str | None) -> None:
    """A stream ended; `event` is its last event that carried usage."""
    endpoint = endpoint_of(path)
    if endpoint not in RECORDED:
        return
    model, usage, _ = read_event(event)  # a dict lookup or two: nothing here can fail
    if usage is not None:
        report(client, endpoint, model, usage, request_id=request_id)


def read_event(event: Mapping[str, Any]) -> tuple[str | None, dict[str, Any] | None, str | None]:
    """(model, usage, id) of a stream event: a chat chunk's own, or a Responses event's `response`."""
    holder: Any = event
    if not isinstance(event.get("usage"), dict) and isinstance(event.get("response"), dict):
        holder = event["response"]
    usage = holder.get("usage")
    model = holder.get("model")
    ident = holder.get("id")
    return (
        model if isinstance(model, str) else None,
        usage if isinstance(usage, dict) else None,
        ident if isinstance(ident, str) else None,
    )


def read_body(
    content: bytes, *, with_id: bool = False, model_at_end: bool = False
) -> tuple[str | None, dict[str, Any] | None, str | None]:
    """(model, usage, id) of a JSON answer, read around its keys without decoding the whole body.

    `model_at_end`: the answer keeps its top-level "model" after a long list (embeddings),
    so the body's tail is searched first. A key inside a string value is escaped
    (`\\"usage\\"`), so it does not match; a key of the same name nested deeper (a tool's
    "model", metadata's "usage") is passed over when its value is not of the expected type.
    """
    if content[:64].lstrip()[:1] != b"{":  # a slice: never a copy of a big body
        return None, None, None
    model = _first_string(content, b'"model"', tail_first=model_at_end)
    usage = _last_object(content, b'"usage"')
    ident = _first_string(content, b'"id"', limit=_VALUE) if with_id else None
    return model, usage, ident


def _first_string(
    content: bytes, key: bytes, *, limit: int | None = None, tail_first: bool = False
) -> str | None:
    """The string value of the first `key` (of the last one in the tail, with `tail_first`)."""
    starts = []
    if tail_first:
        starts.append(content.rfind(key, max(len(content) - _TAIL, 0)))
    starts.append(content.find(key, 0, len(content) if limit is None else limit))
    for start in starts:
        if start >= 0:
            value = _value_at(content, start + len(key))
            if isinstance(value, str):
                return value
    return None


def _last_object(content: bytes, key: bytes) -> dict[str, Any] | None:
    """The object value of the last `key` whose value is an object (None when it is null)."""
    end = len(content)
    for _ in range(4):  # a few nested keys of the same name at most
        start = content.rfind(key, 0, end)
        if start < 0:
            return None
        value = _value_at(content, start + len(key))
        if isinstance(value, dict) or value is None:
            return value  # None: the usage is null (a background response that is not done)
        end = start
    return None


def _value_at(content: bytes, position: int) -> Any:
    """The JSON value after `"key"` at `position` (`: value`), or a marker when it is not one."""
    window = content[position : position + _VALUE].decode("utf-8", "replace")
    stripped = window.lstrip()
    if not stripped.startswith(":"):
        return _NOT_A_VALUE
    text = stripped[1:].lstrip()
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return _NOT_A_VALUE
    return value


def _remember(ident: str) -> None:
    with _lock:
        _pending[ident] = None
        while len(_pending) > _PENDING_MAX:
            del _pending[next(iter(_pending))]


def _forget(ident: str) -> bool:
    with _lock:
        return _pending.pop(ident, 0) is None
