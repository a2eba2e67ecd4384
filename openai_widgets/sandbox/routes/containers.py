"""Code interpreter containers: where the sandbox's code interpreter keeps the files it makes.

A container is made by POST /containers or by a `code_interpreter` tool with
{"type": "auto"}; the tool saves its result file there. Served: create, retrieve and
delete a container, list its files, and a file's record and bytes
(GET /containers/{id}/files/{file_id}/content), as the spec shapes them.
"""

from __future__ import annotations

import time
from typing import Any

from .._http import ApiError, BytesResponse, JSONResponse, Request
from ._items import missing, new_id
from ._lists import ordered, page
from ._registry import route

__all__ = ["add_file", "create", "require"]

EXPIRES_MINUTES = 20


def create(sandbox, name: str, file_ids: list[str] | None = None) -> dict[str, Any]:
    """A new running container; `file_ids` (uploaded files) are copied into /mnt/data."""
    now = int(time.time())
    record: dict[str, Any] = {
        "id": new_id(sandbox, "cntr"),
        "object": "container",
        "name": name,
        "created_at": now,
        "status": "running",
        "last_active_at": now,
        "expires_after": {"anchor": "last_active_at", "minutes": EXPIRES_MINUTES},
        "memory_limit": "1g",
    }
    with sandbox.state.lock:
        sandbox.state.containers[record["id"]] = {"record": record, "files": {}}
    for file_id in file_ids or []:
        with sandbox.state.lock:
            upload = sandbox.state.files.get(file_id)
            content = sandbox.state.file_contents.get(file_id, b"")
        if upload is None:
            raise ApiError(404, f"No such File object: {file_id}", param="file_ids")
        add_file(sandbox, record["id"], f"/mnt/data/{upload['filename']}", content, source="user")
    return record


def require(sandbox, container_id: str, *, param: str | None = None) -> dict[str, Any]:
    with sandbox.state.lock:
        entry = sandbox.state.containers.get(container_id)
    if entry is None:
        raise ApiError(404, f"Container with id '{container_id}' not found.", param=param)
    return entry["record"]


def add_file(
    sandbox, container_id: str, path: str, content: bytes, *, source: str = "assistant"
) -> dict[str, Any]:
    """Save `content` at `path` in the container; returns the file's record."""
    record: dict[str, Any] = {
        "id": new_id(sandbox, "cfile"),
        "object": "container.file",
        "container_id": container_id,
        "created_at": int(time.time()),
        "bytes": len(content),
        "path": path,
        "source": source,
    }
    with sandbox.state.lock:
        entry = sandbox.state.containers[container_id]
        entry["files"][record["id"]] = (record, content)
        entry["record"]["last_active_at"] = record["created_at"]
    return record


def _file(sandbox, request: Request) -> tuple[dict[str, Any], bytes]:
    container_id, file_id = request.params["container_id"], request.params["file_id"]
    require(sandbox, container_id)
    with sandbox.state.lock:
        found = sandbox.state.containers[container_id]["files"].get(file_id)
    if found is None:
        raise ApiError(404, f"File with id '{file_id}' not found in container '{container_id}'.")
    return found


@route("POST", "/containers")
def create_container(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise missing("name")
    return JSONResponse(create(sandbox, name, body.get("file_ids")))


@route("GET", "/containers/{container_id}")
def retrieve_container(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(require(sandbox, request.params["container_id"]))


@route("DELETE", "/containers/{container_id}")
def delete_container(request: Request, sandbox) -> JSONResponse:
    container_id = request.params["container_id"]
    require(sandbox, container_id)
    with sandbox.state.lock:
        sandbox.state.containers.pop(container_id, None)
    return JSONResponse({"id": container_id, "object": "container.deleted", "deleted": True})


@route("GET", "/containers/{container_id}/files")
def list_container_files(request: Request, sandbox) -> JSONResponse:
    container_id = request.params["container_id"]
    require(sandbox, container_id)
    with sandbox.state.lock:
        records = [record for record, _ in sandbox.state.containers[container_id]["files"].values()]
    return JSONResponse(page(request, ordered(request, records), first_last=True))


@route("GET", "/containers/{container_id}/files/{file_id}")
def retrieve_container_file(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(_file(sandbox, request)[0])


@route("GET", "/containers/{container_id}/files/{file_id}/content")
def container_file_content(request: Request, sandbox) -> BytesResponse:
    record, content = _file(sandbox, request)
    kind = "text/csv" if record["path"].endswith(".csv") else "application/octet-stream"
    return BytesResponse(content, kind)
