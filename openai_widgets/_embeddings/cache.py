"""The opt-in embeddings cache: one SQLite file in the user's cache folder.

A vector is stored under (server, model, dimensions, hash of the text), so a notebook
run again does not pay twice, and an interrupted job picks up what it already paid
for. Texts themselves are not stored, only a 128-bit hash of them. The folder is
`$OPENAI_WIDGETS_CACHE_DIR`, else the platform's cache folder (`~/.cache/openai_widgets`
on Linux, `~/Library/Caches/openai_widgets` on macOS, `%LOCALAPPDATA%\\openai_widgets\\Cache`
on Windows); `cache=PATH` names another file.

What can go wrong with a file is found before the first request, not after paying:
- `open_cache` creates the folder, opens the file and takes a write lock for a moment,
  so a path in a file's place, a read-only folder or a locked file is refused at once;
- the file is marked as ours (SQLite's application id), and a file that is not ours (another
  application's database, any other file) is refused before anything in it is changed:
  not even its journal mode;
- every vector is stored with a checksum over its key and bytes; an entry that does not
  match (a flipped bit, a torn page) is a miss, fetched again and written over;
- a file SQLite cannot read (truncated, overwritten) is named in the error, with the fix:
  `ow.clear_cache(path=...)` deletes a damaged file of ours whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import sys
import time
import urllib.parse
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import numpy as np

__all__ = ["CACHE_DIR_ENV", "EmbeddingCache", "cache_info", "clear_cache", "default_cache_path", "open_cache"]

CACHE_DIR_ENV = "OPENAI_WIDGETS_CACHE_DIR"
FILE_NAME = "embeddings.sqlite3"
APPLICATION_ID = 0x6F774543  # "owEC", in the SQLite header: this file is our embeddings cache
SCHEMA_VERSION = 2  # PRAGMA user_version: 2 added the checksum column
_CHUNK = 500  # hashes per SELECT (SQLite allows 999 parameters in old builds)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_COLUMNS = ("server", "model", "dimensions", "text_hash", "vector", "created", "checksum")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    server TEXT NOT NULL,
    model TEXT NOT NULL,
    dimensions INTEGER NOT NULL,
    text_hash BLOB NOT NULL,
    vector BLOB NOT NULL,
    created REAL NOT NULL,
    checksum BLOB,
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
    """`cache` as embed() takes it: None/False (off), True (the default file) or a path, checked."""
    if cache is None or cache is False:
        return None
    if cache is True:
        made = EmbeddingCache(default_cache_path())
    elif isinstance(cache, EmbeddingCache):
        made = cache
    elif isinstance(cache, (str, os.PathLike)):
        made = EmbeddingCache(Path(cache).expanduser())
    else:
        raise InvalidTypeError(f"cache must be True, False, None or a file path, not {type(cache).__name__}")
    made.check()
    return made


def text_hashes(texts: Sequence[str]) -> list[bytes]:
    return [hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest() for text in texts]


def _checksum(server: str, model: str, dimensions: int, digest: bytes, vector: bytes) -> bytes:
    """What an entry must hash to: its whole key and its bytes, so a vector cannot move either."""
    check = hashlib.blake2b(digest_size=16)
    for part in (server.encode(), model.encode(), str(dimensions).encode(), digest, vector):
        check.update(len(part).to_bytes(8, "little"))
        check.update(part)
    return check.digest()


class EmbeddingCache:
    """Vectors by (server, model, dimensions, text), in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.discarded = 0  # entries found damaged (checksum or size) and treated as misses

    def check(self) -> None:
        """Open the file for writing now, so that a cache that cannot work fails before any request."""
        try:
            with self._connect() as connection:
                connection.execute("BEGIN IMMEDIATE")  # the write lock a put() will need
                connection.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:  # read-only, locked, cannot open
            raise self._unusable(exc) from None
        except sqlite3.DatabaseError as exc:  # malformed, not a database
            raise self._damaged(exc) from None

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self._prepare_folder()
        kind = self._identify()
        connection = self._open()
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # other kernels may read and write too
            if kind != "ours":
                _adopt(connection)
            yield connection
            connection.commit()
        finally:
            connection.close()

    def _prepare_folder(self) -> None:
        blocking = next((p for p in self.path.parents if p.exists()), None)
        if blocking is not None and not blocking.is_dir():
            raise self._refusal(f"{str(blocking)!r} is a file, not a folder")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._refusal(f"its folder cannot be made ({exc.strerror or exc})") from None
        if self.path.is_dir():
            raise self._refusal(f"it is a folder; name a file in it, e.g. {self.path / FILE_NAME}")

    def _open(self) -> sqlite3.Connection:
        try:
            return sqlite3.connect(self.path, timeout=30.0)
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None

    def _identify(self) -> str:
        """ "new" (no file, or an empty one), "ours", "legacy" (a cache from before the checksums),
        or a refusal for a file that is not an embeddings cache: nothing in it is touched."""
        try:
            with open(self.path, "rb") as file:
                head = file.read(100)
        except FileNotFoundError:
            return "new"
        except OSError as exc:
            raise self._refusal(f"it cannot be read ({exc.strerror or exc})") from None
        if not head:
            return "new"
        if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
            raise self._refusal(
                "it is not an SQLite file, so not an embeddings cache; nothing in it was changed"
            )
        application = int.from_bytes(head[68:72], "big")
        if application == APPLICATION_ID:
            return "ours"
        if application == 0:
            tables = self._tables_read_only()
            if not tables:
                return "new"
            if tables == {"embeddings": _COLUMNS[:-1]}:
                return "legacy"
        raise self._refusal(
            "it is another application's SQLite database, not an embeddings cache; nothing in it was changed"
        )

    def _tables_read_only(self) -> dict[str, tuple[str, ...]]:
        """The tables of a file and their columns, read without writing anything to it."""
        uri = f"file:{urllib.parse.quote(str(self.path.resolve()))}?mode=ro"
        try:
            connection = sqlite3.connect(uri, uri=True, timeout=30.0)
            try:
                names = [
                    row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
                ]
                return {
                    name: tuple(row[1] for row in connection.execute(f'PRAGMA table_info("{name}")'))
                    for name in names
                }
            finally:
                connection.close()
        except sqlite3.DatabaseError as exc:
            raise self._refusal(
                f"it cannot be read as an embeddings cache ({exc}); nothing in it was changed"
            ) from None

    def get(self, server: str, model: str, dimensions: int | None, texts: Sequence[str]) -> dict[int, bytes]:
        """Stored vectors (raw float32 bytes) by position in `texts`; damaged entries are misses."""
        if not self.path.exists() or not texts:
            return {}
        hashes = text_hashes(texts)
        found: dict[bytes, bytes] = {}
        width = dimensions or 0
        try:
            with self._connect() as connection:
                for start in range(0, len(hashes), _CHUNK):
                    chunk = hashes[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = connection.execute(
                        "SELECT text_hash, vector, checksum FROM embeddings WHERE server = ? AND model = ? "
                        f"AND dimensions = ? AND text_hash IN ({marks})",
                        (server, model, width, *chunk),
                    )
                    for digest, vector, checksum in rows:
                        if _intact(server, model, width, digest, vector, checksum):
                            found[digest] = vector
                        elif checksum is not None:  # None: stored before checksums, a plain miss
                            self.discarded += 1
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        if self.discarded:
            warnings.warn(
                f"{self.discarded} damaged entr{'y' if self.discarded == 1 else 'ies'} in the embeddings "
                f"cache {self.path} did not match their checksum; they are fetched again and written over",
                RuntimeWarning,
                stacklevel=2,
            )
        return {position: found[digest] for position, digest in enumerate(hashes) if digest in found}

    def put(
        self, server: str, model: str, dimensions: int | None, texts: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Store vectors; a cache that fails now is reported and left out, the vectors themselves are kept."""
        now = time.time()
        width = dimensions or 0
        rows = []
        for digest, vector in zip(text_hashes(texts), vectors, strict=True):
            data = vector.astype("<f4").tobytes()
            rows.append(
                (server, model, width, digest, data, now, _checksum(server, model, width, digest, data))
            )
        try:
            with self._connect() as connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO embeddings (server, model, dimensions, text_hash, vector, "
                    "created, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except (sqlite3.DatabaseError, InvalidInputError) as exc:  # paid-for vectors must not be lost to it
            warnings.warn(
                f"the embeddings cache {self.path} could not store {len(rows)} vectors "
                f"({exc}); the result is complete, only the cache misses them",
                RuntimeWarning,
                stacklevel=2,
            )

    def info(self) -> Record:
        models: dict[str, int] = {}
        if self.path.exists():
            try:
                with self._connect() as connection:
                    models = dict(connection.execute("SELECT model, COUNT(*) FROM embeddings GROUP BY model"))
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None
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
        """Remove vectors (only `model`'s when given); a damaged file of ours is deleted whole (returns 0)."""
        if not self.path.exists():
            return 0
        try:
            with self._connect() as connection:
                if model is None:
                    removed = connection.execute("DELETE FROM embeddings").rowcount
                else:
                    removed = connection.execute("DELETE FROM embeddings WHERE model = ?", (model,)).rowcount
            if model is None:
                with self._connect() as connection:
                    connection.execute("VACUUM")
        except sqlite3.DatabaseError as exc:
            if model is not None:
                raise self._damaged(exc) from None
            self._delete_files()
            return 0
        return removed

    def _delete_files(self) -> None:
        """Delete the damaged file and its journal files (only ever called on a file marked as ours)."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").unlink()

    # -- errors that name the file and the fix -------------------------------------------------------

    def _refusal(self, reason: str) -> InvalidInputError:
        return InvalidInputError(
            f"cache {str(self.path)!r} cannot be used: {reason}. Pass cache=True for the default file, "
            "another path, or cache=False"
        )

    def _unusable(self, exc: BaseException) -> InvalidInputError:
        return self._refusal(f"SQLite cannot write it ({exc}); check that the folder is writable")

    def _damaged(self, exc: BaseException) -> InvalidInputError:
        return InvalidInputError(
            f"the embeddings cache {str(self.path)!r} is damaged ({exc}); delete it with "
            f"ow.clear_cache(path={str(self.path)!r}) (it only holds vectors, fetched again when "
            "needed) or pass cache=False"
        )


def _adopt(connection: sqlite3.Connection) -> None:
    """Mark a new or legacy file as ours, in one transaction, whoever else opens it at the same time."""
    connection.execute("BEGIN IMMEDIATE")
    columns = [row[1] for row in connection.execute("PRAGMA table_info(embeddings)")]
    if not columns:
        connection.execute(_SCHEMA)
    elif "checksum" not in columns:  # a cache from before the checksums: its entries become misses
        connection.execute("ALTER TABLE embeddings ADD COLUMN checksum BLOB")
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    connection.execute("COMMIT")


def _intact(server: str, model: str, width: int, digest: bytes, vector: Any, checksum: Any) -> bool:
    if not isinstance(vector, bytes) or not vector or len(vector) % 4 or (width and len(vector) != 4 * width):
        return False
    return checksum == _checksum(server, model, width, digest, vector)


def cache_info(path: str | os.PathLike | None = None) -> Record:
    """The embeddings cache: its file, how many vectors it holds (per model) and its size in bytes."""
    return EmbeddingCache(Path(path) if path is not None else default_cache_path()).info()


def clear_cache(model: str | None = None, path: str | os.PathLike | None = None) -> int:
    """Empty the embeddings cache (only `model`'s vectors when given); returns how many were removed."""
    return EmbeddingCache(Path(path) if path is not None else default_cache_path()).clear(model)
