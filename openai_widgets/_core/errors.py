"""Every error the package raises, in one tree.

    OpenAIError
    ├── NotConnectedError            no client yet and no key in the environment
    │   └── AdminKeyRequiredError        an admin route, and the client has no admin key
    ├── InvalidInputError (ValueError)   bad input, caught before any request is sent
    │   └── InvalidJSONError             a JSON text (headers, query, body) does not parse
    ├── InvalidTypeError (TypeError)     input of the wrong type, caught before sending
    └── APIError                     something went wrong talking to the server
        ├── APIStatusError           the server answered with an error status
        │   ├── BadRequestError              400
        │   ├── AuthenticationError          401
        │   ├── PermissionDeniedError        403
        │   ├── NotFoundError                404
        │   ├── ConflictError                409
        │   ├── UnprocessableEntityError     422
        │   ├── RateLimitError               429
        │   └── InternalServerError          5xx
        ├── APIConnectionError       no answer: connection refused, reset, DNS...
        │   ├── APITimeoutError          the server took longer than the timeout
        │   └── StreamInterruptedError   a stream ended before its end marker
        ├── APIResponseValidationError   an answer that is not what the API promises
        ├── BulkError (bulk.py)      a bulk job stopped; also of its cause's class; `.partial`
        └── UploadError (_files/errors.py)   an upload in parts failed; `.partial` resumes it

    KeyboardInterrupt
    ├── BulkInterrupted (bulk.py)    Ctrl-C stopped a bulk job; `.partial` holds what finished
    ├── UploadInterrupted (_files/errors.py)   Ctrl-C stopped an upload in parts; `.partial`
    └── IndexingInterrupted (_files/errors.py) Ctrl-C stopped filling a vector store

`error_from_response()` turns an HTTP error response into the right class, with a
message that says what happened and what to do next (for a 404, what fits the call:
see `not_found`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .admin_routes import is_admin_path
from .constants import MAX_RETRY_AFTER
from .secrets import redact, redact_data

if TYPE_CHECKING:
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AdminKeyRequiredError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "InvalidInputError",
    "InvalidJSONError",
    "InvalidTypeError",
    "NotConnectedError",
    "NotFoundError",
    "OpenAIError",
    "PermissionDeniedError",
    "RateLimitError",
    "StreamInterruptedError",
    "UnprocessableEntityError",
    "error_from_response",
]


class OpenAIError(Exception):
    """Root of every error raised by openai_widgets."""

    def __init__(self, message: str) -> None:
        # Whatever built the message, a registered API key never reaches the text.
        self.message = redact(message)
        super().__init__(self.message)


class NotConnectedError(OpenAIError, RuntimeError):
    """No default client is set and no API key is in the environment."""


class AdminKeyRequiredError(NotConnectedError):
    """An admin route (organization usage and costs, checkpoint permissions) and no admin key.

    Raised before anything is sent: the API key is never sent to admin routes.
    """


class InvalidInputError(OpenAIError, ValueError):
    """An argument value that cannot be sent; the message says what to change."""


class InvalidJSONError(InvalidInputError):
    """A JSON text given for a field does not parse; the message names the field and position."""

    @classmethod
    def from_decode_error(cls, field: str, exc: json.JSONDecodeError) -> InvalidJSONError:
        return cls(
            f"{field} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
            f"(character {exc.pos}); fix the JSON text or pass a dict."
        )


class InvalidTypeError(OpenAIError, TypeError):
    """An argument of a type the function does not take."""


class APIError(OpenAIError):
    """A request could not be completed."""

    request_id: str | None = None


class APIStatusError(APIError):
    """The server answered with an error status (4xx or 5xx)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
        rate_limits: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = redact_data(body)  # a proxy may echo the request, Authorization header and all
        # The answer's x-ratelimit-* headers, for pacing: a 429 tells the limits too.
        self.rate_limits = dict(rate_limits or {})


class BadRequestError(APIStatusError):
    """400: the server rejected the request's content."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not use this resource."""


class NotFoundError(APIStatusError):
    """404: no such path, model, file or job."""


class ConflictError(APIStatusError):
    """409: the resource changed while the request was made."""


class UnprocessableEntityError(APIStatusError):
    """422: the request parsed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens per minute, or the quota is used up."""


class InternalServerError(APIStatusError):
    """5xx: the server (or a proxy in front of it) failed."""


class APIConnectionError(APIError):
    """No usable answer: the connection failed, was reset or was refused."""


class APITimeoutError(APIConnectionError):
    """The server did not answer within the timeout."""


class StreamInterruptedError(APIConnectionError):
    """A streamed answer stopped before its end; `partial` holds what arrived."""

    def __init__(self, message: str, partial: Any = None) -> None:
        super().__init__(message)
        self.partial = partial


