"""The vector stores' in-memory index: stores, their files and file batches, and the clock.

The store, file, batch and search routes share this one model, and so does DELETE /files,
which takes a deleted file out of every store (as OpenAI does).

A file is read and chunked when it is added, but shows `in_progress` until
`sandbox.index_seconds` have passed; the files of one request finish one after another
across that time, so a batch's counts rise while a client polls. Then each file becomes
`completed`, or `failed` with a `last_error`, by these rules (the sandbox reads text only):

- `unsupported_file`: the file name's extension is not one OpenAI's file search takes
  (.c .cpp .cs .css .doc .docx .go .html .java .js .json .md .pdf .php .pptx .py .rb .sh
  .tex .ts .txt) nor a text format the sandbox adds (.csv .htm .jsonl .tsv .xml .yaml .yml):
  `photo.png`, or a name with no extension;
- `invalid_file`: the content is not text (NUL bytes, or neither UTF-8 nor UTF-16 with a
  byte-order mark; so a real PDF or DOCX fails, the sandbox cannot parse them), or it has
  no text at all.

HTML is reduced to its text (tags, scripts and styles dropped) before chunking.
"""

from __future__ import annotations

import html
import re
import time
from typing import Any

from .._http import ApiError
from ._chunking import chunk_text
from ._lexical_search import passage

__all__ = [
    "add_files",
    "cancel_batch",
    "counts",
    "find_file",
    "find_store",
    "forget_file",
    "is_expired",
    "public_batch",
    "public_file",
    "public_store",
    "read_text",
    "settle",
    "touch",
]

_SEARCHABLE = (
    ".c .cpp .cs .css .doc .docx .go .html .java .js .json .md .pdf .php .pptx .py .rb .sh .tex .ts .txt"
)
_SANDBOX_TEXT = ".csv .htm .jsonl .tsv .xml .yaml .yml"
EXTENSIONS = frozenset(_SEARCHABLE.split()) | frozenset(_SANDBOX_TEXT.split())
STATUSES = ("in_progress", "completed", "failed", "cancelled")
DAY = 86400


# -- finding ---------------------------------------------------------------------------------


def find_store(sandbox, store_id: str, *, param: str = "vector_store_id") -> dict[str, Any]:
    with sandbox.state.lock:
        store = sandbox.state.vector_stores.get(store_id)
    if store is None:
        raise ApiError(404, f"No vector store found with id '{store_id}'.", param=param)
    return store


def find_file(store: dict[str, Any], file_id: str) -> dict[str, Any]:
    entry = store["files"].get(file_id)
    if entry is None:
        raise ApiError(
            404,
            f"No file found with id '{file_id}' in vector store '{store['record']['id']}'.",
            param="file_id",
        )
    return entry


# -- adding files ----------------------------------------------------------------------------


def add_files(
    sandbox,
    store: dict[str, Any],
    wanted: list[tuple[str, dict, dict | None, str]],
    *,
    batch_id: str | None = None,
) -> list[dict[str, Any]]:
    """Index each `(file_id, chunking_strategy, attributes, param)`.

    An unknown file is a 404 naming its `param`, before any file is added.
    """
    state = sandbox.state
    with state.lock:
        for file_id, _, _, param in wanted:
            if file_id not in state.files:
                raise ApiError(404, f"No such File object: {file_id}", param=param)
        files = [(state.files[f], state.file_contents.get(f, b""), c, a) for f, c, a, _ in wanted]
    started, seconds = time.time(), max(sandbox.index_seconds, 0.0)
    entries = []
    for number, (file, content, chunking, attributes) in enumerate(files, 1):
        entry = _index(file, content, chunking, attributes)
        entry["ready_at"] = started + seconds * number / len(files)
        entry["batch_id"] = batch_id
        entry["record"].update(created_at=int(started), vector_store_id=store["record"]["id"])
        entries.append(entry)
    with state.lock:
        for entry in entries:
            store["files"].pop(entry["record"]["id"], None)  # a file added again is indexed again
            store["files"][entry["record"]["id"]] = entry
        touch(store)
    return entries


def _index(file: dict[str, Any], content: bytes, chunking: dict, attributes: dict | None) -> dict[str, Any]:
    """A store's entry for one file: its chunks, or the error it will fail with."""
    text, error = read_text(file["filename"], content)
    settings = chunking["static"]
    chunks = (
        chunk_text(text, settings["max_chunk_size_tokens"], settings["chunk_overlap_tokens"]) if text else []
    )
    if text is not None and not chunks:
        error = {"code": "invalid_file", "message": f"The file {file['filename']} has no text to index."}
    record = {
        "id": file["id"],
        "object": "vector_store.file",
        "usage_bytes": 0,
        "created_at": 0,
        "vector_store_id": "",
        "status": "in_progress",
        "last_error": None,
        "chunking_strategy": chunking,
        "attributes": attributes or {},
    }
    return {
        "record": record,
        "filename": file["filename"],
        "usage_bytes": len(text.encode()) if error is None and text else 0,
        "chunks": chunks if error is None else [],
        "passages": [passage(chunk) for chunk in chunks] if error is None else [],
        "error": error,
    }


