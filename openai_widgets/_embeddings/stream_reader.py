"""An embeddings answer read as it arrives, each vector decoded straight into its row.

OpenAI writes a base64 answer as `{"object": "list", "data": [{"object": "embedding",
"index": 0, "embedding": "<base64>"}, ...], "model": ..., "usage": {...}}`. The reader
finds each item's index and base64 text in the chunks as they come off the socket,
decodes the vector into the row its owner hands out (the final matrix's, usually), and
drops what it has read: it holds one chunk and at most one vector's text, never the
whole body. An answer laid out otherwise (float lists, another key order) is kept whole
and parsed once at the end, as before.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._core.errors import APIResponseValidationError
from .vectors import decode_embeddings

__all__ = ["EmbeddingAnswer", "EmbeddingStreamReader"]

# One item in the order OpenAI writes it, up to the opening quote of its base64 vector.
_ITEM = re.compile(
    rb'\{\s*(?:"object"\s*:\s*"embedding"\s*,\s*)?"index"\s*:\s*(\d+)\s*,\s*"embedding"\s*:\s*"'
)
_HEADER_ROOM = 256  # bytes kept when no item header is found yet: one may start at the end
_GIVE_UP_STREAMING = 1 << 20  # this much without an item header: not a base64 answer, keep it whole
_TAIL = 4096  # bytes of the end kept for the usage object


@dataclass
class EmbeddingAnswer:
    """What one answer gave: the rows it wrote in place, the ones it kept itself, the usage."""

    written: np.ndarray  # bool per input of the request: decoded into the row `row_for` gave
    kept: dict[int, np.ndarray] = field(default_factory=dict)  # index -> vector, where no row was given
    usage: dict[str, Any] = field(default_factory=dict)


class EmbeddingStreamReader:
    """Feeds on an answer's chunks (see the module docstring); `finish()` gives an `EmbeddingAnswer`.

    `row_for(index, width)` returns the (width,) float32 row to decode input `index` of the
    request into, or None to have the reader keep the vector (e.g. a piece of a long input
    that is averaged later).
    """

    def __init__(self, count: int, row_for: Callable[[int, int], np.ndarray | None]) -> None:
        self.count = count
        self.row_for = row_for
        self.answer = EmbeddingAnswer(np.zeros(count, dtype=bool))
        self._seen = np.zeros(count, dtype=bool)
        self._buffer = bytearray()
        self._tail = b""
        self._whole: list[bytes] | None = None  # set once the answer is not a base64 stream
        self._streamed = 0

    def feed(self, chunk: bytes) -> None:
        self._tail = bytes(chunk[-_TAIL:]) if len(chunk) >= _TAIL else (self._tail + chunk)[-_TAIL:]
        if self._whole is not None:
            self._whole.append(chunk)
            return
        self._buffer += chunk
        self._read_items()
        if not self._streamed and len(self._buffer) > _GIVE_UP_STREAMING:
            self._whole = [bytes(self._buffer)]
            self._buffer = bytearray()

    def _read_items(self) -> None:
        buffer = self._buffer
        position = 0
        while True:
            item = _ITEM.search(buffer, position)
            if item is None:
                break
            end = buffer.find(b'"', item.end())
            if end < 0:
                position = item.start()  # its vector is still arriving
                break
            self._decode(int(item.group(1)), memoryview(buffer)[item.end() : end])
            position = end + 1
        if position:
            del buffer[:position]
        elif len(buffer) > _HEADER_ROOM and _ITEM.search(buffer) is None and self._streamed:
            del buffer[: len(buffer) - _HEADER_ROOM]

    def _decode(self, index: int, text: memoryview) -> None:
        if index >= self.count or self._seen[index]:
            raise APIResponseValidationError(
                f"the embeddings answer has a bad or repeated index {index} for {self.count} inputs"
            )
        try:
            raw = binascii.a2b_base64(text)
        except (binascii.Error, ValueError):
            raise APIResponseValidationError(
                f"the embeddings answer's vector {index} is not valid base64"
            ) from None
        if not raw or len(raw) % 4:
            raise APIResponseValidationError(f"the embeddings answer's vector {index} is not float32 data")
        vector = np.frombuffer(raw, dtype="<f4")
        row = self.row_for(index, len(vector))
        if row is None:
            self.answer.kept[index] = vector.copy()
        else:
            if row.shape != vector.shape:
                raise APIResponseValidationError(
                    f"embeddings of {len(vector)} dimensions arrived next to earlier ones of {row.shape[0]}"
                )
            row[:] = vector
            self.answer.written[index] = True
        self._seen[index] = True
        self._streamed += 1

    def finish(self) -> EmbeddingAnswer:
        if self._whole is not None:
            return self._finish_whole(b"".join(self._whole))
        if not self._seen.all():
            if not self._streamed:  # nothing looked like a base64 item: parse it as it is
                return self._finish_whole(bytes(self._buffer))
            raise APIResponseValidationError(
                f"the embeddings answer holds {int(self._seen.sum())} items for {self.count} inputs"
            )
        self.answer.usage = _usage_of(self._tail)
        return self.answer

    def _finish_whole(self, content: bytes) -> EmbeddingAnswer:
        """A body that is not a stream of base64 items: parsed once, rows filled from it."""
        try:
            parsed = json.loads(content)
        except ValueError:
            raise APIResponseValidationError(
                f"the embeddings answer is not valid JSON ({len(content)} bytes): {content[:120]!r}"
            ) from None
        if not isinstance(parsed, dict):
            raise APIResponseValidationError(
                f"the embeddings answer is a {type(parsed).__name__}, not an object"
            )
        matrix = decode_embeddings(parsed.get("data"), self.count)
        for index, vector in enumerate(matrix):
            row = self.row_for(index, len(vector))
            if row is None:
                self.answer.kept[index] = vector
            else:
                row[:] = vector
                self.answer.written[index] = True
        usage = parsed.get("usage")
        self.answer.usage = usage if isinstance(usage, dict) else {}
        return self.answer


def _usage_of(tail: bytes) -> dict[str, Any]:
    at = tail.rfind(b'"usage"')
    start = tail.find(b"{", at) if at >= 0 else -1
    if start < 0:
        return {}
    try:
        usage, _ = json.JSONDecoder().raw_decode(tail[start:].decode("utf-8", "replace"))
    except ValueError:
        return {}
    return usage if isinstance(usage, dict) else {}
