"""The opt-in embeddings cache: one SQLite file in the user's cache folder.

A vector is stored under (server, model, dimensions, hash of the text), so a notebook
run again does not pay twice, and an interrupted job picks up what it already paid
for. Texts themselves are not stored, only a 128-bit hash of them. The folder is
`$OPENAI_WIDGETS_CACHE_DIR`, else the platform's cache folder (`~/.cache/openai_widgets`
on Linux, `~/Library/Caches/openai_widgets` on macOS, `%LOCALAPPDATA%\\openai_widgets\\Cache`
on Windows); `cache=PATH` names another file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidTypeError
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import numpy as np

__all__ = ["CACHE_DIR_ENV", "EmbeddingCache", "cache_info", "clear_cache", "default_cache_path", "open_cache"]

CACHE_DIR_ENV = "OPENAI_WIDGETS_CACHE_DIR"
FILE_NAME = "embeddings.sqlite3"
_CHUNK = 500  # hashes per SELECT (SQLite allows 999 parameters in old builds)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    server TEXT NOT NULL,
    model TEXT NOT NULL,
    dimensions INTEGER NOT NULL,
    text_hash BLOB NOT NULL,
    vector BLOB NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (server, model, dimensions, text_hash)
) WITHOUT ROWID
"""


def default_cache_path() -> Path:
    """Where the cache lives unless told otherwise."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser() / FILE_NAME
    if sys.platform == "win32":
        root = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return root / "openai_widgets" / "Cache" / FILE_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "openai_widgets" / FILE_NAME
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "openai_widgets" / FILE_NAME


def open_cache(cache: Any) -> EmbeddingCache | None:
    """`cache` as embed() takes it: None/False (off), True (the default file) or a path."""
    if cache is None or cache is False:
        return None
    if cache is True:
        return EmbeddingCache(default_cache_path())
    if isinstance(cache, EmbeddingCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return EmbeddingCache(Path(cache).expanduser())
    raise InvalidTypeError(f"cache must be True, False, None or a file path, not {type(cache).__name__}")


def text_hashes(texts: Sequence[str]) -> list[bytes]:
    return [hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest() for text in texts]


class EmbeddingCache:
    """Vectors by (server, model, dimensions, text), in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30.0)
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # other kernels may read and write too
            connection.execute(_SCHEMA)
            yield connection
            connection.commit()
        finally:
            connection.close()

    def get(self, server: str, model: str, dimensions: int | None, texts: Sequence[str]) -> dict[int, bytes]:
        """Stored vectors (raw float32 bytes) by position in `texts`."""
        if not self.path.exists() or not texts:
            return {}
        hashes = text_hashes(texts)
        found: dict[bytes, bytes] = {}
        with self._connect() as connection:
            for start in range(0, len(hashes), _CHUNK):
                chunk = hashes[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    "SELECT text_hash, vector FROM embeddings WHERE server = ? AND model = ? "
                    f"AND dimensions = ? AND text_hash IN ({marks})",
                    (server, model, dimensions or 0, *chunk),
                )
                found.update(rows)
        return {position: found[digest] for position, digest in enumerate(hashes) if digest in found}

    def put(
        self, server: str, model: str, dimensions: int | None, texts: Sequence[str], vectors: np.ndarray
    ) -> None:
        now = time.time()
        rows = [
            (server, model, dimensions or 0, digest, vector.astype("<f4").tobytes(), now)
            for digest, vector in zip(text_hashes(texts), vectors, strict=True)
        ]
        with self._connect() as connection:
            connection.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?, ?, ?)", rows)

    def info(self) -> Record:
        models: dict[str, int] = {}
        if self.path.exists():
            with self._connect() as connection:
                models = dict(connection.execute("SELECT model, COUNT(*) FROM embeddings GROUP BY model"))
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return as_record(
            {
                "object": "embedding_cache",
                "path": str(self.path),
                "entries": sum(models.values()),
                "bytes": size,
                "models": models,
            }
        )

    def clear(self, model: str | None = None) -> int:
        if not self.path.exists():
            return 0
        with self._connect() as connection:
            if model is None:
                removed = connection.execute("DELETE FROM embeddings").rowcount
            else:
                removed = connection.execute("DELETE FROM embeddings WHERE model = ?", (model,)).rowcount
        if model is None:
            with self._connect() as connection:
                connection.execute("VACUUM")
        return removed


def cache_info(path: str | os.PathLike | None = None) -> Record:
    """The embeddings cache: its file, how many vectors it holds (per model) and its size in bytes."""
    return EmbeddingCache(Path(path) if path is not None else default_cache_path()).info()


def clear_cache(model: str | None = None, path: str | os.PathLike | None = None) -> int:
    """Empty the embeddings cache (only `model`'s vectors when given); returns how many were removed."""
    return EmbeddingCache(Path(path) if path is not None else default_cache_path()).clear(model)
