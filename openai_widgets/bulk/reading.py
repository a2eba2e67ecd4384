"""Reading an answer's body as it arrives: the `Reader` a bulk job hands the engine.

The engine feeds a reader the body's chunks as they come off the socket and asks for the
result at the end, so a job chooses how much of an answer is ever held: `JSONReader`
keeps the whole (small) body and parses it once; the embeddings job's reader writes each
vector into its row of the final matrix as soon as its bytes are in, holding only a
chunk and one vector's text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from .._core.errors import APIResponseValidationError

__all__ = ["JSONReader", "Reader"]

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Reader(Protocol[R_co]):
    """Takes an answer's body chunk by chunk; `finish()` gives the job's result or raises.

    A body that cannot be read raises `APIResponseValidationError`: the engine retries the
    request (a proxy may have cut it), counting it against `max_retries`.
    """

    def feed(self, chunk: bytes) -> None: ...

    def finish(self) -> R_co: ...


class JSONReader(Generic[R]):
    """The whole body, parsed as JSON, then checked by `check(answer)` (which returns the result)."""

    def __init__(self, what: str, check: Callable[[Any], R]) -> None:
        self._what = what
        self._check = check
        self._chunks: list[bytes] = []

    def feed(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    def finish(self) -> R:
        content = b"".join(self._chunks)
        self._chunks.clear()
        try:
            answer = json.loads(content)
        except ValueError:
            raise APIResponseValidationError(
                f"{self._what}: the server sent a body that is not valid JSON ({len(content)} bytes): "
                f"{content[:120]!r}"
            ) from None
        return self._check(answer)