def read_text(filename: str, content: bytes) -> tuple[str | None, dict[str, str] | None]:
    """The text the store indexes for a file, or the `last_error` it fails with."""
    extension = "." + filename.rsplit(".", 1)[1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        return None, {
            "code": "unsupported_file",
            "message": f"Files with extensions [{extension or 'none'}] are not supported for retrieval. "
            "The sandbox indexes text files: .txt, .md, .csv, .json, .html, .py, and the like.",
        }
    text = _decode(content)
    if text is None:
        return None, {
            "code": "invalid_file",
            "message": f"The file {filename} could not be read as text (UTF-8 or UTF-16); "
            "the sandbox cannot parse binary documents.",
        }
    if extension in (".html", ".htm"):
        text = _html_text(text)
    return text, None


def _decode(content: bytes) -> str | None:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" in content:
        return None
    else:
        encoding = "utf-8-sig"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        return None


_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _html_text(markup: str) -> str:
    return html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", markup)))


# -- the clock -------------------------------------------------------------------------------


def settle(store: dict[str, Any], now: float | None = None) -> None:
    """Finish the files whose time has come (call with the state's lock held)."""
    now = time.time() if now is None else now
    for entry in store["files"].values():
        record = entry["record"]
        if record["status"] != "in_progress" or now < entry["ready_at"]:
            continue
        if entry["error"] is None:
            record.update(status="completed", usage_bytes=entry["usage_bytes"])
        else:
            record.update(status="failed", last_error=dict(entry["error"]))


def touch(store: dict[str, Any]) -> None:
    """The store was used: it stays alive `expires_after.days` from now."""
    record = store["record"]
    record["last_active_at"] = int(time.time())
    policy = record.get("expires_after")
    record["expires_at"] = record["last_active_at"] + policy["days"] * DAY if policy else None


def is_expired(store: dict[str, Any]) -> bool:
    expires_at = store["record"].get("expires_at")
    return expires_at is not None and expires_at <= time.time()


def cancel_batch(store: dict[str, Any], batch: dict[str, Any]) -> None:
    """Files of the batch still being indexed are cancelled; finished ones stay."""
    settle(store)
    batch["cancelled"] = True
    for entry in store["files"].values():
        if entry["batch_id"] == batch["record"]["id"] and entry["record"]["status"] == "in_progress":
            entry["record"]["status"] = "cancelled"
            entry["chunks"], entry["passages"] = [], []


def forget_file(sandbox, file_id: str) -> None:
    """A deleted File leaves every vector store."""
    with sandbox.state.lock:
        for store in sandbox.state.vector_stores.values():
            store["files"].pop(file_id, None)


# -- public forms ----------------------------------------------------------------------------


def counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    tally = dict.fromkeys(STATUSES, 0)
    for entry in entries:
        tally[entry["record"]["status"]] += 1
    return {**tally, "total": len(entries)}


def public_store(store: dict[str, Any]) -> dict[str, Any]:
    """The VectorStoreObject now (call with the state's lock held)."""
    settle(store)
    entries = list(store["files"].values())
    tally = counts(entries)
    if is_expired(store):
        status = "expired"
    else:
        status = "in_progress" if tally["in_progress"] else "completed"
    record = {k: v for k, v in store["record"].items() if k != "expires_after" or v is not None}
    record.update(
        status=status,
        file_counts=tally,
        usage_bytes=sum(entry["record"]["usage_bytes"] for entry in entries),
    )
    return record


def public_file(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry["record"], "attributes": dict(entry["record"]["attributes"])}


def public_batch(store: dict[str, Any], batch: dict[str, Any]) -> dict[str, Any]:
    """The VectorStoreFileBatchObject now (call with the state's lock held)."""
    settle(store)
    batch_id = batch["record"]["id"]
    tally = counts([entry for entry in store["files"].values() if entry["batch_id"] == batch_id])
    if batch["cancelled"]:
        status = "cancelled"
    elif tally["in_progress"]:
        status = "in_progress"
    elif tally["total"] and tally["failed"] == tally["total"]:
        status = "failed"
    else:
        status = "completed"
    return {**batch["record"], "status": status, "file_counts": tally}
