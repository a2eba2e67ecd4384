"""The sandbox's log of the requests it received, bounded by the bytes of bodies it keeps.

Tests read the log to see what a client sent. A long bulk job can send gigabytes, so the
log keeps bodies up to a byte budget: past it, the oldest bodies are dropped (their
request's metadata stays, and says the body was dropped). The newest body is always
kept, so the last request can be read whatever its size. Reprs mask credentials.
"""

from __future__ import annotations

import collections
import json
import threading
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["SECRET_HEADERS", "LoggedRequest", "RequestLog", "masked_headers"]

# Headers whose values are credentials: never shown in a repr.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie"})


def masked_headers(headers: dict[str, str]) -> dict[str, str]:
    """`headers` with credentials replaced by `***` (the scheme of an Authorization kept)."""
    shown = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value.strip() else ""
            value = f"{scheme} ***" if scheme else "***"
        shown[name] = value
    return shown


@dataclass(repr=False)
class LoggedRequest:
    """One request as the sandbox received it (tests read these)."""

    method: str
    path: str  # relative to /v1
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int | None = None
    events_sent: int = 0  # for streams
    stream_completed: bool | None = None  # None: not a stream; False: the client left or it was cut
    fault: str | None = None
    target: str = ""  # the request line's target as sent, before percent-decoding
    body_size: int = field(default=-1)  # bytes received, kept even when the body is dropped
    body_dropped: bool = False  # the log dropped this body to stay within its byte budget

    def __post_init__(self) -> None:
        if self.body_size < 0:
            self.body_size = len(self.body)

    def json(self) -> Any:
        return json.loads(self._body()) if self.body_size else None

    def form(self) -> tuple[dict[str, Any], dict[str, list]]:
        from ._http import parse_multipart

        return parse_multipart(self.headers["content-type"], self._body())

    def _body(self) -> bytes:
        if self.body_dropped:
            raise ValueError(
                f"the body of this {self.method} {self.path} request ({self.body_size} bytes) was dropped "
                "from the sandbox's request log to keep it within its byte budget; "
                "give Sandbox(log_bytes=...) more room to keep it"
            )
        return self.body

    def drop_body(self) -> None:
        self.body, self.body_dropped = b"", True

    def __repr__(self) -> str:
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "headers":
                value = masked_headers(value)
            elif item.name == "body":
                value = _BodySize(self.body_size, self.body_dropped)
            elif item.name in {"body_size", "body_dropped"}:
                continue
            shown.append(f"{item.name}={value!r}")
        return f"LoggedRequest({', '.join(shown)})"


@dataclass(frozen=True)
class _BodySize:
    size: int
    dropped: bool

    def __repr__(self) -> str:
        return f"<{self.size} bytes{', dropped' if self.dropped else ''}>"


# A body larger than this is never kept, however much of the budget is free.
LARGEST_BODY = 1024 * 1024


class RequestLog(list):
    """The requests received, oldest first; their bodies take at most `max_body_bytes` in all.

    A plain list to read (`log[-1]`, `len(log)`, `log == []`); `append` and `clear` keep
    the byte count, `body_bytes`.
    """

    def __init__(self, max_body_bytes: int) -> None:
        super().__init__()
        self.max_body_bytes = max_body_bytes
        self.body_bytes = 0  # bytes of the bodies still held
        self._held: collections.deque[LoggedRequest] = (
            collections.deque()
        )  # entries with a body, oldest first
        self._lock = threading.Lock()

    def append(self, logged: LoggedRequest) -> None:
        with self._lock:
            super().append(logged)
            if len(logged.body) > LARGEST_BODY:
                logged.drop_body()  # an upload's part would otherwise be held twice: here and in its file
            if logged.body:
                self._held.append(logged)
                self.body_bytes += len(logged.body)
            # Drop the oldest bodies past the budget, but never the newest: it is the one read.
            while self.body_bytes > self.max_body_bytes and len(self._held) > 1:
                oldest = self._held.popleft()
                self.body_bytes -= len(oldest.body)
                oldest.drop_body()

    def clear(self) -> None:
        with self._lock:
            super().clear()
            self._held.clear()
            self.body_bytes = 0
