"""The sandbox's vector stores over HTTP: stores, files, file batches, attributes, failing files."""

from __future__ import annotations

import time

import jsonschema
import pytest

from openai_widgets.sandbox.routes._vector_index import DAY

# -- stores ----------------------------------------------------------------------------------


def test_a_store_is_created_retrieved_modified_listed_and_deleted(store_api):
    created = store_api.store(
        name="handbook", metadata={"team": "docs"}, expires_after={"anchor": "last_active_at", "days": 7}
    )
    assert created["id"].startswith("vs_")
    assert (created["object"], created["name"], created["status"]) == (
        "vector_store",
        "handbook",
        "completed",
    )
    assert created["file_counts"] == {
        "in_progress": 0,
        "completed": 0,
        "failed": 0,
        "cancelled": 0,
        "total": 0,
    }
    assert created["usage_bytes"] == 0 and created["metadata"] == {"team": "docs"}
    assert created["expires_after"] == {"anchor": "last_active_at", "days": 7}
    assert created["expires_at"] == created["last_active_at"] + 7 * DAY

    path = f"/vector_stores/{created['id']}"
    assert store_api.get(path) == created
    changed = store_api.post(
        path, {"name": "staff handbook", "metadata": {"team": "hr"}, "expires_after": None}
    )
    assert (changed["name"], changed["metadata"], changed["expires_at"]) == (
        "staff handbook",
        {"team": "hr"},
        None,
    )
    assert "expires_after" not in changed
    assert (
        store_api.post(path, {"metadata": {"team": "ops"}})["name"] == "staff handbook"
    )  # a name not sent stays

    listed = store_api.get("/vector_stores", params={"limit": 100})
    assert created["id"] in [store["id"] for store in listed["data"]]

    assert store_api.delete(path) == {"id": created["id"], "object": "vector_store.deleted", "deleted": True}
    missing = store_api.error("GET", path, status=404)
    assert missing["message"] == f"No vector store found with id '{created['id']}'."
    assert store_api.error("DELETE", path, status=404)["param"] == "vector_store_id"


def test_store_lists_page_forward_and_back_in_either_order(store_api):
    made = [store_api.store(name=f"page {n}")["id"] for n in range(5)]
    newest_first = [s["id"] for s in store_api.get("/vector_stores", params={"limit": 100})["data"]]
    assert newest_first[:5] == made[::-1]  # stores made in the same second keep their creation order
    oldest_first = [
        s["id"] for s in store_api.get("/vector_stores", params={"limit": 100, "order": "asc"})["data"]
    ]
    assert oldest_first == newest_first[::-1]

    first = store_api.get("/vector_stores", params={"limit": 2})
    assert [s["id"] for s in first["data"]] == made[4:2:-1]
    assert (first["first_id"], first["last_id"], first["has_more"]) == (made[4], made[3], True)
    second = store_api.get("/vector_stores", params={"limit": 2, "after": first["last_id"]})
    assert [s["id"] for s in second["data"]] == made[2:0:-1]
    back = store_api.get("/vector_stores", params={"limit": 2, "before": made[1]})
    assert [s["id"] for s in back["data"]] == [made[3], made[2]]
    assert store_api.error("GET", "/vector_stores?limit=101")["param"] == "limit"
    assert store_api.error("GET", "/vector_stores?order=sideways")["param"] == "order"
    assert store_api.error("GET", "/vector_stores?after=vs_nothing")["param"] == "after"


