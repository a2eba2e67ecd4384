"""Streamed responses: the spec's event sequence, each event valid, and the faults a stream can meet."""

from __future__ import annotations

import base64
import io
import time

import httpx
import pytest

from .responses_support import (  # noqa: F401 (http_fixture is the `http` fixture)
    MODEL,
    create,
    http_fixture,
    output_text,
    read_events,
    stream,
    validate_event,
)


def kinds(events):
    return [event["type"] for event in events]


def test_a_text_stream_follows_the_spec_sequence(http, spec):
    events = stream(http, spec, {"model": MODEL, "input": "Hello stream"})
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert kinds(events) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * len(deltas),
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert len(deltas) > 5
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert events[0]["response"]["status"] == "in_progress" and events[0]["response"]["output"] == []
    done = events[-1]["response"]
    text = "".join(e["delta"] for e in deltas)
    assert (
        text
        == output_text(done)
        == next(e["text"] for e in events if e["type"] == "response.output_text.done")
    )
    assert text.startswith('[sandbox] You said: "Hello stream".')
    # The streamed response is stored like any other.
    assert http.get(f"/responses/{done['id']}").json() == done


def test_function_call_arguments_stream_in_pieces(http, spec):
    tools = [
        {
            "type": "function",
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
            "strict": False,
        }
    ]
    events = stream(http, spec, {"model": MODEL, "input": "get_weather for Paris", "tools": tools})
    assert kinds(events)[2:] == [
        "response.output_item.added",
        *["response.function_call_arguments.delta"] * (len(events) - 6),
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    added = events[2]["item"]
    assert added["arguments"] == "" and added["status"] == "in_progress"
    arguments = "".join(e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta")
    done = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert arguments == done["arguments"] == '{"city": "Paris"}'
    assert done["name"] == "get_weather"


def test_reasoning_and_web_search_stream_their_own_events(http, spec):
    body = {
        "model": "o3-mini",
        "input": "Search the web for kittens",
        "tools": [{"type": "web_search"}],
        "reasoning": {"summary": "auto"},
    }
    events = stream(http, spec, body)
    order = [kind for kind in kinds(events) if not kind.endswith(".delta")]
    assert order == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.annotation.added",
        "response.output_text.annotation.added",
        "response.output_text.annotation.added",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    summary = "".join(e["delta"] for e in events if e["type"] == "response.reasoning_summary_text.delta")
    assert summary == '[sandbox] **Reading the request** The question is: "Search the web for kittens".'
    final = events[-1]["response"]["output"][-1]["content"][0]
    added = [e["annotation"] for e in events if e["type"] == "response.output_text.annotation.added"]
    assert added == final["annotations"]
    assert [
        e["annotation_index"] for e in events if e["type"] == "response.output_text.annotation.added"
    ] == [0, 1, 2]


def test_code_interpreter_streams_its_code(http, spec):
    body = {
        "model": MODEL,
        "input": "Calculate the sum of 2 and 5",
        "tools": [{"type": "code_interpreter", "container": {"type": "auto"}}],
    }
    events = stream(http, spec, body)
    call = events[-1]["response"]["output"][0]
    code = "".join(e["delta"] for e in events if e["type"] == "response.code_interpreter_call_code.delta")
    assert code == call["code"] and "numbers = [2, 5]" in code
    tool_kinds = [k for k in kinds(events) if k.startswith("response.code_interpreter_call")]
    assert tool_kinds[0] == "response.code_interpreter_call.in_progress"
    assert tool_kinds[-3:] == [
        "response.code_interpreter_call_code.done",
        "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed",
    ]


def test_image_generation_streams_partial_images(http, spec):
    from PIL import Image

    body = {
        "model": MODEL,
        "input": "Draw a lighthouse",
        "tools": [{"type": "image_generation", "partial_images": 2, "size": "1024x1024"}],
    }
    events = stream(http, spec, body)
    image_kinds = [k for k in kinds(events) if k.startswith("response.image_generation_call")]
    assert image_kinds == [
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
        "response.image_generation_call.partial_image",
        "response.image_generation_call.partial_image",
        "response.image_generation_call.completed",
    ]
    partials = [e for e in events if e["type"] == "response.image_generation_call.partial_image"]
    assert [p["partial_image_index"] for p in partials] == [0, 1]
    final = Image.open(io.BytesIO(base64.b64decode(events[-1]["response"]["output"][0]["result"])))
    for partial in partials:
        picture = Image.open(io.BytesIO(base64.b64decode(partial["partial_image_b64"])))
        assert picture.size == final.size == (1024, 1024)
    # The picture depends on the prompt only: the whole answer has the same one.
    whole = create(http, spec, body)
    assert whole["output"][0]["result"] == events[-1]["response"]["output"][0]["result"]


def test_mcp_streams_the_listing_and_the_call(http, spec):
    tool = {
        "type": "mcp",
        "server_label": "wiki",
        "server_url": "https://mcp.example/mcp",
        "require_approval": "never",
    }
    events = stream(http, spec, {"model": MODEL, "input": "Use search for otters", "tools": [tool]})
    mcp_kinds = [k for k in kinds(events) if k.startswith("response.mcp")]
    assert mcp_kinds == [
        "response.mcp_list_tools.in_progress",
        "response.mcp_list_tools.completed",
        "response.mcp_call.in_progress",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.completed",
    ]


def test_a_cut_response_ends_incomplete(http, spec):
    events = stream(http, spec, {"model": MODEL, "input": "A long answer please", "max_output_tokens": 16})
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}


def test_the_failed_response_fault_ends_a_stream_with_response_failed(http, sandbox, spec):
    sandbox.inject("failed_response", path="/responses")
    events = stream(http, spec, {"model": MODEL, "input": "fail please"})
    assert kinds(events) == ["response.created", "response.in_progress", "response.failed"]
    failed = events[-1]["response"]
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "server_error"
    sandbox.inject("failed_response", path="/responses")
    whole = create(http, spec, {"model": MODEL, "input": "fail again"})
    assert whole["status"] == "failed" and whole["output"] == []


def test_cut_stream_faults_apply(http, sandbox, spec):
    sandbox.inject("cut_stream", path="/responses", after=3)
    with (
        pytest.raises(httpx.HTTPError),
        http.stream("POST", "/responses", json={"model": MODEL, "input": "hi", "stream": True}) as answer,
    ):
        list(answer.iter_lines())
    (logged,) = sandbox.requests_to("/responses", "POST")
    assert logged.events_sent == 3 and logged.stream_completed is False


def test_stream_interval_spaces_the_events(http, sandbox, spec):
    sandbox.configure(stream_interval=0.01)
    started = time.monotonic()
    events = stream(http, spec, {"model": MODEL, "input": "slowly"})
    assert time.monotonic() - started >= 0.01 * (len(events) - 1)


def test_a_stored_response_streams_again_from_a_sequence_number(http, spec):
    events = stream(http, spec, {"model": MODEL, "input": "replay me"})
    response_id = events[-1]["response"]["id"]
    with http.stream(
        "GET", f"/responses/{response_id}", params={"stream": "true", "starting_after": 3}
    ) as answer:
        again = read_events(answer.iter_lines())
    for event in again:
        validate_event(spec, event)
    assert again == events[4:]


def test_a_streamed_background_response_starts_queued(http, spec):
    events = stream(http, spec, {"model": MODEL, "input": "later", "background": True})
    assert kinds(events)[:3] == ["response.created", "response.queued", "response.in_progress"]
    assert events[0]["response"]["status"] == "queued" and events[0]["response"]["background"] is True
    assert events[-1]["type"] == "response.completed"
