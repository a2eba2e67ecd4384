"""Idempotency: the answers the sandbox replays for a repeated `Idempotency-Key`.

A client that lost an answer retries with the same key and must not create a second
file or job, so the sandbox keeps each keyed answer, encoded, and sends it again with
`idempotent-replayed: true`. The cache is bounded by bytes (and by count): the oldest
answers go first, and an answer larger than the whole budget is not kept.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

from ._http import BytesResponse

__all__ = ["Replay", "ReplayCache"]

ENTRY_OVERHEAD = 256  # bytes an entry costs beyond its content: key, headers, bookkeeping


@dataclass(frozen=True)
class Replay:
    status: int
    content_type: str
    content: bytes | bytearray  # kept as the route made it: no copy
    headers: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        return len(self.content) + ENTRY_OVERHEAD + sum(len(k) + len(v) for k, v in self.headers)

    def response(self) -> BytesResponse:
        headers = {**dict(self.headers), "idempotent-replayed": "true"}
        return BytesResponse(self.content, self.content_type, self.status, headers)


class ReplayCache:
    """Keyed answers, oldest dropped first past `max_bytes` or `max_entries`."""

    def __init__(self, max_bytes: int, max_entries: int = 1000) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.bytes = 0  # what the kept answers take
        self._answers: collections.OrderedDict[str, Replay] = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def put(
        self,
        key: str | None,
        status: int,
        content_type: str,
        content: bytes | bytearray,
        headers: dict[str, str],
    ) -> None:
        if not key:
            return
        replay = Replay(status, content_type, content, tuple((k, str(v)) for k, v in headers.items()))
        with self._lock:
            previous = self._answers.pop(key, None)
            if previous is not None:
                self.bytes -= previous.size
            if replay.size > self.max_bytes:
                return  # keeping it would push out everything else and still not fit
            self._answers[key] = replay
            self.bytes += replay.size
            while self.bytes > self.max_bytes or len(self._answers) > self.max_entries:
                _, oldest = self._answers.popitem(last=False)
                self.bytes -= oldest.size

    def get(self, key: str | None) -> BytesResponse | None:
        if not key:
            return None
        with self._lock:
            replay = self._answers.get(key)
        return None if replay is None else replay.response()

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self.bytes = 0
