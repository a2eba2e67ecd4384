"""POST /responses and the routes around it: shapes, history, storage, lists, token counts, errors."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest

from .responses_support import (  # noqa: F401 (http_fixture is the `http` fixture)
    MODEL,
    create,
    error_of,
    http_fixture,
    of_type,
    output_text,
    validate_request,
)


@pytest.fixture
def png_url():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3, 2)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_text_response_has_the_spec_shape_and_usage(http, spec):
    response = create(http, spec, {"model": MODEL, "input": "Hello there", "metadata": {"run": "1"}})
    assert response["id"].startswith("resp_")
    assert response["status"] == "completed"
    assert response["metadata"] == {"run": "1"}
    (message,) = response["output"]
    assert message["id"].startswith("msg_") and message["role"] == "assistant"
    assert output_text(response).startswith('[sandbox] You said: "Hello there".')
    usage = response["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}
    assert usage["output_tokens_details"] == {"reasoning_tokens": 0}
    # A sandbox token is a word or a punctuation mark.
    assert usage["output_tokens"] == len(re.findall(r"\w+|[^\w\s]", output_text(response)))


def test_the_same_request_gets_the_same_text(http, spec):
    body = {"model": MODEL, "input": "Say it again"}
    assert output_text(create(http, spec, body)) == output_text(create(http, spec, body))


def test_previous_response_id_continues_the_history(http, spec):
    first = create(http, spec, {"model": MODEL, "input": "My name is Ada."})
    second = create(http, spec, {"model": MODEL, "input": "What is it?", "previous_response_id": first["id"]})
    third = create(http, spec, {"model": MODEL, "input": "Once more", "previous_response_id": second["id"]})
    assert second["previous_response_id"] == first["id"]
    assert 'This is turn 2 of this conversation; it began with "My name is Ada."' in output_text(second)
    assert "This is turn 3 of this conversation" in output_text(third)
    # The history counts as input: each turn reads more tokens than the one before.
    assert first["usage"]["input_tokens"] < second["usage"]["input_tokens"] < third["usage"]["input_tokens"]


def test_instructions_and_developer_messages_apply_edits(http, spec):
    upper = create(http, spec, {"model": MODEL, "input": "make me loud", "instructions": "Use upper case."})
    assert output_text(upper) == "[sandbox] MAKE ME LOUD"
    assert upper["instructions"] == "Use upper case."
    body = {
        "model": MODEL,
        "input": [
            {"role": "developer", "content": "Reverse the words."},
            {"role": "user", "content": [{"type": "input_text", "text": "one two three"}]},
        ],
    }
    assert output_text(create(http, spec, body)) == "[sandbox] three two one"


def test_images_and_files_in_the_input_are_described(http, spec, png_url):
    content = [
        {"type": "input_text", "text": "What is in these?"},
        {"type": "input_image", "image_url": png_url, "detail": "low"},
        {"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "auto"},
        {"type": "input_file", "filename": "notes.txt", "file_data": "data:text/plain;base64,aGk="},
    ]
    response = create(http, spec, {"model": MODEL, "input": [{"role": "user", "content": content}]})
    assert output_text(response).startswith(
        "[sandbox] I see 2 images (3x2, remote). I read 1 file (notes.txt)."
    )
    text_only = create(http, spec, {"model": MODEL, "input": [{"role": "user", "content": content[:1]}]})
    # Each image costs 85 input tokens, as in the chat route.
    assert response["usage"]["input_tokens"] - text_only["usage"]["input_tokens"] >= 170


def test_stored_responses_are_retrieved_and_deleted(http, spec):
    response = create(http, spec, {"model": MODEL, "input": "keep me"})
    got = http.get(f"/responses/{response['id']}")
    spec.validate_response("GET", f"/responses/{response['id']}", got.json())
    assert got.json() == response
    deleted = http.delete(f"/responses/{response['id']}").json()
    assert deleted == {"id": response["id"], "object": "response.deleted", "deleted": True}
    error = error_of(http.get(f"/responses/{response['id']}"), 404)
    assert error["message"] == f"Response with id '{response['id']}' not found."
    assert error["type"] == "invalid_request_error"


def test_store_false_is_not_kept(http, spec):
    response = create(http, spec, {"model": MODEL, "input": "forget me", "store": False})
    assert response["store"] is False
    error_of(http.get(f"/responses/{response['id']}"), 404)
    follow = http.post(
        "/responses", json={"model": MODEL, "input": "x", "previous_response_id": response["id"]}
    )
    assert error_of(follow, 404)["param"] == "previous_response_id"


def test_max_output_tokens_cuts_the_message(http, spec):
    response = create(http, spec, {"model": MODEL, "input": "Tell me a long story", "max_output_tokens": 16})
    assert response["status"] == "incomplete"
    assert response["incomplete_details"] == {"reason": "max_output_tokens"}
    assert response["output"][0]["status"] == "incomplete"
    assert response["usage"]["output_tokens"] == 16
    assert output_text(response) == '[sandbox] You said: "Tell me a long story". This is'


def test_reasoning_models_add_a_reasoning_item_with_a_summary(http, spec):
    body = {
        "model": "o3-mini",
        "input": "Why is the sky blue?",
        "reasoning": {"effort": "low", "summary": "detailed"},
    }
    response = create(http, spec, body)
    reasoning, _message = response["output"]
    assert reasoning["type"] == "reasoning" and reasoning["id"].startswith("rs_")
    assert [part["text"] for part in reasoning["summary"]] == [
        '[sandbox] **Reading the request** The question is: "Why is the sky blue?".',
        "[sandbox] **Planning** I will answer in plain text.",
    ]
    assert response["reasoning"] == {"effort": "low", "summary": "detailed"}
    assert response["usage"]["output_tokens_details"]["reasoning_tokens"] == 64
    plain = create(http, spec, {"model": "gpt-5", "input": "Why?"})
    assert plain["output"][0]["summary"] == []  # a summary only when asked for
    assert plain["reasoning"] == {"effort": "medium", "summary": None}
    assert plain["usage"]["output_tokens_details"]["reasoning_tokens"] == 128
    # Reasoning tokens count against max_output_tokens: with too few there is no message at all.
    starved = create(http, spec, {"model": "o3-mini", "input": "Why?", "max_output_tokens": 100})
    assert starved["status"] == "incomplete" and of_type(starved, "message") == []


def test_logprobs_are_included_when_asked(http, spec):
    body = {"model": MODEL, "input": "hi", "include": ["message.output_text.logprobs"], "top_logprobs": 2}
    part = create(http, spec, body)["output"][0]["content"][0]
    assert "".join(entry["token"] for entry in part["logprobs"]) == part["text"]
    assert all(len(entry["top_logprobs"]) == 2 for entry in part["logprobs"])


def test_input_items_are_listed_newest_first_and_paged(http, spec):
    items = [{"role": "user", "content": f"message {n}"} for n in range(5)]
    response = create(http, spec, {"model": MODEL, "input": items})
    path = f"/responses/{response['id']}/input_items"
    first = http.get(path, params={"limit": 2}).json()
    spec.validate_response("GET", path, first)
    texts = [item["content"][0]["text"] for item in first["data"]]
    assert texts == ["message 4", "message 3"]
    assert first["has_more"] is True and first["last_id"] == first["data"][-1]["id"]
    rest = http.get(path, params={"limit": 10, "after": first["last_id"]}).json()
    assert [item["content"][0]["text"] for item in rest["data"]] == ["message 2", "message 1", "message 0"]
    assert rest["has_more"] is False
    ascending = http.get(path, params={"order": "asc"}).json()
    assert [item["content"][0]["text"] for item in ascending["data"]] == [f"message {n}" for n in range(5)]
    assert all(item["id"].startswith("msg_") and item["status"] == "completed" for item in ascending["data"])
    assert error_of(http.get(path, params={"order": "up"}), 400)["param"] == "order"


def test_input_tokens_counts_as_create_does(http, spec):
    tools = [
        {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}, "strict": False}
    ]
    body = {"model": MODEL, "input": "How many tokens is this?", "instructions": "Be brief.", "tools": tools}
    validate_request(spec, "POST", "/responses/input_tokens", body)
    counted = http.post("/responses/input_tokens", json=body).json()
    spec.validate_response("POST", "/responses/input_tokens", counted)
    created = create(http, spec, body)
    assert counted == {"object": "response.input_tokens", "input_tokens": created["usage"]["input_tokens"]}
    follow = {"model": MODEL, "input": "more", "previous_response_id": created["id"]}
    assert (
        http.post("/responses/input_tokens", json=follow).json()["input_tokens"]
        == create(http, spec, follow)["usage"]["input_tokens"]
    )


def test_compaction_keeps_the_user_messages_and_the_turn_count(http, spec):
    first = create(http, spec, {"model": MODEL, "input": "First question"})
    second = create(
        http, spec, {"model": MODEL, "input": "Second question", "previous_response_id": first["id"]}
    )
    body = {"model": MODEL, "previous_response_id": second["id"]}
    validate_request(spec, "POST", "/responses/compact", body)
    compacted = http.post("/responses/compact", json=body).json()
    spec.validate_response("POST", "/responses/compact", compacted)
    assert compacted["object"] == "response.compaction"
    *kept, compaction = compacted["output"]
    assert [item["content"][0]["text"] for item in kept] == ["First question", "Second question"]
    assert compaction["type"] == "compaction"
    # The compacted window goes on where the long one stopped.
    again = create(http, spec, {"model": MODEL, "input": [compaction, {"role": "user", "content": "Third"}]})
    assert 'This is turn 3 of this conversation; it began with "First question"' in output_text(again)


def test_item_references_bring_back_stored_items(http, spec):
    first = create(http, spec, {"model": MODEL, "input": "remember this"})
    (stored,) = http.get(f"/responses/{first['id']}/input_items").json()["data"]
    body = {
        "model": MODEL,
        "input": [{"type": "item_reference", "id": stored["id"]}, {"role": "user", "content": "and?"}],
    }
    assert 'it began with "remember this"' in output_text(create(http, spec, body))
    missing = {"model": MODEL, "input": [{"type": "item_reference", "id": "msg_nope"}]}
    assert error_of(http.post("/responses", json=missing), 404)["param"] == "input[0].id"


def test_responses_lines_run_in_a_batch(http, sandbox, spec):
    lines = [
        {
            "custom_id": f"r{n}",
            "method": "POST",
            "url": "/v1/responses",
            "body": {"model": MODEL, "input": f"row {n}"},
        }
        for n in range(2)
    ]
    content = "".join(json.dumps(line) + "\n" for line in lines).encode()
    upload = http.post("/files", data={"purpose": "batch"}, files={"file": ("in.jsonl", content)}).json()
    batch = http.post(
        "/batches",
        json={"input_file_id": upload["id"], "endpoint": "/v1/responses", "completion_window": "24h"},
    ).json()
    import time

    for _ in range(100):
        batch = http.get(f"/batches/{batch['id']}").json()
        if batch["status"] == "completed":
            break
        time.sleep(0.05)
    assert batch["request_counts"] == {"total": 2, "completed": 2, "failed": 0}
    rows = [
        json.loads(line) for line in http.get(f"/files/{batch['output_file_id']}/content").text.splitlines()
    ]
    for row in rows:
        spec.validate_response("POST", "/responses", row["response"]["body"])
    assert [output_text(row["response"]["body"]) for row in rows] == [
        '[sandbox] You said: "row 0". This is a deterministic reply from the local sandbox, not a model; '
        "connect with an API key for real answers.",
        '[sandbox] You said: "row 1". This is a deterministic reply from the local sandbox, not a model; '
        "connect with an API key for real answers.",
    ]


SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
    "required": ["city", "population"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("change", "status", "param", "message"),
    [
        ({"model": "gpt-unknown"}, 404, "model", "The model `gpt-unknown` does not exist"),
        ({"model": "text-embedding-3-small"}, 400, "model", "is not supported with the Responses API"),
        ({"input": 5}, 400, "input", "Invalid type for 'input'"),
        ({"input": [{"role": "robot", "content": "x"}]}, 400, "input[0].role", "Invalid value: 'robot'"),
        ({"input": [{"role": "user"}]}, 400, "input[0].content", "Missing required parameter"),
        (
            {"input": [{"role": "user", "content": [{"type": "image_url"}]}]},
            400,
            "input[0].content[0].type",
            "Invalid value: 'image_url'",
        ),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image", "image_url": "ftp://x"}]}]},
            400,
            "input[0].content[0].image_url",
            "Invalid image URL",
        ),
        ({"input": [{"type": "function_call_output", "output": "x"}]}, 400, "input[0].call_id", "Missing"),
        ({"temperature": 2.5}, 400, "temperature", "Expected a value <= 2, but got 2.5 instead."),
        ({"top_p": -1}, 400, "top_p", "Expected a value >= 0"),
        ({"max_output_tokens": 5}, 400, "max_output_tokens", "Expected a value >= 16, but got 5 instead."),
        ({"stream": "yes"}, 400, "stream", "expected a boolean"),
        ({"metadata": {"k": 1}}, 400, "metadata.k", "expected a string"),
        ({"metadata": {f"k{n}": "v" for n in range(17)}}, 400, "metadata", "at most 16 properties"),
        ({"reasoning": {"effort": "high"}}, 400, "reasoning.effort", "not supported with this model"),
        ({"model": "o3-mini", "temperature": 0.5}, 400, "temperature", "not supported with this model"),
        ({"model": "o3-mini", "reasoning": {"effort": "huge"}}, 400, "reasoning.effort", "Invalid value"),
        ({"text": {"format": {"type": "xml"}}}, 400, "text.format.type", "Invalid value: 'xml'"),
        ({"text": {"format": {"type": "json_object"}}}, 400, "input", "must contain the word 'json'"),
        (
            {"text": {"format": {"type": "json_schema", "schema": SCHEMA}}},
            400,
            "text.format.name",
            "Missing required parameter: 'text.format.name'.",
        ),
        (
            {
                "text": {
                    "format": {
                        "type": "json_schema",
                        "name": "c",
                        "strict": True,
                        "schema": {**SCHEMA, "required": ["city"]},
                    }
                }
            },
            400,
            "text.format.schema",
            "Invalid schema for response_format 'c': In context=(), 'required' is required to be supplied and to "
            "be an array including every key in properties. Missing 'population'.",
        ),
        ({"tools": [{"type": "computer"}]}, 400, "tools[0].type", "The sandbox offers tools of type"),
        ({"tools": [{"type": "function"}]}, 400, "tools[0].name", "Missing required parameter"),
        ({"tools": [{"type": "file_search"}]}, 400, "tools[0].vector_store_ids", "Missing"),
        ({"tools": [{"type": "code_interpreter"}]}, 400, "tools[0].container", "Missing"),
        (
            {"tools": [{"type": "image_generation", "partial_images": 4}]},
            400,
            "tools[0].partial_images",
            "<= 3",
        ),
        ({"tools": [{"type": "mcp", "server_label": "x"}]}, 400, "tools[0].server_url", "Missing"),
        (
            {"tools": [{"type": "code_interpreter", "container": "cntr_nope"}]},
            404,
            "tools[0].container",
            "Container with id 'cntr_nope' not found.",
        ),
        ({"tool_choice": {"type": "function", "name": "f"}}, 400, "tool_choice", "not found in 'tools'"),
        ({"tool_choice": {"type": "web_search_preview"}}, 400, "tool_choice", "not found in 'tools'"),
        ({"tool_choice": "sometimes"}, 400, "tool_choice", "Invalid value: 'sometimes'"),
        ({"include": ["everything"]}, 400, "include[0]", "Invalid value: 'everything'"),
        ({"previous_response_id": "resp_nope"}, 404, "previous_response_id", "Previous response with id"),
        ({"conversation": "conv_nope"}, 404, "conversation", "Conversation with id 'conv_nope' not found."),
        (
            {"previous_response_id": "resp_x", "conversation": "conv_x"},
            400,
            "conversation",
            "Mutually exclusive parameters",
        ),
        ({"background": True, "store": False}, 400, "store", "Background responses must be stored"),
        (
            {"stream_options": {"include_obfuscation": False}},
            400,
            "stream_options",
            "only allowed when 'stream'",
        ),
        ({"temprature": 1}, 400, "temprature", "Unknown parameter: 'temprature'."),
    ],
)
def test_bad_requests_are_refused_naming_the_param(http, change, status, param, message):
    body = {"model": MODEL, "input": "hi", **change}
    error = error_of(http.post("/responses", json=body), status)
    assert message in error["message"]
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"


def test_what_the_sandbox_refuses_the_spec_refuses_too(spec):
    """The spec check in these tests is real: bodies the sandbox refuses fail it as well."""
    import jsonschema

    for body in (
        {"model": MODEL, "input": "hi", "temperature": 2.5},
        {"model": MODEL, "input": "hi", "max_output_tokens": 5},
        {"model": MODEL, "input": [{"role": "robot", "content": "x"}]},
        {"model": MODEL, "input": "hi", "include": ["everything"]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            spec.validate_request("POST", "/responses", body)
        with pytest.raises(jsonschema.ValidationError):
            validate_request(spec, "POST", "/responses", body)


def test_unknown_ids_are_404_in_openai_shape(http):
    for method, path in (
        ("GET", "/responses/resp_nope"),
        ("DELETE", "/responses/resp_nope"),
        ("POST", "/responses/resp_nope/cancel"),
        ("GET", "/responses/resp_nope/input_items"),
    ):
        error = error_of(http.request(method, path), 404)
        assert error["message"] == "Response with id 'resp_nope' not found."


def test_the_routes_need_a_key(sandbox):
    import httpx

    with httpx.Client(base_url=sandbox.base_url) as anonymous:
        assert anonymous.post("/responses", json={"model": MODEL, "input": "x"}).status_code == 401
        assert anonymous.post("/conversations", json={}).status_code == 401
