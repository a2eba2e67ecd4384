"""Vector store files and file batches: add, list (by status), retrieve, update attributes, remove,
read the parsed content; batches created, retrieved, cancelled and listed file by file.

Files are indexed over `sandbox.index_seconds` and some fail on purpose: the rules are in
`_vector_index`. A batch is `in_progress` while any of its files is, then `completed`
(even with some files failed: `file_counts.failed` says how many), `failed` only when every
file failed, or `cancelled` (its unfinished files become `cancelled`).
"""

from __future__ import annotations

from typing import Any

from .._http import ApiError, JSONResponse, Request
from ._chunking import chunking_strategy
from ._lists import ordered, page
from ._registry import route
from ._store_checks import check_attributes, check_keys, check_string_list, expect_object
from ._vector_index import (
    STATUSES,
    add_files,
    cancel_batch,
    find_file,
    find_store,
    public_batch,
    public_file,
    read_text,
    settle,
    touch,
)
from .vector_stores import new_id, unique_ids

MAX_BATCH_FILES = 2000
FILE_FIELDS = {"file_id", "chunking_strategy", "attributes"}


# -- files -----------------------------------------------------------------------------------


@route("POST", "/vector_stores/{vector_store_id}/files")
def create_vector_store_file(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    wanted = _file_request(request.json_object(), "")
    (entry,) = add_files(sandbox, store, [wanted])
    with sandbox.state.lock:
        settle(store)  # with index_seconds=0 the file is done at once
        return JSONResponse(public_file(entry))


@route("GET", "/vector_stores/{vector_store_id}/files")
def list_vector_store_files(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    return JSONResponse(_file_page(request, sandbox, store, None))


@route("GET", "/vector_stores/{vector_store_id}/files/{file_id}")
def retrieve_vector_store_file(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    with sandbox.state.lock:
        settle(store)
        return JSONResponse(public_file(find_file(store, request.params["file_id"])))


@route("POST", "/vector_stores/{vector_store_id}/files/{file_id}")
def update_vector_store_file(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    body = request.json_object()
    check_keys(body, {"attributes"})
    if "attributes" not in body:
        raise ApiError(400, "Missing required parameter: 'attributes'.", param="attributes", code="missing")
    attributes = check_attributes(body["attributes"]) or {}
    with sandbox.state.lock:
        entry = find_file(store, request.params["file_id"])
        entry["record"]["attributes"] = attributes
        touch(store)
        settle(store)
        return JSONResponse(public_file(entry))


@route("DELETE", "/vector_stores/{vector_store_id}/files/{file_id}")
def delete_vector_store_file(request: Request, sandbox) -> JSONResponse:
    """Takes the file out of the store; the File itself stays (DELETE /files removes it)."""
    store = find_store(sandbox, request.params["vector_store_id"])
    with sandbox.state.lock:
        entry = find_file(store, request.params["file_id"])
        store["files"].pop(entry["record"]["id"], None)
    return JSONResponse({"id": entry["record"]["id"], "object": "vector_store.file.deleted", "deleted": True})


@route("GET", "/vector_stores/{vector_store_id}/files/{file_id}/content")
def vector_store_file_content(request: Request, sandbox) -> JSONResponse:
    """The text the store indexed (HTML as text), in one page."""
    store = find_store(sandbox, request.params["vector_store_id"])
    with sandbox.state.lock:
        settle(store)
        entry = find_file(store, request.params["file_id"])
        status = entry["record"]["status"]
        content = sandbox.state.file_contents.get(entry["record"]["id"], b"")
    if status != "completed":
        detail = f": {entry['record']['last_error']['message']}" if entry["record"]["last_error"] else ""
        raise ApiError(
            400,
            f"The file {entry['record']['id']} has status '{status}'; its content can be read once it is "
            f"completed{detail}",
            param="file_id",
        )
    text, _ = read_text(entry["filename"], content)
    return JSONResponse(
        {
            "object": "vector_store.file_content.page",
            "data": [{"type": "text", "text": text or ""}],
            "has_more": False,
            "next_page": None,
        }
    )


def _file_request(body: dict[str, Any], prefix: str) -> tuple[str, dict, dict | None, str]:
    """One CreateVectorStoreFileRequest, checked: (file_id, chunking, attributes, param)."""
    where = prefix + "." if prefix else ""
    check_keys(body, FILE_FIELDS, prefix)
    file_id = body.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        raise ApiError(
            400, f"Missing required parameter: '{where}file_id'.", param=f"{where}file_id", code="missing"
        )
    chunking = chunking_strategy(body.get("chunking_strategy"), f"{where}chunking_strategy")
    attributes = check_attributes(body.get("attributes"), f"{where}attributes")
    return file_id, chunking, attributes, f"{where}file_id"


def _file_page(request: Request, sandbox, store: dict[str, Any], batch_id: str | None) -> dict[str, Any]:
    wanted = request.arg("filter")
    if wanted is not None and wanted not in STATUSES:
        raise ApiError(
            400,
            f"Invalid value for 'filter': expected one of {', '.join(STATUSES)}, but got {wanted!r}.",
            param="filter",
        )
    with sandbox.state.lock:
        settle(store)
        records = [
            public_file(entry)
            for entry in store["files"].values()
            if (batch_id is None or entry["batch_id"] == batch_id)
            and (wanted is None or entry["record"]["status"] == wanted)
        ]
    return page(request, ordered(request, records, by="created_at"), first_last=True)


# -- file batches ----------------------------------------------------------------------------


@route("POST", "/vector_stores/{vector_store_id}/file_batches")
def create_file_batch(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    body = request.json_object()
    check_keys(body, {"file_ids", "files", "attributes", "chunking_strategy"})
    wanted = _batch_files(body)
    batch: dict[str, Any] = {
        "record": {
            "id": new_id(sandbox.state, "vsfb"),
            "object": "vector_store.files_batch",
            "created_at": sandbox.state.now(),
            "vector_store_id": store["record"]["id"],
        },
        "cancelled": False,
    }
    add_files(sandbox, store, wanted, batch_id=batch["record"]["id"])
    with sandbox.state.lock:
        store["batches"][batch["record"]["id"]] = batch
        return JSONResponse(public_batch(store, batch))


def _batch_files(body: dict[str, Any]) -> list[tuple[str, dict, dict | None, str]]:
    """The batch's files: `file_ids` with the shared settings, or `files` each with its own."""
    if body.get("file_ids") is not None and body.get("files") is not None:
        raise ApiError(
            400, "Give either 'file_ids' or 'files', not both.", param="files", code="invalid_value"
        )
    if body.get("files") is not None:
        items = body["files"]
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH_FILES:
            raise ApiError(
                400,
                f"Invalid 'files': expected an array of 1 to {MAX_BATCH_FILES} objects.",
                param="files",
                code="invalid_value",
            )
        # The shared attributes and chunking_strategy do not apply to `files` (as the API says).
        wanted = [
            _file_request(expect_object(item, f"files[{i}]"), f"files[{i}]") for i, item in enumerate(items)
        ]
        unique_ids([w[0] for w in wanted], "files")
        return wanted
    if body.get("file_ids") is None:
        raise ApiError(
            400, "Missing required parameter: 'file_ids' (or 'files').", param="file_ids", code="missing"
        )
    file_ids = unique_ids(
        check_string_list(body["file_ids"], "file_ids", low=1, high=MAX_BATCH_FILES), "file_ids"
    )
    chunking = chunking_strategy(body.get("chunking_strategy"))
    attributes = check_attributes(body.get("attributes"))
    return [(file_id, chunking, attributes, f"file_ids[{i}]") for i, file_id in enumerate(file_ids)]


def _batch(store: dict[str, Any], batch_id: str) -> dict[str, Any]:
    batch = store["batches"].get(batch_id)
    if batch is None:
        raise ApiError(
            404,
            f"No file batch found with id '{batch_id}' in vector store '{store['record']['id']}'.",
            param="batch_id",
        )
    return batch


@route("GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}")
def retrieve_file_batch(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    with sandbox.state.lock:
        return JSONResponse(public_batch(store, _batch(store, request.params["batch_id"])))


@route("POST", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel")
def cancel_file_batch(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    with sandbox.state.lock:
        batch = _batch(store, request.params["batch_id"])
        status = public_batch(store, batch)["status"]
        if status != "in_progress":
            raise ApiError(400, f"Cannot cancel a file batch with status '{status}'.", param="batch_id")
        cancel_batch(store, batch)
        return JSONResponse(public_batch(store, batch))


@route("GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files")
def list_file_batch_files(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    with sandbox.state.lock:
        batch_id = _batch(store, request.params["batch_id"])["record"]["id"]
    return JSONResponse(_file_page(request, sandbox, store, batch_id))
