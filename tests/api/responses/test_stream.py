"""Streamed responses: every event fits the spec and arrives in order, the pieces assemble into what the
whole response says, the cell is updated in place at a bounded rate, an interrupt keeps what arrived,
and a cut stream raises with the partial Response."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._chat import stream as _chat_stream
from openai_widgets._responses.stream import EventAssembler
from tests.conftest import TEST_KEY
from tests.support.responses import EventLog, bodies_sent


@pytest.fixture
def events(client):
    return EventLog(client)


def wait_for_server(logged, seconds=2.0):
    """Give the sandbox's handler time to notice the client left (it does so at its next write)."""
    deadline = time.monotonic() + seconds
    last = -1
    while time.monotonic() < deadline and logged.events_sent != last:
        last = logged.events_sent
        time.sleep(0.1)


def test_events_fit_the_spec_and_come_in_order(sandbox, client, events, spec):
    result = client.respond("Hello there", stream=True)
    (body,) = bodies_sent(sandbox, spec)
    assert body["stream"] is True
    assert sandbox.requests_to("/responses")[0].headers["accept"] == "text/event-stream"
    events.validate(spec)
    kinds = events.types()
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    deltas = [e for e in events.events if e["type"] == "response.output_text.delta"]
    assert len(deltas) > 5
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events.events] == list(range(len(kinds)))
    assert "".join(e["delta"] for e in deltas) == result.text
    spec.validate_response("POST", "/responses", dict(result.raw))


def test_a_streamed_response_equals_the_whole_one(client):
    whole = client.respond("Compare me")
    streamed = client.respond("Compare me", stream=True)
    assert isinstance(streamed, ow.Response)
    assert streamed.text == whole.text
    assert streamed.usage["output_tokens"] == whole.usage["output_tokens"]
    assert streamed.output.drop(columns=["id"]).equals(whole.output.drop(columns=["id"]))
    assert streamed.interrupted is False


@pytest.mark.parametrize(
    ("ask", "options"),
    [
        ("Search the web for the latest pandas news", {"tools": ["web_search"]}),
        (
            "Calculate the mean of 2 4 9",
            {"tools": ["code_interpreter"], "include": ["code_interpreter_call.outputs"]},
        ),
        ("Why?", {"model": "o4-mini", "reasoning": {"effort": "low", "summary": "detailed"}}),
        (
            "Please lookup 'cats'",
            {
                "tools": [
                    {
                        "type": "function",
                        "name": "lookup",
                        "parameters": {
                            "type": "object",
                            "properties": {"term": {"type": "string"}},
                            "required": ["term"],
                            "additionalProperties": False,
                        },
                        "strict": True,
                    }
                ]
            },
        ),
    ],
    ids=["web search", "code interpreter", "reasoning", "function call"],
)
def test_pieces_assemble_into_each_finished_item(client, events, spec, ask, options):
    """Before each output_item.done, the item built from the deltas says what the done item says."""
    client.respond(ask, stream=True, **options)
    events.validate(spec)
    assembler = EventAssembler()
    checked = 0
    for event in events.events:
        if event["type"] == "response.output_item.done":
            built = assembler.response()["output"][event["output_index"]]
            done = event["item"]
            for key in ("content", "summary", "arguments", "code", "action", "type", "id"):
                if key in done:
                    assert built.get(key) == done[key], key
            checked += 1
        assembler.add(event)
    assert checked >= 1
    assert assembler.done and assembler.response() == events.events[-1]["response"]


def test_updates_come_at_a_bounded_rate(sandbox, client):
    sandbox.configure(stream_interval=0.004)
    updates, started = [], time.monotonic()
    result = client.respond("Hello there, tell me a story", stream=True, on_update=updates.append)
    elapsed = time.monotonic() - started
    tokens = result.usage["output_tokens"]
    assert elapsed > tokens * 0.004
    assert len(updates) <= elapsed * _chat_stream.UPDATES_PER_SECOND + 4  # + the item starts and ends
    assert len(updates) < tokens / 2
    texts = [update.text for update in updates]
    assert all(result.text.startswith(text) for text in texts)
    assert updates[-1].text == result.text


