"""transcribe(stream=True): the text shown as it is heard, returned whole; interrupts, cut streams,
and what cannot stream refused before sending.

Every event the client receives is validated against the spec's transcript stream events,
and the multipart request against the operation's request schema.
"""

from __future__ import annotations

import json

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._chat import stream as _chat_stream
from tests.conftest import TEST_KEY
from tests.support.media import tone

MODEL = "gpt-4o-mini-transcribe"
WAV = tone(2.0)


@pytest.fixture
def events(client):
    """Every stream event the client received, in order (recorded around `_stream_events`)."""
    received = []
    original = client._stream_events

    def recording(*args, **kwargs):
        for event in original(*args, **kwargs):
            received.append(event)
            yield event

    client._stream_events = recording
    return received


def test_the_text_streams_and_the_whole_of_it_comes_back(client, sandbox, spec, events):
    updates = []
    text = client.transcribe(WAV, MODEL, prompt="Names: Ada", stream=True, on_update=updates.append)
    fields, files = sandbox.requests_to("/audio/transcriptions")[-1].form()
    assert fields["stream"] == "true"
    spec.validate_multipart("POST", "/audio/transcriptions", fields, files)
    for event in events:
        spec.validate_response("POST", "/audio/transcriptions", event, content_type="text/event-stream")
        spec.validate_schema("CreateTranscriptionResponseStreamEvent", event)
    assert {e["type"] for e in events[:-1]} == {"transcript.text.delta"} and len(events) > 3
    assert isinstance(text, str) and text == events[-1]["text"]
    assert text == "".join(e["delta"] for e in events[:-1])
    assert text == client.transcribe(WAV, MODEL, prompt="Names: Ada")  # the same as unstreamed
    assert text.usage == events[-1]["usage"] and text.interrupted is False
    assert updates[-1] == text and all(text.startswith(u) for u in updates)


def test_in_a_notebook_the_text_grows_in_one_output(ip, sandbox, connected, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    sandbox.configure(stream_interval=0.03)
    with capture_output() as captured:
        text = connected.transcribe(WAV, MODEL, stream=True)
    first, *rest = captured.outputs
    assert first.transient["display_id"] and first.data["text/plain"].endswith("▌")
    assert rest and all(o.update and o.transient == first.transient for o in rest)
    assert rest[-1].data["text/plain"] == text
    assert rest[-1].metadata["openai_widgets"]["usage"] == text.usage
    with capture_output() as again:
        text._ipython_display_()
    assert again.outputs == []  # the cell shows it already


def test_an_interrupt_keeps_what_was_heard(client, sandbox):
    sandbox.configure(stream_interval=0.03)
    heard = []

    def interrupt(partial):
        heard.append(partial)
        if len(heard) == 2:
            raise KeyboardInterrupt

    text = client.transcribe(WAV, MODEL, stream=True, on_update=interrupt)
    assert text.interrupted is True
    whole = client.transcribe(WAV, MODEL)
    assert text and whole.startswith(text) and text != whole
    assert "(interrupted" in text.bundle()["text/plain"]


def test_a_cut_stream_raises_with_the_text_so_far(client, sandbox):
    sandbox.configure(stream_interval=0.02)
    sandbox.inject("cut_stream", path="/audio/transcriptions", after=2)
    with pytest.raises(ow.StreamInterruptedError) as caught:
        client.transcribe(WAV, MODEL, stream=True)
    assert caught.value.partial == "[sandbox] " + client.transcribe(WAV, MODEL).split(" ")[1]
    assert caught.value.partial.interrupted is True


def test_a_clean_end_without_the_done_event_raises():
    delta = {"type": "transcript.text.delta", "delta": "Hello"}
    body = f"data: {json.dumps(delta)}\n\n".encode()
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    )
    with (
        ow.Client(api_key=TEST_KEY, base_url="https://asr.test/v1", transport=transport) as c,
        pytest.raises(ow.StreamInterruptedError, match="no transcript.text.done event arrived") as caught,
    ):
        c.transcribe(WAV, "local-asr", stream=True)  # a model the rules do not know may stream
    assert caught.value.partial == "Hello"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "whisper-1"}, "whisper-1 cannot stream transcripts: use gpt-4o-mini-transcribe"),
        (
            {"model": MODEL, "response_format": "verbose_json"},
            "its text only: leave stream out for response_format=.verbose_json.",
        ),
        ({"model": "local-asr", "response_format": "srt"}, "leave stream out for response_format='srt'"),
        (
            {"model": "local-asr", "timestamp_granularities": "word"},
            "leave stream out for timestamp_granularities",
        ),
    ],
)
def test_what_cannot_stream_is_refused_before_sending(client, sandbox, kwargs, message):
    with pytest.raises(ow.InvalidInputError, match=message):
        client.transcribe(WAV, stream=True, **kwargs)
    assert sandbox.requests == []


def test_stream_takes_one_file_and_a_flag(client, sandbox):
    with pytest.raises(ow.InvalidInputError, match="stream=True takes one audio file"):
        client.transcribe([WAV, WAV], MODEL, stream=True)
    with pytest.raises(ow.InvalidTypeError, match="stream must be True or False, not str"):
        client.transcribe(WAV, MODEL, stream="yes")
    assert sandbox.requests == []


def test_a_server_that_ignores_stream_answers_whole_and_that_is_the_text():
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"text": "Hello there"}))
    with ow.Client(api_key=TEST_KEY, base_url="https://asr.test/v1", transport=transport) as c:
        text = c.transcribe(WAV, "local-asr", stream=True)
    assert text == "Hello there" and not text.interrupted
