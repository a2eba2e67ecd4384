"""What `upload_file` accepts, turned into one seekable binary source with a name and a size.

A path is streamed from disk (never read whole into memory), bytes and tables are held
in a BytesIO, and a file object is used as it is when it can seek. The source is
seekable so that a retried request sends the whole body again: httpx seeks every file
part back to 0 before it writes it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypedDict

from .._core.errors import InvalidInputError, InvalidTypeError
from .._tables.jsonl import is_frame, rows_of, to_jsonl

__all__ = ["MAX_UPLOAD_BYTES", "ProgressReader", "Source", "check_size", "open_source"]

MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # OpenAI's limit for one file
_JSONL_PURPOSES = {"fine-tune", "batch", "evals"}
# First bytes of formats a server recognises by extension.
_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"GIF8", ".gif"),
    (b"%PDF", ".pdf"),
]


class _Limit(TypedDict):
    """The size limit an upload is checked against (check_size's keywords)."""

    max_bytes: int
    why: str


@dataclass
class Source:
    """One file to upload: a binary stream positioned anywhere (httpx seeks to 0), its name, its size."""

    stream: IO[bytes]
    filename: str
    size: int
    path: Path | None = None  # the file on disk, when the source is one (an upload can then resume)


@contextmanager
def open_source(
    file: Any, purpose: str, filename: str | None, *, max_bytes: int = MAX_UPLOAD_BYTES, why: str = ""
) -> Iterator[Source]:
    """`file` (path, bytes, file object, DataFrame or list of dicts) as a Source; closes what it opened.

    A source over `max_bytes` is refused before it is read; `why` ends the message (see check_size).
    """
    limit: _Limit = {"max_bytes": max_bytes, "why": why}
    if isinstance(file, (str, os.PathLike)):
        path = _existing_path(file)
        size = path.stat().st_size
        check_size(size, path.name, **limit)  # before opening: a too-large file is never read
        with path.open("rb") as stream:
            yield Source(stream, filename or path.name, size, path.resolve())
        return
    if isinstance(file, (bytes, bytearray, memoryview)):
        data = bytes(file)
        check_size(len(data), filename or "the data", **limit)
        yield Source(io.BytesIO(data), filename or _default_name(data, purpose), len(data))
        return
    if is_frame(file) or isinstance(file, (list, tuple)):
        data = to_jsonl(rows_of(file, "the data to upload"), "the data to upload")
        if not data:
            raise InvalidInputError("the data to upload has no rows; give at least one row")
        check_size(len(data), "the JSONL made from the data", **limit)
        yield Source(io.BytesIO(data), filename or "data.jsonl", len(data))
        return
    if hasattr(file, "read"):
        yield _file_object_source(file, purpose, filename, limit)
        return
    raise InvalidTypeError(
        f"file must be a path, bytes, a binary file object, a DataFrame or a list of dicts, "
        f"not {type(file).__name__}"
    )


def _file_object_source(file: Any, purpose: str, filename: str | None, limit: _Limit) -> Source:
    name = filename or _object_name(file)
    if isinstance(file, io.TextIOBase):
        data = file.read().encode("utf-8")
    elif _seekable(file):
        size = file.seek(0, os.SEEK_END)
        file.seek(0)
        check_size(size, name or "the file", **limit)
        if name is None:
            name = _default_name(file.read(16), purpose)
            file.seek(0)
        return Source(file, name, size)
    else:  # a pipe or socket: read once, so a retry can send it again
        data = file.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    check_size(len(data), name or "the file", **limit)
    return Source(io.BytesIO(data), name or _default_name(data, purpose), len(data))


class ProgressReader(io.RawIOBase):
    """A read-only view of a binary stream that reports bytes read to `bar` (a tqdm).

    Seeking back to the start (what httpx does before sending a file part, also on a
    retry) resets the bar, so it always shows the attempt in progress.
    """

    def __init__(self, stream: IO[bytes], bar: Any) -> None:
        super().__init__()
        self._stream = stream
        self._bar = bar

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._bar.update(len(chunk))
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._stream.seek(offset, whence)
        if position == 0:
            self._bar.reset()
        return position

    def tell(self) -> int:
        return self._stream.tell()


def _existing_path(file: str | os.PathLike) -> Path:
    path = Path(file).expanduser()
    if not path.is_file():
        where = "is a directory" if path.is_dir() else "does not exist"
        raise InvalidInputError(f"{str(file)!r} {where}; give the path of a file to upload")
    return path


def check_size(size: int, name: str, *, max_bytes: int = MAX_UPLOAD_BYTES, why: str = "") -> None:
    """Refuse a file over `max_bytes`; `why` (e.g. " with method='files'") says which limit applies."""
    if size > max_bytes:
        raise InvalidInputError(
            f"{name} is {size / 1024**2:,.1f} MB; a file may be at most {_size_text(max_bytes)}{why}. "
            "Split it into smaller files."
        )


def _size_text(size: int) -> str:
    return f"{size / 1024**3:g} GB" if size >= 1024**3 else f"{size / 1024**2:g} MB"


def _seekable(file: Any) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _object_name(file: Any) -> str | None:
    name = getattr(file, "name", None)
    return Path(name).name if isinstance(name, str) and name and not name.startswith("<") else None


def _default_name(data: bytes, purpose: str) -> str:
    return "upload" + _guess_extension(data[:16], purpose)


def _guess_extension(head: bytes, purpose: str) -> str:
    if purpose in _JSONL_PURPOSES:
        return ".jsonl"
    for signature, extension in _SIGNATURES:
        if head.startswith(signature):
            return extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return ".jsonl" if head.lstrip()[:1] == b"{" else ".bin"
