"""Hostile answers a client must survive: nonsense rate-limit headers and bodies that trickle in."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from ..conftest import TEST_KEY

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
EMBEDDING = {"model": "text-embedding-3-small", "input": "hello", "dimensions": 4}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": True}


def post(sandbox, path, body, **headers):
    return httpx.post(f"{sandbox.base_url}{path}", json=body, headers={**AUTH, **headers}, timeout=10)


# -- headers, verbatim -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"retry_after": "nan"}, {"retry-after": "nan"}),
        ({"retry_after_ms": "nan"}, {"retry-after-ms": "nan"}),
        ({"retry_after": float("nan"), "retry_after_ms": -5}, {"retry-after": "nan", "retry-after-ms": "-5"}),
        ({"retry_after": "1e3"}, {"retry-after": "1e3"}),
        ({"retry_after": ""}, {"retry-after": ""}),
        (
            {
                "headers": {
                    "x-ratelimit-remaining-requests": "-1000000",
                    "x-ratelimit-limit-requests": "0.001",
                }
            },
            {"x-ratelimit-remaining-requests": "-1000000", "x-ratelimit-limit-requests": "0.001"},
        ),
        (
            {"retry_after": 2, "headers": {"Retry-After": "soon", "x-ratelimit-limit-tokens": 1}},
            {"retry-after": "soon", "x-ratelimit-limit-tokens": "1"},  # the given headers win
        ),
    ],
)
def test_an_error_status_carries_any_header_verbatim(sandbox, params, expected):
    sandbox.inject("status", path="/embeddings", status=429, **params)
    response = post(sandbox, "/embeddings", EMBEDDING)
    assert response.status_code == 429
    assert response.json()["error"]["type"] == "requests"
    assert {name: response.headers.get(name) for name in expected} == expected
    assert sandbox.requests_to("/embeddings")[-1].fault == "status"


def test_a_successful_answer_carries_rate_limit_headers_that_make_no_sense(sandbox):
    """Nothing left, a reset an hour away, and no limit header at all."""
    sandbox.inject(
        "headers",
        path="/embeddings",
        headers={"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1h"},
    )
    response = post(sandbox, "/embeddings", EMBEDDING)
    assert response.status_code == 200
    assert len(response.json()["data"][0]["embedding"]) == 4  # the answer itself is untouched
    assert response.headers["x-ratelimit-remaining-requests"] == "0"
    assert response.headers["x-ratelimit-reset-requests"] == "1h"
    assert "x-ratelimit-limit-requests" not in response.headers
    assert (
        post(sandbox, "/embeddings", EMBEDDING).headers.get("x-ratelimit-reset-requests") is None
    )  # one-shot


def test_none_removes_a_header_the_sandbox_would_send(sandbox):
    sandbox.configure(rpm=6000)
    plain = post(sandbox, "/embeddings", EMBEDDING)
    assert plain.headers["x-ratelimit-limit-requests"] == "6000"
    sandbox.inject(
        "headers",
        headers={"x-ratelimit-limit-requests": None, "x-ratelimit-remaining-requests": "-1000000"},
    )
    odd = post(sandbox, "/embeddings", EMBEDDING)
    assert "x-ratelimit-limit-requests" not in odd.headers
    assert odd.headers["x-ratelimit-remaining-requests"] == "-1000000"
    assert odd.headers["x-ratelimit-reset-requests"]  # the rest of the sandbox's own stay


def test_headers_ride_along_with_every_other_kind(sandbox):
    sandbox.inject("html", status=503, headers={"retry-after": "nan"})
    page = httpx.get(f"{sandbox.base_url}/models", headers=AUTH)
    assert (page.status_code, page.headers["retry-after"]) == (503, "nan")
    assert "x-request-id" not in page.headers  # a proxy's page has none of OpenAI's headers
    sandbox.inject("extra_field", headers={"x-ratelimit-limit-tokens": "1"})
    answer = httpx.get(f"{sandbox.base_url}/models", headers=AUTH)
    assert "sandbox_extra" in answer.json() and answer.headers["x-ratelimit-limit-tokens"] == "1"
    stream = post(
        sandbox, "/chat/completions", CHAT, **{"X-Sandbox-Fault": "headers;headers.retry-after-ms=nan"}
    )
    assert stream.headers["retry-after-ms"] == "nan" and stream.text.endswith("data: [DONE]\n\n")


def test_the_fault_header_sends_response_headers_as_written(sandbox):
    fault = "status;status=429;retry_after=nan;headers.x-ratelimit-limit-tokens=1;headers.x-ratelimit-limit-requests=0.001"
    response = post(sandbox, "/embeddings", EMBEDDING, **{"X-Sandbox-Fault": fault})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "nan"
    assert response.headers["x-ratelimit-limit-tokens"] == "1"
    assert response.headers["x-ratelimit-limit-requests"] == "0.001"


# -- trickling bodies ----------------------------------------------------------------------------


def arrivals(sandbox, method, path, body=None, **headers):
    """(seconds since the headers came, bytes) for each read of the body, and the whole body."""
    pieces = []
    with httpx.stream(
        method, f"{sandbox.base_url}{path}", json=body, headers={**AUTH, **headers}, timeout=5
    ) as response:
        started = time.monotonic()
        for piece in response.iter_raw():
            pieces.append((time.monotonic() - started, piece))
    return pieces, b"".join(piece for _, piece in pieces), response


def test_a_json_answer_trickles_in_a_few_bytes_at_a_time(sandbox):
    whole = httpx.get(f"{sandbox.base_url}/models/gpt-4o", headers=AUTH).content
    sandbox.inject("trickle", path="/models/gpt-4o", bytes=8, interval=0.05)
    pieces, body, response = arrivals(sandbox, "GET", "/models/gpt-4o")
    assert response.status_code == 200 and body == whole and json.loads(body)["id"] == "gpt-4o"
    assert int(response.headers["content-length"]) == len(whole)
    sends = -(-len(whole) // 8)
    assert pieces[-1][0] >= 0.05 * (sends - 1) * 0.9  # spread over the whole time, not sent at once
    assert max(len(piece) for _, piece in pieces) < len(whole)
    assert sum(len(piece) <= 8 for _, piece in pieces) >= sends // 2  # most arrive alone


def test_a_trickle_outlasts_a_read_timeout_that_each_byte_beats(sandbox):
    """Each read waits 0.1 s, well under the 0.5 s read timeout, yet the whole body takes over 1 s."""
    sandbox.inject("trickle", path="/models/gpt-4o", bytes=4, interval=0.1)
    started = time.monotonic()
    response = httpx.get(f"{sandbox.base_url}/models/gpt-4o", headers=AUTH, timeout=httpx.Timeout(0.5))
    assert response.status_code == 200 and response.json()["id"] == "gpt-4o"
    assert time.monotonic() - started > 1.0


def test_a_stream_trickles_too_and_still_carries_every_event(sandbox, spec):
    whole = post(sandbox, "/chat/completions", CHAT).text
    sandbox.inject("trickle", path="/chat/completions", bytes=16, interval=0.005)
    pieces, body, response = arrivals(sandbox, "POST", "/chat/completions", CHAT)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in body.decode().split("\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    for event in events[:-1]:
        spec.validate_schema("CreateChatCompletionStreamResponse", json.loads(event))
    assert len(events) == whole.count("data: ")
    assert len(pieces) >= len(body) // 16 // 2  # many small reads, not one per event
    assert sandbox.requests_to("/chat/completions")[-1].stream_completed is True
