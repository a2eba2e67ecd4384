"""The Batch API: the sandbox's /batches, batch() round trips, splitting, embed(batch=True), cancel."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets.bulk import batch_api as batches_api
from openai_widgets.bulk import embedding_job as _embedding_job
from openai_widgets.sandbox._http import ApiError
from openai_widgets.sandbox.routes import embeddings as embeddings_route

MODEL = "text-embedding-3-small"
FAST = {"poll_interval": 0.05, "progress": False}


def upload(client, lines) -> str:
    content = "".join(json.dumps(line) + "\n" for line in lines).encode()
    response = client._post_multipart(
        "files", {"purpose": "batch"}, [("file", ("in.jsonl", content, "application/jsonl"))]
    )
    return response.json()["id"]


def line(custom_id, text, url="/v1/embeddings"):
    return {"custom_id": custom_id, "method": "POST", "url": url, "body": {"input": text, "model": MODEL}}


def wait_until(client, batch_id, statuses=("completed", "failed", "cancelled")):
    for _ in range(100):
        record = client.batch_job(batch_id)
        if record["status"] in statuses:
            return record
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} stayed {record['status']}")


def file_lines(client, file_id):
    return [json.loads(x) for x in client._request("GET", f"files/{file_id}/content").content.splitlines()]


# -- the sandbox's /batches --------------------------------------------------------------


def test_a_sandbox_batch_runs_its_lines_through_the_embeddings_route(client, sandbox, spec):
    file_id = upload(client, [line("a", "hello"), line("b", ""), line("c", "world")])
    body = {"input_file_id": file_id, "endpoint": "/v1/embeddings", "completion_window": "24h"}
    spec.validate_request("POST", "/batches", body)
    created = client.request("POST", "batches", body=body)
    spec.validate_response("POST", "/batches", dict(created))
    assert created["status"] == "validating"
    assert created["id"].startswith("batch_")
    assert created["model"] == MODEL

    done = wait_until(client, created["id"])
    spec.validate_response("GET", f"/batches/{created['id']}", dict(done))
    assert done["status"] == "completed"
    assert done["request_counts"] == {"total": 3, "completed": 2, "failed": 1}
    assert {"in_progress_at", "finalizing_at", "completed_at"} <= set(done)
    output = file_lines(client, done["output_file_id"])
    assert [row["custom_id"] for row in output] == ["a", "c"]
    assert output[0]["response"]["status_code"] == 200
    spec.validate_response("POST", "/embeddings", output[0]["response"]["body"])
    (failed,) = file_lines(client, done["error_file_id"])
    assert failed["custom_id"] == "b"
    assert failed["response"]["status_code"] == 400
    assert "input" in failed["response"]["body"]["error"]["message"]

    listed = client.request("GET", "batches")
    spec.validate_response("GET", "/batches", dict(listed))
    assert listed["data"][0]["id"] == created["id"]


def test_status_and_counts_follow_the_clock(client, sandbox):
    sandbox.batch_seconds = 1.0
    try:
        created = client.request(
            "POST",
            "batches",
            body={
                "input_file_id": upload(client, [line(str(i), f"t{i}") for i in range(10)]),
                "endpoint": "/v1/embeddings",
                "completion_window": "24h",
            },
        )
        time.sleep(0.45)
        middle = client.batch_job(created["id"])
        assert middle["status"] == "in_progress"
        assert 0 < middle["request_counts"]["completed"] < 10
        assert "output_file_id" not in middle
    finally:
        sandbox.batch_seconds = 0.3


def test_bad_lines_fail_the_batch_with_errors(client, sandbox, spec):
    bad = [
        line("a", "x"),
        line("a", "y"),
        {"custom_id": "c", "method": "GET", "url": "/v1/embeddings", "body": {}},
    ]
    created = client.request(
        "POST",
        "batches",
        body={"input_file_id": upload(client, bad), "endpoint": "/v1/embeddings", "completion_window": "24h"},
    )
    done = wait_until(client, created["id"])
    spec.validate_response("GET", f"/batches/{done['id']}", dict(done))
    assert done["status"] == "failed"
    assert [(e["line"], "used more than once" in e["message"]) for e in done["errors"]["data"]] == [
        (2, True),
        (3, False),
    ]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"endpoint": "/v1/embeddings", "completion_window": "24h"}, 400, "input_file_id"),
        (
            {"input_file_id": "file-nope", "endpoint": "/v1/embeddings", "completion_window": "24h"},
            404,
            "No such File",
        ),
        ({"input_file_id": "FILE", "endpoint": "/v1/nothing", "completion_window": "24h"}, 400, "endpoint"),
        ({"input_file_id": "FILE", "endpoint": "/v1/embeddings", "completion_window": "1h"}, 400, "24h"),
    ],
)
def test_bad_batch_requests_get_openai_style_errors(client, sandbox, body, status, words):
    if body.get("input_file_id") == "FILE":
        body["input_file_id"] = upload(client, [line("a", "x")])
    with pytest.raises(ow.APIStatusError) as info:
        client.request("POST", "batches", body=body)
    assert info.value.status_code == status
    assert words in str(info.value)


def test_a_file_of_another_purpose_is_refused(client, sandbox):
    response = client._post_multipart(
        "files", {"purpose": "user_data"}, [("file", ("x.jsonl", b"{}\n", "application/jsonl"))]
    )
    with pytest.raises(ow.BadRequestError, match="purpose 'batch'"):
        client.request(
            "POST",
            "batches",
            body={
                "input_file_id": response.json()["id"],
                "endpoint": "/v1/embeddings",
                "completion_window": "24h",
            },
        )


# -- batch() ---------------------------------------------------------------------------------


def test_batch_round_trip_keeps_input_order_and_reports_failed_rows(client, sandbox, spec):
    requests = pd.Series(
        [
            {"input": "first", "model": MODEL},
            {"input": "", "model": MODEL},
            {"input": "third", "model": MODEL},
        ],
        index=["x", "y", "z"],
    )
    frame = client.batch(requests, "embeddings", **FAST)
    assert list(frame.index) == ["x", "y", "z"]
    assert list(frame.columns) == ["custom_id", "status_code", "response", "error"]
    assert list(frame["custom_id"]) == ["request-0", "request-1", "request-2"]
    assert frame["status_code"].tolist() == [200, 400, 200]
    assert str(frame["status_code"].dtype) == "Int64"
    assert frame["error"].iloc[0] is None
    assert frame["error"].iloc[1].startswith("400: ")
    spec.validate_response("POST", "/embeddings", frame["response"].iloc[2])
    assert frame.attrs["endpoint"] == "/v1/embeddings"
    assert len(frame.attrs["batch_ids"]) == 1

    (uploaded,) = sandbox.requests_to("/files", "POST")
    fields, files = uploaded.form()
    assert fields == {"purpose": "batch"}
    assert files["file"][0].filename.endswith(".jsonl")
    spec.validate_multipart("POST", "/files", fields, files)
    sent = [json.loads(x) for x in files["file"][0].content.splitlines()]
    assert sent[0] == {
        "custom_id": "request-0",
        "method": "POST",
        "url": "/v1/embeddings",
        "body": requests["x"],
    }
    (create,) = sandbox.requests_to("/batches", "POST")
    assert create.json()["completion_window"] == "24h"
    spec.validate_request("POST", "/batches", create.json())


def test_full_lines_keep_their_custom_ids(client, sandbox):
    lines = [line("second-row", "b"), line("first-row", "a")]
    frame = client.batch(lines, "/v1/embeddings", **FAST)
    assert list(frame["custom_id"]) == ["second-row", "first-row"]
    assert frame["status_code"].tolist() == [200, 200]


@pytest.mark.parametrize(
    ("requests", "endpoint", "error", "words"),
    [
        ([], "/v1/embeddings", ow.InvalidInputError, "requests is empty"),
        ("text", "/v1/embeddings", ow.InvalidTypeError, "list of request bodies"),
        (
            ["text"],
            "/v1/embeddings",
            ow.InvalidTypeError,
            "request 0 must be a dict \\(a request body\\), not str",
        ),
        ([{"input": "a"}], "/v1/nope", ow.InvalidInputError, "does not run"),
        ([line("a", "x"), line("a", "y")], "/v1/embeddings", ow.InvalidInputError, "repeats custom_id 'a'"),
        (
            [line("a", "x", url="/v1/moderations")],
            "/v1/embeddings",
            ow.InvalidInputError,
            "is for '/v1/moderations'",
        ),
        ([{"body": {}}], "/v1/embeddings", ow.InvalidInputError, "no custom_id"),
    ],
)
def test_bad_batch_inputs_are_refused_before_uploading(client, sandbox, requests, endpoint, error, words):
    with pytest.raises(error, match=words):
        client.batch(requests, endpoint)
    assert not sandbox.requests_to("/files")


def test_inputs_over_the_limits_go_in_several_batches(client, sandbox, monkeypatch):
    monkeypatch.setattr(batches_api, "MAX_REQUESTS", 2)
    frame = client.batch([{"input": f"t{i}", "model": MODEL} for i in range(5)], "/v1/embeddings", **FAST)
    assert len(frame.attrs["batch_ids"]) == 3
    assert len(sandbox.requests_to("/batches", "POST")) == 3
    assert list(frame["custom_id"]) == [f"request-{i}" for i in range(5)]
    assert frame["status_code"].tolist() == [200] * 5


def test_files_are_split_by_size_and_weight():
    lines = [
        {"custom_id": str(i), "method": "POST", "url": "/v1/embeddings", "body": {"input": "x" * 100}}
        for i in range(6)
    ]
    size = len(json.dumps(lines[0], separators=(",", ":")).encode()) + 1
    plans = batches_api.split_lines(lines, max_bytes=2 * size)
    assert [p.custom_ids for p in plans] == [["0", "1"], ["2", "3"], ["4", "5"]]
    plans = batches_api.split_lines(lines, weights=[3, 3, 3, 1, 1, 1], max_weight=6)
    assert [p.custom_ids for p in plans] == [["0", "1"], ["2", "3", "4", "5"]]
    with pytest.raises(ow.InvalidInputError, match="alone is over"):
        batches_api.split_lines(lines, max_bytes=10)


def test_wait_false_returns_the_batches_and_batch_results_collects_them_later(client, sandbox):
    records = client.batch(
        [{"input": "later", "model": MODEL}, {"input": "", "model": MODEL}], "/v1/embeddings", wait=False
    )
    assert isinstance(records[0], ow.Record)
    assert records[0]["status"] == "validating"
    pending = client.batch_results(records, wait=False)
    assert pending["error"].iloc[0].startswith("pending: batch")
    frame = client.batch_results(records[0]["id"], **FAST)
    assert list(frame["custom_id"]) == ["request-0", "request-1"]
    assert frame["status_code"].tolist() == [200, 400]


def test_an_interrupt_while_waiting_says_how_to_collect_later(client, sandbox, monkeypatch):
    def interrupt(seconds):
        raise KeyboardInterrupt

    client.sleep = interrupt
    with pytest.raises(KeyboardInterrupt) as info:
        client.batch([{"input": "x", "model": MODEL}], "/v1/embeddings", progress=False)
    assert isinstance(info.value, ow.BulkInterrupted)
    assert "ow.batch_results(['batch_" in str(info.value)
    assert "keep running on the server" in str(info.value)


def test_batches_lists_and_cancel_batch_stops(client, sandbox, spec):
    sandbox.batch_seconds = 5.0
    try:
        (record,) = client.batch(
            [{"input": f"c{i}", "model": MODEL} for i in range(4)], "/v1/embeddings", wait=False
        )
        cancelled = client.cancel_batch(record["id"])
        spec.validate_response("POST", f"/batches/{record['id']}/cancel", dict(cancelled))
        assert cancelled["status"] == "cancelling"
        assert client.batch_job(record["id"])["status"] == "cancelled"
        with pytest.raises(ow.BadRequestError, match="status 'cancelled'"):
            client.cancel_batch(record["id"])
    finally:
        sandbox.batch_seconds = 0.3
    frame = client.batches()
    assert list(frame.columns[:11]) == [
        "id",
        "status",
        "endpoint",
        "created_at",
        "completed_at",
        "total",
        "completed",
        "failed",
        "input_file_id",
        "output_file_id",
        "error_file_id",
    ]
    row = frame[frame["id"] == record["id"]].iloc[0]
    assert row["status"] == "cancelled"
    assert row["total"] == 4
    assert isinstance(frame["created_at"].dtype, pd.DatetimeTZDtype)
    assert str(frame["total"].dtype) == "Int64"
    results = client.batch_results(record["id"], **FAST)
    assert results["error"].str.contains("ended cancelled").all()


def test_the_batch_list_is_a_frame_even_when_empty(client, sandbox, monkeypatch):
    monkeypatch.setattr(sandbox.state, "batches", {})
    frame = client.batches()
    assert len(frame) == 0
    assert "status" in frame.columns
    assert "total" in frame.columns


# -- embed(batch=True) --------------------------------------------------------------------------


def test_embed_through_the_batch_api_matches_the_direct_way(client, sandbox, monkeypatch):
    monkeypatch.setattr(_embedding_job, "MAX_REQUEST_INPUTS", 4)
    monkeypatch.setattr(batches_api, "MAX_EMBEDDING_INPUTS", 8)
    texts = pd.Series([f"batched {i}" for i in range(18)], index=range(100, 118))
    frame = client.embed(texts, dimensions=16, batch=True, **FAST)
    assert list(frame.index) == list(range(100, 118))
    assert list(frame["input"]) == list(texts)
    assert len(sandbox.requests_to("/batches", "POST")) == 3  # 5 requests of up to 4 inputs, 8 inputs a batch
    direct = client.embed(texts, dimensions=16)
    assert np.allclose(ow.as_matrix(frame), ow.as_matrix(direct))
    assert frame.attrs["usage"]["total_tokens"] == direct.attrs["usage"]["total_tokens"]


def test_failed_batch_lines_are_reported_and_resume_finishes_them(client, sandbox, monkeypatch):
    monkeypatch.setattr(_embedding_job, "MAX_REQUEST_INPUTS", 2)
    original = embeddings_route.embed

    def refusing(items, model, width):
        if "poison" in items:
            raise ApiError(500, "the sandbox refuses this one")
        return original(items, model, width)

    monkeypatch.setattr(embeddings_route, "embed", refusing)
    texts = ["a", "b", "poison", "c", "d"]
    with pytest.raises(ow.BulkError) as info:
        client.embed(texts, dimensions=8, batch=True, **FAST)
    assert "1 of 3 batch requests failed" in str(info.value)
    assert "refuses this one" in str(info.value)
    partial = info.value.partial
    assert list(partial["input"]) == ["a", "b", "d"]
    assert list(partial.index) == [0, 1, 4]
    monkeypatch.setattr(embeddings_route, "embed", original)
    sandbox.clear_requests()
    frame = client.embed(texts, dimensions=8, resume=True)
    assert [r.json()["input"] for r in sandbox.requests_to("/embeddings")] == [["poison", "c"]]
    assert list(frame["input"]) == texts
