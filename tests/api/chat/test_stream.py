"""Streamed chat: chunks in order, the same result as a whole reply, bounded display updates,
an interrupt that keeps the partial text and closes the connection, a cut stream that raises."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

import openai_widgets as ow
from openai_widgets._chat import stream as _chat_stream

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"term": {"type": "string"}}},
        },
    }
]


@pytest.fixture
def chunks(client):
    """Every chunk the client received, in order (recorded around `_stream_events`)."""
    received = []
    original = client._stream_events

    def recording(*args, **kwargs):
        for chunk in original(*args, **kwargs):
            received.append(chunk)
            yield chunk

    client._stream_events = recording
    return received


def wait_for_server(logged, seconds=2.0):
    """Give the sandbox's handler time to notice the client left (it does so at its next write)."""
    deadline = time.monotonic() + seconds
    last = -1
    while time.monotonic() < deadline and logged.events_sent != last:
        last = logged.events_sent
        time.sleep(0.1)


def test_request_asks_for_a_stream_with_usage(sandbox, client, spec):
    client.chat("hi", stream=True)
    (logged,) = sandbox.requests_to("/chat/completions")
    body = logged.json()
    spec.validate_request("POST", "/chat/completions", body)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert logged.headers["accept"] == "text/event-stream"
    deadline = time.monotonic() + 2  # the server marks it complete just after its last write
    while not logged.stream_completed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert logged.stream_completed is True


def test_chunks_arrive_in_order_and_fit_the_spec(client, chunks, spec):
    result = client.chat("Hello there", stream=True)
    for chunk in chunks:
        spec.validate_schema("CreateChatCompletionStreamResponse", chunk)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    pieces = [c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]]
    assert "".join(pieces) == result.text
    assert [len(p) > 0 for p in pieces[1:-1]] == [True] * (len(pieces) - 2)  # one token per chunk
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["total_tokens"] > 0
    assert len({c["id"] for c in chunks}) == 1


def test_streamed_result_equals_the_whole_one(client):
    whole = client.chat("Compare me", seed=3)
    streamed = client.chat("Compare me", seed=3, stream=True)
    assert isinstance(streamed, ow.ChatResult)
    assert streamed.text == whole.text
    assert streamed.finish_reason == whole.finish_reason == "stop"
    assert streamed.usage["total_tokens"] == whole.usage["total_tokens"]
    assert streamed.messages == whole.messages
    assert streamed.request["stream"] is True
    assert streamed.interrupted is False


def test_assembled_stream_validates_as_a_chat_completion(client, spec):
    result = client.chat("hi", stream=True, n=2, logprobs=True)
    spec.validate_response("POST", "/chat/completions", dict(result.raw))


def test_n_choices_are_assembled_apart(client, chunks):
    whole = client.chat("Two please", n=2)
    streamed = client.chat("Two please", n=2, stream=True)
    assert {c["choices"][0]["index"] for c in chunks if c["choices"]} == {0, 1}
    assert streamed.texts == whole.texts
    assert streamed.texts[0] != streamed.texts[1]


def test_tool_call_arguments_are_assembled(client, chunks):
    whole = client.chat("look up cats", tools=TOOLS)
    streamed = client.chat("look up cats", tools=TOOLS, stream=True)
    argument_chunks = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("tool_calls")]
    assert len(argument_chunks) > 3  # the arguments really came in pieces
    assert streamed.tool_calls == whole.tool_calls
    assert streamed.finish_reason == "tool_calls"
    assert streamed.text == ""
    assert streamed.messages[-1] == {"role": "assistant", "content": None, "tool_calls": whole.tool_calls}


def test_logprobs_are_assembled(client):
    result = client.chat("hi", stream=True, logprobs=True, top_logprobs=1)
    tokens = result.choices[0]["logprobs"]["content"]
    assert "".join(t["token"] for t in tokens) == result.text


