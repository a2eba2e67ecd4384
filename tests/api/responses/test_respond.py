"""respond(): the body sent (checked against the spec), input forms, the Response's parts and display,
and the calls around a stored response (get, delete, cancel, input items, token counts, compaction)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from PIL import Image

import openai_widgets as ow
from openai_widgets._core.constants import DEFAULT_MODELS
from openai_widgets._responses.items import CITATION_COLUMNS, ITEM_COLUMNS
from tests.conftest import TEST_KEY
from tests.support.responses import bodies_sent


def png_bytes(size=(3, 2)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_plain_answer_and_the_body_sent(sandbox, client, spec):
    result = client.respond("Hello there", instructions="Be kind.", temperature=0.3, metadata={"run": "1"})
    (body,) = bodies_sent(sandbox, spec)
    assert body == {
        "model": DEFAULT_MODELS["respond"],
        "input": "Hello there",
        "instructions": "Be kind.",
        "temperature": 0.3,
        "metadata": {"run": "1"},
    }
    assert isinstance(result, ow.Response)
    assert result.text.startswith('[sandbox] You said: "Hello there".')
    assert result.id.startswith("resp_") and result.status == "completed"
    assert result.model == DEFAULT_MODELS["respond"]
    assert result.usage["total_tokens"] == result.usage["input_tokens"] + result.usage["output_tokens"] > 0
    assert result.parsed is None and result.data is None and result.reasoning == ""
    assert str(result) == result.text
    assert result.request["instructions"] == "Be kind." and "input" not in result.request
    spec.validate_response("POST", "/responses", dict(result.raw))


def test_the_output_frame_has_stable_columns(client):
    result = client.respond("Hello there")
    frame = result.output
    assert list(frame.columns) == ["round", *ITEM_COLUMNS]
    assert frame["round"].dtype == "int64"
    assert frame.loc[0, "type"] == "message" and frame.loc[0, "role"] == "assistant"
    assert frame.loc[0, "text"] == result.text
    empty = result.citations
    assert list(empty.columns) == list(CITATION_COLUMNS) and len(empty) == 0
    assert str(empty["start"].dtype) == "Int64"


def test_messages_images_paths_file_ids_and_file_objects_become_input_items(sandbox, client, spec, tmp_path):
    picture = tmp_path / "pic.png"
    picture.write_bytes(png_bytes())
    notes = tmp_path / "notes.txt"
    notes.write_text("some notes")
    handle = io.BytesIO(b"%PDF-1.4 sandbox")
    handle.name = "report.pdf"
    uploaded = client.upload_file(b"hello", "user_data", filename="hello.txt")
    result = client.respond(
        ["What is in these?", Image.new("RGB", (4, 4)), str(picture), notes, uploaded["id"], handle]
    )
    (body,) = bodies_sent(sandbox, spec)
    (message,) = body["input"]
    parts = message["content"]
    assert message["role"] == "user"
    assert [p["type"] for p in parts] == [
        "input_text",
        "input_image",
        "input_image",
        "input_file",
        "input_file",
        "input_file",
    ]
    assert parts[1]["image_url"].startswith("data:image/png;base64,") and parts[1]["detail"] == "auto"
    assert parts[3]["filename"] == "notes.txt" and parts[3]["file_data"].startswith("data:text/plain;base64,")
    assert parts[4] == {"type": "input_file", "file_id": uploaded["id"]}
    assert parts[5]["filename"] == "report.pdf"
    assert parts[5]["file_data"].startswith("data:application/pdf;base64,")
    assert "I see 2 images" in result.text and "I read 3 files" in result.text


def test_a_conversation_given_as_messages(sandbox, client, spec):
    client.respond(
        [
            {"role": "developer", "content": "Reverse the words."},
            {"role": "user", "content": ["one two three"]},
        ]
    )
    (body,) = bodies_sent(sandbox, spec)
    assert body["input"] == [
        {"role": "developer", "content": "Reverse the words."},
        {"role": "user", "content": [{"type": "input_text", "text": "one two three"}]},
    ]


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ("", ow.InvalidInputError, "input is empty; write the message"),
        ([], ow.InvalidInputError, "input is an empty list"),
        (42, ow.InvalidTypeError, "input must be text, a message dict"),
        ([{"role": "robot", "content": "hi"}], ow.InvalidInputError, "input[0].role 'robot' is not a role"),
        ([{"role": "user", "content": "  "}], ow.InvalidInputError, "input[0].content is empty"),
        (
            ["text", {"role": "user", "content": "x"}],
            ow.InvalidInputError,
            "input mixes items and plain content",
        ),
        (
            [{"role": "assistant", "content": [Image.new("RGB", (2, 2))]}],
            ow.InvalidInputError,
            "only user messages may hold them",
        ),
    ],
)
def test_bad_input_is_refused_before_sending(sandbox, client, given, error, message):
    with pytest.raises(error) as info:
        client.respond(given)
    assert message in str(info.value)
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.respond("hi", model=""), "model is empty"),
        (lambda c: c.respond("hi", conversation="conv_1", previous_response_id="resp_1"), "not both"),
        (lambda c: c.respond("hi", background=True, store=False), "must be stored"),
        (lambda c: c.respond("hi", reasoning="lots"), "reasoning 'lots' is not one of"),
        (lambda c: c.respond("hi", temperature=3), "temperature must be between 0 and 2"),
        (lambda c: c.respond("hi", max_output_tokens=5), "max_output_tokens must be 16 or more"),
        (lambda c: c.respond("hi", max_tool_rounds=-1), "max_tool_rounds must be between 0 and 100"),
        (lambda c: c.respond("hi", tools=["file_search"]), "file_search searches vector stores"),
        (lambda c: c.respond("hi", tools=["teleport"]), "'teleport' is not a built-in tool"),
        (lambda c: c.respond("hi", tools=["mcp"]), "an MCP tool needs its server"),
        (lambda c: c.respond("hi", confirm="maybe"), "confirm must be True, False or a function"),
        (lambda c: c.respond("hi", stream="yes"), "stream must be True or False"),
    ],
)
def test_bad_settings_are_refused_before_sending(sandbox, client, call, message):
    with pytest.raises((ow.InvalidInputError, ow.InvalidTypeError)) as info:
        call(client)
    assert message in str(info.value)
    assert sandbox.requests == []


def test_reasoning_effort_asks_for_a_summary(sandbox, client, spec):
    result = client.respond("Why is the sky blue?", "o4-mini", reasoning="high")
    (body,) = bodies_sent(sandbox, spec)
    assert body["reasoning"] == {"effort": "high", "summary": "auto"}
    assert result.reasoning.startswith(
        '[sandbox] **Reading the request** The question is: "Why is the sky blue?"'
    )
    assert result.usage["output_tokens_details"]["reasoning_tokens"] == 256
    markdown = result.markdown()
    assert markdown.startswith("<details><summary>Reasoning</summary>")
    assert result.output["type"].tolist() == ["reasoning", "message"]


def test_a_reasoning_setting_on_a_model_without_it_is_the_servers_400(client):
    with pytest.raises(ow.BadRequestError, match="reasoning.effort"):
        client.respond("hi", "gpt-4o-mini", reasoning="low")


def test_an_incomplete_answer_says_so(client):
    result = client.respond("Tell me a long story about the sea", max_output_tokens=16)
    assert result.status == "incomplete"
    assert result.markdown().endswith(
        "*(incomplete: max_output_tokens; raise max_output_tokens for the rest)*"
    )


def test_a_failed_response_raises_with_the_partial(sandbox, client):
    sandbox.inject("failed_response", path="/responses")
    with pytest.raises(ow.ResponseFailedError, match="failed: server_error") as info:
        client.respond("hello")
    assert isinstance(info.value, ow.APIError)
    assert info.value.code == "server_error"
    assert info.value.partial.status == "failed"
    assert "failed: server_error" in info.value.partial.markdown()


def test_previous_response_id_continues_the_thread(sandbox, client, spec):
    first = client.respond("My name is Ada.")
    second = client.respond("What is it?", previous_response_id=first.id)
    bodies = bodies_sent(sandbox, spec)
    assert bodies[1]["previous_response_id"] == first.id
    assert 'This is turn 2 of this conversation; it began with "My name is Ada."' in second.text


# -- display ----------------------------------------------------------------------------------


def test_markdown_links_citations_and_the_plain_text_lists_sources(client):
    result = client.respond("Search the web for news about pandas", tools=["web_search"])
    citations = result.citations
    assert len(citations) == 3
    assert citations["url"].str.startswith("https://sandbox.invalid/web/").all()
    first = citations.iloc[0]
    assert result.text[first["start"] : first["end"]] == first["title"] == first["text"]
    markdown = result.markdown()
    assert f"[{first['title']}]({first['url']})" in markdown
    assert "- ⚙ web search `Search the web for news about pandas` (completed)" in markdown
    assert "**Sources**\n\n1. [" in markdown
    plain = result.plain()
    assert plain.startswith("[sandbox] Web results") and "\n\nSources:\n[1] Sandbox result 1" in plain
    bundle, metadata = result._repr_mimebundle_()
    assert bundle["text/markdown"] == markdown and bundle["text/plain"] == plain
    assert metadata["openai_widgets"]["id"] == result.id
    assert "Response(id='resp_" in repr(result)


def test_a_notebook_shows_the_markdown_then_the_images(ip, connected):
    from IPython.utils.capture import capture_output

    result = connected.respond("Draw an image of a lighthouse", tools=["image_generation"])
    with capture_output() as captured:
        result._ipython_display_()
    markdown, images = captured.outputs
    assert "image generation" in markdown.data["text/markdown"]
    assert "<img" in images.data["text/html"]


# -- the calls around a stored response ---------------------------------------------------------


def test_response_delete_and_input_items(sandbox, client, spec):
    colour = {"type": "object", "properties": {"colour": {"type": "string"}}}
    made = client.respond(["Describe this", Image.new("RGB", (2, 2))], text_format=colour)
    again = client.response(made.id)
    assert isinstance(again, ow.Response) and again.text == made.text
    assert again.parsed == made.parsed == json.loads(made.text)  # the stored JSON schema parses too
    items = client.response_input_items(made.id)
    assert list(items.columns) == list(ITEM_COLUMNS)
    assert items["role"].tolist() == ["user"] and items.loc[0, "text"] == "Describe this [image]"
    (listing,) = sandbox.requests_to(f"/responses/{made.id}/input_items")
    assert listing.query["order"] == ["asc"]
    deleted = client.delete_response(made.id)
    assert deleted == {"id": made.id, "object": "response.deleted", "deleted": True}
    with pytest.raises(ow.NotFoundError):
        client.response(made.id)


def test_count_input_tokens_sends_only_what_counts(sandbox, client, spec):
    def lookup(term: str) -> str:
        """Look a term up."""
        return term

    tokens = client.count_input_tokens(
        "Hello there", instructions="Be brief.", tools=[lookup, "web_search"], temperature=0.5, store=False
    )
    (logged,) = sandbox.requests_to("/responses/input_tokens")
    body = logged.json()
    spec.validate_request("POST", "/responses/input_tokens", body)
    assert set(body) == {"model", "input", "instructions", "tools"}
    assert isinstance(tokens, int) and tokens > client.count_input_tokens("Hello there")


def test_compact_response_from_a_response_or_an_input(sandbox, client, spec):
    first = client.respond("My name is Ada.")
    second = client.respond("What is it?", previous_response_id=first.id)
    compacted = client.compact_response(second)
    assert isinstance(compacted, ow.Record) and compacted["object"] == "response.compaction"
    kinds = [item["type"] for item in compacted["output"]]
    assert kinds == ["message", "message", "compaction"]
    body = sandbox.requests_to("/responses/compact")[0].json()
    spec.validate_request("POST", "/responses/compact", body)
    assert body == {"model": DEFAULT_MODELS["respond"], "previous_response_id": second.id}
    later = client.respond([*compacted["output"], {"role": "user", "content": "And now?"}])
    assert 'it began with "My name is Ada."' in later.text  # the compacted context went in
    with pytest.raises(ow.InvalidInputError, match="give the context to compact"):
        client.compact_response()


def test_cancel_needs_a_background_response(client):
    made = client.respond("hello")
    with pytest.raises(ow.BadRequestError, match="only responses created with background=true"):
        client.cancel_response(made.id)


def test_ids_are_checked_before_sending(sandbox, client):
    for call in (
        client.response,
        client.delete_response,
        client.cancel_response,
        client.response_input_items,
    ):
        with pytest.raises(ow.InvalidInputError):
            call(" ")
        with pytest.raises(ow.InvalidTypeError):
            call(42)
    assert sandbox.requests == []


def test_the_key_is_in_no_display(client):
    result = client.respond("Search the web for cats", tools=["web_search"])
    shown = repr(result) + str(result) + result.markdown() + json.dumps(result.metadata())
    assert TEST_KEY not in shown
    assert isinstance(result.output, pd.DataFrame)