@pytest.mark.parametrize(
    ("strategy", "param", "spec_rejects"),
    [
        (
            {"type": "static", "static": {"max_chunk_size_tokens": 99, "chunk_overlap_tokens": 0}},
            "chunking_strategy.static.max_chunk_size_tokens",
            True,
        ),
        (
            {"type": "static", "static": {"max_chunk_size_tokens": 4097, "chunk_overlap_tokens": 0}},
            "chunking_strategy.static.max_chunk_size_tokens",
            True,
        ),
        (
            {"type": "static", "static": {"max_chunk_size_tokens": 800}},
            "chunking_strategy.static.chunk_overlap_tokens",
            True,
        ),
        (
            {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": -1}},
            "chunking_strategy.static.chunk_overlap_tokens",
            False,
        ),
        (
            {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 401}},
            "chunking_strategy.static.chunk_overlap_tokens",
            False,
        ),  # more than half: the spec says so in words
        ({"type": "static"}, "chunking_strategy.static", True),
        ({"type": "fancy"}, "chunking_strategy.type", True),
        ({"type": "auto", "size": 3}, "chunking_strategy.size", True),
    ],
)
def test_chunking_strategies_are_checked_within_the_spec_bounds(
    store_api, spec, strategy, param, spec_rejects
):
    body = {"name": "bounds", "chunking_strategy": strategy}
    if spec_rejects:
        with pytest.raises(jsonschema.ValidationError):
            spec.validate_request("POST", "/vector_stores", body)
    error = store_api.error("POST", "/vector_stores", body)
    assert error["param"] == param
    assert param in error["message"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        # The metadata limits are written in the spec's prose only, not in its schema.
        ({"metadata": {f"k{n}": "v" for n in range(17)}}, "metadata"),
        ({"metadata": {"k" * 65: "v"}}, "metadata"),
        ({"metadata": {"k": "v" * 513}}, "metadata.k"),
    ],
)
def test_metadata_beyond_the_documented_limits_gets_a_400(store_api, body, param):
    assert store_api.error("POST", "/vector_stores", body)["param"] == param


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"metadata": {"k": 1}}, "metadata.k"),
        ({"expires_after": {"anchor": "last_active_at", "days": 366}}, "expires_after.days"),
        ({"expires_after": {"anchor": "created_at", "days": 1}}, "expires_after.anchor"),
        ({"file_ids": "file-1"}, "file_ids"),
        ({"name": 3}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_store_requests_the_spec_refuses_get_a_400_naming_the_field(store_api, spec, body, param):
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_request("POST", "/vector_stores", body)
    assert store_api.error("POST", "/vector_stores", body)["param"] == param


def test_an_expired_store_says_so_and_cannot_be_searched(store_api, sandbox):
    store_id = store_api.store(name="old", expires_after={"anchor": "last_active_at", "days": 1})["id"]
    with sandbox.state.lock:  # two days pass
        record = sandbox.state.vector_stores[store_id]["record"]
        record["last_active_at"] -= 2 * DAY
        record["expires_at"] = record["last_active_at"] + DAY
    assert store_api.get(f"/vector_stores/{store_id}")["status"] == "expired"
    error = store_api.error("POST", f"/vector_stores/{store_id}/search", {"query": "anything"})
    assert "expired" in error["message"]


# -- files and batches -----------------------------------------------------------------------

GUIDE = "Returns are accepted within 30 days. Keep the receipt for every return."


def test_a_batch_is_polled_to_completion_with_one_failing_file(store_api, sandbox):
    sandbox.index_seconds = 0.5  # long enough to see the batch in progress
    good = {
        "guide.txt": GUIDE.encode(),
        "notes.md": b"# Notes\nShipping takes five days.",
        "prices.json": b'{"basic": 10, "pro": 30}',
    }
    ids = {name: store_api.upload(name, content) for name, content in good.items()}
    scanned = store_api.upload("scan.pdf", b"%PDF-1.7\n\x00\x01\x02\xff binary pages")
    store_id = store_api.store(name="batch")["id"]

    created = store_api.post(
        f"/vector_stores/{store_id}/file_batches", {"file_ids": [*ids.values(), scanned]}
    )
    assert created["id"].startswith("vsfb_") and created["object"] == "vector_store.files_batch"
    assert created["status"] == "in_progress"
    assert created["file_counts"] == {
        "in_progress": 4,
        "completed": 0,
        "failed": 0,
        "cancelled": 0,
        "total": 4,
    }
    assert store_api.get(f"/vector_stores/{store_id}")["status"] == "in_progress"

    done = store_api.wait_batch(store_id, created["id"])
    assert done["status"] == "completed"
    assert done["file_counts"] == {"in_progress": 0, "completed": 3, "failed": 1, "cancelled": 0, "total": 4}
    store = store_api.get(f"/vector_stores/{store_id}")
    assert (store["status"], store["file_counts"]) == ("completed", done["file_counts"])
    assert store["usage_bytes"] == sum(len(content) for content in good.values())

    (failed,) = store_api.get(f"/vector_stores/{store_id}/files", params={"filter": "failed"})["data"]
    assert failed["id"] == scanned and failed["usage_bytes"] == 0
    assert failed["last_error"]["code"] == "invalid_file"
    assert "scan.pdf could not be read as text" in failed["last_error"]["message"]
    completed = store_api.get(
        f"/vector_stores/{store_id}/file_batches/{created['id']}/files", params={"filter": "completed"}
    )
    assert sorted(f["id"] for f in completed["data"]) == sorted(ids.values())
    assert all(f["last_error"] is None and f["usage_bytes"] > 0 for f in completed["data"])
    assert store_api.error("GET", f"/vector_stores/{store_id}/files?filter=done")["param"] == "filter"


def test_file_counts_rise_while_a_batch_is_indexed(store_api, sandbox):
    sandbox.index_seconds = 0.6
    ids = [store_api.upload(f"part{n}.txt", f"part {n}".encode()) for n in range(3)]
    store_id = store_api.store(name="rising")["id"]
    batch = store_api.post(f"/vector_stores/{store_id}/file_batches", {"file_ids": ids})
    seen = []
    while not seen or seen[-1] < 3:
        seen.append(
            store_api.get(f"/vector_stores/{store_id}/file_batches/{batch['id']}")["file_counts"]["completed"]
        )
        time.sleep(0.05)
    assert seen == sorted(seen) and seen[0] < 3
    assert len(set(seen)) >= 3  # files finish one after another, not all at once


@pytest.mark.parametrize(
    ("filename", "content", "code", "words"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n", "unsupported_file", "[.png]"),
        ("README", b"plain words", "unsupported_file", "[none]"),
        ("empty.txt", b"   \n", "invalid_file", "no text"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "invalid_file", "could not be read as text"),
    ],
)
def test_files_the_sandbox_cannot_read_fail_with_a_reason(store_api, filename, content, code, words):
    store_id = store_api.store(name="failing")["id"]
    file_id = store_api.upload(filename, content)
    added = store_api.post(f"/vector_stores/{store_id}/files", {"file_id": file_id})
    assert (added["status"], added["last_error"]) == ("in_progress", None)
    time.sleep(0.15)
    settled = store_api.get(f"/vector_stores/{store_id}/files/{file_id}")
    assert settled["status"] == "failed"
    assert settled["last_error"]["code"] == code and words in settled["last_error"]["message"]
    unread = store_api.error("GET", f"/vector_stores/{store_id}/files/{file_id}/content")
    assert "status 'failed'" in unread["message"]


def test_utf16_and_html_files_are_read_as_text(store_api):
    store_id = store_api.store(name="text kinds")["id"]
    page = b"<html><head><style>p {color: red}</style></head><body><p>Fish &amp; chips</p></body></html>"
    html_id = store_api.upload("menu.html", page)
    wide_id = store_api.upload("wide.txt", "Grüße aus Köln".encode("utf-16"))
    for file_id in (html_id, wide_id):
        store_api.post(f"/vector_stores/{store_id}/files", {"file_id": file_id})
    store_api.wait_store(store_id)
    (menu,) = store_api.get(f"/vector_stores/{store_id}/files/{html_id}/content")["data"]
    assert menu["type"] == "text" and menu["text"].split() == ["Fish", "&", "chips"]
    wide = store_api.get(f"/vector_stores/{store_id}/files/{wide_id}/content")
    assert wide == {
        "object": "vector_store.file_content.page",
        "data": [{"type": "text", "text": "Grüße aus Köln"}],
        "has_more": False,
        "next_page": None,
    }


def test_a_file_is_added_with_attributes_and_chunking_and_they_can_be_updated(store_api):
    store_id = store_api.store(name="attributes")["id"]
    file_id = store_api.upload("guide.txt", GUIDE.encode())
    static = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 50}}
    added = store_api.post(
        f"/vector_stores/{store_id}/files",
        {
            "file_id": file_id,
            "attributes": {"lang": "en", "year": 2024, "public": True},
            "chunking_strategy": static,
        },
    )
    assert added["chunking_strategy"] == static and added["vector_store_id"] == store_id
    assert added["attributes"] == {"lang": "en", "year": 2024, "public": True}

    path = f"/vector_stores/{store_id}/files/{file_id}"
    updated = store_api.post(path, {"attributes": {"lang": "fr", "score": 0.5}})
    assert updated["attributes"] == {"lang": "fr", "score": 0.5}
    assert store_api.get(path)["attributes"] == {"lang": "fr", "score": 0.5}
    assert store_api.post(path, {"attributes": None})["attributes"] == {}
    auto = store_api.post(
        f"/vector_stores/{store_id}/files", {"file_id": store_api.upload("b.txt", b"words")}
    )
    assert auto["chunking_strategy"] == {
        "type": "static",
        "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
    }


