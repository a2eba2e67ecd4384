"""The sandbox over real HTTP: auth, OpenAI-shaped answers (checked against the spec), faults, limits."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import jsonschema
import pytest

from openai_widgets.sandbox import Sandbox
from tests.conftest import TEST_KEY

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}


def get(sandbox, path, **kwargs):
    headers = {**AUTH, **kwargs.pop("headers", {})}
    return httpx.get(f"{sandbox.base_url}{path}", headers=headers, **kwargs)


def test_requests_without_a_bearer_key_get_401(sandbox):
    response = httpx.get(f"{sandbox.base_url}/models")
    assert response.status_code == 401
    assert "You didn't provide an API key" in response.json()["error"]["message"]
    assert response.headers["x-request-id"].startswith("req_")


def test_only_listed_keys_are_accepted_when_given(sandbox):
    sandbox.api_keys = {"sk-the-one-good-key"}
    response = get(sandbox, "/models")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "invalid_api_key"
    assert TEST_KEY not in response.text and TEST_KEY[-4:] in error["message"]
    assert get(sandbox, "/models", headers={"Authorization": "Bearer sk-the-one-good-key"}).status_code == 200


def test_unknown_paths_get_openai_style_404(sandbox):
    response = get(sandbox, "/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid URL (GET /v1/nothing/here)"


def test_models_answers_fit_the_spec(sandbox, spec):
    listing = get(sandbox, "/models").json()
    spec.validate_response("GET", "/models", listing)
    ids = [m["id"] for m in listing["data"]]
    assert {"gpt-4o-mini", "text-embedding-3-small", "dall-e-3", "whisper-1"} <= set(ids)
    one = get(sandbox, "/models/gpt-4o-mini").json()
    spec.validate_response("GET", "/models/gpt-4o-mini", one)
    missing = get(sandbox, "/models/gpt-99")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"


def test_the_spec_validator_really_rejects_wrong_shapes(spec):
    """A green run means something only if a wrong answer fails."""
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_response("GET", "/models", {"object": "list", "data": [{"id": 1}]})
    with pytest.raises(jsonschema.ValidationError):
        spec.validate_request("POST", "/chat/completions", {"model": "gpt-4o", "messages": "hi"})


def test_files_round_trip_fits_the_spec(sandbox, spec):
    files = {"file": ("train.jsonl", b'{"a": 1}\n', "application/jsonl")}
    created = httpx.post(f"{sandbox.base_url}/files", headers=AUTH, data={"purpose": "batch"}, files=files)
    assert created.status_code == 200, created.text
    record = created.json()
    spec.validate_response("POST", "/files", record)
    logged = sandbox.requests_to("/files", "POST")[-1]
    fields, parts = logged.form()
    spec.validate_multipart("POST", "/files", fields, parts)
    assert (record["bytes"], record["purpose"], record["filename"]) == (9, "batch", "train.jsonl")
    spec.validate_response("GET", "/files", get(sandbox, "/files").json())
    spec.validate_response("GET", "/files/x", get(sandbox, f"/files/{record['id']}").json())
    assert get(sandbox, f"/files/{record['id']}/content").content == b'{"a": 1}\n'
    deleted = httpx.delete(f"{sandbox.base_url}/files/{record['id']}", headers=AUTH).json()
    spec.validate_response("DELETE", "/files/x", deleted)
    assert get(sandbox, f"/files/{record['id']}").status_code == 404


def test_file_lists_paginate_with_after_and_limit(sandbox):
    ids = []
    for i in range(5):
        files = {"file": (f"f{i}.txt", b"x", "text/plain")}
        ids.append(
            httpx.post(
                f"{sandbox.base_url}/files", headers=AUTH, data={"purpose": "user_data"}, files=files
            ).json()["id"]
        )
    everything = get(sandbox, "/files", params={"purpose": "user_data", "order": "asc"}).json()["data"]
    assert [f["id"] for f in everything][-5:] == ids  # other tests' files come first
    pages, after = [], None
    while True:
        page = get(
            sandbox,
            "/files",
            params={
                "purpose": "user_data",
                "limit": 2,
                "order": "asc",
                **({"after": after} if after else {}),
            },
        ).json()
        pages.append(page)
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert all(len(p["data"]) == 2 for p in pages[:-1])
    assert [f["id"] for p in pages for f in p["data"]] == [f["id"] for f in everything]


def test_bad_requests_get_openai_style_400(sandbox):
    response = httpx.post(
        f"{sandbox.base_url}/files",
        headers=AUTH,
        data={"purpose": "nonsense"},
        files={"file": ("a.txt", b"x", "text/plain")},
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "purpose"


def test_every_request_is_logged_with_its_body(sandbox):
    httpx.post(f"{sandbox.base_url}/models", headers=AUTH, json={"x": 1})
    logged = sandbox.requests[-1]
    assert (logged.method, logged.path, logged.json(), logged.status) == ("POST", "/models", {"x": 1}, 404)
    assert logged.headers["authorization"] == f"Bearer {TEST_KEY}"


# -- faults -------------------------------------------------------------------------------


def test_status_fault_with_retry_after_headers(sandbox):
    sandbox.inject("status", status=429, retry_after=3, retry_after_ms=2500, times=1, path="/models")
    response = get(sandbox, "/models")
    assert response.status_code == 429
    assert (response.headers["retry-after"], response.headers["retry-after-ms"]) == ("3", "2500")
    assert get(sandbox, "/models").status_code == 200  # one-shot


def test_retry_after_as_an_http_date(sandbox):
    sandbox.inject("status", status=503, retry_after_date=5)
    response = get(sandbox, "/models")
    assert response.status_code == 503 and response.headers["retry-after"].endswith("GMT")


def test_faults_only_hit_their_path(sandbox):
    sandbox.inject("status", status=500, path="/files")
    assert get(sandbox, "/models").status_code == 200
    assert get(sandbox, "/files").status_code == 500


def test_html_fault_looks_like_a_proxy(sandbox):
    sandbox.inject("html", status=504)
    response = get(sandbox, "/models")
    assert response.status_code == 504 and "<title>504 Bad Gateway</title>" in response.text


def test_drop_and_reset_faults_break_the_connection(sandbox):
    sandbox.inject("drop")
    with pytest.raises(httpx.TransportError):
        get(sandbox, "/models")
    sandbox.inject("reset")
    with pytest.raises(httpx.TransportError):
        get(sandbox, "/models")


def test_malformed_fault_truncates_the_json(sandbox):
    sandbox.inject("malformed")
    response = get(sandbox, "/models")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_extra_and_missing_field_faults(sandbox):
    sandbox.inject("extra_field")
    body = get(sandbox, "/models").json()
    assert "sandbox_extra" in body and all("sandbox_extra" in m for m in body["data"])
    sandbox.inject("missing_optional", fields="owned_by")
    assert all("owned_by" not in m for m in get(sandbox, "/models").json()["data"])


def test_latency_fault_and_header_driven_faults(sandbox):
    started = time.monotonic()
    assert get(sandbox, "/models", headers={"X-Sandbox-Fault": "latency;seconds=0.3"}).status_code == 200
    assert time.monotonic() - started >= 0.3
    response = get(sandbox, "/models", headers={"X-Sandbox-Fault": "status;status=502"})
    assert response.status_code == 502


def test_unknown_fault_kinds_are_refused(sandbox):
    with pytest.raises(ValueError, match="unknown fault kind"):
        sandbox.inject("gremlins")


def test_error_rates_are_deterministic_per_seed():
    def statuses():
        with Sandbox(error_rates={500: 0.5}, seed=7) as server:
            return [get(server, "/models").status_code for _ in range(12)]

    first = statuses()
    assert first == statuses() and {200, 500} == set(first)


def test_requests_per_minute_limit_answers_429_with_retry_after(sandbox):
    sandbox.configure(rpm=60)  # one a second, bursts of one
    assert get(sandbox, "/models").status_code == 200
    refused = get(sandbox, "/models")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after-ms"]) <= 1000
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused.headers["x-ratelimit-limit-requests"] == "60"
    time.sleep(int(refused.headers["retry-after-ms"]) / 1000)
    assert get(sandbox, "/models").status_code == 200


def test_tokens_per_minute_bucket_refuses_and_says_when():
    from openai_widgets.sandbox._faults import FaultSettings, RateLimiter

    settings = FaultSettings(tpm=6000)  # 100 tokens a second, a second's worth at once
    limiter = RateLimiter()
    assert limiter.take(settings, 50)[0] == 0
    wait, headers = limiter.take(settings, 60)  # 50 left: refused, nothing taken
    assert wait == pytest.approx(0.1, abs=0.02)
    assert headers["x-ratelimit-limit-tokens"] == "6000"
    assert int(headers["x-ratelimit-remaining-tokens"]) in (50, 51)
    time.sleep(wait + 0.01)
    assert limiter.take(settings, 60)[0] == 0


def test_token_estimate_counts_inputs_messages_and_max_tokens():
    from openai_widgets.sandbox._http import Request
    from openai_widgets.sandbox._server import _estimate_tokens

    def tokens(body):
        return _estimate_tokens(
            Request("POST", "/x", {}, {"content-type": "application/json"}, json.dumps(body).encode())
        )

    assert tokens({"input": ["abcd" * 10, "abcd"]}) == 11
    assert tokens({"messages": [{"role": "user", "content": "abcd" * 5}], "max_tokens": 7}) == 1 + 5 + 7


def test_the_sandbox_runs_from_the_command_line():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_widgets.sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/v1" in line
        response = httpx.get(f"http://127.0.0.1:{port}/v1/models", headers=AUTH)
        assert response.status_code == 200 and response.json()["object"] == "list"
    finally:
        process.terminate()
        process.wait(5)


def test_a_retried_post_runs_once(connected, sandbox, sleeps):
    """The answer to an upload is lost on the way back; the retry must not create a second file."""
    import openai_widgets as ow

    before = len(sandbox.state.files)
    sandbox.inject("reset", path="/files", method="POST")
    ow.get_client()._post_multipart(
        "files", {"purpose": "user_data"}, [("file", ("a.txt", b"x", "text/plain"))]
    )
    attempts = sandbox.requests_to("/files", "POST")
    assert len(attempts) == 2
    assert attempts[0].headers["idempotency-key"] == attempts[1].headers["idempotency-key"]
    assert len(sandbox.state.files) == before + 1
    assert sleeps  # it was retried