def test_updates_come_at_a_bounded_rate(sandbox, client):
    sandbox.configure(stream_interval=0.004)
    updates, started = [], time.monotonic()
    result = client.chat("Hello there", stream=True, on_update=updates.append)
    elapsed = time.monotonic() - started
    tokens = result.usage["completion_tokens"]
    assert elapsed > tokens * 0.004
    assert len(updates) <= elapsed * _chat_stream.UPDATES_PER_SECOND + 2
    assert len(updates) < tokens / 2
    assert updates[-1] is result  # the last update is the final result
    texts = [u.text for u in updates]
    assert all(result.text.startswith(text) for text in texts)
    assert texts == sorted(texts, key=len)


def test_live_display_is_one_output_updated_in_place(ip, sandbox, connected, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    sandbox.configure(stream_interval=0.004)
    with capture_output() as captured:
        result = connected.chat("Hello there", stream=True)
    outputs = captured.outputs
    first, *rest = outputs
    assert first.update is False
    assert first.transient["display_id"]
    assert rest
    assert all(o.update and o.transient == first.transient for o in rest)
    assert len(outputs) < result.usage["completion_tokens"] / 2
    assert outputs[0].data["text/markdown"].endswith("▌")  # still arriving
    final = outputs[-1]
    assert final.data["text/markdown"] == result.text
    assert final.metadata["openai_widgets"]["usage"]["total_tokens"] == result.usage["total_tokens"]
    # The cell already shows the reply: displaying the result in the same cell adds nothing...
    with capture_output() as again:
        result._ipython_display_()
    assert again.outputs == []
    # ...while a later cell shows it normally.
    monkeypatch.setattr(ip, "execution_count", ip.execution_count + 1)
    with capture_output() as later:
        result._ipython_display_()
    assert later.outputs[0].data["text/markdown"] == result.text


def test_no_display_outside_a_notebook(ip, client):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        client.chat("hi", stream=True)
    assert captured.outputs == []  # a terminal or script gets no flood of reprints


def test_interrupt_keeps_the_partial_text_and_closes_the_connection(sandbox, client):
    sandbox.configure(stream_interval=0.02)
    full = client.chat("Hello there")
    calls = []

    def interrupt_on_third(partial):
        calls.append(partial.text)
        if len(calls) == 3:
            raise KeyboardInterrupt

    result = client.chat("Hello there", stream=True, on_update=interrupt_on_third)
    assert result.interrupted is True
    assert result.text
    assert full.text.startswith(result.text)
    assert len(result.text) < len(full.text)
    assert result.finish_reason is None
    assert "*(interrupted: the reply above is partial)*" in result._repr_markdown_()
    assert result.messages[-1] == {"role": "assistant", "content": result.text}
    logged = sandbox.requests_to("/chat/completions")[-1]
    wait_for_server(logged)
    assert logged.stream_completed is False
    assert logged.events_sent < full.usage["completion_tokens"]


def test_a_real_sigint_stops_the_stream(sandbox, client):
    sandbox.configure(stream_interval=0.02)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.25, os.kill, (os.getpid(), signal.SIGINT))
    try:
        timer.start()
        result = client.chat("Hello there", stream=True)
        timer.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.interrupted is True
    assert result.text.startswith("[sandbox]")
    logged = sandbox.requests_to("/chat/completions")[-1]
    wait_for_server(logged)
    assert logged.stream_completed is False
    assert client.chat("again").text.startswith("[sandbox]")  # the client still works


