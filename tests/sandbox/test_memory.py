"""The sandbox's memory stays bounded: request bodies and replayable answers are kept up to a byte budget."""

from __future__ import annotations

import gc
import json
import tracemalloc

import httpx
import pytest

from openai_widgets.sandbox import Sandbox
from openai_widgets.sandbox._http import Request

from ..conftest import TEST_KEY

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
KiB = 1024


def echo_body(kilobytes: int) -> dict:
    """A completion whose prompt is echoed back: the request and its answer are both this big."""
    prompt = "abcdefghijklmnopqrstuvwxyz0123456789 " * (kilobytes * 1024 // 37)
    return {"model": "gpt-3.5-turbo-instruct", "prompt": prompt, "echo": True, "max_tokens": 5}


@pytest.fixture
def small():
    """A private sandbox with 100 KiB for logged bodies and 100 KiB for replays."""
    with Sandbox(log_bytes=100 * KiB, replay_bytes=100 * KiB) as server:
        yield server


@pytest.fixture
def http(small):
    with httpx.Client(base_url=small.base_url, headers=AUTH, timeout=30) as made:
        yield made


def test_the_log_drops_the_oldest_bodies_past_its_budget_and_says_so(small, http):
    for n in range(10):
        http.post("/models", content=json.dumps({"n": n, "pad": "x" * 30_000}))
    log = small.requests
    assert len(log) == 10  # every request is still listed
    assert log.body_bytes <= 100 * KiB
    kept = [r for r in log if not r.body_dropped]
    assert [r.json()["n"] for r in kept] == [7, 8, 9]
    assert log.body_bytes == sum(len(r.body) for r in kept)
    oldest = log[0]
    assert (oldest.method, oldest.path, oldest.status, oldest.body, oldest.body_dropped) == (
        "POST",
        "/models",
        404,
        b"",
        True,
    )
    assert oldest.body_size == len(json.dumps({"n": 0, "pad": "x" * 30_000}))
    with pytest.raises(
        ValueError, match=r"body of this POST /models request \(30019 bytes\) was dropped.*log_bytes"
    ):
        oldest.json()
    assert "30019 bytes, dropped" in repr(oldest)


def test_the_newest_body_is_kept_even_when_it_alone_is_over_the_budget(small, http):
    http.post("/models", content=b"a" * 1000)
    http.post("/models", content=b"b" * 300_000)
    assert small.requests[-1].body == b"b" * 300_000
    assert small.requests[0].body_dropped
    assert small.requests.body_bytes == 300_000
    small.clear_requests()
    assert (list(small.requests), small.requests.body_bytes) == ([], 0)


def replayed(response) -> bool:
    return response.headers.get("idempotent-replayed") == "true"


def test_the_replay_cache_drops_the_oldest_answers_past_its_budget(small, http):
    body = echo_body(30)  # answers of about 31 KB: three fit in 100 KiB
    first = {}
    for n in range(6):
        answer = http.post("/completions", json=body, headers={"Idempotency-Key": f"key-{n}"})
        assert answer.status_code == 200 and not replayed(answer)
        first[n] = answer.json()["id"]
        assert small.replays.bytes <= 100 * KiB
    assert len(small.replays) == 3
    again = http.post("/completions", json=body, headers={"Idempotency-Key": "key-5"})
    assert replayed(again) and again.json()["id"] == first[5]  # the same answer, not a second run
    forgotten = http.post("/completions", json=body, headers={"Idempotency-Key": "key-0"})
    assert not replayed(forgotten) and forgotten.json()["id"] != first[0]


def test_an_answer_larger_than_the_whole_budget_is_not_kept(small, http):
    answer = http.post("/completions", json=echo_body(120), headers={"Idempotency-Key": "big"})
    assert answer.status_code == 200 and len(answer.content) > 100 * KiB
    assert (len(small.replays), small.replays.bytes) == (0, 0)
    again = http.post("/completions", json=echo_body(120), headers={"Idempotency-Key": "big"})
    assert not replayed(again)


def test_memory_stays_bounded_under_many_large_requests():
    """16 requests and 16 answers of 256 KB each: 8 MB if all were kept, about 1 MB within the budgets."""
    body = echo_body(256)
    tracemalloc.start()
    try:
        with (
            Sandbox(log_bytes=512 * KiB, replay_bytes=512 * KiB) as server,
            httpx.Client(base_url=server.base_url, headers=AUTH, timeout=30) as http,
        ):
            http.post("/completions", json=body, headers={"Idempotency-Key": "warm-up"})
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            for n in range(16):
                answer = http.post("/completions", json=body, headers={"Idempotency-Key": f"key-{n}"})
                assert answer.status_code == 200
                assert server.replays.bytes <= 512 * KiB
                assert server.requests.body_bytes <= 512 * KiB
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 3 * 1024 * KiB, f"memory grew by {grown / 1e6:.1f} MB"


def test_reprs_of_the_log_mask_the_key_and_leave_out_bodies(sandbox):
    httpx.post(f"{sandbox.base_url}/models", headers={**AUTH, "api-key": TEST_KEY}, content=b"z" * 50_000)
    logged = sandbox.requests[-1]
    assert logged.headers["authorization"] == f"Bearer {TEST_KEY}"  # tests can still read it
    for shown in (repr(logged), str(logged), repr(sandbox.requests), str(list(sandbox.requests))):
        assert TEST_KEY not in shown and TEST_KEY[-8:] not in shown
        assert "'authorization': 'Bearer ***'" in shown and "'api-key': '***'" in shown
        assert "<50000 bytes>" in shown and "zzzz" not in shown
    request = Request("POST", "/x", {}, {"authorization": f"Bearer {TEST_KEY}"}, b"secret body")
    assert TEST_KEY not in repr(request) and "secret body" not in repr(request)


def test_sixty_full_embedding_batches_stay_within_the_default_budgets():
    """The reproduction that grew an unbounded sandbox from 30 to 1234 MB: 60 requests of 2048 inputs
    at 1536 dimensions (16 MB answers), each with its own idempotency key. With the default budgets
    (64 MiB of logged bodies, 64 MiB of replayable answers) memory levels off after a few requests."""
    texts = [f"text {n}" for n in range(2048)]
    body = {"model": "text-embedding-3-small", "input": texts, "encoding_format": "base64"}
    held = []
    tracemalloc.start()
    try:
        with (
            Sandbox() as server,
            httpx.Client(base_url=server.base_url, headers=AUTH, timeout=120) as http,
        ):
            for n in range(60):
                answer = http.post("/embeddings", json=body, headers={"Idempotency-Key": f"batch-{n}"})
                assert answer.status_code == 200 and len(answer.json()["data"]) == 2048
                assert (
                    server.replays.bytes <= 64 * 1024 * KiB and server.requests.body_bytes <= 64 * 1024 * KiB
                )
                if n in (9, 59):
                    answer = None
                    gc.collect()
                    held.append(tracemalloc.get_traced_memory()[0])
            assert len(server.requests) == 60  # every request is still listed
    finally:
        tracemalloc.stop()
    after_ten, after_sixty = held
    assert after_sixty < 200 * 1024 * KiB, f"{after_sixty / 1e6:.0f} MB held after 60 requests"
    assert after_sixty - after_ten < 8 * 1024 * KiB, f"grew {(after_sixty - after_ten) / 1e6:.0f} MB"
