"""Background responses: respond() returns at once, .wait() polls (a status line in a notebook) until the
end and goes on with Python tools, .cancel() stops it, a failure or a timeout raises."""

from __future__ import annotations

import time

import pytest

import openai_widgets as ow
from openai_widgets._chat import stream as _chat_stream
from tests.support.responses import bodies_sent


@pytest.fixture
def slow(sandbox, client):
    """Background responses take 0.4 s; the client really sleeps between polls (and records it)."""
    before = sandbox.background_seconds
    sandbox.background_seconds = 0.4
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        time.sleep(seconds)

    client.sleep = sleep
    yield waits
    sandbox.background_seconds = before


def test_respond_returns_at_once_and_wait_polls_until_done(sandbox, client, spec, slow):
    sandbox.background_seconds = 1.5
    started = time.monotonic()
    result = client.respond("Hello there", background=True)
    assert time.monotonic() - started < 0.3
    (body,) = bodies_sent(sandbox, spec)
    assert body["background"] is True
    assert result.status == "queued" and result.text == ""
    assert "background response queued: call .wait() for the result" in result.markdown()
    assert result.wait() is result
    assert result.status == "completed"
    assert result.text.startswith('[sandbox] You said: "Hello there".')
    assert slow and slow[:3] == [0.25, 0.375, 0.5625]  # growing by half each time
    polls = sandbox.requests_to(f"/responses/{result.id}", "GET")
    assert len(polls) == len(slow)


def test_a_fixed_poll_interval_and_a_status_line_in_a_notebook(ip, connected, sandbox, slow, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    result = connected.respond("Hello there", background=True)
    with capture_output() as captured:
        result.wait(poll_interval=0.1)
    assert set(slow) == {0.1}
    first, *rest = captured.outputs
    assert f"{result.id}: queued" in first.data["text/plain"]
    assert all(o.update and o.transient == first.transient for o in rest)
    assert f"{result.id}: completed after" in rest[-1].data["text/plain"]


def test_cancel_stops_a_background_response(sandbox, client, slow):
    sandbox.background_seconds = 5.0
    result = client.respond("Hello there", background=True)
    assert result.cancel() is result
    assert result.status == "cancelled"
    assert result.wait() is result and slow == []  # nothing left to wait for
    assert client.response(result.id).status == "cancelled"
    assert "*(cancelled)*" in result.markdown()


def test_cancel_response_by_id(sandbox, client, slow):
    sandbox.background_seconds = 5.0
    made = client.respond("Hello there", background=True)
    cancelled = client.cancel_response(made.id)
    assert isinstance(cancelled, ow.Response) and cancelled.status == "cancelled"


def test_a_background_response_that_fails_raises_on_wait(sandbox, client, slow):
    sandbox.inject("failed_response", path="/responses")
    result = client.respond("Hello there", background=True)
    assert result.status == "queued"
    with pytest.raises(ow.ResponseFailedError, match="server_error") as info:
        result.wait()
    assert info.value.partial is result


def test_wait_gives_up_after_its_timeout(sandbox, client, slow):
    sandbox.background_seconds = 5.0
    result = client.respond("Hello there", background=True)
    with pytest.raises(ow.APITimeoutError, match=r"still (queued|in_progress) after 0.3 s; it goes on"):
        result.wait(poll_interval=0.1, timeout=0.3)
    result.cancel()
    with pytest.raises(ow.InvalidInputError, match="poll_interval must be more than 0 seconds"):
        result.wait(poll_interval=0)


def test_python_tools_run_when_the_background_response_is_done(sandbox, client, spec, slow):
    ran = []

    def get_weather(city: str) -> str:
        """Weather."""
        ran.append(city)
        return f"fog in {city}"

    result = client.respond("Use get_weather for Oslo", tools=[get_weather], background=True)
    assert result.status == "queued" and ran == []
    result.wait()
    assert ran == ["Oslo"]
    assert len(result.rounds) == 2 and result.status == "completed"
    assert 'get_weather returned "fog in Oslo"' in result.text
    first, second = bodies_sent(sandbox, spec)
    assert first["background"] is True and "background" not in second  # the rest runs in the foreground
    assert second["previous_response_id"] == result.rounds[0]["id"]
