"""What each fault kind does: one table, `BEHAVIOURS`, that the server asks while it answers.

A behaviour is a few hooks, each called at one point of answering a request; a kind sets
only the hooks it needs and the rest do nothing:

    delay(fault)                   seconds to wait first                   latency
    answer(fault)                  an answer instead of the route's, or    status, html, drop
                                   DROP (close without answering)
    body(body, fault)              a JSON body before it is encoded        extra_field, missing_optional
    payload(data, type, fault)     the encoded bytes of a whole answer     malformed
    send(wire, data, fault)        how a whole answer's bytes go out       reset, trickle
    send_event(wire, data, fault)  how each streamed event's bytes go out  trickle
    cut_after(fault)               events a stream sends, then it is cut   cut_stream

Each kind declares its parameters (a converter and a default), so `inject()` and the
`X-Sandbox-Fault` header refuse a misspelt one. Every kind also takes `headers`
({name: value}): response headers sent verbatim on whatever answer the request gets,
overriding the sandbox's own (a value of None removes one of them).
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ._http import BytesResponse, JSONResponse, error_body

if TYPE_CHECKING:
    from ._faults import Fault

__all__ = ["BEHAVIOURS", "DROP", "OPTIONAL_FIELDS", "PLAIN", "Behaviour", "Param", "Wire", "added_headers"]

# Optional fields that `missing_optional` strips from answers (top level and list items).
OPTIONAL_FIELDS = (
    "system_fingerprint",
    "usage",
    "revised_prompt",
    "service_tier",
    "shutdown_date",
    "expires_at",
    "status_details",
    "logprobs",
    "estimated_finish",
    "metadata",
    "user_provided_suffix",
)


class Wire(Protocol):
    """The connection as a `send` hook sees it."""

    def write(self, data: bytes) -> None: ...

    def reset(self) -> None: ...


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()  # an `answer` that closes the connection with a reset and no answer at all


class Param(NamedTuple):
    """One fault parameter: how a given value (or the header's text) is read, and its default."""

    convert: Callable[[Any], Any]
    default: Any = None


# -- parameter converters: each takes a Python value or the header's text ------------------------


def _whole_number(value: Any) -> int:
    if isinstance(value, bool) or float(value) != int(float(value)):
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(float(value))


def _seconds(value: Any) -> float:
    number = float(value)
    if not number >= 0:  # also refuses nan
        raise ValueError(f"expected seconds >= 0, got {value!r}")
    return number


def _positive(value: Any) -> int:
    number = _whole_number(value)
    if number < 1:
        raise ValueError(f"expected a whole number >= 1, got {value!r}")
    return number


def _verbatim(value: Any) -> str:
    """A header value sent exactly as given: "nan", "-1", "1h" and 2.5 all go out as written."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    _check_header_value(text)
    return text


def _names(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def _check_header_value(text: str) -> None:
    if any(c in text for c in "\r\n\0"):
        raise ValueError(f"a header value cannot hold a line break: {text!r}")


def _headers(value: Any) -> dict[str, str | None]:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a dict of header names to values, got {type(value).__name__}")
    headers: dict[str, str | None] = {}
    for name, raw in value.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ValueError(f"{name!r} is not a valid header name")
        headers[name.lower()] = None if raw is None else _verbatim(raw)
    return headers


COMMON_PARAMS = {"headers": Param(_headers)}


# -- hooks ---------------------------------------------------------------------------------------


def _no_delay(fault: Fault | None) -> float:
    return 0.0


def _no_answer(fault: Fault | None) -> None:
    return None


def _same_body(body: Any, fault: Fault | None) -> Any:
    return body


def _same_payload(data: bytes, content_type: str, fault: Fault | None) -> bytes:
    return data


def _whole(wire: Wire, data: bytes, fault: Fault | None) -> None:
    wire.write(data)


def _never_cut(fault: Fault | None) -> int | None:
    return None


def _error_answer(fault: Fault) -> JSONResponse:
    """`status`: an OpenAI-style error body with the retry headers asked for."""
    status = fault.params["status"]
    if status == 429:
        message = "Rate limit reached for requests (sandbox fault injection). Please try again later."
    else:
        message = "The server had an error while processing your request (sandbox fault injection)."
    kind = "server_error" if status >= 500 else "requests"
    return JSONResponse(error_body(message, type=kind), status, _retry_headers(fault.params))


def _retry_headers(params: Mapping[str, Any]) -> dict[str, str]:
    headers = {}
    if params["retry_after"] is not None:
        headers["retry-after"] = params["retry_after"]
    if params["retry_after_ms"] is not None:
        headers["retry-after-ms"] = params["retry_after_ms"]
    if params["retry_after_date"] is not None:
        moment = time.time() + params["retry_after_date"]
        headers["retry-after"] = email.utils.formatdate(moment, usegmt=True)
    if params["should_retry"] is not None:
        headers["x-should-retry"] = params["should_retry"]
    return headers


def _html_page(fault: Fault) -> BytesResponse:
    """`html`: the error page a proxy in front of the API would send, without OpenAI's headers."""
    status = fault.params["status"]
    page = (
        f"<html><head><title>{status} Bad Gateway</title></head><body><center><h1>{status} "
        "Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
    ).encode()
    unset = {"x-request-id": None, "openai-processing-ms": None, "openai-version": None}
    return BytesResponse(page, "text/html", status, unset)


def _with_extra_field(body: Any, fault: Fault) -> Any:
    if isinstance(body, dict):
        body = {**body, "sandbox_extra": {"note": "a field the API may add later"}}
        if isinstance(body.get("data"), list):
            body["data"] = [
                {**item, "sandbox_extra": 1} if isinstance(item, dict) else item for item in body["data"]
            ]
    return body


def _without_optional(body: Any, fault: Fault) -> Any:
    names = set(fault.params["fields"])
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in names}
        if isinstance(body.get("data"), list):
            body["data"] = [
                {k: v for k, v in item.items() if k not in names} if isinstance(item, dict) else item
                for item in body["data"]
            ]
    return body


