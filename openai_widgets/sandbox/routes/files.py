"""Files: upload (multipart), list (paginated), retrieve, content, delete; kept in memory.

Deleting a file also takes it out of every vector store, as OpenAI does.
"""

from __future__ import annotations

from .._http import ApiError, BytesResponse, JSONResponse, Request
from ._lists import page
from ._registry import route
from ._vector_index import forget_file

PURPOSES = {"assistants", "batch", "fine-tune", "vision", "user_data", "evals"}
MAX_BYTES = 512 * 1024 * 1024


@route("POST", "/files")
def upload_file(request: Request, sandbox) -> JSONResponse:
    fields, files = request.form(), request.files()
    purpose = fields.get("purpose")
    if not purpose:
        raise ApiError(400, "Missing required parameter: 'purpose'.", param="purpose")
    if purpose not in PURPOSES:
        raise ApiError(
            400,
            f"Invalid value for 'purpose': {purpose!r}; expected one of {', '.join(sorted(PURPOSES))}.",
            param="purpose",
        )
    uploads = files.get("file")
    if not uploads:
        raise ApiError(400, "Missing required parameter: 'file'.", param="file")
    upload = uploads[0]
    if len(upload.content) > MAX_BYTES:
        raise ApiError(400, "File is too large: the limit is 512 MB.", param="file")
    state = sandbox.state
    with state.lock:
        record = {
            "id": state.new_id("file"),
            "object": "file",
            "bytes": len(upload.content),
            "created_at": state.now(),
            "filename": upload.filename or "upload",
            "purpose": purpose,
            "status": "processed",
        }
        seconds = fields.get("expires_after[seconds]")
        if seconds is not None:
            record["expires_at"] = record["created_at"] + int(seconds)
        state.files[record["id"]] = record
        state.file_contents[record["id"]] = upload.content
    return JSONResponse(dict(record))


def store_file(sandbox, filename: str, purpose: str, content: bytes | bytearray) -> dict:
    """Add a file the sandbox itself produced (batch output, fine-tuning results)."""
    state = sandbox.state
    with state.lock:
        record = {
            "id": state.new_id("file"),
            "object": "file",
            "bytes": len(content),
            "created_at": state.now(),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
        }
        state.files[record["id"]] = record
        state.file_contents[record["id"]] = content
    return record


@route("GET", "/files")
def list_files(request: Request, sandbox) -> JSONResponse:
    purpose = request.arg("purpose")
    order = request.arg("order", "desc")
    if order not in {"asc", "desc"}:
        raise ApiError(400, "Invalid 'order': expected 'asc' or 'desc'.", param="order")
    with sandbox.state.lock:
        items = [dict(f) for f in sandbox.state.files.values() if not purpose or f["purpose"] == purpose]
    # Insertion order breaks ties between files created in the same second.
    numbered = list(enumerate(items))
    numbered.sort(key=lambda pair: (pair[1]["created_at"], pair[0]), reverse=order == "desc")
    return JSONResponse(
        page(request, [item for _, item in numbered], default_limit=10000, max_limit=10000, first_last=True)
    )


def _file(sandbox, file_id: str) -> dict:
    with sandbox.state.lock:
        record = sandbox.state.files.get(file_id)
    if record is None:
        raise ApiError(404, f"No such File object: {file_id}", param="id")
    return record


@route("GET", "/files/{file_id}")
def retrieve_file(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(dict(_file(sandbox, request.params["file_id"])))


@route("GET", "/files/{file_id}/content")
def file_content(request: Request, sandbox) -> BytesResponse:
    record = _file(sandbox, request.params["file_id"])
    kind = "application/jsonl" if record["filename"].endswith(".jsonl") else "application/octet-stream"
    return BytesResponse(sandbox.state.file_contents[record["id"]], kind)


@route("DELETE", "/files/{file_id}")
def delete_file(request: Request, sandbox) -> JSONResponse:
    record = _file(sandbox, request.params["file_id"])
    with sandbox.state.lock:
        sandbox.state.files.pop(record["id"], None)
        sandbox.state.file_contents.pop(record["id"], None)
    forget_file(sandbox, record["id"])
    return JSONResponse({"id": record["id"], "object": "file", "deleted": True})