@pytest.mark.parametrize(
    ("attributes", "param", "words"),
    [
        ({f"k{n}": n for n in range(17)}, "attributes", "at most 16 properties"),
        ({"k" * 65: "v"}, "attributes", "keys have at most 64"),
        ({"note": "v" * 513}, "attributes.note", "maximum length 512"),
        ({"tags": ["a", "b"]}, "attributes.tags", "string, number or boolean"),
        ({"nested": {"a": 1}}, "attributes.nested", "string, number or boolean"),
    ],
)
def test_attributes_beyond_the_limits_get_a_400_naming_them(store_api, spec, attributes, param, words):
    store_id = store_api.store(name="limits")["id"]
    file_id = store_api.upload("a.txt", b"some text")
    body = {"file_id": file_id, "attributes": attributes}
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_request("POST", f"/vector_stores/{store_id}/files", body)
    error = store_api.error("POST", f"/vector_stores/{store_id}/files", body)
    assert error["param"] == param and words in error["message"]
    store_api.post(f"/vector_stores/{store_id}/files", {"file_id": file_id})
    update = store_api.error("POST", f"/vector_stores/{store_id}/files/{file_id}", {"attributes": attributes})
    assert update["param"] == param
    batch = store_api.error("POST", f"/vector_stores/{store_id}/file_batches", {"files": [body]})
    assert batch["param"] == f"files[0].{param}"


