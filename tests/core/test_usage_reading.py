"""The transport reads an answer's model and usage around their keys, and reports each answer once."""

from __future__ import annotations

import base64
import json

import httpx
import numpy as np
import pytest

import openai_widgets as ow
from openai_widgets._core import usage as hook
from tests.conftest import TEST_KEY

CHAT_USAGE = {
    "prompt_tokens": 12,
    "completion_tokens": 5,
    "total_tokens": 17,
    "prompt_tokens_details": {"cached_tokens": 4},
}


def chat_answer(reply: str = "Hi", usage: dict | None = CHAT_USAGE) -> dict:
    message = {"role": "assistant", "content": reply, "refusal": None}
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": usage,
        "system_fingerprint": "fp",
    }


@pytest.fixture
def reports(monkeypatch):
    """What the transport reports, instead of the ledger."""
    seen: list[tuple] = []

    def recorder(client, endpoint, model, usage, **more):
        seen.append((endpoint, model, usage, more))

    monkeypatch.setattr(hook, "_recorder", recorder)
    return seen


def test_a_chat_answer_gives_its_model_and_usage(spec):
    answer = chat_answer()
    spec.validate_response("POST", "/chat/completions", answer)  # the fields read are the spec's
    model, usage, ident = hook.read_body(json.dumps(answer, indent=2).encode(), with_id=True)
    assert (model, usage, ident) == ("gpt-4o-mini-2024-07-18", CHAT_USAGE, "chatcmpl-1")


def test_keys_inside_the_reply_text_are_not_taken_for_the_answers_own():
    reply = 'Here: {"model": "fake", "usage": {"prompt_tokens": 999}}'
    model, usage, _ = hook.read_body(json.dumps(chat_answer(reply)).encode())
    assert model == "gpt-4o-mini-2024-07-18"
    assert usage == CHAT_USAGE


def test_a_nested_key_of_the_same_name_is_passed_over():
    answer = {
        "id": "resp_1",
        "model": "gpt-5",
        "usage": {"input_tokens": 3, "output_tokens": 2},
        "metadata": {"usage": "internal"},
    }
    model, usage, _ = hook.read_body(json.dumps(answer).encode())
    assert (model, usage) == ("gpt-5", {"input_tokens": 3, "output_tokens": 2})


def test_an_embeddings_body_is_not_parsed_whole():
    """The middle of the body is not even JSON: only the keys' surroundings are read."""
    vectors = base64.b64encode(np.ones(300_000, dtype="<f4").tobytes())  # about 1.6 MB
    body = (
        b'{"object":"list","data":[{"object":"embedding","index":0,"embedding":"'
        + vectors
        + b'" NOT JSON ]],"model":"text-embedding-3-small","usage":{"prompt_tokens":7,"total_tokens":7}}'
    )
    with pytest.raises(json.JSONDecodeError, match="Expecting"):
        json.loads(body)
    model, usage, _ = hook.read_body(body, model_at_end=True)
    assert (model, usage) == ("text-embedding-3-small", {"prompt_tokens": 7, "total_tokens": 7})


def test_null_usage_and_bodies_that_are_not_objects_give_nothing():
    assert hook.read_body(json.dumps(chat_answer(usage=None)).encode())[1] is None
    assert hook.read_body(b"plain text") == (None, None, None)
    assert hook.read_body(b"[1, 2]") == (None, None, None)
    assert hook.read_body(b"") == (None, None, None)


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        ("/v1/chat/completions", "chat/completions"),
        ("chat/completions", "chat/completions"),
        ("/responses/resp_1?x=1", "responses/resp_1"),
    ],
)
def test_endpoints_are_named_without_the_version(path, endpoint):
    assert hook.endpoint_of(path) == endpoint


def serve(answers: dict[str, dict]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        key = f"{request.method} {request.url.path.removeprefix('/v1/')}"
        return httpx.Response(200, json=answers[key], headers={"x-request-id": f"req-{len(key)}"})

    return httpx.MockTransport(handler)


def mock_client(transport: httpx.BaseTransport) -> ow.Client:
    return ow.Client(api_key=TEST_KEY, base_url="https://api.example/v1", transport=transport)


def test_only_billed_endpoints_are_reported(reports):
    answers = {
        "POST chat/completions": chat_answer(),
        "GET models": {"object": "list", "data": []},
        "POST files/x": {"id": "file-1", "usage": {"bytes": 1}, "model": "m"},
    }
    with mock_client(serve(answers)) as client:
        client.chat("Hello", "gpt-4o-mini")
        client.models()
        client.request("POST", "files/x")
        client.request("POST", "/v1/chat/completions", body={"model": "gpt-4o-mini", "messages": []})
    assert [r[:3] for r in reports] == [("chat/completions", "gpt-4o-mini-2024-07-18", CHAT_USAGE)] * 2
    assert reports[0][3] == {"request_id": "req-21"}


def test_a_background_response_is_reported_when_its_usage_arrives(reports):
    queued = {"id": "resp_9", "object": "response", "status": "queued", "model": "gpt-5", "usage": None}
    done = {**queued, "status": "completed", "usage": {"input_tokens": 9, "output_tokens": 4}}
    answers = {"POST responses": queued, "GET responses/resp_9": done}
    with mock_client(serve(answers)) as client:
        client.request("POST", "responses", body={"model": "gpt-5", "input": "hi", "background": True})
        assert reports == []
        client.request("GET", "responses/resp_9")
        client.request("GET", "responses/resp_9")  # fetched again: already counted
    assert [r[:3] for r in reports] == [("responses", "gpt-5", {"input_tokens": 9, "output_tokens": 4})]


def test_a_stream_reports_its_last_usage_event(reports):
    first = {"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o"}
    chunks = [
        {**first, "choices": [{"index": 0, "delta": {"content": "Hi"}}]},
        {**first, "choices": [], "usage": CHAT_USAGE},
    ]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream", "x-request-id": "req-s"}
        return httpx.Response(200, text=body, headers=headers)

    with mock_client(httpx.MockTransport(handler)) as client:
        result = client.chat("Hello", "gpt-4o", stream=True, on_update=lambda partial: None)
    assert result.text == "Hi"
    assert reports == [("chat/completions", "gpt-4o", CHAT_USAGE, {"request_id": "req-s"})]


def test_a_failing_recorder_does_not_fail_the_request(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("ledger down")

    monkeypatch.setattr(hook, "_recorder", broken)
    with mock_client(serve({"POST chat/completions": chat_answer("Still here")})) as client:
        assert client.chat("Hello", "gpt-4o-mini").text == "Still here"