class APIResponseValidationError(APIError):
    """The server answered with a body that is not what the API documents."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

# What to do next, per status; appended to the server's own message.
_HINTS: dict[int, str] = {
    400: "Check the arguments named in the message.",
    401: "Check the API key: ow.connect(api_key=...) or set OPENAI_API_KEY.",
    403: "The key may not use this resource: check the organization, project and key permissions.",
    409: "The resource changed meanwhile; try again.",
    422: "The request was understood but cannot be processed; check its values.",
}

# The same, for the admin routes (organization usage and costs, checkpoint permissions).
_ADMIN_HINTS: dict[int, str] = {
    401: "Check the admin key: ow.connect(admin_key=...) or set OPENAI_ADMIN_KEY.",
    403: "This route needs an admin key of the organization: ow.connect(admin_key=...).",
}

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def error_from_response(
    response: httpx.Response, *, retries: int = 0, base_url: str | None = None
) -> APIStatusError:
    """The error to raise for an HTTP error `response` (the body must be read).

    `base_url` is the client's, named in the hint when the server does not serve a path.
    """
    status = response.status_code
    request_id = response.headers.get("x-request-id")
    body, server_message = _parse_error_body(response)
    info = body.get("error") if isinstance(body, dict) else None
    info = info if isinstance(info, dict) else {}

    retry_after = _seen_retry_after(response)
    if server_message[-1:] not in ".!?":
        server_message += "."
    parts = [f"{status} {response.reason_phrase or 'Error'}: {server_message}"]
    if status == 404:
        hint = _not_found(response, base_url, body, server_message)
    else:
        hint = _hint(status, info.get("code"), retry_after, retries)
    if status in _ADMIN_HINTS and _on_admin_route(response):
        hint = _ADMIN_HINTS[status]
    if hint:
        parts.append(hint)
    if request_id:
        parts.append(f"(request id {request_id})")

    cls = _STATUS_CLASSES.get(status, InternalServerError if status >= 500 else APIStatusError)
    return cls(
        " ".join(parts),
        status_code=status,
        type=info.get("type"),
        code=_as_text(info.get("code")),
        param=_as_text(info.get("param")),
        request_id=request_id,
        retry_after=retry_after,
        body=body,
        rate_limits={k: v for k, v in response.headers.items() if k.lower().startswith("x-ratelimit-")},
    )


def _parse_error_body(response: httpx.Response) -> tuple[Any, str]:
    """The decoded body and a one-line account of it."""
    text = response.text
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return body, _one_line(str(error["message"]))
        if isinstance(error, str):
            return body, _one_line(error)
        if body.get("message"):
            return body, _one_line(str(body["message"]))
    if "<html" in text[:500].lower():
        title = _TITLE.search(text)
        page = f' ("{_one_line(title.group(1))}")' if title else ""
        return text, (
            f"the server sent an HTML page{page} instead of an API error, likely from a proxy or gateway."
        )
    if text.strip():
        return text, _one_line(text)[:300]
    return body, "the server sent no error details."


def _hint(status: int, code: Any, retry_after: float | None, retries: int) -> str:
    if status == 429:
        if code == "insufficient_quota":
            return "The quota is used up: check the plan and billing of this key's organization."
        if retry_after is not None and retry_after > MAX_RETRY_AFTER:
            return (
                f"Rate limit reached. Not retried: the server asked to wait {retry_after:g} s, "
                f"more than the {MAX_RETRY_AFTER:g} s this client waits on its own; try again later."
            )
        wait = f" The server asked to wait {retry_after:g} s." if retry_after is not None else ""
        return f"Rate limit reached (requests or tokens per minute).{wait} Slow down or try again later."
    if status >= 500:
        tried = f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
        return f"The server failed{tried}; try again later."
    return _HINTS.get(status, "")


def _not_found(response: httpx.Response, base_url: str | None, body: Any, message: str) -> str:
    from .not_found import not_found_hint

    try:
        request = response.request
    except RuntimeError:  # a response made by hand, without its request
        return not_found_hint("GET", "", base_url, body, message)
    return not_found_hint(request.method, str(request.url), base_url, body, message)


def _on_admin_route(response: httpx.Response) -> bool:
    """Whether the request went to an admin route (whatever the base URL's own path)."""
    try:
        segments = response.request.url.path.strip("/").split("/")
    except RuntimeError:  # a response built without a request
        return False
    return any(is_admin_path("/".join(segments[start:])) for start in range(len(segments)))


def _seen_retry_after(response: httpx.Response) -> float | None:
    from .retries import retry_after_seconds

    return retry_after_seconds(response.headers)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)