def test_a_batch_of_files_each_with_its_own_attributes(store_api):
    store_id = store_api.store(name="per file")["id"]
    first, second = store_api.upload("one.txt", b"first text"), store_api.upload("two.txt", b"second text")
    static = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 0}}
    batch = store_api.post(
        f"/vector_stores/{store_id}/file_batches",
        {
            "files": [
                {"file_id": first, "attributes": {"n": 1}, "chunking_strategy": static},
                {"file_id": second, "attributes": {"n": 2}},
            ]
        },
    )
    store_api.wait_batch(store_id, batch["id"])
    files = {f["id"]: f for f in store_api.get(f"/vector_stores/{store_id}/files")["data"]}
    assert (files[first]["attributes"], files[second]["attributes"]) == ({"n": 1}, {"n": 2})
    assert files[first]["chunking_strategy"] == static
    assert files[second]["chunking_strategy"]["static"]["max_chunk_size_tokens"] == 800

    shared = store_api.post(
        f"/vector_stores/{store_id}/file_batches", {"file_ids": [first], "attributes": {"batch": "b"}}
    )
    store_api.wait_batch(store_id, shared["id"])
    assert store_api.get(f"/vector_stores/{store_id}/files/{first}")["attributes"] == {"batch": "b"}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "file_ids"),
        ({"file_ids": []}, "file_ids"),
        ({"file_ids": ["file-a", "file-a"]}, "file_ids[1]"),
        ({"file_ids": ["file-a"], "files": [{"file_id": "file-a"}]}, "files"),
        ({"files": [{"attributes": {}}]}, "files[0].file_id"),
    ],
)
def test_bad_batches_get_a_400(store_api, body, param):
    store_id = store_api.store(name="bad batches")["id"]
    assert store_api.error("POST", f"/vector_stores/{store_id}/file_batches", body)["param"] == param


