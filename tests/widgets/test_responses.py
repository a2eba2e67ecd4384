"""The Responses panel, driven through its traits: one respond() call per Send, the reply streamed with
its tool trace, sources, images and usage; attachments, tools, schema and continuation from the controls."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from PIL import Image

import openai_widgets as ow
from openai_widgets.widgets import ResponsesPanel
from tests.support.responses import bodies_sent

MODIFIED = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def panel(client):
    return ResponsesPanel(client=client)


def upload_value(name: str, data: bytes) -> dict:
    return {
        "name": name,
        "type": "",
        "size": len(data),
        "content": memoryview(data),
        "last_modified": MODIFIED,
    }


def test_send_makes_one_respond_call_and_shows_the_reply(panel, sandbox, spec):
    panel.message.value = "Hello there"
    panel.instructions.value = "Be kind."
    panel.stream.value = False
    panel.send_button.click()
    assert isinstance(panel.result, ow.Response), panel.status.value
    (body,) = bodies_sent(sandbox, spec)
    assert body == {"model": "gpt-4.1-mini", "input": "Hello there", "instructions": "Be kind."}
    assert "You said: &quot;Hello there&quot;" in panel.reply.value
    assert panel.usage.value.endswith("· gpt-4.1-mini · completed")
    assert panel.trace.value == "" and panel.sources.value == ""


def test_a_streamed_reply_grows_in_place_with_its_tool_trace(panel, sandbox):
    sandbox.configure(stream_interval=0.01)
    seen = []
    panel.reply.observe(lambda change: seen.append(change["new"]), names="value")
    traces = []
    panel.trace.observe(lambda change: traces.append(change["new"]), names="value")
    panel.message.value = "Search the web for the latest lighthouse news"
    panel.tool_boxes["web_search"].value = True
    panel.submit()
    result = panel.result
    assert len([s for s in seen if "▌" in s]) >= 2  # it streamed
    assert seen[-1].count("▌") == 0 and "Web results for" in seen[-1]
    assert any("(in_progress)" in t or "(searching)" in t for t in traces)  # the call shown as it started
    assert "⚙ web search <code>Search the web for the latest lighthouse news</code> (completed)" in traces[-1]
    assert panel.sources.value.count("<li><a href='https://sandbox.invalid/web/") == 3
    assert len(result.citations) == 3


def test_python_functions_of_the_notebook_run_and_show_in_the_trace(ip, connected, sandbox):
    def get_weather(city: str) -> str:
        """Weather in a city."""
        return f"snow in {city}"

    ip.user_ns["get_weather"] = get_weather
    panel = ResponsesPanel()
    panel.functions.value = "get_weather"
    panel.message.value = "Use get_weather for Oslo"
    panel.submit()
    assert '⚙ <code>get_weather(city="Oslo")</code> → <code>snow in Oslo</code>' in panel.trace.value
    assert "2 rounds" in panel.usage.value
    panel.functions.value = "nothing_here"
    panel.submit()
    assert "no function named &#x27;nothing_here&#x27; in the notebook" in panel.status.value


def test_attachments_go_with_the_message(panel, sandbox, spec):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2)).save(buffer, format="PNG")
    panel.attachments.value = (upload_value("pic.png", buffer.getvalue()), upload_value("notes.txt", b"hi"))
    panel.message.value = "What are these?"
    panel.submit()
    (body,) = bodies_sent(sandbox, spec)
    parts = body["input"][0]["content"]
    assert [part["type"] for part in parts] == ["input_text", "input_image", "input_file"]
    assert parts[2]["filename"] == "notes.txt"
    assert "I see 1 image" in panel.result.text


def test_file_search_needs_a_store_and_sends_it(panel, sandbox, spec, client):
    panel.message.value = "What do my files say?"
    panel.tool_boxes["file_search"].value = True
    panel.submit()
    assert "file search needs a vector store" in panel.status.value
    assert sandbox.requests == []
    store = client.create_vector_store("notes")
    panel.vector_store_ids.value = store["id"]
    panel.submit()
    body = bodies_sent(sandbox, spec)[0]
    assert body["tools"] == [{"type": "file_search", "vector_store_ids": [store["id"]]}]


def test_the_schema_is_json_or_a_class_of_the_notebook(ip, connected, sandbox, spec):
    @dataclasses.dataclass
    class City:
        name: str
        population: int

    ip.user_ns["City"] = City
    panel = ResponsesPanel()
    panel.message.value = "Oslo has 709000 people"
    panel.schema.value = "City"
    panel.submit()
    assert isinstance(panel.result.parsed, City)
    panel.schema.value = '{"type": "object", "properties": {"city": {"type": "string"}}}'
    panel.submit()
    assert set(panel.result.parsed) == {"city"}
    formats = [body["text"]["format"]["name"] for body in bodies_sent(sandbox, spec)]
    assert formats == ["City", "response"]
    assert "&quot;city&quot;" in panel.reply.value
    panel.schema.value = "{oops"
    panel.submit()
    assert "schema is not valid JSON" in panel.status.value


def test_continue_carries_on_from_the_last_reply(panel, sandbox, spec):
    panel.continue_thread.value = True
    panel.message.value = "hi"
    panel.submit()
    assert "there is no reply to continue yet" in panel.status.value
    panel.continue_thread.value = False
    panel.submit()
    first = panel.result
    panel.continue_thread.value = True
    panel.message.value = "and again"
    panel.submit()
    assert bodies_sent(sandbox, spec)[1]["previous_response_id"] == first.id
    assert "This is turn 2" in panel.result.text


def test_generated_images_show_in_the_panel(panel):
    panel.message.value = "Draw a picture of a cat"
    panel.tool_boxes["image_generation"].value = True
    panel.submit()
    (image,) = panel.images.children
    assert image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_empty_message_costs_no_request(panel, sandbox):
    panel.submit()
    assert "InvalidInputError" in panel.status.value and "the message is empty" in panel.status.value
    assert sandbox.requests == []


def test_a_cut_stream_keeps_the_partial_reply(panel, sandbox):
    sandbox.configure(stream_interval=0.01)
    sandbox.inject("cut_stream", path="/responses", after=8)
    panel.message.value = "Hello there"
    panel.submit()
    assert "StreamInterruptedError" in panel.status.value
    assert "(interrupted: partial reply)" in panel.reply.value
