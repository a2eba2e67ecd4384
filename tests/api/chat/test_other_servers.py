"""Streamed chat on servers that are not OpenAI: how a stream may end, and when usage is asked for.

A stream that ends cleanly without `data: [DONE]` is whole once every choice has its
finish_reason (older TGI, llama.cpp forks); `stream_options.include_usage` goes only to
OpenAI or where asked, and a server that refuses it by name gets the request once more
without it. The fake servers here are `httpx.MockTransport` handlers; the sandbox checks the
same rules over real HTTP.
"""

from __future__ import annotations

import json
import warnings

import httpx
import pytest

import openai_widgets as ow
from tests.conftest import TEST_KEY

HEAD = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}


def chunk(index=0, content=None, finish=None, **delta):
    if content is not None:
        delta["content"] = content
    return {**HEAD, "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}


def sse(*events, done=False):
    text = "".join(f"data: {json.dumps(event)}\n\n" for event in events)
    return (text + ("data: [DONE]\n\n" if done else "")).encode()


class FakeServer:
    """Answers each chat request with the next scripted response; records the bodies it got."""

    def __init__(self, *answers: httpx.Response | bytes) -> None:
        self.answers = list(answers)
        self.bodies: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, bytes):
            return httpx.Response(200, content=answer, headers={"content-type": "text/event-stream"})
        return answer


@pytest.fixture
def on():
    made = []

    def make(server: FakeServer, base_url: str = "http://127.0.0.1:9/v1", **settings) -> ow.Client:
        client = ow.Client(
            api_key=TEST_KEY, base_url=base_url, transport=httpx.MockTransport(server), **settings
        )
        client.sleep = lambda seconds: None
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


# -- how a stream may end ----------------------------------------------------------------------


def test_a_finished_stream_without_done_is_whole(on, spec):
    server = FakeServer(
        sse(chunk(role="assistant", content=""), chunk(content="Hel"), chunk(content="lo", finish="stop"))
    )
    result = on(server).chat("hi", stream=True)
    assert (result.text, result.finish_reason, result.interrupted) == ("Hello", "stop", False)
    spec.validate_response("POST", "/chat/completions", dict(result.raw))


def test_every_choice_must_finish_before_a_clean_end_counts(on):
    both = sse(chunk(0, "a"), chunk(1, "b"), chunk(0, "", finish="stop"), chunk(1, "", finish="length"))
    result = on(FakeServer(both)).chat("hi", stream=True, n=2)
    assert result.texts == ["a", "b"]
    assert [c["finish_reason"] for c in result.choices] == ["stop", "length"]

    one_open = sse(chunk(0, "a"), chunk(1, "b"), chunk(0, "", finish="stop"))
    with pytest.raises(
        ow.StreamInterruptedError, match=r"\[DONE\]\) and choice 1 had no finish_reason"
    ) as caught:
        on(FakeServer(one_open)).chat("hi", stream=True, n=2)
    assert caught.value.partial.texts == ["a", "b"]
    assert caught.value.partial.interrupted is True


def test_a_choice_that_never_arrives_is_missing(on):
    with pytest.raises(ow.StreamInterruptedError, match="only 1 of 3 choices arrived"):
        on(FakeServer(sse(chunk(0, "a", finish="stop")))).chat("hi", stream=True, n=3)


def test_a_stream_that_stops_mid_reply_still_raises(on):
    with pytest.raises(ow.StreamInterruptedError, match="choice 0 had no finish_reason") as caught:
        on(FakeServer(sse(chunk(content="Hel")))).chat("hi", stream=True)
    assert caught.value.partial.text == "Hel"
    with pytest.raises(ow.StreamInterruptedError, match="only 0 of 1 choices arrived"):
        on(FakeServer(b"")).chat("hi", stream=True)


def test_done_still_ends_a_stream_at_once(on):
    events = sse(chunk(content="Hi", finish="stop"), done=True) + sse(chunk(content=" ignored"))
    assert on(FakeServer(events)).chat("hi", stream=True).text == "Hi"


# -- when usage is asked for ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "settings", "asked"),
    [
        ("http://127.0.0.1:9/v1", {}, False),
        ("https://llm.example.org/v1", {}, False),
        ("https://api.openai.com/v1", {}, True),
        ("https://API.OpenAI.com/v1", {}, True),
        ("http://127.0.0.1:9/v1", {"stream_usage": True}, True),
        ("http://127.0.0.1:9/v1", {"openai_server": True}, True),
        ("https://api.openai.com/v1", {"openai_server": False}, False),
        ("https://api.openai.com/v1", {"stream_usage": False}, False),
    ],
)
def test_include_usage_goes_to_openai_or_where_asked(on, spec, base_url, settings, asked):
    server = FakeServer(sse(chunk(content="ok", finish="stop"), done=True))
    on(server, base_url, **settings).chat("hi", stream=True)
    (body,) = server.bodies
    spec.validate_request("POST", "/chat/completions", body)
    assert ("stream_options" in body) is asked
    if asked:
        assert body["stream_options"] == {"include_usage": True}


def test_the_call_can_ask_for_usage_itself(on):
    server = FakeServer(sse(chunk(content="ok", finish="stop"), done=True))
    on(server).chat("hi", stream=True, stream_options={"include_usage": True})
    assert server.bodies[0]["stream_options"] == {"include_usage": True}


