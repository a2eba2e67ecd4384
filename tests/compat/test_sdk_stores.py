"""The official `openai` SDK against the sandbox: vector stores, files, batches, search, uploads.

The SDK parses each answer into its own types, so a field the sandbox names wrongly shows up
here; the requests it sent are checked against the spec too.
"""

from __future__ import annotations

import hashlib
import time

import openai
import pytest

# Every route these tests reach through the SDK -> the test (see test_sdk_coverage.py).
ROUTES = {
    "POST /vector_stores": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "GET /vector_stores": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "GET /vector_stores/{vector_store_id}": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "POST /vector_stores/{vector_store_id}": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "DELETE /vector_stores/{vector_store_id}": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "POST /vector_stores/{vector_store_id}/files": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "GET /vector_stores/{vector_store_id}/files": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "GET /vector_stores/{vector_store_id}/files/{file_id}": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "POST /vector_stores/{vector_store_id}/files/{file_id}": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "DELETE /vector_stores/{vector_store_id}/files/{file_id}": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "GET /vector_stores/{vector_store_id}/files/{file_id}/content": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "POST /vector_stores/{vector_store_id}/file_batches": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "GET /vector_stores/{vector_store_id}/file_batches/{batch_id}": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "GET /vector_stores/{vector_store_id}/file_batches/{batch_id}/files": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "POST /vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "POST /vector_stores/{vector_store_id}/search": "test_vector_stores_files_batches_and_search_through_the_sdk",
    "POST /uploads": "test_an_upload_in_parts_through_the_sdk",
    "POST /uploads/{upload_id}/parts": "test_an_upload_in_parts_through_the_sdk",
    "POST /uploads/{upload_id}/complete": "test_an_upload_in_parts_through_the_sdk",
    "POST /uploads/{upload_id}/cancel": "test_an_upload_in_parts_through_the_sdk",
}

DOCS = {
    "tea.txt": b"Green tea is steeped at 80 degrees for two minutes. Black tea takes boiling water.",
    "coffee.md": b"# Coffee\nEspresso is brewed under pressure in about thirty seconds.",
}


@pytest.fixture(autouse=True)
def _quick_indexing(sandbox):
    sandbox.index_seconds, before = 0.1, sandbox.index_seconds
    yield
    sandbox.index_seconds = before


def check_sent(sandbox, spec):
    """Every JSON body the SDK sent fits the spec's request schema."""
    for logged in sandbox.requests:
        sends_json = logged.headers.get("content-type", "").startswith("application/json")
        takes_body = "requestBody" in spec.operation(logged.method, logged.path)
        if logged.method == "POST" and sends_json and takes_body:
            spec.validate_request("POST", logged.path, logged.json())