def test_the_cell_is_updated_in_place(ip, sandbox, connected, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    sandbox.configure(stream_interval=0.004)
    with capture_output() as captured:
        result = connected.respond("Hello there", stream=True)
    first, *rest = captured.outputs
    assert first.transient["display_id"] and rest
    assert all(o.update and o.transient == first.transient for o in rest)
    assert first.data["text/markdown"].endswith("▌")
    assert rest[-1].data["text/markdown"] == result.markdown()
    assert rest[-1].metadata["openai_widgets"]["id"] == result.id
    with capture_output() as again:
        result._ipython_display_()
    assert again.outputs == []  # the cell shows it already


def test_generated_images_show_below_a_streamed_reply(ip, connected, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    with capture_output() as captured:
        connected.respond("Draw a picture of a fox", tools=["image_generation"], stream=True)
    assert "<img" in captured.outputs[-1].data.get("text/html", "")


def test_no_display_outside_a_notebook(ip, client):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        client.respond("hi", stream=True)
    assert captured.outputs == []


def test_an_interrupt_keeps_what_arrived_and_closes_the_connection(sandbox, client):
    sandbox.configure(stream_interval=0.02)
    full = client.respond("Hello there")
    calls = []

    def interrupt_on_third(partial):
        calls.append(partial.text)
        if len(calls) == 3:
            raise KeyboardInterrupt

    result = client.respond("Hello there", stream=True, on_update=interrupt_on_third)
    assert result.interrupted is True
    assert result.text and full.text.startswith(result.text) and len(result.text) < len(full.text)
    assert "*(interrupted: the reply above is partial)*" in result.markdown()
    logged = sandbox.requests_to("/responses")[-1]
    wait_for_server(logged)
    assert logged.stream_completed is False


def test_a_real_sigint_stops_the_stream(sandbox, client):
    sandbox.configure(stream_interval=0.02)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    try:
        timer.start()
        result = client.respond("Hello there, a long reply please", stream=True)
        timer.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.interrupted is True
    assert result.text.startswith("[sandbox]")
    logged = sandbox.requests_to("/responses")[-1]
    wait_for_server(logged)
    assert logged.stream_completed is False
    assert client.respond("again").text.startswith("[sandbox]")  # the client still works


def test_an_interrupt_during_a_tool_round_keeps_the_rounds(sandbox, client):
    def get_weather(city: str) -> str:
        """Weather."""
        raise KeyboardInterrupt

    result = client.respond(
        "Use get_weather for Oslo", tools=[get_weather], stream=True, on_update=lambda r: None
    )
    assert result.interrupted and len(result.rounds) == 1
    assert len(sandbox.requests_to("/responses")) == 1


def test_a_cut_stream_raises_with_the_partial_response(sandbox, client):
    full = client.respond("Hello there").text
    sandbox.configure(stream_interval=0.02)
    sandbox.inject("cut_stream", path="/responses", after=8)
    with pytest.raises(ow.StreamInterruptedError, match="what arrived is kept") as caught:
        client.respond("Hello there", stream=True)
    partial = caught.value.partial
    assert isinstance(partial, ow.Response) and partial.interrupted
    assert partial.text and full.startswith(partial.text) and len(partial.text) < len(full)
    assert len(sandbox.requests_to("/responses")) == 2  # not retried


def test_a_stream_that_ends_without_its_final_event_is_incomplete():
    lines = [
        'event: response.created\ndata: {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1", "status": "in_progress", "output": []}}\n\n',
    ]

    def handler(request):
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content="".join(lines).encode()
        )

    with (
        ow.Client(
            api_key=TEST_KEY, base_url="http://test.invalid/v1", transport=httpx.MockTransport(handler)
        ) as made,
        pytest.raises(ow.StreamInterruptedError, match="ended without its final event") as caught,
    ):
        made.respond("hi", stream=True)
    assert caught.value.partial.id == "resp_1"


def test_a_streamed_failed_response_raises(sandbox, client):
    sandbox.inject("failed_response", path="/responses")
    with pytest.raises(ow.ResponseFailedError, match="server_error"):
        client.respond("hello", stream=True)


def test_a_streamed_background_response_is_queued_first(client, events, spec):
    result = client.respond("hello", stream=True, background=True)
    events.validate(spec)
    assert events.types()[:3] == ["response.created", "response.queued", "response.in_progress"]
    assert result.status == "completed" and result.raw["background"] is True
