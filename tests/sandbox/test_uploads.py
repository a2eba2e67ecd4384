"""The sandbox's Uploads API over HTTP: parts in any order, completion with MD5, limits, cancel, memory."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tracemalloc

import jsonschema
import pytest

from openai_widgets.sandbox._request_log import LARGEST_BODY
from openai_widgets.sandbox.routes.uploads import MAX_PART_BYTES

LINES = b"".join(json.dumps({"n": n, "text": f"line {n}"}).encode() + b"\n" for n in range(300))


def create(store_api, size, *, filename="train.jsonl", purpose="fine-tune", mime_type="text/jsonl", **more):
    return store_api.post(
        "/uploads", {"filename": filename, "purpose": purpose, "bytes": size, "mime_type": mime_type, **more}
    )


def add_part(store_api, upload_id, data, status=200):
    """POST a part as multipart field `data`; its answer (checked against the spec when 200)."""
    response = store_api.http.post(
        f"/uploads/{upload_id}/parts", files={"data": ("blob", data, "application/octet-stream")}
    )
    assert response.status_code == status, response.text
    if status == 200:
        logged = store_api.sandbox.requests_to(f"/uploads/{upload_id}/parts", "POST")[-1]
        if logged.body:  # bodies over the log's limit are not kept
            fields, files = logged.form()
            store_api.spec.validate_multipart("POST", f"/uploads/{upload_id}/parts", fields, files)
        store_api.spec.validate_response("POST", f"/uploads/{upload_id}/parts", response.json())
    return response.json()


def thirds(data):
    cut = len(data) // 3
    return [data[:cut], data[cut : 2 * cut], data[2 * cut :]]


def test_parts_sent_out_of_order_complete_into_a_listed_file(store_api):
    upload = create(store_api, len(LINES))
    assert upload["id"].startswith("upload_")
    assert (upload["object"], upload["status"], upload["file"]) == ("upload", "pending", None)
    assert upload["expires_at"] == upload["created_at"] + 3600

    first, second, third = thirds(LINES)
    parts = {2: add_part(store_api, upload["id"], third), 0: add_part(store_api, upload["id"], first)}
    parts[1] = add_part(store_api, upload["id"], second)
    assert all(p["object"] == "upload.part" and p["upload_id"] == upload["id"] for p in parts.values())
    assert all(p["id"].startswith("part_") for p in parts.values())

    done = store_api.post(
        f"/uploads/{upload['id']}/complete",
        {"part_ids": [parts[n]["id"] for n in range(3)], "md5": hashlib.md5(LINES).hexdigest()},
    )
    assert done["status"] == "completed"
    file = done["file"]
    assert (file["object"], file["bytes"], file["filename"], file["purpose"]) == (
        "file",
        len(LINES),
        "train.jsonl",
        "fine-tune",
    )
    assert store_api.http.get(f"/files/{file['id']}/content").content == LINES
    listed = store_api.get("/files", params={"purpose": "fine-tune"})
    assert file["id"] in [f["id"] for f in listed["data"]]
    assert store_api.error("POST", f"/uploads/{upload['id']}/complete", {"part_ids": [parts[0]["id"]]})[
        "message"
    ] == ("Cannot complete an Upload with status 'completed'.")


def test_a_wrong_md5_is_refused_and_the_upload_can_still_complete(store_api):
    upload = create(store_api, len(LINES))
    part_ids = [add_part(store_api, upload["id"], piece)["id"] for piece in thirds(LINES)]
    swapped = [part_ids[1], part_ids[0], part_ids[2]]
    error = store_api.error(
        "POST",
        f"/uploads/{upload['id']}/complete",
        {"part_ids": swapped, "md5": hashlib.md5(LINES).hexdigest()},
    )
    assert error["param"] == "md5"
    assert hashlib.md5(LINES).hexdigest() in error["message"] and "out of order" in error["message"]
    done = store_api.post(
        f"/uploads/{upload['id']}/complete",
        {"part_ids": part_ids, "md5": hashlib.md5(LINES).hexdigest().upper()},
    )
    assert done["status"] == "completed" and done["file"]["bytes"] == len(LINES)


def test_parts_that_do_not_add_up_to_the_declared_bytes_are_refused(store_api):
    upload = create(store_api, len(LINES))
    first, second, third = thirds(LINES)
    ids = [add_part(store_api, upload["id"], first)["id"], add_part(store_api, upload["id"], second)["id"]]
    short = store_api.error("POST", f"/uploads/{upload['id']}/complete", {"part_ids": ids})
    assert short["param"] == "part_ids"
    assert (
        f"add up to {len(first) + len(second)} bytes" in short["message"]
        and f"bytes={len(LINES)}" in short["message"]
    )
    too_much = add_part(store_api, upload["id"], third + b"x", status=400)["error"]
    assert too_much["param"] == "data" and "more than the" in too_much["message"]
    ids.append(add_part(store_api, upload["id"], third)["id"])
    assert store_api.post(f"/uploads/{upload['id']}/complete", {"part_ids": ids})["status"] == "completed"


@pytest.mark.parametrize(
    ("part_ids", "param"),
    [(["part_unknown"], "part_ids[0]"), ("twice", "part_ids[1]"), ([], "part_ids"), (None, "part_ids")],
)
def test_part_ids_must_name_this_uploads_parts_once(store_api, part_ids, param):
    upload = create(store_api, 3)
    part = add_part(store_api, upload["id"], b"abc")
    body = {"part_ids": [part["id"], part["id"]] if part_ids == "twice" else part_ids}
    assert store_api.error("POST", f"/uploads/{upload['id']}/complete", body)["param"] == param


def test_a_cancelled_upload_takes_nothing_more(store_api):
    upload = create(store_api, 10)
    part = add_part(store_api, upload["id"], b"01234")
    cancelled = store_api.post(f"/uploads/{upload['id']}/cancel")
    assert (cancelled["status"], cancelled["file"]) == ("cancelled", None)
    assert add_part(store_api, upload["id"], b"56789", status=400)["error"]["message"] == (
        "Cannot add a part to an Upload with status 'cancelled'."
    )
    assert (
        "status 'cancelled'"
        in store_api.error("POST", f"/uploads/{upload['id']}/complete", {"part_ids": [part["id"]]})["message"]
    )
    assert "status 'cancelled'" in store_api.error("POST", f"/uploads/{upload['id']}/cancel")["message"]
    assert store_api.error("POST", "/uploads/upload_nothing/cancel", status=404)["param"] == "upload_id"


def test_an_upload_expires_an_hour_after_it_was_created(store_api, sandbox):
    upload = create(store_api, 10)
    with sandbox.state.lock:
        sandbox.state.uploads[upload["id"]]["record"]["expires_at"] -= 3601
    assert add_part(store_api, upload["id"], b"late", status=400)["error"]["message"] == (
        "Cannot add a part to an Upload with status 'expired'."
    )


@pytest.mark.parametrize(
    ("changes", "param", "spec_rejects"),
    [
        ({"bytes": 8 * 1024**3 + 1}, "bytes", False),
        ({"bytes": 0}, "bytes", False),
        ({"bytes": "10"}, "bytes", True),
        ({"mime_type": "image/png"}, "mime_type", False),
        ({"purpose": "vision", "mime_type": "text/jsonl"}, "mime_type", False),
        ({"purpose": "batch", "filename": "requests.txt", "mime_type": "text/jsonl"}, "filename", False),
        ({"purpose": "user_data"}, "purpose", True),
        ({"filename": None}, "filename", True),
        ({"expires_after": {"anchor": "created_at", "seconds": 60}}, "expires_after.seconds", True),
        ({"colour": "red"}, "colour", True),
    ],
)
def test_bad_uploads_are_refused_before_any_part(store_api, spec, changes, param, spec_rejects):
    body = {
        "filename": "train.jsonl",
        "purpose": "fine-tune",
        "bytes": 10,
        "mime_type": "text/jsonl",
        **changes,
    }
    body = {k: v for k, v in body.items() if v is not None}
    if spec_rejects:
        with pytest.raises(jsonschema.ValidationError):
            spec.validate_request("POST", "/uploads", body)
    else:
        spec.validate_request("POST", "/uploads", body)  # the spec allows it: the limit is the API's own
    assert store_api.error("POST", "/uploads", body)["param"] == param


@pytest.mark.parametrize(
    ("purpose", "filename", "mime_type"),
    [
        ("vision", "cat.png", "image/png"),
        ("assistants", "report.pdf", "application/pdf"),
        ("assistants", "notes.md", "text/markdown; charset=utf-8"),
        ("batch", "requests.jsonl", "application/jsonl"),
    ],
)
def test_each_purpose_takes_its_own_mime_types(store_api, purpose, filename, mime_type):
    upload = create(store_api, 4, purpose=purpose, filename=filename, mime_type=mime_type)
    assert upload["purpose"] == purpose


def test_a_part_over_64_mb_is_refused(store_api):
    upload = create(store_api, 8 * 1024**3)
    error = add_part(store_api, upload["id"], bytes(MAX_PART_BYTES + 1), status=400)["error"]
    assert error["param"] == "data" and "at most 64 MB" in error["message"]
    assert add_part(store_api, upload["id"], b"", status=400)["error"]["param"] == "data"


def test_the_file_gets_the_expiry_the_upload_asked_for(store_api):
    upload = create(store_api, 3, expires_after={"anchor": "created_at", "seconds": 7200})
    part = add_part(store_api, upload["id"], b"abc")
    file = store_api.post(f"/uploads/{upload['id']}/complete", {"part_ids": [part["id"]]})["file"]
    assert file["expires_at"] == file["created_at"] + 7200


def test_completing_never_holds_the_upload_twice(store_api, sandbox):
    """Parts are freed as they are joined, and the request log keeps no large body."""
    size = 3 * 4 * 1024 * 1024
    data = os.urandom(size)
    upload = create(store_api, size)
    gc.collect()
    tracemalloc.start()
    try:
        ids = [add_part(store_api, upload["id"], piece)["id"] for piece in thirds(data)]
        logged = sandbox.requests_to(f"/uploads/{upload['id']}/parts", "POST")
        assert [r.body for r in logged] == [b""] * 3 and all(r.body_size > LARGEST_BODY for r in logged)
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        done = store_api.post(
            f"/uploads/{upload['id']}/complete", {"part_ids": ids, "md5": hashlib.md5(data).hexdigest()}
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Joining by copying the parts and keeping them would add the whole size; freeing each part
    # as it moves in adds at most about one part.
    assert peak - before < size / 2
    assert sandbox.state.uploads[upload["id"]]["parts"] == {}
    assert sandbox.state.file_contents[done["file"]["id"]] == data