def test_vector_stores_files_batches_and_search_through_the_sdk(sdk, sandbox, spec):
    file_ids = {
        name: sdk.files.create(file=(name, content, "text/plain"), purpose="assistants").id
        for name, content in DOCS.items()
    }
    store = sdk.vector_stores.create(name="drinks", metadata={"owner": "sdk"})
    assert (store.object, store.name, store.status, store.metadata) == (
        "vector_store",
        "drinks",
        "completed",
        {"owner": "sdk"},
    )
    assert store.file_counts.total == 0

    assert sdk.vector_stores.retrieve(store.id).id == store.id
    renamed = sdk.vector_stores.update(
        store.id, name="hot drinks", expires_after={"anchor": "last_active_at", "days": 2}
    )
    assert renamed.name == "hot drinks" and renamed.expires_at == renamed.last_active_at + 2 * 86400
    assert store.id in [s.id for s in sdk.vector_stores.list(limit=100)]

    tea = sdk.vector_stores.files.create(
        vector_store_id=store.id, file_id=file_ids["tea.txt"], attributes={"kind": "tea", "caffeine": 2}
    )
    assert (tea.object, tea.status, tea.attributes) == (
        "vector_store.file",
        "in_progress",
        {"kind": "tea", "caffeine": 2},
    )

    batch = sdk.vector_stores.file_batches.create(
        vector_store_id=store.id,
        file_ids=[file_ids["coffee.md"]],
        attributes={"kind": "coffee", "caffeine": 5},
    )
    assert batch.object == "vector_store.files_batch"
    deadline = time.monotonic() + 10
    while batch.status == "in_progress" and time.monotonic() < deadline:
        time.sleep(0.05)
        batch = sdk.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)
    assert batch.status == "completed" and batch.file_counts.completed == 1

    listed = sdk.vector_stores.files.list(vector_store_id=store.id)
    assert sorted(f.id for f in listed) == sorted(file_ids.values())
    assert {f.status for f in listed} == {"completed"}
    in_batch = sdk.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert [f.id for f in in_batch] == [file_ids["coffee.md"]]
    one = sdk.vector_stores.files.retrieve(file_ids["tea.txt"], vector_store_id=store.id)
    assert one.status == "completed" and one.attributes == {"kind": "tea", "caffeine": 2}
    parsed = sdk.vector_stores.files.content(file_ids["tea.txt"], vector_store_id=store.id)
    assert "Green tea is steeped" in "".join(part.text for part in parsed)

    results = sdk.vector_stores.search(store.id, query="how long is green tea steeped", max_num_results=5)
    hits = list(results)
    assert hits[0].filename == "tea.txt" and hits[0].attributes == {"kind": "tea", "caffeine": 2}
    assert 0 < hits[0].score <= 1 and "Green tea" in hits[0].content[0].text
    strong = sdk.vector_stores.search(
        store.id,
        query=["tea", "espresso"],
        filters={"type": "gte", "key": "caffeine", "value": 3},
        rewrite_query=True,
        ranking_options={"ranker": "auto", "score_threshold": 0.0},
    )
    assert [h.filename for h in strong] == ["coffee.md"]

    relabelled = sdk.vector_stores.files.update(
        file_ids["tea.txt"], vector_store_id=store.id, attributes={"kind": "green tea", "caffeine": 2}
    )
    assert relabelled.attributes == {"kind": "green tea", "caffeine": 2}
    removed = sdk.vector_stores.files.delete(file_ids["tea.txt"], vector_store_id=store.id)
    assert removed.deleted is True
    assert [f.id for f in sdk.vector_stores.files.list(vector_store_id=store.id)] == [file_ids["coffee.md"]]
    sandbox.index_seconds = 5.0  # a batch still indexing, to cancel
    pending = sdk.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=[file_ids["tea.txt"]])
    cancelled = sdk.vector_stores.file_batches.cancel(pending.id, vector_store_id=store.id)
    assert cancelled.status in {"cancelling", "cancelled"}

    assert sdk.vector_stores.delete(store.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        sdk.vector_stores.retrieve(store.id)
    check_sent(sandbox, spec)


def test_an_upload_in_parts_through_the_sdk(sdk, sandbox, spec):
    content = b"".join(b'{"prompt": "p%d", "completion": "c%d"}\n' % (n, n) for n in range(200))
    upload = sdk.uploads.create(
        bytes=len(content), filename="sdk.jsonl", mime_type="text/jsonl", purpose="fine-tune"
    )
    assert upload.status == "pending"
    half = len(content) // 2
    second = sdk.uploads.parts.create(upload.id, data=content[half:])
    first = sdk.uploads.parts.create(upload.id, data=content[:half])
    assert first.object == "upload.part" and first.upload_id == upload.id
    for logged in sandbox.requests_to(f"/uploads/{upload.id}/parts"):
        fields, files = logged.form()
        spec.validate_multipart("POST", logged.path, fields, files)

    done = sdk.uploads.complete(
        upload.id, part_ids=[first.id, second.id], md5=hashlib.md5(content).hexdigest()
    )
    assert done.status == "completed" and done.file.bytes == len(content)
    assert done.file.id in [f.id for f in sdk.files.list(purpose="fine-tune")]
    assert sdk.files.content(done.file.id).content == content

    again = sdk.uploads.create(bytes=4, filename="x.jsonl", mime_type="text/jsonl", purpose="batch")
    part = sdk.uploads.parts.create(again.id, data=b"{}\n\n")
    with pytest.raises(openai.BadRequestError, match="md5") as refused:
        sdk.uploads.complete(again.id, part_ids=[part.id], md5="0" * 32)
    assert refused.value.status_code == 400 and refused.value.param == "md5"
    stopped = sdk.uploads.cancel(again.id)
    assert stopped.status == "cancelled"
    check_sent(sandbox, spec)
