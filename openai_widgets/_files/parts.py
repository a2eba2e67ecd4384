"""The Uploads API's parts: how a file is cut, and how each part is read while it is sent.

A file of up to 8 GB goes in parts of at most 64 MB. No part is ever held in memory: its
`PartReader` hands httpx 64 KB at a time, read at the part's offset when httpx asks for
it (with `os.pread` on a real file, so several workers share one handle without moving
each other's position). The MD5 that completion checks is computed in one more streaming
pass. Every read looks at a stop event, so Ctrl-C or a failed part ends the parts in
flight within one chunk.

`UploadPartial` is what a stopped upload leaves: the upload's ID and the part IDs sent so
far, by part number; `upload_file(..., resume=partial)` sends only the missing parts.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

__all__ = [
    "MAX_UPLOAD_BYTES",
    "PART_BYTES",
    "Checksum",
    "Part",
    "PartReader",
    "RandomAccess",
    "Stopped",
    "UploadPartial",
    "md5_of",
    "plan_parts",
]

PART_BYTES = 64 * 1024**2  # the Uploads API's largest part
MAX_UPLOAD_BYTES = 8 * 1024**3  # the Uploads API's largest file
_HASH_CHUNK = 1024**2


@dataclass(frozen=True)
class Part:
    """Bytes `offset` to `offset + size` of the file, sent as part `number` (from 1)."""

    number: int
    offset: int
    size: int


def plan_parts(size: int, part_bytes: int = PART_BYTES) -> list[Part]:
    """The parts of a file of `size` bytes: all of `part_bytes` but the last."""
    if size < 1 or part_bytes < 1:
        raise ValueError("a file of at least 1 byte, in parts of at least 1 byte")
    return [
        Part(number, offset, min(part_bytes, size - offset))
        for number, offset in enumerate(range(0, size, part_bytes), start=1)
    ]


class Stopped(Exception):
    """A reader was told to stop: Ctrl-C, or another part of the same upload failed."""


class RandomAccess:
    """Reads at an offset of a binary stream, from several threads at once."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._fd = _file_descriptor(stream) if hasattr(os, "pread") else None

    def read_at(self, offset: int, size: int) -> bytes:
        if self._fd is not None:
            return os.pread(self._fd, size, offset)
        with self._lock:  # a BytesIO or a file object shares one position: seek and read together
            self._stream.seek(offset)
            return self._stream.read(size)


def _file_descriptor(stream: IO[bytes]) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


class PartReader(io.RawIOBase):
    """One part as the file object httpx sends: bytes read from the source only as they go out.

    httpx seeks to 0 before each attempt (a retry sends the part again), which takes back
    the progress reported for the attempt before. `progress(n)` is called with the bytes
    read (negative when taken back); a set `stop` event makes the next read raise `Stopped`.
    """

    def __init__(
        self,
        source: RandomAccess,
        part: Part,
        *,
        progress: Callable[[int], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        super().__init__()
        self._source, self._part = source, part
        self._progress, self._stop = progress, stop
        self._position = 0
        self._reported = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._stop is not None and self._stop.is_set():
            raise Stopped("the upload was stopped")
        left = self._part.size - self._position
        count = left if size is None or size < 0 else min(size, left)
        if count <= 0:
            return b""
        data = self._source.read_at(self._part.offset + self._position, count)
        self._position += len(data)
        self._report(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._part.size}[whence]
        self._position = min(max(base + offset, 0), self._part.size)
        if self._position == 0 and self._reported:  # a new attempt: what was counted is sent again
            self._report(-self._reported)
        return self._position

    def tell(self) -> int:
        return self._position

    def _report(self, count: int) -> None:
        self._reported += count
        if self._progress is not None and count:
            self._progress(count)


def md5_of(source: RandomAccess, size: int, stop: threading.Event | None = None) -> str:
    """The hex MD5 of the source's first `size` bytes, read 1 MB at a time."""
    digest = hashlib.md5(usedforsecurity=False)
    for offset in range(0, size, _HASH_CHUNK):
        if stop is not None and stop.is_set():
            raise Stopped("the upload was stopped")
        digest.update(source.read_at(offset, min(_HASH_CHUNK, size - offset)))
    return digest.hexdigest()


class Checksum:
    """The MD5 of a source, computed in a thread of its own while the parts are sent."""

    def __init__(self, source: RandomAccess, size: int) -> None:
        self._stop = threading.Event()
        self._result: str | BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(source, size), name="openai-md5", daemon=True)
        self._thread.start()

    def _run(self, source: RandomAccess, size: int) -> None:
        try:
            self._result = md5_of(source, size, self._stop)
        except BaseException as error:  # handed to the caller by result()
            self._result = error

    def result(self) -> str:
        """The hex digest (waiting for it), or the error that stopped it."""
        self._thread.join()
        if isinstance(self._result, BaseException):
            raise self._result
        return str(self._result)

    def cancel(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class UploadPartial:
    """An Uploads API upload that stopped before it was completed.

    Give it back with `upload_file(path, purpose, resume=partial)`: the parts listed in
    `parts` (part number -> part ID) are not sent again. The file must be the same, unchanged
    (`bytes` and `modified_ns` are checked), and the upload must not have expired.
    """

    upload_id: str
    path: str
    filename: str
    purpose: str
    bytes: int
    modified_ns: int
    part_bytes: int
    expires_at: int
    parts: dict[int, str] = field(default_factory=dict)

    @property
    def part_count(self) -> int:
        return len(plan_parts(self.bytes, self.part_bytes))

    @property
    def missing(self) -> list[int]:
        """Numbers of the parts still to send."""
        return [n for n in range(1, self.part_count + 1) if n not in self.parts]

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at

    def __repr__(self) -> str:
        return (
            f"UploadPartial({self.upload_id!r}, {self.filename!r}, "
            f"{len(self.parts)} of {self.part_count} parts sent)"
        )
