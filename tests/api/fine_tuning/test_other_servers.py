"""Fine-tuning on servers that are not OpenAI: the older hyperparameters field, streamed events.

Servers that read only the deprecated top-level `hyperparameters` get a supervised job's
hyperparameters there as well as inside `method`; OpenAI gets `method` alone. An events
endpoint that answers with an event stream instead of JSON is followed: each event shows as
it arrives, repeats after a reconnect are dropped, a cut stream only ends that look.
"""

from __future__ import annotations

import json
import threading

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._tuning import live_view
from openai_widgets.api.fine_tuning import TOP_LEVEL_HYPERPARAMETERS
from tests.conftest import TEST_KEY
from tests.support.tuning import examples

JOB_ID = "ftjob-abc"


def created_body(sandbox) -> dict:
    return sandbox.requests_to("/fine_tuning/jobs", "POST")[-1].json()


@pytest.fixture
def other(sandbox):
    """A client that counts the sandbox as a server other than OpenAI (its host is 127.0.0.1)."""
    with ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, max_retries=0) as made:
        yield made


# -- hyperparameters in both places ------------------------------------------------------------


def test_the_older_field_holds_what_the_spec_lets_it_hold(spec):
    schema = spec.document["components"]["schemas"]["CreateFineTuningJobRequest"]["properties"]
    assert tuple(sorted(schema["hyperparameters"]["properties"])) == TOP_LEVEL_HYPERPARAMETERS
    assert schema["hyperparameters"]["deprecated"] is True


def test_other_servers_get_hyperparameters_in_method_and_at_the_top(other, sandbox, spec):
    settings = {"n_epochs": 3, "batch_size": 4, "learning_rate_multiplier": 0.5}
    job = other.fine_tune(examples(10), hyperparameters=settings)
    body = created_body(sandbox)
    spec.validate_request("POST", "/fine_tuning/jobs", body)
    assert body["method"] == {"type": "supervised", "supervised": {"hyperparameters": settings}}
    assert body["hyperparameters"] == settings
    assert job["hyperparameters"] == settings  # the sandbox reads either; they agree


def test_only_given_hyperparameters_are_copied(other, sandbox):
    other.fine_tune(
        examples(10), method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": "auto"}}}
    )
    assert created_body(sandbox)["hyperparameters"] == {"n_epochs": "auto"}


def test_other_methods_and_jobs_without_hyperparameters_send_no_older_field(other, sandbox):
    preference = [
        {
            "input": {"messages": [{"role": "user", "content": f"q{n}"}]},
            "preferred_output": [{"role": "assistant", "content": "good"}],
            "non_preferred_output": [{"role": "assistant", "content": "bad"}],
        }
        for n in range(10)
    ]
    other.fine_tune(
        preference, method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2, "n_epochs": 2}}}
    )
    assert "hyperparameters" not in created_body(sandbox)
    other.fine_tune(examples(10))
    assert "hyperparameters" not in created_body(sandbox)


def test_openai_gets_method_alone(client, sandbox, spec):
    assert client.openai_server is True  # the fixture's client counts the sandbox as OpenAI
    client.fine_tune(examples(10), hyperparameters={"n_epochs": 2})
    body = created_body(sandbox)
    spec.validate_request("POST", "/fine_tuning/jobs", body)
    assert "hyperparameters" not in body
    assert body["method"]["supervised"]["hyperparameters"] == {"n_epochs": 2}


def test_the_base_url_decides_by_default():
    bodies = []

    def handler(request):
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"id": JOB_ID, "object": "fine_tuning.job", "status": "queued"})

    for base_url in ("https://api.openai.com/v1", "https://llm.example.org/v1"):
        with ow.Client(api_key=TEST_KEY, base_url=base_url, transport=httpx.MockTransport(handler)) as c:
            c.fine_tune("file-abc", hyperparameters={"n_epochs": 2})
    openai, other = bodies
    assert "hyperparameters" not in openai
    assert other["hyperparameters"] == {"n_epochs": 2}


# -- events that come as a stream --------------------------------------------------------------


def event(number: int, message: str, **extra) -> dict:
    made = {
        "object": "fine_tuning.job.event",
        "id": f"ftevent-{number}",
        "created_at": 1_700_000_000 + number,
        "level": "info",
        "message": message,
        "type": "message",
    }
    made.update(extra)
    return made


EVENTS = [
    event(1, "Validating training file"),
    event(2, "Step 1/2: training loss=0.90", type="metrics", data={"step": 1, "train_loss": 0.9}),
    event(3, "Step 2/2: training loss=0.40", type="metrics", data={"step": 2, "train_loss": 0.4}),
    event(4, "The job has successfully completed"),
]