def _truncated_json(data: bytes, content_type: str, fault: Fault) -> bytes:
    if not content_type.startswith("application/json"):
        return data
    return data[: max(len(data) // 2, 1)]  # JSON cut off, with a Content-Length that matches


def _half_then_reset(wire: Wire, data: bytes, fault: Fault) -> None:
    wire.write(data[: len(data) // 2])
    wire.reset()


def _trickle(wire: Wire, data: bytes, fault: Fault) -> None:
    """`bytes` at a time, `interval` seconds apart: slow enough to outlast any per-read timeout."""
    step, interval = fault.params["bytes"], fault.params["interval"]
    for start in range(0, len(data), step):
        if start:
            time.sleep(interval)
        wire.write(data[start : start + step])


# -- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Behaviour:
    """What one fault kind does: its parameters and the hooks the server calls (see the module)."""

    summary: str
    params: Mapping[str, Param] = field(default_factory=dict)
    delay: Callable[[Any], float] = _no_delay
    answer: Callable[[Any], Any] = _no_answer
    body: Callable[[Any, Any], Any] = _same_body
    payload: Callable[[bytes, str, Any], bytes] = _same_payload
    send: Callable[[Wire, bytes, Any], None] = _whole
    send_event: Callable[[Wire, bytes, Any], None] = _whole
    cut_after: Callable[[Any], int | None] = _never_cut

    def all_params(self) -> dict[str, Param]:
        return {**COMMON_PARAMS, **self.params}


BEHAVIOURS: dict[str, Behaviour] = {
    "status": Behaviour(
        "answer with an error status and an OpenAI-style error body",
        {
            "status": Param(_whole_number, 500),
            "retry_after": Param(_verbatim),  # seconds, or any text: sent as given
            "retry_after_ms": Param(_verbatim),
            "retry_after_date": Param(float),  # seconds from now, sent as an HTTP date
            "should_retry": Param(_verbatim),  # x-should-retry
        },
        answer=_error_answer,
    ),
    "latency": Behaviour(
        "wait before answering", {"seconds": Param(_seconds, 0.0)}, delay=lambda f: f.params["seconds"]
    ),
    "drop": Behaviour("close the connection without an answer", answer=lambda f: DROP),
    "reset": Behaviour("send half the body, then reset the connection", send=_half_then_reset),
    "cut_stream": Behaviour(
        "send `after` stream events, then reset the connection",
        {"after": Param(_whole_number, 2)},
        cut_after=lambda f: f.params["after"],
    ),
    "malformed": Behaviour("cut a JSON body in half, with status 200", payload=_truncated_json),
    "html": Behaviour(
        "answer with a proxy's HTML error page", {"status": Param(_whole_number, 502)}, answer=_html_page
    ),
    "extra_field": Behaviour("add an undocumented field to the answer", body=_with_extra_field),
    "missing_optional": Behaviour(
        "remove optional fields from the answer",
        {"fields": Param(_names, OPTIONAL_FIELDS)},
        body=_without_optional,
    ),
    "headers": Behaviour("answer normally, with the `headers` given"),
    # The route itself acts on this one (it reads `request.fault`): see routes/responses.py.
    "failed_response": Behaviour("end a Responses API answer with status failed and a server_error"),
    "trickle": Behaviour(
        "send the answer `bytes` at a time, `interval` seconds apart (streams too)",
        {"bytes": Param(_positive, 1), "interval": Param(_seconds, 0.3)},
        send=_trickle,
        send_event=_trickle,
    ),
}

PLAIN = Behaviour("no fault: answer normally")


def added_headers(fault: Fault | None) -> dict[str, str | None]:
    """The response headers a fault sets (None: remove that header)."""
    return dict(fault.params.get("headers") or {}) if fault is not None else {}
