"""Requests and responses as the sandbox's route handlers see them."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import email.utils
import json
import quopri
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, overload

__all__ = [
    "ApiError",
    "BytesResponse",
    "JSONResponse",
    "Request",
    "StreamResponse",
    "UploadedFile",
    "error_body",
]


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str
    content_type: str
    content: bytes


@dataclass
class Request:
    """An HTTP request, decoded. `path` is relative to /v1 (e.g. `/models`)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str] = field(repr=False)  # lower-case names; not shown: they hold the key
    body: bytes = field(repr=False)
    params: dict[str, str] = field(default_factory=dict)  # from the route pattern
    fault: str | None = None  # the kind of fault applied to this request, for routes that act on one
    request_id: str = field(default_factory=lambda: f"req_{uuid.uuid4().hex[:24]}")
    _form: tuple[dict[str, Any], dict[str, list[UploadedFile]]] | None = None

    @overload
    def arg(self, name: str, default: str) -> str: ...
    @overload
    def arg(self, name: str, default: str | None = None) -> str | None: ...
    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        """The JSON body; an OpenAI-style 400 when it does not parse."""
        if not self.body:
            raise ApiError(400, "We could not parse the JSON body of your request. The body is empty.")
        try:
            return json.loads(self.body)
        except ValueError:
            raise ApiError(
                400,
                "We could not parse the JSON body of your request. (HINT: This likely means "
                "you aren't using your HTTP library correctly.)",
            ) from None

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        return body

    @property
    def is_multipart(self) -> bool:
        return self.headers.get("content-type", "").startswith("multipart/form-data")

    def form(self) -> dict[str, Any]:
        """Multipart text fields; a repeated field (`x[]`) becomes a list."""
        return self._parse_form()[0]

    def files(self) -> dict[str, list[UploadedFile]]:
        """Multipart file parts, by field name."""
        return self._parse_form()[1]

    def _parse_form(self) -> tuple[dict[str, Any], dict[str, list[UploadedFile]]]:
        if self._form is None:
            if not self.is_multipart:
                raise ApiError(400, "This endpoint expects a multipart/form-data body.")
            self._form = parse_multipart(self.headers["content-type"], self.body)
        return self._form


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, list[UploadedFile]]]:
    """Split a multipart/form-data body into text fields and files.

    The body is cut at its boundaries with `bytes.find`, so a 64 MB part costs one copy and
    milliseconds; only each part's few header lines go through the email parser.
    """
    delimiter = b"--" + _boundary(content_type)
    position = body.find(delimiter)
    if position < 0:
        raise ApiError(400, "The multipart body could not be parsed.")
    fields: dict[str, Any] = {}
    files: dict[str, list[UploadedFile]] = {}
    while True:
        position += len(delimiter)
        if body.startswith(b"--", position):
            return fields, files  # the closing boundary
        head_end, gap = _blank_line(body, position)
        end = body.find(b"\n" + delimiter, head_end)
        if head_end < 0 or end < 0:
            raise ApiError(400, "The multipart body could not be parsed.")
        payload = body[head_end + gap : end - 1 if body[end - 1 : end] == b"\r" else end]
        _add_part(fields, files, body[position:head_end].strip(), payload)
        position = end + 1


def _boundary(content_type: str) -> bytes:
    head = email.parser.BytesHeaderParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    )
    boundary = head.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise ApiError(400, "The multipart body could not be parsed: the Content-Type has no boundary.")
    return boundary.encode("latin-1", "replace")


def _blank_line(body: bytes, start: int) -> tuple[int, int]:
    """Where a part's headers end, and the length of the blank line after them (CRLF or LF)."""
    found = [(body.find(mark, start), len(mark)) for mark in (b"\r\n\r\n", b"\n\n")]
    found = [pair for pair in found if pair[0] >= 0]
    return min(found) if found else (-1, 0)


def _add_part(
    fields: dict[str, Any], files: dict[str, list[UploadedFile]], head: bytes, payload: bytes
) -> None:
    part = email.parser.BytesHeaderParser(policy=email.policy.HTTP).parsebytes(head + b"\r\n\r\n")
    name = part.get_param("name", header="content-disposition")
    if not name:
        return
    if isinstance(name, tuple):  # an RFC 2231 encoded name: (charset, language, value)
        name = email.utils.collapse_rfc2231_value(name)
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding == "base64":
        payload = base64.b64decode(payload)
    elif encoding == "quoted-printable":
        payload = quopri.decodestring(payload)
    filename = part.get_filename()
    if filename is not None:
        kind = part.get_content_type() or "application/octet-stream"
        files.setdefault(name, []).append(UploadedFile(filename, kind, payload))
        return
    value = payload.decode("utf-8", errors="replace")
    if name.endswith("[]"):
        fields.setdefault(name[:-2], []).append(value)
    elif name in fields:
        previous = fields[name]
        fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
    else:
        fields[name] = value


class ApiError(Exception):
    """Raised by a handler to answer with an OpenAI-style error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str | None = None,
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(message, type=type or _default_type(status), param=param, code=code)
        self.headers = dict(headers or {})


def error_body(
    message: str, *, type: str = "invalid_request_error", param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def _default_type(status: int) -> str:
    if status == 429:
        return "requests"
    if status >= 500:
        return "server_error"
    return "invalid_request_error"


@dataclass
class JSONResponse:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class BytesResponse:
    content: bytes | bytearray
    content_type: str = "application/octet-stream"
    status: int = 200
    headers: Mapping[str, str | None] = field(default_factory=dict)  # None removes a default header


@dataclass
class StreamResponse:
    """Server-sent events: each item is sent as `data: <json>`, then `data: [DONE]`.

    With `event_names`, each item (a dict with a `type`) is sent as `event: <type>` and
    `data: <json>`, with no `[DONE]` after the last: the typed streams (responses, images,
    transcripts).
    """

    events: Iterable[Any]
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds between events, so a stream can be watched (and interrupted) arriving.
    interval: float = 0.0
    event_names: bool = False
    # The tokens the answer costs, for the usage report (a stream only shows them on request).
    usage: dict[str, Any] | None = None