class StreamingEvents:
    """A compatible server whose events endpoint streams (text/event-stream) every event so far.

    Look k (k = 1, 2, ...) streams the first `per_look * k` events, oldest first, and ends
    cleanly (`done` adds `[DONE]`); the job runs until the last event has been streamed.
    `pulled` records each event id when the client reads it off the wire.
    """

    def __init__(self, *, per_look=2, done=False, cut_on_look=None, events=EVENTS) -> None:
        self.per_look, self.done, self.cut_on_look, self.events = per_look, done, cut_on_look, events
        self.looks = 0
        self.pulled: list[str] = []
        self.streamed_all = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):
            self.looks += 1
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=self._stream())
        status = "succeeded" if self.streamed_all else "running"
        return httpx.Response(200, json={"id": JOB_ID, "object": "fine_tuning.job", "status": status})

    def _stream(self):
        shown = self.events[: self.per_look * self.looks]
        for position, item in enumerate(shown):
            if self.looks == self.cut_on_look and position == 1:
                raise httpx.ReadError("connection reset by peer")
            self.pulled.append(item.get("id") or item["message"])
            yield f"data: {json.dumps(item)}\n\n".encode()
        self.streamed_all = len(shown) >= len(self.events)
        if self.done:
            yield b"data: [DONE]\n\n"


def watching(server, **kwargs):
    client = ow.Client(
        api_key=TEST_KEY, base_url="https://llm.test/v1", transport=httpx.MockTransport(server)
    )
    return client, client.watch_fine_tuning(JOB_ID, poll_interval=0.001, **kwargs)


@pytest.mark.parametrize("done", [False, True])
def test_a_streamed_events_endpoint_is_followed_event_by_event(spec, done):
    server = StreamingEvents(done=done)
    client, updates = watching(server)
    seen = []
    with client:
        for update in updates:
            seen.append(([e["id"] for e in update.new_events], list(server.pulled), update.status))
    for item in EVENTS:
        spec.validate_schema("FineTuningJobEvent", item)
    new = [ids for ids, _, _ in seen if ids]
    assert new == [["ftevent-1"], ["ftevent-2"], ["ftevent-3"], ["ftevent-4"]]  # each once, in order
    # Shown as it arrived: the update for the first event came before the second was read.
    first = next(pulled for ids, pulled, _ in seen if ids == ["ftevent-1"])
    assert first == ["ftevent-1"]
    assert seen[-1][2] == "succeeded"
    frame = update.frame()
    assert frame["message"].tolist() == [e["message"] for e in EVENTS]  # oldest first
    assert frame["train_loss"].dropna().tolist() == [0.9, 0.4]


def test_follow_draws_streamed_events_in_the_live_view(monkeypatch):
    drawn = []

    class Handle:
        def update(self, view):
            drawn.append(view._repr_mimebundle_()["text/plain"])

    monkeypatch.setattr(live_view, "live_display", lambda view: Handle())
    server = StreamingEvents()
    with ow.Client(
        api_key=TEST_KEY, base_url="https://llm.test/v1", transport=httpx.MockTransport(server)
    ) as c:
        frame = c.fine_tuning_events(JOB_ID, follow=True, poll_interval=0.001)
    assert frame["message"].tolist() == [e["message"] for e in EVENTS]
    assert drawn[-1].startswith(f"{JOB_ID}: succeeded, step 2, train_loss 0.4")
    assert any("running" in text and "Validating training file" in text for text in drawn)


def test_a_cut_events_stream_ends_the_look_and_the_next_one_reconnects():
    server = StreamingEvents(cut_on_look=2)
    client, updates = watching(server)
    with client:
        *_, last = updates
    assert [e["id"] for e in last.events] == ["ftevent-4", "ftevent-3", "ftevent-2", "ftevent-1"]
    assert last.done and server.looks >= 3


def test_events_without_ids_are_told_apart_by_time_and_message():
    bare = [{k: v for k, v in e.items() if k != "id"} for e in EVENTS]
    server = StreamingEvents(events=bare)
    client, updates = watching(server)
    with client:
        *_, last = updates
    assert [e["message"] for e in reversed(last.events)] == [e["message"] for e in EVENTS]


def test_a_list_object_in_the_stream_counts_as_its_events():
    class ListStream(StreamingEvents):
        def _stream(self):
            shown = self.events[: self.per_look * self.looks]
            self.streamed_all = len(shown) >= len(self.events)
            listed = {"object": "list", "data": list(reversed(shown)), "has_more": False}
            yield f"data: {json.dumps(listed)}\n\n".encode()

    client, updates = watching(ListStream())
    with client:
        *_, last = updates
    assert last.frame()["message"].tolist() == [e["message"] for e in EVENTS]


def test_stop_ends_a_watch_while_a_stream_is_open():
    server = StreamingEvents(per_look=4)
    stop = threading.Event()
    client, updates = watching(server, stop=stop)
    seen = []
    with client:
        for update in updates:
            seen.append(update)
            stop.set()
    assert len(seen) == 1 and [e["id"] for e in seen[0].new_events] == ["ftevent-1"]
    assert server.pulled == ["ftevent-1"]  # nothing more was read


def test_an_error_event_in_the_stream_is_raised():
    class Failing(StreamingEvents):
        def _stream(self):
            yield b'data: {"error": {"message": "job not found", "type": "invalid_request_error"}}\n\n'

    client, updates = watching(Failing())
    with client, pytest.raises(ow.APIError, match="mid-stream: job not found"):
        list(updates)