def test_usage_the_server_sends_unasked_is_kept(on):
    usage = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    server = FakeServer(sse(chunk(content="ok", finish="stop"), {**HEAD, "choices": [], "usage": usage}))
    result = on(server).chat("hi", stream=True)
    assert "stream_options" not in server.bodies[0]
    assert result.usage == usage


def refusal(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": "invalid_request_error"}})


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "Unrecognized request argument supplied: stream_options"),
        (500, "KeyError: 'include_usage'"),
        (422, "stream_options: extra fields not permitted"),
    ],
)
def test_a_server_that_refuses_include_usage_gets_the_request_again_without_it(on, status, message):
    server = FakeServer(refusal(status, message), sse(chunk(content="ok", finish="stop")))
    client = on(server, stream_usage=True)
    if status == 422:  # not the statuses the rule covers: the error is the caller's to see
        with pytest.raises(ow.UnprocessableEntityError, match="stream_options"):
            client.chat("hi", stream=True)
        assert len(server.bodies) == 1
        return
    with pytest.warns(RuntimeWarning, match=rf"refused stream_options \({status}: .*stream_usage=False"):
        result = client.chat("hi", stream=True)
    assert result.text == "ok"
    first, second = server.bodies  # a 500 naming it is not retried as it is
    assert first["stream_options"] == {"include_usage": True}
    assert "stream_options" not in second
    assert result.request.get("stream_options") is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.chat("again", stream=True)  # the client remembers: no second refusal, no warning
    assert "stream_options" not in server.bodies[2]
    assert len(server.bodies) == 3


def test_errors_that_do_not_name_it_are_not_taken_for_a_refusal(on):
    server = FakeServer(refusal(400, "messages must not be empty"))
    with pytest.raises(ow.BadRequestError, match="messages must not be empty"):
        on(server, stream_usage=True).chat("hi", stream=True)
    assert len(server.bodies) == 1


def test_stream_options_the_caller_gave_are_never_dropped(on):
    server = FakeServer(refusal(400, "Unrecognized request argument supplied: stream_options"))
    with pytest.raises(ow.BadRequestError, match="stream_options"):
        on(server).chat("hi", stream=True, stream_options={"include_usage": True})
    assert len(server.bodies) == 1


@pytest.mark.parametrize("value", ["yes", 1])
def test_the_settings_take_true_false_or_none(value):
    with pytest.raises(ow.InvalidTypeError, match="openai_server must be True, False or None"):
        ow.Client(api_key=TEST_KEY, openai_server=value)
    with pytest.raises(ow.InvalidTypeError, match="stream_usage must be True, False or None"):
        ow.Client(api_key=TEST_KEY, stream_usage=value)


def test_copies_keep_the_settings():
    with ow.Client(api_key=TEST_KEY, base_url="https://llm.example.org/v1", stream_usage=True) as client:
        copy = client.with_options(timeout=5)
        assert (copy.openai_server, copy.stream_usage) == (False, True)


# -- the same over real HTTP, on the sandbox ------------------------------------------------------


def test_on_the_sandbox_as_another_server_usage_is_left_out(sandbox, spec):
    with ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url) as plain:
        assert plain.openai_server is False
        result = plain.chat("Hello there", stream=True)
    body = sandbox.requests_to("/chat/completions")[-1].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert "stream_options" not in body
    assert result.usage is None and result.text.startswith("[sandbox]")


def test_connecting_to_the_sandbox_counts_it_as_openai():
    client = ow.connect(sandbox=True)
    try:
        assert client.openai_server is True and client.stream_usage is None
        result = client.chat("Hello there", stream=True)
        assert result.usage["total_tokens"] > 0
    finally:
        ow.set_client(None)
        client.close()


# -- a server that ignores stream=true ----------------------------------------------------------


def test_a_whole_answer_to_a_stream_request_is_taken_as_it_is(on, spec):
    calls = [
        {"id": "a", "type": "function", "function": {"name": "one", "arguments": "{}"}},
        {"id": "b", "type": "function", "function": {"name": "two", "arguments": '{"x": 1}'}},
    ]
    whole = {
        **HEAD,
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi", "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            },
            {
                "index": 1,
                "message": {"role": "assistant", "content": None, "refusal": None, "tool_calls": calls},
                "finish_reason": "tool_calls",
                "logprobs": None,
            },
        ],
        "usage": {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5},
    }
    spec.validate_response("POST", "/chat/completions", whole)
    server = FakeServer(httpx.Response(200, json=whole))
    result = on(server).chat("hi", stream=True, n=2)
    assert result.texts == ["Hi", ""]
    assert result.choices[1]["message"]["tool_calls"] == calls
    assert result.usage == whole["usage"] and not result.interrupted
    assert server.bodies[0]["stream"] is True


def test_a_whole_answer_that_is_not_a_reply_is_reported(on):
    server = FakeServer(httpx.Response(200, json={"object": "list", "data": []}))
    with pytest.raises(
        ow.APIResponseValidationError, match="ignores stream=true.*only 0 of 1 choices arrived"
    ):
        on(server).chat("hi", stream=True)
