"""The Uploads API: a file of up to 8 GB sent in parts of up to 64 MB, then made into a File.

POST /uploads declares `filename`, `purpose`, `bytes` and `mime_type` (which must suit the
purpose, see MIME_TYPES) and opens a `pending` Upload for one hour, after which it shows
`expired`. POST /uploads/{id}/parts adds a part (multipart field `data`), in any order and
even at once. POST /uploads/{id}/complete joins the parts listed in `part_ids`, in that
order, checks that they add up to `bytes` and, when `md5` is given, that their MD5 matches
(a 400 leaves the Upload pending, to be completed again); then the File is stored as
POST /files would (GET /files lists it) and returned in the Upload's `file`. Parts not
listed are dropped. POST /uploads/{id}/cancel ends a pending Upload.

Memory: parts are kept as they arrive. Completing reads them in order for the size and
MD5 checks, then moves them one by one into a single growing buffer, freeing each part
once copied: a 200 MB upload is never held twice (and the request log keeps no large body).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from .._http import ApiError, JSONResponse, Request
from ._checks import type_name
from ._registry import route
from ._store_checks import check_expires_after, check_keys, check_string_list
from .files import store_file

__all__ = ["MAX_PART_BYTES", "MAX_UPLOAD_BYTES", "MIME_TYPES"]

MAX_UPLOAD_BYTES = 8 * 1024**3
MAX_PART_BYTES = 64 * 1024**2
LIFETIME = 3600  # seconds an Upload stays open
MAX_PARTS = 10_000

_JSONL = frozenset({"application/jsonl", "application/x-jsonl", "application/x-ndjson", "text/jsonl"})
_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# What the file_search and code_interpreter tools read (OpenAI's lists of supported files).
_ASSISTANTS = frozenset(
    {
        "text/x-c",
        "text/x-c++",
        "text/x-csharp",
        "text/css",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/x-golang",
        "text/html",
        "text/x-java",
        "text/javascript",
        "application/javascript",
        "application/json",
        "text/markdown",
        "application/pdf",
        "text/x-php",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "text/x-python",
        "text/x-script.python",
        "text/x-ruby",
        "application/x-sh",
        "text/x-tex",
        "application/typescript",
        "text/plain",
        "text/csv",
        "application/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/xml",
        "text/xml",
        "application/x-tar",
        "application/zip",
        "application/octet-stream",
        *_IMAGES,
    }
)
MIME_TYPES = {"assistants": _ASSISTANTS, "batch": _JSONL, "fine-tune": _JSONL, "vision": _IMAGES}
JSONL_PURPOSES = ("batch", "fine-tune")


def _new_id(state, prefix: str) -> str:
    return prefix + "_" + state.new_id(prefix).split("-", 1)[1]


@route("POST", "/uploads")
def create_upload(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    check_keys(body, {"filename", "purpose", "bytes", "mime_type", "expires_after"})
    filename = _required_string(body, "filename")
    purpose = _required_string(body, "purpose")
    if purpose not in MIME_TYPES:
        raise ApiError(
            400,
            f"Invalid value for 'purpose': expected one of {', '.join(MIME_TYPES)}, but got {purpose!r}.",
            param="purpose",
            code="invalid_value",
        )
    size = _size(body.get("bytes"))
    mime_type = _required_string(body, "mime_type")
    kind = mime_type.split(";", 1)[0].strip().lower()
    if kind not in MIME_TYPES[purpose]:
        raise ApiError(
            400,
            f"Invalid 'mime_type': {mime_type!r} is not supported for purpose '{purpose}'; "
            f"use one of {', '.join(sorted(MIME_TYPES[purpose]))}.",
            param="mime_type",
            code="invalid_value",
        )
    if purpose in JSONL_PURPOSES and not filename.lower().endswith(".jsonl"):
        raise ApiError(
            400,
            f"Invalid 'filename': files for purpose '{purpose}' must be JSON Lines named *.jsonl, "
            f"but got {filename!r}.",
            param="filename",
            code="invalid_value",
        )
    policy = check_expires_after(
        body.get("expires_after"), anchor="created_at", field="seconds", low=3600, high=2_592_000
    )
    state = sandbox.state
    now = state.now()
    record = {
        "id": _new_id(state, "upload"),
        "object": "upload",
        "bytes": size,
        "created_at": now,
        "filename": filename,
        "purpose": purpose,
        "status": "pending",
        "expires_at": now + LIFETIME,
        "file": None,
    }
    with state.lock:
        state.uploads[record["id"]] = {"record": record, "parts": {}, "received": 0, "policy": policy}
    return JSONResponse(dict(record))


def _required_string(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        raise ApiError(400, f"Missing required parameter: '{name}'.", param=name, code="missing")
    if not isinstance(value, str) or not value.strip():
        raise ApiError(
            400,
            f"Invalid '{name}': expected a non-empty string, but got {type_name(value)}.",
            param=name,
            code="invalid_type",
        )
    return value


def _size(value: Any) -> int:
    if value is None:
        raise ApiError(400, "Missing required parameter: 'bytes'.", param="bytes", code="missing")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(
            400,
            f"Invalid type for 'bytes': expected an integer, but got {type_name(value)} instead.",
            param="bytes",
            code="invalid_type",
        )
    if value < 1:
        raise ApiError(400, f"Invalid 'bytes': an Upload holds at least 1 byte, not {value}.", param="bytes")
    if value > MAX_UPLOAD_BYTES:
        raise ApiError(
            400,
            f"Invalid 'bytes': an Upload holds at most 8 GB ({MAX_UPLOAD_BYTES} bytes), but got {value}; "
            "split the file into several Uploads.",
            param="bytes",
            code="invalid_value",
        )
    return value


# -- parts -----------------------------------------------------------------------------------


@route("POST", "/uploads/{upload_id}/parts")
def add_upload_part(request: Request, sandbox) -> JSONResponse:
    upload = _upload(sandbox, request.params["upload_id"])
    files = request.files().get("data")
    if files:
        data = files[0].content
    elif isinstance(request.form().get("data"), str):
        data = request.form()["data"].encode()
    else:
        raise ApiError(
            400, "Missing required parameter: 'data' (the part's bytes).", param="data", code="missing"
        )
    if not data:
        raise ApiError(400, "Invalid 'data': a part holds at least 1 byte.", param="data")
    if len(data) > MAX_PART_BYTES:
        raise ApiError(
            400,
            f"Invalid 'data': a part holds at most 64 MB ({MAX_PART_BYTES} bytes), but this one has "
            f"{len(data)}; send smaller parts.",
            param="data",
            code="invalid_value",
        )
    state = sandbox.state
    with state.lock:
        record = _pending(upload, "add a part to")
        if upload["received"] + len(data) > record["bytes"]:
            raise ApiError(
                400,
                f"This part would bring the Upload to {upload['received'] + len(data)} bytes, more than "
                f"the {record['bytes']} it was created with.",
                param="data",
                code="invalid_value",
            )
        part = {
            "id": _new_id(state, "part"),
            "object": "upload.part",
            "created_at": state.now(),
            "upload_id": record["id"],
        }
        upload["parts"][part["id"]] = data
        upload["received"] += len(data)
    return JSONResponse(part)


# -- complete and cancel ---------------------------------------------------------------------


@route("POST", "/uploads/{upload_id}/complete")
def complete_upload(request: Request, sandbox) -> JSONResponse:
    upload = _upload(sandbox, request.params["upload_id"])
    body = request.json_object()
    check_keys(body, {"part_ids", "md5"})
    if body.get("part_ids") is None:
        raise ApiError(400, "Missing required parameter: 'part_ids'.", param="part_ids", code="missing")
    part_ids = check_string_list(body["part_ids"], "part_ids", low=1, high=MAX_PARTS)
    md5 = body.get("md5")
    if md5 is not None and not isinstance(md5, str):
        raise ApiError(
            400,
            f"Invalid type for 'md5': expected a hex string, but got {type_name(md5)} instead.",
            param="md5",
            code="invalid_type",
        )
    with sandbox.state.lock:
        record = _pending(upload, "complete")
        _check_listed(upload, part_ids)
        upload["completing"] = True  # no part or second completion slips in while the bytes are joined
    try:
        _check_whole(record, upload["parts"], part_ids, md5)
        content = _join(upload["parts"], part_ids)
    except BaseException:
        upload["completing"] = False
        raise
    file = store_file(sandbox, record["filename"], record["purpose"], content)
    policy = upload["policy"]
    with sandbox.state.lock:
        if policy:
            file["expires_at"] = file["created_at"] + policy["seconds"]
        upload["parts"].clear()  # parts that were not listed are dropped
        upload["completing"] = False
        record.update(status="completed", file=dict(file))
        return JSONResponse(dict(record))


def _check_listed(upload: dict[str, Any], part_ids: list[str]) -> None:
    seen: set[str] = set()
    for index, part_id in enumerate(part_ids):
        if part_id not in upload["parts"]:
            raise ApiError(
                400,
                f"Invalid 'part_ids[{index}]': the Upload has no part {part_id!r}.",
                param=f"part_ids[{index}]",
                code="invalid_value",
            )
        if part_id in seen:
            raise ApiError(
                400,
                f"Invalid 'part_ids[{index}]': the part {part_id} is listed twice.",
                param=f"part_ids[{index}]",
                code="invalid_value",
            )
        seen.add(part_id)


def _check_whole(
    record: dict[str, Any], parts: dict[str, bytes], part_ids: list[str], md5: str | None
) -> None:
    total = sum(len(parts[part_id]) for part_id in part_ids)
    if total != record["bytes"]:
        raise ApiError(
            400,
            f"The parts add up to {total} bytes, but the Upload was created with bytes={record['bytes']}: "
            "add the missing parts or list every part in part_ids.",
            param="part_ids",
            code="invalid_value",
        )
    if md5 is None:
        return
    digest = hashlib.md5(usedforsecurity=False)
    for part_id in part_ids:
        digest.update(parts[part_id])
    if digest.hexdigest() != md5.strip().lower():
        raise ApiError(
            400,
            f"The md5 of the uploaded bytes is {digest.hexdigest()}, not the {md5!r} given: "
            "a part is missing, out of order or damaged.",
            param="md5",
            code="invalid_value",
        )


def _join(parts: dict[str, bytes], part_ids: list[str]) -> bytearray:
    """The parts in order in one buffer that grows as each part is moved in and freed."""
    content = bytearray()
    for part_id in part_ids:
        content += parts.pop(part_id)
    return content


@route("POST", "/uploads/{upload_id}/cancel")
def cancel_upload(request: Request, sandbox) -> JSONResponse:
    upload = _upload(sandbox, request.params["upload_id"])
    with sandbox.state.lock:
        record = _pending(upload, "cancel")
        record["status"] = "cancelled"
        upload["parts"].clear()
        upload["received"] = 0
        return JSONResponse(dict(record))


def _upload(sandbox, upload_id: str) -> dict[str, Any]:
    with sandbox.state.lock:
        upload = sandbox.state.uploads.get(upload_id)
    if upload is None:
        raise ApiError(404, f"No Upload found with id '{upload_id}'.", param="upload_id")
    return upload


def _pending(upload: dict[str, Any], action: str) -> dict[str, Any]:
    """The Upload's record if it still takes parts (call with the state's lock held)."""
    record = upload["record"]
    if upload.get("completing"):  # checked first: expiring now would drop the parts being joined
        raise ApiError(409, f"Cannot {action} an Upload that is being completed.", param="upload_id")
    if record["status"] == "pending" and time.time() >= record["expires_at"]:
        record["status"] = "expired"
        upload["parts"].clear()
    if record["status"] != "pending":
        raise ApiError(400, f"Cannot {action} an Upload with status '{record['status']}'.", param="upload_id")
    return record