def test_cancelling_a_batch_cancels_the_files_not_yet_indexed(store_api, sandbox):
    sandbox.index_seconds = 30
    store_id = store_api.store(name="cancel")["id"]
    ids = [store_api.upload(f"c{n}.txt", b"words") for n in range(3)]
    batch = store_api.post(f"/vector_stores/{store_id}/file_batches", {"file_ids": ids})
    path = f"/vector_stores/{store_id}/file_batches/{batch['id']}"
    cancelled = store_api.post(f"{path}/cancel")
    assert cancelled["status"] == "cancelled"
    assert cancelled["file_counts"] == {
        "in_progress": 0,
        "completed": 0,
        "failed": 0,
        "cancelled": 3,
        "total": 3,
    }
    assert store_api.get(path) == cancelled
    assert (
        store_api.get(f"/vector_stores/{store_id}")["status"] == "completed"
    )  # nothing is being indexed any more
    assert "status 'cancelled'" in store_api.error("POST", f"{path}/cancel")["message"]
    assert (
        store_api.error("GET", f"/vector_stores/{store_id}/file_batches/vsfb_none", status=404)["param"]
        == "batch_id"
    )


def test_unknown_files_and_stores_get_404(store_api):
    store_id = store_api.store(name="missing")["id"]
    error = store_api.error(
        "POST", f"/vector_stores/{store_id}/files", {"file_id": "file-nothing"}, status=404
    )
    assert (error["param"], error["message"]) == ("file_id", "No such File object: file-nothing")
    real = store_api.upload("real.txt", b"text")
    batch = store_api.error(
        "POST", f"/vector_stores/{store_id}/file_batches", {"file_ids": [real, "file-gone"]}, status=404
    )
    assert batch["param"] == "file_ids[1]"
    assert store_api.get(f"/vector_stores/{store_id}")["file_counts"]["total"] == 0  # nothing was added
    assert (
        store_api.error("POST", "/vector_stores", {"file_ids": ["file-gone"]}, status=404)["param"]
        == "file_ids[0]"
    )
    assert store_api.error("GET", f"/vector_stores/{store_id}/files/{real}", status=404)["param"] == "file_id"
    assert (
        store_api.error("POST", "/vector_stores/vs_none/files", {"file_id": real}, status=404)["param"]
        == "vector_store_id"
    )


def test_a_store_created_with_files_indexes_them(store_api):
    ids = [store_api.upload("a.txt", b"alpha"), store_api.upload("b.txt", b"beta")]
    created = store_api.store(name="with files", file_ids=ids)
    assert created["status"] == "in_progress" and created["file_counts"]["in_progress"] == 2
    done = store_api.wait_store(created["id"])
    assert done["status"] == "completed" and done["file_counts"]["completed"] == 2
    assert done["usage_bytes"] == len(b"alpha") + len(b"beta")


def test_removing_a_file_from_a_store_keeps_the_file_but_deleting_the_file_empties_the_stores(store_api):
    first, second = store_api.store(name="one")["id"], store_api.store(name="two")["id"]
    kept, deleted = store_api.upload("kept.txt", b"kept words"), store_api.upload("gone.txt", b"gone words")
    for store_id in (first, second):
        store_api.post(f"/vector_stores/{store_id}/file_batches", {"file_ids": [kept, deleted]})
        store_api.wait_store(store_id)

    removed = store_api.delete(f"/vector_stores/{first}/files/{kept}")
    assert removed == {"id": kept, "object": "vector_store.file.deleted", "deleted": True}
    assert store_api.get(f"/files/{kept}")["id"] == kept
    assert [f["id"] for f in store_api.get(f"/vector_stores/{first}/files")["data"]] == [deleted]

    store_api.delete(f"/files/{deleted}")
    assert store_api.get(f"/vector_stores/{first}/files")["data"] == []
    assert [f["id"] for f in store_api.get(f"/vector_stores/{second}/files")["data"]] == [kept]
    assert store_api.get(f"/vector_stores/{second}")["file_counts"]["total"] == 1