def test_interrupt_is_shown_in_the_live_display(ip, sandbox, connected, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    sandbox.configure(stream_interval=0.02)
    original = _chat_stream.LiveView.show
    shown = []

    def show_then_interrupt(self, result, *, final=False):
        original(self, result, final=final)
        shown.append(final)
        if len(shown) == 2 and not final:
            raise KeyboardInterrupt

    monkeypatch.setattr(_chat_stream.LiveView, "show", show_then_interrupt)
    with capture_output() as captured:
        result = connected.chat("Hello there", stream=True)
    assert result.interrupted
    assert captured.outputs[-1].data["text/markdown"].endswith("*(interrupted: the reply above is partial)*")
    assert captured.outputs[-1].metadata["openai_widgets"]["interrupted"] is True


def test_a_stream_cut_by_the_server_raises_with_the_partial_result(sandbox, client):
    full_text = client.chat("Hello there").text
    # Spaced events, so the client has read them before the reset (a reset drops unread data).
    sandbox.configure(stream_interval=0.02)
    sandbox.inject("cut_stream", path="/chat/completions", after=4)
    with pytest.raises(ow.StreamInterruptedError, match="what arrived is kept") as caught:
        client.chat("Hello there", stream=True)
    partial = caught.value.partial
    assert isinstance(partial, ow.ChatResult)
    assert partial.interrupted is True
    assert partial.text == "[sandbox]"  # 4 events: the role, then "[", "sandbox" and "]"
    assert full_text.startswith(partial.text)
    assert isinstance(caught.value, ow.APIConnectionError)


def test_a_cut_stream_is_not_retried(sandbox, client):
    sandbox.inject("cut_stream", path="/chat/completions", after=2)
    with pytest.raises(ow.StreamInterruptedError):
        client.chat("hi", stream=True)
    assert len(sandbox.requests_to("/chat/completions")) == 1


def test_errors_before_the_stream_starts_are_raised(client):
    with pytest.raises(ow.NotFoundError, match="does not exist"):
        client.chat("hi", model="gpt-missing", stream=True)


def test_assembler_joins_parallel_tool_calls_and_refusals():
    assembler = _chat_stream.ChunkAssembler()
    head = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    deltas = [
        {
            "role": "assistant",
            "tool_calls": [
                {"index": 0, "id": "a", "type": "function", "function": {"name": "get_", "arguments": ""}}
            ],
        },
        {
            "tool_calls": [
                {
                    "index": 1,
                    "id": "b",
                    "type": "function",
                    "function": {"name": "other", "arguments": '{"x"'},
                }
            ]
        },
        {"tool_calls": [{"index": 0, "function": {"name": "weather", "arguments": '{"city": '}}]},
        {"tool_calls": [{"index": 1, "function": {"arguments": ": 1}"}}]},
        {"tool_calls": [{"index": 0, "function": {"arguments": '"Oslo"}'}}]},
    ]
    for delta in deltas:
        assembler.add({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    assembler.add({**head, "choices": [{"index": 1, "delta": {"refusal": "I can"}, "finish_reason": None}]})
    assembler.add({**head, "choices": [{"index": 1, "delta": {"refusal": "not."}, "finish_reason": "stop"}]})
    response = assembler.response()
    first, second = response["choices"]
    assert first["message"]["content"] is None
    assert first["message"]["tool_calls"] == [
        {"id": "a", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
        {"id": "b", "type": "function", "function": {"name": "other", "arguments": '{"x": 1}'}},
    ]
    assert second["message"]["refusal"] == "I cannot."
    assert second["finish_reason"] == "stop"
    assert response["id"] == "c1"
    assert "usage" not in response


def test_an_error_event_mid_stream_raises(client_with_stream):
    client = client_with_stream(
        b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n'
        b'data: {"error": {"message": "overloaded", "type": "server_error"}}\n\n'
    )
    with pytest.raises(ow.APIError, match="the server reported an error mid-stream: overloaded"):
        client.chat("hi", stream=True)


def test_a_stream_without_its_end_marker_raises_with_the_partial_result(client_with_stream):
    client = client_with_stream(
        b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n'
    )
    with pytest.raises(ow.StreamInterruptedError, match=r"without its end marker") as caught:
        client.chat("hi", stream=True)
    assert caught.value.partial.text == "Hel"


@pytest.fixture
def client_with_stream():
    import httpx

    from tests.conftest import TEST_KEY

    made = []

    def make(body: bytes):
        def handler(request):
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

        client = ow.Client(api_key=TEST_KEY, transport=httpx.MockTransport(handler), max_retries=0)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
